//! The change under review from a GitHub Actions event (`check --event FILE`, the Action's
//! way): what the event says was changed, fetched into the clone when the checkout lacks it.
//!
//! - `pull_request`, `pull_request_target`: on the merge commit `actions/checkout` checks out
//!   (`refs/pull/N/merge`), the diff against its first parent — the base branch as it was
//!   merged with — which is exactly the pull request's own lines. The commit object names its
//!   parents even in a depth-1 clone, so one `git fetch --depth=1` of that parent is all the
//!   history needed. On any other checkout (the head commit, the base branch for
//!   `pull_request_target`): the merge base of HEAD and `pull_request.base.sha`, deepening a
//!   shallow clone a bounded number of times to find it.
//! - `push`: `before..after` as the event names it (`before` fetched when missing); a new
//!   branch (`before` = 000…) against its merge base with the repository's default branch.
//! - `merge_group`: `merge_group.base_sha..head_sha`.
//! - `--base REF` with `--event`: the merge base with REF, fetched when missing.
//!
//! Nothing here is fatal: whatever fails (an unreadable event, no git, no network, no
//! permission to fetch, history too deep), the change falls back to every executable line,
//! and a warning says what happened and how to get the exact change. The check still runs
//! and writes every output.

use std::path::Path;

use serde_json::Value;

use super::{all, diff, first_line, Git};
use crate::evidence::Change;

/// How to get exact results, appended to every fallback warning.
const HINT: &str = "for the change's own lines, check out with `actions/checkout` and \
                    `fetch-depth: 0`, or let the base be fetched: `contents: read` for the job \
                    and, in a private repository, no `persist-credentials: false`";

/// Commits fetched per attempt when a shallow clone lacks a merge base.
const DEEPEN: [u32; 2] = [50, 1000];

/// The change of the working tree at `root` for the event in `event` (`base` from
/// `--base`, if given), and the warnings to show when it had to fall back.
pub(crate) fn change(
    root: &Path,
    event: &Path,
    base: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Change, Vec<String>) {
    let git = Git { root };
    let plan = match read_event(event) {
        // `--base` is the change whatever the event says (or whether it can be read).
        _ if base.is_some() => plan(&git, "", &Value::Null, base),
        Ok(payload) => {
            let name = env("GITHUB_EVENT_NAME")
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| infer_name(&payload).to_string());
            plan(&git, name.trim(), &payload, base)
        }
        Err(e) => Err(e),
    };
    let result = plan.and_then(|p| match p {
        Plan::Nothing(reason) => Ok(Err(reason)),
        p => run(&git, p).map(Ok),
    });
    match result {
        Ok(Ok((change, note))) => (change, note.into_iter().collect()),
        // Nothing to compare with, and nothing went wrong: a note, not a warning.
        Ok(Err(reason)) => (
            all(&format!(
                "{reason}: every executable line counts as changed"
            )),
            Vec::new(),
        ),
        Err(why) => {
            let text = format!("{why}; every executable line counts as changed ({HINT})");
            (all(&text), vec![text])
        }
    }
}

/// What the event asks to compare with.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Diff against this commit as it is: the event names the exact base.
    Direct { label: String, rev: String },
    /// Diff against the merge base of HEAD and `rev`.
    MergeBase { label: String, rev: String },
    /// No change under review (a scheduled run, the first push of the default branch).
    Nothing(String),
}

fn read_event(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the event {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a JSON event payload: {e}", path.display()))
}

/// The event's name from the payload's shape, for when `GITHUB_EVENT_NAME` is not set.
fn infer_name(v: &Value) -> &'static str {
    if v.get("pull_request").is_some() {
        "pull_request"
    } else if v.get("merge_group").is_some() {
        "merge_group"
    } else if v.get("before").is_some() && v.get("after").is_some() {
        "push"
    } else {
        "unknown"
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = v;
    for k in path {
        v = v.get(k)?;
    }
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A commit id from the event: hex of SHA-1 or SHA-256 length (the event is input; a value
/// that is not a commit id must not reach git as an option or a refspec).
fn sha_at(v: &Value, path: &[&str]) -> Result<Option<String>, String> {
    match str_at(v, path) {
        None => Ok(None),
        Some(s) if (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(s.to_ascii_lowercase()))
        }
        Some(s) => Err(format!(
            "the event's {} is {s:?}, not a commit id",
            path.join(".")
        )),
    }
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// A branch name from the event that is safe to fetch (no option, no refspec syntax).
fn branch(name: &str) -> Option<String> {
    let b = name.strip_prefix("refs/heads/").unwrap_or(name);
    let ok = !b.is_empty()
        && !b.starts_with('-')
        && !b.contains("..")
        && !b
            .bytes()
            .any(|c| c.is_ascii_control() || b" ~^:?*[\\".contains(&c));
    ok.then(|| b.to_string())
}

fn plan(git: &Git, name: &str, v: &Value, base: Option<&str>) -> Result<Plan, String> {
    if let Some(b) = base {
        return Ok(Plan::MergeBase {
            label: b.to_string(),
            rev: b.to_string(),
        });
    }
    match name {
        "pull_request" | "pull_request_target" => {
            let base_sha = sha_at(v, &["pull_request", "base", "sha"])?
                .ok_or_else(|| format!("the {name} event has no pull_request.base.sha"))?;
            let head_sha = sha_at(v, &["pull_request", "head", "sha"])?;
            let label = str_at(v, &["pull_request", "base", "ref"])
                .unwrap_or(&base_sha)
                .to_string();
            // The merge commit of `refs/pull/N/merge`: its first parent is the base as merged.
            let parents = parents(git, "HEAD");
            if let [first, second] = parents.as_slice() {
                if *first == base_sha || head_sha.as_deref() == Some(second.as_str()) {
                    return Ok(Plan::Direct {
                        label,
                        rev: first.clone(),
                    });
                }
            }
            Ok(Plan::MergeBase {
                label,
                rev: base_sha,
            })
        }
        "push" => {
            let before = sha_at(v, &["before"])?;
            match before {
                Some(b) if !is_zero(&b) => Ok(Plan::Direct {
                    label: short(&b).to_string(),
                    rev: b,
                }),
                _ => {
                    let pushed = str_at(v, &["ref"]).and_then(branch);
                    let Some(default) =
                        str_at(v, &["repository", "default_branch"]).and_then(branch)
                    else {
                        return Err(
                            "a new branch was pushed and the event names no default branch \
                             to compare it with"
                                .to_string(),
                        );
                    };
                    if pushed.as_deref() == Some(default.as_str()) {
                        return Ok(Plan::Nothing(format!(
                            "the first push of the default branch {default}: nothing to \
                             compare with"
                        )));
                    }
                    Ok(Plan::MergeBase {
                        label: default.clone(),
                        rev: format!("origin/{default}"),
                    })
                }
            }
        }
        "merge_group" => {
            let base_sha = sha_at(v, &["merge_group", "base_sha"])?
                .ok_or_else(|| "the merge_group event has no merge_group.base_sha".to_string())?;
            let label = str_at(v, &["merge_group", "base_ref"])
                .and_then(branch)
                .unwrap_or_else(|| short(&base_sha).to_string());
            Ok(Plan::Direct {
                label,
                rev: base_sha,
            })
        }
        other => Ok(Plan::Nothing(format!(
            "the {other} event has no change under review"
        ))),
    }
}

/// The parents of `rev`, read from the commit object itself: a shallow clone has it even when
/// it lacks the parents.
fn parents(git: &Git, rev: &str) -> Vec<String> {
    let Ok(text) = git.run(&["cat-file", "commit", rev]) else {
        return Vec::new();
    };
    text.lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("parent "))
        .map(|p| p.trim().to_string())
        .collect()
}

fn is_shallow(git: &Git) -> bool {
    git.run(&["rev-parse", "--is-shallow-repository"])
        .is_ok_and(|s| s.trim() == "true")
}

/// The commit `rev` names, fetched from `origin` when the clone lacks it (depth 1 in a
/// shallow clone: only its tree is needed for a direct diff).
fn ensure(git: &Git, rev: &str) -> Result<String, String> {
    if let Some(c) = git.resolve(rev) {
        return Ok(c);
    }
    if rev.starts_with('-') {
        return Err(format!("{rev:?} is not a revision"));
    }
    // `origin/main` is the remote's `main`.
    let remote = rev.strip_prefix("origin/").unwrap_or(rev);
    let mut args = vec!["fetch", "--no-tags", "--quiet", "--no-write-fetch-head"];
    if is_shallow(git) {
        args.push("--depth=1");
    }
    // Into a ref of our own, so that the commit is named and kept until the check is done.
    let spec = format!("+{remote}:refs/testcert/base");
    args.extend(["origin", &spec]);
    git.run(&args).map_err(|e| {
        format!(
            "cannot fetch {rev} from origin ({})",
            first_line(&format!("{e:#}"))
        )
    })?;
    git.resolve("refs/testcert/base")
        .ok_or_else(|| format!("fetched {rev} from origin, but it is not a commit"))
}

/// The merge base of HEAD and `commit`, deepening a shallow clone when it lacks one.
fn merge_base(git: &Git, label: &str, commit: &str) -> Result<String, String> {
    let head = git
        .resolve("HEAD")
        .ok_or("the checkout has no HEAD commit")?;
    let mut fetched = 0;
    for step in std::iter::once(0).chain(DEEPEN) {
        if step > 0 {
            if !is_shallow(git) {
                break;
            }
            let deepen = format!("--deepen={step}");
            if let Err(e) = git.run(&[
                "fetch",
                "--no-tags",
                "--quiet",
                "--no-write-fetch-head",
                &deepen,
                "origin",
                &head,
                commit,
            ]) {
                return Err(format!(
                    "HEAD and {label} have no common ancestor in this shallow clone, and \
                     fetching more history failed ({})",
                    first_line(&format!("{e:#}"))
                ));
            }
            fetched += step;
        }
        if let Ok(mb) = git.run(&["merge-base", "HEAD", commit]) {
            return Ok(mb.trim().to_string());
        }
    }
    Err(if fetched > 0 {
        format!(
            "HEAD and {label} ({}) have no common ancestor within {fetched} more commits of \
             history",
            short(commit)
        )
    } else {
        format!(
            "HEAD and {label} ({}) have no common ancestor",
            short(commit)
        )
    })
}

/// The change, and a warning when it is exact but probably not what was meant.
fn run(git: &Git, plan: Plan) -> Result<(Change, Option<String>), String> {
    git.run(&["rev-parse", "--git-dir"])
        .map_err(|e| first_line(&format!("{e:#}")).to_string())?;
    let mut note = None;
    let (label, base) = match plan {
        Plan::Direct { label, rev } => {
            let c = ensure(git, &rev)?;
            (label, c)
        }
        Plan::MergeBase { label, rev } => {
            let c = ensure(git, &rev)?;
            let mb = merge_base(git, &label, &c)?;
            // HEAD is the base itself (`pull_request_target` checks out the base branch): the
            // change is empty because the pull request's code is not here.
            if git.resolve("HEAD").as_deref() == Some(mb.as_str()) && mb == c {
                note = Some(format!(
                    "the checkout is {label} itself ({}), not the change: nothing counts as \
                     changed. For a pull request's lines, check out its merge commit \
                     (`ref: refs/pull/<number>/merge`) or its head",
                    short(&c)
                ));
            }
            (label, mb)
        }
        Plan::Nothing(reason) => return Err(reason),
    };
    let change = diff(git, label, base).map_err(|e| first_line(&format!("{e:#}")).to_string())?;
    Ok((change, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_from_the_event() {
        let v: Value = serde_json::from_str(
            r#"{"before":"00","after":"ab","pull_request":{"base":{"sha":"--upload-pack=x"}}}"#,
        )
        .unwrap();
        assert_eq!(infer_name(&v), "pull_request");
        assert!(sha_at(&v, &["pull_request", "base", "sha"])
            .unwrap_err()
            .contains("not a commit id"));
        assert_eq!(sha_at(&v, &["nothing"]), Ok(None));
        let v: Value = serde_json::from_str(r#"{"before":"00","after":"ab"}"#).unwrap();
        assert_eq!(infer_name(&v), "push");
        assert_eq!(branch("refs/heads/main").as_deref(), Some("main"));
        assert_eq!(branch("feature/x").as_deref(), Some("feature/x"));
        for bad in ["-x", "a..b", "a:b", "a b", ""] {
            assert_eq!(branch(bad), None, "{bad}");
        }
    }
}
