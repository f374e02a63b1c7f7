//! Which project each covered file and each test belongs to, and why.

use std::path::Path;

use crate::config::Config;
use crate::evidence::{Evidence, Project, ReportFile};
use crate::ingest::Report;
use crate::paths::PathMapper;

/// Why a report or a test went to a project (`check --explain-attribution`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// The report (and test, for test cases) concerned.
    pub subject: String,
    /// Project name, or `None` when it went nowhere.
    pub project: Option<String>,
    pub reason: String,
}

/// Splits the reports' coverage and tests over `projects` (same order as `projects`).
pub fn attribute(
    projects: &[Project],
    _reports: Vec<(ReportFile, Report)>,
    _config: &Config,
    _root: &Path,
    _mapper: &PathMapper,
) -> (Vec<Evidence>, Vec<Explanation>) {
    let _ = projects;
    (Vec::new(), Vec::new())
}

/// Whether a repository path is a test file (placeholder until the attribution module lands).
pub fn is_test_file(_path: &str, _config: &Config) -> bool {
    false
}

/// Whether `test` is a test file for `source`.
pub fn related_test(_source: &str, _test: &str) -> bool {
    false
}
