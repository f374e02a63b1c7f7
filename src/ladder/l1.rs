//! Level 1: coverage, CI, sized tests, flakiness tracked, a smoke suite.

use super::figures::{Inputs, Judgement};
use crate::evidence::{Evidence, RepoFacts, Test};
use crate::result::{Figures, Status};
use crate::words::{list, pct, plural, plural_with};

pub(super) fn l1_coverage(f: &Figures) -> Judgement {
    match &f.coverage {
        // Met: the criterion is that coverage is set up, not how much. At 0% the detail
        // says it was measured, so that "met" beside it does not read as "covered".
        Some(c) if c.lines.total > 0 && c.lines.covered == 0 => (
            Status::Met,
            format!(
                "measured: 0.0% covered (0 of {}, from {}): the coverage bundle is set up; no test runs these lines yet",
                plural(c.lines.total, "executable line"),
                list(&f.coverage_reports, 3)
            ),
        ),
        Some(c) if c.lines.total > 0 => (
            Status::Met,
            format!(
                "{} of {} covered ({}, from {})",
                c.lines.covered,
                plural(c.lines.total, "executable line"),
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
        let all = if t.total == 1 {
            "the one test is sized".to_string()
        } else {
            format!("all {} tests sized", t.total)
        };
        (Status::Met, format!("{all}: {shown}"))
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
                "{} of {} {} no size (e.g. {}); {shown}",
                t.unclassified,
                plural(t.total, "test"),
                if t.unclassified == 1 { "has" } else { "have" },
                examples.join(", ")
            ),
        )
    }
}

/// Met when the project has a mechanism that finds nondeterministic tests, whether or not
/// it found one in this run: a flaky test is what the mechanism finds, not the mechanism.
/// The mechanisms, each named in the detail: retries configured where the runner reads them
/// (from [`crate::discover::retries`]), retry records in the project's test reports, a
/// quarantine list in the config (an empty one too), and the same tests run in more than one
/// report (their outcomes compared: a test that failed in one and passed in another is
/// flaky).
pub(super) fn l1_flaky(inp: &Inputs<'_>, f: &Figures) -> Judgement {
    let ev = inp.ev;
    let mut found: Vec<String> = Vec::new();
    let configured: Vec<String> = inp
        .repo
        .retry_mechanisms
        .iter()
        .filter(|m| crate::discover::retries::applies(m, &ev.project, inp.projects))
        .map(|m| format!("{} ({}:{})", m.what, m.file, m.line))
        .collect();
    if !configured.is_empty() {
        found.push(format!("retries configured: {}", list(&configured, 3)));
    }
    if inp.config.flaky.keeps_quarantine() {
        let n = inp.config.flaky.quarantine.len() as u64;
        let here = if ev.quarantine.is_empty() {
            String::new()
        } else {
            format!(", for this project: {}", list(&ev.quarantine, 5))
        };
        found.push(format!(
            "the config keeps a quarantine list ({}{here})",
            plural_with(n, "entry", "entries")
        ));
    }
    let retried = ev.tests.iter().filter(|t| t.case.attempts > 1).count() as u64;
    let retry_reports: Vec<String> = ev
        .test_reports
        .iter()
        .filter(|r| r.retries)
        .map(|r| r.path.clone())
        .collect();
    if !retry_reports.is_empty() || retried > 0 {
        let which = if retry_reports.is_empty() {
            String::new()
        } else {
            format!(" ({})", list(&retry_reports, 3))
        };
        found.push(if retried == 0 {
            format!(
                "the test reports record retries{which}; none of this project's tests needed one"
            )
        } else {
            format!(
                "the test reports record retries{which}: {} of this project retried",
                plural(retried, "test")
            )
        });
    }
    // Runs of one test in several reports, compared. One that passed in one report and
    // failed in another stays failed (a failure in any run is a failure, see L2.green); it
    // is named here as a candidate, never counted flaky.
    let (repeated, differing) = super::figures::across_reports(ev);
    if repeated > 0 {
        found.push(format!(
            "{} ran in more than one report, their outcomes compared{}",
            plural(repeated as u64, "test"),
            if differing.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} passed in one and failed in another: failed, and possibly flaky: {})",
                    differing.len(),
                    list(&differing, 3)
                )
            }
        ));
    }
    let result = if f.flaky_tests.is_empty() {
        "no flaky test found".to_string()
    } else {
        format!(
            "{} found: {}",
            plural(f.flaky_tests.len() as u64, "flaky test"),
            list(&f.flaky_tests, 5)
        )
    };
    if !found.is_empty() {
        (Status::Met, format!("{}; {result}", found.join("; ")))
    } else if f.tests.total == 0 {
        (
            Status::Unknown,
            "no test results for this project, and no retry setting or [flaky] quarantine list"
                .to_string(),
        )
    } else {
        (
            Status::Unmet,
            "nothing finds flaky tests: no retry setting the runner reads, no retry records in the test reports, no [flaky] quarantine list".to_string(),
        )
    }
}

pub(super) fn l1_smoke(f: &Figures) -> Judgement {
    if !f.smoke_tests.is_empty() {
        (
            Status::Met,
            format!(
                "{}: {}",
                plural(f.smoke_tests.len() as u64, "smoke test"),
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
            if f.tests.total == 1 {
                "the one test does not match the smoke selector".to_string()
            } else {
                format!(
                    "none of the {} tests matches the smoke selector",
                    f.tests.total
                )
            },
        )
    }
}
