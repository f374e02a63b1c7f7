//! The Action on the checkouts GitHub really makes: depth 1, with the base missing. For a
//! pull request (its merge commit), a push (before..after, and a new branch), a merge group,
//! and when history cannot be had, the change is the event's own lines — or every line with
//! a warning, and every output is still written.

mod gh;

use std::path::Path;

use gh::{checkout, commands, git, temp, Origin, Runner};

const LIB_BASE: &str = "pub fn one() -> u32 {\n    1\n}\n";
const LIB_TWO: &str = "pub fn one() -> u32 {\n    1\n}\npub fn two() -> u32 {\n    2\n}\n";
const LIB_THREE: &str = "pub fn one() -> u32 {\n    1\n}\npub fn two() -> u32 {\n    2\n}\npub fn three() -> u32 {\n    3\n}\n";

/// The history every test uses:
///
/// ```text
/// main:    base ── main2 (src/other.rs grows: not the feature's change)
///             \
/// feature:     f1 (two: lines 4-6) ── f2 (three: lines 7-9)
/// ```
///
/// Pushed to origin: `main`, `feature`, `refs/pull/7/merge` (f2 merged into main2) and a
/// merge-queue branch with the same merge.
struct Repo {
    origin: Origin,
    base: String,
    main2: String,
    f1: String,
    f2: String,
    merge: String,
    queue: String,
}

fn repo(dir: &Path) -> Repo {
    let origin = Origin::new(dir);
    let base = origin.commit(
        &[
            ("src/lib.rs", LIB_BASE),
            ("src/other.rs", "pub fn other() {}\n"),
            ("testcert.toml", "required_level = 0\n"),
            (".gitignore", "lcov.info\njunit.xml\nbadges/\n"),
        ],
        "base",
    );
    origin.git(&["checkout", "-q", "-b", "feature"]);
    let f1 = origin.commit(&[("src/lib.rs", LIB_TWO)], "two");
    let f2 = origin.commit(&[("src/lib.rs", LIB_THREE)], "three");
    origin.git(&["checkout", "-q", "main"]);
    let main2 = origin.commit(
        &[(
            "src/other.rs",
            "pub fn other() {}\npub fn more() -> u8 {\n    7\n}\n",
        )],
        "main moves on",
    );
    origin.push("main", "refs/heads/main");
    origin.push("feature", "refs/heads/feature");
    let merge = origin.merge_commit(&main2, &f2, "refs/pull/7/merge");
    let queue = origin.merge_commit(
        &main2,
        &f2,
        "refs/heads/gh-readonly-queue/main/pr-7-0123456789abcdef0123456789abcdef01234567",
    );
    Repo {
        origin,
        base,
        main2,
        f1,
        f2,
        merge,
        queue,
    }
}

/// What the test step wrote: coverage of the tip (two's body uncovered, three's covered,
/// other.rs's new function uncovered — which must not count when it is not in the change).
fn reports(ws: &Path) {
    gh::write(
        ws,
        "lcov.info",
        "TN:\nSF:src/lib.rs\nDA:1,1\nDA:2,1\nDA:4,0\nDA:5,0\nDA:7,1\nDA:8,1\nend_of_record\n\
         SF:src/other.rs\nDA:1,1\nDA:2,0\nDA:3,0\nend_of_record\n",
    );
    gh::write(
        ws,
        "junit.xml",
        r#"<testsuite name="core" tests="1"><testcase name="one_is_one" classname="core::tests" time="0.01"/></testsuite>"#,
    );
}

fn pr_event(r: &Repo) -> String {
    format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
        "base":{{"ref":"main","sha":"{}"}},"head":{{"ref":"feature","sha":"{}"}}}},
        "repository":{{"full_name":"acme/widgets","default_branch":"main"}}}}"#,
        r.main2, r.f2
    )
}

/// Changed files → uncovered changed lines, from the result.
fn uncovered(result: &serde_json::Value) -> Vec<(String, Vec<u64>)> {
    result["projects"][0]["evidence"]["incremental"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["uncovered_lines"].as_array().unwrap().is_empty())
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["uncovered_lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

/// A `::warning` that the change fell back to every line.
fn fell_back(stdout: &str) -> bool {
    commands(stdout, "warning")
        .iter()
        .any(|w| w.contains("every executable line counts as changed"))
}

fn assert_ok(out: &std::process::Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn pull_request_on_the_default_depth_1_checkout() {
    let dir = temp("pr");
    let r = repo(&dir);
    let ws = checkout(&dir, &r.origin.url(), &r.merge, "refs/remotes/pull/7/merge");
    // The base is not in the clone: that is what made the check die before.
    assert!(Path::new(&ws).join(".git/shallow").is_file());
    reports(&ws);
    let runner = Runner::new(&dir);
    for name in ["pull_request", "pull_request_target"] {
        let out = runner.run(&ws, (name, &pr_event(&r)), &[], &[]);
        let stdout = assert_ok(&out, 0);
        let res = runner.result();
        assert_eq!(res["change"]["scope"], "diff", "{name}: {stdout}");
        assert_eq!(res["change"]["base_ref"], "main");
        // The merge commit's first parent: the base as merged, not an older merge base.
        assert_eq!(res["change"]["base_commit"], r.main2.as_str());
        // The pull request's own lines: lib.rs 4-9, not other.rs (main's, not the PR's).
        assert_eq!(res["change"]["changed_files"], 1, "{res}");
        assert_eq!(uncovered(&res), [("src/lib.rs".to_string(), vec![4, 5])]);
        assert_eq!(
            res["projects"][0]["evidence"]["incremental"]["changed"], 4,
            "lines 4, 5, 7, 8 are executable"
        );
        assert!(!fell_back(&stdout), "no fallback: {stdout}");
        assert!(runner.summary().contains("## Test Certified: passed"));
        assert_eq!(runner.outputs()["passed"], "true");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pull_request_head_checkout_deepens_to_the_merge_base() {
    // `ref: ${{ github.event.pull_request.head.sha }}` (as pull_request_target workflows
    // do): no merge commit, so the merge base is found by deepening the shallow clone.
    let dir = temp("pr-head");
    let r = repo(&dir);
    let ws = checkout(&dir, &r.origin.url(), &r.f2, "refs/remotes/origin/feature");
    reports(&ws);
    let runner = Runner::new(&dir);
    let stdout = assert_ok(
        &runner.run(&ws, ("pull_request_target", &pr_event(&r)), &[], &[]),
        0,
    );
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "diff", "{stdout}");
    assert_eq!(res["change"]["base_commit"], r.base.as_str());
    assert_eq!(uncovered(&res), [("src/lib.rs".to_string(), vec![4, 5])]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pull_request_target_on_the_base_branch_says_so() {
    // `pull_request_target` checks out the base branch by default: nothing of the pull
    // request is there, and the warning says how to check it out.
    let dir = temp("pr-target");
    let r = repo(&dir);
    let ws = checkout(&dir, &r.origin.url(), &r.main2, "refs/remotes/origin/main");
    reports(&ws);
    let runner = Runner::new(&dir);
    let stdout = assert_ok(
        &runner.run(&ws, ("pull_request_target", &pr_event(&r)), &[], &[]),
        0,
    );
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "diff");
    assert_eq!(res["change"]["changed_files"], 0);
    assert!(
        commands(&stdout, "warning")
            .iter()
            .any(|w| w.contains("the checkout is main itself") && w.contains("refs/pull/")),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn push_before_after_and_a_new_branch() {
    let dir = temp("push");
    let r = repo(&dir);
    let ws = checkout(&dir, &r.origin.url(), &r.f2, "refs/remotes/origin/feature");
    reports(&ws);
    let runner = Runner::new(&dir);
    // before..after: only f2's lines (7-9, covered).
    let event = format!(
        r#"{{"ref":"refs/heads/feature","before":"{}","after":"{}","created":false,
        "repository":{{"default_branch":"main"}}}}"#,
        r.f1, r.f2
    );
    let stdout = assert_ok(&runner.run(&ws, ("push", &event), &[], &[]), 0);
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "diff", "{stdout}");
    assert_eq!(res["change"]["base_commit"], r.f1.as_str());
    assert!(uncovered(&res).is_empty(), "{res}");
    assert_eq!(res["projects"][0]["evidence"]["incremental"]["changed"], 2);
    assert!(!fell_back(&stdout), "{stdout}");

    // A new branch: the merge base with the default branch (fetched, history deepened).
    let ws = checkout(&dir, &r.origin.url(), &r.f2, "refs/remotes/origin/feature");
    reports(&ws);
    let event = format!(
        r#"{{"ref":"refs/heads/feature","before":"0000000000000000000000000000000000000000",
        "after":"{}","created":true,"repository":{{"default_branch":"main"}}}}"#,
        r.f2
    );
    let stdout = assert_ok(&runner.run(&ws, ("push", &event), &[], &[]), 0);
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "diff", "{stdout}");
    assert_eq!(res["change"]["base_ref"], "main");
    assert_eq!(res["change"]["base_commit"], r.base.as_str());
    assert_eq!(uncovered(&res), [("src/lib.rs".to_string(), vec![4, 5])]);

    // The first push of the default branch: nothing to compare with, said without a warning.
    let ws = checkout(&dir, &r.origin.url(), &r.main2, "refs/remotes/origin/main");
    reports(&ws);
    let event = format!(
        r#"{{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000",
        "after":"{}","repository":{{"default_branch":"main"}}}}"#,
        r.main2
    );
    let stdout = assert_ok(&runner.run(&ws, ("push", &event), &[], &[]), 0);
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "all-lines");
    assert!(
        res["change"]["note"]
            .as_str()
            .unwrap()
            .contains("first push of the default branch main"),
        "{res}"
    );
    assert!(!fell_back(&stdout), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn merge_group_base_to_head() {
    let dir = temp("queue");
    let r = repo(&dir);
    let ws = checkout(
        &dir,
        &r.origin.url(),
        &r.queue,
        "refs/remotes/origin/gh-readonly-queue/main/pr-7",
    );
    reports(&ws);
    let runner = Runner::new(&dir);
    let event = format!(
        r#"{{"action":"checks_requested","merge_group":{{"head_sha":"{}",
        "head_ref":"refs/heads/gh-readonly-queue/main/pr-7-0123","base_sha":"{}",
        "base_ref":"refs/heads/main"}}}}"#,
        r.queue, r.main2
    );
    let stdout = assert_ok(&runner.run(&ws, ("merge_group", &event), &[], &[]), 0);
    let res = runner.result();
    assert_eq!(res["change"]["scope"], "diff", "{stdout}");
    assert_eq!(res["change"]["base_ref"], "main");
    assert_eq!(res["change"]["base_commit"], r.main2.as_str());
    assert_eq!(uncovered(&res), [("src/lib.rs".to_string(), vec![4, 5])]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn history_that_cannot_be_had_falls_back_with_a_warning() {
    let dir = temp("fallback");
    let r = repo(&dir);
    let ws = checkout(&dir, &r.origin.url(), &r.merge, "refs/remotes/pull/7/merge");
    reports(&ws);
    // The origin goes away (no network, no permission): nothing can be fetched.
    git(
        &ws,
        &[
            "remote",
            "set-url",
            "origin",
            &format!("file://{}", dir.join("gone.git").display()),
        ],
    );
    let runner = Runner::new(&dir);
    let cases = [
        ("pull_request", pr_event(&r)),
        (
            "push",
            format!(
                r#"{{"ref":"refs/heads/feature","before":"{}","after":"{}"}}"#,
                r.f1, r.f2
            ),
        ),
        ("pull_request", "{ not json".to_string()),
        (
            "pull_request",
            r#"{"pull_request":{"base":{"sha":"--upload-pack=touch /tmp/x"}}}"#.to_string(),
        ),
    ];
    for (name, event) in &cases {
        let out = runner.run(&ws, (name, event), &[("INPUT_BADGES", "badges")], &[]);
        let stdout = assert_ok(&out, 0);
        let warnings = commands(&stdout, "warning");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("every executable line counts as changed")
                    && w.contains("fetch-depth: 0")),
            "{name} {event}: {stdout}"
        );
        let res = runner.result();
        assert_eq!(res["change"]["scope"], "all-lines");
        // Every output is still written.
        let o = runner.outputs();
        assert_eq!(o["passed"], "true");
        assert!(o.contains_key("level"), "{o:?}");
        assert!(runner.summary().contains("## Test Certified: passed"));
        assert!(runner.summary().contains("every executable line counts"));
        assert!(ws.join("badges/testcert.svg").is_file());
    }
    // An explicit base that cannot be fetched falls back too (inside the Action).
    let out = runner.run(
        &ws,
        ("pull_request", &pr_event(&r)),
        &[("INPUT_BASE", "release-1.0")],
        &[],
    );
    let stdout = assert_ok(&out, 0);
    assert!(
        commands(&stdout, "warning")
            .iter()
            .any(|w| w.contains("cannot fetch release-1.0 from origin")),
        "{stdout}"
    );
    // Also on a runner that wrote no event file.
    let out = runner.run(
        &ws,
        ("pull_request", &pr_event(&r)),
        &[("INPUT_BASE", "release-1.0")],
        &[(
            "GITHUB_EVENT_PATH",
            dir.join("no-event.json").to_str().unwrap(),
        )],
    );
    let stdout = assert_ok(&out, 0);
    assert!(fell_back(&stdout), "{stdout}");
    assert_eq!(runner.outputs()["passed"], "true");
    std::fs::remove_dir_all(&dir).unwrap();
}
