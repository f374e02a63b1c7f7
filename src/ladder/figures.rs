//! What every rule reads: the [`Inputs`] and the figures computed from them once per
//! project, and the wording the rules share.

use crate::config::{Config, Size};
use crate::evidence::{Change, Evidence, Project, RepoFacts, Test};
use crate::model::{Counter, Coverage, FileCoverage, Outcome};
use crate::result::{FailingTest, Figures, FileIncrement, Incremental, Scope, Status, TestFigures};
use crate::words::pct;

/// Everything the criteria read.
pub struct Inputs<'a> {
    pub ev: &'a Evidence,
    pub change: &'a Change,
    pub repo: &'a RepoFacts,
    /// Every project of the repository (which of them a repository-wide fact is for).
    pub projects: &'a [Project],
    pub config: &'a Config,
    /// Whether a repository path is a test file (`Sync`: projects are judged on all cores).
    pub is_test_file: &'a (dyn Fn(&str) -> bool + Sync),
    /// Whether a test file is a test for a source file (same stem, …).
    pub related_test: &'a (dyn Fn(&str, &str) -> bool + Sync),
}

/// A rule's verdict: the status and a detail a person can act on.
pub(super) type Judgement = (Status, String);

/// The figures every criterion reads, computed once.
pub(super) fn figures(inp: &Inputs<'_>) -> Figures {
    let ev = inp.ev;
    let totals = |c: &Coverage| c.totals();
    let mut tests = TestFigures::default();
    let mut flaky = Vec::new();
    let mut smoke = Vec::new();
    let mut failing = Vec::new();
    let mut smoke_seconds = 0.0;
    for t in &ev.tests {
        tests.total += 1;
        tests.runs += u64::from(t.case.attempts);
        match t.case.outcome {
            Outcome::Passed => tests.passed += 1,
            Outcome::Failed => tests.failed += 1,
            Outcome::Error => tests.errors += 1,
            Outcome::Skipped => tests.skipped += 1,
            Outcome::Flaky => tests.flaky += 1,
        }
        match t.size {
            Some(Size::Small) => tests.small += 1,
            Some(Size::Medium) => tests.medium += 1,
            Some(Size::Large) => tests.large += 1,
            None => tests.unclassified += 1,
        }
        if t.case.outcome == Outcome::Flaky {
            flaky.push(t.id());
        }
        if t.smoke {
            smoke.push(t.id());
            // Saturating, as JSON has no infinity (see `model::fold_attempt`).
            smoke_seconds = (smoke_seconds + t.case.duration.get().unwrap_or(0.0)).min(f64::MAX);
        }
        if matches!(t.case.outcome, Outcome::Failed | Outcome::Error) {
            failing.push(FailingTest {
                id: t.id(),
                outcome: t.case.outcome,
                file: t.case.file.as_deref().map(str::to_string),
                line: t.case.line,
                message: t.case.message.as_deref().map(str::to_string),
                quarantined: t.quarantined,
            });
        }
    }
    tests.distinct = distinct_tests(&ev.tests);
    Figures {
        coverage: (!ev.coverage_reports.is_empty()).then(|| totals(&ev.coverage)),
        coverage_small: ev.coverage_small.as_ref().map(totals),
        coverage_large: ev.coverage_large.as_ref().map(totals),
        incremental: incremental(inp),
        tests,
        flaky_tests: flaky,
        smoke_tests: smoke,
        failing_tests: failing,
        quarantine: ev.quarantine.clone(),
        smoke_seconds,
        coverage_reports: ev.coverage_reports.iter().map(|r| r.path.clone()).collect(),
        test_reports: ev.test_reports.iter().map(|r| r.path.clone()).collect(),
    }
}

/// Distinct tests over several reports: the n-th result named (suite, class, name) in one
/// report is the same test as the n-th one of that name in another (a matrix runs the same
/// suite), so names a producer repeats within a report stay as many tests as it wrote.
fn distinct_tests(tests: &[Test]) -> u64 {
    use std::collections::{HashMap, HashSet};
    fn key(t: &Test) -> (&str, &str, &str) {
        (
            t.case.suite.as_str(),
            t.case.class.as_deref().unwrap_or(""),
            t.case.name.as_str(),
        )
    }
    if from_one_report(tests) {
        // Within one report every result is a test of its own (the n-th of its name).
        return tests.len() as u64;
    }
    let mut nth: HashMap<(&str, (&str, &str, &str)), u32> = HashMap::new();
    let mut seen = HashSet::new();
    for t in tests {
        let n = nth.entry((t.report.as_str(), key(t))).or_insert(0);
        *n += 1;
        seen.insert((key(t), *n));
    }
    seen.len() as u64
}

/// Whether every test comes from the same report (the common case of one test report per
/// project), where the cross-report figures need no look-up per test.
fn from_one_report(tests: &[Test]) -> bool {
    tests.split_first().is_none_or(|(first, rest)| {
        rest.iter().all(|t| {
            crate::model::SharedStr::ptr_eq(&t.report, &first.report) || t.report == first.report
        })
    })
}

/// How many of the project's tests ran in more than one report, and which of those passed
/// in one and failed (or errored) in another, in test order.
pub(super) fn across_reports(ev: &Evidence) -> (usize, Vec<String>) {
    if from_one_report(&ev.tests) {
        // No test ran in another report: nothing to compare (and no id to build per test).
        return (0, Vec::new());
    }
    // Per test id: the first report seen, whether another report ran it, passed, failed.
    let mut seen: std::collections::HashMap<String, (&str, bool, bool, bool)> =
        std::collections::HashMap::new();
    let mut order = Vec::new();
    for t in &ev.tests {
        let id = t.id();
        let e = seen.entry(id.clone()).or_insert_with(|| {
            order.push(id);
            (&*t.report, false, false, false)
        });
        if e.0 != &*t.report {
            e.1 = true;
        }
        match t.case.outcome {
            Outcome::Passed => e.2 = true,
            Outcome::Failed | Outcome::Error => e.3 = true,
            Outcome::Skipped | Outcome::Flaky => {}
        }
    }
    let repeated = seen.values().filter(|e| e.1).count();
    let differing = order
        .into_iter()
        .filter(|id| seen[id].1 && seen[id].2 && seen[id].3)
        .collect();
    (repeated, differing)
}

/// Changed executable lines per file of the project, with what covered them.
pub(super) fn incremental(inp: &Inputs<'_>) -> Incremental {
    let ev = inp.ev;
    let mut files = Vec::new();
    let scope = match inp.change {
        Change::All { .. } => {
            // Every line is a changed one: without tagged views to walk beside them, a
            // file's figures are a count and a filter, without a branch per line.
            let untagged = ev.coverage_small.is_none() && ev.coverage_large.is_none();
            for (fc, totals) in ev.coverage.files_with_totals() {
                if untagged {
                    if !fc.lines.is_empty() {
                        files.push(every_line(fc, totals.lines.covered));
                    }
                    continue;
                }
                let lines = fc.lines.iter().map(|l| (l.line, Some(u64::from(l.hits))));
                // Counted first (one quick pass, which also brings the file's lines into the
                // cache for the next): the list is then allocated once, at its size.
                let uncovered = fc.lines.iter().filter(|l| l.hits == 0).count();
                add_file(ev, &mut files, fc, lines, uncovered);
            }
            Scope::AllLines
        }
        Change::Diff { files: changed, .. } => {
            for (path, ch) in changed {
                if !ev.project.contains(path) {
                    continue;
                }
                let Some(fc) = ev.coverage.file(path) else {
                    continue;
                };
                add_file(
                    ev,
                    &mut files,
                    fc,
                    ch.lines.iter().map(|&l| (l, fc.hits(l))),
                    0,
                );
            }
            Scope::Diff
        }
    };
    let changed: u64 = files.iter().map(|f| f.changed).sum();
    let covered: u64 = files.iter().map(|f| f.covered).sum();
    let covered_small = ev
        .coverage_small
        .as_ref()
        .map(|_| files.iter().filter_map(|f| f.covered_small).sum::<u64>());
    let covered_large = ev
        .coverage_large
        .as_ref()
        .map(|_| files.iter().filter_map(|f| f.covered_large).sum::<u64>());
    Incremental {
        scope,
        changed,
        covered,
        ratio: Counter::new(changed, covered).ratio(),
        covered_small,
        ratio_small: covered_small.and_then(|c| Counter::new(changed, c).ratio()),
        covered_large,
        files,
    }
}

/// One file's changed executable lines for [`incremental`] (a file with none is left out).
/// `lines`: the changed lines in ascending order, each with its hits in `fc` (`None`: not
/// executable there, not counted). The tagged views are walked beside them with a cursor
/// rather than searched per line: without a base every line of every file is a changed
/// line (and so `lines` is generic, not a `dyn` iterator called per line). `uncovered`: room
/// to make for the uncovered lines at once.
fn add_file(
    ev: &Evidence,
    files: &mut Vec<FileIncrement>,
    fc: &FileCoverage,
    lines: impl Iterator<Item = (u32, Option<u64>)>,
    uncovered: usize,
) {
    // Looked up once per file, not per line.
    let small = ev.coverage_small.as_ref().map(|c| c.file(&fc.path));
    let large = ev.coverage_large.as_ref().map(|c| c.file(&fc.path));
    let mut ran_small = small.map(Ran::new);
    let mut ran_large = large.map(Ran::new);
    let mut f = FileIncrement {
        path: fc.path.clone(),
        changed: 0,
        covered: 0,
        covered_small: small.map(|_| 0),
        covered_large: large.map(|_| 0),
        uncovered_lines: Vec::with_capacity(uncovered),
    };
    for (line, hits) in lines {
        // A changed line the coverage does not list as executable is not counted.
        let Some(hits) = hits else { continue };
        f.changed += 1;
        if hits > 0 {
            f.covered += 1;
        } else {
            f.uncovered_lines.push(line);
        }
        if let (Some(n), Some(r)) = (&mut f.covered_small, &mut ran_small) {
            *n += u64::from(r.ran(line));
        }
        if let (Some(n), Some(r)) = (&mut f.covered_large, &mut ran_large) {
            *n += u64::from(r.ran(line));
        }
    }
    if f.changed > 0 {
        files.push(f);
    }
}

/// A file's figures when each of its executable lines is a changed one and there are no
/// tagged views: what [`add_file`] gives then. The uncovered lines are gathered without a
/// branch on each line's hits (each line is written at the list's end, which moves on past
/// the uncovered ones only), as coverage that alternates line by line made that branch a
/// misprediction per line. `covered`: the file's covered lines, as its totals say (it was
/// counted when the file was finished, on the worker that read it: counting again here
/// would be one more pass over every line of the repository, cold in cache by now).
fn every_line(fc: &FileCoverage, covered: u64) -> FileIncrement {
    let uncovered = fc.lines.len().saturating_sub(covered as usize);
    // One slot more than the uncovered lines: the write after the last of them.
    let mut list = vec![0u32; uncovered + 1];
    let mut n = 0;
    for l in &fc.lines {
        // Always in bounds while `covered` is the file's count; a wrong count must not
        // panic (the check is the one indexing makes anyway).
        if let Some(slot) = list.get_mut(n) {
            *slot = l.line;
        }
        n += usize::from(l.hits == 0);
    }
    debug_assert_eq!(n, uncovered, "{}: totals out of date", fc.path);
    list.truncate(n);
    let changed = fc.lines.len() as u64;
    FileIncrement {
        path: fc.path.clone(),
        changed,
        covered: changed - uncovered as u64,
        covered_small: None,
        covered_large: None,
        uncovered_lines: list,
    }
}

/// Whether a line ran in a tagged view's file (`None`: the view does not list the file), for
/// lines asked in ascending order: a cursor over the file's sorted lines.
struct Ran<'c> {
    lines: &'c [crate::model::Line],
}

impl<'c> Ran<'c> {
    fn new(file: Option<&'c FileCoverage>) -> Self {
        Ran {
            lines: file.map_or(&[], |f| &f.lines),
        }
    }

    fn ran(&mut self, line: u32) -> bool {
        while let [first, rest @ ..] = self.lines {
            if first.line >= line {
                break;
            }
            self.lines = rest;
        }
        self.lines
            .first()
            .is_some_and(|l| l.line == line && l.hits > 0)
    }
}

pub(super) fn ratio_text(covered: u64, total: u64) -> String {
    match Counter::new(total, covered).ratio() {
        Some(r) => format!("{} ({covered}/{total} lines)", pct(r)),
        None => "n/a (no lines)".to_string(),
    }
}

pub(super) fn scope_note(f: &Figures) -> &'static str {
    if f.incremental.scope == Scope::AllLines {
        " (no base: every executable line counts as changed)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_gathers_what_a_branch_per_line_would() {
        // Hits in patterns that end on a covered line, on an uncovered one, all of each.
        for pattern in [
            &[0u32, 3, 0, 0, 1][..],
            &[2, 0],
            &[0],
            &[5],
            &[0, 0, 0],
            &[1, 1],
        ] {
            for len in 1..12u32 {
                let mut fc = FileCoverage::new("a.rs");
                fc.lines = (0..len)
                    .map(|i| crate::model::Line {
                        line: 2 * i + 1,
                        hits: pattern[i as usize % pattern.len()],
                    })
                    .collect();
                let f = every_line(&fc, fc.totals().lines.covered);
                let uncovered: Vec<u32> = fc
                    .lines
                    .iter()
                    .filter(|l| l.hits == 0)
                    .map(|l| l.line)
                    .collect();
                assert_eq!(f.uncovered_lines, uncovered, "{pattern:?} {len}");
                assert_eq!(f.changed, u64::from(len));
                assert_eq!(f.covered, u64::from(len) - uncovered.len() as u64);
                assert_eq!((f.covered_small, f.covered_large), (None, None));
            }
        }
    }

    #[test]
    fn distinct_tests_match_runs_of_a_matrix_by_position() {
        use crate::evidence::SizeSource;
        use crate::model::TestCase;
        let t = |report: &str, name: &str| Test {
            case: TestCase::new("s", name, Outcome::Passed),
            size: None,
            size_source: SizeSource::None,
            smoke: false,
            quarantined: false,
            report: report.into(),
        };
        // Two runs of one suite that repeats the name "x" (jest): 3 tests, not 6 nor 2.
        let tests = [
            t("a.xml", "x"),
            t("a.xml", "x"),
            t("a.xml", "y"),
            t("b.xml", "x"),
            t("b.xml", "y"),
            t("b.xml", "x"),
        ];
        assert_eq!(distinct_tests(&tests), 3);
        assert_eq!(distinct_tests(&tests[..2]), 2);
        assert_eq!(distinct_tests(&[]), 0);
    }
}
