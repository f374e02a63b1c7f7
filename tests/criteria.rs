//! One test per criterion of the ladder: the evidence that meets it, and the smallest change
//! to that evidence that flips it (to unmet, or to unknown when evidence goes missing).

use std::collections::BTreeMap;

use testcert::config::{Config, Size, Waiver};
use testcert::evidence::{
    Change, Commit, Evidence, FileChange, Project, RepoFacts, ReportRef, RetryMechanism,
    SizeSource, Test,
};
use testcert::ladder::eval::{evaluate, Inputs, Verdict};
use testcert::model::{Coverage, Outcome, TestCase};
use testcert::result::{Scope, Status};

/// A project `core` at `crates/core` whose evidence meets every criterion of levels 1–5.
struct World {
    ev: Evidence,
    change: Change,
    repo: RepoFacts,
    config: Config,
}

fn test(name: &str, size: Size, outcome: Outcome) -> Test {
    let mut case = TestCase::new("core", name, outcome);
    case.duration = Some(1.0).into();
    case.file = Some(format!("crates/core/tests/{name}.rs").into());
    Test {
        case,
        size: Some(size),
        size_source: SizeSource::Report,
        smoke: name.contains("smoke"),
        quarantined: false,
        report: "junit.xml".into(),
    }
}

/// Coverage of `crates/core/src/lib.rs` lines 1..=n with `hit(line)` deciding the hits.
fn coverage(n: u32, hit: impl Fn(u32) -> bool) -> Coverage {
    let mut c = Coverage::new();
    let f = c.file_mut("crates/core/src/lib.rs");
    for l in 1..=n {
        f.add_line(l, u64::from(hit(l)));
    }
    c.finish();
    c
}

fn world() -> World {
    let mut config = Config {
        max_level: Some(5),
        ..Config::default()
    };
    config.thresholds.nontrivial_lines = 10;
    // Run twice (two reports of the same tests compared), passed both times: flakiness is
    // tracked, and none was found.
    let mut rerun = test("retry_once", Size::Small, Outcome::Passed);
    rerun.case.attempts = 2;
    let ev = Evidence {
        project: Project {
            name: "core".into(),
            path: "crates/core".into(),
            found_by: "test".into(),
        },
        coverage_reports: vec![ReportRef {
            path: "lcov.info".into(),
            format: "lcov",
            size: None,
            retries: false,
        }],
        coverage: coverage(100, |_| true),
        coverage_small: Some(coverage(100, |l| l <= 80)),
        coverage_large: Some(coverage(100, |l| l > 50)),
        test_reports: vec![],
        tests: vec![
            test("parses", Size::Small, Outcome::Passed),
            test("smoke_boot", Size::Small, Outcome::Passed),
            test("end_to_end", Size::Medium, Outcome::Passed),
            rerun,
        ],
        quarantine: vec![],
    };
    let mut files = BTreeMap::new();
    files.insert(
        "crates/core/src/lib.rs".to_string(),
        FileChange {
            lines: (1..=60).collect(),
            added: false,
            renamed_from: None,
            binary: false,
        },
    );
    let change = Change::Diff {
        base_ref: "main".into(),
        base_commit: "abc".into(),
        files,
        commits: vec![Commit {
            sha: "1234567890ab".into(),
            subject: "Fix the parser on empty input".into(),
            files: [
                ("crates/core/src/lib.rs".to_string(), 20),
                ("crates/core/tests/parses.rs".to_string(), 5),
            ]
            .into_iter()
            .collect(),
        }],
    };
    let repo = RepoFacts {
        ci_files: vec![".github/workflows/ci.yml".into()],
        ci_systems: vec!["GitHub Actions".into()],
        runs_on_pull_requests: true,
        running_in_ci: Some("GitHub Actions".into()),
        running_for_pull_request: true,
        analysis_tools: vec!["clippy".into()],
        sarif_reports: vec![],
        retry_mechanisms: vec![],
    };
    World {
        ev,
        change,
        repo,
        config,
    }
}

fn is_test_file(p: &str) -> bool {
    p.contains("/tests/")
}

fn related(source: &str, test: &str) -> bool {
    let stem = |p: &str| {
        p.rsplit('/')
            .next()
            .unwrap_or(p)
            .split('.')
            .next()
            .unwrap_or("")
            .to_string()
    };
    stem(source) == stem(test)
}

impl World {
    fn verdict(&self) -> Verdict {
        evaluate(&Inputs {
            ev: &self.ev,
            change: &self.change,
            repo: &self.repo,
            projects: std::slice::from_ref(&self.ev.project),
            config: &self.config,
            is_test_file: &is_test_file,
            related_test: &related,
        })
    }

    fn status(&self, id: &str) -> (Status, String) {
        let v = self.verdict();
        let c = v
            .criteria
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} not evaluated"));
        (c.status, c.detail.clone())
    }

    fn changed_lines(&mut self, lines: Vec<u32>) {
        if let Change::Diff { files, .. } = &mut self.change {
            files.get_mut("crates/core/src/lib.rs").unwrap().lines = lines;
        }
    }
}

/// Asserts `id` is met in `w`, then applies `flip` and asserts the new status.
fn flips(id: &str, flip: impl FnOnce(&mut World), to: Status) {
    let mut w = world();
    let (before, detail) = w.status(id);
    assert_eq!(before, Status::Met, "{id} should be met: {detail}");
    flip(&mut w);
    let (after, detail) = w.status(id);
    assert_eq!(after, to, "{id} after the flip: {detail}");
    assert!(!detail.is_empty());
}

#[test]
fn the_full_world_is_level_5() {
    let v = world().verdict();
    let not_met: Vec<_> = v
        .criteria
        .iter()
        .filter(|c| c.status != Status::Met)
        .map(|c| format!("{} {:?} {}", c.id, c.status, c.detail))
        .collect();
    assert!(not_met.is_empty(), "{not_met:#?}");
    assert_eq!(v.level, 5);
    assert!(v.next_steps.is_empty());
}

#[test]
fn l1_coverage() {
    flips(
        "L1.coverage",
        |w| {
            w.ev.coverage_reports.clear();
            w.ev.coverage = Coverage::new();
        },
        Status::Unmet,
    );
}

#[test]
fn l1_ci() {
    flips(
        "L1.ci",
        |w| {
            w.repo.ci_files.clear();
            w.repo.running_in_ci = None;
        },
        Status::Unmet,
    );
    // Running inside CI is enough on its own.
    let mut w = world();
    w.repo.ci_files.clear();
    assert_eq!(w.status("L1.ci").0, Status::Met);
}

#[test]
fn l1_sizes() {
    flips(
        "L1.sizes",
        |w| {
            w.ev.tests[0].size = None;
            w.ev.tests[0].size_source = SizeSource::None;
        },
        Status::Unmet,
    );
}

#[test]
fn l1_flaky() {
    // Without its retry record the project has no mechanism left.
    flips(
        "L1.flaky",
        |w| {
            for t in &mut w.ev.tests {
                t.case.attempts = 1;
            }
        },
        Status::Unmet,
    );
    let plain = || {
        let mut w = world();
        for t in &mut w.ev.tests {
            t.case.attempts = 1;
        }
        w
    };
    // A flaky test alone (an outcome, from nowhere we can name) is not what meets it: a
    // lucky run would drop it again. Its retry record is.
    let mut w = plain();
    w.ev.tests[0].case.outcome = Outcome::Flaky;
    assert_eq!(w.status("L1.flaky").0, Status::Unmet);
    w.ev.tests[0].case.attempts = 2;
    let (s, d) = w.status("L1.flaky");
    assert_eq!(s, Status::Met, "{d}");
    assert!(
        d.contains("1 test of this project retried") && d.contains("1 flaky test found"),
        "{d}"
    );
    // A quarantine list is a mechanism, even an empty one.
    let mut w = plain();
    w.config.flaky.quarantine_declared = true;
    let (s, d) = w.status("L1.flaky");
    assert_eq!(s, Status::Met, "{d}");
    assert!(d.contains("quarantine list (0 entries)"), "{d}");
    // So is a test report of the project that records retries of other projects' tests.
    let mut w = plain();
    w.ev.test_reports.push(ReportRef {
        path: "target/nextest/ci/junit.xml".into(),
        format: "junit",
        size: None,
        retries: true,
    });
    let (s, d) = w.status("L1.flaky");
    assert_eq!(s, Status::Met, "{d}");
    // Retries configured for this project, named with file and line.
    let mut w = plain();
    w.repo.retry_mechanisms.push(RetryMechanism {
        what: "nextest retries = 2 (profile ci)".into(),
        file: ".config/nextest.toml".into(),
        line: 6,
        dir: "".into(),
        ecosystem: None,
    });
    let (s, d) = w.status("L1.flaky");
    assert_eq!(s, Status::Met, "{d}");
    assert!(d.contains("(.config/nextest.toml:6)"), "{d}");
    // ... but not one configured for another package.
    w.repo.retry_mechanisms[0].dir = "packages/other".into();
    assert_eq!(w.status("L1.flaky").0, Status::Unmet);
    // The same test in two reports: compared (a mechanism); passed in one and failed in the
    // other stays failed, named as possibly flaky, never counted flaky (issue 9's rule).
    let mut w = plain();
    let mut again = w.ev.tests[0].clone();
    again.report = "junit-linux.xml".into();
    again.case.outcome = Outcome::Failed;
    w.ev.tests.push(again);
    let (s, d) = w.status("L1.flaky");
    assert_eq!(s, Status::Met, "{d}");
    assert!(
        d.contains("1 test ran in more than one report")
            && d.contains("failed, and possibly flaky: core/parses")
            && d.contains("no flaky test found"),
        "{d}"
    );
    assert_eq!(w.status("L2.green").0, Status::Unmet);
}

#[test]
fn l1_smoke() {
    flips(
        "L1.smoke",
        |w| w.ev.tests.iter_mut().for_each(|t| t.smoke = false),
        Status::Unmet,
    );
}

#[test]
fn l2_green() {
    flips(
        "L2.green",
        |w| w.ev.tests[0].case.outcome = Outcome::Failed,
        Status::Unmet,
    );
    // A quarantined failure is listed, not counted.
    let mut w = world();
    w.ev.tests[0].case.outcome = Outcome::Failed;
    w.ev.tests[0].quarantined = true;
    let (s, d) = w.status("L2.green");
    assert_eq!(s, Status::Met);
    assert!(d.contains("quarantined"), "{d}");
}

#[test]
fn l2_smoke_gate() {
    flips(
        "L2.smoke-gate",
        |w| {
            w.repo.runs_on_pull_requests = false;
            w.repo.running_for_pull_request = false;
        },
        Status::Unmet,
    );
    flips(
        "L2.smoke-gate",
        |w| w.ev.tests[1].case.outcome = Outcome::Failed,
        Status::Unmet,
    );
}

#[test]
fn l2_incremental() {
    // 60 changed lines all covered → drop coverage of 31 of them: 29/60 < 50%.
    flips(
        "L2.incremental",
        |w| w.ev.coverage = coverage(100, |l| l > 31),
        Status::Unmet,
    );
    // Exactly the threshold is enough (>=).
    let mut w = world();
    w.ev.coverage = coverage(100, |l| l > 30);
    assert_eq!(w.status("L2.incremental").0, Status::Met);
}

#[test]
fn l2_small_incremental() {
    flips(
        "L2.small-incremental",
        |w| w.ev.coverage_small = Some(coverage(100, |l| l <= 5)),
        Status::Unmet,
    );
    flips(
        "L2.small-incremental",
        |w| w.ev.coverage_small = None,
        Status::Unknown,
    );
}

#[test]
fn l2_integration() {
    flips(
        "L2.integration",
        |w| w.ev.tests[2].case.outcome = Outcome::Failed,
        Status::Unmet,
    );
}

#[test]
fn l3_tests_for_changes() {
    // Nothing covers the change and no test of lib.rs changed.
    flips(
        "L3.tests-for-changes",
        |w| w.ev.coverage = coverage(100, |l| l > 60),
        Status::Unmet,
    );
    // Changing the file's test makes it met again without coverage.
    let mut w = world();
    w.ev.coverage = coverage(100, |l| l > 60);
    if let Change::Diff { files, .. } = &mut w.change {
        files.insert(
            "crates/core/tests/lib.rs".into(),
            FileChange {
                lines: vec![1],
                added: true,
                renamed_from: None,
                binary: false,
            },
        );
    }
    assert_eq!(w.status("L3.tests-for-changes").0, Status::Met);
    // Trivial changes (below N changed executable lines) are not held to it.
    let mut w = world();
    w.ev.coverage = coverage(100, |l| l > 60);
    w.changed_lines(vec![1, 2, 3]);
    assert_eq!(w.status("L3.tests-for-changes").0, Status::Met);
}

/// The change of issue 10: `lib.rs` holds a tested function (lines 1–20) and gains a new
/// 17-line function (lines 30–46) that nothing runs; the change also touches the tested one.
fn new_untested_function(with_ends: bool) -> World {
    let mut w = world();
    let mut c = Coverage::new();
    let f = c.file_mut("crates/core/src/lib.rs");
    for l in 1..=20 {
        f.add_line(l, 1);
    }
    for l in 30..=46 {
        f.add_line(l, 0);
    }
    let end = |e: u32| if with_ends { e } else { 0 };
    f.add_function_range("tested", 1, end(20), 4);
    f.add_function_range("_RNvCs1234_4core9parse_new", 30, end(46), 0);
    c.finish();
    w.ev.coverage = c;
    w.changed_lines((5..=16).chain(30..=46).collect());
    w
}

#[test]
fn l3_tests_for_changes_per_function() {
    for with_ends in [true, false] {
        let w = new_untested_function(with_ends);
        let (s, d) = w.status("L3.tests-for-changes");
        assert_eq!(s, Status::Unmet, "{d}");
        // Named, demangled, with file:line; the tested function is not listed.
        assert!(
            d.contains("core::parse_new (crates/core/src/lib.rs:30, 17 changed executable lines, none covered)"),
            "{d}"
        );
        assert!(!d.contains(" tested ("), "{d}");
    }
    // Its test changed in the same change: met.
    let mut w = new_untested_function(true);
    if let Change::Diff { files, .. } = &mut w.change {
        files.insert(
            "crates/core/tests/lib.rs".into(),
            FileChange {
                lines: vec![1],
                added: true,
                renamed_from: None,
                binary: false,
            },
        );
    }
    assert_eq!(w.status("L3.tests-for-changes").0, Status::Met);
    // A new function below N changed executable lines is trivial.
    let mut w = new_untested_function(true);
    w.changed_lines((5..=16).chain(30..=38).collect());
    let (s, d) = w.status("L3.tests-for-changes");
    assert_eq!(s, Status::Met, "{d}");
    assert!(
        d.starts_with("1 function with >= 10 changed executable lines"),
        "{d}"
    );
}

#[test]
fn l3_tests_for_changes_per_hunk_without_functions() {
    // No function data: two hunks, the first covered, the second (16 lines) not.
    let mut w = world();
    w.ev.coverage = coverage(100, |l| l <= 20);
    w.changed_lines((5..=16).chain(40..=55).collect());
    let (s, d) = w.status("L3.tests-for-changes");
    assert_eq!(s, Status::Unmet, "{d}");
    assert!(
        d.contains("crates/core/src/lib.rs:40-55 (16 changed executable lines, none covered)"),
        "{d}"
    );
    // One line of the second hunk covered is enough.
    w.ev.coverage = coverage(100, |l| l <= 20 || l == 50);
    assert_eq!(w.status("L3.tests-for-changes").0, Status::Met);
}

#[test]
fn l3_small_incremental() {
    // 80% small coverage of the change → 40% (24/60).
    flips(
        "L3.small-incremental",
        |w| w.ev.coverage_small = Some(coverage(100, |l| l <= 24)),
        Status::Unmet,
    );
}

#[test]
fn l3_integration_new() {
    flips(
        "L3.integration-new",
        |w| w.ev.coverage_large = Some(coverage(100, |l| l > 60)),
        Status::Unmet,
    );
    flips(
        "L3.integration-new",
        |w| w.ev.coverage_large = None,
        Status::Unknown,
    );
}

#[test]
fn l4_smoke_automated() {
    flips(
        "L4.smoke-automated",
        |w| w.repo.running_for_pull_request = false,
        Status::Unknown,
    );
    flips(
        "L4.smoke-automated",
        |w| w.ev.tests.iter_mut().for_each(|t| t.smoke = false),
        Status::Unmet,
    );
}

#[test]
fn l4_smoke_fast() {
    flips(
        "L4.smoke-fast",
        |w| w.ev.tests[1].case.duration = Some(31.0 * 60.0).into(),
        Status::Unmet,
    );
}

#[test]
fn l4_no_flaky() {
    flips(
        "L4.no-flaky",
        |w| w.ev.tests[3].case.outcome = Outcome::Flaky,
        Status::Unmet,
    );
    flips(
        "L4.no-flaky",
        |w| w.ev.quarantine = vec!["core/slow_network".into()],
        Status::Unmet,
    );
}

#[test]
fn l4_total() {
    flips(
        "L4.total",
        |w| w.ev.coverage = coverage(100, |l| l <= 39),
        Status::Unmet,
    );
}

#[test]
fn l4_small_total() {
    flips(
        "L4.small-total",
        |w| w.ev.coverage_small = Some(coverage(100, |l| l <= 24)),
        Status::Unmet,
    );
}

#[test]
fn l4_integration_all() {
    flips(
        "L4.integration-all",
        |w| w.ev.coverage_large = Some(coverage(100, |_| false)),
        Status::Unmet,
    );
}

#[test]
fn l5_bugfix_tests() {
    flips(
        "L5.bugfix-tests",
        |w| {
            if let Change::Diff { commits, .. } = &mut w.change {
                commits[0].files.remove("crates/core/tests/parses.rs");
            }
        },
        Status::Unmet,
    );
    flips(
        "L5.bugfix-tests",
        |w| {
            w.change = Change::All {
                reason: "no base".into(),
            }
        },
        Status::Unknown,
    );
}

#[test]
fn l5_analysis() {
    flips(
        "L5.analysis",
        |w| w.repo.analysis_tools.clear(),
        Status::Unmet,
    );
}

#[test]
fn l5_total() {
    flips(
        "L5.total",
        |w| w.ev.coverage = coverage(100, |l| l <= 59),
        Status::Unmet,
    );
}

#[test]
fn l5_small_total() {
    flips(
        "L5.small-total",
        |w| w.ev.coverage_small = Some(coverage(100, |l| l <= 39)),
        Status::Unmet,
    );
}

#[test]
fn levels_waivers_and_next_steps() {
    let mut w = world();
    w.config.max_level = None; // the original ladder: 1–3
    w.ev.tests[1].smoke = false;
    let v = w.verdict();
    assert_eq!(v.level, 0, "L1.smoke unmet");
    assert!(v.next_steps.iter().any(|s| s.starts_with("L1.smoke")));
    w.config.waiver.push(Waiver {
        criterion: "L1.smoke".into(),
        project: Some("co*".into()),
        reason: "no end-to-end surface".into(),
    });
    let v = w.verdict();
    // Without smoke tests L2.smoke-gate fails next.
    assert_eq!(v.level, 1);
    assert!(v.relies_on_waiver);
    let smoke = v.criteria.iter().find(|c| c.id == "L1.smoke").unwrap();
    assert_eq!(smoke.status, Status::Waived);
    assert_eq!(smoke.waiver.as_deref(), Some("no end-to-end surface"));
    assert!(v.criteria.iter().all(|c| c.level <= 3));
}

#[test]
fn no_base_counts_every_executable_line() {
    let mut w = world();
    w.change = Change::All {
        reason: "no base".into(),
    };
    w.ev.coverage = coverage(100, |l| l <= 45);
    let v = w.verdict();
    let inc = &v.figures.incremental;
    assert_eq!(
        (inc.scope, inc.changed, inc.covered),
        (Scope::AllLines, 100, 45)
    );
    let (s, d) = w.status("L2.incremental");
    assert_eq!(s, Status::Unmet);
    assert!(d.contains("every executable line counts"), "{d}");
}
