//! Hostile repositories and reports: a pull request from a fork controls every name, path and
//! number testcert reads, so nothing in them may inject into an output, run, clobber a file
//! or exhaust the machine. Each test writes its own hostile input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    let got = reader.join().unwrap();
    assert!(got.contains("\"schema_version\""), "{got}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}
