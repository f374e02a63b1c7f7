//! The feedback a pull request's author gets from the Action, on a simulated runner: the
//! outputs (levels, coverage, incremental coverage, summary path), the level change against
//! the base branch's last result (`compare-to`), and the sticky comment — posted once and
//! then updated, through a fake GitHub REST API on 127.0.0.1.

mod gh;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gh::{checkout, commands, temp, Origin, Runner};

#[derive(Default)]
struct Api {
    /// (id, body) in creation order.
    comments: Vec<(u64, String)>,
    next_id: u64,
    /// Writes answer 403, as for a fork's read-only token.
    read_only: bool,
    head_sha: String,
    /// (method, path and query, authorization header, body).
    requests: Vec<(String, String, String, String)>,
}

/// A fake of the few REST endpoints comment.sh uses, for at most 400 requests.
fn fake_api(state: Arc<Mutex<Api>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(400) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            let head_end = loop {
                if let Some(i) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break req.len(),
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            };
            let head = String::from_utf8_lossy(&req[..head_end]).into_owned();
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                    })
                    .unwrap_or_default()
            };
            let len: usize = header("content-length").parse().unwrap_or(0);
            while req.len() < head_end + len {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let body = String::from_utf8_lossy(&req[head_end..]).into_owned();
            let mut first = head.lines().next().unwrap_or("").split(' ');
            let method = first.next().unwrap_or("").to_string();
            let target = first.next().unwrap_or("").to_string();
            let mut st = state.lock().unwrap();
            st.requests.push((
                method.clone(),
                target.clone(),
                header("authorization"),
                body.clone(),
            ));
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let q: BTreeMap<&str, &str> =
                query.split('&').filter_map(|p| p.split_once('=')).collect();
            let json_body = |b: &str| -> String {
                serde_json::from_str::<serde_json::Value>(b).unwrap()["body"]
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            let (status, reply) = match (method.as_str(), path) {
                ("GET", "/repos/acme/widgets/pulls/7") => (
                    "200 OK",
                    serde_json::json!({"number": 7, "head": {"sha": st.head_sha}}).to_string(),
                ),
                ("GET", "/repos/acme/widgets/issues/7/comments") => {
                    let per: usize = q.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30);
                    let page: usize = q.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
                    let items: Vec<serde_json::Value> = st
                        .comments
                        .iter()
                        .skip((page - 1) * per)
                        .take(per)
                        .map(|(id, b)| serde_json::json!({"id": id, "body": b}))
                        .collect();
                    ("200 OK", serde_json::Value::from(items).to_string())
                }
                ("POST" | "PATCH", _) if st.read_only => (
                    "403 Forbidden",
                    r#"{"message":"Resource not accessible by integration"}"#.to_string(),
                ),
                ("POST", "/repos/acme/widgets/issues/7/comments") => {
                    st.next_id += 1;
                    let id = st.next_id;
                    st.comments.push((id, json_body(&body)));
                    (
                        "201 Created",
                        serde_json::json!({"id": id, "html_url": format!("https://github.com/acme/widgets/pull/7#issuecomment-{id}")}).to_string(),
                    )
                }
                ("PATCH", p) if p.starts_with("/repos/acme/widgets/issues/comments/") => {
                    let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                    let b = json_body(&body);
                    match st.comments.iter_mut().find(|(i, _)| *i == id) {
                        Some(c) => {
                            c.1 = b;
                            ("200 OK", serde_json::json!({"id": id}).to_string())
                        }
                        None => ("404 Not Found", r#"{"message":"Not Found"}"#.to_string()),
                    }
                }
                _ => ("404 Not Found", r#"{"message":"Not Found"}"#.to_string()),
            };
            drop(st);
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    url
}

struct Case {
    dir: PathBuf,
    ws: PathBuf,
    event: String,
    head: String,
}

/// A pull request (#7) on a depth-1 checkout of its merge commit: one file, its new function
/// half covered.
fn case(name: &str) -> Case {
    let dir = temp(name);
    let origin = Origin::new(&dir);
    let base = origin.commit(
        &[
            ("src/lib.rs", "pub fn one() -> u32 {\n    1\n}\n"),
            (".gitignore", "lcov.info\njunit.xml\n*.json\n"),
        ],
        "base",
    );
    origin.push("main", "refs/heads/main");
    origin.git(&["checkout", "-q", "-b", "feature"]);
    let head = origin.commit(
        &[(
            "src/lib.rs",
            "pub fn one() -> u32 {\n    1\n}\npub fn two() -> u32 {\n    2\n}\n",
        )],
        "two",
    );
    origin.git(&["checkout", "-q", "main"]);
    let merge = origin.merge_commit(&base, &head, "refs/pull/7/merge");
    let ws = checkout(&dir, &origin.url(), &merge, "refs/remotes/pull/7/merge");
    gh::write(
        &ws,
        "lcov.info",
        "TN:\nSF:src/lib.rs\nDA:1,1\nDA:2,1\nDA:4,1\nDA:5,0\nend_of_record\n",
    );
    gh::write(
        &ws,
        "junit.xml",
        r#"<testsuite name="core" tests="1"><testcase name="one" classname="core" time="0.01"/></testsuite>"#,
    );
    let event = format!(
        r#"{{"number":7,"pull_request":{{"number":7,"base":{{"ref":"main","sha":"{base}"}},"head":{{"ref":"feature","sha":"{head}"}}}}}}"#
    );
    Case {
        dir,
        ws,
        event,
        head,
    }
}

#[test]
fn outputs_and_the_level_change_against_the_base_branch() {
    let c = case("outputs");
    let runner = Runner::new(&c.dir);
    // The base branch's last result: this run's, one level higher.
    let out = runner.run(&c.ws, ("pull_request", &c.event), &[], &[]);
    assert!(out.status.code().is_some_and(|x| x < 2), "{out:?}");
    let mut earlier = runner.result();
    let level = earlier["projects"][0]["level"].as_u64().unwrap();
    earlier["projects"][0]["level"] = (level + 1).into();
    let earlier_path = c.dir.join("main-result.json");
    std::fs::write(&earlier_path, earlier.to_string()).unwrap();

    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMPARE_TO", earlier_path.to_str().unwrap())],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let o = runner.outputs();
    assert_eq!(o["levels"], format!(r#"{{"ws":{level}}}"#), "{o:?}");
    // 5 of 6... lines: 1, 2, 4 covered of 1, 2, 4, 5 → 75.0; changed 4, 5 → 50.0.
    assert_eq!(o["coverage"], "75.0");
    assert_eq!(o["incremental"], "50.0");
    assert_eq!(o["lowered"], r#"["ws"]"#);
    let summary_file = &o["summary"];
    let summary = std::fs::read_to_string(summary_file).unwrap();
    assert_eq!(
        summary,
        runner.summary(),
        "the job summary is the summary file"
    );
    let sentence = format!(
        "this change lowers ws from level {} to level {level}",
        level + 1
    );
    assert!(summary.contains(&sentence), "{summary}");
    assert!(
        commands(&stdout, "warning")
            .first()
            .is_some_and(|w| w.contains(&sentence)),
        "the lowered level is the first warning: {stdout}"
    );
    assert!(stdout.contains(&format!("compared with {}", earlier_path.display())));

    // The same outputs without jq (python3 computes them).
    let no_jq = c.dir.join("no-jq-bin");
    std::fs::create_dir_all(&no_jq).unwrap();
    for d in ["/usr/local/bin", "/usr/bin", "/bin"] {
        let Ok(entries) = std::fs::read_dir(d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if name == "jq" || no_jq.join(&name).exists() {
                continue;
            }
            let _ = std::os::unix::fs::symlink(e.path(), no_jq.join(&name));
        }
    }
    let with_jq = o.clone();
    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMPARE_TO", earlier_path.to_str().unwrap())],
        &[("PATH", no_jq.to_str().unwrap())],
    );
    assert!(out.status.code().is_some_and(|x| x < 2), "{out:?}");
    assert_eq!(runner.outputs(), with_jq);

    // A missing earlier result (the first run on the branch) is a notice, not an error.
    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMPARE_TO", "nowhere/result.json")],
        &[],
    );
    assert!(out.status.code().is_some_and(|x| x < 2));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("testcert: no earlier result at nowhere/result.json"));
    assert_eq!(runner.outputs()["lowered"], "[]");
    std::fs::remove_dir_all(&c.dir).unwrap();
}

#[test]
fn one_sticky_comment_updated_on_every_push() {
    let c = case("comment");
    let runner = Runner::new(&c.dir);
    let state = Arc::new(Mutex::new(Api::default()));
    // 120 comments by others first: ours lands on the second page of the listing.
    {
        let mut st = state.lock().unwrap();
        for i in 0..120 {
            st.next_id += 1;
            let id = st.next_id;
            st.comments.push((id, format!("LGTM {i}")));
        }
    }
    let api = fake_api(state.clone());
    let env = [
        ("GITHUB_API_URL", api.as_str()),
        ("TESTCERT_TOKEN", "secret-token"),
    ];
    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMMENT", "true")],
        &env,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("testcert: commented on #7"), "{stdout}");
    let ours = |st: &Api| -> Vec<(u64, String)> {
        st.comments
            .iter()
            .filter(|(_, b)| b.contains("<!-- testcert-comment: testcert -->"))
            .cloned()
            .collect()
    };
    let first = {
        let st = state.lock().unwrap();
        let ours = ours(&st);
        assert_eq!(ours.len(), 1);
        assert!(
            ours[0]
                .1
                .starts_with("<!-- testcert-comment: testcert -->\n## Test Certified"),
            "{}",
            ours[0].1
        );
        assert!(st
            .requests
            .iter()
            .all(|(_, _, auth, _)| auth == "Bearer secret-token"));
        ours[0].0
    };
    // The next push: the same comment, updated (found on page 2), no new one.
    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMMENT", "true"), ("INPUT_MIN_LEVEL", "3")],
        &env,
    );
    assert_eq!(out.status.code(), Some(1), "below level 3");
    assert!(String::from_utf8_lossy(&out.stdout).contains("testcert: updated the comment on #7"));
    {
        let st = state.lock().unwrap();
        let ours = ours(&st);
        assert_eq!(ours.len(), 1, "one comment, not one per push");
        assert_eq!(ours[0].0, first);
        assert!(
            ours[0].1.contains("## Test Certified: failed"),
            "{}",
            ours[0].1
        );
        assert_eq!(st.comments.len(), 121, "the others untouched");
        assert!(st.comments[..120]
            .iter()
            .all(|(_, b)| b.starts_with("LGTM")));
        assert!(st
            .requests
            .iter()
            .any(|(m, p, _, _)| m == "GET" && p.ends_with("per_page=100&page=2")));
    }

    // A fork's read-only token: a warning that points at the workflow_run pattern; the
    // check's own exit code stands.
    state.lock().unwrap().read_only = true;
    state.lock().unwrap().comments.clear();
    let out = runner.run(
        &c.ws,
        ("pull_request", &c.event),
        &[("INPUT_COMMENT", "true")],
        &env,
    );
    assert!(out.status.code().is_some_and(|x| x < 2));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("::warning title=testcert comment::cannot comment on #7 (HTTP 403: Resource not accessible by integration)")
            && stdout.contains("workflow_run pattern"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&c.dir).unwrap();
}

/// The second half of the fork-safe pattern: comment/action.yml's script, given the number
/// and the head commit from the other run.
#[test]
fn workflow_run_comment_checks_the_pull_requests_head() {
    let c = case("workflow-run");
    let state = Arc::new(Mutex::new(Api {
        head_sha: c.head.clone(),
        ..Api::default()
    }));
    let api = fake_api(state.clone());
    let summary = c.dir.join("summary.md");
    std::fs::write(&summary, "## Test Certified: passed\n").unwrap();
    let run = |head: &str| {
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/comment.sh"))
            .arg(&summary)
            .env("GITHUB_API_URL", &api)
            .env("GITHUB_REPOSITORY", "acme/widgets")
            .env("TESTCERT_TOKEN", "t")
            .env("TESTCERT_PR", "7")
            .env("TESTCERT_HEAD_SHA", head)
            .env_remove("GITHUB_EVENT_PATH")
            .output()
            .unwrap();
        assert!(out.status.success(), "never fails the step");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // A number that an artifact claims, for a pull request at another commit: refused.
    let stdout = run("ffffffffffffffffffffffffffffffffffffffff");
    assert!(
        stdout.contains("no comment: pull request #7 is at"),
        "{stdout}"
    );
    assert!(state.lock().unwrap().comments.is_empty());
    let stdout = run(&c.head);
    assert!(stdout.contains("commented on #7"), "{stdout}");
    assert_eq!(state.lock().unwrap().comments.len(), 1);
    // Not a number: refused before any request.
    let before = state.lock().unwrap().requests.len();
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/comment.sh"))
        .arg(&summary)
        .env("GITHUB_API_URL", &api)
        .env("GITHUB_REPOSITORY", "acme/widgets")
        .env("TESTCERT_TOKEN", "t")
        .env("TESTCERT_PR", "7/../../x")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("not a pull request"));
    assert_eq!(state.lock().unwrap().requests.len(), before);
    std::fs::remove_dir_all(&c.dir).unwrap();
}
