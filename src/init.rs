//! `testcert init`: a commented `testcert.toml`, pre-filled from what discovery finds.
//!
//! What discovery finds on its own (projects, report files, CI) is written as comments, not
//! as settings: `check` finds them again on every run, and a copied list would go stale.
//! Settings are only the two that decide whether `check` fails (`max_level`,
//! `required_level`) and the `[reports]` switches. Every other key is shown commented out,
//! with its default, directly after the line that explains it: `#key = value` (no space after
//! `#`) is a setting to uncomment, `# text` is an explanation. A test uncomments every
//! setting and parses the result, so the examples stay valid.

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::config::{Config, Size, Thresholds};
use crate::discover::{ci, projects, reports};
use crate::evidence::{RepoFacts, ReportFile};
use crate::ingest::{self, Kind};
use crate::words::plural_s;

/// The file `init` writes, at the root.
pub const FILE: &str = "testcert.toml";

/// How many projects and reports the comments list before "… and N more".
const LIST_MAX: usize = 60;

/// Writes `root/testcert.toml` (refusing to replace one unless `force`), atomically. Returns
/// the path written and a short summary of what was found, for the command to print.
pub fn init(root: &Path, force: bool) -> Result<(PathBuf, String)> {
    let path = root.join(FILE);
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    let (text, summary) = render(root, &|k| std::env::var(k).ok())?;
    write_atomically(&path, &text, force)?;
    Ok((path, summary))
}

/// Writes `text` to a temporary file next to `path`, then moves it into place: a reader never
/// sees half a file. Without `force`, the move refuses to replace a file that appeared since
/// the check (a hard link fails when the target exists).
fn write_atomically(path: &Path, text: &str, force: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{FILE}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        drop(f);
        if force {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        } else {
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                    "{} already exists; pass --force to replace it",
                    path.display()
                ),
                // No hard links on this file system: the existence check above has to do.
                Err(_) => std::fs::rename(&tmp, path)
                    .with_context(|| format!("cannot write {}", path.display()))?,
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

/// The file's text and the summary.
fn render(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<(String, String)> {
    let config = Config::default();
    // Every search below lists a directory at most once between them.
    let canonical = std::fs::canonicalize(root);
    let tree = crate::discover::Tree::new(canonical.as_deref().unwrap_or(root));
    let discovery = match canonical {
        Ok(_) => projects::discover_in(&tree, &config),
        // Says which root cannot be opened.
        Err(_) => projects::discover(root, &config),
    };
    let found = reports::discover_in(&tree, &config, &ci::report_outputs_in(&tree))?.files;
    let facts = ci::repo_facts_in(&tree, env);
    let cargo_config = Config::from_cargo_toml(&root.join("Cargo.toml"))
        .ok()
        .flatten()
        .map(|(_, table)| table);

    // Names and paths come from the repository: a line break in one would end its comment and
    // make the rest live TOML (a forged `[[waiver]]`), so each is escaped onto one line.
    let c = crate::escape::toml_comment;
    let mut s = String::new();
    let mut summary = String::new();
    let w = &mut s;
    line(
        w,
        "# testcert.toml: how `testcert check` certifies this repository's projects.",
    );
    line(
        w,
        "# Written by `testcert init`; edit freely. Every key is optional; an unknown key is an",
    );
    line(
        w,
        "# error (a typo must not silently change a gate). `#key = value` lines are settings",
    );
    line(w, "# shown with their default: remove the `#` to use one.");
    if let Some(table) = cargo_config {
        line(w, "#");
        let _ = writeln!(
            w,
            "# Cargo.toml also has [{table}]: this file is read instead of it."
        );
        let _ = writeln!(
            summary,
            "note: Cargo.toml's [{table}] is no longer read while {FILE} exists"
        );
    }
    line(w, "");
    line(
        w,
        "# Highest level evaluated: 3 is Google's original Test Certified ladder; 5 adds the",
    );
    line(w, "# later levels 4 and 5.");
    line(w, "max_level = 3");
    line(w, "");
    line(
        w,
        "# The level every project must reach, else `check` exits 1 (after writing every output).",
    );
    line(
        w,
        "# 0 reports levels and never fails: raise it once the projects reach level 1.",
    );
    line(w, "required_level = 0");
    line(w, "");

    // Projects.
    line(w, "# ## Projects");
    match &discovery {
        Ok(d) => {
            line(w, "# Found on every run (no table needed for these):");
            let width = d
                .projects
                .iter()
                .map(|p| c(shown(&p.path)).len())
                .max()
                .unwrap_or(0);
            for p in d.projects.iter().take(LIST_MAX) {
                let _ = writeln!(
                    w,
                    "#   {:width$}  {}  ({})",
                    c(shown(&p.path)),
                    c(&p.name),
                    c(&p.found_by)
                );
            }
            more(w, d.projects.len());
            for n in &d.notes {
                let _ = writeln!(w, "#   note: {}", one_line(n));
            }
            let _ = writeln!(
                summary,
                "{} project{}: {}",
                d.projects.len(),
                plural_s(d.projects.len() as u64),
                c(&list(d.projects.iter().map(|p| p.name.as_str())))
            );
        }
        Err(e) => {
            let _ = writeln!(w, "# Discovery failed: {}", one_line(&format!("{e:#}")));
            line(w, "# Declare the projects below until it succeeds.");
            let _ = writeln!(
                summary,
                "warning: project discovery failed: {}",
                c(&format!("{e:#}"))
            );
        }
    }
    line(
        w,
        "# Declare others, or rename a found one, with [[project]] tables; a declared project",
    );
    line(w, "# replaces a found one at the same path.");
    line(w, "#[[project]]");
    line(
        w,
        "# A directory relative to the root, or a glob: one project per matching directory.",
    );
    line(w, "#path = \"services/*\"");
    line(
        w,
        "# Default: the directory's name. In a glob's name, {dir} is the matched directory's name.",
    );
    line(w, "#name = \"svc-{dir}\"");
    line(w, "# Overrides required_level for this project.");
    line(w, "#required_level = 1");
    line(w, "");

    // Reports.
    line(w, "# ## Reports");
    line(w, "[reports]");
    if found.is_empty() {
        line(
            w,
            "# No report files found yet: run the tests with coverage first, or add globs below.",
        );
    } else {
        line(
            w,
            "# Found now (each report's format is read from its content):",
        );
        for r in found.iter().take(LIST_MAX) {
            let _ = writeln!(w, "#   {}  ({})", c(&r.path), describe(&root.join(&r.path)));
        }
        more(w, found.len());
    }
    let _ = writeln!(
        summary,
        "{} report file{}",
        found.len(),
        plural_s(found.len() as u64)
    );
    line(w, "# Whether the default globs apply (lcov*.info, coverage*.xml, cobertura*.xml, jacoco*.xml,");
    line(
        w,
        "# *junit*.xml, TEST-*.xml, *.trx, target/nextest/**/*.xml, … : see the README).",
    );
    line(w, "defaults = true");
    line(
        w,
        "# More globs, relative to the root. Their leading directories may name one that is",
    );
    line(
        w,
        "# otherwise skipped (node_modules, target/debug, fixtures, hidden directories).",
    );
    line(w, "include = []");
    line(w, "# Files or directories never read as reports.");
    line(w, "exclude = []");
    line(w, "");
    line(
        w,
        "# The test size of the run that wrote matching reports: \"coverage by small tests\"",
    );
    line(
        w,
        "# needs a coverage run of the small tests alone. Untagged reports count as all tests.",
    );
    line(w, "# First match wins.");
    let suggestions = tag_suggestions(root, &found);
    // The exact extra run per detected stack (once per command: one Rust run covers the
    // workspace).
    let mut runs: Vec<(String, String, String, String)> = Vec::new();
    for p in discovery.iter().flat_map(|d| &d.projects) {
        if let Some(stack) = crate::stack::detect(p, &[]) {
            let (command, dir, glob) = crate::stack::small_run(p, stack);
            if !runs.iter().any(|r| r.3 == glob) {
                runs.push((p.name.clone(), command, dir, glob));
            }
        }
    }
    if suggestions.is_empty() && !runs.is_empty() {
        line(
            w,
            "# No small-test coverage found yet: run the small tests alone with coverage, and tag",
        );
        line(w, "# the report it writes:");
        for (name, command, dir, glob) in &runs {
            // Names and paths come from the repository: inside the comment, always.
            let c = crate::escape::toml_comment;
            let _ = writeln!(w, "#   {}: `{}` in {}", c(name), c(command), c(dir));
            line(w, "#[[reports.tag]]");
            let _ = writeln!(w, "#glob = {}", quote(glob));
            line(w, "#size = \"small\"");
        }
        if runs.iter().any(|r| r.1.starts_with("pytest")) {
            line(
                w,
                "# (Python, from the one run you have: `pytest --cov --cov-context=test`, then",
            );
            line(
                w,
                "# `coverage json --show-contexts -o reports/coverage.json`: per-test contexts.)",
            );
        }
        let _ = writeln!(
            summary,
            "small-test coverage: none yet; testcert.toml names the command ({})",
            runs.iter()
                .map(|r| format!("`{}`", r.1))
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else if suggestions.is_empty() {
        line(w, "#[[reports.tag]]");
        line(w, "#glob = \"coverage/unit/**\"");
        line(w, "# small, medium or large.");
        line(w, "#size = \"small\"");
    } else {
        line(
            w,
            "# Suggested from the names of the coverage reports found:",
        );
        for (glob, size) in &suggestions {
            line(w, "#[[reports.tag]]");
            let _ = writeln!(w, "#glob = {}", quote(glob));
            let _ = writeln!(w, "#size = {}", quote(size.name()));
        }
    }
    line(w, "");

    // CI.
    line(
        w,
        "# ## CI (read from the repository on every run; nothing to set)",
    );
    ci_comments(w, &facts, &mut summary);
    line(w, "");

    rest(w);
    Ok((s, summary))
}

fn line(w: &mut String, l: &str) {
    w.push_str(l);
    w.push('\n');
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "."
    } else {
        path
    }
}

fn more(w: &mut String, n: usize) {
    if n > LIST_MAX {
        let _ = writeln!(w, "#   … and {} more", n - LIST_MAX);
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.len() > 8 {
        format!("{}, … ({} more)", names[..8].join(", "), names.len() - 8)
    } else {
        names.join(", ")
    }
}

/// Comments are one line each: a multi-line message would end the comment, and no other
/// control character may be in one.
fn one_line(s: &str) -> String {
    crate::escape::toml_comment(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `lcov`, `junit`, or why it is not read.
fn describe(path: &Path) -> String {
    match sniff(path) {
        Ok(f) => f.name().to_string(),
        Err(e) => format!("not read: {}", one_line(&e)),
    }
}

fn sniff(path: &Path) -> Result<ingest::Format, String> {
    let input = ingest::open(path).map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    input
        .take(ingest::sniff::HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    ingest::sniff::sniff(&head)
}

/// `[[reports.tag]]` suggestions: a coverage report whose path has a size word (`unit`,
/// `integration`, `e2e`, `small`, …) as one of its words. The glob is the path itself.
fn tag_suggestions(root: &Path, found: &[ReportFile]) -> Vec<(String, Size)> {
    let mut out: Vec<(String, Size)> = Vec::new();
    for r in found {
        let size = r
            .path
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .flat_map(|w| std::iter::once(w).chain(w.split('-')))
            .find_map(Size::parse);
        let Some(size) = size else { continue };
        if !matches!(sniff(&root.join(&r.path)), Ok(f) if f.kind() == Kind::Coverage) {
            continue;
        }
        out.push((glob::Pattern::escape(&r.path), size));
    }
    out
}

fn ci_comments(w: &mut String, facts: &RepoFacts, summary: &mut String) {
    // CI file names and what they call come from the repository, as in `render`.
    let c = |l: &[String]| crate::escape::toml_comment(&l.join(", ")).into_owned();
    if facts.ci_files.is_empty() {
        line(
            w,
            "# No CI definition found (L1.ci needs one, or `check` running inside CI).",
        );
        let _ = writeln!(summary, "CI: none found");
    } else {
        let _ = writeln!(w, "# Systems: {}", c(&facts.ci_systems));
        for f in facts.ci_files.iter().take(LIST_MAX) {
            let _ = writeln!(w, "#   {}", crate::escape::toml_comment(f));
        }
        more(w, facts.ci_files.len());
        let _ = writeln!(
            w,
            "# Runs on pull/merge requests: {}",
            if facts.runs_on_pull_requests {
                "yes"
            } else {
                "not that testcert can see (L2.smoke-gate needs it)"
            }
        );
        let _ = writeln!(summary, "CI: {}", c(&facts.ci_systems));
    }
    if facts.analysis_tools.is_empty() {
        line(
            w,
            "# Analysis tools called from CI: none found (L5.analysis).",
        );
    } else {
        let _ = writeln!(
            w,
            "# Analysis tools called from CI: {}",
            c(&facts.analysis_tools)
        );
    }
    if !facts.sarif_reports.is_empty() {
        let _ = writeln!(w, "# SARIF reports: {}", c(&facts.sarif_reports));
    }
}

/// The keys nothing is found for: explained, shown with their defaults, commented out.
fn rest(w: &mut String) {
    let t = Thresholds::default();
    let _ = write!(
        w,
        r#"# ## Test sizes
# Rules that size tests, first match wins. The glob is matched against the test's file,
# suite, class, suite/class/name and class.name. Before these: a size property or tag in
# the report; after: ecosystem defaults (a Rust crate's unit tests are small, tests/*.rs
# medium; `unit`, `integration`, `e2e` path segments elsewhere).
#[[size]]
#glob = "*IT"
#size = "medium"

# ## Smoke tests (L1.smoke, L2.smoke-gate, L4)
#[smoke]
# Globs over a test's suite, class, name or file. Default: any name containing "smoke".
#globs = ["*Smoke*"]
# Property or tag values that mark a smoke test. Default: "smoke".
#tags = ["smoke"]

# ## Flaky tests (L1.flaky, L2.green, L4.no-flaky)
#[flaky]
# Quarantined tests, as globs over suite/class/name (or class.name): their failures are
# listed, not counted against L2.green, and a list proves flakiness is tracked.
#quarantine = ["net/retry_test"]

# ## Thresholds (ratios from 0 to 1; outputs say when one differs from its default)
#[thresholds]
# Incremental coverage by all tests (L2.incremental).
#incremental = {incremental}
# Incremental coverage by small tests (L2.small-incremental, L3.small-incremental).
#small_incremental_l2 = {small2}
#small_incremental_l3 = {small3}
# Changed executable lines that make a file's change nontrivial (L3.tests-for-changes).
#nontrivial_lines = {nontrivial}
# Changed executable lines that make a change a significant feature (L3/L4 integration).
#significant_lines = {significant}
# The smoke suite's summed durations must stay under this (L4.smoke-fast).
#smoke_max_minutes = {smoke}
# Total coverage, and coverage by small tests alone (levels 4 and 5).
#total_l4 = {total4}
#small_total_l4 = {stotal4}
#total_l5 = {total5}
#small_total_l5 = {stotal5}

# ## Waivers: a criterion a project is excused from. The reason is shown wherever the
# project's level is shown. `testcert explain` lists the criteria.
#[[waiver]]
#criterion = "L2.smoke-gate"
# A glob over project names; default: every project.
#project = "*"
#reason = "this repository takes no pull requests"

# ## Paths in reports that cannot be mapped onto the repository by themselves
#[paths]
# Removed from the front of every source path in the reports.
#strip_prefix = ["/build/src/"]
# Put in front of every relative source path, after stripping.
#path_prefix = "app"

# ## The change under review (levels 3 and 5)
#[change]
# Words that make a commit subject read as a bug fix (L5.bugfix-tests). Default: fix, bug,
# regression, hotfix, fixes #.
#fix_words = ["fix", "bug"]
# Globs of test files. Default: tests/**, test/**, **/*_test.*, **/test_*.py, **/*.test.*,
# **/*.spec.*, **/*Test.java, **/*Tests.cs, ...
#test_globs = ["tests/**"]
"#,
        incremental = t.incremental,
        small2 = t.small_incremental_l2,
        small3 = t.small_incremental_l3,
        nontrivial = t.nontrivial_lines,
        significant = t.significant_lines,
        smoke = float(t.smoke_max_minutes),
        total4 = t.total_l4,
        stotal4 = t.small_total_l4,
        total5 = t.total_l5,
        stotal5 = t.small_total_l5,
    );
}

/// A float as TOML needs it (`30.0`, not `30`).
fn float(x: f64) -> String {
    let s = x.to_string();
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::TempTree;

    fn sample() -> TempTree {
        TempTree::new(
            "sample",
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"sample\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("src/lib.rs", ""),
                (
                    "coverage/unit/lcov.info",
                    "TN:\nSF:src/lib.rs\nDA:1,1\nend_of_record\n",
                ),
                (
                    "coverage/integration/lcov.info",
                    "TN:\nSF:src/lib.rs\nDA:1,0\nend_of_record\n",
                ),
                (
                    "target/nextest/ci/junit.xml",
                    "<testsuites><testsuite name=\"unit\"/></testsuites>",
                ),
                (
                    ".github/workflows/ci.yml",
                    "on: pull_request\njobs:\n  x:\n    steps:\n      - run: cargo clippy\n",
                ),
            ],
        )
    }

    #[test]
    fn writes_a_file_that_parses_back() {
        let t = sample();
        let (path, summary) = init(t.path(), false).unwrap();
        assert_eq!(path, t.path().join(FILE));
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.max_level, Some(3));
        assert_eq!(c.required_level, Some(0));
        assert_eq!(c.reports, crate::config::ReportsConfig::default());
        assert!(text.contains("#   .  sample  (cargo package)"), "{text}");
        assert!(
            text.contains("#   coverage/unit/lcov.info  (lcov)"),
            "{text}"
        );
        assert!(
            text.contains("#   target/nextest/ci/junit.xml  (junit)"),
            "{text}"
        );
        assert!(
            text.contains("#glob = \"coverage/unit/lcov.info\"\n#size = \"small\""),
            "{text}"
        );
        assert!(
            text.contains("#glob = \"coverage/integration/lcov.info\"\n#size = \"medium\""),
            "{text}"
        );
        assert!(text.contains("# Systems: GitHub Actions"), "{text}");
        assert!(
            text.contains("# Runs on pull/merge requests: yes"),
            "{text}"
        );
        assert!(
            text.contains("# Analysis tools called from CI: clippy"),
            "{text}"
        );
        assert!(
            summary.contains("1 project: sample") && summary.contains("3 report files"),
            "{summary}"
        );
        // No temporary file is left behind.
        let leftovers: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn every_commented_setting_is_valid() {
        let t = sample();
        let (path, _) = init(t.path(), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&path, &uncommented).unwrap();
        let c = Config::from_file(&path).unwrap_or_else(|e| panic!("{e:#}\n{uncommented}"));
        assert_eq!(c.project.len(), 1);
        let sizes: Vec<Size> = c.reports.tag.iter().map(|t| t.size).collect();
        assert_eq!(sizes, vec![Size::Medium, Size::Small]);
        assert_eq!(c.waiver.len(), 1);
        // The defaults shown are the defaults.
        assert_eq!(c.thresholds, Thresholds::default());
    }

    #[test]
    fn refuses_to_overwrite_unless_forced() {
        let t = sample();
        t.write(FILE, "required_level = 2\n");
        let e = init(t.path(), false).unwrap_err().to_string();
        assert!(e.contains("already exists") && e.contains("--force"), "{e}");
        assert_eq!(
            std::fs::read_to_string(t.path().join(FILE)).unwrap(),
            "required_level = 2\n"
        );
        let (path, _) = init(t.path(), true).unwrap();
        assert_eq!(Config::from_file(&path).unwrap().required_level, Some(0));
    }

    #[test]
    fn empty_repository_and_failed_discovery() {
        let t = TempTree::new("empty", &[]);
        let (path, summary) = init(t.path(), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        Config::from_file(&path).unwrap();
        assert!(text.contains("No report files found"), "{text}");
        assert!(text.contains("No CI definition found"), "{text}");
        assert!(
            text.contains("#[[reports.tag]]\n#glob = \"coverage/unit/**\""),
            "{text}"
        );
        assert!(summary.contains("1 project: empty"), "{summary}");

        // Two projects with one name: init still writes, and says why discovery failed.
        let dup = TempTree::new(
            "dup",
            &[
                ("a/x/go.mod", "module a/x\n"),
                ("b/x/go.mod", "module b/x\n"),
            ],
        );
        let (path, summary) = init(dup.path(), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        Config::from_file(&path).unwrap();
        assert!(
            text.contains("# Discovery failed: two projects are named \"x\""),
            "{text}"
        );
        assert!(summary.contains("discovery failed"), "{summary}");
    }

    #[test]
    fn floats_stay_floats() {
        assert_eq!(float(30.0), "30.0");
        assert_eq!(float(0.5), "0.5");
    }
}
