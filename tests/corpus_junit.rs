//! Conformance of the JUnit XML reader with three peers, on the corpus they ship
//! (`fixtures/corpus/junit/`, expected totals in `fixtures/corpus/expected.json`).
//!
//! Counting rules, ours and theirs:
//!
//! - testcert's `TestRun` (what `read_report` returns) holds **distinct tests**: testcase
//!   elements with the same (suite, class, name) are folded into one, whose `attempts` count
//!   the elements (plus `flakyFailure`/`rerunFailure` children).
//! - The **element view** is the same parse without the fold (`junit::parse`, no `finish`):
//!   one entry per testcase element.
//! - EnricoMi/publish-unit-test-result-action: `tests*` = distinct tests (compared with the
//!   distinct view), `runs` = testcase elements (compared with Σ attempts), `runs_*` compared
//!   with the element view. `failures` = our failed, `errors` = our errors. `parse_errors > 0`
//!   means the peer could not read the file as JUnit: we must reject it.
//! - dorny/test-reporter: passed/failed/skipped/tests, failed = failures + errors.
//! - mikepenz/action-junit-report: tests = totalCount, skipped, failed = failures + errors,
//!   `retried` = repeated runs (Σ (attempts − 1)).
//! - A flaky test (failed, then passed) counts as passed for every peer.
//!
//! Every entry is compared with the distinct view unless the table [`DEVIATIONS`] says why
//! not; each deviation states our figures too, so that a change on either side shows up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use testcert::ingest::{self, Ctx, Data, Format};
use testcert::model::{Outcome, TestRun};

const CORPUS: &str = "fixtures/corpus";

/// Why a file's peer figures differ from testcert's distinct view, on purpose.
enum Deviation {
    /// The peer counts every testcase element; testcert folds repeats of one (suite, class,
    /// name) into one test. Checked: the peer's figures equal our element view, and our
    /// distinct view is `ours` (tests, passed+flaky, failed+errors, skipped).
    Folded { ours: [u64; 4], why: &'static str },
    /// The peer reads a malformed file leniently (or yields nothing from it); testcert rejects
    /// it with a located error whose text contains `error`.
    Rejected { error: &'static str },
    /// Fields the peer computes by a rule we do not share (named, with the reason); the other
    /// fields are compared as usual.
    Fields {
        fields: &'static [&'static str],
        why: &'static str,
    },
}

/// (peer source file prefix, corpus path, deviation).
const DEVIATIONS: &[(&str, &str, Deviation)] = &[
    (
        "dorny/test-reporter",
        "junit/test-reporter/fixtures/external/java/pulsar-test-report.xml",
        Deviation::Folded {
            ours: [670, 666, 1, 3],
            why: "TestNG writes one testcase per invocation of a method (up to 50 passing elements for one name) and per retry (skipped+failure, pass+skipped): 808 elements, 670 distinct tests",
        },
    ),
    (
        "dorny/test-reporter",
        "junit/test-reporter/fixtures/external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml",
        Deviation::Folded {
            ours: [1, 0, 1, 0],
            why: "TestNG retry: the first attempt written <skipped>, the retry <failure>; one test that failed",
        },
    ),
    (
        "dorny/test-reporter",
        "junit/test-reporter/fixtures/external/jest/jest-test-results.xml",
        Deviation::Folded {
            ours: [4143, 4111, 2, 30],
            why: "jest reports same-titled tests of one file (all passing, up to 50 for one title) as separate testcases: 4239 elements, 4143 distinct identities",
        },
    ),
    (
        "mikepenz/action-junit-report",
        "junit/action-junit-report/test_results/junit-web-test/expectedRetries.xml",
        Deviation::Folded {
            ours: [7, 5, 1, 1],
            why: "expectation taken without retry handling; with check_retries the peer also reports 7",
        },
    ),
    (
        "mikepenz/action-junit-report",
        "junit/action-junit-report/test_results/corrupt-junit/e2e-tests/corrupt/target/sf-reports/TEST-test.CorruptTest.xml",
        Deviation::Rejected {
            error: "CDATA not closed",
        },
    ),
    (
        "EnricoMi/publish-unit-test-result-action",
        "junit/publish-unit-test-result-action/junit-xml/no-cases-but-tests.xml",
        Deviation::Fields {
            fields: &[
                "tests",
                "passed",
                "skipped",
                "failures",
                "runs",
                "runs_passed",
                "runs_skipped",
                "runs_failures",
            ],
            why: "the file has no testcase; the peer falls back to the testsuite header counts (tests=6 …), testcert never trusts header counts: 0 tests, with a warning",
        },
    ),
    (
        "EnricoMi/publish-unit-test-result-action",
        "junit/publish-unit-test-result-action/junit-xml/tst/disabled.xml",
        Deviation::Fields {
            fields: &["runs_passed", "runs_skipped"],
            why: "the peer counts status=\"disabled\" runs as succeeded (runs_succ=11) but the tests as skipped; testcert counts them skipped in both views",
        },
    ),
    (
        "EnricoMi/publish-unit-test-result-action",
        "junit/publish-unit-test-result-action/junit-xml/junit.multiresult.xml",
        Deviation::Fields {
            fields: &["runs_passed", "runs_skipped", "runs_failures"],
            why: "the peer counts every result element of a testcase as a run outcome (runs_succ = -2); testcert gives a testcase one outcome, strongest first (error > failure > skipped)",
        },
    ),
];

/// The figures a peer may state, as testcert computes them from one view.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tests: u64,
    /// Passed + flaky.
    passed: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
    attempts: u64,
}

impl Counts {
    fn of(run: &TestRun) -> Counts {
        let mut c = Counts::default();
        for case in &run.cases {
            c.tests += 1;
            c.attempts += u64::from(case.attempts);
            match case.outcome {
                Outcome::Passed | Outcome::Flaky => c.passed += 1,
                Outcome::Failed => c.failures += 1,
                Outcome::Error => c.errors += 1,
                Outcome::Skipped => c.skipped += 1,
            }
        }
        c
    }

    fn failed(&self) -> u64 {
        self.failures + self.errors
    }
}

/// Our value for a peer field: `distinct` is the folded run, `elements` the unfolded one.
fn ours(field: &str, distinct: &Counts, elements: &Counts) -> Option<u64> {
    Some(match field {
        "tests" => distinct.tests,
        "passed" => distinct.passed,
        "skipped" => distinct.skipped,
        "failures" => distinct.failures,
        "errors" => distinct.errors,
        "failed" => distinct.failed(),
        "retried" => distinct.attempts - distinct.tests,
        "runs" => distinct.attempts,
        "runs_passed" => elements.passed,
        "runs_skipped" => elements.skipped,
        "runs_failures" => elements.failures,
        "runs_errors" => elements.errors,
        _ => return None,
    })
}

/// The same fields as the peer counts them when it counts elements.
fn elements_value(field: &str, elements: &Counts) -> Option<u64> {
    Some(match field {
        "tests" => elements.tests,
        "passed" => elements.passed,
        "skipped" => elements.skipped,
        "failures" => elements.failures,
        "errors" => elements.errors,
        "failed" => elements.failed(),
        _ => return None,
    })
}

const COMPARED: [&str; 12] = [
    "tests",
    "passed",
    "skipped",
    "failures",
    "errors",
    "failed",
    "retried",
    "runs",
    "runs_passed",
    "runs_skipped",
    "runs_failures",
    "runs_errors",
];

/// The distinct and element views of a JUnit file, or the error message.
fn views(path: &Path) -> Result<(Counts, Counts, Vec<String>), String> {
    let report = ingest::read_report(path).map_err(|e| e.to_string())?;
    assert_eq!(report.format, Format::Junit, "{}", path.display());
    let Data::Tests(run) = &report.data else {
        panic!("{}: JUnit gave coverage", path.display())
    };
    let distinct = Counts::of(run);
    let mut input = ingest::open(path).unwrap();
    let mut ctx = Ctx::default();
    let unfolded = ingest::testrun::junit::parse(&mut input, &mut ctx).unwrap();
    Ok((distinct, Counts::of(&unfolded), report.ctx.warnings))
}

fn deviation(source: &str, path: &str) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|(s, p, _)| source.starts_with(s) && *p == path)
        .map(|(_, _, d)| d)
}

#[test]
fn junit_corpus_matches_peers() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{CORPUS}/expected.json")).unwrap())
            .unwrap();
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut deviating = Vec::new();
    let mut used_deviations = 0;
    for e in expected["entries"].as_array().unwrap() {
        let rel = e["path"].as_str().unwrap();
        if !rel.starts_with("junit/") || e["format"] != "junit-xml" {
            continue;
        }
        let source = e["source"].as_str().unwrap();
        if e["stale"] == true {
            // A peer expectation its own project no longer holds (the entry's "note" says which
            // one replaces it): not a reference.
            println!("stale, skipped: {rel} ({source})");
            continue;
        }
        let path = PathBuf::from(CORPUS).join(rel);
        let got = views(&path);
        let dev = deviation(source, rel);
        if dev.is_some() {
            used_deviations += 1;
        }
        let must_reject = e.get("expect_parse_error").is_some()
            || e["parse_errors"].as_u64().is_some_and(|n| n > 0);
        if must_reject {
            match got {
                Err(msg) if msg.contains(rel) || msg.starts_with(&path.display().to_string()) => {
                    exact += 1
                }
                Err(msg) => failures.push(format!("{rel}: error does not name the file: {msg}")),
                Ok(_) => failures.push(format!("{rel} ({source}): must be rejected, was read")),
            }
            continue;
        }
        if let Some(Deviation::Rejected { error }) = dev {
            match got {
                Err(msg) if msg.contains(error) => deviating.push(format!(
                    "{rel}: peer yields {} tests, testcert rejects it: {msg}",
                    e["tests"]
                )),
                other => failures.push(format!(
                    "{rel}: expected rejection containing {error:?}, got {other:?}"
                )),
            }
            continue;
        }
        let (distinct, elements, warnings) = match got {
            Ok(v) => v,
            Err(msg) => {
                failures.push(format!("{rel} ({source}): not read: {msg}"));
                continue;
            }
        };
        let mut diffs = Vec::new();
        let mut skipped_fields = Vec::new();
        for field in COMPARED {
            let Some(peer) = e.get(field).and_then(Value::as_i64) else {
                continue;
            };
            match dev {
                Some(Deviation::Fields { fields, .. }) if fields.contains(&field) => {
                    let mine = ours(field, &distinct, &elements).unwrap();
                    skipped_fields.push(format!("{field} peer {peer} / ours {mine}"));
                    continue;
                }
                Some(Deviation::Folded { .. }) => {
                    // The peer counted elements: our element view must say the same.
                    if let Some(mine) = elements_value(field, &elements) {
                        if mine as i64 != peer {
                            diffs.push(format!("{field} (elements): peer {peer}, ours {mine}"));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let mine = ours(field, &distinct, &elements).unwrap();
            if mine as i64 != peer {
                diffs.push(format!("{field}: peer {peer}, ours {mine}"));
            }
        }
        match dev {
            Some(Deviation::Folded { ours: o, why }) => {
                let got = [
                    distinct.tests,
                    distinct.passed,
                    distinct.failed(),
                    distinct.skipped,
                ];
                if got != *o {
                    diffs.push(format!("distinct view {got:?}, table says {o:?}"));
                }
                deviating.push(format!(
                    "{rel}: folded, distinct tests/passed/failed/skipped {o:?} ({why})"
                ));
            }
            Some(Deviation::Fields { why, .. }) => {
                deviating.push(format!("{rel}: {} ({why})", skipped_fields.join(", ")));
            }
            _ => {}
        }
        if rel.ends_with("no-cases-but-tests.xml")
            && !warnings.iter().any(|w| w.contains("tests=\"6\""))
        {
            diffs.push(format!("missing header warning: {warnings:?}"));
        }
        if diffs.is_empty() {
            if dev.is_none() {
                exact += 1;
            }
        } else {
            failures.push(format!("{rel} ({source}): {}", diffs.join("; ")));
        }
    }
    println!(
        "{exact} entries match exactly; {} deviate on purpose:",
        deviating.len()
    );
    for d in &deviating {
        println!("  {d}");
    }
    assert_eq!(
        used_deviations,
        DEVIATIONS.len(),
        "a deviation in the table matches no entry"
    );
    assert!(
        failures.is_empty(),
        "{} corpus entries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every report under `fixtures/corpus/junit/` is read or rejected with a message: no panic,
/// and an XML error is located.
#[test]
fn every_junit_corpus_file_is_read_or_rejected() {
    let mut files = Vec::new();
    collect(Path::new(CORPUS).join("junit").as_path(), &mut files);
    let mut outcome = BTreeMap::new();
    for f in &files {
        let r = std::panic::catch_unwind(|| ingest::read_report(f));
        let r = r.unwrap_or_else(|_| panic!("{} panicked", f.display()));
        match r {
            Ok(rep) => {
                assert_eq!(rep.format, Format::Junit, "{}", f.display());
                outcome.insert(f.clone(), "read".to_string());
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.len() > f.display().to_string().len() + 2, "{msg}");
                if e.format == Some(Format::Junit) {
                    // A JUnit file that failed says line:col and the element path.
                    assert!(e.error.at.line.is_some(), "{msg}");
                }
                outcome.insert(f.clone(), msg);
            }
        }
    }
    assert!(files.len() >= 80, "corpus missing? {} files", files.len());
    let rejected: Vec<_> = outcome.values().filter(|v| *v != "read").collect();
    assert_eq!(rejected.len(), 5, "{rejected:#?}");
}

/// Report files only: the peers' expected-output files sit next to them.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
    out.sort();
}
