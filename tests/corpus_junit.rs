//! Conformance of the JUnit XML reader with three peers, on the corpus they ship
//! (`fixtures/corpus/junit/`, expected totals in `fixtures/corpus/expected.json`).
//!
//! Counting rules, ours and theirs:
//!
//! - testcert's `TestRun` (what `read_report` returns) is the **producer view**: every
//!   testcase element is a test, except where the producer guarantees unique names (pytest,
//!   nextest, go): there repeated elements are attempts of one test, folded (README
//!   "Counting rules"). `attempts` also count `flakyFailure`/`rerunFailure` children.
//! - The **distinct view** folds every repeated (suite, class, name) into one test, whatever
//!   the producer (the same parse finished with `Repeats::Attempts`).
//! - The **element view** is the same parse without `finish`: one entry per testcase element.
//! - EnricoMi/publish-unit-test-result-action: `tests*` = distinct tests (compared with the
//!   distinct view), `runs` = testcase elements (compared with the sum of attempts of the
//!   producer view), `runs_*` compared with the element view. `failures` = our failed,
//!   `errors` = our errors. `parse_errors > 0` means the peer could not read the file as
//!   JUnit: we must reject it.
//! - dorny/test-reporter: passed/failed/skipped/tests, failed = failures + errors, compared with
//!   the producer view (it counts every element, as we do).
//! - mikepenz/action-junit-report: tests = totalCount, skipped, failed = failures + errors,
//!   `retried` = repeated runs (sum of (attempts - 1)), compared with the producer view.
//! - A flaky test (failed, then passed) counts as passed for every peer.
//!
//! Every entry is compared that way unless the table [`DEVIATIONS`] says why not; each
//! deviation states our figures too, so that a change on either side shows up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use testcert::ingest::{self, Ctx, Data, Format};
use testcert::model::{Outcome, Repeats, TestRun};

const CORPUS: &str = "fixtures/corpus";

/// Why a file's peer figures differ from testcert's, on purpose.
enum Deviation {
    /// The peer was run with an option that folds repeated testcase elements into one test
    /// with retries (action-junit-report's `check_retries`); testcert folds only for a
    /// producer that guarantees unique names, and nothing in the file names one. Checked: the
    /// peer's figures equal our distinct view, and our producer view is `ours` (tests,
    /// passed+flaky, failed+errors, skipped).
    PeerFolds { ours: [u64; 4], why: &'static str },
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
        "mikepenz/action-junit-report",
        "junit/action-junit-report/test_results/flaky_retries/flaky_all_failures.xml",
        Deviation::PeerFolds {
            ours: [3, 0, 3, 0],
            why: "hand-written rerun files (pytest-like, the suite not named by pytest): with check_retries the peer folds the repeated testcases; testcert counts each result, so no failed attempt is hidden",
        },
    ),
    (
        "mikepenz/action-junit-report",
        "junit/action-junit-report/test_results/flaky_retries/flaky_success_first.xml",
        Deviation::PeerFolds {
            ours: [3, 1, 2, 0],
            why: "hand-written rerun files (pytest-like, the suite not named by pytest): with check_retries the peer folds the repeated testcases; testcert counts each result, so no failed attempt is hidden",
        },
    ),
    (
        "mikepenz/action-junit-report",
        "junit/action-junit-report/test_results/flaky_retries/flaky_with_classname_file.xml",
        Deviation::PeerFolds {
            ours: [5, 3, 2, 0],
            why: "hand-written rerun files (pytest-like, the suite not named by pytest): with check_retries the peer folds the repeated testcases; testcert counts each result, so no failed attempt is hidden",
        },
    ),
    (
        "dorny/test-reporter",
        "junit/test-reporter/fixtures/python-xunit-pytest.xml",
        Deviation::Fields {
            fields: &["passed", "skipped"],
            why: "an expected failure (<skipped type=\"pytest.xfail\"> / \"XFAIL\") is passed in testcert, as pytest and unittest print it apart from skipped and it does not fail the run; the peer counts it skipped",
        },
    ),
    (
        "dorny/test-reporter",
        "junit/test-reporter/fixtures/python-xunit-unittest.xml",
        Deviation::Fields {
            fields: &["passed", "skipped"],
            why: "an expected failure (<skipped type=\"pytest.xfail\"> / \"XFAIL\") is passed in testcert, as pytest and unittest print it apart from skipped and it does not fail the run; the peer counts it skipped",
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

/// The three views of one file (see the module comment).
#[derive(Debug)]
struct Views {
    producer: Counts,
    distinct: Counts,
    elements: Counts,
}

/// Our value for a peer field, by the peer's rule (`source` names the peer).
fn ours(field: &str, source: &str, v: &Views) -> Option<u64> {
    let enrico = source.starts_with("EnricoMi/");
    let tests = if enrico { &v.distinct } else { &v.producer };
    Some(match field {
        "tests" => tests.tests,
        "passed" => tests.passed,
        "skipped" => tests.skipped,
        "failures" => tests.failures,
        "errors" => tests.errors,
        "failed" => tests.failed(),
        "retried" => tests.attempts - tests.tests,
        "runs" => v.producer.attempts,
        "runs_passed" => v.elements.passed,
        "runs_skipped" => v.elements.skipped,
        "runs_failures" => v.elements.failures,
        "runs_errors" => v.elements.errors,
        _ => return None,
    })
}

/// The same fields in the distinct view, for a peer that folds every repeated name.
fn distinct_value(field: &str, d: &Counts) -> Option<u64> {
    Some(match field {
        "tests" => d.tests,
        "passed" => d.passed,
        "skipped" => d.skipped,
        "failures" => d.failures,
        "errors" => d.errors,
        "failed" => d.failed(),
        "retried" => d.attempts - d.tests,
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

/// The producer, distinct and element views of a JUnit file, or the error message.
fn views(path: &Path) -> Result<(Views, Vec<String>), String> {
    let report = ingest::read_report(path).map_err(|e| e.to_string())?;
    assert_eq!(report.format, Format::Junit, "{}", path.display());
    let Data::Tests(run) = &report.data else {
        panic!("{}: JUnit gave coverage", path.display())
    };
    let producer = Counts::of(run);
    let parse = || {
        let mut input = ingest::open(path).unwrap();
        ingest::testrun::junit::parse(&mut input, &mut Ctx::default()).unwrap()
    };
    let elements = Counts::of(&parse());
    let mut folded = parse();
    folded.repeats = Repeats::Attempts;
    folded.finish();
    let v = Views {
        producer,
        distinct: Counts::of(&folded),
        elements,
    };
    Ok((v, report.ctx.warnings))
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
        let (views, warnings) = match got {
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
                    let mine = ours(field, source, &views).unwrap();
                    skipped_fields.push(format!("{field} peer {peer} / ours {mine}"));
                    continue;
                }
                Some(Deviation::PeerFolds { .. }) => {
                    // The peer folded every repeated name: our distinct view must agree.
                    if let Some(mine) = distinct_value(field, &views.distinct) {
                        if mine as i64 != peer {
                            diffs.push(format!("{field} (distinct): peer {peer}, ours {mine}"));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let mine = ours(field, source, &views).unwrap();
            if mine as i64 != peer {
                diffs.push(format!("{field}: peer {peer}, ours {mine}"));
            }
        }
        match dev {
            Some(Deviation::PeerFolds { ours: o, why }) => {
                let p = &views.producer;
                let got = [p.tests, p.passed, p.failed(), p.skipped];
                if got != *o {
                    diffs.push(format!("producer view {got:?}, table says {o:?}"));
                }
                deviating.push(format!(
                    "{rel}: the peer folds; ours tests/passed/failed/skipped {o:?} ({why})"
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
