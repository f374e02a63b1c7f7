//! Level 3: tests for nontrivial changes, integration tests for significant ones (and the
//! small-test incremental threshold, judged as at level 2).

use super::figures::{scope_note, Inputs, Judgement};
use crate::config::{Size, Thresholds};
use crate::evidence::Change;
use crate::result::{Figures, FileIncrement, Status};
use crate::words::list;

/// The project's changed source files (not test files) with at least `min` changed
/// executable lines.
pub(super) fn big_changes<'f>(
    inp: &Inputs<'_>,
    f: &'f Figures,
    min: u64,
) -> Vec<&'f FileIncrement> {
    f.incremental
        .files
        .iter()
        .filter(|x| x.changed >= min && !(inp.is_test_file)(&x.path))
        .collect()
}

pub(super) fn changed_test_files<'a>(inp: &'a Inputs<'_>) -> Vec<&'a str> {
    match inp.change {
        Change::Diff { files, .. } => files
            .keys()
            .filter(|p| inp.ev.project.contains(p) && (inp.is_test_file)(p))
            .map(String::as_str)
            .collect(),
        Change::All { .. } => Vec::new(),
    }
}

pub(super) fn l3_tests_for_changes(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
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

pub(super) fn l3_integration_new(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
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
