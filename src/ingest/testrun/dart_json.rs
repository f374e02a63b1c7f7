//! The Dart test runner's JSON protocol (`dart test --reporter json`, `flutter test
//! --machine`): one event object per line (`start`, `suite`, `group`, `testStart`, `error`,
//! `print`, `testDone`, `done`, …).
//!
//! - A test is a `testStart` (its `name` holds the group names, its suite is the suite's
//!   `path`, its `line` is kept) ended by a `testDone`: `result` `success` ⇒ passed, or
//!   skipped when `skipped` is true; `failure` (an expectation) ⇒ failed; `error` (an
//!   exception, a timeout) ⇒ error. Names may repeat: each test counts, as the runner counts
//!   it.
//! - `hidden` tests are the runner's own (`loading test/a_test.dart`): left out when they
//!   succeed; a hidden test that failed is the suite failing to load, one error.
//! - The first `error` event of a test gives its message. A test that started and never
//!   ended (the run was killed) is an error, with a warning.
//! - Lines that are not JSON objects (Flutter's tool output) are skipped with a warning; a
//!   stream with no event at all is an error.

use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, TestCase, TestRun};

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    suite: Option<Suite>,
    #[serde(default)]
    test: Option<Test>,
    #[serde(rename = "testID", default)]
    test_id: Option<u64>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    skipped: bool,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    time: Option<f64>,
}

#[derive(Deserialize)]
struct Suite {
    id: u64,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Deserialize)]
struct Test {
    id: u64,
    #[serde(default)]
    name: String,
    #[serde(rename = "suiteID", default)]
    suite_id: Option<u64>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    root_line: Option<u32>,
}

/// A test that started: its case (outcome decided at `testDone`) and start time.
struct Started {
    case: TestCase,
    start: Option<f64>,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let mut suites: HashMap<u64, String> = HashMap::new();
    let mut started: HashMap<u64, Started> = HashMap::new();
    let mut order: Vec<u64> = Vec::new();
    let mut messages: HashMap<u64, String> = HashMap::new();
    let mut names = Names::new();
    let mut run = TestRun::new();
    let (mut lineno, mut events, mut other_lines) = (0u64, 0u64, 0u64);
    let (mut load_errors, mut unknown) = (0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| ParseError::at_line(lineno + 1, 1, format!("read error: {e}")))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        if text.first() != Some(&b'{') {
            other_lines += 1;
            continue;
        }
        let ev: Event = serde_json::from_slice(text).map_err(|e| {
            ParseError::at_line(lineno, e.column() as u64, format!("malformed event: {e}"))
        })?;
        events += 1;
        match ev.kind.as_str() {
            "suite" => {
                if let Some(s) = ev.suite {
                    suites.insert(s.id, s.path.unwrap_or_default());
                }
            }
            "testStart" => {
                let Some(t) = ev.test else { continue };
                let suite = t
                    .suite_id
                    .and_then(|id| suites.get(&id))
                    .map_or("", String::as_str);
                let mut case = TestCase::new(names.get(suite), t.name, Outcome::Error);
                if !suite.is_empty() {
                    case.file = Some(suite.replace('\\', "/").into());
                }
                case.line = t.root_line.or(t.line);
                order.push(t.id);
                started.insert(
                    t.id,
                    Started {
                        case,
                        start: ev.time,
                    },
                );
            }
            "error" => {
                if let (Some(id), Some(e)) = (ev.test_id, ev.error) {
                    messages.entry(id).or_insert_with(|| {
                        e.lines()
                            .map(str::trim)
                            .find(|l| !l.is_empty())
                            .unwrap_or("")
                            .to_string()
                    });
                }
            }
            "testDone" => {
                let Some(mut s) = ev.test_id.and_then(|id| started.remove(&id)) else {
                    continue;
                };
                let outcome = match (ev.result.as_deref(), ev.skipped) {
                    (Some("success"), true) => Outcome::Skipped,
                    (Some("success"), false) => Outcome::Passed,
                    (Some("failure"), _) => Outcome::Failed,
                    (Some("error"), _) => Outcome::Error,
                    _ => {
                        unknown += 1;
                        Outcome::Error
                    }
                };
                if ev.hidden {
                    if outcome == Outcome::Passed || outcome == Outcome::Skipped {
                        continue;
                    }
                    // The runner's own "loading" test failed: the suite did not load.
                    load_errors += 1;
                    s.case.outcome = Outcome::Error;
                } else {
                    s.case.outcome = outcome;
                }
                if let (Some(a), Some(b)) = (s.start, ev.time) {
                    // Milliseconds since the run started.
                    s.case.duration = Some(((b - a) / 1000.0).max(0.0)).into();
                }
                if matches!(s.case.outcome, Outcome::Failed | Outcome::Error) {
                    s.case.message = ev
                        .test_id
                        .and_then(|id| messages.remove(&id))
                        .map(Into::into);
                }
                run.push(s.case);
            }
            _ => {}
        }
    }
    if events == 0 {
        return Err(ParseError::new(
            "no Dart test event: not a `dart test --reporter json` stream",
        ));
    }
    // Started, never done: the run ended inside them.
    let mut unfinished = 0u64;
    for id in order {
        if let Some(mut s) = started.remove(&id) {
            if s.case.name.starts_with("loading ") {
                continue;
            }
            unfinished += 1;
            s.case.message = Some("the test started and never finished (the run ended)".into());
            run.push(s.case);
        }
    }
    ctx.warn_count(
        other_lines,
        "line that is not a JSON event skipped",
        "lines that are not JSON events skipped",
    );
    ctx.warn_count(
        load_errors,
        "test suite failed to load: counted as one error",
        "test suites failed to load: each counted as one error",
    );
    ctx.warn_count(
        unfinished,
        "test started and never finished: counted as an error",
        "tests started and never finished: counted as errors",
    );
    ctx.warn_count(
        unknown,
        "test with an unknown result counted as an error",
        "tests with an unknown result counted as errors",
    );
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testrun::{read_with, totals};

    #[test]
    fn events_to_tests() {
        let doc = r#"{"protocolVersion":"0.1.1","runnerVersion":"1.15.4","pid":1,"type":"start","time":0}
{"suite":{"id":0,"platform":"vm","path":"test\\main_test.dart"},"type":"suite","time":0}
{"test":{"id":1,"name":"loading test\\main_test.dart","suiteID":0,"groupIDs":[],"metadata":{"skip":false,"skipReason":null},"line":null,"column":null,"url":null},"type":"testStart","time":1}
{"testID":1,"result":"success","skipped":false,"hidden":true,"type":"testDone","time":30}
{"suite":{"id":2,"platform":"vm","path":"test/broken_test.dart"},"type":"suite","time":0}
{"test":{"id":3,"name":"loading test/broken_test.dart","suiteID":2,"groupIDs":[],"metadata":{},"line":null},"type":"testStart","time":1}
{"testID":3,"error":"Failed to load \"test/broken_test.dart\": Compilation failed","stackTrace":"","isFailure":false,"type":"error","time":20}
{"testID":3,"result":"error","skipped":false,"hidden":true,"type":"testDone","time":21}
{"test":{"id":8,"name":"Test 1 Passing test","suiteID":0,"groupIDs":[6,7],"metadata":{"skip":false},"line":7,"column":5,"url":"file:///x/test/main_test.dart"},"type":"testStart","time":40}
{"testID":8,"result":"success","skipped":false,"hidden":false,"type":"testDone","time":45}
{"test":{"id":9,"name":"Skipped test","suiteID":0,"groupIDs":[],"metadata":{"skip":true,"skipReason":"why"},"line":9},"type":"testStart","time":46}
{"testID":9,"result":"success","skipped":true,"hidden":false,"type":"testDone","time":47}
{"test":{"id":11,"name":"Failing test","suiteID":0,"groupIDs":[],"metadata":{},"line":11},"type":"testStart","time":48}
{"testID":11,"error":"Expected: <2>\n  Actual: <1>\n","stackTrace":"","isFailure":true,"type":"error","time":49}
{"testID":11,"result":"failure","skipped":false,"hidden":false,"type":"testDone","time":50}
{"test":{"id":12,"name":"Failing test","suiteID":0,"groupIDs":[],"metadata":{},"line":12},"type":"testStart","time":51}
{"testID":12,"error":"Exception: boom","stackTrace":"","isFailure":false,"type":"error","time":52}
{"testID":12,"result":"error","skipped":false,"hidden":false,"type":"testDone","time":53}
{"test":{"id":13,"name":"Hangs","suiteID":0,"groupIDs":[],"metadata":{},"line":13},"type":"testStart","time":54}
{"success":false,"type":"done","time":60}"#;
        let (run, ctx) = read_with(parse, doc).unwrap();
        // passed, skipped, failed, error (exception), the broken suite, the unfinished one.
        assert_eq!(totals(&run), (6, 1, 1, 3, 1, 0));
        let f = run
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Failed)
            .unwrap();
        assert_eq!(
            (f.file.as_deref(), f.line, f.message.as_deref()),
            (Some("test/main_test.dart"), Some(11), Some("Expected: <2>"))
        );
        assert_eq!(ctx.warnings.len(), 3, "{:?}", ctx.warnings);
        assert!(read_with(parse, "hello\n").is_err());
        let e = read_with(parse, "{\"type\":\"start\"}\n{\"type\":\n").unwrap_err();
        assert_eq!(e.at.line.map(|l| l.0), Some(2), "{e}");
    }
}
