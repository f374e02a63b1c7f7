//! xUnit.net XML: v2/v3 (`<assemblies><assembly><collection><test>`) and v1 (`<assembly>`
//! root, `<class>` instead of `<collection>`). Fixie and other runners write the same shape.
//!
//! - suite: the assembly's file name (`C:\…\My.Tests.dll` → `My.Tests.dll`), else the
//!   collection (v1: class) name;
//! - class: `type`; name: `name` with a leading `type.` dropped, so that the rows of a
//!   data-driven test (`M(1)`, `M(2)`) stay distinct tests;
//! - result `Pass` ⇒ passed, `Fail` ⇒ failed, `Skip` and `NotRun` (v3 explicit tests) ⇒
//!   skipped; anything else is an error case with a warning;
//! - `<traits><trait name value/>` ⇒ properties; `<failure><message>` / `<reason>` ⇒ message;
//! - `<errors><error type name>` (an assembly, collection or class cleanup that failed, not
//!   attached to a test) ⇒ an error case named `[type] name`, so the failure is not lost.
//!
//! The `total/passed/failed` attributes are never read: totals come from the `<test>`
//! elements.

use std::io::BufRead;

use super::util::{self, attrs, RawNames};
use crate::ingest::error::Result;
use crate::ingest::xml::{local_name, Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, SharedStr, TestCase, TestRun};

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    // Suites and classes apart: each repeats its last name over the tests that follow,
    // which the interners then recognise without hashing.
    let mut suites = Names::new();
    let mut classes = RawNames::default();
    let mut r = XmlReader::new(input);
    let mut run = TestRun::new();
    let mut root_seen = false;
    // Suite name for the tests that follow: the assembly's file name, else the collection.
    let mut assembly: Option<String> = None;
    let mut collection: Option<String> = None;
    // That name, shared by the tests; made again after either changes.
    let mut suite: Option<SharedStr> = None;
    let mut unknown_results = 0u64;
    loop {
        let (empty, e) = match r.event()? {
            Ev::Start(e) => (false, e),
            Ev::Empty(e) => (true, e),
            Ev::Eof => break,
            _ => continue,
        };
        let name = local_name(&e);
        if !root_seen {
            root_seen = true;
            if name != b"assemblies" && name != b"assembly" {
                let root = String::from_utf8_lossy(name).into_owned();
                drop(e);
                return Err(r.error(format!(
                    "root element <{root}> is not xUnit.net XML (<assemblies> or <assembly>)"
                )));
            }
        }
        match name {
            b"assembly" => {
                let [n] = attrs!(r, e, empty, [b"name"]);
                assembly = util::non_empty(&n).map(|n| util::file_name(&n).to_string());
                collection = None;
                suite = None;
            }
            b"collection" | b"class" => {
                let [n] = attrs!(r, e, empty, [b"name"]);
                collection = util::non_empty(&n);
                suite = None;
            }
            b"test" => {
                let [n, ty, method, time, result] = attrs!(
                    r,
                    e,
                    empty,
                    [b"name", b"type", b"method", b"time", b"result"]
                );
                let class = classes.non_empty(&ty);
                let Some(full) = util::non_empty_ref(&n).or_else(|| util::non_empty_ref(&method))
                else {
                    drop(e);
                    return Err(r.error("<test> has neither a name nor a method"));
                };
                let outcome = match result.as_deref().map(<[u8]>::trim_ascii) {
                    Some(b"Pass") => Outcome::Passed,
                    Some(b"Fail") => Outcome::Failed,
                    Some(b"Skip") | Some(b"NotRun") => Outcome::Skipped,
                    _ => {
                        unknown_results += 1;
                        Outcome::Error
                    }
                };
                let suite = suite
                    .get_or_insert_with(|| suites.get(&suite_name(&assembly, &collection)))
                    .clone();
                let mut case =
                    TestCase::new(suite, util::strip_class(&full, class.as_deref()), outcome);
                case.class = class;
                case.duration = util::seconds(&time).into();
                drop(e);
                if !empty {
                    read_test(&mut r, &mut case)?;
                }
                run.push(case);
            }
            b"error" => {
                let [ty, n] = attrs!(r, e, empty, [b"type", b"name"]);
                let label = format!(
                    "[{}] {}",
                    util::text(&ty).unwrap_or_else(|| "error".into()),
                    util::text(&n).unwrap_or_default()
                );
                let suite = suite
                    .get_or_insert_with(|| suites.get(&suite_name(&assembly, &collection)))
                    .clone();
                let mut case = TestCase::new(suite, label.trim_end(), Outcome::Error);
                drop(e);
                if !empty {
                    read_test(&mut r, &mut case)?;
                }
                run.push(case);
            }
            _ => {}
        }
    }
    if unknown_results > 0 {
        ctx.warn(format!(
            "{unknown_results} <test> element(s) with a missing or unknown result (not Pass, Fail, Skip, NotRun) counted as errors"
        ));
    }
    util::warn_entities(ctx, r.unknown_entities);
    Ok(run)
}

fn suite_name(assembly: &Option<String>, collection: &Option<String>) -> String {
    assembly
        .clone()
        .or_else(|| collection.clone())
        .unwrap_or_default()
}

/// Reads the children of a `<test>` (or `<error>`) whose start tag was just returned.
fn read_test<R: BufRead>(r: &mut XmlReader<R>, case: &mut TestCase) -> Result<()> {
    let depth = r.depth();
    while r.depth() >= depth {
        let (empty, e) = match r.event()? {
            Ev::Start(e) => (false, e),
            Ev::Empty(e) => (true, e),
            Ev::Eof => break,
            _ => continue,
        };
        match local_name(&e) {
            b"trait" => {
                let [n, v] = attrs!(r, e, empty, [b"name", b"value"]);
                if let Some(n) = util::text(&n) {
                    case.properties
                        .push((n, util::text(&v).unwrap_or_default()));
                }
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            // v1 and v2 failures: <failure><message>; v2 skips: <reason>text</reason>, v1
            // skips: <reason><message>.
            b"message" | b"reason" if !empty && case.message.is_none() => {
                drop(e);
                let text = r.read_text(util::TEXT_LIMIT)?;
                case.message = util::first_line(&text).map(Into::into);
            }
            b"failure" | b"traits" | b"reason" | b"message" => {}
            _ => {
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TestTotals;

    fn read(s: &str) -> Result<(TestRun, Ctx)> {
        super::super::read_with(parse, s)
    }

    const V2: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<assemblies>
  <assembly name="C:\build\My.Tests.dll" total="99" passed="99">
    <errors>
      <error type="test-class-cleanup" name="My.Tests.Db">
        <failure exception-type="X"><message><![CDATA[cleanup blew up
at line 2]]></message></failure>
      </error>
    </errors>
    <collection name="Test collection for My.Tests.A">
      <test name="My.Tests.A.Ok" type="My.Tests.A" method="Ok" time="0.5" result="Pass">
        <traits><trait name="Category" value="fast" /></traits>
        <output>hello</output>
      </test>
      <test name="My.Tests.A.Row(x: 1)" type="My.Tests.A" method="Row" time="0.1" result="Fail">
        <failure exception-type="Xunit.Sdk.EqualException">
          <message><![CDATA[Assert.Equal() Failure
Expected: 1]]></message>
          <stack-trace>at A.Row()</stack-trace>
        </failure>
      </test>
      <test name="My.Tests.A.Row(x: 2)" type="My.Tests.A" method="Row" time="0.1" result="Pass" />
      <test name="My.Tests.A.Later" type="My.Tests.A" method="Later" time="0" result="Skip"><reason><![CDATA[not yet]]></reason></test>
      <test name="My.Tests.A.Explicit" type="My.Tests.A" method="Explicit" time="0" result="NotRun" />
    </collection>
  </assembly>
</assemblies>"#;

    #[test]
    fn v2_outcomes_traits_and_errors() {
        let (run, ctx) = read(V2).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert_eq!(
            run.totals(),
            TestTotals {
                tests: 6,
                passed: 2,
                failed: 1,
                errors: 1,
                skipped: 2,
                flaky: 0
            }
        );
        let ok = run.cases.iter().find(|c| c.name == "Ok").unwrap();
        assert_eq!(ok.suite, "My.Tests.dll");
        assert_eq!(ok.class.as_deref(), Some("My.Tests.A"));
        assert_eq!(ok.property("category"), Some("fast"));
        assert_eq!(ok.duration, Some(0.5));
        let row = run.cases.iter().find(|c| c.name == "Row(x: 1)").unwrap();
        assert_eq!(row.message.as_deref(), Some("Assert.Equal() Failure"));
        let later = run.cases.iter().find(|c| c.name == "Later").unwrap();
        assert_eq!(later.message.as_deref(), Some("not yet"));
        let err = run
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Error)
            .unwrap();
        assert_eq!(err.name, "[test-class-cleanup] My.Tests.Db");
        assert_eq!(err.message.as_deref(), Some("cleanup blew up"));
    }

    #[test]
    fn v1_root_and_repeated_names_stay_distinct() {
        let doc = r#"<assembly name="/x/T.dll"><class name="T.C">
            <test name="T.C.t" type="T.C" method="t" result="Fail"><failure><message>boom</message></failure></test>
            <test name="T.C.t" type="T.C" method="t" result="Pass" />
            <test name="T.C.u" type="T.C" method="u" result="Weird" />
        </class></assembly>"#;
        let (run, ctx) = read(doc).unwrap();
        let t = run.totals();
        // xUnit.net counts every test element.
        assert_eq!((t.tests, t.failed, t.passed, t.errors), (3, 1, 1, 1));
        assert_eq!(run.cases[0].attempts, 1);
        assert_eq!(run.cases[0].suite, "T.dll");
        assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
    }

    #[test]
    fn empty_assembly_is_zero_tests() {
        let (run, _) =
            read("<assemblies><assembly name=\"a.dll\"><errors /></assembly></assemblies>")
                .unwrap();
        assert_eq!(run.totals().tests, 0);
    }

    #[test]
    fn malformed_and_truncated_inputs_are_located_errors() {
        let e = read("<assemblies><assembly name=\"a\"><collection><test name=\"x\" result=\"Pass\"></collection>")
            .unwrap_err();
        assert!(e.at.offset.is_some(), "{e}");
        let e = read("<assemblies><assembly name=\"a\"><collection>").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        let doc = "<assemblies><assembly><collection><test name=\"a(\"x\")\" result=\"Pass\"/>";
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("malformed attributes"), "{e}");
        // Inside the broken tag, where the stray quote ends the value early.
        let at = e.at.offset.unwrap() as usize;
        assert!(
            at > doc.find("a(").unwrap() && at < doc.find("/>").unwrap(),
            "{at}"
        );
        assert!(read("").is_err());
        assert!(read("<testsuites/>")
            .unwrap_err()
            .message
            .contains("not xUnit"));
    }
}
