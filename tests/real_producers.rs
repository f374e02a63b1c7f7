//! Conformance with the real producers: for every report in `fixtures/real/` (written by the
//! real tool, see fixtures/real/README.md), the figures `inspect` reads equal the totals the
//! producer itself printed (`expected.json`), field by field. A difference is allowed only
//! through [`DEVIATIONS`], each naming the README counting rule that explains it; a deviation
//! that no longer occurs fails too, so the table stays true. Also: a test counted flaky always
//! has a retry record in its report, and the test that fails on every attempt is never flaky.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use testcert::ingest::{read_report, Data};
use testcert::inspect::{inspect, Inspected};
use testcert::model::Outcome;
use testcert::paths::PathMapper;

const TEST_FIELDS: [&str; 5] = ["tests", "failed", "errors", "skipped", "flaky"];
const COVERAGE_FIELDS: [&str; 3] = ["lines", "branches", "functions"];

/// One figure: a count, a coverage counter (total, covered), absent (`null`), or the report
/// could not be read at all (field `read`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fig {
    N(u64),
    C(u64, u64),
    Null,
    Unread,
}
use Fig::{Null, Unread, C, N};

/// Each producer folder and the label of its line in README's "Counting rules", section "Per
/// producer, against its console". Every folder of fixtures/real must be here.
const PRODUCERS: &[(&str, &str)] = &[
    ("ant-junit4-jacoco", "Ant + JUnit 4, JaCoCo"),
    ("cargo-llvm-cov", "cargo-llvm-cov"),
    ("gcovr", "gcovr"),
    ("go", "go test, gotestsum, go cover"),
    ("jest", "jest + jest-junit, Istanbul"),
    ("lcov", "lcov 1.x"),
    ("mocha", "mocha + mocha-junit-reporter, c8, nyc"),
    ("nextest", "cargo-nextest"),
    ("node-test", "node:test"),
    ("pytest", "pytest, coverage.py"),
    ("rspec", "RSpec"),
    ("surefire", "Maven Surefire"),
    ("testng", "TestNG"),
    ("unittest-xml-reporting", "unittest-xml-reporting"),
    ("vitest", "vitest"),
    ("cargo-tarpaulin", "cargo-tarpaulin"),
    ("pytest-matrix", "pytest as a CI matrix and shards"),
    ("phpunit", "PHPUnit"),
];

/// (producer folder, report key of expected.json, field, what testcert reads): the only
/// differences from the producer's printed figure that pass. The rule is the folder's README
/// line (see [`PRODUCERS`]); the comment says which part of it applies.
const DEVIATIONS: &[(&str, &str, &str, Fig)] = &[
    // An incomplete test is a `<skipped/>` in the file: skipped (PHPUnit prints it apart).
    ("phpunit", "reports/junit.xml", "skipped", N(2)),
    // A failing @BeforeClass is one errored pseudo-testcase; Ant prints `Tests run: 0, Errors: 1`
    // for it, so its 11 leave the error out of `tests` (testcert's `tests` is the sum of outcomes).
    (
        "ant-junit4-jacoco",
        "reports/junit/TEST-*.xml",
        "tests",
        N(12),
    ),
    (
        "ant-junit4-jacoco",
        "reports/junit/TESTS-TestSuites.xml",
        "tests",
        N(12),
    ),
    // Each source line once: llvm-cov counts a line per function (a closure on its function's
    // line makes 32 for 31 lines).
    (
        "cargo-llvm-cov",
        "reports/cobertura.xml",
        "lines",
        C(31, 26),
    ),
    ("cargo-llvm-cov", "reports/lcov.info", "lines", C(31, 26)),
    (
        "cargo-llvm-cov",
        "reports/llvm-cov.json",
        "lines",
        C(31, 26),
    ),
    // Each source line once (gcovr counts a template's lines per instantiation: 34 for 30); a
    // line listed twice keeps its better branch record, not the union gcovr sums; gcovr's LCOV
    // holds merged BRDA records (10). The CSV summary is not a format testcert reads.
    ("gcovr", "reports/clover.xml", "lines", C(30, 25)),
    ("gcovr", "reports/cobertura.xml", "lines", C(30, 25)),
    ("gcovr", "reports/cobertura.xml", "branches", C(10, 6)),
    ("gcovr", "reports/coverage.lcov", "lines", C(30, 25)),
    ("gcovr", "reports/coverage.lcov", "branches", C(10, 7)),
    ("gcovr", "reports/gcovr.json", "lines", C(30, 25)),
    ("gcovr", "reports/gcovr.json", "branches", C(10, 6)),
    (
        "gcovr",
        "reports/merge-lines/gcovr.json",
        "branches",
        C(10, 6),
    ),
    ("gcovr", "reports/summary.csv", "read", Unread),
    // go test names are unique: -count / --rerun-fails repeats fold into one test with attempts
    // (gotestsum counts every attempt). The build failure is one errored test in test.json (go
    // prints 12 tests and the FAIL line apart); gotestsum's jsonfile drops that line and its
    // JUnit has no testcase for it (warned). A cover profile names no functions.
    ("go", "reports/gotestsum-junit-count2.xml", "tests", N(12)),
    ("go", "reports/gotestsum-junit-count2.xml", "failed", N(3)),
    ("go", "reports/gotestsum-junit-count2.xml", "errors", N(0)),
    ("go", "reports/gotestsum-junit-count2.xml", "skipped", N(2)),
    ("go", "reports/gotestsum-junit-rerun.xml", "tests", N(11)),
    ("go", "reports/gotestsum-junit-rerun.xml", "failed", N(3)),
    ("go", "reports/gotestsum-junit.xml", "errors", N(0)),
    ("go", "reports/gotestsum-rerun.json", "tests", N(11)),
    ("go", "reports/gotestsum-rerun.json", "failed", N(3)),
    ("go", "reports/gotestsum.json", "errors", N(0)),
    ("go", "reports/test-count2.json", "tests", N(13)),
    ("go", "reports/test-count2.json", "failed", N(3)),
    ("go", "reports/test-count2.json", "skipped", N(2)),
    ("go", "reports/test.json", "tests", N(13)),
    // The suite that failed to run is one error counted in `tests` (jest's Tests line leaves it
    // out), with or without jest-junit's templates; the default junit.xml has no trace of it;
    // `--json` results are not read.
    ("jest", "reports/jest-results.json", "read", Unread),
    ("jest", "reports/junit-suite-errors.xml", "tests", N(15)),
    ("jest", "reports/junit-templates.xml", "tests", N(15)),
    ("jest", "reports/junit.xml", "errors", N(0)),
    // lcov merges a header's two SF records branch by branch; testcert keeps the line's better
    // record. Functions at one start line of a file are one (lcov -a lists template instances
    // by name).
    ("lcov", "reports/coverage.info", "branches", C(10, 5)),
    ("lcov", "reports/geninfo.info", "branches", C(10, 5)),
    ("lcov", "reports/merged.info", "functions", C(9, 8)),
    // mocha-junit-reporter leaves pending tests out of the file (warned: it declares them).
    ("mocha", "reports/junit.xml", "tests", N(10)),
    ("mocha", "reports/junit.xml", "skipped", N(0)),
    // nextest leaves a test it did not run (#[ignore]) out of the JUnit file.
    (
        "nextest",
        "reports/junit-default-ignored.xml",
        "tests",
        N(7),
    ),
    (
        "nextest",
        "reports/junit-default-ignored.xml",
        "skipped",
        N(0),
    ),
    ("nextest", "reports/junit-no-retries.xml", "tests", N(7)),
    ("nextest", "reports/junit-no-retries.xml", "skipped", N(0)),
    // node counts a parent test with subtests (here failing) as a test; it is a <testsuite> in
    // the file. A todo is skipped here (node prints todo apart). TAP is not a format testcert reads.
    ("node-test", "reports/junit.xml", "tests", N(16)),
    ("node-test", "reports/junit.xml", "failed", N(4)),
    ("node-test", "reports/junit.xml", "skipped", N(3)),
    ("node-test", "reports/tap.txt", "read", Unread),
    // coverage.py's Cobertura XML carries no functions (null, not 0).
    // rspec-retry leaves no trace of a retry in JSON or JUnit; an error outside examples (a spec
    // that fails to load) is one errored test.
    ("rspec", "reports/rspec-junit.xml", "flaky", N(0)),
    ("rspec", "reports/rspec-load-error.json", "tests", N(1)),
    ("rspec", "reports/rspec.json", "flaky", N(0)),
    // TestNG's JUnit files write retried attempts as distinct results (SKIP in real-calc.xml, a
    // <failure> in junitreports/, which declares failures=6 errors=2 and writes no <skipped>);
    // testng-results.xml is not a format testcert reads.
    ("testng", "reports/junitreports/", "failed", N(6)),
    ("testng", "reports/junitreports/", "errors", N(2)),
    ("testng", "reports/junitreports/", "skipped", N(0)),
    ("testng", "reports/junitreports/", "flaky", N(0)),
    ("testng", "reports/real-calc.xml", "flaky", N(0)),
    ("testng", "reports/testng-results.xml", "read", Unread),
    // An unexpected success is failed (it fails the run); unittest prints it apart.
    (
        "unittest-xml-reporting",
        "reports/junit.xml",
        "failed",
        N(3),
    ),
    (
        "unittest-xml-reporting",
        "reports/per-class/",
        "failed",
        N(3),
    ),
    // The file that failed to import is one error counted in `tests`; todo is skipped; a test
    // passed on a retry leaves no trace in JUnit; `--json` results are not read.
    ("vitest", "reports/junit.xml", "tests", N(15)),
    ("vitest", "reports/junit.xml", "skipped", N(2)),
    ("vitest", "reports/junit.xml", "flaky", N(0)),
    ("vitest", "reports/vitest-results.json", "read", Unread),
];

fn real() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real")
}

/// The files a report key names: one file, a folder (`reports/per-class/`: its reports, not
/// Surefire's `.txt` summaries beside them) or a glob (`reports/junit/TEST-*.xml`).
fn files_of(folder: &Path, key: &str) -> Vec<PathBuf> {
    let path = folder.join(key);
    let mut found: Vec<PathBuf> = if key.ends_with('/') {
        std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|x| x.to_str()),
                        Some("xml" | "json" | "info" | "lcov" | "out")
                    )
            })
            .collect()
    } else if key.contains('*') {
        glob::glob(&path.to_string_lossy())
            .unwrap()
            .map(|p| p.unwrap())
            .collect()
    } else {
        vec![path]
    };
    found.sort();
    assert!(
        !found.is_empty(),
        "{}: no report for {key}",
        folder.display()
    );
    found
}

/// The figures of one report key as `inspect` reads them, summed over its files.
fn figures(items: &[Inspected], kind: &str) -> BTreeMap<&'static str, Fig> {
    let mut out = BTreeMap::new();
    if items.iter().any(|i| i.error.is_some()) {
        out.insert("read", Unread);
        return out;
    }
    // Ant's aggregate given with its TEST-*.xml is skipped (no figures): not summed.
    let items: Vec<&Inspected> = items
        .iter()
        .filter(|i| i.tests.is_some() || i.coverage.is_some())
        .collect();
    if kind == "tests" {
        for f in TEST_FIELDS {
            let n = items
                .iter()
                .map(|i| {
                    let t = &i.tests.as_ref().expect("a test report").totals;
                    match f {
                        "tests" => t.tests,
                        "failed" => t.failed,
                        "errors" => t.errors,
                        "skipped" => t.skipped,
                        _ => t.flaky,
                    }
                })
                .sum();
            out.insert(f, N(n));
        }
    } else {
        for f in COVERAGE_FIELDS {
            let counters: Vec<Option<(u64, u64)>> = items
                .iter()
                .map(|i| {
                    let c = i.coverage.as_ref().expect("a coverage report");
                    match f {
                        "lines" => Some(c.lines),
                        "branches" => c.branches,
                        _ => c.functions,
                    }
                    .map(|c| (c.total, c.covered))
                })
                .collect();
            let fig = if counters.iter().any(Option::is_none) {
                Null
            } else {
                let (t, c) = counters
                    .iter()
                    .flatten()
                    .fold((0, 0), |(t, c), (a, b)| (t + a, c + b));
                C(t, c)
            };
            out.insert(f, fig);
        }
    }
    out
}

fn printed(want: &Value) -> Option<Fig> {
    match want {
        Value::Null => None,
        Value::Number(n) => Some(N(n.as_u64().expect("a count"))),
        Value::Object(o) => Some(C(
            o["total"].as_u64().expect("total"),
            o["covered"].as_u64().expect("covered"),
        )),
        other => panic!("unexpected figure {other}"),
    }
}

fn expected_files() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(real()).unwrap() {
        let dir = e.unwrap().path();
        let exp = dir.join("expected.json");
        if exp.is_file() {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&exp).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", exp.display()));
            out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "fixtures/real has {} producers", out.len());
    out
}

#[test]
fn inspect_equals_what_each_real_producer_printed() {
    let mut problems = Vec::new();
    let mut seen = vec![false; DEVIATIONS.len()];
    let (mut compared, mut equal) = (0, 0);
    let mut table = Vec::new();
    for (folder, exp) in expected_files() {
        let dir = real().join(&folder);
        let mapper = PathMapper::scan(&dir.join("project")).unwrap();
        for (key, want) in exp["reports"].as_object().expect("reports") {
            let kind = want["kind"].as_str().expect("kind");
            let got = figures(&inspect(&files_of(&dir, key), &mapper), kind);
            let fields: &[&str] = if kind == "tests" {
                &TEST_FIELDS
            } else {
                &COVERAGE_FIELDS
            };
            let (mut eq, mut dev) = (0, Vec::new());
            let mut check = |field: &str, printed: Fig, read: Fig| {
                let listed = DEVIATIONS
                    .iter()
                    .position(|&(f, r, fl, _)| f == folder && r == key && fl == field);
                if let Some(i) = listed {
                    seen[i] = true;
                }
                match (printed == read, listed) {
                    (true, None) => eq += 1,
                    (true, Some(_)) => problems.push(format!(
                        "{folder} {key} {field}: listed as a deviation but now equals the producer's {printed:?}: remove it from DEVIATIONS"
                    )),
                    (false, Some(i)) if DEVIATIONS[i].3 == read => {
                        dev.push(format!("{field} {printed:?}→{read:?}"))
                    }
                    (false, Some(i)) => problems.push(format!(
                        "{folder} {key} {field}: producer {printed:?}, testcert {read:?}, but DEVIATIONS says {:?}",
                        DEVIATIONS[i].3
                    )),
                    (false, None) => problems.push(format!(
                        "{folder} {key} {field}: producer {printed:?}, testcert {read:?}, and no counting rule: (\"{folder}\", \"{key}\", \"{field}\", {read:?}),"
                    )),
                }
            };
            if got.contains_key("read") {
                check("read", N(1), Unread);
                compared += 1;
            } else {
                for &field in fields {
                    let Some(p) = printed(&want[field]) else {
                        continue;
                    };
                    compared += 1;
                    check(field, p, got[field]);
                }
            }
            equal += eq;
            table.push(format!(
                "{folder:24} {key:40} {eq} equal{}{}",
                if dev.is_empty() { "" } else { "; " },
                dev.join(", ")
            ));
        }
    }
    for (i, d) in DEVIATIONS.iter().enumerate() {
        if !seen[i] {
            problems.push(format!(
                "{d:?}: listed in DEVIATIONS but no such report or field"
            ));
        }
    }
    println!("{}", table.join("\n"));
    println!(
        "{equal} of {compared} printed figures equal; {} deviations by counting rule",
        DEVIATIONS.len()
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Every producer folder has its line in README's counting rules, and every deviation's
/// folder is a known producer.
#[test]
fn every_producer_rule_is_in_readme() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("Per producer, against its console")
        .expect("README's counting rules list the producers");
    let section = &readme[start..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    for (folder, _) in expected_files() {
        let label = PRODUCERS
            .iter()
            .find(|(f, _)| *f == folder)
            .unwrap_or_else(|| panic!("fixtures/real/{folder} has no entry in PRODUCERS"))
            .1;
        assert!(
            section.contains(&format!("- **{label}**")),
            "README's counting rules have no line for {label} (fixtures/real/{folder})"
        );
    }
    for d in DEVIATIONS {
        assert!(PRODUCERS.iter().any(|(f, _)| *f == d.0), "{d:?}");
    }
}

/// The `name` attribute of a `<testcase …>` start tag, unescaped as far as names here need.
fn testcase_name(tag: &str) -> Option<String> {
    let at = tag.find(" name=\"")? + 7;
    let end = at + tag[at..].find('"')?;
    Some(
        tag[at..end]
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Whether the report's own text holds a retry of the test `name` that ended in a pass: a
/// `<flakyFailure>`/`<flakyError>` in its testcase, more than one testcase of that name (a
/// producer that writes every attempt), more than one `run` event (go test), or a passed
/// entry with `currentRetry` above 0 (mocha JSON).
fn has_retry_record(text: &str, name: &str) -> bool {
    if text.trim_start().starts_with('<') {
        let cases: Vec<&str> = text
            .split("<testcase")
            .skip(1)
            .filter(|c| testcase_name(c).is_some_and(|n| n == name))
            .collect();
        return cases.len() > 1
            || cases
                .iter()
                .any(|c| c.contains("<flakyFailure") || c.contains("<flakyError"));
    }
    if text.contains("\"Action\":") {
        // go test -json: one `run` event per attempt. Names in testcert are "Test/sub".
        let test = name.rsplit('.').next().unwrap_or(name);
        let quoted = format!("\"Test\":{}", serde_json::to_string(test).unwrap());
        return text
            .lines()
            .filter(|l| l.contains("\"Action\":\"run\"") && l.contains(&quoted))
            .count()
            > 1;
    }
    let v: Value = serde_json::from_str(text).unwrap();
    v["passes"].as_array().is_some_and(|passes| {
        passes.iter().any(|t| {
            t["currentRetry"].as_u64().unwrap_or(0) > 0
                && (t["title"] == name || t["fullTitle"] == name)
        })
    })
}

#[test]
fn a_test_counted_flaky_was_retried_and_then_passed() {
    let (mut flaky_seen, mut every_attempt_failed) = (0, 0);
    let mut problems = Vec::new();
    for (folder, exp) in expected_files() {
        let dir = real().join(&folder);
        for (key, want) in exp["reports"].as_object().unwrap() {
            if want["kind"] != "tests" {
                continue;
            }
            for file in files_of(&dir, key) {
                let Ok(report) = read_report(&file) else {
                    continue; // not a format testcert reads: the test above lists it
                };
                let Data::Tests(mut run) = report.data else {
                    panic!("{}: not a test report", file.display());
                };
                run.finish();
                let text = std::fs::read_to_string(&file).unwrap();
                // Every project has a test that fails on every attempt (1 + retries): whatever
                // the producer wrote for its attempts, it is failed, never flaky or passed
                // (TestNG's retried attempts are skipped records of their own, as TestNG counts).
                let always_failing: Vec<Outcome> = run
                    .cases
                    .iter()
                    .filter(|c| {
                        let plain: String =
                            c.name.chars().filter(char::is_ascii_alphanumeric).collect();
                        plain.to_ascii_lowercase().contains("failseveryattempt")
                    })
                    .map(|c| c.outcome)
                    .collect();
                if !always_failing.is_empty() {
                    every_attempt_failed += 1;
                    if !always_failing.contains(&Outcome::Failed)
                        || always_failing
                            .iter()
                            .any(|o| matches!(o, Outcome::Flaky | Outcome::Passed))
                    {
                        problems.push(format!(
                            "{}: the test failing every attempt reads as {always_failing:?}",
                            file.display()
                        ));
                    }
                }
                for case in run.cases.iter().filter(|c| c.outcome == Outcome::Flaky) {
                    flaky_seen += 1;
                    if case.attempts < 2 || !has_retry_record(&text, &case.name) {
                        problems.push(format!(
                            "{}: {:?} counted flaky ({} attempts) with no retry record that passed",
                            file.display(),
                            case.name,
                            case.attempts
                        ));
                    }
                }
            }
        }
    }
    // The fixtures retry on purpose (nextest, pytest, go, Surefire, mocha): the check has cases.
    assert!(flaky_seen >= 5, "only {flaky_seen} flaky cases seen");
    assert!(
        every_attempt_failed >= 10,
        "only {every_attempt_failed} always-failing retried tests seen"
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
