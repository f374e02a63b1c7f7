//! Level 2: green tests, a smoke gate on pull requests, incremental coverage, one
//! integration test.

use super::figures::{ratio_text, scope_note, Inputs, Judgement};
use crate::config::Size;
use crate::evidence::{Evidence, Test};
use crate::model::Outcome;
use crate::result::{FailingTest, Figures, Status};
use crate::words::{line_ranges, list, pct, plural};

pub(super) fn l2_green(f: &Figures) -> Judgement {
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
            format!(
                "{} ran, none failed ({} flaky){q}",
                plural(ran, "test"),
                t.flaky
            ),
        )
    } else {
        let ids: Vec<String> = counted.iter().map(|x| x.id.clone()).collect();
        (
            Status::Unmet,
            format!(
                "{} of {} failed: {}{q}",
                counted.len(),
                plural(ran, "test"),
                list(&ids, 5)
            ),
        )
    }
}

pub(super) fn smoke_passed(inp: &Inputs<'_>) -> (usize, usize) {
    let smoke: Vec<&Test> = inp.ev.tests.iter().filter(|t| t.smoke).collect();
    let ok = smoke
        .iter()
        .filter(|t| matches!(t.case.outcome, Outcome::Passed | Outcome::Flaky))
        .count();
    (ok, smoke.len())
}

pub(super) fn l2_smoke_gate(inp: &Inputs<'_>, f: &Figures) -> Judgement {
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
            format!(
                "{} passed and CI runs on pull requests",
                plural(n as u64, "smoke test")
            ),
        ),
        (false, _) => (
            Status::Unmet,
            format!(
                "{} of {} did not pass",
                n - ok,
                plural(n as u64, "smoke test")
            ),
        ),
        (true, false) => (
            Status::Unmet,
            "the smoke tests pass, but no CI definition runs on pull/merge requests".to_string(),
        ),
    }
}

pub(super) fn uncovered_summary(f: &Figures, max_files: usize) -> String {
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
        s.push_str(&format!(
            "; and {more} more {}",
            if more == 1 { "file" } else { "files" }
        ));
    }
    s
}

pub(super) fn incremental_all(f: &Figures, threshold: f64) -> Judgement {
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

pub(super) fn incremental_small(ev: &Evidence, f: &Figures, threshold: f64) -> Judgement {
    let inc = &f.incremental;
    let Some(covered) = inc.covered_small else {
        // The exact extra run for this project's stack.
        let formats: Vec<&str> = ev.coverage_reports.iter().map(|r| r.format).collect();
        return (
            Status::Unknown,
            crate::stack::small_coverage_advice(&ev.project, &formats),
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

pub(super) fn l2_integration(ev: &Evidence) -> Judgement {
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
                "{} passed: {}",
                plural(passed.len() as u64, "medium/large test"),
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
            if big.len() == 1 {
                "the one medium/large test did not pass".to_string()
            } else {
                format!("none of the {} medium/large tests passed", big.len())
            },
        )
    }
}
