//! Level 1: coverage, CI, sized tests, flakiness tracked, a smoke suite.

use super::figures::{Inputs, Judgement};
use crate::evidence::{Evidence, RepoFacts, Test};
use crate::result::{Figures, Status};
use crate::words::{list, pct};

pub(super) fn l1_coverage(f: &Figures) -> Judgement {
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

pub(super) fn l1_ci(repo: &RepoFacts) -> Judgement {
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

pub(super) fn l1_sizes(ev: &Evidence, f: &Figures) -> Judgement {
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

pub(super) fn l1_flaky(inp: &Inputs<'_>, f: &Figures) -> Judgement {
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

pub(super) fn l1_smoke(f: &Figures) -> Judgement {
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
