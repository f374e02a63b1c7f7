//! The check JSON contract: the one result every renderer and `aggregate` read. Its JSON
//! form is versioned by [`SCHEMA_VERSION`] (README, "check JSON"); any incompatible change
//! bumps it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::evidence::RepoFacts;
use crate::model::{Outcome, Totals};

/// Version of the check JSON contract: bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Which lines count as changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The lines `git diff` against the base changed.
    Diff,
    /// No base: every executable line counts as changed.
    AllLines,
}

/// The change as the result reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSummary {
    pub scope: Scope,
    pub base_ref: Option<String>,
    pub base_commit: Option<String>,
    /// Why every line counts, when there is no base.
    pub note: Option<String>,
    pub changed_files: usize,
}

/// One project's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectResult {
    pub name: String,
    pub path: String,
    pub found_by: String,
    pub level: u8,
    pub required_level: u8,
    pub passed: bool,
    /// The level relies on a waived criterion (badges show `level N*`).
    pub relies_on_waiver: bool,
    /// Thresholds that differ from the defaults.
    pub thresholds: BTreeMap<String, f64>,
    pub criteria: Vec<CriterionResult>,
    pub next_steps: Vec<String>,
    pub evidence: Figures,
}

/// A report that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportError {
    pub path: String,
    pub error: String,
}

/// The whole result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub schema_version: u32,
    /// Borrowed when this testcert writes it, owned when read back.
    pub testcert_version: Cow<'static, str>,
    /// The configuration's source (`testcert.toml`, `Cargo.toml [workspace.metadata.testcert]`,
    /// or defaults).
    pub config: String,
    pub max_level: u8,
    /// The required level (the highest of the projects' when they differ).
    pub required_level: u8,
    /// Every project at or above its required level, and every report read.
    pub passed: bool,
    pub change: ChangeSummary,
    pub repository: RepoFacts,
    pub reports_found: usize,
    pub report_errors: Vec<ReportError>,
    pub warnings: Vec<String>,
    pub projects: Vec<ProjectResult>,
    /// Which repository, commit and time the result is about: only with `check --stamp`, so
    /// that the default output stays deterministic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<crate::stamp::Stamp>,
    /// The level change against an earlier result: only with `check --compare-to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// Not read back by `testcert render --from` (it renders without it).
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub attribution: Option<Vec<Explanation>>,
    /// The configuration's `team`, trimmed: `check --stamp` records it in the stamp, so it is
    /// not written here a second time.
    #[serde(skip)]
    pub team: Option<String>,
}

impl CheckResult {
    /// Reads a result back from its JSON form (`testcert render --from`).
    pub fn from_json(json: &str) -> Result<CheckResult> {
        let r: CheckResult =
            serde_json::from_str(json).context("not a testcert check JSON result")?;
        anyhow::ensure!(
            r.schema_version == SCHEMA_VERSION,
            "check JSON schema version {} (this testcert reads version {SCHEMA_VERSION})",
            r.schema_version
        );
        Ok(r)
    }

    /// The exit code this result calls for (see [`crate::exit`]).
    pub fn exit_code(&self) -> i32 {
        if !self.report_errors.is_empty() {
            crate::exit::ERROR
        } else if self.projects.iter().any(|p| !p.passed) {
            crate::exit::BELOW_LEVEL
        } else {
            crate::exit::OK
        }
    }

    /// The repository's level: the lowest project level.
    pub(crate) fn repository_level(&self) -> u8 {
        self.projects.iter().map(|p| p.level).min().unwrap_or(0)
    }
}

/// The comparison with an earlier result (`check --compare-to`, computed in `compare.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier result's file, as given.
    pub base: String,
    /// The commit the earlier result was made on, when it says (`check --stamp`).
    pub base_commit: Option<String>,
    /// Every project whose level differs, or that only one side has, in this result's order
    /// (gone projects last).
    pub changes: Vec<LevelChange>,
    /// Projects at the same level on both sides.
    pub unchanged: usize,
}

/// One project's level, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChange {
    pub project: String,
    pub path: String,
    /// `None`: new in this result.
    pub from: Option<u8>,
    /// `None`: gone from this result.
    pub to: Option<u8>,
}

impl LevelChange {
    pub fn lowered(&self) -> bool {
        matches!((self.from, self.to), (Some(a), Some(b)) if b < a)
    }

    pub fn raised(&self) -> bool {
        matches!((self.from, self.to), (Some(a), Some(b)) if b > a)
    }

    /// "this change lowers kv-cli from level 2 to level 1".
    pub fn sentence(&self) -> String {
        match (self.from, self.to) {
            (Some(a), Some(b)) if b < a => format!(
                "this change lowers {} from level {a} to level {b}",
                self.project
            ),
            (Some(a), Some(b)) => format!(
                "this change raises {} from level {a} to level {b}",
                self.project
            ),
            (None, Some(b)) => format!("{} is new, at level {b}", self.project),
            (Some(a), None) => format!("{} (level {a}) is gone", self.project),
            (None, None) => format!("{}: no level on either side", self.project),
        }
    }
}

impl Comparison {
    pub fn lowered(&self) -> impl Iterator<Item = &LevelChange> {
        self.changes.iter().filter(|c| c.lowered())
    }

    /// One line for people: the lowered first, then the rest; "no level changed" when none.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.lowered().map(LevelChange::sentence).collect();
        parts.extend(
            self.changes
                .iter()
                .filter(|c| !c.lowered())
                .map(LevelChange::sentence),
        );
        if parts.is_empty() {
            format!("no project's level changed ({} projects)", self.unchanged)
        } else {
            parts.join("; ")
        }
    }

    /// What the comparison is with, for people: `main.json (0123456789ab)`.
    pub fn against(&self) -> String {
        match &self.base_commit {
            Some(c) => format!("{} ({})", self.base, &c[..c.len().min(12)]),
            None => self.base.clone(),
        }
    }
}

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
    /// Borrowed from the ladder when evaluated, owned when read back.
    pub id: Cow<'static, str>,
    pub level: u8,
    pub title: Cow<'static, str>,
    pub status: Status,
    /// Numbers, the files or tests concerned, what evidence is missing and how to provide it.
    pub detail: String,
    /// The waiver's reason, when waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
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
    pub scope: Scope,
    pub changed: u64,
    pub covered: u64,
    pub ratio: Option<f64>,
    pub covered_small: Option<u64>,
    pub ratio_small: Option<f64>,
    pub covered_large: Option<u64>,
    pub files: Vec<FileIncrement>,
}

impl Incremental {
    /// The changed lines no test covered, over all files (each listed in its file's
    /// `uncovered_lines`).
    pub(crate) fn uncovered_count(&self) -> usize {
        self.files.iter().map(|f| f.uncovered_lines.len()).sum()
    }
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
    pub coverage: Option<Totals>,
    pub coverage_small: Option<Totals>,
    pub coverage_large: Option<Totals>,
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

/// Why a report or a test went to a project (`check --explain-attribution`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// The report (`<report>`), or a group of its tests (`<report> :: <suite>`).
    pub subject: String,
    /// Project name, or `None` when it went nowhere.
    pub project: Option<String>,
    pub reason: String,
}
