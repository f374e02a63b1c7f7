//! `testcert inspect` as a user runs it: exit codes, the JSON contract, errors that name the
//! file and the place, and quiet stderr when it is not a terminal.

use std::process::{Command, Output};

use serde::Deserialize;

fn testcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(args)
        .output()
        .expect("run testcert")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The documented inspect JSON object (README, "inspect --format json"). Unknown fields are
/// refused, so a field added to the output without being documented here fails this test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Item {
    path: String,
    format: Option<String>,
    kind: Option<String>,
    files: Option<u64>,
    unmapped_files: Option<u64>,
    lines: Option<Counter>,
    branches: Option<Option<Counter>>,
    functions: Option<Option<Counter>>,
    summary_only: Option<bool>,
    tests: Option<u64>,
    passed: Option<u64>,
    failed: Option<u64>,
    errors: Option<u64>,
    skipped: Option<u64>,
    flaky: Option<u64>,
    distinct: Option<u64>,
    runs: Option<u64>,
    warnings: Vec<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Counter {
    total: u64,
    covered: u64,
}

const LCOV: &str = "fixtures/golden/lcov/reportgenerator.info";
const JUNIT: &str = "fixtures/golden/junit/surefire_flaky.xml";
const GO: &str = "fixtures/golden/gocover/count-coverpkg.out";

#[test]
fn json_contract_for_coverage_and_tests() {
    let o = testcert(&[
        "inspect", "--format", "json", "--root", "fixtures", LCOV, JUNIT, GO,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "",
        "stderr stays quiet when it is not a terminal"
    );
    let items: Vec<Item> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(items.len(), 3);
    let cov = &items[0];
    assert_eq!(cov.path, LCOV);
    assert_eq!(cov.format.as_deref(), Some("lcov"));
    assert_eq!(cov.kind.as_deref(), Some("coverage"));
    assert_eq!(
        cov.lines,
        Some(Counter {
            total: 108,
            covered: 75
        })
    );
    assert_eq!(
        cov.branches,
        Some(Some(Counter {
            total: 8,
            covered: 4
        }))
    );
    assert!(cov.error.is_none() && cov.tests.is_none());
    let tests = &items[1];
    assert_eq!(tests.kind.as_deref(), Some("tests"));
    assert!(tests.tests.is_some() && tests.flaky.is_some() && tests.lines.is_none());
    // surefire_flaky.xml: one test that passed after a flakyFailure.
    assert_eq!(
        (tests.tests, tests.distinct, tests.runs),
        (Some(1), Some(1), Some(2))
    );
    // Go coverprofiles have no branches nor functions: present and null, not zero.
    let raw: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let go = raw[2].as_object().unwrap();
    assert!(
        go["branches"].is_null() && go["functions"].is_null(),
        "{go:?}"
    );
    assert!(go.contains_key("branches") && go.contains_key("functions"));
}

#[test]
fn a_bad_report_does_not_hide_the_others_and_exits_2() {
    let o = testcert(&[
        "inspect",
        "--format",
        "json",
        "fixtures/golden/junit/malformed.xml",
        LCOV,
        "no/such/file.xml",
        "README.md",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let items: Vec<Item> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(items.len(), 4);
    let bad = items[0].error.as_deref().unwrap();
    // file:line:col: element path: message
    assert!(
        bad.starts_with("fixtures/golden/junit/malformed.xml:") && bad.contains("testsuite"),
        "{bad}"
    );
    assert!(items[1].error.is_none() && items[1].lines.is_some());
    assert!(items[2].error.as_deref().unwrap().contains("no such file"));
    assert!(items[3]
        .error
        .as_deref()
        .unwrap()
        .contains("not a coverage or test report"));
    let err = stderr(&o);
    assert!(err.contains("3 of 4 inputs could not be read"), "{err}");
}

#[test]
fn text_output_names_every_input() {
    let o = testcert(&[
        "inspect",
        "--root",
        "fixtures",
        LCOV,
        "fixtures/golden/lcov/truncated.info",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(out.contains("lines     75/108 (69.4%)"), "{out}");
    assert!(
        out.contains("fixtures/golden/lcov/truncated.info: error: 4:1: unexpected end of file"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(testcert(&[]).status.code(), Some(2));
    assert_eq!(testcert(&["inspect"]).status.code(), Some(2));
    assert_eq!(
        testcert(&["inspect", "--format", "yaml", LCOV])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(testcert(&["--help"]).status.code(), Some(0));
}

#[test]
fn paths_map_onto_the_repository() {
    // The ReportGenerator export names C:\temp\... paths that exist nowhere: all unmapped,
    // and said so.
    let o = testcert(&["inspect", "--format", "json", "--root", "fixtures", LCOV]);
    let items: Vec<Item> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(items[0].unmapped_files, Some(5));
    assert!(items[0]
        .warnings
        .iter()
        .any(|w| w.contains("map to no file")));
    // --strip-prefix + --path-prefix put them under a real directory.
    let dir = std::env::temp_dir().join(format!("testcert-map-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for f in [
        "PartialClass.cs",
        "PartialClass2.cs",
        "Program.cs",
        "TestClass.cs",
        "TestClass2.cs",
    ] {
        std::fs::write(src.join(f), "").unwrap();
    }
    let root = dir.to_str().unwrap();
    let o = testcert(&[
        "inspect",
        "--format",
        "json",
        "--root",
        root,
        "--strip-prefix",
        "C:/temp",
        "--path-prefix",
        "src",
        LCOV,
    ]);
    let items: Vec<Item> = serde_json::from_str(&stdout(&o)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(items[0].unmapped_files, Some(0), "{:?}", items[0].warnings);
}
