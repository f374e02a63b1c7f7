//! What `check` knows about a repository and each of its projects: the input of the ladder.
//! Discovery, ingest, attribution and the change fill it in; `ladder` only reads it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Size;
use crate::ingest::Format;
use crate::model::{Coverage, SharedStr, TestCase};

/// A project of the repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Project {
    pub name: String,
    /// Directory relative to the repository root, `/`-separated; `""` is the root itself.
    pub path: String,
    /// The rule that found it (`cargo workspace member`, `testcert.toml [[project]]`,
    /// `package.json workspaces`, `pyproject.toml`, `go.mod`, `repository root`).
    pub found_by: String,
}

impl Project {
    /// Whether a repository-relative `file` lies in this project's directory.
    pub(crate) fn contains(&self, file: &str) -> bool {
        self.path.is_empty()
            || (file.starts_with(&self.path) && file.as_bytes().get(self.path.len()) == Some(&b'/'))
    }
}

/// A report file found in the repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportFile {
    /// Repository-relative path.
    pub path: String,
    /// The test size of the run that wrote it (`[[reports.tag]]`); `None` = all tests.
    pub size: Option<Size>,
}

/// A report that was read, as the evidence lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportRef {
    pub path: String,
    pub format: &'static str,
    pub size: Option<Size>,
    /// A test report that records retries or repeated runs (some test has more than one
    /// attempt): the run that wrote it tracks flakiness, for every project it holds.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retries: bool,
}

impl ReportRef {
    pub(crate) fn new(file: &ReportFile, format: Format) -> Self {
        ReportRef {
            path: file.path.clone(),
            format: format.name(),
            size: file.size,
            retries: false,
        }
    }
}

/// Where a test's size came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SizeSource {
    /// A `size`/`TEST_SIZE` property or tag in the report.
    Report,
    /// A `[[size]]` rule of the config (its glob).
    Config(String),
    /// An ecosystem default (the reason, e.g. "Rust unit test in the library target").
    Default(SharedStr),
    /// Nothing sized it.
    None,
}

/// A test case with what `check` decided about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub case: TestCase,
    pub size: Option<Size>,
    pub size_source: SizeSource,
    pub smoke: bool,
    pub quarantined: bool,
    /// The report it came from (repository-relative).
    pub report: SharedStr,
}

impl Test {
    /// `suite/class/name` (class left out when absent): how outputs and the quarantine list
    /// name a test.
    pub(crate) fn id(&self) -> String {
        self.case.id()
    }
}

/// How a file changed between the base and the working tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Lines added or modified, in the new file, sorted and unique.
    pub lines: Vec<u32>,
    /// The file did not exist at the base.
    pub added: bool,
    /// The path it had at the base, when renamed.
    pub renamed_from: Option<String>,
    /// Git reports it as binary (no lines).
    pub binary: bool,
}

/// A commit between the base and HEAD (for L5.bugfix-tests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Commit {
    pub sha: String,
    pub subject: String,
    /// Repository-relative paths it touched, with the lines it added or modified (0 for
    /// deletions and binary files; a renamed file under its new path).
    pub files: BTreeMap<String, u64>,
}

/// The change under review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// No base: every executable line counts as changed.
    All { reason: String },
    /// A diff against a base revision.
    Diff {
        /// What the user asked for (`origin/main`) and the commit it resolved to.
        base_ref: String,
        base_commit: String,
        /// Changed files (deleted files are left out: they have no lines to cover).
        files: BTreeMap<String, FileChange>,
        /// Commits in base..HEAD, oldest first.
        commits: Vec<Commit>,
    },
}

/// Facts about the repository as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RepoFacts {
    /// CI definition files found (`.github/workflows/ci.yml`, `.gitlab-ci.yml`, …).
    pub ci_files: Vec<String>,
    /// CI systems, by name (`GitHub Actions`, `GitLab CI`, …).
    pub ci_systems: Vec<String>,
    /// Whether a CI definition runs on pull/merge requests.
    pub runs_on_pull_requests: bool,
    /// The CI system this check runs inside, from the environment (`GITHUB_ACTIONS`, `CI`, …).
    pub running_in_ci: Option<String>,
    /// Whether this run is a pull/merge-request build (from the environment).
    pub running_for_pull_request: bool,
    /// Static analysers the CI definitions call (`clippy`, `eslint`, `CodeQL`, …).
    pub analysis_tools: Vec<String>,
    /// SARIF files found in the repository.
    pub sarif_reports: Vec<String>,
    /// Retry mechanisms configured in the repository (L1.flaky), sorted by file and line;
    /// [`crate::discover::retries::applies`] says which projects each one is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry_mechanisms: Vec<RetryMechanism>,
}

/// The test runner family a retry setting belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Rust,
    Python,
    Js,
    Go,
    Jvm,
    Dotnet,
}

/// A configured mechanism that finds nondeterministic tests: the runner retries failures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RetryMechanism {
    /// What it is, as a person names it (`nextest retries = 2 (profile ci)`).
    pub what: String,
    /// Repository-relative file and 1-based line where it is set.
    pub file: String,
    pub line: u32,
    /// The directory whose projects it applies to (`""`: the repository).
    pub dir: String,
    /// The runner family whose projects it applies to (`None`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<Ecosystem>,
}

/// Everything known about one project.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub project: Project,
    /// Coverage reports that hold files of this project.
    pub coverage_reports: Vec<ReportRef>,
    /// All coverage of the project's files, merged over every report (tagged or not).
    pub coverage: Coverage,
    /// Coverage from `small`-tagged reports only; `None` when no small-tagged report holds a
    /// file of this project (another language's small run says nothing about this project).
    pub coverage_small: Option<Coverage>,
    /// Coverage from `medium`/`large`-tagged reports; `None` when none of them holds a file
    /// of this project.
    pub coverage_large: Option<Coverage>,
    /// Test reports with at least one test of this project.
    pub test_reports: Vec<ReportRef>,
    pub tests: Vec<Test>,
    /// The quarantine list entries that apply (config `[flaky] quarantine`): those matching
    /// one of the project's tests; entries matching no test at all are listed for the
    /// root-most project (see `attribute.rs`).
    pub quarantine: Vec<String>,
}
