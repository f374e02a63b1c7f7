//! `testcert inspect FILE...`: which format each file is, and what testcert read from it.
//!
//! The JSON shape (`--format json`) is a contract documented in README ("inspect JSON"):
//! an array, one object per input, in input order.

use std::path::PathBuf;

use serde::Serialize;

use crate::ingest::{self, Data, IngestError, Kind, Report};
use crate::model::{Counter, TestTotals};
use crate::paths::PathMapper;
use crate::words::{fraction, plural};

/// What `inspect` says about one input.
#[derive(Debug, Serialize, PartialEq)]
pub struct Inspected {
    pub path: String,
    /// Format name (`lcov`, `junit`, …); `null` when the file was not recognised.
    pub format: Option<&'static str>,
    pub kind: Option<Kind>,
    #[serde(flatten)]
    pub coverage: Option<CoverageSummary>,
    #[serde(flatten)]
    pub tests: Option<TestsSummary>,
    pub warnings: Vec<String>,
    /// `path:line:col: element-path: message`, or `null` when the file was read.
    pub error: Option<String>,
}

/// Test figures of one report: counts by outcome, and what they are counts of.
#[derive(Debug, Serialize, PartialEq)]
pub struct TestsSummary {
    #[serde(flatten)]
    pub totals: TestTotals,
    /// Distinct test identities (suite, class, name): fewer than `tests` when the producer
    /// repeats names and each result was kept as a test.
    pub distinct: u64,
    /// Every recorded execution, reruns included (the tests' attempts summed).
    pub runs: u64,
}

/// Coverage figures of one report.
#[derive(Debug, Serialize, PartialEq)]
pub struct CoverageSummary {
    /// Source files in the report (after merging duplicate records).
    pub files: usize,
    /// Source files that map to no file under the repository root.
    pub unmapped_files: usize,
    pub lines: Counter,
    /// `null` when the format cannot express branches.
    pub branches: Option<Counter>,
    /// `null` when the format cannot express functions.
    pub functions: Option<Counter>,
    /// True when the report holds only totals (Istanbul `coverage-summary.json`): no
    /// per-line data, so it cannot serve incremental coverage.
    pub summary_only: bool,
}

/// Reads every input and describes it. Paths are mapped against `mapper`.
pub fn inspect(paths: &[PathBuf], mapper: &PathMapper) -> Vec<Inspected> {
    inspect_with(paths, mapper, crate::progress::Progress::HIDDEN)
}

/// [`inspect`], with the caller's progress bars while the reports are read.
pub fn inspect_with(
    paths: &[PathBuf],
    mapper: &PathMapper,
    progress: crate::progress::Progress,
) -> Vec<Inspected> {
    let reports = ingest::sized(paths.iter().cloned());
    let bytes = reports.iter().map(|(_, size)| size).sum();
    let pb = progress.bar(paths.len(), bytes, "reading reports");
    // Ant's aggregate given with the TEST-*.xml it was made from: read once, from the latter.
    let aggregates = crate::discover::reports::ant_aggregates(paths);
    let skip: Vec<usize> = aggregates.iter().map(|&(i, _)| i).collect();
    let read: Vec<(PathBuf, u64)> = reports
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(_, r)| r)
        .collect();
    let mut results = ingest::read_reports(&read, &pb).into_iter();
    pb.finish_and_clear();
    (0..paths.len())
        .map(|i| match aggregates.iter().find(|&&(a, _)| a == i) {
            Some(&(_, sibling)) => Inspected {
                path: paths[i].display().to_string(),
                format: Some(ingest::Format::Junit.name()),
                kind: Some(Kind::Tests),
                coverage: None,
                tests: None,
                warnings: vec![format!(
                    "skipped: Ant's junitreport aggregate of the TEST-*.xml beside it ({} …), which are read instead",
                    paths[sibling].display()
                )],
                error: None,
            },
            None => match results.next().expect("one result per file read") {
                Ok(report) => describe(report, mapper),
                Err(e) => failed(e),
            },
        })
        .collect()
}

/// Describes one report that was read, mapping its paths.
pub(crate) fn describe(report: Report, mapper: &PathMapper) -> Inspected {
    let Report {
        path,
        format,
        data,
        mut ctx,
    } = report;
    let (coverage, tests) = match data {
        Data::Coverage(mut cov) => {
            let mut unmapped = Vec::new();
            let roots = ctx.roots.clone();
            cov.map_paths(|p| {
                let m = mapper.map(p, &roots);
                if !m.found {
                    unmapped.push(m.path.clone());
                }
                m.path
            });
            unmapped.sort();
            unmapped.dedup();
            if !unmapped.is_empty() {
                ctx.warn(format!(
                    "{} of {} source files map to no file under {} (first: {}); use --strip-prefix/--path-prefix or --root",
                    unmapped.len(),
                    cov.files().len(),
                    mapper.root(),
                    unmapped[0]
                ));
            }
            if cov.summary_only.is_some() {
                ctx.warn("totals only: the report has no per-line data, so it cannot serve incremental coverage");
            }
            let t = cov.totals();
            let caps = format.capabilities();
            (
                Some(CoverageSummary {
                    files: cov.files().len(),
                    unmapped_files: unmapped.len(),
                    lines: t.lines,
                    // Null, not 0 of 0, when the format or this report has no such data
                    // (lcov without --rc branch_coverage, gcovr's Clover, …).
                    branches: (caps.branches && t.branches.total > 0).then_some(t.branches),
                    functions: (caps.functions && t.functions.total > 0).then_some(t.functions),
                    summary_only: cov.summary_only.is_some(),
                }),
                {
                    crate::parallel::drop_later(cov);
                    None
                },
            )
        }
        Data::Tests(run) => {
            let (totals, distinct, runs) = run.counts();
            let summary = TestsSummary {
                totals,
                distinct,
                runs,
            };
            crate::parallel::drop_later(run);
            (None, Some(summary))
        }
    };
    Inspected {
        path: path.display().to_string(),
        format: Some(format.name()),
        kind: Some(format.kind()),
        coverage,
        tests,
        warnings: ctx.warnings,
        error: None,
    }
}

fn failed(e: IngestError) -> Inspected {
    Inspected {
        path: e.path.display().to_string(),
        format: e.format.map(|f| f.name()),
        kind: e.format.map(|f| f.kind()),
        coverage: None,
        tests: None,
        warnings: Vec::new(),
        error: Some(e.to_string()),
    }
}

/// The JSON array, pretty-printed, with a trailing newline.
pub fn render_json(items: &[Inspected]) -> String {
    let mut s = serde_json::to_string_pretty(items).expect("inspect output serializes");
    s.push('\n');
    s
}

/// One paragraph per input, for people.
pub fn render_text(items: &[Inspected]) -> String {
    // Paths and messages come from the reports: shown escaped, never as terminal controls.
    use crate::escape::text as esc;
    let mut out = String::new();
    for i in items {
        if let Some(e) = &i.error {
            out.push_str(&format!(
                "{}: error: {}\n",
                esc(&i.path),
                esc(strip_path(e, &i.path))
            ));
            continue;
        }
        let format = i.format.unwrap_or("?");
        if let Some(c) = &i.coverage {
            out.push_str(&format!(
                "{}: {format} coverage, {}\n  lines     {}\n",
                esc(&i.path),
                plural(c.files as u64, "source file"),
                fraction(c.lines.covered, c.lines.total)
            ));
            if let Some(b) = &c.branches {
                out.push_str(&format!("  branches  {}\n", fraction(b.covered, b.total)));
            }
            if let Some(f) = &c.functions {
                out.push_str(&format!("  functions {}\n", fraction(f.covered, f.total)));
            }
        }
        if let Some(s) = &i.tests {
            let t = &s.totals;
            out.push_str(&format!(
                "{}: {format} tests\n  {}: {} passed, {} failed, {}, {} skipped, {} flaky\n",
                esc(&i.path),
                plural(t.tests, "test"),
                t.passed,
                t.failed,
                plural(t.errors, "error"),
                t.skipped,
                t.flaky
            ));
        }
        if i.coverage.is_none() && i.tests.is_none() {
            // Skipped as a duplicate of other inputs (the warning says which).
            out.push_str(&format!("{}: {format}, not read\n", i.path));
        }
        // Warnings go to standard error (the CLI prints them); here only how many.
        if !i.warnings.is_empty() {
            out.push_str(&format!(
                "  {} on standard error\n",
                plural(i.warnings.len() as u64, "warning")
            ));
        }
    }
    out
}

/// Error strings start with the file path; in the text layout the path is already there.
fn strip_path<'a>(e: &'a str, path: &str) -> &'a str {
    e.strip_prefix(path)
        .and_then(|r| r.strip_prefix(':'))
        .map_or(e, str::trim_start)
}
