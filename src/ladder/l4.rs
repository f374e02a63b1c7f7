//! Level 4: smoke tests automated and fast, no flaky test, total coverage, integration
//! coverage of every significant file.

use super::figures::{ratio_text, Inputs, Judgement};
use crate::config::Thresholds;
use crate::model::Totals;
use crate::result::{Figures, Status};
use crate::words::{list, pct, plural};

pub(super) fn l4_smoke_automated(inp: &Inputs<'_>, f: &Figures) -> Judgement {
    if f.smoke_tests.is_empty() {
        return (Status::Unmet, "no smoke test ran".to_string());
    }
    if inp.repo.running_for_pull_request {
        (
            Status::Met,
            format!(
                "{} ran in this pull-request build",
                plural(f.smoke_tests.len() as u64, "smoke test")
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

pub(super) fn l4_smoke_fast(f: &Figures, t: &Thresholds) -> Judgement {
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
            "smoke tests take {minutes:.1} minutes in all (limit {} {})",
            t.smoke_max_minutes,
            if t.smoke_max_minutes == 1.0 {
                "minute"
            } else {
                "minutes"
            }
        ),
    )
}

pub(super) fn l4_no_flaky(f: &Figures) -> Judgement {
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

pub(super) fn total(t: Option<&Totals>, threshold: f64, which: &str) -> Judgement {
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

pub(super) fn l4_integration_all(inp: &Inputs<'_>, t: &Thresholds) -> Judgement {
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
                "{} with >= {} executable lines {} no integration coverage: {}",
                plural(missing.len() as u64, "file"),
                t.significant_lines,
                if missing.len() == 1 { "has" } else { "have" },
                list(&missing, 5)
            ),
        )
    }
}
