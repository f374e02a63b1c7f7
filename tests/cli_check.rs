//! `testcert check` as a user runs it: exit codes 0/1/2, a bad config, no report at all, a
//! report that fails to parse (the others are still used and the run fails at the end), the
//! output file, and `explain`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs testcert with a clean environment (no CI variables leak in from the test runner).
fn testcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .output()
        .expect("run testcert")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch repository: one root project with the given files.
struct Repo(PathBuf);

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("testcert-cli-check-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Repo(dir)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const LCOV: &str = "SF:src/lib.rs\nDA:1,1\nDA:2,1\nDA:3,0\nend_of_record\n";
const JUNIT: &str = r#"<testsuite name="lib"><testcase classname="unit" name="smoke_starts" time="0.1"/></testsuite>"#;

#[test]
fn exit_0_when_every_project_reaches_the_required_level() {
    let o = testcert(&["check", "fixtures/repos/python-monorepo"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // No level is required there: a report, not a pass beside a level-0 project.
    let first = stdout(&o).lines().next().unwrap_or("").to_string();
    assert!(
        first.contains("no level required: report only") && !first.contains("passed"),
        "{first}"
    );
    let o = testcert(&[
        "check",
        "fixtures/repos/python-monorepo",
        "--min-level",
        "0",
        "--format",
        "markdown",
    ]);
    assert!(
        stdout(&o).starts_with("## Test Certified: report only"),
        "{}",
        stdout(&o)
    );
    // --min-level 0 asks for no level either: report only, exit 0.
    let o = testcert(&[
        "check",
        "fixtures/repos/python-monorepo",
        "--min-level",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn min_level_above_the_ladder_top_is_a_usage_error() {
    // max_level is 3 by default: --min-level 4 is a gate no project can pass.
    let o = testcert(&[
        "check",
        "fixtures/repos/python-monorepo",
        "--min-level",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("--min-level 4") && err.contains("max_level = 5"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // With max_level = 5 the same flag is a gate (below it: exit 1).
    let repo = Repo::new(&[
        ("testcert.toml", "max_level = 5\n"),
        ("coverage/lcov.info", LCOV),
        ("junit.xml", JUNIT),
    ]);
    assert_eq!(
        testcert(&["check", repo.path(), "--min-level", "4"])
            .status
            .code(),
        Some(1)
    );
    // The config's own required_level above the top: an error naming the file.
    let repo = Repo::new(&[
        ("testcert.toml", "required_level = 4\n"),
        ("lcov.info", LCOV),
    ]);
    let o = testcert(&["check", repo.path()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("testcert.toml:1: required_level = 4"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn warnings_go_to_stderr_without_paths_of_another_machine() {
    // Every format: the report on stdout, the warnings on stderr.
    for format in ["text", "json", "markdown"] {
        let o = testcert(&[
            "check",
            "fixtures/repos/rust-workspace",
            "--min-level",
            "0",
            "--format",
            format,
        ]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert!(
            err.contains("warning: coverage/lcov.info: line summary disagrees"),
            "{format}: {err}"
        );
        assert!(
            !out.contains("warning: coverage/lcov.info"),
            "{format}: {out}"
        );
        // The reports were written on another machine: its paths are not shown.
        assert!(!err.contains("/work/wt-fixtures"), "{format}: {err}");
        assert!(
            err.contains("crates/cli/src/main.rs (line 1)"),
            "{format}: {err}"
        );
    }
}

#[test]
fn exit_1_below_the_required_level_and_outputs_still_written() {
    let dir = std::env::temp_dir().join(format!("testcert-cli-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("result.json");
    let o = testcert(&[
        "check",
        "fixtures/repos/rust-workspace",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["passed"], false);
    let below: Vec<&str> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["passed"] == false)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(below, ["kv-legacy"]);
    // The same repository passes when the gate is lowered on the command line.
    let o = testcert(&["check", "fixtures/repos/rust-workspace", "--min-level", "0"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_bad_config_is_exit_2_naming_the_key_and_the_file() {
    let repo = Repo::new(&[
        ("testcert.toml", "required_levle = 2\n"),
        ("lcov.info", LCOV),
    ]);
    let o = testcert(&["check", repo.path()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("testcert.toml:1:1") && err.contains("required_levle"),
        "{err}"
    );
}

#[test]
fn no_report_at_all_is_said_and_fails_a_gate() {
    let repo = Repo::new(&[("src/lib.rs", "fn main() {}\n")]);
    let o = testcert(&["check", repo.path(), "--min-level", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: no report found"),
        "{}",
        stderr(&o)
    );
    let out = stdout(&o);
    assert!(out.contains("L1.coverage"), "{out}");
}

#[test]
fn a_report_that_fails_to_parse_fails_the_run_at_the_end() {
    let repo = Repo::new(&[
        ("coverage/lcov.info", LCOV),
        ("junit.xml", JUNIT),
        (
            "reports/junit-broken.xml",
            "<testsuite name=\"x\"><testcase name=\"a\">",
        ),
    ]);
    let o = testcert(&["check", repo.path(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // The broken report is named, with the place…
    let err = v["report_errors"][0]["error"].as_str().unwrap();
    assert!(err.starts_with("reports/junit-broken.xml:1:"), "{err}");
    assert!(stderr(&o).contains("reports/junit-broken.xml"));
    // …and the others were still used.
    let p = &v["projects"][0];
    assert_eq!(p["evidence"]["coverage"]["lines"]["total"], 3);
    assert_eq!(p["evidence"]["tests"]["total"], 1);
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(
        testcert(&["check", "--min-level", "9"]).status.code(),
        Some(2)
    );
    assert_eq!(testcert(&["check", "no/such/dir"]).status.code(), Some(2));
    assert_eq!(
        testcert(&["check", ".", "--format", "yaml"]).status.code(),
        Some(2)
    );
}

#[test]
fn explain_tells_how_a_criterion_is_measured() {
    let o = testcert(&["explain", "L2.incremental"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Measured:") && stdout(&o).contains("To meet it:"));
    let o = testcert(&["explain"]);
    assert!(stdout(&o).contains("L5.small-total"));
    let o = testcert(&["explain", "L9.nothing"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn text_is_plain_when_not_a_terminal() {
    let o = testcert(&["check", "fixtures/repos/python-monorepo"]);
    assert!(!stdout(&o).contains('\x1b'), "no colour codes in a pipe");
    assert!(Path::new("fixtures/repos/python-monorepo/testcert.toml").exists());
}

/// The text without its `ESC [ … m` colour codes.
fn strip_colour(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        rest = &after[after.find('m').expect("a colour code ends in m") + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn color_always_paints_a_pipe_never_and_no_color_do_not() {
    let repo = "fixtures/repos/python-monorepo";
    let never = stdout(&testcert(&["check", repo, "--color", "never"]));
    let always = stdout(&testcert(&["check", repo, "--color", "always"]));
    assert!(!never.contains('\x1b'));
    assert!(always.contains("\x1b[32m✓ met    \x1b[0m"), "{always}");
    assert!(always.contains("\x1b[1mtestcert\x1b[0m"), "{always}");
    assert_eq!(
        strip_colour(&always),
        never,
        "colour changes nothing but the codes"
    );

    let auto = |vars: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_testcert"));
        c.args(["check", repo]).env_clear();
        c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in vars {
            c.env(k, v);
        }
        stdout(&c.output().expect("run testcert"))
    };
    // CLICOLOR_FORCE asks for colour in a pipe; NO_COLOR wins over it.
    assert_eq!(auto(&[("CLICOLOR_FORCE", "1")]), always);
    assert_eq!(auto(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), never);
    let usage = testcert(&["check", repo, "--color", "sometimes"]);
    assert_eq!(usage.status.code(), Some(2));
}
