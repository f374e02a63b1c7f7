//! Mocha's built-in JSON reporter (`mocha --reporter json`):
//! `{"stats":{…},"tests":[…],"pending":[…],"failures":[…],"passes":[…]}`.
//!
//! - Every entry of `tests` is a test (mocha counts each, and titles repeat: each stays a
//!   distinct test): suite = its `file`, name = `fullTitle`. Outcome: failed when its `err`
//!   is not empty, skipped when it is listed in `pending`, else passed.
//! - Retries (`this.retries(n)`): `currentRetry` is the attempt that decided, so attempts =
//!   `currentRetry + 1`; a test that passed with `currentRetry > 0` failed before: flaky.
//! - A failed hook (`"before all" hook for …`) is in `failures` but not in `tests`: it is a
//!   failed test, as mocha counts it among the failing (and as mocha-junit-reporter writes
//!   it), with a warning; the tests it kept from running have no record.
//! - `stats` is never used for totals.

use std::collections::HashMap;
use std::io::BufRead;
use std::marker::PhantomData;

use serde::Deserialize;

use crate::ingest::coverage::json;
use crate::ingest::error::Result;
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, TestCase, TestRun};

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    tests: Vec<Test>,
    #[serde(default)]
    pending: Vec<Test>,
    #[serde(default)]
    failures: Vec<Test>,
}

#[derive(Deserialize)]
struct Test {
    #[serde(rename = "fullTitle", default)]
    full_title: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    duration: Option<f64>,
    #[serde(rename = "currentRetry", default)]
    current_retry: u32,
    #[serde(default)]
    err: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Test {
    fn key(&self) -> (String, Option<String>) {
        (self.full_title.clone(), self.file.clone())
    }
    fn failed(&self) -> bool {
        self.err.as_ref().is_some_and(|e| !e.is_empty())
    }
    fn message(&self) -> Option<String> {
        let e = self.err.as_ref()?;
        let m = e.get("message").and_then(|m| m.as_str())?;
        m.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    }
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let r: Report = json::run(input, PhantomData::<Report>, "a Mocha JSON report")?;
    let mut pending: HashMap<(String, Option<String>), u32> = HashMap::new();
    for p in &r.pending {
        *pending.entry(p.key()).or_default() += 1;
    }
    let mut in_tests: HashMap<(String, Option<String>), u32> = HashMap::new();
    let mut names = Names::new();
    let mut run = TestRun::new();
    let mut push = |t: &Test, outcome: Outcome, run: &mut TestRun| {
        let suite = names.get(t.file.as_deref().unwrap_or(""));
        let name = if t.full_title.is_empty() {
            t.title.clone()
        } else {
            t.full_title.clone()
        };
        let mut case = TestCase::new(suite, name, outcome);
        case.file = t.file.as_deref().map(Into::into);
        case.duration = t
            .duration
            .map(|ms| ms / 1000.0)
            .filter(|d| d.is_finite() && *d >= 0.0)
            .into();
        case.attempts = t.current_retry.saturating_add(1);
        if matches!(outcome, Outcome::Failed) {
            case.message = t.message().map(Into::into);
        }
        run.push(case);
    };
    for t in &r.tests {
        *in_tests.entry(t.key()).or_default() += 1;
        let outcome = if t.failed() {
            Outcome::Failed
        } else if let Some(n) = pending.get_mut(&t.key()).filter(|n| **n > 0) {
            *n -= 1;
            Outcome::Skipped
        } else if t.current_retry > 0 {
            Outcome::Flaky
        } else {
            Outcome::Passed
        };
        push(t, outcome, &mut run);
    }
    let mut hooks = 0u64;
    for f in &r.failures {
        match in_tests.get_mut(&f.key()).filter(|n| **n > 0) {
            Some(n) => *n -= 1,
            None => {
                hooks += 1;
                push(f, Outcome::Failed, &mut run);
            }
        }
    }
    ctx.warn_count(
        hooks,
        "failure outside the tests (failed hooks) counted as a failed test, as mocha counts it; the tests it kept from running have no record",
            "failures outside the tests (failed hooks) counted as failed tests, as mocha counts them; the tests they kept from running have no record",
    );
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testrun::{read_with, totals};

    #[test]
    fn tests_pending_retries_and_hooks() {
        // The shape mocha 11 writes (fixtures/real/mocha on branch real).
        let doc = r#"{"stats":{"tests":6,"passes":3,"pending":1,"failures":3},
"tests":[
 {"title":"shouts","fullTitle":"shouts","file":"/p/test/n.test.js","duration":0,"currentRetry":0,"err":{}},
 {"title":"shouts","fullTitle":"shouts","file":"/p/test/n.test.js","duration":0,"currentRetry":0,"err":{}},
 {"title":"fails","fullTitle":"math fails","file":"/p/test/m.test.js","duration":1,"currentRetry":0,"err":{"message":"Expected values to be strictly equal:\n\n4 !== 5\n"}},
 {"title":"skipped","fullTitle":"math skipped","file":"/p/test/m.test.js","currentRetry":0,"err":{}},
 {"title":"second","fullTitle":"retried second","file":"/p/test/m.test.js","duration":0,"currentRetry":1,"err":{}},
 {"title":"every","fullTitle":"retried every","file":"/p/test/m.test.js","duration":0,"currentRetry":2,"err":{"message":"nope"}}],
"pending":[{"title":"skipped","fullTitle":"math skipped","file":"/p/test/m.test.js","currentRetry":0,"err":{}}],
"failures":[
 {"title":"fails","fullTitle":"math fails","file":"/p/test/m.test.js","currentRetry":0,"err":{"message":"x"}},
 {"title":"every","fullTitle":"retried every","file":"/p/test/m.test.js","currentRetry":2,"err":{"message":"nope"}},
 {"title":"\"before all\" hook for \"never runs\"","fullTitle":"hooks \"before all\" hook for \"never runs\"","file":"/p/test/m.test.js","currentRetry":0,"err":{"message":"hook failed"}}],
"passes":[]}"#;
        let (run, ctx) = read_with(parse, doc).unwrap();
        assert_eq!(totals(&run), (7, 2, 3, 0, 1, 1));
        let every = run
            .cases
            .iter()
            .find(|c| c.name == "retried every")
            .unwrap();
        assert_eq!(
            (every.attempts, every.message.as_deref()),
            (3, Some("nope"))
        );
        let fails = run.cases.iter().find(|c| c.name == "math fails").unwrap();
        assert_eq!(
            fails.message.as_deref(),
            Some("Expected values to be strictly equal:")
        );
        assert!(ctx
            .warnings
            .iter()
            .any(|w| w.starts_with("1 failure outside the tests")));
        assert!(ctx
            .warnings
            .iter()
            .any(|w| w.starts_with("1 repeated name kept")));
    }
}
