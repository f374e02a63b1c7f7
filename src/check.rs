//! `testcert check`: discover → ingest → attribute → evaluate, into one
//! [`CheckResult`] that every renderer reads (its contract lives
//! in [`crate::result`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::progress::Progress;

use crate::config::{Config, Source};
use crate::evidence::{Change, Project, ReportFile};
use crate::ladder::eval::{self, Inputs};
use crate::paths::PathMapper;
use crate::result::{
    ChangeSummary, CheckResult, ProjectResult, ReportError, Scope, SCHEMA_VERSION,
};

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
    /// `crate::change::event`).
    pub event: Option<PathBuf>,
    /// Keep the per-report and per-suite attribution reasons in the result.
    pub explain_attribution: bool,
}

/// Runs the check. Errors are usage or config errors; reports that cannot be read are
/// recorded in the result (and make its exit code 2) without stopping the rest.
pub fn run(opts: &CheckOptions, env: &dyn Fn(&str) -> Option<String>) -> Result<CheckResult> {
    run_with(opts, env, Progress::HIDDEN)
}

/// [`run`], with the caller's progress bars while the reports are read.
pub fn run_with(
    opts: &CheckOptions,
    env: &dyn Fn(&str) -> Option<String>,
    progress: Progress,
) -> Result<CheckResult> {
    let root = std::fs::canonicalize(&opts.dir).with_context(|| {
        format!(
            "cannot open the repository directory {}",
            opts.dir.display()
        )
    })?;
    let (config, source) = Config::load(&root, opts.config.as_deref())?;
    if let Some(l) = opts.min_level.filter(|l| *l > config.max_level()) {
        // A level above the highest one evaluated can never be reached.
        anyhow::bail!(
            "--min-level {l} is above max_level = {} ({source}): it can never be reached (set max_level = 5 for levels 4 and 5)",
            config.max_level()
        );
    }
    // Every search below lists a directory at most once between them.
    let tree = crate::discover::Tree::new(&root);
    let crate::discover::projects::Discovery {
        projects, packages, ..
    } = crate::discover::projects::discover_in(&tree, &config)?;
    let ci_outputs = crate::discover::ci::report_outputs_in(&tree);
    let found = crate::discover::reports::discover_in(&tree, &config, &ci_outputs)?;
    let mut files = found.files.clone();
    let mut warnings = Vec::new();
    let aggregates = {
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        crate::discover::reports::ant_aggregates(&paths)
    };
    for &(i, sibling) in aggregates.iter().rev() {
        warnings.push(format!(
            "{}: skipped: Ant's junitreport aggregate of the TEST-*.xml beside it ({} …), which are read instead",
            files[i].path, files[sibling].path
        ));
        files.remove(i);
    }
    warnings.reverse();
    let repo = crate::discover::ci::repo_facts_in(&tree, env);
    let (change, change_warnings) = match &opts.event {
        Some(event) => crate::change::event::change(&root, event, opts.base.as_deref(), env),
        None => (
            crate::change::change(&root, opts.base.as_deref(), env)?,
            Vec::new(),
        ),
    };
    // What getting the change said comes first, then the skipped aggregates.
    let mut warnings = {
        let mut w = change_warnings;
        w.append(&mut warnings);
        w
    };

    let mut mapper =
        PathMapper::from_tree(&tree).with_context(|| format!("cannot list {}", root.display()))?;
    for p in &config.paths.strip_prefix {
        mapper = mapper.strip_prefix(p.clone());
    }
    mapper = mapper.path_prefix(config.paths.path_prefix.clone());

    // Each report is attributed by the worker that read it, as soon as it is read.
    let attributor = crate::attribute::Ctx::new(&projects, &packages, &config, &root, &mapper);
    let (pieces, report_warnings, report_errors) =
        read(&root, &files, progress, &attributor, &mapper);
    if files.is_empty() {
        warnings.push(format!(
            "no report found under {} (default globs, report folders, CI output paths{}): run the tests with coverage and JUnit output first",
            root.display(),
            if config.reports.include.is_empty() { "" } else { " and [reports] include" }
        ));
    }
    warnings.extend(discovery_warnings(&found));
    warnings.extend(report_warnings);
    let crate::attribute::Attributed {
        evidence,
        mut explanations,
        warnings: attribution_warnings,
    } = attributor.finish(pieces);
    warnings.extend(attribution_warnings);
    // How the reports not named like one were found, and what was looked at and skipped
    // (reports found by a default glob or `[reports] include` need no word).
    let discovered = found
        .sniffed
        .iter()
        .map(|(p, how)| (p, format!("read: {how}")))
        .chain(
            found
                .skipped
                .iter()
                .map(|(p, why)| (p, format!("skipped: {why}"))),
        )
        .chain(found.hidden.iter().map(|p| {
            (
                p,
                "not read: in a hidden directory (add it to [reports] include)".to_string(),
            )
        }))
        .map(|(p, reason)| crate::result::Explanation {
            subject: p.clone(),
            project: None,
            reason,
        });
    explanations.splice(0..0, discovered);

    let test_files = crate::classify::TestFiles::new(&config);
    let is_test_file = |p: &str| test_files.matches(p);
    let related = |s: &str, t: &str| crate::classify::related_test(s, t);
    // Projects are judged independently of each other: on all cores, in project order.
    let results = crate::parallel::map_owned(evidence, |ev| {
        let verdict = eval::evaluate(&Inputs {
            ev: &ev,
            change: &change,
            repo: &repo,
            projects: &projects,
            config: &config,
            is_test_file: &is_test_file,
            related_test: &related,
        });
        let required = required_level(&config, &ev.project, opts.min_level);
        let result = ProjectResult {
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
        };
        // A project's models are not needed once it is judged. Freed on another thread
        // (freeing is no reason to wait), and now rather than after every project: the
        // next projects' figures then take the memory they held, not more of it.
        crate::parallel::drop_later(ev);
        result
    });
    let required_level = results.iter().map(|p| p.required_level).max().unwrap_or(0);
    let passed = report_errors.is_empty() && results.iter().all(|p| p.passed);
    Ok(CheckResult {
        schema_version: SCHEMA_VERSION,
        testcert_version: env!("CARGO_PKG_VERSION").into(),
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
        team: config.team.as_deref().map(|t| t.trim().to_string()),
    })
}

/// `warning` with every absolute path in it (a path of the machine that wrote the report,
/// `/home/runner/work/…`, `D:\a\…`) shown as the repository file it maps to, else as its
/// last two components after `…/`: a path from another machine means nothing here and
/// only makes the message longer.
fn local_paths(warning: &str, mapper: &PathMapper) -> String {
    let absolute = |t: &str| {
        let b = t.as_bytes();
        t.starts_with('/')
            || (b.len() > 2
                && b[0].is_ascii_alphabetic()
                && b[1] == b':'
                && matches!(b[2], b'/' | b'\\'))
    };
    if !warning.split_whitespace().any(absolute) {
        return warning.to_string();
    }
    let mut out = String::with_capacity(warning.len());
    for (i, token) in warning.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if !absolute(token) {
            out.push_str(token);
            continue;
        }
        // Punctuation the message put after the path (`…/main.rs:`, `…/a.rs),`).
        let path = token.trim_end_matches([':', ',', ';', ')', '.', '\'', '"']);
        let tail = &token[path.len()..];
        let mapped = mapper.map(path, &[]);
        if mapped.found {
            out.push_str(&mapped.path);
        } else {
            let norm = crate::paths::normalize(path);
            let parts: Vec<&str> = norm.rsplit('/').take(2).collect();
            out.push_str("…/");
            out.push_str(&parts.into_iter().rev().collect::<Vec<_>>().join("/"));
        }
        out.push_str(tail);
    }
    out
}

/// What discovery skipped, as warnings: a count of the candidates that are no report (with
/// the first), and the report-looking files of hidden directories with the `[reports]
/// include` line that reads them.
fn discovery_warnings(found: &crate::discover::reports::Found) -> Vec<String> {
    use crate::words::plural;
    let mut out = Vec::new();
    if let Some((first, why)) = found.skipped.first() {
        out.push(format!(
            "{} in report folders or at CI output paths skipped: not reports (first: {first}: {why}); --explain-attribution lists them",
            plural(found.skipped.len() as u64, "file"),
        ));
    }
    if !found.hidden.is_empty() {
        const SHOWN: usize = 3;
        let quoted: Vec<String> = found
            .hidden
            .iter()
            .take(SHOWN)
            .map(|p| format!("{p:?}"))
            .collect();
        out.push(format!(
            "{} in hidden directories {} and {} not read: {}{}; to read {}, add to testcert.toml: [reports] include = [{}]",
            plural(found.hidden.len() as u64, "file"),
            if found.hidden.len() == 1 { "looks like a report" } else { "look like reports" },
            if found.hidden.len() == 1 { "was" } else { "were" },
            found.hidden.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", "),
            if found.hidden.len() > SHOWN {
                format!(" and {} more", found.hidden.len() - SHOWN)
            } else {
                String::new()
            },
            if found.hidden.len() == 1 { "it" } else { "them" },
            quoted.join(", "),
        ));
    }
    out
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
            scope: Scope::AllLines,
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
            scope: Scope::Diff,
            base_ref: Some(base_ref.clone()),
            base_commit: Some(base_commit.clone()),
            note: None,
            changed_files: files.len(),
        },
    }
}

/// Reads and attributes every report (on all cores), splitting what was read (each report's
/// attribution, and its warnings) from what failed.
fn read(
    root: &Path,
    files: &[ReportFile],
    progress: Progress,
    attributor: &crate::attribute::Ctx<'_>,
    mapper: &PathMapper,
) -> (Vec<crate::attribute::Piece>, Vec<String>, Vec<ReportError>) {
    let reports = crate::ingest::sized(files.iter().map(|f| root.join(&f.path)));
    let bytes = reports.iter().map(|(_, size)| size).sum();
    let pb = progress.bar(reports.len(), bytes, "reading reports");
    let jobs: Vec<(&ReportFile, &(PathBuf, u64))> = files.iter().zip(&reports).collect();
    let results = crate::parallel::map(&jobs, |&(file, (path, size))| {
        let r = crate::ingest::read_report(path).map(|report| {
            let warnings: Vec<String> = report
                .ctx
                .warnings
                .iter()
                .map(|w| format!("{}: {}", file.path, local_paths(w, mapper)))
                .collect();
            (attributor.report(file, report), warnings)
        });
        pb.inc(*size);
        r
    });
    pb.finish_and_clear();
    let mut pieces = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for (file, r) in files.iter().zip(results) {
        match r {
            Ok((piece, w)) => {
                pieces.push(piece);
                warnings.extend(w);
            }
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
    (pieces, warnings, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_show_no_path_of_another_machine() {
        let m = PathMapper::from_files("/here/repo", ["crates/cli/src/main.rs".to_string()]);
        assert_eq!(
            local_paths(
                "line summary disagrees: /home/runner/work/r/r/crates/cli/src/main.rs (line 1): LF:3",
                &m
            ),
            "line summary disagrees: crates/cli/src/main.rs (line 1): LF:3"
        );
        // Not a file of this repository: the last two components.
        assert_eq!(
            local_paths("cannot map D:\\a\\r\\gen\\out.rs, skipped", &m),
            "cannot map …/gen/out.rs, skipped"
        );
        assert_eq!(local_paths("no paths here: a/b", &m), "no paths here: a/b");
    }
}
