//! NUnit XML: NUnit 3 (`<test-run>`), NUnit 2 (`<test-results>`, 2.0 to 2.6) and the bare
//! `<test-suite>` fragments some tools write (one assembly, no `<test-run>` around it). All
//! three are [`crate::ingest::Format::Nunit3`]: the `test-case` elements carry the same
//! information, only the attribute names differ.
//!
//! Each `<test-case>` is one case:
//! - suite: the file name of the enclosing `test-suite type="Assembly"` (else of the
//!   outermost `test-suite`): `C:\…\My.Tests.dll` → `My.Tests.dll`;
//! - class, name: NUnit 3 `fullname` minus its last `.name` part (so the instances of a
//!   parameterized fixture, `Foo(1)` and `Foo(2)`, stay distinct), else `classname`; `name`.
//!   NUnit 2 has only the full name `Ns.Class.Method(args)`: split at the last `.` before the
//!   arguments;
//! - NUnit 3 outcome: `Passed` and `Warning` ⇒ passed (NUnit does not fail a run on
//!   warnings); `Failed` ⇒ failed, or error with label `Error`, `Invalid` or `Cancelled`;
//!   `Skipped` (labels `Ignored`, `Explicit`) ⇒ skipped; `Inconclusive` ⇒ skipped, as the
//!   peers count it (publish-unit-test-result-action, dorny/test-reporter);
//! - NUnit 2 outcome from `result`: `Success` ⇒ passed; `Failure` ⇒ failed; `Error`,
//!   `Cancelled`, `NotRunnable` (a test NUnit could not run: bad signature) ⇒ error;
//!   `Ignored`, `Skipped`, `Inconclusive` ⇒ skipped. NUnit 2.2 writes no `result`: then
//!   `executed="False"` ⇒ skipped, else `success` decides, and without a usable `success`
//!   a `<failure>` child makes the case failed, else passed (as publish-unit-test-result-action);
//! - `<properties><property>` and NUnit 2 `<categories><category>` ⇒ properties (NUnit's
//!   internal `_SKIPREASON`, `_PID`, … are left out); `<failure><message>` or
//!   `<reason><message>` ⇒ message.
//!
//! The `total`/`passed`/`failed` attributes of `test-run` and `test-suite` are never read.
//! A DOCTYPE is never read: an external entity (`NUnit-sec1752-*.xml` probes) stays as the
//! literal text `&xxe;` with a warning, and the file it names is never opened.

use std::io::BufRead;

use super::util::{self, attrs};
use crate::ingest::error::Result;
use crate::ingest::xml::{Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, TestCase, TestRun};

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let mut names = Names::new();
    let mut r = XmlReader::new(input);
    let mut run = TestRun::new();
    let mut root_seen = false;
    // The suite name and the depth of the test-suite element it came from.
    let mut assembly: Option<(usize, String)> = None;
    let mut unknown_results = 0u64;
    let mut odd_success = 0u64;
    loop {
        let (empty, e) = match r.event()? {
            Ev::Start(e) => (false, e),
            Ev::Empty(e) => (true, e),
            Ev::End => {
                if assembly.as_ref().is_some_and(|(d, _)| r.depth() < *d) {
                    assembly = None;
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
            if !matches!(name, b"test-run" | b"test-results" | b"test-suite") {
                let root = String::from_utf8_lossy(name).into_owned();
                drop(e);
                return Err(r.error(format!(
                    "root element <{root}> is not NUnit XML (<test-run>, <test-results> or <test-suite>)"
                )));
            }
        }
        match name {
            b"test-run" | b"test-results" | b"results" => {}
            b"test-suite" => {
                let [ty, n] = attrs!(r, e, empty, [b"type", b"name"]);
                let is_assembly = util::is(&ty, "Assembly");
                if is_assembly || assembly.is_none() {
                    let n = util::text(&n).unwrap_or_default();
                    let depth = r.depth() + usize::from(empty);
                    assembly = Some((depth, util::file_name(&n).to_string()));
                }
            }
            b"test-case" => {
                let [n, fullname, classname, result, label, executed, success, duration, time] = attrs!(
                    r,
                    e,
                    empty,
                    [
                        b"name",
                        b"fullname",
                        b"classname",
                        b"result",
                        b"label",
                        b"executed",
                        b"success",
                        b"duration",
                        b"time"
                    ]
                );
                let Some(full) = util::non_empty(&n) else {
                    drop(e);
                    return Err(r.error("<test-case> has no name"));
                };
                let (class, name) = if fullname.is_some() || classname.is_some() {
                    nunit3_identity(
                        full,
                        util::non_empty(&fullname),
                        util::non_empty(&classname),
                    )
                } else {
                    split_full_name(&full)
                };
                let known = outcome(&result, &label, &executed, &success);
                // No `result` and no usable `success` (hand-written or broken NUnit 2 files,
                // `success="Turue"`): a `<failure>` child makes it failed, else passed.
                let decide_by_children = known.is_none() && result.is_none();
                if decide_by_children && success.is_some() {
                    odd_success += 1;
                }
                let outcome = known.unwrap_or_else(|| {
                    if decide_by_children {
                        Outcome::Passed
                    } else {
                        unknown_results += 1;
                        Outcome::Error
                    }
                });
                let suite = assembly
                    .as_ref()
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default();
                let mut case = TestCase::new(names.get(&suite), name, outcome);
                case.class = class.map(|c| names.get(&c));
                case.duration = util::seconds(&duration)
                    .or_else(|| util::seconds(&time))
                    .into();
                drop(e);
                if !empty && read_case(&mut r, &mut case)? && decide_by_children {
                    case.outcome = Outcome::Failed;
                }
                run.push(case);
            }
            // Environment, settings, command line, suite-level properties, failures and
            // output: nothing a case needs.
            _ => {
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
        }
    }
    if unknown_results > 0 {
        ctx.warn(format!(
            "{unknown_results} <test-case> element(s) with a missing or unknown result counted as errors"
        ));
    }
    if odd_success > 0 {
        ctx.warn(format!(
            "{odd_success} <test-case> element(s) without a result and with a success value that is neither True nor False: read as failed when they hold a <failure>, else passed"
        ));
    }
    util::warn_entities(ctx, r.unknown_entities);
    Ok(run)
}

type Attr<'a> = Option<std::borrow::Cow<'a, [u8]>>;

/// The outcome of a test case, `None` when the attributes say nothing we know.
fn outcome(result: &Attr, label: &Attr, executed: &Attr, success: &Attr) -> Option<Outcome> {
    let Some(res) = result.as_deref().map(<[u8]>::trim_ascii) else {
        // NUnit 2.2: executed + success only.
        if util::is(executed, "False") {
            return Some(Outcome::Skipped);
        }
        return match success.as_deref().map(<[u8]>::trim_ascii) {
            Some(b"True") | Some(b"true") => Some(Outcome::Passed),
            Some(b"False") | Some(b"false") => Some(Outcome::Failed),
            // Decided by the children: see `Decide`.
            _ => None,
        };
    };
    Some(match res {
        // NUnit 3
        b"Passed" | b"Warning" => Outcome::Passed,
        b"Failed" => {
            if util::is(label, "Error")
                || util::is(label, "Invalid")
                || util::is(label, "Cancelled")
            {
                Outcome::Error
            } else {
                Outcome::Failed
            }
        }
        b"Skipped" | b"Inconclusive" => Outcome::Skipped,
        // NUnit 2
        b"Success" => Outcome::Passed,
        b"Failure" => Outcome::Failed,
        b"Error" | b"Cancelled" | b"NotRunnable" => Outcome::Error,
        b"Ignored" | b"NotRun" => Outcome::Skipped,
        _ => return None,
    })
}

/// NUnit 3 class and name: the class is `fullname` without its trailing `.name` (which keeps
/// the arguments of a parameterized fixture), else `classname`.
fn nunit3_identity(
    name: String,
    fullname: Option<String>,
    classname: Option<String>,
) -> (Option<String>, String) {
    let from_full = fullname.as_deref().and_then(|f| {
        f.strip_suffix(name.as_str())
            .and_then(|c| c.strip_suffix('.'))
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    });
    (from_full.or(classname), name)
}

/// NUnit 2 `Ns.Class.Method(args)` → (`Ns.Class`, `Method(args)`): the last `.` before the
/// arguments separates them.
fn split_full_name(full: &str) -> (Option<String>, String) {
    let head = full.find('(').map_or(full, |p| &full[..p]);
    match head.rfind('.') {
        Some(dot) if dot > 0 && dot + 1 < full.len() => {
            (Some(full[..dot].to_string()), full[dot + 1..].to_string())
        }
        _ => (None, full.to_string()),
    }
}

/// Reads the children of a `<test-case>` whose start tag was just returned; true when it
/// holds a `<failure>`.
fn read_case<R: BufRead>(r: &mut XmlReader<R>, case: &mut TestCase) -> Result<bool> {
    let mut failure = false;
    let depth = r.depth();
    while r.depth() >= depth {
        let (empty, e) = match r.event()? {
            Ev::Start(e) => (false, e),
            Ev::Empty(e) => (true, e),
            Ev::Eof => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            b"property" => {
                let [n, v] = attrs!(r, e, empty, [b"name", b"value"]);
                if let Some(n) = util::text(&n).filter(|n| !n.starts_with('_')) {
                    case.properties
                        .push((n, util::text(&v).unwrap_or_default()));
                }
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            b"category" => {
                let [n] = attrs!(r, e, empty, [b"name"]);
                if let Some(n) = util::text(&n) {
                    case.properties.push(("Category".to_string(), n));
                }
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
            b"message" if !empty && case.message.is_none() => {
                drop(e);
                let text = r.read_text(util::TEXT_LIMIT)?;
                case.message = util::first_line(&text).map(Into::into);
            }
            b"failure" => {
                failure = true;
            }
            b"properties" | b"categories" | b"reason" => {}
            _ => {
                drop(e);
                if !empty {
                    r.skip()?;
                }
            }
        }
    }
    Ok(failure)
}

#[cfg(test)]
mod tests {
    use super::super::totals;
    use super::*;

    fn read(s: &str) -> Result<(TestRun, Ctx)> {
        super::super::read_with(parse, s)
    }

    const V3: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<test-run id="2" testcasecount="99" result="Failed" total="99" passed="99">
  <command-line><![CDATA[nunit3-console My.Tests.dll]]></command-line>
  <test-suite type="Assembly" name="My.Tests.dll" fullname="/src/bin/My.Tests.dll">
    <properties><property name="_PID" value="1" /></properties>
    <failure><message>One or more child tests had errors</message></failure>
    <test-suite type="TestFixture" name="Calc" fullname="Ns.Calc" classname="Ns.Calc">
      <test-case name="Pass" fullname="Ns.Calc.Pass" methodname="Pass" classname="Ns.Calc" result="Passed" duration="0.25">
        <properties>
          <property name="Category" value="Fast" />
          <property name="_SKIPREASON" value="internal" />
        </properties>
      </test-case>
      <test-case name="Fail" fullname="Ns.Calc.Fail" classname="Ns.Calc" result="Failed" duration="0.1">
        <failure><message><![CDATA[  Expected: 3
  But was:  2]]></message><stack-trace>at Ns.Calc.Fail()</stack-trace></failure>
      </test-case>
      <test-case name="Throws" fullname="Ns.Calc.Throws" classname="Ns.Calc" result="Failed" label="Error" />
      <test-case name="BadSig" fullname="Ns.Calc.BadSig" classname="Ns.Calc" result="Failed" label="Invalid" />
      <test-case name="Slow" fullname="Ns.Calc.Slow" classname="Ns.Calc" result="Failed" label="Test exceeded Timeout value 1ms." />
      <test-case name="Ignored" fullname="Ns.Calc.Ignored" classname="Ns.Calc" result="Skipped" label="Ignored"><reason><message>later</message></reason></test-case>
      <test-case name="Explicit" fullname="Ns.Calc.Explicit" classname="Ns.Calc" result="Skipped" label="Explicit" />
      <test-case name="Maybe" fullname="Ns.Calc.Maybe" classname="Ns.Calc" result="Inconclusive" />
      <test-case name="Warned" fullname="Ns.Calc.Warned" classname="Ns.Calc" result="Warning" />
    </test-suite>
    <test-suite type="ParameterizedFixture" name="Fix" fullname="Ns.Fix">
      <test-suite type="TestFixture" name="Fix(1)" fullname="Ns.Fix(1)">
        <test-case name="T" fullname="Ns.Fix(1).T" classname="Ns.Fix" result="Passed" />
      </test-suite>
      <test-suite type="TestFixture" name="Fix(2)" fullname="Ns.Fix(2)">
        <test-case name="T" fullname="Ns.Fix(2).T" classname="Ns.Fix" result="Passed" />
      </test-suite>
    </test-suite>
  </test-suite>
</test-run>"#;

    #[test]
    fn nunit3_outcomes_labels_and_identity() {
        let (run, ctx) = read(V3).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        // passed: Pass, Warned, Fix(1).T, Fix(2).T; failed: Fail, Slow; errors: Throws,
        // BadSig; skipped: Ignored, Explicit, Maybe.
        assert_eq!(totals(&run), (11, 4, 2, 2, 3, 0));
        let pass = run.cases.iter().find(|c| c.name == "Pass").unwrap();
        assert_eq!(pass.suite, "My.Tests.dll");
        assert_eq!(pass.class.as_deref(), Some("Ns.Calc"));
        assert_eq!(*pass.properties, [("Category".into(), "Fast".into())]);
        assert_eq!(pass.duration, Some(0.25));
        let fail = run.cases.iter().find(|c| c.name == "Fail").unwrap();
        assert_eq!(fail.message.as_deref(), Some("Expected: 3"));
        let ign = run.cases.iter().find(|c| c.name == "Ignored").unwrap();
        assert_eq!(ign.message.as_deref(), Some("later"));
        assert!(run
            .cases
            .iter()
            .any(|c| c.class.as_deref() == Some("Ns.Fix(2)")));
    }

    #[test]
    fn nunit2_results_and_categories() {
        let doc = r#"<test-results name="T.dll" total="1" failures="9">
  <test-suite type="Assembly" name="C:\x\T.dll" executed="True" result="Failure" success="False" time="1">
    <results>
      <test-suite type="TestFixture" name="C" executed="True" result="Failure">
        <results>
          <test-case name="Ns.C.Ok" executed="True" result="Success" success="True" time="0.010">
            <categories><category name="Smoke" /></categories>
          </test-case>
          <test-case name="Ns.C.Bad(&quot;a.b&quot;)" executed="True" result="Failure" success="False" time="0.5">
            <failure><message><![CDATA[boom]]></message><stack-trace/></failure>
          </test-case>
          <test-case name="Ns.C.Err" executed="True" result="Error" success="False" />
          <test-case name="Ns.C.Sig" executed="False" result="NotRunnable"><reason><message>bad signature</message></reason></test-case>
          <test-case name="Ns.C.Ign" executed="False" result="Ignored" />
          <test-case name="Ns.C.Inc" executed="True" result="Inconclusive" />
          <test-case name="Ns.C.Old" executed="True" success="True" />
          <test-case name="Ns.C.OldFail" executed="True" success="False" />
          <test-case name="Ns.C.OldSkip" executed="False" />
          <test-case name="Ns.C.Bare" executed="True" />
          <test-case name="Ns.C.BareFail" executed="True"><failure><message>x</message></failure></test-case>
        </results>
      </test-suite>
    </results>
  </test-suite>
</test-results>"#;
        let (run, ctx) = read(doc).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert_eq!(totals(&run), (11, 3, 3, 2, 3, 0));
        let bad = run
            .cases
            .iter()
            .find(|c| c.name.starts_with("Bad"))
            .unwrap();
        assert_eq!(bad.name, "Bad(\"a.b\")");
        assert_eq!(bad.class.as_deref(), Some("Ns.C"));
        assert_eq!(bad.suite, "T.dll");
        assert_eq!(bad.message.as_deref(), Some("boom"));
        let ok = run.cases.iter().find(|c| c.name == "Ok").unwrap();
        assert_eq!(ok.property("category"), Some("Smoke"));
    }

    #[test]
    fn repeated_cases_stay_distinct_and_unknown_result_warns() {
        let doc = r#"<test-run><test-suite type="Assembly" name="a.dll">
            <test-case name="t" fullname="N.t" result="Failed" />
            <test-case name="t" fullname="N.t" result="Passed" />
            <test-case name="u" fullname="N.u" result="Odd" />
        </test-suite></test-run>"#;
        let (run, ctx) = read(doc).unwrap();
        // NUnit counts every test-case element: a failure is never hidden by a namesake.
        assert_eq!(totals(&run), (3, 1, 1, 1, 0, 0));
        assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
        assert!(ctx
            .warnings
            .iter()
            .any(|w| w.starts_with("1 repeated name kept as distinct")));
    }

    #[test]
    fn broken_success_value_is_decided_by_the_children() {
        let doc = r#"<test-results><test-suite name="a.dll"><results>
            <test-case name="N.C.a" executed="True" success="Turue" />
            <test-case name="N.C.b" executed="True" success="Turue"><failure /></test-case>
        </results></test-suite></test-results>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(totals(&run), (2, 1, 1, 0, 0, 0));
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
    }

    #[test]
    fn bare_test_suite_root_and_empty_run() {
        let (run, _) = read(
            r#"<test-suite type="TestFixture" name="Fx"><results><test-case name="A.B" result="Success" /></results></test-suite>"#,
        )
        .unwrap();
        assert_eq!(run.cases[0].suite, "Fx");
        assert_eq!(totals(&read("<test-run/>").unwrap().0), (0, 0, 0, 0, 0, 0));
    }

    #[test]
    fn malformed_inputs_are_located_errors() {
        // Unescaped quotes inside a name (corpus NUnit-issue47367.xml).
        let doc = "<test-suite><results>\n<test-case name=\"M(\"pass\")\" result=\"Success\" /></results></test-suite>";
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("malformed attributes"), "{e}");
        assert!(e.at.offset.unwrap() > doc.find("<test-case").unwrap() as u64);
        let e = read("<test-run><test-suite type=\"Assembly\" name=\"a\"><test-case name=\"x\"")
            .unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
        assert!(read("<testsuite/>")
            .unwrap_err()
            .message
            .contains("not NUnit"));
    }

    #[test]
    fn external_entities_are_never_read() {
        let dir = std::env::temp_dir().join(format!("testcert-xxe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("secret.txt");
        std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
        let doc = format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE test [ <!ENTITY xxe SYSTEM "file://{}"> <!ENTITY rel SYSTEM "secret.txt"> ]>
<test-results name="T.dll"><test-suite name="T.dll"><results>
<test-case name="N.C.t" executed="True" success="False"><failure><message>&xxe;&rel;</message></failure></test-case>
</results></test-suite></test-results>"#,
            secret.display()
        );
        let report = dir.join("NUnit-xxe.xml");
        std::fs::write(&report, doc).unwrap();
        let e = crate::ingest::read_report(&report).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.contains("declares entities"), "{e}");
        assert!(!e.contains("TOP-SECRET"), "{e}");
    }
}
