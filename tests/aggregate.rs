//! `testcert aggregate`: goldens over `fixtures/aggregate/` (the example repositories'
//! results, generated ones, a hostile one, an unstamped one, an older one, and a history),
//! and the CLI's exit codes, history deduplication and error reporting.
//! `TESTCERT_BLESS=1 cargo test --test aggregate` rewrites the goldens.

use std::path::{Path, PathBuf};
use std::process::Command;

use testcert::aggregate::{self, history, Options};

const NOW: &str = "2025-06-01T12:00:00Z";

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "testcert-aggregate-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn compare(name: &str, got: &str, drift: &mut Vec<String>) {
    let path = Path::new("tests/expected/aggregate").join(name);
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if got != expected {
        if std::env::var_os("TESTCERT_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, got).unwrap();
        } else {
            drift.push(format!(
                "{}:\n--- expected\n{expected}\n+++ got\n{got}",
                path.display()
            ));
        }
    }
}

fn fixture_history(dir: &Path) -> PathBuf {
    let h = dir.join("history.jsonl");
    std::fs::copy("fixtures/aggregate/history.jsonl", &h).unwrap();
    h
}

fn options(history: Option<PathBuf>) -> Options {
    Options {
        inputs: vec!["fixtures/aggregate/results".into()],
        history,
        now: Some(NOW.to_string()),
        title: "Acme: Test Certified".to_string(),
        teams: None,
        // The result links are relative to it: `../fixtures/aggregate/results/…`.
        out: Some("site".into()),
    }
}

#[test]
fn goldens() {
    let dir = temp("golden");
    let h = fixture_history(&dir);
    let before = std::fs::read_to_string(&h).unwrap();
    let outcome = aggregate::build(&options(Some(h.clone())), std::time::UNIX_EPOCH).unwrap();
    history::append(&h, &outcome.append, outcome.needs_newline).unwrap();
    let after = std::fs::read_to_string(&h).unwrap();
    let a = &outcome.aggregate;

    let mut drift = Vec::new();
    for (name, contents) in aggregate::outputs(a) {
        compare(&name, &contents, &mut drift);
    }
    compare(
        "history-appended.jsonl",
        after.strip_prefix(&before).unwrap(),
        &mut drift,
    );
    assert!(
        drift.is_empty(),
        "{} golden outputs differ (TESTCERT_BLESS=1 rewrites them):\n{}",
        drift.len(),
        drift.join("\n")
    );

    // What the goldens should show, stated once more in words.
    assert_eq!(a.inputs.results, 11);
    assert_eq!(a.inputs.skipped, 1, "the badge JSON is not a result");
    assert_eq!(a.inputs.superseded, 1, "the older rust-workspace result");
    assert_eq!(a.inputs.unstamped, 1);
    assert!(a.inputs.errors.is_empty());
    assert_eq!(a.summary.repositories, 10);
    assert!(a
        .projects
        .iter()
        .any(|r| r.repository == "ci/legacy-repo/testcert"));
    let ch = a.changes.as_ref().unwrap();
    let names = |l: &[aggregate::Change]| l.iter().map(|c| c.project.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ch.up), ["service-00000-core", "kv-cli"]);
    assert_eq!(names(&ch.down), ["kv-legacy"]);
    assert_eq!(names(&ch.removed), ["kv-old"]);
    assert_eq!(ch.appended, 9, "service-00001's commit is already recorded");
    assert_eq!(a.exit_code(true), 1, "kv-legacy dropped a level");
    assert_eq!(a.exit_code(false), 0);
    let s0 = a
        .projects
        .iter()
        .find(|r| r.repository.ends_with("service-00000"))
        .unwrap();
    assert_eq!(s0.trend.len(), 5, "four history entries and this snapshot");

    // A hostile stamp links nowhere; the real ones do.
    let hostile = a
        .projects
        .iter()
        .find(|r| r.repository.contains("<script>"))
        .unwrap();
    assert_eq!(
        (
            &hostile.links.repository,
            &hostile.links.commit,
            &hostile.links.run
        ),
        (&None, &None, &None)
    );
    assert!(a
        .projects
        .iter()
        .filter(|r| r.repository.starts_with("github.com/acme"))
        .all(|r| r
            .links
            .repository
            .as_deref()
            .is_some_and(|u| u.starts_with("https://github.com/acme"))));
    // Unstamped and superseded results are information, not alarms.
    assert!(a
        .inputs
        .notices
        .iter()
        .all(|n| n.severity == aggregate::Severity::Info));
    assert_eq!(a.inputs.notices.len(), 2);

    // Every name from a result is escaped: the page has two script elements, its JSON data
    // block and its code, and the names in the data are \u-escaped for that context.
    let page = aggregate::html::render(a);
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("<script type=\"application/json\"").count(), 1);
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("</td></tr><tr><td>core"));
    assert!(page.contains("\\u003cscript\\u003edocument.documentElement"));
    // Self-contained: nothing fetched from anywhere (links to repositories and runs are
    // fine: following one is the reader's choice), and the policy forbids any fetch.
    for external in [
        "src=\"",
        "srcset=",
        "<link",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
        "<iframe",
    ] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(page.contains("content=\"default-src 'none';"));

    // A second run over the same results appends nothing and reports the same changes.
    let again = aggregate::build(&options(Some(h.clone())), std::time::UNIX_EPOCH).unwrap();
    assert!(again.append.is_empty());
    let ch2 = again.aggregate.changes.unwrap();
    assert_eq!(names(&ch2.down), ["kv-legacy"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_history_there_are_no_changes_and_the_snapshot_comes_from_the_results() {
    let mut o = options(None);
    o.now = None;
    // A wall clock after every stamp (stamps beyond it are not trusted to supersede).
    let wall_clock = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600);
    let a = aggregate::build(&o, wall_clock).unwrap().aggregate;
    assert!(a.changes.is_none());
    // The newest stamp time among the results, not the wall clock.
    assert_eq!(a.snapshot, "2025-06-01T00:00:00Z");
    assert!(a.projects.iter().all(|r| r.trend.len() == 1));
    assert!(aggregate::json(&a).contains("\"changes\": null"));
}

fn testcert(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_reports_unreadable_results_and_still_writes_everything() {
    let dir = temp("cli");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for f in ["rust-workspace.json", "service-00001.json"] {
        std::fs::copy(
            Path::new("fixtures/aggregate/results").join(f),
            inputs.join(f),
        )
        .unwrap();
    }
    std::fs::write(
        inputs.join("truncated.json"),
        "{\"schema_version\": 1, \"testcert_version\": \"0.1.0\", \"proj",
    )
    .unwrap();
    let out = dir.join("site");
    let (code, err) = testcert(&[
        "aggregate",
        inputs.to_str().unwrap(),
        "missing-folder",
        "--out",
        out.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("truncated.json: not a testcert check JSON result"),
        "{err}"
    );
    assert!(
        err.contains("missing-folder: no such file or folder"),
        "{err}"
    );
    for f in [
        "index.html",
        "summary.md",
        "aggregate.json",
        "badges/levels.svg",
        "badges/levels.json",
        "badges/required.svg",
        "badges/required.json",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("aggregate.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["inputs"]["errors"].as_array().unwrap().len(), 2);
    assert_eq!(json["summary"]["repositories"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_history_fails_on_regression_and_deduplicates() {
    let dir = temp("regress");
    let h = fixture_history(&dir);
    let lines = |p: &Path| std::fs::read_to_string(p).unwrap().lines().count();
    let before = lines(&h);
    let out = dir.join("site");
    let args = [
        "aggregate",
        "fixtures/aggregate/results/rust-workspace.json",
        "fixtures/aggregate/results/service-*.json",
        "--out",
        out.to_str().unwrap(),
        "--history",
        h.to_str().unwrap(),
        "--fail-on-regression",
    ];
    let (code, err) = testcert(&args);
    assert_eq!(code, 1, "kv-legacy went from L1 to L0: {err}");
    assert!(err.contains("1 project dropped a level"), "{err}");
    assert_eq!(
        lines(&h),
        before + 6,
        "rust-workspace and five services appended"
    );
    // The next scheduled run finds the same results: the drop is still shown, and was
    // failed on by the run that recorded it, so this one passes.
    let (code, err) = testcert(&args);
    assert_eq!(code, 0, "fails once per regression: {err}");
    assert!(
        err.contains("1 project still below its previous level"),
        "{err}"
    );
    assert_eq!(lines(&h), before + 6, "nothing appended twice");
    // Without --fail-on-regression a drop is reported, not failed.
    let (code, _) = testcert(&args[..args.len() - 1]);
    assert_eq!(code, 0);
    let (code, err) = testcert(&["aggregate", "x", "--out", "y", "--now", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an RFC 3339 time"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_stamp_is_opt_in() {
    let dir = temp("stamp");
    let plain = dir.join("plain.json");
    let stamped = dir.join("stamped.json");
    let common = [
        "check",
        "fixtures/repos/python-monorepo",
        "--format",
        "json",
    ];
    let mut a: Vec<&str> = common.to_vec();
    a.extend(["-o", plain.to_str().unwrap()]);
    testcert(&a);
    let mut b: Vec<&str> = common.to_vec();
    b.extend(["-o", stamped.to_str().unwrap(), "--repo-name", "acme/py"]);
    testcert(&b);
    let plain = std::fs::read_to_string(plain).unwrap();
    assert!(!plain.contains("\"stamp\""));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stamped).unwrap()).unwrap();
    assert_eq!(v["stamp"]["repository"], "acme/py");
    let time = v["stamp"]["time"].as_str().unwrap();
    assert!(testcert::stamp::parse_rfc3339(time).is_some(), "{time}");
    assert!(time.ends_with('Z'));
    // render --from reads a stamped result back.
    let (code, err) = testcert(&["render", "--from", stamped.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_stamp_carries_the_configurations_team() {
    let dir = temp("stamp-team");
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("testcert.toml"), "team = \"  payments  \"\n").unwrap();
    let out = dir.join("stamped.json");
    let (code, err) = testcert(&[
        "check",
        repo.to_str().unwrap(),
        "--format",
        "json",
        "--stamp",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["stamp"]["team"], "payments");
    // The team is the stamp's alone: the result does not carry it a second time.
    assert!(v.get("team").is_none(), "{v}");
    std::fs::remove_dir_all(&dir).unwrap();
}

const TRENDS: &str = "tests/fixtures/aggregate-trends";

fn trends_options(dir: &Path) -> Options {
    let h = dir.join("history.jsonl");
    std::fs::copy(format!("{TRENDS}/history.jsonl"), &h).unwrap();
    Options {
        inputs: vec![format!("{TRENDS}/results").into()],
        history: Some(h),
        now: Some(NOW.to_string()),
        title: "Acme: Test Certified".to_string(),
        teams: Some(format!("{TRENDS}/teams.toml").into()),
        out: Some("site".into()),
    }
}

/// The history fixture (five earlier snapshots, four teams from the three sources, a flip, a
/// repeated flake, a regression, a version 1 line) against goldens the page can render from.
#[test]
fn trends_teams_and_flaky_tests_from_the_history_fixture() {
    let dir = temp("trends");
    let outcome = aggregate::build(&trends_options(&dir), std::time::UNIX_EPOCH).unwrap();
    let a = &outcome.aggregate;
    let mut drift = Vec::new();
    compare("trends/aggregate.json", &aggregate::json(a), &mut drift);
    compare(
        "trends/summary.md",
        &aggregate::markdown::render(a),
        &mut drift,
    );
    assert!(
        drift.is_empty(),
        "{} golden outputs differ (TESTCERT_BLESS=1 rewrites them):\n{}",
        drift.len(),
        drift.join("\n")
    );
    assert!(
        a.inputs.errors.is_empty(),
        "the version 1 line reads: {:?}",
        a.inputs.errors
    );

    // Teams: each source once, worst first, the projects without a team last.
    let teams: Vec<(Option<&str>, usize)> = a
        .teams
        .iter()
        .map(|t| (t.name.as_deref(), t.projects))
        .collect();
    assert_eq!(
        teams,
        [
            (Some("payments"), 4),
            (Some("storage"), 4),
            (Some("@acme/ledger-team"), 3),
            (None, 3)
        ]
    );
    let source = |repo: &str| {
        a.projects
            .iter()
            .find(|r| r.repository.ends_with(repo))
            .unwrap()
    };
    use aggregate::TeamSource::*;
    assert_eq!(
        source("/billing").team_source,
        Some(TeamsFile),
        "over the stamp's team"
    );
    assert_eq!(source("/kv").team_source, Some(Config));
    assert_eq!(source("/ledger").team_source, Some(Codeowners));
    assert_eq!(source("/search").team, None);
    assert_eq!(
        a.teams[1].went_down.len(),
        1,
        "storage: kv-legacy went down"
    );
    assert_eq!(a.teams[0].share_required, Some(0.75));
    let owners: Vec<&str> = a.owners.iter().filter_map(|o| o.name.as_deref()).collect();
    assert_eq!(owners, ["acme", "acme-payments", "acme-search"]);

    // Links from the stamps; the result file relative to the output folder.
    let kv = &source("/kv").links;
    assert_eq!(kv.repository.as_deref(), Some("https://github.com/acme/kv"));
    assert_eq!(
        kv.run.as_deref(),
        Some("https://github.com/acme/kv/actions/runs/1005/attempts/2")
    );
    assert_eq!(
        kv.result.as_deref(),
        Some("../tests/fixtures/aggregate-trends/results/acme/kv.json")
    );
    assert_eq!(source("/billing").links.run, None, "not stamped in Actions");

    // Trends: five earlier snapshots and this one, which equals the summary.
    let t = &a.trends;
    assert_eq!(t.snapshots.len(), 6);
    assert_eq!(t.snapshots[0].snapshot, "2025-05-01T12:00:00Z");
    assert_eq!(t.snapshots.last().unwrap().by_level, a.summary.by_level);
    assert_eq!(
        t.snapshots[0].repositories, 3,
        "billing was first recorded at the second snapshot"
    );
    assert_eq!(
        (t.snapshots[0].projects, t.snapshots[0].criteria_known),
        (10, 7),
        "search's version 1 line records no criteria"
    );
    assert_eq!(
        t.snapshots[4].by_level, t.snapshots[3].by_level,
        "a repository without a new entry stays where it was"
    );
    assert!(t.criteria.iter().all(|c| c.blocking.len() == 6));
    assert_eq!(
        a.changes.as_ref().unwrap().since.as_deref(),
        Some("2025-05-29T12:00:00Z")
    );

    // Flaky tests worst first: the flip, then three flaky results, then two.
    let f: Vec<(&str, usize, usize)> = a
        .flaky
        .tests
        .iter()
        .map(|t| (t.test.as_str(), t.flips, t.flaky_in))
        .collect();
    assert_eq!(
        f,
        [
            ("billing-util/tests::round_half_even", 1, 0),
            ("pytest/tests.test_notify/test_retry_sends_once", 0, 3),
            ("kv-cli::cli/list_while_file_is_rewritten", 0, 2),
        ]
    );
    assert_eq!(
        a.flaky.by_repository[0].repository,
        "github.com/acme-payments/billing"
    );

    // Worst first, and the criteria by how many projects they block.
    assert!(a.projects[0].level <= a.projects[1].level && !a.projects[0].passed);
    assert!(a
        .criteria
        .windows(2)
        .all(|w| w[0].blocking >= w[1].blocking));
    let mut ladder: Vec<usize> = a.criteria.iter().map(|c| c.ladder_index).collect();
    ladder.sort();
    assert_eq!(ladder, (0..a.criteria.len()).collect::<Vec<_>>());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// "Once": a drop fails `--fail-on-regression` in the run that first records the
/// repository's commit with the lower level, and in no later run that finds that commit
/// again, whether the same result (a scheduled run) or a re-run on the same commit. A new
/// commit that drops further fails again.
#[test]
fn fail_on_regression_fails_once_per_regression() {
    let dir = temp("once");
    let results = dir.join("results");
    let h = dir.join("history.jsonl");
    std::fs::copy(format!("{TRENDS}/history.jsonl"), &h).unwrap();
    std::fs::create_dir_all(&results).unwrap();
    let kv: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{TRENDS}/results/acme/kv.json")).unwrap(),
    )
    .unwrap();
    let write = |v: &serde_json::Value| {
        std::fs::write(results.join("kv.json"), serde_json::to_string(v).unwrap()).unwrap();
    };
    let out = dir.join("site");
    let run = || {
        testcert(&[
            "aggregate",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--history",
            h.to_str().unwrap(),
            "--now",
            NOW,
            "--fail-on-regression",
        ])
    };
    let lines = || std::fs::read_to_string(&h).unwrap().lines().count();
    let before = lines();

    write(&kv);
    let (code, err) = run();
    assert_eq!(code, 1, "kv-legacy L1 → L0 is first recorded: {err}");
    assert_eq!(lines(), before + 1);
    let (code, err) = run();
    assert_eq!(code, 0, "the same result again: {err}");
    assert_eq!(lines(), before + 1, "not recorded twice");

    // A re-run on the same commit, still at L0: recorded (another result), not failed.
    let mut rerun = kv.clone();
    rerun["stamp"]["time"] = "2025-06-01T06:00:00Z".into();
    write(&rerun);
    let (code, err) = run();
    assert_eq!(code, 0, "same commit: {err}");
    assert_eq!(lines(), before + 2);

    // A new commit on which kv-cli drops from L2 to L1: fails, once.
    let mut next = kv.clone();
    next["stamp"]["commit"] = "a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4".into();
    next["stamp"]["time"] = "2025-06-01T08:00:00Z".into();
    next["projects"][0]["level"] = 1.into();
    assert_eq!(next["projects"][0]["name"], "kv-cli");
    write(&next);
    let (code, err) = run();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 project dropped a level"), "{err}");
    let (code, _) = run();
    assert_eq!(code, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_teams_file_is_named_with_its_line() {
    let dir = temp("teams");
    let teams = dir.join("teams.toml");
    std::fs::write(
        &teams,
        "[[team]]\nname = \"a\"\nrepositories = \"acme/*\"\n",
    )
    .unwrap();
    let (code, err) = testcert(&[
        "aggregate",
        "fixtures/aggregate/results",
        "--out",
        dir.join("site").to_str().unwrap(),
        "--teams",
        teams.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{}: line 3:", teams.display())),
        "{err}"
    );
    let (code, err) = testcert(&[
        "aggregate",
        "fixtures/aggregate/results",
        "--out",
        dir.join("site").to_str().unwrap(),
        "--teams",
        dir.join("missing.toml").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read the teams file"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A stamp is written by whoever ran the check: its team, owners and URLs are data, never
/// markup or a link elsewhere.
#[test]
fn a_hostile_stamp_team_and_urls_stay_inert() {
    let dir = temp("hostile-stamp");
    let mut r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/aggregate/results/rust-workspace.json").unwrap(),
    )
    .unwrap();
    r["stamp"]["team"] = "<img src=x onerror=alert(1)>|**x**".into();
    r["stamp"]["server_url"] = "javascript:alert(1)//".into();
    r["stamp"]["run_url"] = "https://evil.example/acme/rust-workspace/actions/runs/1".into();
    std::fs::write(dir.join("r.json"), r.to_string()).unwrap();
    let a = aggregate::build(
        &Options {
            inputs: vec![dir.join("r.json")],
            now: Some(NOW.to_string()),
            title: "t".to_string(),
            ..Options::default()
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap()
    .aggregate;
    assert!(a
        .projects
        .iter()
        .all(|p| p.links == aggregate::Links::default()));
    let md = aggregate::markdown::render(&a);
    assert!(
        !md.replace("\\<", "").contains("<img"),
        "only escaped: {md}"
    );
    assert!(
        md.contains("\\<img src=x onerror=alert(1)\\>\\|\\*\\*x\\*\\*"),
        "{md}"
    );
    let json = aggregate::json(&a);
    assert!(!json.contains("javascript:") && !json.contains("evil.example"));
    std::fs::remove_dir_all(&dir).unwrap();
}
