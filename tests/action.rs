//! The Action: `action/entrypoint.sh` under a simulated runner (GITHUB_OUTPUT,
//! GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH with a pull_request event, GITHUB_BASE_REF,
//! RUNNER_TEMP, TESTCERT_BIN), and the rule that no `run:` block interpolates `${{ }}`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{project, result, uncovered};

const BIN: &str = env!("CARGO_BIN_EXE_testcert");

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("testcert-action-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the entrypoint in `repo` with a fresh simulated runner in `runner`; `inputs` are
/// (`INPUT_…`, value) pairs.
fn run_action(
    bin: &Path,
    repo: &Path,
    runner: &Path,
    base_sha: &str,
    inputs: &[(&str, &str)],
) -> Output {
    let event = runner.join("event.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"action":"opened","number":7,"pull_request":{{"number":7,"base":{{"ref":"main","sha":"{base_sha}"}},"head":{{"ref":"feature","sha":"0000000000000000000000000000000000000000"}}}}}}"#
        ),
    )
    .unwrap();
    let tmp = runner.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    for f in ["output", "summary.md"] {
        std::fs::write(runner.join(f), "").unwrap();
    }
    let mut cmd = Command::new("bash");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/entrypoint.sh"))
        .current_dir(repo)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
        .env("RUNNER_TEMP", &tmp)
        .env("TESTCERT_BIN", bin)
        .env_remove("INPUT_BASE")
        .env_remove("INPUT_ARGS")
        .env_remove("INPUT_MIN_LEVEL")
        .env_remove("INPUT_CONFIG")
        .env_remove("INPUT_BADGES");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn outputs(runner: &Path) -> String {
    std::fs::read_to_string(runner.join("output")).unwrap()
}

/// A stand-in for `testcert` whose `check` writes a prepared result (and logs its
/// arguments); everything else is the real binary. Lets the entrypoint be tested before
/// project discovery exists.
fn stub(dir: &Path, result_json: &str, exit: i32) -> PathBuf {
    let json = dir.join("prepared.json");
    std::fs::write(&json, result_json).unwrap();
    let stub = dir.join("testcert-stub");
    std::fs::write(
        &stub,
        format!(
            r#"#!/usr/bin/env bash
set -euo pipefail
if [[ "$1" == check ]]; then
  printf '%s\n' "$@" > '{log}'
  out=''; badges=''
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --output) out="$2"; shift ;;
      --badges) badges="$2"; shift ;;
    esac
    shift
  done
  cp '{json}' "$out"
  if [[ -n "$badges" ]]; then '{bin}' render --from "$out" --format json --badges "$badges" >/dev/null; fi
  exit {exit}
fi
exec '{bin}' "$@"
"#,
            log = dir.join("args.log").display(),
            json = json.display(),
            bin = BIN,
        ),
    )
    .unwrap();
    let mut perm = std::fs::metadata(&stub).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&stub, perm).unwrap();
    stub
}

#[test]
fn entrypoint_with_a_prepared_result() {
    let dir = temp("stub");
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();

    // Passing: level 2 required 0.
    let passing = testcert::render::json(&result(3, vec![project("core", 2, false, 0)]));
    let bin = stub(&dir, &passing, 0);
    let out = run_action(
        &bin,
        &repo,
        &dir,
        "abc123",
        &[
            ("INPUT_BADGES", "badges"),
            ("INPUT_ARGS", "--explain-attribution  --foo"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = outputs(&dir);
    assert!(o.contains("level=2\n"), "{o}");
    assert!(o.contains("passed=true\n"), "{o}");
    assert!(
        o.contains(&format!("json={}", dir.join("tmp/testcert.json").display())),
        "{o}"
    );
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(summary.contains("## Test Certified: passed"), "{summary}");
    // Images that load on github.com; the badge files are written all the same.
    assert!(
        summary.contains("![level 2](https://img.shields.io/badge/test%20certified-level%202-"),
        "{summary}"
    );
    assert!(repo.join("badges/testcert.svg").is_file());
    assert!(
        stdout.contains("::notice title=testcert%3A core level 2::"),
        "{stdout}"
    );
    let args = std::fs::read_to_string(dir.join("args.log")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    // The change comes from the event (`--event`); extra args are split on whitespace.
    let event = dir.join("event.json");
    assert!(
        args.windows(2)
            .any(|w| w == ["--event", event.to_str().unwrap()]),
        "{args:?}"
    );
    assert!(!args.contains(&"--base"), "{args:?}");
    assert!(
        args.windows(2).any(|w| w == ["--badges", "badges"]),
        "{args:?}"
    );
    assert!(
        args.ends_with(&["--explain-attribution", "--foo"]),
        "{args:?}"
    );

    // Failing: below the required level, exit code 1, outputs and summary still written.
    let mut p = project("core", 1, false, 3);
    p.evidence.incremental.files = vec![uncovered("src/lib.rs", vec![4, 5, 6])];
    let failing = testcert::render::json(&result(3, vec![p, project("web", 3, false, 0)]));
    let bin = stub(&dir, &failing, 1);
    let out = run_action(
        &bin,
        &repo,
        &dir,
        "abc123",
        &[
            ("INPUT_MIN_LEVEL", "3"),
            ("INPUT_BASE", "v1.0"),
            ("INPUT_SUMMARY", "false"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let o = outputs(&dir);
    assert!(
        o.contains("level=1\n") && o.contains("passed=false\n"),
        "{o}"
    );
    assert!(
        std::fs::read_to_string(dir.join("summary.md"))
            .unwrap()
            .is_empty(),
        "summary: false"
    );
    assert!(
        stdout.contains("::warning file=src/lib.rs,line=4,endLine=6,"),
        "{stdout}"
    );
    let args = std::fs::read_to_string(dir.join("args.log")).unwrap();
    assert!(
        args.contains("--min-level\n3\n") && args.contains("--base\nv1.0\n"),
        "{args}"
    );

    // An error without a result: the check's exit code, nothing else.
    let bin = dir.join("broken");
    std::fs::write(
        &bin,
        "#!/usr/bin/env bash\necho 'error: bad config' >&2\nexit 2\n",
    )
    .unwrap();
    let mut perm = std::fs::metadata(&bin).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&bin, perm).unwrap();
    let out = run_action(&bin, &repo, &dir, "abc123", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "::error title=testcert::testcert check failed (exit code 2) without a result: error: bad config"
    ));
    // The summary and the outputs still say so.
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        summary.contains("## Test Certified: error") && summary.contains("error: bad config"),
        "{summary}"
    );
    assert!(outputs(&dir).contains("passed=false\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]

fn entrypoint_on_a_repository() {
    let dir = temp("repo");
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("src/lib.rs"), "pub fn one() -> u32 {\n    1\n}\n").unwrap();
    std::fs::write(repo.join("testcert.toml"), "required_level = 0\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(
        repo.join("src/lib.rs"),
        "pub fn one() -> u32 {\n    1\n}\npub fn two() -> u32 {\n    2\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("lcov.info"),
        "TN:\nSF:src/lib.rs\nDA:1,1\nDA:2,1\nDA:4,0\nDA:5,0\nend_of_record\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("junit.xml"),
        r#"<testsuite name="core" tests="1"><testcase name="one_is_one" classname="core::tests" time="0.01"/></testsuite>"#,
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "two"]);

    let out = run_action(
        Path::new(BIN),
        &repo,
        &dir,
        &base,
        &[("INPUT_BADGES", "badges")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = outputs(&dir);
    assert!(o.contains("passed=true\n") && o.contains("level="), "{o}");
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(summary.contains("## Test Certified: passed"), "{summary}");
    assert!(repo.join("badges/testcert.svg").is_file());

    let out = run_action(
        Path::new(BIN),
        &repo,
        &dir,
        &base,
        &[("INPUT_MIN_LEVEL", "3")],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let o = outputs(&dir);
    assert!(o.contains("passed=false\n"), "{o}");
    assert!(std::fs::read_to_string(dir.join("summary.md"))
        .unwrap()
        .contains("## Test Certified: failed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `run:` scripts of a workflow or action file: `(line number, text)` of the value,
/// inline or block scalar.
fn run_blocks(yaml: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t);
        if let Some(value) = t.strip_prefix("run:") {
            // The key's column (after a `- ` list marker): the block is what is indented more.
            let indent = line.find("run:").unwrap_or(0);
            let value = value.trim();
            if value.starts_with('|') || value.starts_with('>') || value.is_empty() {
                let mut text = String::new();
                let mut j = i + 1;
                while j < lines.len() {
                    let l = lines[j];
                    if !l.trim().is_empty() && l.len() - l.trim_start().len() <= indent {
                        break;
                    }
                    text.push_str(l);
                    text.push('\n');
                    j += 1;
                }
                blocks.push((i + 1, text));
                i = j;
                continue;
            }
            blocks.push((i + 1, value.to_string()));
        }
        i += 1;
    }
    blocks
}

#[test]
fn no_expression_in_run_blocks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("action.yml"), root.join("comment/action.yml")];
    for e in std::fs::read_dir(root.join(".github/workflows"))
        .unwrap()
        .flatten()
    {
        files.push(e.path());
    }
    let mut checked = 0;
    for f in &files {
        let yaml = std::fs::read_to_string(f).unwrap();
        for (line, text) in run_blocks(&yaml) {
            checked += 1;
            assert!(
                !text.contains("${{"),
                "{}:{line}: a run: block interpolates an expression; pass it through env: instead",
                f.display()
            );
        }
    }
    assert!(checked >= 5, "found only {checked} run: blocks");
    // The scanner itself sees block scalars and inline values.
    let probe = "steps:\n  - run: |\n      echo ${{ inputs.x }}\n    env:\n      A: ${{ inputs.a }}\n  - run: echo ok\n";
    let b = run_blocks(probe);
    assert_eq!(b.len(), 2);
    assert!(b[0].1.contains("${{") && !b[0].1.contains("A:"));
    assert_eq!(b[1].1, "echo ok");
}

#[test]
fn actions_are_pinned_by_sha() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("action.yml"), root.join("comment/action.yml")];
    for e in std::fs::read_dir(root.join(".github/workflows"))
        .unwrap()
        .flatten()
    {
        files.push(e.path());
    }
    for f in &files {
        let yaml = std::fs::read_to_string(f).unwrap();
        for l in yaml.lines() {
            let t = l.trim_start().trim_start_matches("- ");
            let Some(used) = t.strip_prefix("uses:") else {
                continue;
            };
            let used = used.split('#').next().unwrap().trim();
            if used.starts_with("./") {
                continue;
            }
            let sha = used.rsplit_once('@').map(|(_, r)| r).unwrap_or("");
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}: {used} is not pinned by commit SHA",
                f.display()
            );
        }
    }
}
