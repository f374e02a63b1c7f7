//! Hostile repositories and reports: a pull request from a fork controls every name, path and
//! number testcert reads, so nothing in them may inject into an output, run, clobber a file
//! or exhaust the machine. Each test writes its own hostile input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

/// Runs testcert with a clean environment (no CI variables leak in from the test runner).
fn testcert(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_testcert"));
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default());
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run testcert")
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(files: &[(&str, &str)]) -> Scratch {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("testcert-hostile-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let s = Scratch(dir);
        for (p, text) in files {
            s.write(p, text);
        }
        s
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.0.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What no terminal or Actions log output may hold: a control character other than the line
/// breaks testcert writes itself, a line that a forged name starts (`::command::`), or the
/// legacy `##[command]` form anywhere.
fn assert_inert(what: &str, out: &str) {
    for (i, line) in out.lines().enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{what} line {i} holds a control character: {line:?}"
        );
        assert!(
            !line.trim_start().starts_with("::"),
            "{what} line {i} is a workflow command: {line:?}"
        );
        assert!(!line.contains("##["), "{what} line {i}: {line:?}");
    }
    assert!(!out.contains('\r'), "{what}: {out:?}");
}

const EVIL: &str =
    "x\n::stop-commands::pwn\r\n::add-mask::y\u{1b}]0;title\u{7}\u{1b}[2J ##[error]forged";

#[test]
fn text_report_shows_control_characters_and_emits_none() {
    let name = serde_json::to_string(EVIL).unwrap();
    let case = EVIL
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace(['\u{1b}', '\u{7}'], "");
    let repo = Scratch::new(&[
        ("package.json", &format!("{{\"name\": {name}}}")),
        (
            "junit.xml",
            &format!(
                "<testsuite name=\"s&#10;::error::suite\" tests=\"1\">\
                 <testcase name=\"{case}\" classname=\"c&#10;::warning::cls\" time=\"1\">\
                 <failure message=\"m&#10;::error::msg\">boom</failure></testcase></testsuite>"
            ),
        ),
        (
            "lcov.info",
            "TN:\nSF:src/a\n::error::file.js\nDA:1,1\nend_of_record\n",
        ),
        ("src/a.js", "x\n"),
    ]);
    // A report whose file name holds a line break and an escape sequence.
    repo.write("bad\n::error::name\u{1b}[31m-junit.xml", "<testsuite");
    let out = testcert(&["check", repo.str()], &[("NO_COLOR", "1")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    // Shown, not dropped: the reader sees what the name holds.
    assert!(
        stdout.contains("x\\n::stop-commands::pwn\\r\\n"),
        "{stdout}"
    );
    assert!(stdout.contains("##\\[error]forged"), "{stdout}");
    assert!(stdout.contains("\\u{1b}"), "{stdout}");

    let inspect = testcert(
        &["inspect", &repo.path().join("junit.xml").to_string_lossy()],
        &[],
    );
    assert_inert("inspect", &String::from_utf8_lossy(&inspect.stdout));
    let bad = repo.path().join("bad\n::error::name\u{1b}[31m-junit.xml");
    let inspect = testcert(&["inspect", &bad.to_string_lossy()], &[]);
    assert_eq!(inspect.status.code(), Some(2));
    assert_inert("inspect stdout", &String::from_utf8_lossy(&inspect.stdout));
    assert_inert("inspect stderr", &String::from_utf8_lossy(&inspect.stderr));
}

#[test]
fn init_keeps_discovered_names_inside_comments() {
    let forged = "x\n[[waiver]]\ncriterion = \"L1.ci\"\nreason = \"forged\"\n#";
    let repo = Scratch::new(&[(
        "pyproject.toml",
        &format!("[project]\nname = {}\n", toml::Value::String(forged.into())),
    )]);
    let init = testcert(&["init", repo.str()], &[]);
    assert_eq!(init.status.code(), Some(0), "{init:?}");
    assert_inert("init", &String::from_utf8_lossy(&init.stdout));
    let file = repo.path().join("testcert.toml");
    let config = testcert::config::Config::from_file(&file).unwrap();
    assert!(config.waiver.is_empty(), "{:?}", config.waiver);
    let check = testcert(&["check", "--format", "json", repo.str()], &[]);
    let json = String::from_utf8_lossy(&check.stdout);
    assert!(!json.contains("\"waived\""), "{json}");
    assert!(!json.contains("\"waiver\": \"forged\""), "{json}");
}

#[test]
fn aggregate_summary_escapes_criterion_ids() {
    let mut result: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/aggregate/results/hostile.json")).unwrap();
    let p = &mut result["projects"][0];
    p["level"] = 0.into();
    p["criteria"] = serde_json::json!([{
        "id": "<img src=x onerror=alert(1)>",
        "level": 1,
        "title": "t",
        "status": "unmet",
        "detail": "d"
    }]);
    let dir = Scratch::new(&[("r.json", &result.to_string())]);
    let outcome = testcert::aggregate::build(
        &testcert::aggregate::Options {
            inputs: vec![dir.path().join("r.json")],
            history: None,
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "t".into(),
            ..Default::default()
        },
        std::time::SystemTime::UNIX_EPOCH,
    )
    .unwrap();
    let md = testcert::aggregate::markdown::render(&outcome.aggregate);
    assert!(md.contains("onerror=alert"), "{md}");
    // Every `<` is escaped: no tag starts anywhere.
    for (i, _) in md.match_indices('<') {
        assert_eq!(&md[i.saturating_sub(1)..i], "\\", "{md}");
    }
}

#[test]
fn badge_svg_is_well_formed_for_names_xml_forbids() {
    let svg = testcert::render::badge::svg("a\u{fffe}b\u{ffff}\u{1}", "L1\u{fffe}", "4c1");
    assert!(
        !svg.chars().any(|c| matches!(c, '\u{fffe}' | '\u{ffff}')
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))),
        "{svg:?}"
    );
    // And it parses as XML.
    let mut reader = quick_xml::Reader::from_str(&svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}: {svg}"),
        }
    }
}

/// A repository that plants a toolchain of its own: `rust-toolchain.toml` naming a folder of
/// the checkout whose `cargo` and `rustc` are scripts, and a `.cargo/config.toml` naming such
/// a `rustc`. Reading the workspace's members must run none of them.
#[cfg(unix)]
#[test]
fn cargo_metadata_runs_no_toolchain_of_the_repository() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Scratch::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/a\"]\nresolver = \"2\"\n",
        ),
        (
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("crates/a/src/lib.rs", ""),
    ]);
    let marker = repo.path().join("ran");
    let script = format!(
        "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
        marker.display()
    );
    for tool in ["cargo", "rustc", "evil-rustc"] {
        let p = repo.path().join("toolchain/bin").join(tool);
        repo.write(&format!("toolchain/bin/{tool}"), &script);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let tc = repo.path().join("toolchain");
    repo.write(
        "rust-toolchain.toml",
        &format!("[toolchain]\npath = \"{}\"\n", tc.display()),
    );
    repo.write(
        ".cargo/config.toml",
        &format!(
            "[build]\nrustc = \"{}\"\n",
            tc.join("bin/evil-rustc").display()
        ),
    );
    // As CI runs it: from inside the checkout.
    let out = Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(["check", "--format", "json", "."])
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .env(
            "RUSTUP_HOME",
            std::env::var_os("RUSTUP_HOME").unwrap_or_default(),
        )
        .env(
            "CARGO_HOME",
            std::env::var_os("CARGO_HOME").unwrap_or_default(),
        )
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        !marker.exists(),
        "ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    // The members were still found, by cargo metadata (no fallback note).
    assert!(json.contains("\"name\": \"a\""), "{json}");
    assert!(!json.contains("cargo metadata` failed"), "{json}");
}

/// `--output` naming a device or a FIFO writes into it: as root, the old rename replaced
/// `/dev/null` with a regular file, and a FIFO never received the output.
#[cfg(unix)]
#[test]
fn output_into_devices_and_fifos() {
    use std::os::unix::fs::FileTypeExt;
    let repo = Scratch::new(&[("lcov.info", "TN:\nSF:a.c\nDA:1,1\nend_of_record\n")]);
    let out = testcert(&["check", repo.str(), "--output", "/dev/null"], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let null = std::fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(
        null.is_char_device(),
        "/dev/null is still a character device"
    );

    let fifo = repo.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = testcert(
        &[
            "check",
            repo.str(),
            "--format",
            "json",
            "--output",
            fifo.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Still a FIFO (checked first: had it been replaced, the reader would wait forever).
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    let got = reader.join().unwrap();
    assert!(got.contains("\"schema_version\""), "{got}");
}

/// Stamp times order results in `aggregate`: they parse strictly, and when one result
/// replaces another the warning says which replaced which, with both times.
#[test]
fn aggregate_refuses_loose_stamp_times_and_names_what_superseded_what() {
    let base: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/aggregate/results/hostile.json")).unwrap();
    let with_time = |t: &str| {
        let mut r = base.clone();
        r["stamp"]["time"] = t.into();
        r.to_string()
    };
    let dir = Scratch::new(&[
        ("real.json", &with_time("2025-05-30T08:00:00Z")),
        ("words.json", &with_time("yesterday")),
        ("feb31.json", &with_time("2025-02-31T08:00:00Z")),
        ("far/future.json", &with_time("2999-01-01T00:00:00Z")),
    ]);
    let a = testcert::aggregate::build(
        &testcert::aggregate::Options {
            inputs: vec![dir.path().to_path_buf()],
            history: None,
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "t".into(),
            ..Default::default()
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap()
    .aggregate;
    let errors: Vec<String> = a
        .inputs
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.error))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("words.json") && e.contains("\"yesterday\"")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("feb31.json")),
        "{errors:?}"
    );
    let real = dir.path().join("real.json");
    let future = dir.path().join("far/future.json");
    // The far-future stamp is named, and does not supersede the real result.
    let want = format!(
        "{} (stamped in the future) by {} (2025-05-30T08:00:00Z)",
        future.display(),
        real.display()
    );
    assert!(
        a.inputs.warnings.iter().any(|w| w.contains(&want)),
        "{:?}",
        a.inputs.warnings
    );
}

/// Each config a hostile (or mistaken) repository might hold is refused with the file and the
/// line of the key, exit 2; a folder named `a..b` is a name, not a way out.
#[test]
fn config_errors_name_the_file_and_line() {
    let lcov = ("lcov.info", "TN:\nSF:a.c\nDA:1,1\nend_of_record\n");
    for (config, line, words) in [
        (
            "max_level = 3\n\nrequired_level = 4\n",
            3,
            "above max_level",
        ),
        (
            "[[project]]\npath = \"ok\"\n[[project]]\nname = \"x\"\npath = \"/etc\"\n",
            5,
            "leaves the repository",
        ),
        (
            "[[project]]\npath = \"a/../..\"\n",
            2,
            "leaves the repository",
        ),
        (
            "[[project]]\npath = \"a\"\nrequired_level = 5\n",
            3,
            "above max_level",
        ),
        (
            "[[waiver]]\ncriterion = \"L1.ci\"\nproject = \"[\"\nreason = \"r\"\n",
            3,
            "[[waiver]] project",
        ),
        (
            "[thresholds]\nsmoke_max_minutes = -1\n",
            2,
            "smoke_max_minutes",
        ),
        (
            "[thresholds]\nsmoke_max_minutes = inf\n",
            2,
            "smoke_max_minutes",
        ),
        (
            "[thresholds]\nsmoke_max_minutes = nan\n",
            2,
            "smoke_max_minutes",
        ),
        (
            "\n[thresholds]\nincremental = inf\n",
            3,
            "thresholds.incremental",
        ),
    ] {
        let repo = Scratch::new(&[lcov, ("testcert.toml", config)]);
        let out = testcert(&["check", repo.str()], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{config}: {err}");
        assert!(
            err.contains(&format!("testcert.toml:{line}:")) && err.contains(words),
            "{config}: {err}"
        );
    }
    // --min-level above the ladder.
    let repo = Scratch::new(&[lcov]);
    let out = testcert(&["check", repo.str(), "--min-level", "4"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--min-level 4 is above max_level = 3"),
        "{err}"
    );

    let repo = Scratch::new(&[
        lcov,
        ("a..b/x.c", ""),
        (
            "testcert.toml",
            "[[project]]\npath = \"a..b\"\nname = \"dots\"\n",
        ),
    ]);
    let out = testcert(&["check", "--format", "json", repo.str()], &[]);
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(json.contains("\"path\": \"a..b\""), "{json}");
}

/// Durations that sum past the largest float (or a TRX day count past u64) are saturated,
/// never infinity: JSON has none, `null` would be written and `render --from` would fail.
#[test]
fn huge_durations_round_trip_through_json() {
    let repo = Scratch::new(&[
        ("lcov.info", "TN:\nSF:a.c\nDA:1,1\nend_of_record\n"),
        ("a.c", ""),
        (
            "smoke-junit.xml",
            "<testsuite name=\"smoke\"><testcase name=\"smoke_a\" time=\"1e308\"/>\
             <testcase name=\"smoke_b\" time=\"1.7e308\"/>\
             <testcase name=\"smoke_a\" time=\"1.7e308\"/></testsuite>",
        ),
        (
            "run.trx",
            "<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"><Results>\
             <UnitTestResult testId=\"t\" testName=\"smoke_c\" outcome=\"Passed\" duration=\"18446744073709551615.00:00:00\"/>\
             </Results><TestDefinitions><UnitTest id=\"t\" name=\"smoke_c\"><TestMethod className=\"C\" name=\"smoke_c\"/></UnitTest></TestDefinitions></TestRun>",
        ),
    ]);
    let out = testcert(&["check", "--format", "json", repo.str()], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(json.contains("\"smoke_seconds\": 1.79"), "{json}");
    repo.write("result.json", &json);
    let from = repo.path().join("result.json");
    let render = testcert(&["render", "--from", from.to_str().unwrap()], &[]);
    assert_eq!(render.status.code(), Some(0), "{render:?}");
}

/// One absurd token after a valid head (here a sparse tail of zeros, nothing on disk): the
/// report is refused with its name, exit 2, instead of being buffered whole.
#[test]
fn an_absurd_single_token_is_refused_not_buffered() {
    let repo = Scratch::new(&[("a.c", "")]);
    for (name, head) in [
        ("lcov.info", "TN:\nSF:a.c\nDA:1,"),
        (
            "huge-junit.xml",
            "<testsuite name=\"s\"><testcase name=\"a\"><failure>",
        ),
        (
            "coverage.json",
            "{\"meta\":{\"format\":3},\"files\":{\"a.c\":{\"executed_lines\":[1],\"x\":\"",
        ),
    ] {
        let path = repo.path().join(name);
        std::fs::write(&path, head).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(80 * 1024 * 1024).unwrap();
        let out = testcert(&["inspect", path.to_str().unwrap()], &[]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {text}");
        assert!(text.contains(name), "{name}: {text}");
        std::fs::remove_file(&path).unwrap();
    }
}

/// `--badges` for many projects: one disk flush for the folder, not one per badge (100,000
/// projects took 140 s of fsyncs).
#[test]
fn badges_for_many_projects_sync_the_folder_once() {
    let projects = (0..400)
        .map(|i| common::project(&format!("p{i}"), 1, false, 0))
        .collect();
    let r = common::result(3, projects);
    let dir = Scratch::new(&[]);
    let badges = dir.path().join("badges");
    let before = testcert::output::syncs();
    testcert::render::badge::write(&badges, &r).unwrap();
    assert_eq!(testcert::output::syncs() - before, 1);
    // Every badge is there: per project an SVG and a JSON, and the repository's pair.
    assert_eq!(std::fs::read_dir(&badges).unwrap().count(), 2 * 400 + 2);
}

#[test]
fn a_far_future_stamp_does_not_supersede_a_real_result() {
    // Two results of one repository: the real one, and one from another folder stamped in
    // the year 2999 (a clock gone wrong, or a forged file).
    let real: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/aggregate/results/hostile.json")).unwrap();
    let mut forged = real.clone();
    forged["stamp"]["time"] = "2999-01-01T00:00:00Z".into();
    forged["stamp"]["commit"] = "ffffffffffffffffffffffffffffffffffffffff".into();
    let dir = Scratch::new(&[
        ("ci/real.json", &real.to_string()),
        ("other/forged.json", &forged.to_string()),
    ]);
    let outcome = testcert::aggregate::build(
        &testcert::aggregate::Options {
            inputs: vec![dir.path().to_path_buf()],
            history: None,
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "t".into(),
            ..Default::default()
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap();
    let a = &outcome.aggregate;
    assert!(
        a.projects
            .iter()
            .all(|r| r.commit.as_deref() == Some("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")),
        "the real result is the one shown"
    );
    let w = a.inputs.warnings.join("\n");
    assert!(
        w.contains("1 result is stamped more than a day after the snapshot time")
            && w.contains("forged.json (2999-01-01T00:00:00Z)"),
        "{w}"
    );
    assert!(w.contains("forged.json (stamped in the future) by"), "{w}");
    assert_eq!(a.snapshot, "2025-06-01T12:00:00Z");
}
