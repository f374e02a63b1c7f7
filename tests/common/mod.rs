//! Builds [`CheckResult`] values for renderer tests: `check` itself needs discovery, which
//! these tests do not depend on.
#![allow(dead_code)]

use std::collections::BTreeMap;

use testcert::evidence::RepoFacts;
use testcert::model::Outcome;
use testcert::result::{
    ChangeSummary, CheckResult, CriterionResult, FailingTest, Figures, FileIncrement, Incremental,
    ProjectResult, Scope, Status, TestFigures,
};

/// A project at `level`, required `required`, optionally relying on a waiver.
pub fn project(name: &str, level: u8, waived: bool, required: u8) -> ProjectResult {
    ProjectResult {
        name: name.to_string(),
        path: name.to_string(),
        found_by: "test".to_string(),
        level,
        required_level: required,
        passed: level >= required,
        relies_on_waiver: waived,
        thresholds: BTreeMap::new(),
        criteria: vec![
            CriterionResult {
                id: "L1.coverage".into(),
                level: 1,
                title: "Set up test coverage bundles".into(),
                status: Status::Met,
                detail: "1 coverage report".to_string(),
                waiver: None,
            },
            CriterionResult {
                id: "L1.smoke".into(),
                level: 1,
                title: "Create a smoke test suite".into(),
                status: if waived {
                    Status::Waived
                } else {
                    Status::Unmet
                },
                detail: "no smoke test".to_string(),
                waiver: waived.then(|| "no smoke tests for a library".to_string()),
            },
        ],
        next_steps: if level < 5 {
            vec![format!("L{}.x: do the next thing", level + 1)]
        } else {
            Vec::new()
        },
        evidence: figures(),
    }
}

pub fn figures() -> Figures {
    Figures {
        coverage: None,
        coverage_small: None,
        coverage_large: None,
        incremental: Incremental {
            scope: Scope::Diff,
            changed: 0,
            covered: 0,
            ratio: None,
            covered_small: None,
            ratio_small: None,
            covered_large: None,
            files: Vec::new(),
        },
        tests: TestFigures::default(),
        flaky_tests: Vec::new(),
        smoke_tests: Vec::new(),
        failing_tests: Vec::new(),
        quarantine: Vec::new(),
        smoke_seconds: 0.0,
        coverage_reports: Vec::new(),
        test_reports: Vec::new(),
    }
}

/// A changed file with these uncovered lines.
pub fn uncovered(path: &str, lines: Vec<u32>) -> FileIncrement {
    FileIncrement {
        path: path.to_string(),
        changed: lines.len() as u64 + 1,
        covered: 1,
        covered_small: None,
        covered_large: None,
        uncovered_lines: lines,
    }
}

pub fn failing(id: &str, file: Option<&str>, line: Option<u32>, message: &str) -> FailingTest {
    FailingTest {
        id: id.to_string(),
        outcome: Outcome::Failed,
        file: file.map(str::to_string),
        line,
        message: Some(message.to_string()),
        quarantined: false,
    }
}

/// A result holding `projects`.
pub fn result(max_level: u8, projects: Vec<ProjectResult>) -> CheckResult {
    CheckResult {
        schema_version: testcert::result::SCHEMA_VERSION,
        testcert_version: env!("CARGO_PKG_VERSION").into(),
        config: "testcert.toml".to_string(),
        max_level,
        required_level: projects.iter().map(|p| p.required_level).max().unwrap_or(0),
        passed: projects.iter().all(|p| p.passed),
        change: ChangeSummary {
            scope: Scope::Diff,
            base_ref: Some("origin/main".to_string()),
            base_commit: Some("0123456789abcdef".to_string()),
            note: None,
            changed_files: 3,
        },
        repository: RepoFacts::default(),
        reports_found: 2,
        report_errors: Vec::new(),
        warnings: Vec::new(),
        projects,
        stamp: None,
        comparison: None,
        attribution: None,
        team: None,
    }
}
