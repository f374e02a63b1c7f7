//! `check --compare-to`: the level change against an earlier result, in the text report, the
//! summary and the annotations, and read back by `render --from`.

mod common;

use std::process::Command;

use common::{project, result};
use testcert::compare::compare;
use testcert::render::{github, markdown, text};
use testcert::result::LevelChange;

#[test]
fn levels_lowered_raised_new_and_gone() {
    let mut before = result(
        3,
        vec![
            project("kv-cli", 2, false, 0),
            project("kv-core", 1, false, 0),
            project("old", 1, false, 0),
            project("same", 3, false, 0),
        ],
    );
    before.stamp = Some(testcert::stamp::Stamp {
        repository: "github.com/acme/kv".to_string(),
        commit: Some("0123456789abcdef0123".to_string()),
        time: "2026-01-01T00:00:00Z".to_string(),
        ..Default::default()
    });
    // kv-core moved (new path, same name): still compared.
    let mut moved = project("kv-core", 2, false, 0);
    moved.path = "crates/kv-core".to_string();
    let now = result(
        3,
        vec![
            project("kv-cli", 1, false, 0),
            moved,
            project("new", 0, false, 0),
            project("same", 3, false, 0),
        ],
    );
    let c = compare(&before, &now, "main.json");
    assert_eq!(c.unchanged, 1);
    assert_eq!(c.base_commit.as_deref(), Some("0123456789abcdef0123"));
    assert_eq!(c.against(), "main.json (0123456789ab)");
    let lowered: Vec<&LevelChange> = c.lowered().collect();
    assert_eq!(lowered.len(), 1);
    assert_eq!(
        lowered[0].sentence(),
        "this change lowers kv-cli from level 2 to level 1"
    );
    assert_eq!(
        c.summary(),
        "this change lowers kv-cli from level 2 to level 1; this change raises kv-core from \
         level 1 to level 2; new is new, at level 0; old (level 1) is gone"
    );

    let mut r = now.clone();
    r.comparison = Some(c);
    let t = text::render(&r, text::Style { color: false });
    assert!(
        t.contains("compared with main.json (0123456789ab): this change lowers kv-cli from level 2 to level 1;"),
        "{t}"
    );
    let md = markdown::render(&r);
    assert!(
        md.contains("📉 Compared with `main.json (0123456789ab)`: this change lowers kv-cli from level 2 to level 1;"),
        "{md}"
    );
    let gh = github::render(&r, "");
    // The lowered level is the first warning; the raise is a notice.
    let first_warning = gh.lines().find(|l| l.starts_with("::warning")).unwrap();
    assert_eq!(
        first_warning,
        "::warning title=testcert%3A kv-cli level changed::this change lowers kv-cli from level 2 to level 1 (compared with main.json (0123456789ab))"
    );
    assert!(
        gh.contains("::notice title=testcert%3A kv-core level changed::this change raises kv-core"),
        "{gh}"
    );
    // Into the JSON and back.
    let back = testcert::result::CheckResult::from_json(&testcert::render::json(&r)).unwrap();
    assert_eq!(back.comparison, r.comparison);
    // Without a comparison the JSON has no such field (the contract's output is unchanged).
    assert!(!testcert::render::json(&now).contains("comparison"));
}

#[test]
fn check_compare_to_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("testcert-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "pub fn one() -> u32 {\n    1\n}\n").unwrap();
    std::fs::write(
        dir.join("lcov.info"),
        "TN:\nSF:src/lib.rs\nDA:1,1\nDA:2,1\nend_of_record\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_testcert"))
            .args(args)
            .current_dir(&dir)
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_BASE_REF")
            .output()
            .unwrap()
    };
    let out = run(&["check", ".", "--format", "json", "--output", "now.json"]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    // The same result, one level higher: this change lowers it.
    let mut earlier: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("now.json")).unwrap()).unwrap();
    let level = earlier["projects"][0]["level"].as_u64().unwrap();
    let name = earlier["projects"][0]["name"].as_str().unwrap().to_string();
    earlier["projects"][0]["level"] = (level + 1).into();
    std::fs::write(dir.join("main.json"), earlier.to_string()).unwrap();
    let out = run(&["check", ".", "--compare-to", "main.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "compared with main.json: this change lowers {name} from level {} to level {level}",
            level + 1
        )),
        "{stdout}"
    );
    // Not a result: exit 2 naming the file.
    std::fs::write(dir.join("bad.json"), "{\"schema_version\": 1}").unwrap();
    let out = run(&["check", ".", "--compare-to", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--compare-to bad.json"), "{stderr}");
    let out = run(&["check", ".", "--compare-to", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--compare-to missing.json: cannot read it")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn names_from_the_earlier_result_reach_the_text_report_inert() {
    // The earlier result is a file anyone could have written: a project that is gone from
    // the new result keeps its hostile name only in the comparison.
    let hostile = "gone\n::error::forged\u{1b}]0;title\u{7}";
    let before = result(3, vec![project(hostile, 1, false, 0)]);
    let now = result(3, vec![project("kept", 1, false, 0)]);
    let mut r = now.clone();
    r.comparison = Some(compare(&before, &now, "main\n::warning::x.json"));
    let t = text::render(&r, text::Style { color: false });
    assert!(
        !t.contains('\u{1b}') && !t.contains('\u{7}'),
        "control characters reach the terminal: {t:?}"
    );
    assert!(
        !t.lines().any(|l| l.starts_with("::")),
        "a workflow command starts a line: {t}"
    );
    assert!(t.contains("gone\\n::error::forged"), "{t}");
}
