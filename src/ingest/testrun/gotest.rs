//! `go test -json` streams (test2json events, one JSON object per line), including
//! `gotestsum --jsonfile` output and its `--rerun-fails` reruns.
//!
//! - one case per `pass`, `fail` or `skip` event that names a `Test`: suite = `Package`,
//!   class = none, name = `Test`. Package-level `pass`/`fail` (no `Test`) are not cases;
//! - subtests (`TestA/sub`) are cases, and so is their parent: `go test`, gotestsum and
//!   dorny/test-reporter all count both;
//! - a test run again (`gotestsum --rerun-fails`) is pushed once per run; [`TestRun::finish`]
//!   folds the runs (failed then passed ⇒ flaky);
//! - message: the first output line of the test that is not a `=== RUN`/`--- FAIL` banner
//!   (`calc_test.go:19: expected 3, got 2`), which also gives the case's file and line;
//! - a test that started (`run`) but never ended is an error case with a warning (a panic
//!   or a timeout killed the binary, or the stream was cut);
//! - lines that are not JSON (build output interleaved by a script) are skipped with a
//!   warning; a stream with no event at all is an error at the first bad line;
//! - a last line that is cut inside an object (no newline, not valid JSON) is a truncated
//!   file: an error at its `line:col`;
//! - a package that fails to build (Go ≥ 1.24 `build-fail` events; before, only a plain
//!   `FAIL\t<pkg> [build failed]` line in the stream) is one error case `(build failed)` of
//!   that package, as gotestsum counts it ("1 error"), with a warning naming it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Outcome, TestCase, TestRun};

/// The fields of a test2json event we read. Strings borrow from the line unless escaped.
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "Action", borrow)]
    action: Cow<'a, str>,
    #[serde(rename = "Package", borrow, default)]
    package: Option<Cow<'a, str>>,
    #[serde(rename = "ImportPath", borrow, default)]
    import_path: Option<Cow<'a, str>>,
    #[serde(rename = "Test", borrow, default)]
    test: Option<Cow<'a, str>>,
    #[serde(rename = "Elapsed", default)]
    elapsed: Option<f64>,
    #[serde(rename = "Output", borrow, default)]
    output: Option<Cow<'a, str>>,
}

/// A test that started and has not ended yet: its first useful output line.
#[derive(Default)]
struct Running {
    first_output: Option<String>,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    // go test names are unique within a package: a repeat is a rerun (`-count=N`,
    // gotestsum `--rerun-fails`).
    let mut run = TestRun {
        repeats: crate::model::Repeats::Attempts,
        ..TestRun::new()
    };
    // Running tests by `package NUL test`; `key` is the scratch buffer for lookups, so that an
    // output line costs no allocation.
    let mut running: HashMap<String, Running> = HashMap::new();
    let mut key = String::new();
    let mut line = Vec::with_capacity(4096);
    let mut lineno = 0u64;
    let mut events = 0u64;
    // First line that was not an event: (line, column, reason).
    let mut first_bad: Option<(u64, u64, String)> = None;
    let mut bad_lines = 0u64;
    let mut build_failed: Vec<String> = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| ParseError::at_line(lineno + 1, 1, format!("read error: {e}")))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        let ended = line.last() == Some(&b'\n');
        let text = trim_line(&line);
        if text.is_empty() {
            continue;
        }
        // go before 1.20 reports a package whose tests do not compile only as a plain line
        // in the stream (`FAIL\tpkg [build failed]`), with no event.
        if let Some(pkg) = build_failure_line(text) {
            build_failed.push(pkg);
            continue;
        }
        let ev = match serde_json::from_slice::<Event>(text) {
            Ok(ev) => ev,
            Err(err) => {
                let col = err.column() as u64;
                if !ended && text.first() == Some(&b'{') && err.is_eof() {
                    return Err(ParseError::at_line(
                        lineno,
                        col.max(1),
                        "unexpected end of file inside a JSON event (truncated file?)",
                    ));
                }
                bad_lines += 1;
                if first_bad.is_none() {
                    let what = if text.first() == Some(&b'{') {
                        format!("not a go test -json event: {err}")
                    } else {
                        format!(
                            "not a go test -json event: {:?}",
                            String::from_utf8_lossy(&text[..text.len().min(60)])
                        )
                    };
                    let col = if text.first() == Some(&b'{') {
                        col.max(1)
                    } else {
                        1
                    };
                    first_bad = Some((lineno, col, what));
                }
                continue;
            }
        };
        events += 1;
        let action = ev.action.as_ref();
        if action == "build-fail" {
            if let Some(p) = ev.import_path.as_deref() {
                build_failed.push(p.to_string());
            }
            continue;
        }
        let (Some(pkg), Some(test)) = (ev.package.as_deref(), ev.test.as_deref()) else {
            continue;
        };
        match action {
            "run" => {
                running
                    .entry(make_key(&mut key, pkg, test).to_string())
                    .or_default();
            }
            "output" => {
                let Some(out) = ev.output.as_deref() else {
                    continue;
                };
                // Lookup without allocating a key per output line.
                if let Some(r) = running.get_mut(make_key(&mut key, pkg, test)) {
                    if r.first_output.is_none() {
                        r.first_output = useful_output(out);
                    }
                }
            }
            "pass" | "fail" | "skip" => {
                let outcome = match action {
                    "pass" => Outcome::Passed,
                    "fail" => Outcome::Failed,
                    _ => Outcome::Skipped,
                };
                let started = running.remove(make_key(&mut key, pkg, test));
                let mut case = TestCase::new(pkg, test, outcome);
                case.duration = ev.elapsed.filter(|d| d.is_finite() && *d >= 0.0).into();
                if outcome != Outcome::Passed {
                    if let Some(msg) = started.and_then(|r| r.first_output) {
                        located(&mut case, msg);
                    }
                }
                run.push(case);
            }
            _ => {}
        }
    }
    if events == 0 {
        return Err(match first_bad {
            Some((l, c, what)) => ParseError::at_line(l, c, what),
            None => ParseError::new("empty file: no go test -json event"),
        });
    }
    if bad_lines > 0 {
        let (l, _, what) = first_bad.expect("set with the first bad line");
        ctx.warn(format!(
            "{bad_lines} line(s) that are not go test -json events were skipped (first at line {l}: {what})"
        ));
    }
    if !running.is_empty() {
        let mut unfinished: Vec<_> = running.into_iter().collect();
        unfinished.sort_by(|a, b| a.0.cmp(&b.0));
        ctx.warn(format!(
            "{} test(s) started but never ended (panic, timeout or a cut stream), counted as errors: {}",
            unfinished.len(),
            unfinished
                .iter()
                .take(5)
                .map(|(k, _)| k.replace('\0', " "))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for (k, r) in unfinished {
            let (pkg, test) = k.split_once('\0').expect("keys hold a NUL");
            let mut case = TestCase::new(pkg, test, Outcome::Error);
            case.message = Some(
                r.first_output
                    .unwrap_or_else(|| "started but never ended".to_string())
                    .into(),
            );
            run.push(case);
        }
    }
    if !build_failed.is_empty() {
        build_failed.sort();
        build_failed.dedup();
        ctx.warn(format!(
            "{} package(s) failed to build, so none of their tests ran: {} (each counted as one error, as gotestsum counts it)",
            build_failed.len(),
            build_failed.join(", ")
        ));
        // Not a silent zero: the package's tests did not run, which is an error of the run.
        for pkg in &build_failed {
            let mut case = TestCase::new(pkg.as_str(), "(build failed)", Outcome::Error);
            case.message = Some("the package's tests did not compile: none ran".into());
            run.push(case);
        }
    }
    Ok(run)
}

/// The package of a `FAIL\t<package> [build failed]` (or `[setup failed]`) line.
fn build_failure_line(text: &[u8]) -> Option<String> {
    let rest = text.strip_prefix(b"FAIL")?;
    let rest = std::str::from_utf8(rest).ok()?.trim();
    let pkg = rest
        .strip_suffix("[build failed]")
        .or_else(|| rest.strip_suffix("[setup failed]"))?
        .trim();
    (!pkg.is_empty() && !pkg.contains(char::is_whitespace)).then(|| pkg.to_string())
}

fn make_key<'k>(key: &'k mut String, pkg: &str, test: &str) -> &'k str {
    key.clear();
    key.push_str(pkg);
    key.push('\0');
    key.push_str(test);
    key
}

/// An output line worth keeping as the message: not a banner go test prints itself.
fn useful_output(out: &str) -> Option<String> {
    let t = out.trim();
    const BANNERS: [&str; 9] = [
        "=== RUN",
        "=== PAUSE",
        "=== CONT",
        "=== NAME",
        "--- PASS",
        "--- FAIL",
        "--- SKIP",
        "PASS",
        "FAIL",
    ];
    if t.is_empty() || BANNERS.iter().any(|b| t.starts_with(b)) {
        return None;
    }
    Some(t.chars().take(500).collect())
}

/// Sets the message and, when it starts with `file.go:line:`, the file and line.
fn located(case: &mut TestCase, msg: String) {
    if let Some((file, rest)) = msg.split_once(".go:") {
        if !file.contains(' ') {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(line) = digits.parse::<u32>() {
                case.file = Some(format!("{file}.go").into());
                case.line = Some(line);
            }
        }
    }
    case.message = Some(msg.into());
}

fn trim_line(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::super::totals;
    use super::*;

    fn read(s: &str) -> Result<(TestRun, Ctx)> {
        super::super::read_with(parse, s)
    }

    const P: &str = r#""Package":"example.com/calc""#;

    fn ev(action: &str, test: &str, extra: &str) -> String {
        let test = if test.is_empty() {
            String::new()
        } else {
            format!(r#","Test":"{test}""#)
        };
        format!(r#"{{"Time":"2024-05-01T10:00:00Z","Action":"{action}",{P}{test}{extra}}}"#) + "\n"
    }

    #[test]
    fn subtests_parents_and_package_lines() {
        let mut s = ev("start", "", "");
        s += &ev("run", "TestAdd", "");
        s += &ev("output", "TestAdd", r#","Output":"=== RUN   TestAdd\n""#);
        s += &ev("pass", "TestAdd", r#","Elapsed":0.01"#);
        s += &ev("run", "TestDiv", "");
        s += &ev("run", "TestDiv/by_zero", "");
        s += &ev(
            "output",
            "TestDiv/by_zero",
            r#","Output":"=== RUN   TestDiv/by_zero\n""#,
        );
        s += &ev(
            "output",
            "TestDiv/by_zero",
            r#","Output":"    calc_test.go:19: expected \"inf\", got 0\n""#,
        );
        s += &ev("fail", "TestDiv/by_zero", r#","Elapsed":0"#);
        s += &ev("run", "TestDiv/ok", "");
        s += &ev("pass", "TestDiv/ok", r#","Elapsed":0"#);
        s += &ev("fail", "TestDiv", r#","Elapsed":0.02"#);
        s += &ev("run", "TestLater", "");
        s += &ev(
            "output",
            "TestLater",
            r#","Output":"    calc_test.go:30: not yet\n""#,
        );
        s += &ev("skip", "TestLater", r#","Elapsed":0"#);
        s += &ev("output", "", r#","Output":"FAIL\n""#);
        s += &ev("fail", "", r#","Elapsed":0.5"#);
        let (run, ctx) = read(&s).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        // TestAdd, TestDiv/ok passed; TestDiv and TestDiv/by_zero failed; TestLater skipped.
        assert_eq!(totals(&run), (5, 2, 2, 0, 1, 0));
        let bz = run
            .cases
            .iter()
            .find(|c| c.name == "TestDiv/by_zero")
            .unwrap();
        assert_eq!(bz.suite, "example.com/calc");
        assert_eq!(bz.class, None);
        assert_eq!(
            bz.message.as_deref(),
            Some("calc_test.go:19: expected \"inf\", got 0")
        );
        assert_eq!(
            (bz.file.as_deref(), bz.line),
            (Some("calc_test.go"), Some(19))
        );
        let later = run.cases.iter().find(|c| c.name == "TestLater").unwrap();
        assert_eq!(later.message.as_deref(), Some("calc_test.go:30: not yet"));
    }

    #[test]
    fn reruns_fold_to_flaky() {
        let mut s = ev("run", "TestNet", "");
        s += &ev("fail", "TestNet", r#","Elapsed":1"#);
        s += &ev("fail", "", "");
        s += &ev("run", "TestNet", "");
        s += &ev("pass", "TestNet", r#","Elapsed":2"#);
        s += &ev("pass", "", "");
        let (run, _) = read(&s).unwrap();
        assert_eq!(totals(&run), (1, 0, 0, 0, 0, 1));
        assert_eq!(run.cases[0].attempts, 2);
        assert_eq!(run.cases[0].duration, Some(3.0));
    }

    #[test]
    fn interleaved_text_warns_and_unfinished_tests_are_errors() {
        let mut s = "# example.com/calc [build]\nok  \texample.com/calc\n".to_string();
        s += &ev("run", "TestHang", "");
        s += &ev(
            "output",
            "TestHang",
            r#","Output":"panic: test timed out after 10m0s\n""#,
        );
        s += &ev("fail", "", "");
        let (run, ctx) = read(&s).unwrap();
        assert_eq!(totals(&run), (1, 0, 0, 1, 0, 0));
        assert_eq!(
            run.cases[0].message.as_deref(),
            Some("panic: test timed out after 10m0s")
        );
        assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
        assert!(ctx.warnings[0].contains("2 line(s)"), "{:?}", ctx.warnings);
    }

    #[test]
    fn errors_say_where() {
        let e = read("build failed\n{\"Action\":5}\n").unwrap_err();
        assert_eq!(e.at.line, Some((1, 1)), "{e}");
        let e = read("{\"Time\":\"x\",\"Action\":\"run\" \"Package\":\"p\"}\n").unwrap_err();
        assert_eq!(e.at.line.map(|l| l.0), Some(1), "{e}");
        assert!(e.at.line.unwrap().1 > 20, "{e}");
        // Truncated last line.
        let mut s = ev("run", "TestA", "");
        s += r#"{"Time":"2024-05-01T10:00:00Z","Action":"pa"#;
        let e = read(&s).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert_eq!(e.at.line.map(|l| l.0), Some(2));
        assert!(read("").unwrap_err().message.contains("empty"));
        assert!(read("\n\n").is_err());
    }

    #[test]
    fn build_fail_events_warn() {
        let mut s = r##"{"ImportPath":"example.com/bad [example.com/bad.test]","Action":"build-output","Output":"# example.com/bad\n"}"##.to_string() + "\n";
        s += r#"{"ImportPath":"example.com/bad [example.com/bad.test]","Action":"build-fail"}"#;
        s += "\n";
        s += &ev("run", "TestAdd", "");
        s += &ev("pass", "TestAdd", "");
        let (run, ctx) = read(&s).unwrap();
        assert_eq!(totals(&run), (2, 1, 0, 1, 0, 0));
        assert!(ctx.warnings.iter().any(|w| w.contains("failed to build")));
        // go 1.19 writes only a text line for it (fixtures/real/go): the same error, and the
        // line is not one of the skipped non-event lines.
        let s = "FAIL\texample.com/bad [build failed]\n".to_string()
            + &ev("run", "TestAdd", "")
            + &ev("pass", "TestAdd", "");
        let (run, ctx) = read(&s).unwrap();
        assert_eq!(totals(&run), (2, 1, 0, 1, 0, 0));
        let bad = run
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Error)
            .unwrap();
        assert_eq!(
            (bad.suite.as_str(), bad.name.as_str()),
            ("example.com/bad", "(build failed)")
        );
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
    }
}
