use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn fc(lines: &[u32]) -> FileChange {
    FileChange {
        lines: lines.to_vec(),
        added: false,
        renamed_from: None,
        binary: false,
    }
}

/// Found by the `unified_diff` fuzz target: a hunk header claiming four billion new lines
/// allocated them all before reading the body (out of memory). Lines come from the body.
#[test]
fn a_hunk_header_count_is_not_trusted_for_memory() {
    let d = parse_unified_diff(
        "diff --git a/x.rs b/x.rs\n--- /dev/null\n+++ b/x.rs\n@@ -0,0 +1,4000000000 @@\n+a\n+b\n",
    );
    assert_eq!(d["x.rs"].lines, [1, 2]);
    // A hunk whose counts were right still gives every new-side line, context included.
    let d = parse_unified_diff(
        "diff --git a/y.rs b/y.rs\n--- a/y.rs\n+++ b/y.rs\n@@ -4,3 +4,4 @@\n ctx\n-old\n+new\n+more\n ctx\n",
    );
    assert_eq!(d["y.rs"].lines, [4, 5, 6, 7]);
}

#[test]
fn hunks_give_new_side_lines() {
    let d = parse_unified_diff(
        "diff --git a/src/a.rs b/src/a.rs\n\
         index 1..2 100644\n\
         --- a/src/a.rs\n\
         +++ b/src/a.rs\n\
         @@ -3 +3 @@ fn x()\n\
         -old\n\
         +new\n\
         @@ -10,2 +9,0 @@\n\
         -gone\n\
         -gone\n\
         @@ -20,0 +19,3 @@\n\
         +a\n\
         +b\n\
         +c\n",
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d["src/a.rs"], fc(&[3, 19, 20, 21]));
}

#[test]
fn body_lines_that_look_like_headers_are_body() {
    // With counts honoured, `+++ b/evil` and `+diff --git` inside a hunk are content.
    let d = parse_unified_diff(
        "diff --git a/x.md b/x.md\n\
         --- a/x.md\n\
         +++ b/x.md\n\
         @@ -1,2 +1,3 @@\n\
         --- a/old\n\
         -diff --git a/q b/q\n\
         ++++ b/evil\n\
         +diff --git a/z b/z\n\
         +@@ -1 +1 @@\n",
    );
    assert_eq!(d.keys().collect::<Vec<_>>(), ["x.md"]);
    assert_eq!(d["x.md"].lines, [1, 2, 3]);
}

#[test]
fn renames_with_and_without_edits() {
    let d = parse_unified_diff(
        "diff --git a/old.rs b/new.rs\n\
         similarity index 100%\n\
         rename from old.rs\n\
         rename to new.rs\n\
         diff --git a/a b.txt b/c d.txt\n\
         similarity index 66%\n\
         rename from a b.txt\n\
         rename to c d.txt\n\
         index 422c2b7..de98044 100644\n\
         --- a/a b.txt\t\n\
         +++ b/c d.txt\t\n\
         @@ -2,0 +3 @@ b\n\
         +c\n",
    );
    assert_eq!(
        d["new.rs"],
        FileChange {
            renamed_from: Some("old.rs".into()),
            ..fc(&[])
        }
    );
    assert_eq!(
        d["c d.txt"],
        FileChange {
            renamed_from: Some("a b.txt".into()),
            ..fc(&[3])
        }
    );
    assert_eq!(d.len(), 2);
}

#[test]
fn binary_mode_only_deleted_and_new_files() {
    let d = parse_unified_diff(
        "diff --git a/img.png b/img.png\n\
         new file mode 100644\n\
         index 0000000..bdc955b\n\
         Binary files /dev/null and b/img.png differ\n\
         diff --git a/run.sh b/run.sh\n\
         old mode 100644\n\
         new mode 100755\n\
         diff --git a/gone.rs b/gone.rs\n\
         deleted file mode 100644\n\
         index 1..0\n\
         --- a/gone.rs\n\
         +++ /dev/null\n\
         @@ -1,2 +0,0 @@\n\
         -a\n\
         -b\n\
         diff --git a/empty b/empty\n\
         new file mode 100644\n\
         index 0000000..e69de29\n\
         diff --git a/data.bin b/data.bin\n\
         index 1..2 100644\n\
         GIT binary patch\n\
         literal 2\n\
         Jc${NkU;qFB0RR91\n\
         \n\
         diff --git a/new.py b/new.py\n\
         new file mode 100644\n\
         --- /dev/null\n\
         +++ b/new.py\n\
         @@ -0,0 +1,2 @@\n\
         +x = 1\n\
         +y = 2\n",
    );
    assert_eq!(
        d.keys().collect::<Vec<_>>(),
        ["data.bin", "empty", "img.png", "new.py"]
    );
    assert_eq!(
        d["img.png"],
        FileChange {
            added: true,
            binary: true,
            ..fc(&[])
        }
    );
    assert!(d["data.bin"].binary && !d["data.bin"].added);
    assert!(d["empty"].added && d["empty"].lines.is_empty());
    assert_eq!(
        d["new.py"],
        FileChange {
            added: true,
            ..fc(&[1, 2])
        }
    );
}

#[test]
fn quoted_paths_with_octal_escapes() {
    let d = parse_unified_diff(
        "diff --git \"a/na\\303\\257ve.rs\" \"b/na\\303\\257ve.rs\"\n\
         index 587be6b..b77b4eb 100644\n\
         --- \"a/na\\303\\257ve.rs\"\n\
         +++ \"b/na\\303\\257ve.rs\"\n\
         @@ -1,0 +2 @@ x\n\
         +y\n\
         diff --git \"a/tab\\there.bin\" \"b/tab\\there.bin\"\n\
         Binary files \"a/tab\\there.bin\" and \"b/tab\\there.bin\" differ\n\
         diff --git a/x \"b/q\\\"uote\\\\d\"\n\
         rename from x\n\
         rename to \"q\\\"uote\\\\d\"\n",
    );
    assert_eq!(d["naïve.rs"].lines, [2]);
    assert!(d["tab\there.bin"].binary);
    assert_eq!(d["q\"uote\\d"].renamed_from.as_deref(), Some("x"));
    assert_eq!(
        unquote("\"\\a\\b\\v\\f\\r\\n\\101\""),
        "\u{7}\u{8}\u{b}\u{c}\r\nA"
    );
}

#[test]
fn no_newline_marker_and_crlf() {
    let d = parse_unified_diff(
        "diff --git a/w.txt b/w.txt\r\n\
         --- a/w.txt\r\n\
         +++ b/w.txt\r\n\
         @@ -1 +1,2 @@\r\n\
         -a\r\n\
         \\ No newline at end of file\r\n\
         +a\r\n\
         +b\r\n\
         \\ No newline at end of file\r\n\
         diff --git a/v.txt b/v.txt\r\n\
         --- a/v.txt\r\n\
         +++ b/v.txt\r\n\
         @@ -4,0 +5 @@\r\n\
         +z\r\n",
    );
    assert_eq!(d["w.txt"].lines, [1, 2]);
    assert_eq!(d["v.txt"].lines, [5]);
    assert_eq!(d.len(), 2);
}

#[test]
fn header_paths_with_spaces() {
    assert_eq!(header_new_path("a/x y b/x y").as_deref(), Some("x y"));
    assert_eq!(header_new_path("a/b/c b/b/c").as_deref(), Some("b/c"));
    assert_eq!(header_new_path("a/p q b/r s").as_deref(), Some("r s"));
    assert_eq!(
        header_new_path("\"a/\\303\\251\" \"b/\\303\\251\"").as_deref(),
        Some("é")
    );
}

#[test]
fn log_with_renames_binaries_and_empty_commits() {
    let log =
        "\u{1}aaa\0fix: two\0\n-\t-\tbin.dat\x001\t0\t\0a b.txt\0c d.txt\x001\t0\tna\u{ef}ve.rs\0\
               \u{1}bbb\0empty\0\u{1}ccc\0z\0\n3\t0\tz\0";
    let c = parse_log(log);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].sha, "aaa");
    assert_eq!(c[0].subject, "fix: two");
    assert_eq!(
        c[0].files.iter().collect::<Vec<_>>(),
        [
            (&"bin.dat".to_string(), &0),
            (&"c d.txt".to_string(), &1),
            (&"na\u{ef}ve.rs".to_string(), &1)
        ]
    );
    assert!(c[1].files.is_empty());
    assert_eq!(c[2].files["z"], 3);
}

// ---- end to end, on a repository made here -------------------------------------------

fn tempdir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("testcert-change-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// main: a.rs, keep.rs, old_name.rs, doomed.rs, .gitignore; feature branch (forked) renames,
/// edits, adds a binary, deletes; main moves on after the fork; then uncommitted edits and an
/// untracked file.
fn sample_repo() -> PathBuf {
    let d = tempdir("e2e");
    git(&d, &["init", "-q"]);
    let numbered = |n: u32| (1..=n).map(|i| format!("line {i}\n")).collect::<String>();
    write(&d, "a.rs", numbered(10).as_bytes());
    write(&d, "keep.rs", b"k\n");
    write(&d, "old_name.rs", numbered(20).as_bytes());
    write(&d, "doomed.rs", b"bye\n");
    write(&d, ".gitignore", b"ignored/\n");
    git(&d, &["add", "-A"]);
    git(&d, &["commit", "-qm", "initial"]);
    git(&d, &["checkout", "-qb", "feature"]);
    // a.rs: line 3 modified, two lines appended.
    let mut a = numbered(10).replace("line 3\n", "line three\n");
    a.push_str("new 11\nnew 12\n");
    write(&d, "a.rs", a.as_bytes());
    git(&d, &["mv", "old_name.rs", "new name.rs"]);
    write(
        &d,
        "new name.rs",
        numbered(20).replace("line 5\n", "line five\n").as_bytes(),
    );
    write(&d, "logo.png", b"\x89PNG\0\x01\x02");
    git(&d, &["rm", "-q", "doomed.rs"]);
    git(&d, &["add", "-A"]);
    git(&d, &["commit", "-qm", "Fix the parser for renamed files"]);
    write(&d, "tests/a_test.rs", b"#[test]\nfn t() {}\n");
    git(&d, &["add", "-A"]);
    git(&d, &["commit", "-qm", "add a test"]);
    // main moves on: not part of our change.
    git(&d, &["checkout", "-q", "main"]);
    write(&d, "keep.rs", b"k\nmain only\n");
    git(&d, &["commit", "-qam", "main work"]);
    git(&d, &["checkout", "-q", "feature"]);
    // Uncommitted: an edit, an untracked file, an ignored file.
    write(&d, "keep.rs", b"K\n");
    write(&d, "src/untracked.rs", b"one\ntwo\nthree");
    write(&d, "ignored/junk.rs", b"junk\n");
    d
}

#[test]
fn change_end_to_end() {
    let d = sample_repo();
    let c = change(&d, Some("main"), &no_env).unwrap();
    let Change::Diff {
        base_ref,
        base_commit,
        files,
        commits,
    } = c
    else {
        panic!("expected a diff, got {c:?}")
    };
    assert_eq!(base_ref, "main");
    // The merge base (the fork point), not main's tip.
    assert_eq!(base_commit, git(&d, &["rev-parse", "feature~2"]).trim());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "a.rs",
            "keep.rs",
            "logo.png",
            "new name.rs",
            "src/untracked.rs",
            "tests/a_test.rs"
        ]
    );
    assert_eq!(files["a.rs"], fc(&[3, 11, 12]));
    // Uncommitted edit of the working tree; main's own edit of keep.rs is not ours.
    assert_eq!(files["keep.rs"], fc(&[1]));
    assert_eq!(
        files["logo.png"],
        FileChange {
            added: true,
            binary: true,
            ..fc(&[])
        }
    );
    assert_eq!(
        files["new name.rs"],
        FileChange {
            renamed_from: Some("old_name.rs".into()),
            ..fc(&[5])
        }
    );
    assert_eq!(
        files["src/untracked.rs"],
        FileChange {
            added: true,
            ..fc(&[1, 2, 3])
        }
    );
    assert!(files["tests/a_test.rs"].added);
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0].subject, "Fix the parser for renamed files");
    assert_eq!(
        commits[0].files.keys().collect::<Vec<_>>(),
        ["a.rs", "doomed.rs", "logo.png", "new name.rs"]
    );
    // Touched paths include deletions, with no lines.
    assert_eq!(commits[0].files["doomed.rs"], 0);
    assert_eq!(commits[0].files["a.rs"], 3);
    assert_eq!(commits[0].files["logo.png"], 0);
    assert_eq!(commits[1].files["tests/a_test.rs"], 2);
    assert_eq!(commits[1].sha, git(&d, &["rev-parse", "HEAD"]).trim());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn base_from_the_ci_environment() {
    let d = sample_repo();
    // GitHub: origin/<ref> is missing here, `<ref>` itself is found.
    let gh = |k: &str| (k == "GITHUB_BASE_REF").then(|| "main".to_string());
    match change(&d, None, &gh).unwrap() {
        Change::Diff { base_ref, .. } => assert_eq!(base_ref, "main"),
        c => panic!("{c:?}"),
    }
    // origin/<ref> wins when it exists.
    git(&d, &["update-ref", "refs/remotes/origin/main", "feature~1"]);
    match change(&d, None, &gh).unwrap() {
        Change::Diff {
            base_ref, files, ..
        } => {
            assert_eq!(base_ref, "origin/main");
            assert!(!files.contains_key("a.rs"));
        }
        c => panic!("{c:?}"),
    }
    // A base branch this clone lacks: all lines, and how to fetch it.
    let missing = |k: &str| (k == "GITHUB_BASE_REF").then(|| "release".to_string());
    match change(&d, None, &missing).unwrap() {
        Change::All { reason } => {
            assert!(reason.contains("origin/release or release"), "{reason}");
            assert!(reason.contains("fetch-depth: 0"), "{reason}");
        }
        c => panic!("{c:?}"),
    }
    // GitLab gives a commit.
    let sha = git(&d, &["rev-parse", "main"]).trim().to_string();
    let gl = move |k: &str| (k == "CI_MERGE_REQUEST_DIFF_BASE_SHA").then(|| sha.clone());
    assert!(matches!(
        change(&d, None, &gl).unwrap(),
        Change::Diff { .. }
    ));
    // An empty GITHUB_BASE_REF (push builds) is no base.
    let empty = |k: &str| (k == "GITHUB_BASE_REF").then(String::new);
    match change(&d, None, &empty).unwrap() {
        Change::All { reason } => assert!(reason.starts_with("no base given"), "{reason}"),
        c => panic!("{c:?}"),
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn no_base_no_repository_and_bad_refs() {
    let d = tempdir("plain");
    match change(&d, None, &no_env).unwrap() {
        Change::All { reason } => assert_eq!(
            reason,
            "no base given: every executable line counts as changed"
        ),
        c => panic!("{c:?}"),
    }
    // Not a repository: an explicit base is an error naming it; a CI base falls back.
    let e = format!("{:#}", change(&d, Some("main"), &no_env).unwrap_err());
    assert!(e.contains("--base main") && e.contains("git"), "{e}");
    let gh = |k: &str| (k == "GITHUB_BASE_REF").then(|| "main".to_string());
    assert!(matches!(change(&d, None, &gh).unwrap(), Change::All { .. }));
    let _ = std::fs::remove_dir_all(&d);

    let r = sample_repo();
    let e = format!(
        "{:#}",
        change(&r, Some("no-such-branch"), &no_env).unwrap_err()
    );
    assert!(e.contains("--base no-such-branch"), "{e}");
    let e = format!("{:#}", change(&r, Some("--output=x"), &no_env).unwrap_err());
    assert!(e.contains("--base --output=x"), "{e}");
    let _ = std::fs::remove_dir_all(&r);
}
