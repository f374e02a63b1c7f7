//! Visual Studio / `dotnet test` TRX (`<TestRun xmlns=".../TeamTest/2010">`), whatever the
//! adapter (MSTest, xUnit, NUnit). `ingest::open` has already dropped the BOM and transcoded
//! UTF-16.
//!
//! TRX puts `<Results>` before `<TestDefinitions>`, so each result is kept small (test id,
//! name, outcome, duration, message) and joined with its definition at the end:
//! - suite: the file name of the definition's `storage` (the test assembly), else of its
//!   `TestMethod codeBase`;
//! - class: `TestMethod className` (an assembly-qualified `Ns.C, Asm, Version=…` is cut at the
//!   comma); name: `testName` with a leading `class.` dropped;
//! - outcome: `Passed`, `PassedButRunAborted`, `Completed`, `Warning` ⇒ passed; `Failed` ⇒
//!   failed; `Error`, `Timeout`, `Aborted`, `NotRunnable` (MSTest could not run the method:
//!   bad signature) ⇒ error; `NotExecuted`, `Inconclusive`, `Pending`, `InProgress`,
//!   `Disconnected` ⇒ skipped; anything else ⇒ error, with a warning;
//! - data-driven tests: a result with `<InnerResults>` is an aggregate; its inner rows are the
//!   cases (a row named like its parent gets ` (Data Row n)` from `dataRowInfo`);
//! - retries: every result element is pushed; results of one test definition are attempts
//!   ([`crate::model::Repeats::Attempts`]): [`TestRun::finish`] folds them (failed then
//!   passed ⇒ flaky);
//! - message: the first line of `<Output><ErrorInfo><Message>`;
//! - MSTest `<TestCategory><TestCategoryItem TestCategory="…"/>` of a definition ⇒ a
//!   `TestCategory` property of each of its results (sizes and smoke tags are read from it).
//!
//! `<ResultSummary><Counters>` is never read: totals come from the results.

use std::collections::HashMap;
use std::io::BufRead;

use super::util::{self, attrs};
use crate::ingest::error::Result;
use crate::ingest::xml::{Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, SharedStr, TestCase, TestRun};

/// One result element, kept until the definitions are read.
struct Pending {
    test_id: TestId,
    name: String,
    outcome: Outcome,
    duration: Option<f64>,
    message: Option<String>,
}

/// A result element still open, with its depth and whether it held inner results.
struct Open {
    depth: usize,
    result: Pending,
    has_inner: bool,
}

/// What a `<UnitTest>` definition tells about its test.
#[derive(Default)]
struct Definition {
    /// Interned as they are read: every definition of a class or an assembly repeats it.
    class: Option<SharedStr>,
    suite: Option<SharedStr>,
    categories: Vec<String>,
}

/// A `testId`: a GUID as the 128-bit number it spells (hashed and compared as two words, no
/// allocation), any other text as it is. Only lowercase GUIDs, as TRX writers spell them,
/// are taken as numbers, so that two ids are equal exactly when their texts are.
#[derive(Clone, PartialEq, Eq, Hash)]
enum TestId {
    Guid(u128),
    Text(Box<str>),
}

impl TestId {
    fn of(v: &Option<std::borrow::Cow<'_, [u8]>>) -> TestId {
        match v.as_deref().and_then(guid) {
            Some(g) => TestId::Guid(g),
            None => TestId::Text(util::text(v).unwrap_or_default().into_boxed_str()),
        }
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase hexadecimal.
fn guid(v: &[u8]) -> Option<u128> {
    if v.len() != 36 {
        return None;
    }
    let mut n: u128 = 0;
    for (i, &b) in v.iter().enumerate() {
        let d = match b {
            b'-' if matches!(i, 8 | 13 | 18 | 23) => continue,
            b'0'..=b'9' if !matches!(i, 8 | 13 | 18 | 23) => b - b'0',
            b'a'..=b'f' if !matches!(i, 8 | 13 | 18 | 23) => b - b'a' + 10,
            _ => return None,
        };
        n = n << 4 | u128::from(d);
    }
    Some(n)
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let mut r = XmlReader::new(input);
    let mut root_seen = false;
    let mut results: Vec<Pending> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut defs: HashMap<TestId, Definition> = HashMap::new();
    // The definition being read: its id and depth.
    let mut def: Option<(usize, TestId, Definition)> = None;
    // Two tables, so that each keeps its last name at hand: definitions alternate them.
    let mut suites = Names::new();
    let mut classes = Names::new();
    let mut unknown_outcomes = 0u64;
    loop {
        let (empty, e) = match r.event()? {
            Ev::Start(e) => (false, e),
            Ev::Empty(e) => (true, e),
            Ev::End => {
                let depth = r.depth();
                if open.last().is_some_and(|o| depth < o.depth) {
                    let o = open.pop().expect("checked");
                    close(o, &mut results);
                }
                if def.as_ref().is_some_and(|(d, _, _)| depth < *d) {
                    let (_, id, d) = def.take().expect("checked");
                    defs.insert(id, d);
                }
                continue;
            }
            Ev::Eof => break,
            _ => continue,
        };
        let local = e.local_name();
        let name = local.as_ref();
        if !root_seen {
            root_seen = true;
            if name != b"TestRun" {
                let root = String::from_utf8_lossy(name).into_owned();
                drop(e);
                return Err(r.error(format!(
                    "root element <{root}> is not a TRX file (<TestRun>)"
                )));
            }
            continue;
        }
        match name {
            b"UnitTestResult"
            | b"TestResultAggregation"
            | b"GenericTestResult"
            | b"ManualTestResult"
            | b"WebTestResult" => {
                let [id, test_name, outcome_attr, duration, row] = attrs!(
                    r,
                    e,
                    empty,
                    [
                        b"testId",
                        b"testName",
                        b"outcome",
                        b"duration",
                        b"dataRowInfo"
                    ]
                );
                let outcome = outcome(outcome_attr.as_deref()).unwrap_or_else(|| {
                    unknown_outcomes += 1;
                    Outcome::Error
                });
                let mut test_name = util::text(&test_name).unwrap_or_default();
                let parent = open.last_mut();
                if let Some(row) = util::non_empty(&row) {
                    if parent.as_ref().is_some_and(|p| p.result.name == test_name) {
                        test_name = format!("{test_name} (Data Row {})", row.trim());
                    }
                }
                if let Some(p) = parent {
                    p.has_inner = true;
                }
                let result = Pending {
                    test_id: TestId::of(&id),
                    name: test_name,
                    outcome,
                    duration: duration.as_deref().and_then(timespan),
                    message: None,
                };
                drop(e);
                if empty {
                    results.push(result);
                } else {
                    open.push(Open {
                        depth: r.depth(),
                        result,
                        has_inner: false,
                    });
                }
            }
            b"Message" if !empty && !open.is_empty() => {
                drop(e);
                let text = r.read_text(util::TEXT_LIMIT)?;
                let top = open.last_mut().expect("checked");
                if top.result.message.is_none() {
                    top.result.message = util::first_line(&text);
                }
            }
            b"UnitTest" => {
                let [id, storage] = attrs!(r, e, empty, [b"id", b"storage"]);
                let d = Definition {
                    class: None,
                    suite: util::non_empty(&storage).map(|s| suites.get(util::file_name(&s))),
                    categories: Vec::new(),
                };
                let id = TestId::of(&id);
                drop(e);
                if empty {
                    defs.insert(id, d);
                } else {
                    def = Some((r.depth(), id, d));
                }
            }
            b"TestCategoryItem" => {
                let [category] = attrs!(r, e, empty, [b"TestCategory"]);
                if let (Some((_, _, d)), Some(c)) = (def.as_mut(), util::non_empty(&category)) {
                    d.categories.push(c);
                }
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            b"TestMethod" => {
                let [class, code_base] = attrs!(r, e, empty, [b"className", b"codeBase"]);
                if let Some((_, _, d)) = def.as_mut() {
                    d.class = util::non_empty(&class).map(|c| match c.split_once(',') {
                        Some((c, _)) => classes.get(c.trim()),
                        None => classes.get(&c),
                    });
                    if d.suite.is_none() {
                        d.suite =
                            util::non_empty(&code_base).map(|s| suites.get(util::file_name(&s)));
                    }
                }
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            // Large or irrelevant subtrees: output streams, stack traces, the summary (whose
            // counters are never trusted), settings, entries and lists.
            b"StdOut" | b"StdErr" | b"DebugTrace" | b"TextMessages" | b"StackTrace"
            | b"ResultSummary" | b"TestSettings" | b"TestEntries" | b"TestLists"
            | b"ResultFiles" | b"Times" => {
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            _ => {}
        }
    }
    // Results still open cannot happen (the reader rejects unclosed elements); close anyway.
    while let Some(o) = open.pop() {
        close(o, &mut results);
    }
    // Results naming one test id are runs of one test definition (retries): attempts.
    let mut run = TestRun {
        repeats: crate::model::Repeats::Attempts,
        ..TestRun::new()
    };
    run.cases.reserve(results.len());
    let mut undefined = 0u64;
    for p in results {
        let d = defs.get(&p.test_id);
        if d.is_none() {
            undefined += 1;
        }
        let class = d.and_then(|d| d.class.clone());
        let suite = d.and_then(|d| d.suite.clone()).unwrap_or_default();
        let name = util::strip_class(&p.name, class.as_deref());
        let mut case = TestCase::new(suite, name, p.outcome);
        case.class = class;
        case.duration = p.duration.into();
        case.message = p.message.map(Into::into);
        if let Some(d) = d {
            case.properties.extend(
                d.categories
                    .iter()
                    .map(|c| ("TestCategory".to_string(), c.clone())),
            );
        }
        run.push(case);
    }
    if undefined > 0 {
        ctx.warn(format!(
            "{undefined} result(s) have no <UnitTest> definition with their testId: class and assembly unknown"
        ));
    }
    if unknown_outcomes > 0 {
        ctx.warn(format!(
            "{unknown_outcomes} result(s) with a missing or unknown outcome counted as errors"
        ));
    }
    util::warn_entities(ctx, r.unknown_entities);
    Ok(run)
}

/// A closed result is a case unless it was an aggregate of inner results.
fn close(o: Open, results: &mut Vec<Pending>) {
    if !o.has_inner {
        results.push(o.result);
    }
}

fn outcome(v: Option<&[u8]>) -> Option<Outcome> {
    Some(match v?.trim_ascii() {
        b"Passed" | b"PassedButRunAborted" | b"Completed" | b"Warning" => Outcome::Passed,
        b"Failed" => Outcome::Failed,
        b"Error" | b"Timeout" | b"Aborted" | b"NotRunnable" => Outcome::Error,
        b"NotExecuted" | b"Inconclusive" | b"Pending" | b"InProgress" | b"Disconnected" => {
            Outcome::Skipped
        }
        _ => return None,
    })
}

/// A .NET TimeSpan `[d.]hh:mm:ss[.fffffff]` in seconds.
fn timespan(v: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(v).ok()?.trim();
    let mut parts = s.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, h) = match h.split_once('.') {
        Some((d, h)) => (d.parse::<u64>().ok()?, h),
        None => (0, h),
    };
    let h: u64 = h.parse().ok()?;
    let m: u64 = m.parse().ok()?;
    let sec: f64 = sec
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)?;
    // In floating point: a day count near u64::MAX must not overflow (a panic in checked builds).
    let t = (days as f64) * 86_400.0 + (h as f64) * 3600.0 + (m as f64) * 60.0 + sec;
    t.is_finite().then_some(t)
}

#[cfg(test)]
mod tests {
    use super::super::totals;
    use super::*;

    #[test]
    fn only_lowercase_guids_are_numbers() {
        let g = "0b5ef4e9-8c1b-4a40-a9b3-0123456789ab";
        assert_eq!(
            guid(g.as_bytes()),
            Some(0x0b5ef4e9_8c1b_4a40_a9b3_0123456789ab)
        );
        for not in [
            "0B5EF4E9-8C1B-4A40-A9B3-0123456789AB",
            "0b5ef4e98c1b-4a40-a9b3-0123456789ab-",
            "0b5ef4e9-8c1b-4a40-a9b3-0123456789a",
            "0b5ef4e9-8c1b-4a40-a9b3-0123456789ag",
            "",
        ] {
            assert_eq!(guid(not.as_bytes()), None, "{not}");
        }
        // An uppercase spelling is another id, as its text is another text.
        let lower = TestId::of(&Some(g.as_bytes().into()));
        let upper = TestId::of(&Some(g.to_uppercase().into_bytes().into()));
        assert!(lower != upper);
    }

    fn read(s: &str) -> Result<(TestRun, Ctx)> {
        super::super::read_with(parse, s)
    }

    fn result(id: &str, name: &str, outcome: &str) -> String {
        format!(
            r#"<UnitTestResult executionId="e-{id}" testId="{id}" testName="{name}" duration="00:00:01.5000000" outcome="{outcome}" />"#
        )
    }

    fn doc(results: &str, defs: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<TestRun id="1" name="x" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="Completed"><Counters total="999" passed="999" /></ResultSummary>
  <Results>{results}</Results>
  <TestDefinitions>{defs}</TestDefinitions>
</TestRun>"#
        )
    }

    fn def(id: &str, name: &str, class: &str) -> String {
        format!(
            r#"<UnitTest name="{name}" storage="c:\b\my.tests.dll" id="{id}"><Execution id="e-{id}" /><TestMethod codeBase="C:\b\My.Tests.dll" className="{class}" name="{name}" /></UnitTest>"#
        )
    }

    #[test]
    fn outcomes_and_definitions_joined_after_results() {
        let mut results = String::new();
        let mut defs = String::new();
        let outcomes = [
            "Passed",
            "Failed",
            "NotExecuted",
            "Inconclusive",
            "Timeout",
            "Error",
            "Aborted",
            "NotRunnable",
            "Warning",
            "PassedButRunAborted",
        ];
        for (i, o) in outcomes.iter().enumerate() {
            results += &result(&format!("id{i}"), &format!("Ns.C.T{i}"), o);
            defs += &def(
                &format!("id{i}"),
                &format!("T{i}"),
                "Ns.C, My.Tests, Version=1.0",
            );
        }
        let (run, ctx) = read(&doc(&results, &defs)).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert_eq!(totals(&run), (10, 3, 1, 4, 2, 0));
        let c = &run.cases[0];
        assert_eq!(
            (c.suite.as_str(), c.class.as_deref()),
            ("my.tests.dll", Some("Ns.C"))
        );
        assert_eq!(c.name, "T0");
        assert_eq!(c.duration, Some(1.5));
    }

    #[test]
    fn mstest_categories_are_properties() {
        let defs = r#"<UnitTest name="Slow" storage="t.dll" id="a"><TestCategory><TestCategoryItem TestCategory="Integration" /><TestCategoryItem TestCategory="Nightly" /></TestCategory><TestMethod className="Ns.C" name="Slow" /></UnitTest><UnitTest name="Fast" storage="t.dll" id="b"><TestMethod className="Ns.C" name="Fast" /></UnitTest>"#;
        let results = result("a", "Slow", "Passed") + &result("b", "Fast", "Passed");
        let (run, _) = read(&doc(&results, defs)).unwrap();
        let props = |n: &str| {
            run.cases
                .iter()
                .find(|c| c.name == n)
                .unwrap()
                .properties
                .to_vec()
        };
        assert_eq!(
            props("Slow"),
            [
                ("TestCategory".to_string(), "Integration".to_string()),
                ("TestCategory".to_string(), "Nightly".to_string())
            ]
        );
        assert!(props("Fast").is_empty());
    }

    #[test]
    fn messages_inner_results_and_retries() {
        let results = r#"
<UnitTestResult testId="a" testName="Flaky" outcome="Failed" duration="00:00:00.1"><Output><StdOut>noise</StdOut><ErrorInfo><Message>Assert.AreEqual failed.
more</Message><StackTrace>at X</StackTrace></ErrorInfo></Output></UnitTestResult>
<UnitTestResult testId="a" testName="Flaky" outcome="Passed" duration="00:00:00.2" />
<UnitTestResult testId="d" testName="Rows" outcome="Failed" resultType="DataDrivenTest">
  <InnerResults>
    <UnitTestResult testId="d" testName="Rows" outcome="Passed" dataRowInfo="1" resultType="DataDrivenDataRow" />
    <UnitTestResult testId="d" testName="Rows" outcome="Failed" dataRowInfo="2" resultType="DataDrivenDataRow"><Output><ErrorInfo><Message>row 2 broke</Message></ErrorInfo></Output></UnitTestResult>
  </InnerResults>
</UnitTestResult>
<UnitTestResult testId="zz" testName="Orphan" outcome="Bogus" />"#;
        let defs = def("a", "Flaky", "Ns.C") + &def("d", "Rows", "Ns.C");
        let (run, ctx) = read(&doc(results, &defs)).unwrap();
        // Flaky (2 attempts), Rows (Data Row 1) passed, Rows (Data Row 2) failed, Orphan error.
        assert_eq!(totals(&run), (4, 1, 1, 1, 0, 1));
        let flaky = run.cases.iter().find(|c| c.name == "Flaky").unwrap();
        assert_eq!(flaky.attempts, 2);
        assert_eq!(flaky.message.as_deref(), Some("Assert.AreEqual failed."));
        assert!((flaky.duration.get().unwrap() - 0.3).abs() < 1e-9);
        let row2 = run
            .cases
            .iter()
            .find(|c| c.name == "Rows (Data Row 2)")
            .unwrap();
        assert_eq!(row2.message.as_deref(), Some("row 2 broke"));
        assert_eq!(ctx.warnings.len(), 3, "{:?}", ctx.warnings);
        assert_eq!(
            ctx.warnings[2],
            "1 rerun folded: 1 failed then passed (flaky), 0 failed on every attempt"
        );
    }

    #[test]
    fn empty_run_and_timespans() {
        let (run, _) = read(&doc("", "")).unwrap();
        assert_eq!(run.totals().tests, 0);
        let (run, _) = read("<TestRun><Results /></TestRun>").unwrap();
        assert_eq!(run.totals().tests, 0);
        assert_eq!(timespan(b"1.02:03:04.5"), Some(93784.5));
        assert_eq!(timespan(b"00:00:00"), Some(0.0));
        assert_eq!(timespan(b"12"), None);
    }

    #[test]
    fn malformed_inputs_are_located_errors() {
        let e =
            read("<TestRun><Results><UnitTestResult testId=\"a\" outcome=\"Passed\">").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        let e = read("<TestRun><Results></TestRun>").unwrap_err();
        assert!(e.at.offset.is_some(), "{e}");
        let doc = "<TestRun><Results><UnitTestResult testName=\"a\"b\"c\" /></Results></TestRun>";
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("malformed attributes"), "{e}");
        assert!(read("<test-run/>")
            .unwrap_err()
            .message
            .contains("not a TRX"));
        assert!(read("").is_err());
    }
}
