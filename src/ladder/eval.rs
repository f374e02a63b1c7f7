//! One function per criterion: evidence in, a status and a detail a person can act on out.
//! [`evaluate`] runs them all, applies waivers and decides the level.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Criterion, CRITERIA};
use crate::config::{Config, Size, Thresholds};
use crate::evidence::{Change, Evidence, RepoFacts, Test};
use crate::model::{Counter, Coverage, Outcome, Totals};

/// Met, unmet, unknown (the evidence it needs is missing) or waived (by the config).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Met,
    Unmet,
    Unknown,
    Waived,
}

/// One criterion's verdict for one project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    #[serde(deserialize_with = "crate::check::static_str")]
    pub id: crate::check::StaticStr,
    pub level: u8,
    #[serde(deserialize_with = "crate::check::static_str")]
    pub title: crate::check::StaticStr,
    pub status: Status,
    /// Numbers, the files or tests concerned, what evidence is missing and how to provide it.
    pub detail: String,
    /// The waiver's reason, when waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
}

/// Line, branch and function totals as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotalsJson {
    pub lines: Counter,
    pub branches: Counter,
    pub functions: Counter,
}

impl From<Totals> for TotalsJson {
    fn from(t: Totals) -> Self {
        TotalsJson {
            lines: t.lines,
            branches: t.branches,
            functions: t.functions,
        }
    }
}

/// Incremental coverage of one changed file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileIncrement {
    pub path: String,
    /// Changed executable lines.
    pub changed: u64,
    pub covered: u64,
    /// Covered by small-tagged coverage (`null` without such coverage).
    pub covered_small: Option<u64>,
    /// Covered by medium/large-tagged coverage (`null` without such coverage).
    pub covered_large: Option<u64>,
    /// Changed executable lines no test executed.
    pub uncovered_lines: Vec<u32>,
}

/// Incremental coverage of a project: covered changed executable lines / changed executable
/// lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incremental {
    /// `"diff"` (against a base) or `"all-lines"` (no base: every executable line counts).
    #[serde(deserialize_with = "crate::check::static_str")]
    pub scope: crate::check::StaticStr,
    pub changed: u64,
    pub covered: u64,
    pub ratio: Option<f64>,
    pub covered_small: Option<u64>,
    pub ratio_small: Option<f64>,
    pub covered_large: Option<u64>,
    pub files: Vec<FileIncrement>,
}

/// Test counts of a project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestFigures {
    pub total: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub skipped: u64,
    pub flaky: u64,
    /// Distinct tests across the project's reports: a test in two reports (a CI matrix,
    /// shards) is one; repeated names kept apart within a report (jest, …) stay apart.
    #[serde(default)]
    pub distinct: u64,
    /// Every recorded execution, reruns included (the tests' attempts summed).
    #[serde(default)]
    pub runs: u64,
    pub small: u64,
    pub medium: u64,
    pub large: u64,
    pub unclassified: u64,
}

/// A failing test, as outputs list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailingTest {
    pub id: String,
    pub outcome: Outcome,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: Option<String>,
    pub quarantined: bool,
}

/// The evidence figures a project's result carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub coverage: Option<TotalsJson>,
    pub coverage_small: Option<TotalsJson>,
    pub coverage_large: Option<TotalsJson>,
    pub incremental: Incremental,
    pub tests: TestFigures,
    pub flaky_tests: Vec<String>,
    pub smoke_tests: Vec<String>,
    pub failing_tests: Vec<FailingTest>,
    pub quarantine: Vec<String>,
    /// Seconds, summed over the smoke tests that report a duration.
    pub smoke_seconds: f64,
    pub coverage_reports: Vec<String>,
    pub test_reports: Vec<String>,
}

/// Everything the criteria read.
pub struct Inputs<'a> {
    pub ev: &'a Evidence,
    pub change: &'a Change,
    pub repo: &'a RepoFacts,
    pub config: &'a Config,
    /// Whether a repository path is a test file.
    pub is_test_file: &'a dyn Fn(&str) -> bool,
    /// Whether a test file is a test for a source file (same stem, …).
    pub related_test: &'a dyn Fn(&str, &str) -> bool,
}

/// A project's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub level: u8,
    /// The level depends on a waived criterion (shown as `level 2*`).
    pub relies_on_waiver: bool,
    pub criteria: Vec<CriterionResult>,
    /// What to do to reach the next level.
    pub next_steps: Vec<String>,
    pub figures: Figures,
}

/// Evaluates every criterion up to the configured `max_level`, applies waivers and decides
/// the level.
pub fn evaluate(inp: &Inputs<'_>) -> Verdict {
    let figures = figures(inp);
    let max = inp.config.max_level();
    let mut criteria: Vec<CriterionResult> = CRITERIA
        .iter()
        .filter(|c| c.level <= max)
        .map(|c| {
            let (status, detail) = judge(c, inp, &figures);
            CriterionResult {
                id: c.id,
                level: c.level,
                title: c.title,
                status,
                detail,
                waiver: None,
            }
        })
        .collect();
    for r in &mut criteria {
        if r.status == Status::Met {
            continue;
        }
        if let Some(w) = inp.config.waiver.iter().find(|w| {
            w.criterion.eq_ignore_ascii_case(r.id)
                && w.project
                    .as_deref()
                    .is_none_or(|p| glob_match(p, &inp.ev.project.name))
        }) {
            r.status = Status::Waived;
            r.waiver = Some(w.reason.clone());
        }
    }
    let ok = |r: &CriterionResult| matches!(r.status, Status::Met | Status::Waived);
    let mut level = 0;
    for l in 1..=max {
        if criteria.iter().filter(|r| r.level == l).all(ok) {
            level = l;
        } else {
            break;
        }
    }
    let relies_on_waiver = criteria
        .iter()
        .any(|r| r.level <= level && r.status == Status::Waived);
    let next_steps = if level < max {
        criteria
            .iter()
            .filter(|r| r.level <= level + 1 && !ok(r))
            .map(|r| {
                let c = super::criterion(r.id).expect("a known criterion");
                format!("{} ({}): {} {}", r.id, r.title, r.detail, c.how_to)
            })
            .collect()
    } else {
        Vec::new()
    };
    Verdict {
        level,
        relies_on_waiver,
        criteria,
        next_steps,
        figures,
    }
}

fn glob_match(pattern: &str, name: &str) -> bool {
    glob::Pattern::new(pattern).map_or(pattern == name, |p| p.matches(name))
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn ratio_text(covered: u64, total: u64) -> String {
    match Counter::new(total, covered).ratio() {
        Some(r) => format!("{} ({covered}/{total} lines)", pct(r)),
        None => "n/a (no lines)".to_string(),
    }
}

/// The figures every criterion reads, computed once.
fn figures(inp: &Inputs<'_>) -> Figures {
    let ev = inp.ev;
    let totals = |c: &Coverage| TotalsJson::from(c.totals());
    let mut tests = TestFigures::default();
    let mut flaky = Vec::new();
    let mut smoke = Vec::new();
    let mut failing = Vec::new();
    let mut smoke_seconds = 0.0;
    for t in &ev.tests {
        tests.total += 1;
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
            smoke_seconds += t.case.duration.unwrap_or(0.0);
        }
        if matches!(t.case.outcome, Outcome::Failed | Outcome::Error) {
            failing.push(FailingTest {
                id: t.id(),
                outcome: t.case.outcome,
                file: t.case.file.clone(),
                line: t.case.line,
                message: t.case.message.clone(),
                quarantined: t.quarantined,
            });
        }
    }
    tests.distinct = distinct_tests(&ev.tests);
    tests.runs = ev.tests.iter().map(|t| u64::from(t.case.attempts)).sum();
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
    let mut nth: HashMap<(&str, (&str, &str, &str)), u32> = HashMap::new();
    let mut seen = HashSet::new();
    for t in tests {
        let n = nth.entry((t.report.as_str(), key(t))).or_insert(0);
        *n += 1;
        seen.insert((key(t), *n));
    }
    seen.len() as u64
}

/// Changed executable lines per file of the project, with what covered them.
fn incremental(inp: &Inputs<'_>) -> Incremental {
    let ev = inp.ev;
    // Whether `line` ran in `file` (`None` for a file the tagged coverage does not list).
    let ran = |file: Option<&crate::model::FileCoverage>, line: u32| {
        file.and_then(|f| f.hits(line)).is_some_and(|h| h > 0)
    };
    let mut files = Vec::new();
    let mut add_file = |path: &str, lines: &mut dyn Iterator<Item = u32>| {
        let Some(fc) = ev.coverage.file(path) else {
            return;
        };
        // Looked up once per file, not per line.
        let small = ev.coverage_small.as_ref().map(|c| c.file(path));
        let large = ev.coverage_large.as_ref().map(|c| c.file(path));
        let mut f = FileIncrement {
            path: path.to_string(),
            changed: 0,
            covered: 0,
            covered_small: small.map(|_| 0),
            covered_large: large.map(|_| 0),
            uncovered_lines: Vec::new(),
        };
        for line in lines {
            // A changed line the coverage does not list as executable is not counted.
            let Some(hits) = fc.hits(line) else { continue };
            f.changed += 1;
            if hits > 0 {
                f.covered += 1;
            } else {
                f.uncovered_lines.push(line);
            }
            if let (Some(n), Some(file)) = (&mut f.covered_small, small) {
                *n += u64::from(ran(file, line));
            }
            if let (Some(n), Some(file)) = (&mut f.covered_large, large) {
                *n += u64::from(ran(file, line));
            }
        }
        if f.changed > 0 {
            files.push(f);
        }
    };
    let scope = match inp.change {
        Change::All { .. } => {
            for fc in ev.coverage.files() {
                add_file(&fc.path, &mut fc.lines.iter().map(|l| l.line));
            }
            "all-lines"
        }
        Change::Diff { files: changed, .. } => {
            for (path, ch) in changed {
                if ev.project.contains(path) {
                    add_file(path, &mut ch.lines.iter().copied());
                }
            }
            "diff"
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

type Judgement = (Status, String);

fn judge(c: &Criterion, inp: &Inputs<'_>, f: &Figures) -> Judgement {
    let t = &inp.config.thresholds;
    match c.id {
        "L1.coverage" => l1_coverage(f),
        "L1.ci" => l1_ci(inp.repo),
        "L1.sizes" => l1_sizes(inp.ev, f),
        "L1.flaky" => l1_flaky(inp, f),
        "L1.smoke" => l1_smoke(f),
        "L2.green" => l2_green(f),
        "L2.smoke-gate" => l2_smoke_gate(inp, f),
        "L2.incremental" => incremental_all(f, t.incremental),
        "L2.small-incremental" => incremental_small(f, t.small_incremental_l2),
        "L2.integration" => l2_integration(inp.ev),
        "L3.tests-for-changes" => l3_tests_for_changes(inp, f, t),
        "L3.small-incremental" => incremental_small(f, t.small_incremental_l3),
        "L3.integration-new" => l3_integration_new(inp, f, t),
        "L4.smoke-automated" => l4_smoke_automated(inp, f),
        "L4.smoke-fast" => l4_smoke_fast(f, t),
        "L4.no-flaky" => l4_no_flaky(f),
        "L4.total" => total(f.coverage.as_ref(), t.total_l4, "all"),
        "L4.small-total" => total(f.coverage_small.as_ref(), t.small_total_l4, "small"),
        "L4.integration-all" => l4_integration_all(inp, t),
        "L5.bugfix-tests" => l5_bugfix_tests(inp),
        "L5.analysis" => l5_analysis(inp.repo),
        "L5.total" => total(f.coverage.as_ref(), t.total_l5, "all"),
        "L5.small-total" => total(f.coverage_small.as_ref(), t.small_total_l5, "small"),
        other => (Status::Unknown, format!("no rule for {other}")),
    }
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

fn l1_coverage(f: &Figures) -> Judgement {
    match &f.coverage {
        Some(c) if c.lines.total > 0 => (
            Status::Met,
            format!(
                "{} of {} executable lines covered ({}, from {})",
                c.lines.covered,
                c.lines.total,
                pct(c.lines.ratio().unwrap_or(0.0)),
                list(&f.coverage_reports, 3)
            ),
        ),
        Some(_) => (
            Status::Unmet,
            format!(
                "the coverage reports ({}) list no executable line of this project",
                list(&f.coverage_reports, 3)
            ),
        ),
        None => (
            Status::Unmet,
            "no coverage report holds a file of this project".to_string(),
        ),
    }
}

fn l1_ci(repo: &RepoFacts) -> Judgement {
    if !repo.ci_files.is_empty() {
        (
            Status::Met,
            format!(
                "{} ({})",
                repo.ci_systems.join(", "),
                list(&repo.ci_files, 3)
            ),
        )
    } else if let Some(ci) = &repo.running_in_ci {
        (Status::Met, format!("the check runs inside {ci}"))
    } else {
        (
            Status::Unmet,
            "no CI definition found (.github/workflows, .gitlab-ci.yml, Jenkinsfile, ...)"
                .to_string(),
        )
    }
}

fn l1_sizes(ev: &Evidence, f: &Figures) -> Judgement {
    let t = &f.tests;
    if t.total == 0 {
        return (Status::Unknown, "no test results for this project: write a JUnit (or xUnit/NUnit/TRX/go test -json) report where testcert finds it".to_string());
    }
    let mix = |n: u64| pct(n as f64 / t.total as f64);
    let shown = format!(
        "small {} / medium {} / large {} (Google's guidance: about 70/20/10)",
        mix(t.small),
        mix(t.medium),
        mix(t.large)
    );
    if t.unclassified == 0 {
        (Status::Met, format!("all {} tests sized: {shown}", t.total))
    } else {
        let examples: Vec<String> = ev
            .tests
            .iter()
            .filter(|x| x.size.is_none())
            .map(Test::id)
            .take(3)
            .collect();
        (
            Status::Unmet,
            format!(
                "{} of {} tests have no size (e.g. {}); {shown}",
                t.unclassified,
                t.total,
                examples.join(", ")
            ),
        )
    }
}

fn l1_flaky(inp: &Inputs<'_>, f: &Figures) -> Judgement {
    let ev = inp.ev;
    let retried = ev.tests.iter().filter(|t| t.case.attempts > 1).count();
    let retry_reports: Vec<String> = ev
        .test_reports
        .iter()
        .filter(|r| r.retries)
        .map(|r| r.path.clone())
        .collect();
    let found = if f.flaky_tests.is_empty() {
        "no flaky test found".to_string()
    } else {
        format!("flaky: {}", list(&f.flaky_tests, 5))
    };
    if retried > 0 || !f.flaky_tests.is_empty() {
        (
            Status::Met,
            format!("{retried} tests have retry or repeated-run records; {found}"),
        )
    } else if !retry_reports.is_empty() {
        // The run retries failures and records it; none of this project's tests needed one.
        (
            Status::Met,
            format!(
                "the test run records retries ({}); {found}",
                list(&retry_reports, 3)
            ),
        )
    } else if !inp.config.flaky.quarantine.is_empty() {
        (
            Status::Met,
            format!(
                "the config keeps a quarantine list ({} entries){}",
                inp.config.flaky.quarantine.len(),
                if ev.quarantine.is_empty() {
                    String::new()
                } else {
                    format!(", for this project: {}", list(&ev.quarantine, 5))
                }
            ),
        )
    } else if f.tests.total == 0 {
        (
            Status::Unknown,
            "no test results for this project".to_string(),
        )
    } else {
        (
            Status::Unmet,
            "no retry records in the test reports and no [flaky] quarantine list".to_string(),
        )
    }
}

fn l1_smoke(f: &Figures) -> Judgement {
    if !f.smoke_tests.is_empty() {
        (
            Status::Met,
            format!(
                "{} smoke tests: {}",
                f.smoke_tests.len(),
                list(&f.smoke_tests, 5)
            ),
        )
    } else if f.tests.total == 0 {
        (
            Status::Unknown,
            "no test results for this project".to_string(),
        )
    } else {
        (
            Status::Unmet,
            format!(
                "none of the {} tests matches the smoke selector",
                f.tests.total
            ),
        )
    }
}

fn l2_green(f: &Figures) -> Judgement {
    let t = &f.tests;
    let ran = t.total - t.skipped;
    if ran == 0 {
        return (Status::Unknown, "no test ran for this project".to_string());
    }
    let counted: Vec<&FailingTest> = f.failing_tests.iter().filter(|x| !x.quarantined).collect();
    let quarantined: Vec<String> = f
        .failing_tests
        .iter()
        .filter(|x| x.quarantined)
        .map(|x| x.id.clone())
        .collect();
    let q = if quarantined.is_empty() {
        String::new()
    } else {
        format!("; quarantined, not counted: {}", list(&quarantined, 5))
    };
    if counted.is_empty() {
        (
            Status::Met,
            format!("{ran} tests ran, none failed ({} flaky){q}", t.flaky),
        )
    } else {
        let ids: Vec<String> = counted.iter().map(|x| x.id.clone()).collect();
        (
            Status::Unmet,
            format!(
                "{} of {ran} tests failed: {}{q}",
                counted.len(),
                list(&ids, 5)
            ),
        )
    }
}

fn smoke_passed(inp: &Inputs<'_>) -> (usize, usize) {
    let smoke: Vec<&Test> = inp.ev.tests.iter().filter(|t| t.smoke).collect();
    let ok = smoke
        .iter()
        .filter(|t| matches!(t.case.outcome, Outcome::Passed | Outcome::Flaky))
        .count();
    (ok, smoke.len())
}

fn l2_smoke_gate(inp: &Inputs<'_>, f: &Figures) -> Judgement {
    let (ok, n) = smoke_passed(inp);
    if n == 0 {
        return (
            if f.tests.total == 0 {
                Status::Unknown
            } else {
                Status::Unmet
            },
            "no smoke test ran".to_string(),
        );
    }
    let pr = inp.repo.runs_on_pull_requests || inp.repo.running_for_pull_request;
    match (ok == n, pr) {
        (true, true) => (
            Status::Met,
            format!("{n} smoke tests passed and CI runs on pull requests"),
        ),
        (false, _) => (
            Status::Unmet,
            format!("{} of {n} smoke tests did not pass", n - ok),
        ),
        (true, false) => (
            Status::Unmet,
            "the smoke tests pass, but no CI definition runs on pull/merge requests".to_string(),
        ),
    }
}

fn scope_note(f: &Figures) -> &'static str {
    if f.incremental.scope == "all-lines" {
        " (no base: every executable line counts as changed)"
    } else {
        ""
    }
}

fn uncovered_summary(f: &Figures, max_files: usize) -> String {
    let mut parts = Vec::new();
    for file in f
        .incremental
        .files
        .iter()
        .filter(|x| !x.uncovered_lines.is_empty())
        .take(max_files)
    {
        parts.push(format!(
            "{}:{}",
            file.path,
            line_ranges(&file.uncovered_lines, 6)
        ));
    }
    let more = f
        .incremental
        .files
        .iter()
        .filter(|x| !x.uncovered_lines.is_empty())
        .count()
        .saturating_sub(max_files);
    let mut s = parts.join("; ");
    if more > 0 {
        s.push_str(&format!("; and {more} more files"));
    }
    s
}

/// `3-5,9,12-14` for at most `max` runs.
pub fn line_ranges(lines: &[u32], max: usize) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == l => *end = l,
            _ => runs.push((l, l)),
        }
    }
    let mut s = runs
        .iter()
        .take(max)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    if runs.len() > max {
        s.push_str(",…");
    }
    s
}

fn incremental_all(f: &Figures, threshold: f64) -> Judgement {
    let inc = &f.incremental;
    if f.coverage.is_none() {
        return (
            Status::Unknown,
            "no coverage report for this project".to_string(),
        );
    }
    match inc.ratio {
        None => (
            Status::Met,
            format!("no changed executable line{}", scope_note(f)),
        ),
        Some(r) if r >= threshold => (
            Status::Met,
            format!(
                "{} of changed lines covered, needs {}{}",
                ratio_text(inc.covered, inc.changed),
                pct(threshold),
                scope_note(f)
            ),
        ),
        Some(_) => (
            Status::Unmet,
            format!(
                "{} of changed lines covered, needs {}{}; uncovered: {}",
                ratio_text(inc.covered, inc.changed),
                pct(threshold),
                scope_note(f),
                uncovered_summary(f, 3)
            ),
        ),
    }
}

fn incremental_small(f: &Figures, threshold: f64) -> Judgement {
    let inc = &f.incremental;
    let Some(covered) = inc.covered_small else {
        return (
            Status::Unknown,
            "no coverage report is tagged small: run the small tests alone with coverage and add [[reports.tag]] glob = \"<that report>\", size = \"small\"".to_string(),
        );
    };
    match inc.ratio_small {
        None => (
            Status::Met,
            format!("no changed executable line{}", scope_note(f)),
        ),
        Some(r) if r >= threshold => (
            Status::Met,
            format!(
                "{} of changed lines covered by small tests, needs {}{}",
                ratio_text(covered, inc.changed),
                pct(threshold),
                scope_note(f)
            ),
        ),
        Some(_) => (
            Status::Unmet,
            format!(
                "{} of changed lines covered by small tests, needs {}{}",
                ratio_text(covered, inc.changed),
                pct(threshold),
                scope_note(f)
            ),
        ),
    }
}

fn l2_integration(ev: &Evidence) -> Judgement {
    let big: Vec<&Test> = ev
        .tests
        .iter()
        .filter(|t| matches!(t.size, Some(Size::Medium | Size::Large)))
        .collect();
    let passed: Vec<String> = big
        .iter()
        .filter(|t| matches!(t.case.outcome, Outcome::Passed | Outcome::Flaky))
        .map(|t| t.id())
        .collect();
    if !passed.is_empty() {
        (
            Status::Met,
            format!(
                "{} medium/large tests passed: {}",
                passed.len(),
                list(&passed, 3)
            ),
        )
    } else if ev.tests.is_empty() {
        (
            Status::Unknown,
            "no test results for this project".to_string(),
        )
    } else if big.is_empty() {
        (Status::Unmet, "no medium or large test".to_string())
    } else {
        (
            Status::Unmet,
            format!("none of the {} medium/large tests passed", big.len()),
        )
    }
}

/// The project's changed source files (not test files) with at least `min` changed
/// executable lines.
fn big_changes<'f>(inp: &Inputs<'_>, f: &'f Figures, min: u64) -> Vec<&'f FileIncrement> {
    f.incremental
        .files
        .iter()
        .filter(|x| x.changed >= min && !(inp.is_test_file)(&x.path))
        .collect()
}

fn changed_test_files<'a>(inp: &'a Inputs<'_>) -> Vec<&'a str> {
    match inp.change {
        Change::Diff { files, .. } => files
            .keys()
            .filter(|p| inp.ev.project.contains(p) && (inp.is_test_file)(p))
            .map(String::as_str)
            .collect(),
        Change::All { .. } => Vec::new(),
    }
}

fn l3_tests_for_changes(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
    if f.coverage.is_none() {
        return (
            Status::Unknown,
            "no coverage report for this project".to_string(),
        );
    }
    let tests = changed_test_files(inp);
    let files = big_changes(inp, f, t.nontrivial_lines);
    let missing: Vec<String> = files
        .iter()
        .filter(|x| x.covered == 0 && !tests.iter().any(|tf| (inp.related_test)(&x.path, tf)))
        .map(|x| format!("{} ({} changed lines, none covered)", x.path, x.changed))
        .collect();
    if missing.is_empty() {
        (
            Status::Met,
            format!(
                "{} nontrivially changed files (>= {} changed executable lines), each covered or with its test changed{}",
                files.len(),
                t.nontrivial_lines,
                scope_note(f)
            ),
        )
    } else {
        (
            Status::Unmet,
            format!("untested nontrivial changes: {}", list(&missing, 5)),
        )
    }
}

fn l3_integration_new(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
    let files = big_changes(inp, f, t.significant_lines);
    if files.is_empty() {
        return (
            Status::Met,
            format!(
                "no changed file with >= {} changed executable lines{}",
                t.significant_lines,
                scope_note(f)
            ),
        );
    }
    // Test files of medium/large tests that the change touched.
    let big_test_files: Vec<&str> = inp
        .ev
        .tests
        .iter()
        .filter(|x| matches!(x.size, Some(Size::Medium | Size::Large)))
        .filter_map(|x| x.case.file.as_deref())
        .collect();
    let changed_tests = changed_test_files(inp);
    let touched_big_test = changed_tests.iter().any(|tf| {
        big_test_files
            .iter()
            .any(|b| b.ends_with(tf) || tf.ends_with(b))
    });
    if touched_big_test {
        return (
            Status::Met,
            "the change adds or changes a medium/large test".to_string(),
        );
    }
    if inp.ev.coverage_large.is_none() {
        return (
            Status::Unknown,
            format!(
                "{} files changed significantly ({}), but no coverage report is tagged medium or large to show what the integration tests cover: tag it with [[reports.tag]] size = \"medium\"",
                files.len(),
                list(&files.iter().map(|x| x.path.clone()).collect::<Vec<_>>(), 3)
            ),
        );
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|x| x.covered_large.unwrap_or(0) == 0)
        .map(|x| format!("{} ({} changed lines)", x.path, x.changed))
        .collect();
    if missing.is_empty() {
        (
            Status::Met,
            format!(
                "{} significantly changed files all have changed lines covered by integration tests",
                files.len()
            ),
        )
    } else {
        (
            Status::Unmet,
            format!("no integration coverage of: {}", list(&missing, 5)),
        )
    }
}

fn l4_smoke_automated(inp: &Inputs<'_>, f: &Figures) -> Judgement {
    if f.smoke_tests.is_empty() {
        return (Status::Unmet, "no smoke test ran".to_string());
    }
    if inp.repo.running_for_pull_request {
        (
            Status::Met,
            format!(
                "{} smoke tests ran in this pull-request build",
                f.smoke_tests.len()
            ),
        )
    } else if inp.repo.running_in_ci.is_some() {
        (
            Status::Unknown,
            "this CI run is not a pull/merge-request build: run testcert in the pull-request workflow to show it".to_string(),
        )
    } else {
        (
            Status::Unknown,
            "not running in CI: this is shown by running testcert in the pull-request workflow"
                .to_string(),
        )
    }
}

fn l4_smoke_fast(f: &Figures, t: &Thresholds) -> Judgement {
    if f.smoke_tests.is_empty() {
        return (Status::Unmet, "no smoke test ran".to_string());
    }
    let minutes = f.smoke_seconds / 60.0;
    let status = if minutes < t.smoke_max_minutes {
        Status::Met
    } else {
        Status::Unmet
    };
    (
        status,
        format!(
            "smoke tests take {minutes:.1} minutes in all (limit {} minutes)",
            t.smoke_max_minutes
        ),
    )
}

fn l4_no_flaky(f: &Figures) -> Judgement {
    match (f.flaky_tests.is_empty(), f.quarantine.is_empty()) {
        (true, true) => (
            Status::Met,
            "no flaky test and an empty quarantine".to_string(),
        ),
        (false, _) => (Status::Unmet, format!("flaky: {}", list(&f.flaky_tests, 5))),
        (true, false) => (
            Status::Unmet,
            format!("quarantined: {}", list(&f.quarantine, 5)),
        ),
    }
}

fn total(t: Option<&TotalsJson>, threshold: f64, which: &str) -> Judgement {
    let Some(t) = t else {
        return (
            Status::Unknown,
            if which == "small" {
                "no coverage report is tagged small".to_string()
            } else {
                "no coverage report for this project".to_string()
            },
        );
    };
    match t.lines.ratio() {
        Some(r) if r >= threshold => (
            Status::Met,
            format!(
                "{} of lines covered ({which} tests), needs {}",
                ratio_text(t.lines.covered, t.lines.total),
                pct(threshold)
            ),
        ),
        _ => (
            Status::Unmet,
            format!(
                "{} of lines covered ({which} tests), needs {}",
                ratio_text(t.lines.covered, t.lines.total),
                pct(threshold)
            ),
        ),
    }
}

fn l4_integration_all(inp: &Inputs<'_>, t: &Thresholds) -> Judgement {
    let ev = inp.ev;
    let Some(large) = &ev.coverage_large else {
        return (
            Status::Unknown,
            "no coverage report is tagged medium or large".to_string(),
        );
    };
    let missing: Vec<String> = ev
        .coverage
        .files()
        .iter()
        .filter(|f| f.lines.len() as u64 >= t.significant_lines && !(inp.is_test_file)(&f.path))
        .filter(|f| {
            large
                .file(&f.path)
                .is_none_or(|l| l.lines.iter().all(|x| x.hits == 0))
        })
        .map(|f| f.path.clone())
        .collect();
    if missing.is_empty() {
        (
            Status::Met,
            format!(
                "every file with >= {} executable lines has integration coverage",
                t.significant_lines
            ),
        )
    } else {
        (
            Status::Unmet,
            format!(
                "{} files with >= {} executable lines have no integration coverage: {}",
                missing.len(),
                t.significant_lines,
                list(&missing, 5)
            ),
        )
    }
}

fn l5_bugfix_tests(inp: &Inputs<'_>) -> Judgement {
    let Change::Diff { commits, .. } = inp.change else {
        return (
            Status::Unknown,
            "no base revision: give --base (or run in a pull-request build) so the commits of the change can be read".to_string(),
        );
    };
    let words: Vec<String> = if inp.config.change.fix_words.is_empty() {
        ["fix", "bug", "regression", "hotfix"]
            .map(String::from)
            .to_vec()
    } else {
        inp.config
            .change
            .fix_words
            .iter()
            .map(|w| w.to_lowercase())
            .collect()
    };
    let n = inp.config.thresholds.nontrivial_lines;
    let mut fixes = 0;
    let mut missing = Vec::new();
    for c in commits {
        let subject = c.subject.to_lowercase();
        let is_fix = subject.split(|ch: char| !ch.is_alphanumeric()).any(|w| {
            words
                .iter()
                .any(|f| w == f || (f.len() > 3 && w.starts_with(f.as_str())))
        });
        if !is_fix {
            continue;
        }
        let mine: Vec<(&String, &u64)> = c
            .files
            .iter()
            .filter(|(p, _)| inp.ev.project.contains(p))
            .collect();
        let source: u64 = mine
            .iter()
            .filter(|(p, _)| !(inp.is_test_file)(p))
            .map(|(_, n)| **n)
            .sum();
        if source < n {
            continue;
        }
        fixes += 1;
        if !mine.iter().any(|(p, _)| (inp.is_test_file)(p)) {
            missing.push(format!("{} {:?}", &c.sha[..c.sha.len().min(10)], c.subject));
        }
    }
    if missing.is_empty() {
        (
            Status::Met,
            format!("{fixes} nontrivial fix commits in the change, each with a test change"),
        )
    } else {
        (
            Status::Unmet,
            format!("fix commits without a test change: {}", list(&missing, 5)),
        )
    }
}

fn l5_analysis(repo: &RepoFacts) -> Judgement {
    if !repo.analysis_tools.is_empty() {
        (
            Status::Met,
            format!("CI calls {}", repo.analysis_tools.join(", ")),
        )
    } else if !repo.sarif_reports.is_empty() {
        (
            Status::Met,
            format!("SARIF reports: {}", list(&repo.sarif_reports, 3)),
        )
    } else if repo.ci_files.is_empty() {
        (
            Status::Unmet,
            "no CI definition to run an analyser".to_string(),
        )
    } else {
        (
            Status::Unmet,
            "no static analyser found in the CI definitions and no SARIF report".to_string(),
        )
    }
}

/// The non-default thresholds of a config, for outputs.
pub fn non_default_thresholds(config: &Config) -> BTreeMap<String, f64> {
    config.thresholds.non_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(line_ranges(&[1, 2, 3, 7, 9, 10], 6), "1-3,7,9-10");
        assert_eq!(line_ranges(&[1, 3, 5], 2), "1,3,…");
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
