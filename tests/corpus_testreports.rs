//! Conformance of the NUnit, xUnit, TRX and go test -json parsers with the peers' expected
//! values in `fixtures/corpus/expected.json`.
//!
//! - publish-unit-test-result-action (`runs*` = every result element, `tests*` = distinct
//!   tests with an aggregated outcome): `tests*` is compared with testcert's totals after
//!   [`TestRun::finish`] folds repeated runs, `runs*` with the cases the parser pushed before
//!   folding;
//! - dorny/test-reporter (`passed`, `failed` = failures + errors, `skipped`): compared with
//!   testcert's totals;
//! - `expect_parse_error`: testcert must reject the file;
//! - entries marked `"stale": true` describe an older peer behaviour that the peer itself no
//!   longer expects (its current expectation is the entry next to it): skipped, with a count.
//!
//! Every difference is either listed in [`DEVIATIONS`] with its reason or fails the test, and
//! a listed deviation that no longer occurs fails it too, so the table stays true.

use std::path::{Path, PathBuf};

use testcert::ingest::{self, Ctx, Data, Format};
use testcert::model::TestRun;

const CORPUS: &str = "fixtures/corpus";
const FORMATS: [&str; 5] = [
    "nunit-xml",
    "nunit3-xml",
    "xunit-xml",
    "trx",
    "go-test-json",
];

/// A deliberate difference: (path, field, peer value, testcert value, reason).
/// `field` `expect_parse_error` with values 1/0 means: the peer rejects, testcert reads.
type Deviation = (&'static str, &'static str, u64, u64, &'static str);

/// NUnit 2 writes 218 `<test-case>` elements (its header says total="218"), 35 of them under
/// a name another one has (parameterized rows with the same label): NUnit counts each, so
/// does testcert (names are not unique there); the peer folds repeated names into 183 tests.
const NUNIT_REPEATED_NAMES: &str =
    "NUnit counts every test-case element (total=\"218\"), so does testcert; the peer folds repeated names";
/// NUnit 3 `result="Failed" label="Error"`: the test threw an unexpected exception. testcert
/// keeps it apart from an assertion failure (errors), the peer counts both as failures.
/// failures + errors is the same on both sides.
const NUNIT3_LABEL_ERROR: &str =
    "NUnit 3 label=Error is an error in testcert, a failure for the peer (same failures+errors)";
/// As above, plus `label="Invalid"` (NUnit could not run the test: bad signature, missing
/// arguments), also an error in testcert.
const NUNIT3_LABEL_ERROR_INVALID: &str = "NUnit 3 label=Error/Invalid are errors in testcert, failures for the peer (same failures+errors)";
/// NUnit 2 `result="NotRunnable"` (the NUnit 3 `Failed`/`Invalid` of NUnit 2): an error in
/// testcert, skipped for the peer. A test that cannot run is a defect, not a choice to skip.
const NUNIT2_NOT_RUNNABLE: &str =
    "NUnit 2 NotRunnable is an error in testcert, skipped for the peer";
/// The peer counts the `Inconclusive` case as skipped in its tests but as passed in its runs
/// (its two counts disagree with each other); testcert says skipped in both.
const PEER_RUNS_INCONCLUSIVE: &str =
    "peer runs count Inconclusive as passed, its tests (and testcert) as skipped";
/// TRX `Aborted` (the run stopped inside the test) and `NotRunnable` (MSTest UTA007: bad
/// method signature) are errors in testcert, skipped for the peer.
const TRX_ABORTED_NOT_RUNNABLE: &str =
    "TRX Aborted/NotRunnable are errors in testcert, skipped for the peer";
/// xUnit data-driven rows: the peer's JUnit conversion names a test by `method`, so the rows
/// `M("A")`, `M("B")` are one test for it (aggregated: any failed row makes it failed);
/// testcert names them by display name, one test per row (its `runs*` match the peer's).
const XUNIT_DISPLAY_NAME: &str =
    "xUnit rows are distinct tests in testcert (display name), one test per method for the peer";
/// The file has one `<test>` but its header says total=3 passed=1 failed=1 skipped=1; the
/// peer's runs come from the header. testcert never trusts header counts.
const PEER_RUNS_FROM_HEADER: &str =
    "peer runs taken from the assembly header counts; testcert counts the one <test> element";

const DEVIATIONS: &[Deviation] = &[
    // --- NUnit ---
    (
        "nunit/nunit3/jenkins/NUnit-correct2.xml",
        "tests",
        183,
        218,
        NUNIT_REPEATED_NAMES,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-correct2.xml",
        "passed",
        183,
        218,
        NUNIT_REPEATED_NAMES,
    ),
    (
        "nunit/mstest/clicketyclackety.xml",
        "failures",
        10,
        1,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/clicketyclackety.xml",
        "errors",
        0,
        9,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/clicketyclackety.xml",
        "runs_failures",
        10,
        1,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/clicketyclackety.xml",
        "runs_errors",
        0,
        9,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/timewarpinc.xml",
        "failures",
        1,
        0,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/timewarpinc.xml",
        "errors",
        0,
        1,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/timewarpinc.xml",
        "runs_failures",
        1,
        0,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/mstest/timewarpinc.xml",
        "runs_errors",
        0,
        1,
        NUNIT3_LABEL_ERROR,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-correct.xml",
        "errors",
        1,
        4,
        NUNIT2_NOT_RUNNABLE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-correct.xml",
        "skipped",
        8,
        5,
        NUNIT2_NOT_RUNNABLE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-correct.xml",
        "runs_errors",
        1,
        4,
        NUNIT2_NOT_RUNNABLE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-correct.xml",
        "runs_skipped",
        8,
        5,
        NUNIT2_NOT_RUNNABLE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue33493.xml",
        "runs_passed",
        2,
        1,
        PEER_RUNS_INCONCLUSIVE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue33493.xml",
        "runs_skipped",
        0,
        1,
        PEER_RUNS_INCONCLUSIVE,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue44527.xml",
        "failures",
        144,
        1,
        NUNIT3_LABEL_ERROR_INVALID,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue44527.xml",
        "errors",
        0,
        143,
        NUNIT3_LABEL_ERROR_INVALID,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue44527.xml",
        "runs_failures",
        144,
        1,
        NUNIT3_LABEL_ERROR_INVALID,
    ),
    (
        "nunit/nunit3/jenkins/NUnit-issue44527.xml",
        "runs_errors",
        0,
        143,
        NUNIT3_LABEL_ERROR_INVALID,
    ),
    (
        "trx/yami_YAMILEX_2015-10-24_04_18_59.trx",
        "errors",
        0,
        2,
        TRX_ABORTED_NOT_RUNNABLE,
    ),
    (
        "trx/yami_YAMILEX_2015-10-24_04_18_59.trx",
        "skipped",
        21,
        19,
        TRX_ABORTED_NOT_RUNNABLE,
    ),
    (
        "trx/yami_YAMILEX_2015-10-24_04_18_59.trx",
        "runs_errors",
        0,
        2,
        TRX_ABORTED_NOT_RUNNABLE,
    ),
    (
        "trx/yami_YAMILEX_2015-10-24_04_18_59.trx",
        "runs_skipped",
        21,
        19,
        TRX_ABORTED_NOT_RUNNABLE,
    ),
    ("xunit/mstest/fixie.xml", "tests", 5, 7, XUNIT_DISPLAY_NAME),
    ("xunit/mstest/fixie.xml", "passed", 1, 3, XUNIT_DISPLAY_NAME),
    (
        "xunit/mstest/jenkinsci/testcase2.xml",
        "runs",
        3,
        1,
        PEER_RUNS_FROM_HEADER,
    ),
    (
        "xunit/mstest/jenkinsci/testcase2.xml",
        "runs_failures",
        1,
        0,
        PEER_RUNS_FROM_HEADER,
    ),
    (
        "xunit/mstest/jenkinsci/testcase2.xml",
        "runs_skipped",
        1,
        0,
        PEER_RUNS_FROM_HEADER,
    ),
    (
        "xunit/mstest/pickles.xml",
        "tests",
        3,
        4,
        XUNIT_DISPLAY_NAME,
    ),
    (
        "xunit/mstest/pickles.xml",
        "passed",
        2,
        3,
        XUNIT_DISPLAY_NAME,
    ),
];

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tests: u64,
    passed: u64,
    failed: u64,
    errors: u64,
    skipped: u64,
    flaky: u64,
}

fn counts(run: &TestRun) -> Counts {
    let t = run.totals();
    Counts {
        tests: t.tests,
        passed: t.passed,
        failed: t.failed,
        errors: t.errors,
        skipped: t.skipped,
        flaky: t.flaky,
    }
}

/// The cases the parser pushes before [`TestRun::finish`] folds repeated runs.
fn raw_runs(path: &Path, format: Format) -> TestRun {
    let mut input = ingest::open(path).unwrap();
    let mut ctx = Ctx::default();
    let parse = match format {
        Format::Nunit3 => ingest::testrun::nunit::parse,
        Format::XunitV2 => ingest::testrun::xunit::parse,
        Format::Trx => ingest::testrun::trx::parse,
        Format::GoTestJson => ingest::testrun::gotest::parse,
        other => panic!("{}: unexpected format {other:?}", path.display()),
    };
    parse(&mut input, &mut ctx).unwrap()
}

#[test]
fn test_reports_match_the_peers() {
    let text = std::fs::read_to_string(Path::new(CORPUS).join("expected.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = doc["entries"].as_array().unwrap();
    let mut diffs: Vec<(String, &'static str, u64, u64)> = Vec::new();
    let (mut checked, mut exact, mut stale) = (0, 0, 0);
    for e in entries {
        let format = e["format"].as_str().unwrap_or("");
        if !FORMATS.contains(&format) {
            continue;
        }
        let rel = e["path"].as_str().unwrap();
        if e["stale"].as_bool() == Some(true) {
            // Superseded by the peer's current expectation (the next entry for this file).
            stale += 1;
            continue;
        }
        checked += 1;
        let path = Path::new(CORPUS).join(rel);
        let before = diffs.len();
        let read = ingest::read_report(&path);
        if e.get("expect_parse_error").is_some() {
            if read.is_ok() {
                diffs.push((rel.to_string(), "expect_parse_error", 1, 0));
            }
        } else {
            let report = match read {
                Ok(r) => r,
                Err(err) => panic!("{rel}: the peer reads it, testcert rejects it: {err}"),
            };
            let Data::Tests(run) = &report.data else {
                panic!("{rel}: not read as a test report")
            };
            let tests = counts(run);
            let mut raw = raw_runs(&path, report.format);
            let runs = {
                // Counting the pushed cases one by one: each is one run.
                let mut c = Counts::default();
                for case in raw.cases.drain(..) {
                    let mut one = TestRun::new();
                    one.push(case);
                    let t = counts(&one);
                    c.tests += 1;
                    c.passed += t.passed;
                    c.failed += t.failed;
                    c.errors += t.errors;
                    c.skipped += t.skipped;
                }
                c
            };
            let fields: [(&'static str, u64); 12] = [
                ("tests", tests.tests),
                ("passed", tests.passed),
                ("failures", tests.failed),
                ("errors", tests.errors),
                ("skipped", tests.skipped),
                ("failed", tests.failed + tests.errors),
                ("runs", runs.tests),
                ("runs_passed", runs.passed),
                ("runs_failures", runs.failed),
                ("runs_errors", runs.errors),
                ("runs_skipped", runs.skipped),
                ("flaky", tests.flaky),
            ];
            for (field, ours) in fields {
                let peer = match field {
                    // The peers have no flaky state: a flaky test is a difference wherever
                    // the peer stated the counts.
                    "flaky" => 0,
                    _ => match e[field].as_u64() {
                        Some(v) => v,
                        None => continue,
                    },
                };
                if peer != ours {
                    diffs.push((rel.to_string(), field, peer, ours));
                }
            }
        }
        if diffs.len() == before {
            exact += 1;
        }
    }
    let mut unexplained = Vec::new();
    for d in &diffs {
        let listed = DEVIATIONS.iter().any(|(p, f, peer, ours, _)| {
            d.0.ends_with(p) && d.1 == *f && d.2 == *peer && d.3 == *ours
        });
        if !listed {
            unexplained.push(format!("{}: {}: peer {} testcert {}", d.0, d.1, d.2, d.3));
        }
    }
    let mut gone = Vec::new();
    for (p, f, peer, ours, _) in DEVIATIONS {
        if !diffs
            .iter()
            .any(|d| d.0.ends_with(p) && d.1 == *f && d.2 == *peer && d.3 == *ours)
        {
            gone.push(format!("{p}: {f}: peer {peer} testcert {ours}"));
        }
    }
    eprintln!(
        "test-report conformance: {checked} entries checked, {exact} match exactly, {} differ, {stale} stale skipped",
        checked - exact
    );
    assert!(
        unexplained.is_empty(),
        "differences from the peers that are not in DEVIATIONS:\n{}",
        unexplained.join("\n")
    );
    assert!(
        gone.is_empty(),
        "DEVIATIONS rows that no longer occur (remove them):\n{}",
        gone.join("\n")
    );
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The peers' own expected outputs stored next to the inputs: not reports.
fn is_peer_output(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    [
        ".annotations",
        ".results",
        ".results.json",
        ".exception",
        ".md",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

#[test]
fn every_xml_test_report_is_read_or_rejected_with_a_message() {
    let mut all = Vec::new();
    files(&Path::new(CORPUS).join("testreport-xml-other"), &mut all);
    let (mut read, mut rejected) = (0, 0);
    for p in all.iter().filter(|p| !is_peer_output(p)) {
        let result = std::panic::catch_unwind(|| ingest::read_report(p));
        match result {
            Err(_) => panic!("{}: the parser panicked", p.display()),
            Ok(Ok(_)) => read += 1,
            Ok(Err(e)) => {
                assert!(
                    !e.error.message.trim().is_empty(),
                    "{}: empty error",
                    p.display()
                );
                rejected += 1;
            }
        }
    }
    eprintln!("testreport-xml-other: {read} read, {rejected} rejected with a message");
    assert!(read > 30, "only {read} files read");
}

#[test]
fn mocha_rspec_and_dart_json_reports_match_the_peers() {
    // Mocha, RSpec and Dart/Flutter JSON are read and compared with the peers' figures
    // (`failed` = failures + errors: EnricoMi splits a thrown non-assertion error apart,
    // mocha does not; dorny counts Dart errors as failed).
    let text = std::fs::read_to_string(Path::new(CORPUS).join("expected.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected: Vec<&serde_json::Value> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            matches!(
                e["format"].as_str(),
                Some("mocha-json" | "rspec-json" | "dart-json")
            )
        })
        .collect();
    let mut compared = 0;
    for e in &expected {
        let rel = e["path"].as_str().unwrap();
        let r = ingest::read_report(&Path::new(CORPUS).join(rel)).unwrap();
        let Data::Tests(run) = &r.data else {
            panic!("{rel}: not tests")
        };
        let t = run.totals();
        let failed = t.failed + t.errors;
        let peer_failed = e["failed"]
            .as_u64()
            .or_else(|| Some(e["failures"].as_u64()? + e["errors"].as_u64()?));
        for (field, mine, peer) in [
            ("tests", t.tests, e["tests"].as_u64()),
            ("passed", t.passed + t.flaky, e["passed"].as_u64()),
            ("failed", failed, peer_failed),
            ("skipped", t.skipped, e["skipped"].as_u64()),
        ] {
            if let Some(peer) = peer {
                assert_eq!(mine, peer, "{rel}: {field}");
            }
        }
        compared += 1;
    }
    assert!(
        compared >= 10,
        "only {compared} Mocha/RSpec/Dart entries compared"
    );
    let mut all = Vec::new();
    files(&Path::new(CORPUS).join("testreport-json"), &mut all);
    let mut seen = 0;
    for p in all.iter().filter(|p| !is_peer_output(p)) {
        let name = p.to_string_lossy();
        if name.contains("golang") {
            let r = ingest::read_report(p).unwrap();
            assert_eq!(r.format, Format::GoTestJson);
            continue;
        }
        let tool = ["mocha", "rspec", "dart", "flutter"]
            .iter()
            .any(|t| name.contains(t));
        if !tool || !name.ends_with(".json") {
            continue;
        }
        seen += 1;
        let r = ingest::read_report(p).unwrap();
        assert!(
            matches!(
                r.format,
                Format::MochaJson | Format::RspecJson | Format::DartJson
            ),
            "{name}"
        );
    }
    assert!(seen >= 8, "only {seen} Mocha/RSpec/Dart files found");
}

#[test]
fn xxe_probe_next_to_its_target_file_is_refused_unread() {
    // The probe's entity names `NUnit-sec1752-file.txt`, which sits right next to it: the
    // report is refused for declaring entities, and nothing of the target shows up.
    let dir = Path::new(CORPUS)
        .join("testreport-xml-other/publish-unit-test-result-action/nunit/nunit3/jenkins");
    let target = std::fs::read_to_string(dir.join("NUnit-sec1752-file.txt")).unwrap();
    let e = ingest::read_report(&dir.join("NUnit-sec1752-file.xml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("declares entities"), "{e}");
    assert!(!e.contains(target.trim()), "{e}");
}
