//! The change under review: `git diff` against a base revision.
//!
//! The base is, in order: `--base REF` (a branch, tag or commit); the pull/merge request's
//! base from the CI environment (`GITHUB_BASE_REF`, GitLab's
//! `CI_MERGE_REQUEST_DIFF_BASE_SHA`, and the Azure Pipelines, Bitbucket and Buildkite
//! equivalents); else there is none and every executable line counts as changed.
//!
//! The diff base is `git merge-base HEAD <base>`, not the base itself: what landed on the base
//! branch after this branch forked is not part of this change (the three-dot diff a pull
//! request shows). The diff runs against the **working tree**, so uncommitted edits count, and
//! untracked files that `.gitignore` does not exclude count as new files with every line
//! changed: a developer running `testcert check` before `git add` means them to be part of
//! the change. Deleted files are left out (nothing to cover).
//!
//! git is run with `LC_ALL=C`, without pager, colour, external diff drivers or textconv, with
//! explicit `a/`/`b/` prefixes and `--relative` (paths relative to the root even when the root
//! is a subdirectory of the repository), so that user configuration cannot change what we
//! parse.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};

use crate::evidence::{Change, Commit, FileChange};

/// CI variables naming the base *branch* of a pull request: (variable, CI system).
const BRANCH_VARS: [(&str, &str); 4] = [
    ("GITHUB_BASE_REF", "GitHub Actions"),
    ("SYSTEM_PULLREQUEST_TARGETBRANCH", "Azure Pipelines"),
    ("BITBUCKET_PR_DESTINATION_BRANCH", "Bitbucket Pipelines"),
    ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "Buildkite"),
];

/// Where the base came from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Asked {
    /// `--base REF`: failing to resolve it is an error.
    Explicit(String),
    /// From the CI environment: the refs to try in order, the variable, how to fetch it.
    Ci {
        refs: Vec<String>,
        var: &'static str,
        hint: &'static str,
    },
}

/// The change of the working tree at `root` against `base` (or, in CI, the pull request's
/// base); [`Change::All`] when there is no base.
///
/// An explicit `base` that cannot be resolved (or git that cannot run) is an error naming the
/// ref. A base from the CI environment that cannot be resolved gives [`Change::All`] with a
/// reason that says how to make it available (the check still runs, and says so).
pub fn change(
    root: &Path,
    base: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Change> {
    let Some(asked) = asked_base(base, env) else {
        return Ok(all(
            "no base given: every executable line counts as changed",
        ));
    };
    let git = Git { root };
    if let Err(e) = git.run(&["rev-parse", "--git-dir"]) {
        return match asked {
            Asked::Explicit(r) => Err(e.context(format!("cannot diff against --base {r}"))),
            Asked::Ci { var, .. } => Ok(all(&format!(
                "{var} names a base, but {}: every executable line counts as changed",
                first_line(&format!("{e:#}"))
            ))),
        };
    }
    let (base_ref, commit) = match &asked {
        Asked::Explicit(r) => match git.resolve(r) {
            Some(c) => (r.clone(), c),
            None => bail!(
                "--base {r}: no such branch, tag or commit in {} (in a shallow CI clone, fetch \
                 it first, e.g. `git fetch origin {r}`, or check out with full history)",
                root.display()
            ),
        },
        Asked::Ci { refs, var, hint } => match refs.iter().find_map(|r| Some((r, git.resolve(r)?)))
        {
            Some((r, c)) => (r.clone(), c),
            None => {
                return Ok(all(&format!(
                    "{var} names the base {}, but the repository has no such ref ({hint}): \
                     every executable line counts as changed",
                    refs.join(" or ")
                )))
            }
        },
    };
    let merge_base = match git.run(&["merge-base", "HEAD", &commit]) {
        Ok(out) => out.trim().to_string(),
        Err(e) => {
            let why = format!(
                "HEAD and {base_ref} have no common ancestor in this clone (a shallow clone? \
                 fetch the full history, e.g. `git fetch --unshallow`)"
            );
            return match asked {
                Asked::Explicit(_) => Err(e.context(why)),
                Asked::Ci { .. } => Ok(all(&format!(
                    "{why}: every executable line counts as changed"
                ))),
            };
        }
    };
    diff(&git, base_ref, merge_base)
}

/// The change of the working tree against the commit `diff_base` (`base_ref` is what the
/// user or the event named): the changed lines, the untracked files, and the commits of
/// `diff_base..HEAD`.
fn diff(git: &Git, base_ref: String, merge_base: String) -> Result<Change> {
    let root = git.root;
    let diff = git.run(&[
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        "--diff-filter=AMRC",
        "--ignore-submodules=all",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--relative",
        &merge_base,
        "--",
    ])?;
    let mut files = parse_unified_diff(&diff);
    for path in git
        .run(&["ls-files", "-z", "--others", "--exclude-standard"])?
        .split('\0')
        .filter(|p| !p.is_empty())
    {
        if let Some(fc) = untracked(&root.join(path)) {
            files.insert(path.to_string(), fc);
        }
    }
    let log = git.run(&[
        "log",
        "-z",
        "--no-merges",
        "--reverse",
        "--no-color",
        "--find-renames",
        "--relative",
        "--numstat",
        "--format=%x01%H%x00%s",
        &format!("{merge_base}..HEAD"),
        "--",
    ])?;
    Ok(Change::Diff {
        base_ref,
        base_commit: merge_base,
        files,
        commits: parse_log(&log),
    })
}

fn all(reason: &str) -> Change {
    Change::All {
        reason: reason.to_string(),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The base asked for, explicitly or by the CI environment.
fn asked_base(base: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Option<Asked> {
    if let Some(b) = base {
        return Some(Asked::Explicit(b.to_string()));
    }
    let set = |k: &str| {
        env(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    for (var, _system) in BRANCH_VARS {
        if let Some(branch) = set(var) {
            // Azure gives `refs/heads/main`.
            let b = branch
                .strip_prefix("refs/heads/")
                .unwrap_or(&branch)
                .to_string();
            let hint = if var == "GITHUB_BASE_REF" {
                "check out with `actions/checkout` and `fetch-depth: 0`, or run \
                 `git fetch origin <base>` first"
            } else {
                "fetch the target branch first, e.g. `git fetch origin <base>`, and disable \
                 shallow clones"
            };
            return Some(Asked::Ci {
                refs: vec![format!("origin/{b}"), b],
                var,
                hint,
            });
        }
    }
    if let Some(sha) = set("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        return Some(Asked::Ci {
            refs: vec![sha],
            var: "CI_MERGE_REQUEST_DIFF_BASE_SHA",
            hint: "set `GIT_DEPTH: 0` (or a depth that reaches the merge base) in .gitlab-ci.yml",
        });
    }
    None
}

/// Runs git in one repository with a fixed, parse-friendly environment.
struct Git<'a> {
    root: &'a Path,
}

impl Git<'_> {
    fn run(&self, args: &[&str]) -> Result<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.root)
            .arg("--no-pager")
            .args(["-c", "core.quotepath=on", "-c", "color.ui=never"])
            .args(args)
            .env("LC_ALL", "C")
            .env("GIT_PAGER", "cat")
            // Read-only commands must not take the index lock (a concurrent `git` in the
            // user's editor would fail).
            .env("GIT_OPTIONAL_LOCKS", "0")
            // `check --event` fetches: never wait for a password on a runner.
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    anyhow::anyhow!("git is not installed (or not on PATH)")
                } else {
                    anyhow::anyhow!("cannot run git: {e}")
                }
            })?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let err = err.trim();
            let msg = err.strip_prefix("fatal: ").unwrap_or(err);
            bail!(
                "{} is not a usable git repository: `git {}` failed: {}",
                self.root.display(),
                args.first().copied().unwrap_or(""),
                if msg.is_empty() { "no message" } else { msg }
            );
        }
        // Paths are quoted by git (core.quotepath) and subjects are the only free text:
        // a stray invalid byte there must not fail the run.
        Ok(match String::from_utf8(out.stdout) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// The commit `r` names, if any.
    fn resolve(&self, r: &str) -> Option<String> {
        if r.starts_with('-') {
            return None;
        }
        self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{r}^{{commit}}"),
        ])
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    }
}

/// An untracked file as a new file: every line changed, or binary when its first 8000 bytes
/// hold a NUL (git's own test). `None` when it cannot be read (a socket, a race).
fn untracked(path: &Path) -> Option<FileChange> {
    // Streamed: an untracked file may be a large artefact.
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    let (mut newlines, mut last, mut first_chunk) = (0usize, None::<u8>, true);
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        if first_chunk && buf[..n.min(8000)].contains(&0) {
            return Some(FileChange {
                lines: Vec::new(),
                added: true,
                renamed_from: None,
                binary: true,
            });
        }
        first_chunk = false;
        newlines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        last = Some(buf[n - 1]);
    }
    let n = newlines + usize::from(last.is_some_and(|b| b != b'\n'));
    Some(FileChange {
        lines: (1..=n as u32).collect(),
        added: true,
        renamed_from: None,
        binary: false,
    })
}

/// Parses `git log -z --numstat --format=%x01%H%x00%s` output: commits in output order.
fn parse_log(text: &str) -> Vec<Commit> {
    let mut commits = Vec::new();
    for record in text.split('\u{1}').filter(|r| !r.is_empty()) {
        let mut fields = record.split('\0');
        let sha = fields.next().unwrap_or_default().trim().to_string();
        let subject = fields.next().unwrap_or_default().to_string();
        let mut files = BTreeMap::new();
        while let Some(tok) = fields.next() {
            let tok = tok.trim_start_matches('\n');
            if tok.is_empty() {
                continue;
            }
            let mut parts = tok.splitn(3, '\t');
            let (Some(added), Some(_deleted), Some(path)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            // A rename: `added\tdeleted\t` then the old and the new path as fields of their own.
            let path = if path.is_empty() {
                let _old = fields.next();
                fields.next().unwrap_or_default()
            } else {
                path
            };
            if path.is_empty() {
                continue;
            }
            // Binary files count `-`: no lines.
            let n = added.parse::<u64>().unwrap_or(0);
            *files.entry(path.to_string()).or_insert(0) += n;
        }
        if !sha.is_empty() {
            commits.push(Commit {
                sha,
                subject,
                files,
            });
        }
    }
    commits
}

/// One file of a diff while it is parsed.
#[derive(Default)]
struct Pending {
    /// The new path, from `+++`, `rename to`/`copy to`, or the `diff --git` line.
    path: Option<String>,
    header_path: Option<String>,
    deleted: bool,
    added: bool,
    renamed_from: Option<String>,
    copied: bool,
    binary: bool,
    hunk: bool,
    lines: Vec<u32>,
}

impl Pending {
    fn finish(self, out: &mut BTreeMap<String, FileChange>) {
        // Mode-only changes (no hunk, no rename, not added, not binary) change no content.
        if self.deleted || !(self.hunk || self.added || self.binary || self.renamed_from.is_some())
        {
            return;
        }
        let Some(path) = self.path.or(self.header_path) else {
            return;
        };
        let mut lines = self.lines;
        lines.sort_unstable();
        lines.dedup();
        out.insert(
            path,
            FileChange {
                lines,
                // A copy did not exist at the base either; its lines that equal the source
                // are not counted (git shows them as context).
                added: self.added || self.copied,
                renamed_from: if self.copied { None } else { self.renamed_from },
                binary: self.binary,
            },
        );
    }
}

/// Parses `git diff` output (any context size; `-U0` is what [`change`] asks for) into the
/// lines each file adds or modifies, numbered in the new file.
///
/// Handles renames (with and without edits), copies, binary files, mode-only changes (left
/// out: no content changed), deletions (left out), new files, C-quoted paths with octal
/// escapes (`"b/na\303\257ve.rs"`), the tab git puts after names with spaces,
/// `\ No newline at end of file` and CRLF line ends. Hunk bodies are consumed by their
/// counts, so a body line that looks like a header (`+++ x`, `diff --git`) is never taken
/// for one.
///
/// ```
/// let d = testcert::change::parse_unified_diff(
///     "diff --git a/x.rs b/x.rs\n--- a/x.rs\n+++ b/x.rs\n@@ -1,0 +2,2 @@\n+a\n+b\n",
/// );
/// assert_eq!(d["x.rs"].lines, [2, 3]);
/// ```
pub fn parse_unified_diff(text: &str) -> BTreeMap<String, FileChange> {
    let mut out = BTreeMap::new();
    let mut cur: Option<Pending> = None;
    // Lines of the current hunk still to come: (old side, new side).
    let mut remaining = (0u32, 0u32);
    // The new side's next line number. Lines are recorded as the body is read, never from
    // the header's count alone: `@@ -0,0 +1,4000000000 @@` must not allocate 4 billion lines.
    let mut next_new = 0u32;
    fn new_line(cur: &mut Option<Pending>, remaining: &mut (u32, u32), next_new: &mut u32) {
        if remaining.1 > 0 {
            remaining.1 -= 1;
            if let Some(p) = cur.as_mut() {
                p.lines.push(*next_new);
            }
            *next_new = next_new.saturating_add(1);
        }
    }
    // Not the empty piece after the last line break: it is no (context) line.
    for raw in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        if remaining != (0, 0) {
            match raw.as_bytes().first() {
                Some(b'+') => {
                    new_line(&mut cur, &mut remaining, &mut next_new);
                    continue;
                }
                Some(b'-') => {
                    remaining.0 = remaining.0.saturating_sub(1);
                    continue;
                }
                // An empty line in a hunk is a context line whose leading space was lost
                // (some tools strip trailing whitespace).
                Some(b' ') | None => {
                    remaining.0 = remaining.0.saturating_sub(1);
                    new_line(&mut cur, &mut remaining, &mut next_new);
                    continue;
                }
                Some(b'\\') => continue,
                // Anything else ends a hunk whose counts were wrong: read it as a header.
                _ => remaining = (0, 0),
            }
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix("diff --git ") {
            if let Some(p) = cur.take() {
                p.finish(&mut out);
            }
            cur = Some(Pending {
                header_path: header_new_path(rest),
                ..Default::default()
            });
            continue;
        }
        let Some(p) = cur.as_mut() else { continue };
        if let Some(h) = line.strip_prefix("@@ ") {
            if let Some((old, (start, count))) = parse_hunk(h) {
                p.hunk = true;
                next_new = start;
                remaining = (old, count);
            }
        } else if line.starts_with("\\ ") {
            // `\ No newline at end of file` after the last body line.
        } else if let Some(r) = line.strip_prefix("+++ ") {
            match strip_name(r, "b/") {
                Some(path) => p.path = Some(path),
                None => p.deleted = true,
            }
        } else if line.starts_with("--- ") {
            // The old name: `rename from` says it when it matters.
        } else if line.starts_with("deleted file mode ") {
            p.deleted = true;
        } else if line.starts_with("new file mode ") {
            p.added = true;
        } else if let Some(r) = line.strip_prefix("rename from ") {
            p.renamed_from = Some(unquote(r));
        } else if let Some(r) = line.strip_prefix("rename to ") {
            p.path = Some(unquote(r));
        } else if line.starts_with("copy from ") {
            p.copied = true;
        } else if let Some(r) = line.strip_prefix("copy to ") {
            p.copied = true;
            p.path = Some(unquote(r));
        } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
            p.binary = true;
        }
    }
    if let Some(p) = cur {
        p.finish(&mut out);
    }
    out
}

/// `-a,b +c,d ...` → (b, (c, d)); a missing count is 1.
fn parse_hunk(h: &str) -> Option<(u32, (u32, u32))> {
    let mut it = h.split(' ');
    let old = it.next()?.strip_prefix('-')?;
    let new = it.next()?.strip_prefix('+')?;
    let range = |s: &str| -> Option<(u32, u32)> {
        match s.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    Some((range(old)?.1, range(new)?))
}

/// A `---`/`+++` name without its prefix; `None` for `/dev/null`.
fn strip_name(r: &str, prefix: &str) -> Option<String> {
    // Git puts a tab after a name that holds a space.
    let r = r.strip_suffix('\t').unwrap_or(r);
    if r == "/dev/null" {
        return None;
    }
    let name = unquote(r);
    Some(
        name.strip_prefix(prefix)
            .map(str::to_string)
            .unwrap_or(name),
    )
}

/// The new path from `a/x b/y` (for entries without `+++`: binary, pure renames, new empty
/// files). Names with spaces are ambiguous there; an unrenamed file has the same name on
/// both sides, which settles it, and renames have `rename to`.
fn header_new_path(rest: &str) -> Option<String> {
    if rest.starts_with('"') || rest.ends_with('"') {
        // At least one side quoted: take the last token, quoted or not.
        let second = if rest.ends_with('"') {
            let start = last_quoted_start(rest)?;
            unquote(&rest[start..])
        } else {
            rest.rsplit_once(' ')?.1.to_string()
        };
        return second.strip_prefix("b/").map(str::to_string);
    }
    let body = rest.strip_prefix("a/")?;
    // `a/P b/P`: the middle is at (len - 3) / 2.
    if body.len() >= 3 && (body.len() - 3) % 2 == 0 {
        let n = (body.len() - 3) / 2;
        if body.is_char_boundary(n) && body.is_char_boundary(n + 3) {
            let (a, b) = (&body[..n], &body[n + 3..]);
            if &body[n..n + 3] == " b/" && a == b {
                return Some(b.to_string());
            }
        }
    }
    body.rsplit_once(" b/").map(|(_, b)| b.to_string())
}

/// Byte index of the opening quote of the last quoted token.
fn last_quoted_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = b.len().checked_sub(2)?;
    loop {
        if b[i] == b'"' {
            // Count the backslashes before it: an odd number escapes it.
            let slashes = b[..i].iter().rev().take_while(|&&c| c == b'\\').count();
            if slashes % 2 == 0 {
                return Some(i);
            }
        }
        i = i.checked_sub(1)?;
    }
}

/// Undoes git's C-style quoting (`"a\tb\303\251"`); unquoted names come back as they are.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let b = inner.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        i += 2;
        out.push(match c {
            b'a' => 7,
            b'b' => 8,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 11,
            b'f' => 12,
            b'r' => b'\r',
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                let mut k = 0;
                while k < 2 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    k += 1;
                }
                v as u8
            }
            other => other,
        });
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) mod event;

#[cfg(test)]
mod tests;
