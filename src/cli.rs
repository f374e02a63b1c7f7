//! Command-line definitions and dispatch. `main` calls [`main`] and exits with its code.

use crate::words::{plural, plural_with};
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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    Aggregate(AggregateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    Text,
    Json,
    Markdown,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// When the text output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal that takes colour, unless NO_COLOR is set (CLICOLOR/CLICOLOR_FORCE
    /// are read too).
    Auto,
    /// Always, also into --output.
    Always,
    Never,
}

impl ColorWhen {
    /// Whether text written to standard output (`to_stdout`) or to a file is coloured.
    fn paints(self, to_stdout: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                to_stdout
                    && anstream::AutoStream::choice(&std::io::stdout())
                        != anstream::ColorChoice::Never
            }
        }
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
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
    /// A GitHub Actions event payload ($GITHUB_EVENT_PATH; the event's name from
    /// GITHUB_EVENT_NAME): the change is the pull request's, the push's or the merge
    /// group's, fetched into a shallow checkout when missing; when history cannot be had,
    /// every line counts as changed, with a warning (never an error).
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
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
    /// Colour the text output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
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
    /// An earlier result (`check --format json`, e.g. the base branch's last one): say which
    /// project levels this change lowers or raises, in every output.
    #[arg(long, value_name = "RESULT.json")]
    pub compare_to: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RenderArgs {
    /// A result written by `testcert check --format json`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the badges into DIR (the markdown table shows shields.io badges, which
    /// load wherever the summary is shown).
    #[arg(long, value_name = "DIR")]
    pub badges: Option<PathBuf>,
    /// The checked directory, so that annotations name files relative to
    /// `$GITHUB_WORKSPACE` (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Criterion id (`L2.small-incremental`); all criteria when absent.
    pub criterion: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InspectArgs {
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

/// `testcert aggregate`: the options of [`crate::aggregate::build`] plus where to write.
#[derive(Debug, clap::Args)]
pub(crate) struct AggregateArgs {
    /// Result files (`check --format json --stamp`), folders (walked for `*.json`) and globs.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write index.html, summary.md, aggregate.json and badges/ into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A JSON-lines history: this snapshot is appended (once per repository and commit),
    /// and trends and changes since the last snapshot come from it.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Exit 1 when a project's level dropped since its repository's previous entry in the
    /// history, once: in the run that first records the commit with the drop.
    #[arg(long, requires = "history")]
    pub fail_on_regression: bool,
    /// A TOML file of `[[team]]` tables (`name`, `repositories` globs): the team of each
    /// repository, before the `team` and CODEOWNERS its stamp carries.
    #[arg(long, value_name = "FILE")]
    pub teams: Option<PathBuf>,
    /// The snapshot's time, RFC 3339 (default: the newest result's stamp time, else now).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// The page's title.
    #[arg(long, value_name = "TEXT", default_value = "Test Certified")]
    pub title: String,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
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
            // Error chains name files and quote report contents: escaped for the terminal.
            eprintln!("error: {}", crate::escape::text(&format!("{e:#}")));
            exit::ERROR
        }
    }
}

pub(crate) fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Explain(args) => explain(args),
        Command::Inspect(args) => inspect(args),
        Command::Init(args) => init(args),
        Command::Render(args) => render(args),
        Command::Aggregate(args) => aggregate(args),
    }
}

/// One output of a result in `format`; `dir` is the checked directory.
fn render_output(
    result: &crate::result::CheckResult,
    format: CheckFormat,
    color: bool,
    dir: &std::path::Path,
) -> String {
    match format {
        CheckFormat::Json => crate::render::json(result),
        CheckFormat::Markdown => {
            // Inside GitHub Actions: links to the checked commit's lines, and the count of
            // annotations left out.
            let env = |k: &str| std::env::var(k).ok();
            let in_actions = env("GITHUB_ACTIONS").is_some_and(|v| v == "true");
            let ws = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
            let prefix = crate::render::github::workspace_prefix(dir, ws.as_deref());
            crate::render::markdown::render_opts(
                result,
                &crate::render::markdown::Options {
                    links: crate::render::markdown::Links::from_env(&env, &prefix),
                    annotations: in_actions,
                },
            )
        }
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
    let out = render_output(&result, args.format, false, &args.dir);
    let dest = args.output.unwrap_or_else(|| PathBuf::from("-"));
    crate::output::write(&dest, out.as_bytes())?;
    print_warnings(&result);
    Ok(exit::OK)
}

/// A check's warnings, on standard error whatever the format: the report on standard output
/// (or in `--output`) stays the report.
fn print_warnings(result: &crate::result::CheckResult) {
    for w in &result.warnings {
        eprintln!("warning: {}", crate::escape::text(w));
    }
}

fn check(args: CheckArgs) -> Result<i32> {
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
                    crate::escape::text(&root.display().to_string())
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
        event: args.event,
        explain_attribution: args.explain_attribution,
    };
    let env = |k: &str| std::env::var(k).ok();
    let mut result = crate::check::run_with(&opts, &env, TERMINAL)?;
    if args.stamp || args.repo_name.is_some() {
        let now = std::time::SystemTime::now();
        let mut stamp = crate::stamp::stamp(&opts.dir, args.repo_name.as_deref(), &env, now);
        // From the configuration the check has read already.
        stamp.team = result.team.clone();
        result.stamp = Some(stamp);
    }
    if let Some(earlier) = &args.compare_to {
        result.comparison = Some(crate::compare::compare_to(&result, earlier)?);
    }
    let color = args.color.paints(args.output.is_none());
    // Badges first: a failed threshold still writes every output.
    if let Some(dir) = &args.badges {
        crate::render::badge::write(dir, &result)?;
    }
    let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(CheckFormat::Text);
    let dest = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    if format == CheckFormat::Json {
        // Streamed: a large repository's JSON is tens of MB, one uncovered line per line.
        crate::output::write_with(&dest, |w| crate::render::json_to(w, &result))?;
    } else {
        let mut out = render_output(&result, format, color, &opts.dir);
        // No --format inside GitHub Actions, printing to the log: annotations after the text.
        if args.format.is_none() && in_actions && args.output.is_none() {
            out.push_str(&render_output(
                &result,
                CheckFormat::Github,
                false,
                &opts.dir,
            ));
        }
        crate::output::write(&dest, out.as_bytes())?;
    }
    print_warnings(&result);
    for e in &result.report_errors {
        eprintln!("error: {}", crate::escape::text(&e.error));
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
    let items = crate::inspect::inspect_with(&args.files, &mapper, TERMINAL);
    let out = match args.format {
        InspectFormat::Json => crate::inspect::render_json(&items),
        InspectFormat::Text => crate::inspect::render_text(&items),
    };
    let failed = items.iter().filter(|i| i.error.is_some()).count();
    for i in &items {
        for w in &i.warnings {
            eprintln!(
                "warning: {}: {}",
                crate::escape::text(&i.path),
                crate::escape::text(w)
            );
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .context("writing to stdout")?;
    stdout.flush().context("writing to stdout")?;
    if failed > 0 {
        if args.format == InspectFormat::Json {
            for i in items.iter().filter_map(|i| i.error.as_ref()) {
                eprintln!("error: {}", crate::escape::text(i));
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
    println!("wrote {}", crate::escape::text(&path.display().to_string()));
    // What was found on stdout; notes and warnings about how, on stderr.
    for line in summary.lines() {
        if line.starts_with("warning: ") || line.starts_with("note: ") {
            eprintln!("{}", crate::escape::text(line));
        } else {
            println!("{}", crate::escape::text(line));
        }
    }
    Ok(exit::OK)
}

fn aggregate(args: AggregateArgs) -> Result<i32> {
    let opts = crate::aggregate::Options {
        inputs: args.inputs,
        history: args.history.clone(),
        now: args.now,
        title: args.title,
        teams: args.teams,
        out: Some(args.out.clone()),
    };
    let outcome = crate::aggregate::build_with(&opts, std::time::SystemTime::now(), TERMINAL)?;
    crate::aggregate::write(&outcome, &args.out, args.history.as_deref())?;
    let a = &outcome.aggregate;
    for w in &a.inputs.warnings {
        eprintln!("warning: {}", crate::escape::text(w));
    }
    for e in &a.inputs.errors {
        eprintln!(
            "error: {}: {}",
            crate::escape::text(&e.path),
            crate::escape::text(&e.error)
        );
    }
    let s = &a.summary;
    eprintln!(
        "aggregated {}: {} in {}, {} at their required level{}; wrote {}",
        plural(a.inputs.results as u64, "result"),
        plural(s.projects as u64, "project"),
        plural_with(s.repositories as u64, "repository", "repositories"),
        s.meeting_required,
        match &a.changes {
            Some(c) => format!(
                ", {} up and {} down since the last snapshot, {} appended",
                c.up.len(),
                c.down.len(),
                plural_with(c.appended as u64, "history entry", "history entries")
            ),
            None => String::new(),
        },
        crate::escape::text(&args.out.display().to_string())
    );
    if args.fail_on_regression && s.new_regressions > 0 {
        eprintln!(
            "error: {} a level",
            if s.new_regressions == 1 {
                "1 project dropped".to_string()
            } else {
                format!("{} projects dropped", s.new_regressions)
            }
        );
    } else if args.fail_on_regression && s.regressed > 0 {
        eprintln!(
            "note: {} still below {} previous level; the run that recorded the drop failed, this one does not",
            plural(s.regressed as u64, "project"),
            if s.regressed == 1 { "its" } else { "their" }
        );
    }
    Ok(a.exit_code(args.fail_on_regression))
}

/// Progress bars on standard error when it is a terminal and the work is long enough to
/// be worth one; hidden otherwise.
const TERMINAL: crate::progress::Progress = crate::progress::Progress(terminal_bar);

fn terminal_bar(files: usize, bytes: u64, what: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    // Work smaller than this finishes before a bar would be worth drawing.
    const MIN_BYTES: u64 = 32 * 1024 * 1024;
    const MIN_FILES: usize = 50;
    if !std::io::stderr().is_terminal() || (bytes < MIN_BYTES && files < MIN_FILES) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}
