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
    /// Assign every project of the repository its Test Certified level; fail below the
    /// required level.
    Check(CheckArgs),
    /// What a criterion means, how it is measured, and how to meet it.
    Explain(ExplainArgs),
    /// Show which format each report is and what testcert reads from it.
    Inspect(InspectArgs),
    /// Write a commented testcert.toml, pre-filled from what the repository holds.
    Init(InitArgs),
    /// Render a result `check --format json` wrote, in another format (the Action checks
    /// once and renders the summary and the annotations from the JSON).
    Render(RenderArgs),
    /// Roll many `check --format json --stamp` results up into one page, Markdown summary,
    /// JSON and badges for an organisation, with trends from a history file.
    Aggregate(crate::aggregate::AggregateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Repository root (default: the repository containing the current directory — the
    /// nearest ancestor with `.git` —, else the current directory).
    pub dir: Option<PathBuf>,
    /// Configuration file (default: DIR/testcert.toml, else the Cargo.toml metadata tables).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Required level for every project (overrides the configuration).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
    pub min_level: Option<u8>,
    /// Base revision of the change (default in CI: the pull request's base; without one,
    /// every executable line counts as changed).
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Output format [default: text; inside GitHub Actions (GITHUB_ACTIONS=true) text
    /// followed by the github annotations when writing to standard output].
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show why each report and test suite went to its project.
    #[arg(long)]
    pub explain_attribution: bool,
    /// Write badges into DIR: `<project>.svg`/`.json` per project and `testcert.svg`/`.json`
    /// for the repository (shields.io flat SVG and endpoint JSON).
    #[arg(long, value_name = "DIR")]
    pub badges: Option<PathBuf>,
    /// Record the repository, commit and time in the result (`stamp`), for `testcert
    /// aggregate`. Off by default so that the output is deterministic.
    #[arg(long)]
    pub stamp: bool,
    /// The repository's name in the stamp (implies --stamp; default: `GITHUB_REPOSITORY`,
    /// else the `origin` remote as `host/owner/repo`, else the directory's name).
    #[arg(long, value_name = "NAME")]
    pub repo_name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// A result written by `testcert check --format json`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the badges into DIR; with a relative DIR, the markdown table shows them.
    #[arg(long, value_name = "DIR")]
    pub badges: Option<PathBuf>,
    /// The checked directory, so that annotations name files relative to
    /// `$GITHUB_WORKSPACE` (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Criterion id (`L2.small-incremental`); all criteria when absent.
    pub criterion: Option<String>,
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
        Command::Check(args) => check(args),
        Command::Explain(args) => explain(args),
        Command::Inspect(args) => inspect(args),
        Command::Init(args) => init(args),
        Command::Render(args) => render(args),
        Command::Aggregate(args) => crate::aggregate::run_cli(args),
    }
}

/// One output of a result in `format`; `badges` is the `--badges` folder (the markdown table
/// links its files when it is relative), `dir` the checked directory.
fn render_output(
    result: &crate::result::CheckResult,
    format: CheckFormat,
    color: bool,
    badges: Option<&std::path::Path>,
    dir: &std::path::Path,
) -> String {
    match format {
        CheckFormat::Json => crate::render::json(result),
        CheckFormat::Markdown => crate::render::markdown::render_opts(
            result,
            &crate::render::markdown::Options {
                badge_dir: badges
                    .filter(|b| b.is_relative())
                    .map(|b| b.to_string_lossy().replace('\\', "/")),
            },
        ),
        CheckFormat::Text => {
            crate::render::text::render(result, crate::render::text::Style { color })
        }
        CheckFormat::Github => {
            let ws = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
            let prefix = crate::render::github::workspace_prefix(dir, ws.as_deref());
            crate::render::github::render(result, &prefix)
        }
    }
}

fn render(args: RenderArgs) -> Result<i32> {
    let json = std::fs::read_to_string(&args.from)
        .with_context(|| format!("cannot read {}", args.from.display()))?;
    let result = crate::result::CheckResult::from_json(&json)
        .with_context(|| format!("cannot read {}", args.from.display()))?;
    if let Some(dir) = &args.badges {
        crate::render::badge::write(dir, &result)?;
    }
    let out = render_output(
        &result,
        args.format,
        false,
        args.badges.as_deref(),
        &args.dir,
    );
    let dest = args.output.unwrap_or_else(|| PathBuf::from("-"));
    crate::output::write(&dest, out.as_bytes())?;
    Ok(exit::OK)
}

fn check(args: CheckArgs) -> Result<i32> {
    use std::io::IsTerminal;
    let dir = match args.dir {
        Some(d) => d,
        None => {
            // Run from a subdirectory, check the whole repository (as `init` does), and say
            // so: the levels of one package alone would be a different answer.
            let cwd = std::env::current_dir().context("current directory")?;
            let root = paths::repo_root(&cwd);
            if std::fs::canonicalize(&cwd).is_ok_and(|c| c != root) {
                eprintln!(
                    "testcert: checking the repository at {} (the one containing the current directory; pass a DIR to check another)",
                    root.display()
                );
            }
            root
        }
    };
    let opts = crate::check::CheckOptions {
        dir,
        config: args.config,
        min_level: args.min_level,
        base: args.base,
        explain_attribution: args.explain_attribution,
    };
    let env = |k: &str| std::env::var(k).ok();
    let mut result = crate::check::run(&opts, &env)?;
    if args.stamp || args.repo_name.is_some() {
        let now = std::time::SystemTime::now();
        let stamp = crate::stamp::stamp(&opts.dir, args.repo_name.as_deref(), &env, now);
        result.stamp = Some(stamp);
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Badges first: a failed threshold still writes every output.
    if let Some(dir) = &args.badges {
        crate::render::badge::write(dir, &result)?;
    }
    let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(CheckFormat::Text);
    let badges = args.badges.as_deref();
    let mut out = render_output(&result, format, color, badges, &opts.dir);
    // No --format inside GitHub Actions, printing to the log: annotations after the text.
    if args.format.is_none() && in_actions && args.output.is_none() {
        out.push_str(&render_output(
            &result,
            CheckFormat::Github,
            false,
            badges,
            &opts.dir,
        ));
    }
    let dest = args.output.unwrap_or_else(|| PathBuf::from("-"));
    crate::output::write(&dest, out.as_bytes())?;
    for e in &result.report_errors {
        eprintln!("error: {}", e.error);
    }
    Ok(result.exit_code())
}

fn explain(args: ExplainArgs) -> Result<i32> {
    use crate::ladder::{criterion, CRITERIA};
    let mut out = String::new();
    match args.criterion {
        Some(id) => {
            let Some(c) = criterion(&id) else {
                eprintln!(
                    "error: no criterion {id:?}; the criteria are: {}",
                    CRITERIA.iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
                );
                return Ok(exit::ERROR);
            };
            out.push_str(&format!(
                "{} (level {}): {}\n\nMeasured: {}\n\nTo meet it: {}\n",
                c.id, c.level, c.title, c.measured, c.how_to
            ));
        }
        None => {
            for c in CRITERIA {
                out.push_str(&format!("{:<22} L{} {}\n", c.id, c.level, c.title));
            }
            out.push_str("\nLevels 4 and 5 are evaluated with max_level = 5 in testcert.toml.\n`testcert explain <id>` tells how each is measured and met.\n");
        }
    }
    crate::output::write(std::path::Path::new("-"), out.as_bytes())?;
    Ok(exit::OK)
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
