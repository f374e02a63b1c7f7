//! Command-line definitions and dispatch. `main` calls [`main`] and exits with its code.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::exit;
use crate::paths::{self, PathMapper};

#[derive(Debug, Parser)]
#[command(
    name = "testcert",
    version,
    about = "Test Certified levels from the reports your tests already write"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show which format each report is and what testcert reads from it.
    Inspect(InspectArgs),
    /// Write a commented testcert.toml, pre-filled from what the repository holds.
    Init(InitArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Report files (coverage or test results, any supported format).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
    /// Repository root that report paths are mapped onto (default: the git repository
    /// containing the current directory, else the current directory).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Remove this prefix from every source path in the reports before mapping (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub strip_prefix: Vec<String>,
    /// Put this directory in front of every relative source path after stripping.
    #[arg(long, value_name = "DIR")]
    pub path_prefix: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Repository root to write testcert.toml into (default: the git repository containing
    /// the current directory, else the current directory).
    pub dir: Option<PathBuf>,
    /// Replace an existing testcert.toml.
    #[arg(long)]
    pub force: bool,
}

/// Parses the command line, runs it, prints errors, and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::ERROR
        }
    }
}

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Inspect(args) => inspect(args),
        Command::Init(args) => init(args),
    }
}

fn inspect(args: InspectArgs) -> Result<i32> {
    let root = match &args.root {
        Some(r) => r.clone(),
        None => paths::repo_root(&std::env::current_dir().context("current directory")?),
    };
    let mut mapper = PathMapper::scan(&root)
        .with_context(|| format!("cannot list the repository root {}", root.display()))?;
    for p in &args.strip_prefix {
        mapper = mapper.strip_prefix(p.clone());
    }
    mapper = mapper.path_prefix(args.path_prefix.clone());
    let items = crate::inspect::inspect(&args.files, &mapper);
    let out = match args.format {
        InspectFormat::Json => crate::inspect::render_json(&items),
        InspectFormat::Text => crate::inspect::render_text(&items),
    };
    let failed = items.iter().filter(|i| i.error.is_some()).count();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .context("writing to stdout")?;
    stdout.flush().context("writing to stdout")?;
    if failed > 0 {
        if args.format == InspectFormat::Json {
            for i in items.iter().filter_map(|i| i.error.as_ref()) {
                eprintln!("error: {i}");
            }
        }
        eprintln!(
            "error: {failed} of {} inputs could not be read",
            items.len()
        );
        return Ok(exit::ERROR);
    }
    Ok(exit::OK)
}

fn init(args: InitArgs) -> Result<i32> {
    let root = match args.dir {
        Some(d) => d,
        None => paths::repo_root(&std::env::current_dir().context("current directory")?),
    };
    let (path, summary) = crate::init::init(&root, args.force)?;
    println!("wrote {}", path.display());
    print!("{summary}");
    Ok(exit::OK)
}
