//! `testcert check`: discover → ingest → attribute → evaluate, into one [`CheckResult`] that
//! every renderer reads. The JSON form of [`CheckResult`] is a versioned contract (README,
//! "check JSON").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Source};
use crate::evidence::{Change, Project, RepoFacts, ReportFile};
use crate::ladder::eval::{self, CriterionResult, Figures, Inputs};
use crate::paths::PathMapper;

/// Version of the check JSON contract: bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub dir: PathBuf,
    pub config: Option<PathBuf>,
    /// Overrides every required level of the config.
    pub min_level: Option<u8>,
    pub base: Option<String>,
    /// A GitHub Actions event payload (`$GITHUB_EVENT_PATH`): the change is what the event
    /// names, fetched when the checkout lacks it, and never an error (see
    /// [`crate::change::event`]).
    pub event: Option<PathBuf>,
    /// Keep the per-report and per-suite attribution reasons in the result.
    pub explain_attribution: bool,
}

/// The change as the result reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSummary {
    /// `"diff"` or `"all-lines"`.
    #[serde(deserialize_with = "static_str")]
    pub scope: crate::check::StaticStr,
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
    #[serde(deserialize_with = "static_str")]
    pub testcert_version: crate::check::StaticStr,
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
    pub comparison: Option<crate::compare::Comparison>,
    /// Not read back by `testcert render --from` (it renders without it).
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub attribution: Option<Vec<crate::attribute::Explanation>>,
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
    pub fn repository_level(&self) -> u8 {
        self.projects.iter().map(|p| p.level).min().unwrap_or(0)
    }
}

/// Runs the check. Errors are usage or config errors; reports that cannot be read are
/// recorded in the result (and make its exit code 2) without stopping the rest.
pub fn run(opts: &CheckOptions, env: &dyn Fn(&str) -> Option<String>) -> Result<CheckResult> {
    let root = std::fs::canonicalize(&opts.dir).with_context(|| {
        format!(
            "cannot open the repository directory {}",
            opts.dir.display()
        )
    })?;
    let (config, source) = Config::load(&root, opts.config.as_deref())?;
    let projects = crate::discover::projects::projects(&root, &config)?;
    let files = crate::discover::reports::reports(&root, &config)?;
    let repo = crate::discover::ci::repo_facts(&root, env);
    let (change, change_warnings) = match &opts.event {
        Some(event) => crate::change::event::change(&root, event, opts.base.as_deref(), env),
        None => (
            crate::change::change(&root, opts.base.as_deref(), env)?,
            Vec::new(),
        ),
    };

    let mut mapper =
        PathMapper::scan(&root).with_context(|| format!("cannot list {}", root.display()))?;
    for p in &config.paths.strip_prefix {
        mapper = mapper.strip_prefix(p.clone());
    }
    mapper = mapper.path_prefix(config.paths.path_prefix.clone());

    let (reports, report_errors) = read(&root, &files);
    let mut warnings = change_warnings;
    if files.is_empty() {
        warnings.push(format!(
            "no report found under {} (default globs{}): run the tests with coverage and JUnit output first",
            root.display(),
            if config.reports.include.is_empty() { "" } else { " and [reports] include" }
        ));
    }
    for (f, r) in &reports {
        for w in &r.ctx.warnings {
            warnings.push(format!("{}: {w}", f.path));
        }
    }
    let (evidence, explanations) =
        crate::attribute::attribute(&projects, reports, &config, &root, &mapper);

    let test_files = crate::classify::TestFiles::new(&config);
    let is_test_file = |p: &str| test_files.matches(p);
    let related = |s: &str, t: &str| crate::classify::related_test(s, t);
    let mut results = Vec::with_capacity(evidence.len());
    for ev in &evidence {
        let verdict = eval::evaluate(&Inputs {
            ev,
            change: &change,
            repo: &repo,
            config: &config,
            is_test_file: &is_test_file,
            related_test: &related,
        });
        let required = required_level(&config, &ev.project, opts.min_level);
        results.push(ProjectResult {
            name: ev.project.name.clone(),
            path: ev.project.path.clone(),
            found_by: ev.project.found_by.clone(),
            level: verdict.level,
            required_level: required,
            passed: verdict.level >= required,
            relies_on_waiver: verdict.relies_on_waiver,
            thresholds: config.thresholds.non_default(),
            criteria: verdict.criteria,
            next_steps: verdict.next_steps,
            evidence: verdict.figures,
        });
    }
    let required_level = results.iter().map(|p| p.required_level).max().unwrap_or(0);
    let passed = report_errors.is_empty() && results.iter().all(|p| p.passed);
    Ok(CheckResult {
        schema_version: SCHEMA_VERSION,
        testcert_version: env!("CARGO_PKG_VERSION"),
        config: display_source(&source, &root),
        max_level: config.max_level(),
        required_level,
        passed,
        change: summarize(&change),
        repository: repo,
        reports_found: files.len(),
        report_errors,
        warnings,
        projects: results,
        stamp: None,
        comparison: None,
        attribution: opts.explain_attribution.then_some(explanations),
    })
}

/// `&'static str` under another name: serde's derive takes a field written `&str` as borrowed
/// from the input; the result's are read with [`static_str`] instead.
pub type StaticStr = &'static str;

/// Deserializes the result's `&'static str` fields: the known values (criterion ids and
/// titles, scopes, this version) without allocating, any other by leaking it — a result is
/// read once per process.
pub(crate) fn static_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    let known = ["diff", "all-lines", env!("CARGO_PKG_VERSION")]
        .into_iter()
        .chain(crate::ladder::CRITERIA.iter().flat_map(|c| [c.id, c.title]))
        .find(|k| *k == s);
    Ok(known.unwrap_or_else(|| Box::leak(s.into_boxed_str())))
}

fn display_source(source: &Source, root: &Path) -> String {
    match source {
        Source::Default => source.to_string(),
        Source::File(p) => rel(p, root),
        Source::CargoMetadata(p, table) => format!("{} [{table}]", rel(p, root)),
    }
}

fn rel(p: &Path, root: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn required_level(config: &Config, project: &Project, cli: Option<u8>) -> u8 {
    if let Some(l) = cli {
        return l;
    }
    config
        .project
        .iter()
        .filter(|p| p.required_level.is_some())
        .find(|p| {
            let path = p.path.trim_matches('/');
            let path = if path == "." { "" } else { path };
            glob::Pattern::new(path).map_or(path == project.path, |g| g.matches(&project.path))
                || p.name.as_deref() == Some(project.name.as_str())
        })
        .and_then(|p| p.required_level)
        .or(config.required_level)
        .unwrap_or(0)
}

fn summarize(change: &Change) -> ChangeSummary {
    match change {
        Change::All { reason } => ChangeSummary {
            scope: "all-lines",
            base_ref: None,
            base_commit: None,
            note: Some(reason.clone()),
            changed_files: 0,
        },
        Change::Diff {
            base_ref,
            base_commit,
            files,
            ..
        } => ChangeSummary {
            scope: "diff",
            base_ref: Some(base_ref.clone()),
            base_commit: Some(base_commit.clone()),
            note: None,
            changed_files: files.len(),
        },
    }
}

/// Reads every report (on all cores), splitting what was read from what failed.
fn read(
    root: &Path,
    files: &[ReportFile],
) -> (Vec<(ReportFile, crate::ingest::Report)>, Vec<ReportError>) {
    let paths: Vec<PathBuf> = files.iter().map(|f| root.join(&f.path)).collect();
    let bytes = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let pb = crate::progress::bar(paths.len(), bytes, "reading reports");
    let results = crate::ingest::read_reports(&paths, &pb);
    pb.finish_and_clear();
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (file, r) in files.iter().zip(results) {
        match r {
            Ok(report) => ok.push((file.clone(), report)),
            Err(e) => {
                // The error names the absolute path; show the repository-relative one.
                let msg = e.to_string();
                let abs = e.path.display().to_string();
                let msg = msg
                    .strip_prefix(&abs)
                    .map_or(msg.clone(), |rest| format!("{}{rest}", file.path));
                errors.push(ReportError {
                    path: file.path.clone(),
                    error: msg,
                })
            }
        }
    }
    (ok, errors)
}
