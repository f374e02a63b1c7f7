//! The summary (Markdown), the GitHub annotations, and `testcert render --from` on results
//! built in the test.

mod common;

use std::process::Command;

use common::{failing, project, result, uncovered};
use testcert::render::{github, markdown};
use testcert::result::CheckResult;

/// A result with every list a renderer shows, and hostile text in it.
fn busy() -> CheckResult {
    let mut p = project("core", 1, false, 2);
    p.evidence.incremental.changed = 10;
    p.evidence.incremental.covered = 4;
    p.evidence.incremental.ratio = Some(0.4);
    p.evidence.incremental.files = vec![
        uncovered("src/a,b:c.rs", vec![3, 4, 5, 9]),
        uncovered("src/100%.rs", vec![7]),
    ];
    p.evidence.failing_tests = vec![
        failing(
            "core/t/adds",
            Some("tests/t.rs"),
            Some(12),
            "left: 1\nright: 2 (100%)",
        ),
        failing("core/t/nowhere", None, None, "lost"),
    ];
    let mut q = failing("core/t/flaky", Some("tests/q.rs"), Some(3), "timeout");
    q.quarantined = true;
    p.evidence.failing_tests.push(q);
    p.evidence.flaky_tests = vec!["core/t/flaky".to_string()];
    p.criteria[1].status = testcert::result::Status::Unknown;
    let mut r = result(3, vec![p, project("web <ui>", 3, true, 0)]);
    r.passed = false;
    r
}

#[test]
fn markdown_table_with_badges() {
    let r = busy();
    let md = markdown::render(&r);
    assert!(
        md.contains("| project | level | required | | badge |"),
        "{md}"
    );
    assert!(
        md.contains("![level 1](https://img.shields.io/badge/test%20certified-level%201-orange)"),
        "{md}"
    );
    assert!(md.contains("| web \\<ui\\> | level 3* |"), "{md}");
    assert!(
        md.contains("Incremental coverage: 40.0% (4/10 changed lines)"),
        "{md}"
    );
    assert!(
        md.contains("<details><summary>Uncovered changed lines (2 files)"),
        "{md}"
    );
    assert!(md.contains("(tests/t.rs:12)"), "{md}");
    // Inside GitHub Actions: uncovered runs and failing tests link to the checked commit.
    let env = |k: &str| {
        match k {
            "GITHUB_REPOSITORY" => Some("acme/widgets"),
            "GITHUB_SHA" => Some("0123abc"),
            _ => None,
        }
        .map(str::to_string)
    };
    let links = markdown::Links::from_env(&env, "sub dir/").unwrap();
    let linked = markdown::render_opts(
        &r,
        &markdown::Options {
            links: Some(links),
            annotations: true,
        },
    );
    let blob = "https://github.com/acme/widgets/blob/0123abc/sub%20dir";
    assert!(
        linked.contains(&format!(
            "- [`src/a,b:c.rs`]({blob}/src/a%2Cb%3Ac.rs): [3-5]({blob}/src/a%2Cb%3Ac.rs#L3-L5), [9]({blob}/src/a%2Cb%3Ac.rs#L9)"
        )),
        "{linked}"
    );
    assert!(
        linked.contains(&format!("([tests/t.rs:12]({blob}/tests/t.rs#L12))")),
        "{linked}"
    );
    // Images load on github.com: no local badge path, ever.
    assert!(!linked.contains("](badges/"), "{linked}");
    // Not in Actions, or a value that would make an odd link: no links.
    assert_eq!(markdown::Links::from_env(&|_: &str| None, ""), None);
    let odd = |k: &str| Some(if k == "GITHUB_SHA" { "x y" } else { "a/b" }.to_string());
    assert_eq!(markdown::Links::from_env(&odd, ""), None);
    assert_eq!(
        markdown::static_badge_url("test certified", "level 2*", "yellow"),
        "https://img.shields.io/badge/test%20certified-level%202%2A-yellow"
    );
    assert_eq!(
        markdown::static_badge_url("a-b_c", "x", "red"),
        "https://img.shields.io/badge/a--b__c-x-red"
    );
}

#[test]
fn markdown_stays_under_the_limit_for_a_huge_result() {
    let mut projects = Vec::new();
    for i in 0..300 {
        let mut p = project(&format!("project-{i:03}"), 1, false, 2);
        p.evidence.incremental.files = (0..200)
            .map(|f| {
                uncovered(
                    &format!("src/module_{f}/very/long/path/name.rs"),
                    (1..400).step_by(2).collect(),
                )
            })
            .collect();
        p.evidence.failing_tests = (0..500)
            .map(|t| {
                failing(
                    &format!("suite/test_{t}"),
                    Some("tests/x.rs"),
                    Some(t),
                    &"boom ".repeat(40),
                )
            })
            .collect();
        projects.push(p);
    }
    let r = result(3, projects);
    let md = markdown::render(&r);
    assert!(
        md.chars().count() < markdown::LIMIT,
        "{}",
        md.chars().count()
    );
    assert!(md.contains("truncated"), "says that it truncated");
    // Fewer projects: the lists shrink but the table stays whole.
    let r = result(3, r.projects.into_iter().take(5).collect());
    let md = markdown::render(&r);
    assert!(md.chars().count() < markdown::LIMIT);
    assert!(md.contains("| project-004 |"));
    assert!(
        md.contains("and 1") || md.contains("more"),
        "says what it left out"
    );
}

#[test]
fn github_annotations() {
    let mut r = busy();
    let mut green = r.projects[0].criteria[0].clone();
    (green.id, green.level, green.status) = ("L2.green".into(), 2, testcert::result::Status::Unmet);
    r.projects[0].criteria.push(green);
    let out = github::render(&r, "sub/dir");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{out}");
    // Failing tests with a location come first; message newlines and % escaped.
    assert!(out.starts_with("::error file=sub/dir/tests/t.rs,line=12,title=testcert%3A test failed::core/t/adds failed: left: 1%0Aright: 2 (100%25)\n"), "{out}");
    // Then the project below its required level, then failing tests without a location.
    assert_eq!(
        lines[1],
        "::error title=testcert%3A core below the required level::core is at level 1, below the required level 2; level 2 needs L2.green"
    );
    assert!(lines[2].contains("core/t/nowhere failed: lost"), "{out}");
    // Uncovered changed lines are warnings where a level is required, never errors: one per
    // run, with line and endLine; properties escaped.
    assert!(out.contains("::warning file=sub/dir/src/a%2Cb%3Ac.rs,line=3,endLine=5,title=testcert%3A changed lines not covered::core: changed lines 3-5 are not covered by any test\n"), "{out}");
    assert!(
        out.contains("::warning file=sub/dir/src/a%2Cb%3Ac.rs,line=9,title="),
        "{out}"
    );
    assert!(out.contains("file=sub/dir/src/100%25.rs,line=7,"), "{out}");
    assert!(!out.contains("::error file=sub/dir/src/"), "{out}");
    // Quarantined: a warning. Unknown evidence: a warning. Levels: notices.
    assert!(
        out.contains("::warning file=sub/dir/tests/q.rs,line=3,"),
        "{out}"
    );
    assert!(
        out.contains("::warning title=testcert%3A L1.smoke unknown::core: L1.smoke"),
        "{out}"
    );
    assert!(out.contains("::notice title=testcert%3A core level 1::core: Test Certified level 1 of 3 (required 2): below the required level; 5 uncovered changed lines; 3 failing tests\n"), "{out}");
    assert!(
        out.contains("::notice title=testcert%3A web <ui> level 3*::"),
        "{out}"
    );
    // Without a required level, uncovered lines are notices.
    let mut p = project("free", 1, false, 0);
    p.evidence.incremental.files = vec![uncovered("src/x.rs", vec![2])];
    let out = github::render(&result(3, vec![p]), "");
    assert!(
        out.contains("::notice file=src/x.rs,line=2,title=testcert%3A changed lines not covered::"),
        "{out}"
    );
    assert!(
        !out.contains("::warning file=") && !out.contains("::error"),
        "{out}"
    );
}

#[test]
fn github_annotations_are_bounded_most_important_first() {
    let mut p = project("big", 0, false, 1);
    p.evidence.incremental.files = (0..40)
        .map(|f| uncovered(&format!("f{f}.rs"), vec![1, 3, 5]))
        .collect();
    p.evidence.failing_tests = (0..12)
        .map(|t| {
            failing(
                &format!("big/t{t}"),
                Some("tests/t.rs"),
                Some(t + 1),
                "boom",
            )
        })
        .collect();
    let mut others: Vec<_> = (0..12)
        .map(|i| project(&format!("p{i:02}"), 0, false, 0))
        .collect();
    others.insert(0, p);
    let r = result(3, others);
    let out = github::render(&r, "");
    let count = |kind: &str| out.lines().filter(|l| l.starts_with(kind)).count();
    assert_eq!(count("::error"), 10, "{out}");
    assert_eq!(count("::warning"), 10, "{out}");
    assert_eq!(count("::notice"), 10, "{out}");
    // The ten errors are the failing tests with a location (12 of them): the project below
    // its level is left out only because there are ten more important ones.
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert!(errors.iter().all(|l| l.contains("test failed")), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with(
            "::notice title=testcert%3A annotations left out::3 errors, 110 warnings, 4 notices left out"
        ),
        "{last}"
    );
    assert_eq!(github::left_out(&r), 3 + 110 + 4);
    // The summary says so, and lists them.
    let md = markdown::render_opts(
        &r,
        &markdown::Options {
            links: None,
            annotations: true,
        },
    );
    assert!(md.contains("_117 annotations were left out"), "{md}");
    assert!(!markdown::render(&r).contains("annotations were left out"));
}

#[test]
fn json_reads_back() {
    let r = busy();
    let json = testcert::render::json(&r);
    let back = CheckResult::from_json(&json).unwrap();
    assert_eq!(back, r);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["schema_version"] = 99.into();
    let err = CheckResult::from_json(&v.to_string()).unwrap_err();
    assert!(format!("{err:#}").contains("schema version 99"), "{err:#}");
}

#[test]
fn render_from_json_cli() {
    let dir = std::env::temp_dir().join(format!("testcert-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("result.json");
    std::fs::write(&json, testcert::render::json(&busy())).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_testcert"))
            .args(args)
            .current_dir(&dir)
            .env_remove("GITHUB_WORKSPACE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run(&[
        "render",
        "--from",
        "result.json",
        "--format",
        "markdown",
        "--badges",
        "badges",
    ]);
    // The badge files are written, and the table shows badges that load on github.com.
    assert!(
        md.contains("![level 1](https://img.shields.io/badge/test%20certified-level%201-orange)"),
        "{md}"
    );
    assert!(dir.join("badges/core.svg").is_file());
    assert!(dir.join("badges/testcert.json").is_file());
    let gh = run(&["render", "--from", "result.json", "--format", "github"]);
    assert!(
        gh.contains("::warning file=src/a%2Cb%3Ac.rs,line=3,endLine=5"),
        "{gh}"
    );
    let text = run(&["render", "--from", "result.json"]);
    assert!(text.contains("core"), "{text}");
    let again = run(&["render", "--from", "result.json", "--format", "json"]);
    assert_eq!(again, std::fs::read_to_string(&json).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}
