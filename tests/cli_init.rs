//! `testcert init` as a user runs it: writes, says where, refuses to overwrite (exit 2)
//! unless `--force`, and the file it writes is a valid config.

use std::process::{Command, Output};

fn testcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testcert"))
        .args(args)
        .output()
        .expect("run testcert")
}

#[test]
fn init_writes_refuses_and_forces() {
    let dir = std::env::temp_dir().join(format!("testcert-cli-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("coverage")).unwrap();
    std::fs::write(
        dir.join("coverage/lcov.info"),
        "TN:\nSF:a.c\nDA:1,1\nend_of_record\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let file = dir.join("testcert.toml");

    let first = testcert(&["init", d]);
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(first.status.code(), Some(0), "{out}");
    assert!(
        out.starts_with("wrote ") && out.contains("testcert.toml"),
        "{out}"
    );
    assert!(out.contains("1 report file"), "{out}");
    testcert::config::Config::from_file(&file).unwrap();

    std::fs::write(&file, "required_level = 1\n").unwrap();
    let again = testcert(&["init", d]);
    let err = String::from_utf8_lossy(&again.stderr).into_owned();
    assert_eq!(again.status.code(), Some(testcert::exit::ERROR), "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "required_level = 1\n"
    );

    let forced = testcert(&["init", "--force", d]);
    assert_eq!(forced.status.code(), Some(0));
    let c = testcert::config::Config::from_file(&file).unwrap();
    assert_eq!(c.required_level, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
