//! `testcert check` with no config on small repositories laid out as real tools leave them:
//! which project each test goes to, which root is checked, which reports are found, how
//! tests are sized.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs testcert in `cwd` with a clean environment (no CI variables leak in).
fn testcert_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .output()
        .expect("run testcert")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/zero-config")
        .join(name)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// `name → (tests, covered lines)` per project.
fn per_project(v: &serde_json::Value) -> Vec<(String, u64, u64)> {
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["evidence"]["tests"]["total"].as_u64().unwrap(),
                p["evidence"]["coverage"]["lines"]["covered"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn npm_workspaces_vitest_paths_in_classname_go_to_their_package() {
    // Real vitest 2.1 output (`vitest run --reporter=junit --coverage`) from the root of an
    // npm-workspaces monorepo: the root package.json is no project, each test file's path
    // is in classname and suite name. Before, all three tests went to `@acme/cli`, the
    // alphabetically first package.
    let dir = fixture("npm-workspaces");
    let o = testcert_in(&dir, &["check", ".", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(
        per_project(&v),
        [
            ("@acme/cli".to_string(), 1, 1),
            ("@acme/core".to_string(), 2, 1)
        ]
    );
    assert_eq!(v["warnings"], serde_json::json!([]));
    // Plain `*.test.js` files: small (JS/TS default).
    for p in v["projects"].as_array().unwrap() {
        let t = &p["evidence"]["tests"];
        assert_eq!(t["small"], t["total"], "{t}");
    }
}

/// A copy of `fixtures/zero-config/NAME` in a fresh directory, made a git repository.
struct Checkout(PathBuf);

impl Checkout {
    fn new(name: &str) -> Checkout {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "testcert-zero-config-{}-{n}/{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&fixture(name), &dir);
        let git = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .status()
            .expect("run git");
        assert!(git.success());
        Checkout(dir)
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if let Some(p) = self.0.parent() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn check_from_a_subdirectory_checks_the_repository_and_says_so() {
    let repo = Checkout::new("npm-workspaces");
    let sub = repo.0.join("packages/core/src");
    let o = testcert_in(&sub, &["check", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(per_project(&v).len(), 2, "both packages: {v}");
    let err = String::from_utf8_lossy(&o.stderr);
    let root = std::fs::canonicalize(&repo.0).unwrap();
    assert!(
        err.contains(&format!("checking the repository at {}", root.display())),
        "{err}"
    );
    // From the root itself nothing needs saying.
    let o = testcert_in(&repo.0, &["check", "--format", "json"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("checking the repository"));
}

#[test]
fn go_module_reports_found_where_ci_writes_them() {
    // Real `go test -json -coverprofile=reports/cover.txt ./... > reports/go-test.json`
    // output (go 1.19), as the workflow writes it. Neither name matches a default glob:
    // reports/ is a report folder, and the workflow's run step names both files.
    let dir = fixture("go-module");
    let o = testcert_in(
        &dir,
        &["check", ".", "--format", "json", "--explain-attribution"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["reports_found"], 2, "{v}");
    let p = &v["projects"][0];
    assert_eq!(p["evidence"]["tests"]["total"], 3);
    // Sized by Go's defaults: TestAdd and TestDiv plain (small), TestIntegrationFlow in
    // calc/integration/flow_test.go behind `//go:build integration` (medium).
    let tests = &p["evidence"]["tests"];
    assert_eq!(
        (&tests["small"], &tests["medium"], &tests["unclassified"]),
        (
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(0)
        ),
        "{tests}"
    );
    assert_eq!(p["evidence"]["coverage"]["lines"]["total"], 6);
    let reasons: Vec<String> = v["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["subject"].as_str().unwrap(),
                e["reason"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "reports/go-test.json: read: written by .github/workflows/ci.yml (`> reports/go-test.json`): go-test-json",
        "reports/go-test.json :: sizes: 1 test medium: Go test file calc/integration/flow_test.go has the `integration` build constraint",
    ] {
        assert!(reasons.iter().any(|r| r == want), "{want}: {reasons:#?}");
    }
}

#[test]
fn reports_in_hidden_directories_are_named_with_the_include_that_reads_them() {
    let repo = Checkout::new("npm-workspaces");
    std::fs::create_dir_all(repo.0.join(".ci-out")).unwrap();
    std::fs::rename(
        repo.0.join("reports/junit.xml"),
        repo.0.join(".ci-out/junit.xml"),
    )
    .unwrap();
    std::fs::write(repo.0.join("reports/summary.json"), "{\"ok\": true}").unwrap();
    let o = testcert_in(&repo.0, &["check", "--format", "json"]);
    let v = json(&o);
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(warnings.contains(
        &"1 file in hidden directories looks like a report and was not read: .ci-out/junit.xml; to read it, add to testcert.toml: [reports] include = [\".ci-out/junit.xml\"]"
    ), "{warnings:#?}");
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "1 file in report folders or at CI output paths skipped: not reports (first: reports/summary.json: in the report folder reports/: JSON that is not"
        )),
        "{warnings:#?}"
    );
    // With the suggested include, it is read.
    std::fs::write(
        repo.0.join("testcert.toml"),
        "[reports]\ninclude = [\".ci-out/junit.xml\"]\n",
    )
    .unwrap();
    let v = json(&testcert_in(&repo.0, &["check", "--format", "json"]));
    assert_eq!(per_project(&v)[1], ("@acme/core".to_string(), 2, 1));
}

#[test]
fn small_test_coverage_from_one_run_with_per_test_contexts() {
    // Real pytest 9.2 + pytest-cov (`--cov --cov-context=test`) and coverage.py 7.17.5
    // (`coverage json --show-contexts`): one run of all tests. tests/unit's two tests ran
    // cart.py lines 3-6; the integration test ran 3, 4, 6 and checkout (11-13, 15); lines
    // 1 and 9 (the defs) ran at import. Small: 1, 3, 4, 5, 6, 9 of 11 executable lines.
    let dir = fixture("python-contexts");
    let o = testcert_in(&dir, &["check", ".", "--format", "json"]);
    let v = json(&o);
    let p = &v["projects"][0];
    assert_eq!(p["evidence"]["coverage"]["lines"]["covered"], 10, "{p}");
    assert_eq!(
        p["evidence"]["coverage_small"]["lines"],
        serde_json::json!({"total": 11, "covered": 6})
    );
    assert_eq!(
        p["evidence"]["coverage_large"]["lines"],
        serde_json::json!({"total": 11, "covered": 9})
    );
    let status = |id: &str| {
        p["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    // Known from one run (54.5%): met at L2 (10%) and L3 (50%).
    assert_eq!(status("L2.small-incremental"), "met");
    assert_eq!(status("L3.small-incremental"), "met");
}

#[test]
fn without_small_coverage_init_and_the_advice_name_the_command_for_the_stack() {
    let repo = Checkout::new("go-module");
    let o = testcert_in(&repo.0, &["init"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let toml = std::fs::read_to_string(repo.0.join("testcert.toml")).unwrap();
    assert!(
        toml.contains(
            "#   calc: `go test -short -coverprofile=reports/small.out ./...` in the repository root\n#[[reports.tag]]\n#glob = \"reports/small.out\"\n#size = \"small\""
        ),
        "{toml}"
    );
    let v = json(&testcert_in(&repo.0, &["check", "--format", "json"]));
    let c = v["projects"][0]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "L2.small-incremental")
        .unwrap()
        .clone();
    assert_eq!(c["status"], "unknown");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("Run `go test -short -coverprofile=reports/small.out ./...` in the repository root, then add to testcert.toml: [[reports.tag]] glob = \"reports/small.out\" size = \"small\"."),
        "{c}"
    );
}
