//! The report files of a repository.
//!
//! One walk of the tree, matching every file against compiled [`glob::Pattern`]s. Which
//! directories the walk enters is the part that keeps it fast on real checkouts:
//! - never: hidden, vendored and fixture directories ([`super::skipped_dir`]), virtualenvs
//!   (a directory holding `pyvenv.cfg`), and whatever `[reports] exclude` matches;
//! - in a directory named `target` (Cargo's and Maven's build output), only the
//!   subdirectories where tools write reports ([`TARGET_REPORT_DIRS`]) and the files directly
//!   in it: `target/debug`, `target/release`, `target/llvm-cov-target` can hold hundreds of
//!   thousands of files and never a report;
//! - an `[reports] include` glob whose leading literal directories name a skipped directory
//!   (`node_modules/pkg/reports/*.xml`, `target/debug/*.info`) opens it, for its own matches
//!   only. A glob that starts with a wildcard opens nothing.
//!
//! Symbolic links are never followed (nor read as reports).
//!
//! Default globs are matched case-insensitively (tools disagree on `JUnit`/`junit`); the
//! config's globs match as written.
//!
//! Besides the names, a report is found where it is written: a file with a report extension
//! ([`REPORT_EXTS`]) up to [`REPORT_DIR_DEPTH`] levels below a report folder
//! ([`REPORT_DIRS`]: `reports/`, `test-results/`, `coverage/`, `out/`, `target/nextest/`, …),
//! or at a path a CI run step writes to (`go test -json > reports/go-test.json`, see
//! [`super::ci::report_outputs`]), is a *candidate*: its first bytes are sniffed
//! ([`crate::ingest::sniff::sniff_file`]) and it is read when they are a report's, else
//! skipped and said so. Hidden directories are still not searched, but files there that look
//! like reports are listed (within a budget of entries) so that `check` can say how to
//! include them.

use std::path::Path;

use anyhow::{anyhow, Result};
use glob::{MatchOptions, Pattern};

use super::{join, skipped_dir, CiOutput, Kind, Tree, SKIP_DIRS};
use crate::config::{Config, Size};
use crate::evidence::ReportFile;

/// Where reports are looked for by default (`[reports] defaults = false` turns these off).
/// The format is always sniffed from the content; names only decide what is opened.
pub const DEFAULT_GLOBS: &[&str] = &[
    // Coverage.
    "**/lcov*.info", // lcov.info (c8, nyc, cargo-llvm-cov, grcov), lcov-unit.info
    "**/*.lcov",
    "**/coverage*.xml", // coverage.py, coverlet's coverage.cobertura.xml / .opencover.xml
    "**/cobertura*.xml",
    "**/jacoco*.xml", // jacoco.xml, Gradle's jacocoTestReport.xml
    "**/clover.xml",
    "**/coverage-final.json", // Istanbul
    // Istanbul's totals-only file: read only when no other report sits next to it (see
    // `reports`), since the same run's line data makes it redundant and its totals would
    // count twice.
    "**/coverage-summary.json",
    "**/coverage.json", // coverage.py json, cargo llvm-cov --json
    "**/llvm-cov*.json",
    "**/*.coverprofile",
    "**/cover*.out",            // go test -coverprofile=coverage.out / cover.out
    "**/tarpaulin-report.json", // cargo tarpaulin --out Json
    // JaCoCo's CSV (Maven writes it beside jacoco.xml): totals only, so read only when no
    // other report sits next to it, as coverage-summary.json.
    "**/jacoco*.csv",
    // Test results.
    "**/*junit*.xml",    // junit.xml (jest-junit, nextest, pytest), rspec_junit.xml
    "**/TEST-*.xml",     // Surefire, Gradle, Ant
    "**/TestResult.xml", // NUnit's default
    "**/*.trx",
    "**/test-results/**/*.xml", // Gradle's build/test-results, CircleCI's convention
    "**/target/nextest/**/*.xml",
];

/// The subdirectories of a `target` directory that are searched: where nextest,
/// cargo-llvm-cov, grcov, tarpaulin, Surefire/Failsafe, JaCoCo's Maven plugin and sbt write.
pub const TARGET_REPORT_DIRS: &[&str] = &[
    "nextest",
    "llvm-cov",
    "coverage",
    "tarpaulin",
    "surefire-reports",
    "failsafe-reports",
    "site",
    "test-reports",
];

/// Folders tools and CI write reports into (matched case-insensitively, at any depth).
pub const REPORT_DIRS: &[&str] = &[
    "reports",
    "report",
    "test-results",
    "test-reports",
    "testresults", // dotnet test's TestResults
    "test-output",
    "coverage",
    "out",
    "junit",
    "nextest",
    "llvm-cov",
    "tarpaulin",
    "surefire-reports",
    "failsafe-reports",
];

/// Extensions of the files sniffed in report folders and at CI output paths.
pub const REPORT_EXTS: &[&str] = &[
    ".xml",
    ".json",
    ".info",
    ".lcov",
    ".out",
    ".trx",
    ".coverprofile",
];

/// Extensions a CI output file may have besides [`REPORT_EXTS`] (`-coverprofile=cover.txt`):
/// a step that writes `src/lib.rs` writes a source file, not a report.
const CI_EXTS: &[&str] = &[".txt", ".jsonl", ".ndjson"];

/// How far below a report folder candidates are looked for (`build/test-results/test/x.xml`
/// is 1, `target/nextest/ci/junit.xml` 1): deeper is build output, not reports.
pub const REPORT_DIR_DEPTH: usize = 3;

/// At most this many candidates are sniffed; the rest are skipped, and said so.
const MAX_SNIFFED: usize = 2_000;

/// Directory entries looked at, in all, when listing what hidden directories hold.
const HIDDEN_BUDGET: usize = 20_000;

/// Deeper than this is not a checkout anyone writes reports into; it is a loop or a cache.
const MAX_DEPTH: usize = 32;

/// What report discovery found, read and skipped.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// The reports to read, sorted, each with its `[[reports.tag]]` size.
    pub files: Vec<ReportFile>,
    /// Reports found by their content rather than their name: (path, how it was found and
    /// what it is).
    pub sniffed: Vec<(String, String)>,
    /// Candidates that are not reports: (path, why).
    pub skipped: Vec<(String, String)>,
    /// Files in hidden directories that look like reports (by name or folder): not read.
    pub hidden: Vec<String>,
}

/// Report files under `root` (default globs unless `[reports] defaults = false`, plus
/// `[reports] include`, minus `exclude`), sorted, each with its `[[reports.tag]]` size.
pub fn reports(root: &Path, config: &Config) -> Result<Vec<ReportFile>> {
    discover(root, config, &[]).map(|f| f.files)
}

/// [`reports`], plus the candidates of report folders and of `ci` outputs (sniffed), and
/// what hidden directories hold.
pub fn discover(root: &Path, config: &Config, ci: &[CiOutput]) -> Result<Found> {
    discover_in(&Tree::new(root), config, ci)
}

/// [`discover`] over listings shared with the other searches of the run.
pub fn discover_in(tree: &Tree, config: &Config, ci: &[CiOutput]) -> Result<Found> {
    let root = tree.root();
    let rc = &config.reports;
    let compile = |what: &str, globs: &[String]| -> Result<Vec<Pattern>> {
        globs
            .iter()
            .map(|g| {
                Pattern::new(clean(g))
                    .map_err(|e| anyhow!("[reports] {what} glob {g:?}: {}", e.msg))
            })
            .collect()
    };
    let defaults: Vec<Pattern> = if rc.defaults {
        DEFAULT_GLOBS
            .iter()
            .map(|g| Pattern::new(g).expect("default globs are valid"))
            .collect()
    } else {
        Vec::new()
    };
    let include = compile("include", &rc.include)?;
    let exclude = compile("exclude", &rc.exclude)?;
    let tag_globs: Vec<String> = rc.tag.iter().map(|t| t.glob.clone()).collect();
    let tags: Vec<(Pattern, Size)> = compile("tag", &tag_globs)?
        .into_iter()
        .zip(rc.tag.iter().map(|t| t.size))
        .collect();
    let walker = Walker {
        defaults,
        include_prefixes: rc
            .include
            .iter()
            .map(|g| literal_prefix(clean(g)))
            .collect(),
        include,
        exclude,
        candidates: rc.defaults,
        ci: if rc.defaults { ci.to_vec() } else { Vec::new() },
    };

    let mut out = Out::default();
    walker.walk(tree, String::new(), 0, None, Mode::Normal, &mut out);
    // CI outputs under skipped directories (hidden, `target/debug`) or that are
    // directories: looked up directly.
    for c in &walker.ci {
        walker.ci_direct(tree, c, &mut out);
    }
    out.found.sort();
    out.found.dedup_by(|a, b| a.0 == b.0);
    out.hidden
        .retain(|h| !out.found.iter().any(|(p, _)| p == h));

    let mut result = Found::default();
    let mut sniffed = 0usize;
    out.found.retain_mut(|(path, how)| {
        let How::Candidate(why) = how else {
            return true;
        };
        if sniffed == MAX_SNIFFED {
            result.skipped.push((
                path.clone(),
                format!("not sniffed: more than {MAX_SNIFFED} candidate files"),
            ));
            return false;
        }
        sniffed += 1;
        match crate::ingest::sniff::sniff_file(&root.join(path.as_str())) {
            Ok(format) => {
                result
                    .sniffed
                    .push((path.clone(), format!("{why}: {}", format.name())));
                true
            }
            Err(e) => {
                result.skipped.push((path.clone(), format!("{why}: {e}")));
                false
            }
        }
    });

    // A default-found totals-only report (coverage-summary.json, JaCoCo's CSV) next to
    // another report is the same run: its totals would count twice.
    let dir_of = |p: &str| p.rfind('/').map_or(String::new(), |i| p[..i].to_string());
    let mut per_dir = std::collections::BTreeMap::<String, usize>::new();
    for (p, _) in &out.found {
        *per_dir.entry(dir_of(p)).or_default() += 1;
    }
    out.found.retain(|(p, how)| {
        let name = p.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let summary = name == "coverage-summary.json"
            || (name.starts_with("jacoco") && name.ends_with(".csv"));
        !(summary && !matches!(how, How::Include) && per_dir[&dir_of(p)] > 1)
    });
    result
        .sniffed
        .retain(|(p, _)| out.found.iter().any(|(f, _)| f == p));

    result.files = out
        .found
        .into_iter()
        .map(|(path, _)| {
            let size = tags
                .iter()
                .find(|(p, _)| p.matches_with(&path, user_options()))
                .map(|(_, s)| *s);
            ReportFile { path, size }
        })
        .collect();
    result.hidden = out.hidden;
    Ok(result)
}

/// How a file was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum How {
    Include,
    Default,
    /// To be sniffed; the reason it is a candidate.
    Candidate(String),
}

/// What a walk collects.
#[derive(Default)]
struct Out {
    found: Vec<(String, How)>,
    hidden: Vec<String>,
    /// Entries left to look at in hidden directories.
    hidden_seen: usize,
}

/// Whether `name` ends with one of [`REPORT_EXTS`] (case-insensitively).
fn report_ext(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    REPORT_EXTS.iter().any(|e| lower.ends_with(e))
}

/// Whether a file CI writes to may be a report: [`REPORT_EXTS`] or [`CI_EXTS`].
fn ci_ext(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    report_ext(name) || CI_EXTS.iter().any(|e| lower.ends_with(e))
}

fn is_report_dir(name: &str) -> bool {
    REPORT_DIRS.iter().any(|d| d.eq_ignore_ascii_case(name))
}

/// Whether `path` is `target` or ends with `/target` at a `/` boundary.
fn ends_with_path(path: &str, target: &str) -> bool {
    path == target
        || (path.ends_with(target) && path.as_bytes()[path.len() - target.len() - 1] == b'/')
}

/// Ant's `<junitreport>` writes `TESTS-TestSuites.xml`, a copy of every `<testsuite>` of the
/// `TEST-*.xml` files it was made from, next to them: reading both counts every test twice.
/// Returns the positions in `paths` of such aggregates that sit in the same directory as one
/// of the other `paths` named `TEST-*.xml` (those are read instead), each with that sibling.
pub(crate) fn ant_aggregates<P: AsRef<Path>>(paths: &[P]) -> Vec<(usize, usize)> {
    let name = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let p = p.as_ref();
        if name(p).as_deref() != Some("TESTS-TestSuites.xml") {
            continue;
        }
        let sibling = paths.iter().position(|q| {
            let q = q.as_ref();
            q.parent() == p.parent()
                && name(q).is_some_and(|n| {
                    n.starts_with("TEST-") && n.to_ascii_lowercase().ends_with(".xml")
                })
        });
        if let Some(j) = sibling {
            out.push((i, j));
        }
    }
    out
}

/// Files under `root` matching `globs` (case-insensitively), with the default walk's rules
/// (skipped, fixture and `target` directories as for reports); sorted.
pub(crate) fn find(tree: &Tree, globs: &[&str]) -> Vec<String> {
    let walker = Walker {
        defaults: globs.iter().filter_map(|g| Pattern::new(g).ok()).collect(),
        include: Vec::new(),
        include_prefixes: Vec::new(),
        exclude: Vec::new(),
        candidates: false,
        ci: Vec::new(),
    };
    let mut found = Out {
        // Nothing is listed in hidden directories here.
        hidden_seen: HIDDEN_BUDGET,
        ..Out::default()
    };
    walker.walk(tree, String::new(), 0, None, Mode::Normal, &mut found);
    let mut out: Vec<String> = found.found.into_iter().map(|(p, _)| p).collect();
    out.sort();
    out
}

fn ci_reason(c: &CiOutput) -> String {
    format!("written by {} (`{}`)", c.file, c.how)
}

/// A glob as written in the config, relative to the root (`./x` → `x`).
fn clean(g: &str) -> &str {
    g.trim().trim_start_matches("./")
}

/// The leading directories of a glob that hold no wildcard (`a/b/**/*.xml` → `a/b`; a glob
/// with no wildcard is its own prefix).
fn literal_prefix(g: &str) -> String {
    let parts: Vec<&str> = g.split('/').collect();
    let literal: Vec<&str> = parts
        .iter()
        .take_while(|s| !s.contains(['*', '?', '[']))
        .copied()
        .collect();
    literal.join("/")
}

fn user_options() -> MatchOptions {
    MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    }
}

fn default_options() -> MatchOptions {
    MatchOptions {
        case_sensitive: false,
        ..user_options()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every glob applies.
    Normal,
    /// Entered only because an include glob names it: only include globs apply.
    IncludeOnly,
}

struct Walker {
    defaults: Vec<Pattern>,
    include: Vec<Pattern>,
    include_prefixes: Vec<String>,
    exclude: Vec<Pattern>,
    /// Whether files in report folders and at CI outputs are candidates.
    candidates: bool,
    ci: Vec<CiOutput>,
}

impl Walker {
    /// Collects every matching file under `rel`: how it was found. `below_report_dir` is
    /// how many levels below the nearest report folder `rel` is.
    fn walk(
        &self,
        tree: &Tree,
        rel: String,
        depth: usize,
        below_report_dir: Option<usize>,
        mode: Mode,
        out: &mut Out,
    ) {
        let dir = tree.root().join(&rel);
        let in_target = rel.rsplit('/').next() == Some("target");
        for (name, kind) in tree.entries(&rel).iter().cloned() {
            let path = join(&rel, &name);
            match kind {
                Kind::File => {
                    if self.excluded(&path) {
                        continue;
                    }
                    let by_include = self
                        .include
                        .iter()
                        .any(|p| p.matches_with(&path, user_options()));
                    let by_default = mode == Mode::Normal
                        && self
                            .defaults
                            .iter()
                            .any(|p| p.matches_with(&path, default_options()));
                    if by_include {
                        out.found.push((path, How::Include));
                    } else if by_default {
                        out.found.push((path, How::Default));
                    } else if mode == Mode::Normal && self.candidates {
                        if let Some(why) = self.candidate(&rel, &path, &name, below_report_dir) {
                            out.found.push((path, How::Candidate(why)));
                        }
                    }
                }
                Kind::Dir if depth < MAX_DEPTH => {
                    if self.excluded(&path) {
                        continue;
                    }
                    let skip = skipped_dir(&name)
                        || (in_target && !TARGET_REPORT_DIRS.contains(&name.as_str()))
                        || dir.join(&name).join("pyvenv.cfg").is_file();
                    let next = if skip || mode == Mode::IncludeOnly {
                        if !self.opens(&path) {
                            if skip
                                && mode == Mode::Normal
                                && name.starts_with('.')
                                && !SKIP_DIRS.contains(&name.as_str())
                            {
                                self.list_hidden(tree, &path, 0, out);
                            }
                            continue;
                        }
                        Mode::IncludeOnly
                    } else {
                        Mode::Normal
                    };
                    let below = if is_report_dir(&name) {
                        Some(0)
                    } else {
                        below_report_dir.map(|d| d + 1)
                    };
                    self.walk(tree, path, depth + 1, below, next, out);
                }
                _ => {}
            }
        }
    }

    /// Why the file `name` at `path` (in `dir`) is a candidate, if it is: a CI output path
    /// (whatever its extension: CI says it writes there), or a file with a report extension
    /// in a CI output directory or a report folder.
    fn candidate(
        &self,
        dir: &str,
        path: &str,
        name: &str,
        below_report_dir: Option<usize>,
    ) -> Option<String> {
        // The longest CI path that names it (`go/cover.txt` before `cover.txt`).
        if let Some(c) = self
            .ci
            .iter()
            .filter(|c| ends_with_path(path, &c.path) && ci_ext(name))
            .max_by_key(|c| c.path.len())
        {
            return Some(ci_reason(c));
        }
        if !report_ext(name) {
            return None;
        }
        if let Some(c) = self
            .ci
            .iter()
            .filter(|c| !dir.is_empty() && ends_with_path(dir, &c.path))
            .max_by_key(|c| c.path.len())
        {
            return Some(ci_reason(c));
        }
        match below_report_dir {
            Some(d) if d <= REPORT_DIR_DEPTH => {
                let parts: Vec<&str> = dir.split('/').collect();
                let folder = parts[..parts.len().saturating_sub(d)].join("/");
                Some(format!("in the report folder {folder}/"))
            }
            _ => None,
        }
    }

    /// A CI output looked up at its path under the root, wherever that is (the walk does not
    /// enter hidden or build directories): the file, or the report-extension files up to
    /// [`REPORT_DIR_DEPTH`] levels below the directory.
    fn ci_direct(&self, tree: &Tree, c: &CiOutput, out: &mut Out) {
        let Ok(meta) = std::fs::symlink_metadata(tree.root().join(&c.path)) else {
            return;
        };
        let add = |path: String, out: &mut Out| {
            if !self.excluded(&path) && !out.found.iter().any(|(p, _)| *p == path) {
                out.found.push((path, How::Candidate(ci_reason(c))));
            }
        };
        if meta.is_file() && ci_ext(&c.path) {
            add(c.path.clone(), out);
        } else if meta.is_dir() {
            let mut stack = vec![(c.path.clone(), 0usize)];
            while let Some((dir, d)) = stack.pop() {
                for (name, kind) in tree.entries(&dir).iter().cloned() {
                    let path = join(&dir, &name);
                    match kind {
                        Kind::File if report_ext(&name) => add(path, out),
                        Kind::Dir if d < REPORT_DIR_DEPTH && !skipped_dir(&name) => {
                            stack.push((path, d + 1))
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// Lists, in the hidden directory `rel`, the files a default glob or the report-folder
    /// rule would find, within [`HIDDEN_BUDGET`] entries in all.
    fn list_hidden(&self, tree: &Tree, rel: &str, depth: usize, out: &mut Out) {
        if depth > 8 || tree.root().join(rel).join("pyvenv.cfg").is_file() {
            return;
        }
        for (name, kind) in tree.entries(rel).iter().cloned() {
            if out.hidden_seen >= HIDDEN_BUDGET {
                return;
            }
            out.hidden_seen += 1;
            let path = join(rel, &name);
            match kind {
                Kind::File => {
                    let by_name = self
                        .defaults
                        .iter()
                        .any(|p| p.matches_with(&path, default_options()));
                    let in_report_dir = report_ext(&name)
                        && path
                            .split('/')
                            .rev()
                            .skip(1)
                            .take(REPORT_DIR_DEPTH + 1)
                            .any(is_report_dir);
                    if (by_name || in_report_dir) && !self.excluded(&path) {
                        out.hidden.push(path);
                    }
                }
                Kind::Dir if !SKIP_DIRS.contains(&name.as_str()) => {
                    self.list_hidden(tree, &path, depth + 1, out)
                }
                _ => {}
            }
        }
    }

    fn excluded(&self, path: &str) -> bool {
        self.exclude
            .iter()
            .any(|p| p.matches_with(path, user_options()))
    }

    /// Whether an include glob's literal prefix leads into or lies above `dir`.
    fn opens(&self, dir: &str) -> bool {
        self.include_prefixes.iter().any(|p| {
            !p.is_empty()
                && (p == dir
                    || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
                    || dir
                        .strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('/')))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ReportTag, ReportsConfig};
    use crate::discover::TempTree;

    #[test]
    fn ant_aggregate_beside_its_sources_is_found() {
        let paths = [
            "build/junit/TESTS-TestSuites.xml",
            "build/junit/TEST-calc.CalcTest.xml",
            "other/TESTS-TestSuites.xml",
            "build/junit/report.html",
        ];
        // The aggregate alone in its folder is the only copy: kept.
        assert_eq!(ant_aggregates(&paths), [(0, 1)]);
        assert!(ant_aggregates(&paths[2..]).is_empty());
    }

    fn tree() -> TempTree {
        TempTree::new(
            "repo",
            &[
                ("coverage/lcov.info", "TN:\n"),
                ("coverage/coverage-final.json", "{}"),
                ("coverage/coverage-summary.json", "{}"),
                ("web/coverage/coverage-summary.json", "{}"),
                ("api/coverage.xml", "<coverage/>"),
                (
                    "api/build/test-results/test/TEST-com.acme.ApiTest.xml",
                    "<testsuite/>",
                ),
                (
                    "api/build/reports/jacoco/test/jacocoTestReport.xml",
                    "<report/>",
                ),
                ("java/target/surefire-reports/TEST-x.xml", "<testsuite/>"),
                ("java/target/site/jacoco/jacoco.xml", "<report/>"),
                ("java/target/site/jacoco/jacoco.csv", "GROUP,PACKAGE,CLASS"),
                ("ant/jacoco/jacoco.csv", "GROUP,PACKAGE,CLASS"),
                ("target/tarpaulin/tarpaulin-report.json", "{}"),
                ("java/target/classes/junit.xml", "not here"),
                ("target/nextest/ci/junit.xml", "<testsuites/>"),
                ("target/nextest/default/custom-name.xml", "<testsuites/>"),
                ("target/llvm-cov/lcov.info", "TN:\n"),
                ("target/lcov.info", "TN:\n"),
                ("target/debug/build/x/out/junit.xml", "never"),
                ("target/release/lcov.info", "never"),
                ("target/llvm-cov-target/lcov.info", "never"),
                ("node_modules/x/junit.xml", "never"),
                ("vendor/lib/coverage.xml", "never"),
                (".git/junit.xml", "never"),
                (".cache/lcov.info", "never"),
                ("env/pyvenv.cfg", ""),
                ("env/lib/site-packages/pkg/junit.xml", "never"),
                ("tests/fixtures/junit.xml", "a fixture"),
                ("go/svc/coverage.out", "mode: set\n"),
                ("go/svc/unit.coverprofile", "mode: set\n"),
                ("dotnet/TestResults/run.trx", "<TestRun/>"),
                ("dotnet/JUnit-Report.XML", "<testsuites/>"),
                ("src/main.rs", ""),
                ("ci-artifacts/unit/results.xml", "<testsuites/>"),
            ],
        )
    }

    fn paths(r: &[ReportFile]) -> Vec<&str> {
        r.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn default_globs_and_skipped_directories() {
        let t = tree();
        let r = reports(t.path(), &Config::default()).unwrap();
        assert_eq!(
            paths(&r),
            vec![
                "ant/jacoco/jacoco.csv",
                "api/build/reports/jacoco/test/jacocoTestReport.xml",
                "api/build/test-results/test/TEST-com.acme.ApiTest.xml",
                "api/coverage.xml",
                "coverage/coverage-final.json",
                "coverage/lcov.info",
                "dotnet/JUnit-Report.XML",
                "dotnet/TestResults/run.trx",
                "go/svc/coverage.out",
                "go/svc/unit.coverprofile",
                "java/target/site/jacoco/jacoco.xml",
                "java/target/surefire-reports/TEST-x.xml",
                "target/lcov.info",
                "target/llvm-cov/lcov.info",
                "target/nextest/ci/junit.xml",
                "target/nextest/default/custom-name.xml",
                "target/tarpaulin/tarpaulin-report.json",
                "web/coverage/coverage-summary.json",
            ]
        );
        assert!(r.iter().all(|f| f.size.is_none()));
    }

    #[test]
    fn target_debug_is_not_entered() {
        // Unreadable contents would not fail the walk either, but make sure the walk never
        // lists target/debug: a directory there with a report name must not appear.
        let t = tree();
        t.write("target/debug/deps/lcov.info", "never");
        let r = reports(t.path(), &Config::default()).unwrap();
        assert!(paths(&r).iter().all(|p| !p.starts_with("target/debug")));
    }

    fn with(reports: ReportsConfig) -> Config {
        Config {
            reports,
            ..Config::default()
        }
    }

    #[test]
    fn include_exclude_and_tags() {
        let t = tree();
        let config = with(ReportsConfig {
            defaults: true,
            include: vec![
                "./ci-artifacts/**/*.xml".into(),
                "node_modules/x/junit.xml".into(),
                "target/debug/build/*/out/junit.xml".into(),
            ],
            exclude: vec!["java".into(), "go/**/*.out".into()],
            tag: vec![
                ReportTag {
                    glob: "ci-artifacts/unit/**".into(),
                    size: Size::Small,
                },
                ReportTag {
                    glob: "**/coverage/**".into(),
                    size: Size::Medium,
                },
                ReportTag {
                    glob: "coverage/lcov.info".into(),
                    size: Size::Large,
                },
            ],
        });
        let r = reports(t.path(), &config).unwrap();
        let got: Vec<(&str, Option<Size>)> = r.iter().map(|f| (f.path.as_str(), f.size)).collect();
        let want = |p: &'static str| got.iter().find(|(q, _)| *q == p).map(|(_, s)| *s);
        assert_eq!(
            want("ci-artifacts/unit/results.xml"),
            Some(Some(Size::Small))
        );
        assert_eq!(want("node_modules/x/junit.xml"), Some(None));
        assert_eq!(want("target/debug/build/x/out/junit.xml"), Some(None));
        // First matching tag wins.
        assert_eq!(want("coverage/lcov.info"), Some(Some(Size::Medium)));
        assert_eq!(want("api/coverage.xml"), Some(None));
        // Excluded: a directory, and a file glob.
        assert!(got.iter().all(|(p, _)| !p.starts_with("java/")));
        assert_eq!(want("go/svc/coverage.out"), None);
        assert_eq!(want("go/svc/unit.coverprofile"), Some(None));
        // Opening target/debug for one include does not let default globs in there.
        assert_eq!(want("target/release/lcov.info"), None);
    }

    #[test]
    fn defaults_off_and_bad_globs() {
        let t = tree();
        let config = with(ReportsConfig {
            defaults: false,
            include: vec!["**/fixtures/*.xml".into(), "coverage/*.json".into()],
            ..ReportsConfig::default()
        });
        let r = reports(t.path(), &config).unwrap();
        // A leading wildcard does not open fixture directories; an explicitly included
        // summary is kept even next to other reports.
        assert_eq!(
            paths(&r),
            vec![
                "coverage/coverage-final.json",
                "coverage/coverage-summary.json"
            ]
        );
        let bad = with(ReportsConfig {
            exclude: vec!["a/[".into()],
            ..ReportsConfig::default()
        });
        let e = reports(t.path(), &bad).unwrap_err().to_string();
        assert!(e.contains("exclude") && e.contains("a/["), "{e}");
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("a/b/**/*.xml"), "a/b");
        assert_eq!(literal_prefix("**/x.xml"), "");
        assert_eq!(literal_prefix("a/x.xml"), "a/x.xml");
    }

    fn ci(path: &str) -> CiOutput {
        CiOutput {
            path: path.into(),
            file: ".github/workflows/ci.yml".into(),
            how: format!("> {path}"),
        }
    }

    #[test]
    fn report_folders_and_ci_outputs_are_sniffed() {
        let t = TempTree::new(
            "repo",
            &[
                (
                    "reports/go-test.json",
                    "{\"Time\":\"t\",\"Action\":\"run\",\"Package\":\"p\"}\n",
                ),
                ("reports/summary.json", "{\"passed\": 3}"),
                ("svc/test-results/unit/results.xml", "<testsuites/>"),
                ("svc/coverage/c.out", "mode: set\n"),
                ("svc/coverage/a/b/c/d/deep.xml", "<testsuites/>"),
                ("out/classes/config.xml", "<beans/>"),
                ("src/results.xml", "<testsuites/>"),
                ("cover.txt", "mode: atomic\n"),
                ("svc/go/cover.txt", "mode: atomic\n"),
                (".ci/junit/out.xml", "<testsuite/>"),
                (".cache/x/lcov.info", "TN:\n"),
                (".reports/junit.xml", "<testsuite/>"),
                (".reports/notes.txt", ""),
                ("target/debug/junit.xml", "<testsuite/>"),
            ],
        );
        let f = discover(
            t.path(),
            &Config::default(),
            &[ci("cover.txt"), ci("go/cover.txt"), ci(".ci/junit")],
        )
        .unwrap();
        assert_eq!(
            paths(&f.files),
            [
                ".ci/junit/out.xml",
                "cover.txt",
                "reports/go-test.json",
                "svc/coverage/c.out",
                "svc/go/cover.txt",
                "svc/test-results/unit/results.xml",
            ]
        );
        let how = |p: &str| {
            f.sniffed
                .iter()
                .find(|(q, _)| q == p)
                .map(|(_, h)| h.as_str())
                .unwrap_or_else(|| panic!("{p}: {f:#?}"))
        };
        assert_eq!(
            how("reports/go-test.json"),
            "in the report folder reports/: go-test-json"
        );
        assert_eq!(
            how("svc/coverage/c.out"),
            "in the report folder svc/coverage/: go-coverprofile"
        );
        // CI paths are matched as a suffix too (a step's working-directory).
        assert_eq!(
            how("svc/go/cover.txt"),
            "written by .github/workflows/ci.yml (`> go/cover.txt`): go-coverprofile"
        );
        let skipped: Vec<&str> = f.skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(skipped, ["out/classes/config.xml", "reports/summary.json"]);
        assert!(f.skipped[0].1.contains("<beans>"), "{:?}", f.skipped);
        // Hidden directories: report-looking files are listed, not read (`.ci/junit` was
        // read: CI writes there).
        assert_eq!(f.hidden, [".cache/x/lcov.info", ".reports/junit.xml"]);
        // defaults = false: neither folders nor CI outputs.
        let off = with(ReportsConfig {
            defaults: false,
            ..ReportsConfig::default()
        });
        let f = discover(t.path(), &off, &[ci("cover.txt")]).unwrap();
        assert!(f.files.is_empty() && f.sniffed.is_empty() && f.skipped.is_empty());
    }
}
