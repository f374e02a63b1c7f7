//! Golden tests for `check` on the bundled example repositories: the JSON and text outputs
//! sit in `tests/expected/` next to nothing but themselves; the inputs are
//! `fixtures/repos/<name>/` (its working tree, no git: every line counts as changed) and a
//! real git checkout of `fixtures/repos/<name>.bundle` made by `scripts/example-repo.sh`
//! (diff against `main`). `TESTCERT_BLESS=1 cargo test --test check_golden` rewrites them.
//!
//! The environment is empty (no CI variables), so the outputs are the same on a laptop and in
//! CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use testcert::check::{run, CheckOptions};
use testcert::render;
use testcert::result::Scope;

fn no_env(_: &str) -> Option<String> {
    None
}

fn compare(name: &str, got: &str, drift: &mut Vec<String>) {
    let path = Path::new("tests/expected").join(name);
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if got != expected {
        if std::env::var_os("TESTCERT_BLESS").is_some() {
            std::fs::create_dir_all("tests/expected").unwrap();
            std::fs::write(&path, got).unwrap();
        } else {
            drift.push(format!(
                "{}:\n--- expected\n{expected}\n+++ got\n{got}",
                path.display()
            ));
        }
    }
}

fn outputs(
    opts: &CheckOptions,
    stem: &str,
    drift: &mut Vec<String>,
) -> testcert::result::CheckResult {
    let r = run(opts, &no_env).unwrap();
    compare(&format!("{stem}.json"), &render::json(&r), drift);
    compare(
        &format!("{stem}.txt"),
        &render::text::render(&r, render::text::Style { color: false }),
        drift,
    );
    compare(&format!("{stem}.md"), &render::markdown::render(&r), drift);
    r
}

fn levels(r: &testcert::result::CheckResult) -> Vec<(String, u8)> {
    r.projects
        .iter()
        .map(|p| (p.name.clone(), p.level))
        .collect()
}

/// A git checkout of a bundled example, in a fresh temporary directory.
fn checkout(name: &str) -> PathBuf {
    let dest = std::env::temp_dir().join(format!(
        "testcert-example-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let out = Command::new("bash")
        .arg("scripts/example-repo.sh")
        .arg(&dest)
        .arg(name)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "example-repo.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dest
}

fn assert_no_drift(drift: Vec<String>) {
    assert!(
        drift.is_empty(),
        "{} golden outputs differ (TESTCERT_BLESS=1 rewrites them):\n{}",
        drift.len(),
        drift.join("\n")
    );
}

#[test]
fn rust_workspace_without_a_base() {
    let mut drift = Vec::new();
    let r = outputs(
        &CheckOptions {
            dir: "fixtures/repos/rust-workspace".into(),
            ..Default::default()
        },
        "rust-workspace.all-lines",
        &mut drift,
    );
    assert_eq!(r.change.scope, Scope::AllLines);
    assert_eq!(r.exit_code(), 1, "kv-legacy is below required_level = 1");
    assert_no_drift(drift);
}

#[test]
fn rust_workspace_against_main() {
    let dir = checkout("rust-workspace");
    let mut drift = Vec::new();
    let r = outputs(
        &CheckOptions {
            dir: dir.clone(),
            base: Some("main".into()),
            explain_attribution: true,
            ..Default::default()
        },
        "rust-workspace.diff",
        &mut drift,
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The levels fixtures/repos/README.md works out by hand, criterion by criterion.
    assert_eq!(
        levels(&r),
        [
            ("kv-cli".to_string(), 2),
            ("kv-core".to_string(), 3),
            ("kv-legacy".to_string(), 0),
            ("kv-util".to_string(), 1),
        ]
    );
    assert!(
        r.projects[3].relies_on_waiver,
        "kv-util relies on its L1.smoke waiver"
    );
    assert_eq!(r.change.scope, Scope::Diff);
    assert_no_drift(drift);
}

#[test]
fn python_monorepo_against_main() {
    let dir = checkout("python-monorepo");
    let mut drift = Vec::new();
    let r = outputs(
        &CheckOptions {
            dir: dir.clone(),
            base: Some("main".into()),
            ..Default::default()
        },
        "python-monorepo.diff",
        &mut drift,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        levels(&r),
        [
            ("ledgerkit-invoices".to_string(), 3),
            ("ledgerkit-money".to_string(), 1),
            ("ledgerkit-notify".to_string(), 0),
        ]
    );
    assert_eq!(r.exit_code(), 0, "required_level is 0");
    assert_no_drift(drift);
}

#[test]
fn python_monorepo_without_a_base() {
    let mut drift = Vec::new();
    outputs(
        &CheckOptions {
            dir: "fixtures/repos/python-monorepo".into(),
            ..Default::default()
        },
        "python-monorepo.all-lines",
        &mut drift,
    );
    assert_no_drift(drift);
}
