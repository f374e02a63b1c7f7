//! RSpec's JSON formatter (`rspec --format json`):
//! `{"version":…,"messages":[…],"examples":[…],"summary":{…},"summary_line":…}`.
//!
//! - Every example is a test (RSpec counts each; `full_description` may repeat, `id` does
//!   not): suite = `file_path`, name = `full_description`, file and line from `file_path`
//!   and `line_number`. `status`: `passed`, `failed` (an assertion or an exception alike:
//!   RSpec has no separate error count; a pending example that passed is failed too),
//!   `pending` (`xit`, `skip` and `pending`) ⇒ skipped.
//! - `summary.errors_outside_of_examples_count` (a spec file that failed to load: RSpec then
//!   runs no example at all) is that many errors, `(errors outside of examples)`, with the
//!   first message: a report with no example must not read as a clean run.
//! - rspec-retry leaves no trace of attempts in this output: a retried example is its final
//!   status.

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
    messages: Vec<String>,
    examples: Vec<Example>,
    #[serde(default)]
    summary: Option<Summary>,
}

#[derive(Deserialize)]
struct Example {
    #[serde(default)]
    description: String,
    #[serde(default)]
    full_description: String,
    status: String,
    #[serde(default)]
    file_path: Option<String>,
    #[serde(default)]
    line_number: Option<u32>,
    #[serde(default)]
    run_time: Option<f64>,
    #[serde(default)]
    exception: Option<Exception>,
    #[serde(default)]
    pending_message: Option<String>,
}

#[derive(Deserialize)]
struct Exception {
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Summary {
    #[serde(default)]
    errors_outside_of_examples_count: u64,
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let r: Report = json::run(input, PhantomData::<Report>, "an RSpec JSON report")?;
    let mut names = Names::new();
    let mut run = TestRun::new();
    let mut unknown = 0u64;
    for e in r.examples {
        let outcome = match e.status.as_str() {
            "passed" => Outcome::Passed,
            "failed" => Outcome::Failed,
            "pending" => Outcome::Skipped,
            _ => {
                unknown += 1;
                Outcome::Error
            }
        };
        let file = e
            .file_path
            .as_deref()
            .map(|p| p.strip_prefix("./").unwrap_or(p).to_string());
        let suite = names.get(file.as_deref().unwrap_or(""));
        let name = if e.full_description.is_empty() {
            e.description
        } else {
            e.full_description
        };
        let mut case = TestCase::new(suite, name, outcome);
        case.file = file.map(Into::into);
        case.line = e.line_number;
        case.duration = e.run_time.filter(|d| d.is_finite() && *d >= 0.0).into();
        case.message = match outcome {
            Outcome::Skipped => e.pending_message.as_deref().and_then(first_line),
            Outcome::Passed => None,
            _ => e
                .exception
                .and_then(|x| x.message.as_deref().and_then(first_line).or(x.class)),
        }
        .map(Into::into);
        run.push(case);
    }
    let outside = r.summary.map_or(0, |s| s.errors_outside_of_examples_count);
    for i in 0..outside {
        let mut case = TestCase::new(
            "",
            format!("(errors outside of examples {})", i + 1),
            Outcome::Error,
        );
        case.message = r
            .messages
            .iter()
            .find_map(|m| first_line(m))
            .map(Into::into);
        run.push(case);
    }
    ctx.warn_count(
        outside,
        "error outside of examples (a spec file failed to load) counted as an error",
        "errors outside of examples (a spec file failed to load) counted as errors",
    );
    ctx.warn_count(
        unknown,
        "example with an unknown status counted as an error",
        "examples with an unknown status counted as errors",
    );
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testrun::{read_with, totals};

    #[test]
    fn examples_statuses_and_load_errors() {
        let doc = r#"{"version":"3.12.0","messages":[],"examples":[
{"id":"./spec/calc_spec.rb[1:1]","description":"adds","full_description":"Calc adds","status":"passed","file_path":"./spec/calc_spec.rb","line_number":6,"run_time":0.0002,"pending_message":null},
{"id":"./spec/calc_spec.rb[1:2]","description":"fails","full_description":"Calc fails","status":"failed","file_path":"./spec/calc_spec.rb","line_number":10,"run_time":0.007,"pending_message":null,"exception":{"class":"RSpec::Expectations::ExpectationNotMetError","message":"\nexpected: 5\n     got: 4\n","backtrace":[]}},
{"id":"./spec/calc_spec.rb[1:3]","description":"skipped","full_description":"Calc skipped","status":"pending","file_path":"./spec/calc_spec.rb","line_number":20,"run_time":0.0,"pending_message":"Temporarily skipped with xit"},
{"id":"./spec/calc_spec.rb[1:7]","description":"same","full_description":"Calc same","status":"passed","file_path":"./spec/calc_spec.rb","line_number":30},
{"id":"./spec/calc_spec.rb[1:8]","description":"same","full_description":"Calc same","status":"passed","file_path":"./spec/calc_spec.rb","line_number":31}],
"summary":{"duration":0.01,"example_count":5,"failure_count":1,"pending_count":1,"errors_outside_of_examples_count":0},"summary_line":"5 examples, 1 failure, 1 pending"}"#;
        let (run, _) = read_with(parse, doc).unwrap();
        assert_eq!(totals(&run), (5, 3, 1, 0, 1, 0));
        let f = run
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Failed)
            .unwrap();
        assert_eq!(
            (f.file.as_deref(), f.line, f.message.as_deref()),
            (Some("spec/calc_spec.rb"), Some(10), Some("expected: 5"))
        );
        // A spec file that fails to load: no example ran, one error.
        let doc = r#"{"version":"3.12.0","messages":["\nAn error occurred while loading ./spec/broken_spec.rb.\n"],"examples":[],"summary":{"duration":4e-05,"example_count":0,"failure_count":0,"pending_count":0,"errors_outside_of_examples_count":1},"summary_line":"0 examples, 0 failures, 1 error occurred outside of examples"}"#;
        let (run, ctx) = read_with(parse, doc).unwrap();
        assert_eq!(totals(&run), (1, 0, 0, 1, 0, 0));
        assert_eq!(
            run.cases[0].message.as_deref(),
            Some("An error occurred while loading ./spec/broken_spec.rb.")
        );
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
    }
}
