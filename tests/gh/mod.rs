//! A simulated GitHub Actions runner for the Action's tests: a local bare "origin", depth-1
//! checkouts made the way `actions/checkout` makes them (`git init`, `git fetch --depth=1
//! origin +SHA:REF`, `git checkout --force REF`), an event JSON file, and the GITHUB_*
//! variables and files a step gets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_testcert");

pub fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("testcert-gh-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A developer's clone (`dev`) and the bare `origin.git` it pushes to.
pub struct Origin {
    pub dev: PathBuf,
    pub bare: PathBuf,
}

impl Origin {
    pub fn new(dir: &Path) -> Origin {
        let dev = dir.join("dev");
        let bare = dir.join("origin.git");
        std::fs::create_dir_all(&dev).unwrap();
        git(dir, &["init", "-q", "--bare", bare.to_str().unwrap()]);
        git(&dev, &["init", "-q", "-b", "main"]);
        git(&dev, &["remote", "add", "origin", &Origin::url_of(&bare)]);
        Origin { dev, bare }
    }

    /// `file://`, so that fetches go through upload-pack and honour `--depth`, as over HTTPS.
    fn url_of(bare: &Path) -> String {
        format!("file://{}", bare.display())
    }

    pub fn url(&self) -> String {
        Origin::url_of(&self.bare)
    }

    /// Writes `files` and commits them on the current branch; returns the commit.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (p, t) in files {
            write(&self.dev, p, t);
        }
        git(&self.dev, &["add", "-A"]);
        git(&self.dev, &["commit", "-qm", message]);
        git(&self.dev, &["rev-parse", "HEAD"])
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.dev, args)
    }

    /// Pushes `src` (a commit or branch) to `dst` (a full ref) on origin.
    pub fn push(&self, src: &str, dst: &str) {
        git(
            &self.dev,
            &["push", "-q", "--force", "origin", &format!("{src}:{dst}")],
        );
    }

    /// The merge commit GitHub makes for `refs/pull/N/merge`: `head` merged into `base`,
    /// first parent `base`. Pushed to `dst`; returns it.
    pub fn merge_commit(&self, base: &str, head: &str, dst: &str) -> String {
        self.git(&["checkout", "-q", "--detach", base]);
        self.git(&["merge", "-q", "--no-ff", "-m", "Merge into base", head]);
        let sha = self.git(&["rev-parse", "HEAD"]);
        self.push(&sha, dst);
        self.git(&["checkout", "-q", "main"]);
        sha
    }
}

/// A checkout as `actions/checkout` makes it with the default `fetch-depth: 1`: `git init`,
/// origin added, the one commit fetched by SHA into `local_ref`, checked out.
pub fn checkout(dir: &Path, url: &str, sha: &str, local_ref: &str) -> PathBuf {
    let ws = dir.join("ws");
    let _ = std::fs::remove_dir_all(&ws);
    std::fs::create_dir_all(&ws).unwrap();
    git(&ws, &["init", "-q"]);
    git(&ws, &["remote", "add", "origin", url]);
    git(
        &ws,
        &[
            "-c",
            "protocol.version=2",
            "fetch",
            "--no-tags",
            "--prune",
            "--no-recurse-submodules",
            "--depth=1",
            "origin",
            &format!("+{sha}:{local_ref}"),
        ],
    );
    git(&ws, &["checkout", "-q", "--force", local_ref]);
    assert_eq!(
        git(&ws, &["rev-parse", "--is-shallow-repository"]),
        "true",
        "a depth-1 checkout"
    );
    ws
}

/// The files and variables of one step.
pub struct Runner {
    pub dir: PathBuf,
}

impl Runner {
    pub fn new(dir: &Path) -> Runner {
        let dir = dir.join("runner");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        Runner { dir }
    }

    pub fn output_file(&self) -> PathBuf {
        self.dir.join("output")
    }

    pub fn summary_file(&self) -> PathBuf {
        self.dir.join("summary.md")
    }

    /// Runs `action/entrypoint.sh` in `ws` for `event` (name, payload JSON) with the real
    /// binary; `inputs` are (`INPUT_…`, value) pairs, `env` more variables.
    pub fn run(
        &self,
        ws: &Path,
        event: (&str, &str),
        inputs: &[(&str, &str)],
        env: &[(&str, &str)],
    ) -> Output {
        let path = self.dir.join("event.json");
        std::fs::write(&path, event.1).unwrap();
        for f in [self.output_file(), self.summary_file()] {
            std::fs::write(f, "").unwrap();
        }
        let sha = git(ws, &["rev-parse", "HEAD"]);
        let mut cmd = Command::new("bash");
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/entrypoint.sh"))
            .current_dir(ws)
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_WORKSPACE", ws)
            .env("GITHUB_EVENT_NAME", event.0)
            .env("GITHUB_EVENT_PATH", &path)
            .env("GITHUB_SHA", &sha)
            .env("GITHUB_REPOSITORY", "acme/widgets")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_STEP_SUMMARY", self.summary_file())
            .env("RUNNER_TEMP", self.dir.join("tmp"))
            .env("TESTCERT_BIN", BIN)
            .env("GIT_TERMINAL_PROMPT", "0");
        for k in [
            "GITHUB_BASE_REF",
            "GITHUB_HEAD_REF",
            "INPUT_BASE",
            "INPUT_ARGS",
            "INPUT_MIN_LEVEL",
            "INPUT_CONFIG",
            "INPUT_BADGES",
            "INPUT_SUMMARY",
            "INPUT_COMPARE_TO",
            "INPUT_COMMENT",
            "INPUT_WORKING_DIRECTORY",
        ] {
            cmd.env_remove(k);
        }
        if event.0.starts_with("pull_request") {
            cmd.env("GITHUB_BASE_REF", "main");
        }
        for (k, v) in inputs.iter().chain(env) {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `key=value` lines of GITHUB_OUTPUT (heredoc values `key<<EOF` … `EOF` included).
    pub fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.output_file()).unwrap();
        let mut out = std::collections::BTreeMap::new();
        let mut lines = text.lines();
        while let Some(l) = lines.next() {
            if let Some((k, delim)) = l.split_once("<<") {
                let mut v = Vec::new();
                for l in lines.by_ref() {
                    if l == delim {
                        break;
                    }
                    v.push(l);
                }
                out.insert(k.to_string(), v.join("\n"));
            } else if let Some((k, v)) = l.split_once('=') {
                out.insert(k.to_string(), v.to_string());
            }
        }
        out
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.summary_file()).unwrap()
    }

    /// The check's JSON result (the `json` output).
    pub fn result(&self) -> serde_json::Value {
        let path = self.outputs()["json"].clone();
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }
}

/// Workflow command lines (`::kind …`) of a step's log.
pub fn commands<'a>(stdout: &'a str, kind: &str) -> Vec<&'a str> {
    let p = format!("::{kind} ");
    let q = format!("::{kind}::");
    stdout
        .lines()
        .filter(|l| l.starts_with(&p) || l.starts_with(&q))
        .collect()
}
