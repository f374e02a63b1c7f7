//! The Action within GitHub's limits, on a pull request's depth-1 checkout: at most 10
//! annotations of each kind, failing tests first, uncovered lines as warnings (never errors),
//! the rest counted in one notice and listed in the summary, whose images load on github.com
//! and whose links point at the checked commit's lines.

mod gh;

use gh::{checkout, commands, temp, Origin, Runner};

/// 25 functions after the first: each one's signature covered, its body not, so every body
/// line is its own run of uncovered changed lines.
fn lib(n: usize) -> String {
    (0..n)
        .map(|i| format!("pub fn f{i}() -> usize {{\n    {i}\n}}\n"))
        .collect()
}

#[test]
fn annotations_summary_and_outputs_on_a_busy_pull_request() {
    let dir = temp("limits");
    let origin = Origin::new(&dir);
    let base = origin.commit(
        &[
            ("src/lib.rs", &lib(1)),
            (".gitignore", "lcov.info\njunit.xml\n"),
        ],
        "base",
    );
    origin.push("main", "refs/heads/main");
    origin.git(&["checkout", "-q", "-b", "feature"]);
    let head = origin.commit(&[("src/lib.rs", &lib(26))], "25 more");
    origin.push("feature", "refs/heads/feature");
    origin.git(&["checkout", "-q", "main"]);
    let merge = origin.merge_commit(&base, &head, "refs/pull/3/merge");
    let ws = checkout(&dir, &origin.url(), &merge, "refs/remotes/pull/3/merge");

    let mut lcov = String::from("TN:\nSF:src/lib.rs\n");
    for i in 0..26 {
        lcov.push_str(&format!(
            "DA:{},1\nDA:{},{}\n",
            3 * i + 1,
            3 * i + 2,
            u8::from(i == 0)
        ));
    }
    lcov.push_str("end_of_record\n");
    gh::write(&ws, "lcov.info", &lcov);
    let mut junit = String::from(r#"<testsuite name="core" tests="14">"#);
    for i in 0..14 {
        junit.push_str(&format!(
            r#"<testcase name="t{i}" classname="core" file="src/lib.rs" line="{}"><failure message="boom {i}"/></testcase>"#,
            3 * i + 2
        ));
    }
    junit.push_str("</testsuite>");
    gh::write(&ws, "junit.xml", &junit);

    let runner = Runner::new(&dir);
    let event = format!(
        r#"{{"number":3,"pull_request":{{"number":3,"base":{{"ref":"main","sha":"{base}"}},
        "head":{{"ref":"feature","sha":"{head}"}}}}}}"#
    );
    // The comment cannot be posted (nothing listens): its warning would be the 11th, so it
    // is a plain log line.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = runner.run(
        &ws,
        ("pull_request", &event),
        &[
            ("INPUT_MIN_LEVEL", "1"),
            ("INPUT_BADGES", "badges"),
            ("INPUT_COMMENT", "true"),
        ],
        &[("GITHUB_API_URL", &api), ("TESTCERT_TOKEN", "t")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "below the required level: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (errors, warnings, notices) = (
        commands(&stdout, "error"),
        commands(&stdout, "warning"),
        commands(&stdout, "notice"),
    );
    assert_eq!(errors.len(), 10, "{stdout}");
    assert_eq!(warnings.len(), 10, "{stdout}");
    assert!(notices.len() <= 10, "{stdout}");
    assert!(
        stdout.contains("testcert comment: warning: no comment: cannot list the comments of #3"),
        "{stdout}"
    );
    // The most important first: failing tests at their file and line (14 of them, and the
    // project below its level: 5 left out).
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("::error file=src/lib.rs,line=") && e.contains("test failed")),
        "{errors:?}"
    );
    assert!(errors[0].contains("core/t0 failed: boom 0") || errors[0].contains("t0 failed"));
    // Uncovered changed lines: warnings where a level is required, never errors.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("title=testcert%3A changed lines not covered")),
        "{warnings:?}"
    );
    let last = notices.last().unwrap();
    assert!(
        last.contains("annotations left out::5 errors,") && last.contains("warnings"),
        "{last}"
    );

    let summary = runner.summary();
    assert!(summary.contains("## Test Certified: failed"), "{summary}");
    // Every image loads on github.com: shields, not the local badge files (still written).
    let images: Vec<&str> = summary
        .match_indices("![")
        .map(|(i, _)| &summary[i..])
        .collect();
    assert!(!images.is_empty());
    for img in images {
        let url = &img[img.find("](").unwrap() + 2..];
        assert!(url.starts_with("https://img.shields.io/badge/"), "{url}");
    }
    assert!(ws.join("badges/testcert.svg").is_file());
    assert!(ws.join("badges/testcert.json").is_file());
    // Links to the checked commit's lines, for uncovered runs and failing tests.
    let blob = format!("https://github.com/acme/widgets/blob/{merge}/src/lib.rs");
    assert!(summary.contains(&format!("[5]({blob}#L5)")), "{summary}");
    assert!(
        summary.contains(&format!("[src/lib.rs:2]({blob}#L2)")),
        "{summary}"
    );
    assert!(summary.contains("annotations were left out"), "{summary}");
    let o = runner.outputs();
    assert_eq!(o["passed"], "false");
    assert_eq!(o["level"], "0");
    std::fs::remove_dir_all(&dir).unwrap();
}
