//! The links of a row in aggregate.json: repository, commit and CI run from the stamp, and
//! the result file. A stamp is written by whoever ran the check, so every URL is rebuilt
//! or checked here: only absolute `http(s)` URLs of plain characters on the repository's
//! own server come out, and a hostile stamp (`javascript:`, a quote, another host for the
//! run) gives no link at all rather than a cleaned-up one.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::stamp::Stamp;

/// Where a project's row links to; each null when the stamp does not say (or says
/// something that is not a plain http(s) URL).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Links {
    /// The repository's page (`https://github.com/acme/kv`).
    pub repository: Option<String>,
    /// The commit checked (`…/commit/<sha>`).
    pub commit: Option<String>,
    /// The CI run that made the result (`…/actions/runs/<id>[/attempts/<n>]`).
    pub run: Option<String>,
    /// The result file, relative to the output folder (a relative URL, `/`-separated and
    /// percent-encoded), when `--out` is known.
    pub result: Option<String>,
}

/// `s` when it is an absolute `http://` or `https://` URL without credentials, made of
/// characters that need no escaping anywhere (no quotes, brackets, spaces or controls).
pub(crate) fn http_url(s: &str) -> Option<&str> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&*+,;=%".contains(&b));
    (host_ok && plain && s.len() <= 2048).then_some(s)
}

/// A repository name's path part is linked only when every segment is a plain name
/// (what GitHub and GitLab allow: letters, digits, `-`, `_`, `.`; never `..`).
fn plain_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The links a stamp gives. The repository's page is the stamp's server URL (else
/// `https://` and the name's host) followed by the name's path, and only when the server's
/// host is the name's host; the commit link needs a hexadecimal commit; the run link must
/// lie under the repository's `/actions/runs/`.
pub(crate) fn from_stamp(stamp: &Stamp) -> Links {
    let mut parts = stamp.repository.split('/');
    let host = parts.next().unwrap_or("");
    let path: Vec<&str> = parts.collect();
    let host_like = host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b));
    let server = match stamp.server_url.as_deref() {
        Some(u) => http_url(u).map(|u| u.trim_end_matches('/').to_string()),
        None => host_like.then(|| format!("https://{host}")),
    };
    let repository = server.filter(|server| {
        let server_host = server
            .split_once("://")
            .map_or("", |(_, r)| r.split(['/', ':']).next().unwrap_or(""));
        host_like
            && server_host.eq_ignore_ascii_case(host)
            && path.len() >= 2
            && path.iter().all(|s| plain_segment(s))
    });
    let repository = repository.map(|server| format!("{server}/{}", path.join("/")));
    let commit = match (&repository, stamp.commit.as_deref()) {
        (Some(repo), Some(c))
            if (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Some(format!("{repo}/commit/{c}"))
        }
        _ => None,
    };
    let run = match (&repository, stamp.run_url.as_deref().and_then(http_url)) {
        (Some(repo), Some(run)) => run
            .strip_prefix(repo.as_str())
            .and_then(|r| r.strip_prefix("/actions/runs/"))
            .filter(|r| {
                let mut it = r.split('/');
                let id_ok = it.next().is_some_and(is_number);
                let rest: Vec<&str> = it.collect();
                id_ok
                    && (rest.is_empty()
                        || rest.len() == 2 && rest[0] == "attempts" && is_number(rest[1]))
            })
            .map(|_| run.to_string()),
        _ => None,
    };
    Links {
        repository,
        commit,
        run,
        result: None,
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Result files as relative URLs from one output folder.
pub(crate) struct ResultLinks {
    cwd: PathBuf,
    from: Vec<String>,
}

impl ResultLinks {
    /// Links from the folder `from`; relative paths are taken from `cwd`.
    pub(crate) fn new(from: &Path, cwd: &Path) -> ResultLinks {
        ResultLinks {
            from: absolute(from, cwd),
            cwd: cwd.to_path_buf(),
        }
    }

    /// `file` relative to the folder, as a relative URL. Both are made absolute and
    /// normalised lexically (no file system access: the output folder may not exist yet).
    pub(crate) fn link(&self, file: &Path) -> Option<String> {
        let file = absolute(file, &self.cwd);
        let common = self
            .from
            .iter()
            .zip(&file)
            .take_while(|(a, b)| a == b)
            .count();
        // Different Windows drives: no relative path between them.
        if common == 0 && cfg!(windows) {
            return None;
        }
        let mut parts: Vec<String> = vec!["..".to_string(); self.from.len() - common];
        parts.extend(file[common..].iter().map(|s| percent_encode(s)));
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// `p` joined to `cwd` when relative, as its normal components (`.` dropped, `..` applied).
fn absolute(p: &Path, cwd: &Path) -> Vec<String> {
    let joined: PathBuf = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let mut out: Vec<String> = Vec::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir => {}
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::Prefix(p) => out.push(p.as_os_str().to_string_lossy().into_owned()),
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(repository: &str, server: Option<&str>, run: Option<&str>) -> Stamp {
        Stamp {
            repository: repository.to_string(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
            time: "2025-06-01T00:00:00Z".to_string(),
            server_url: server.map(str::to_string),
            run_url: run.map(str::to_string),
            ..Stamp::default()
        }
    }

    #[test]
    fn links_come_from_the_stamp() {
        let l = from_stamp(&stamp(
            "github.com/acme/kv",
            Some("https://github.com"),
            Some("https://github.com/acme/kv/actions/runs/42/attempts/2"),
        ));
        assert_eq!(l.repository.as_deref(), Some("https://github.com/acme/kv"));
        assert_eq!(
            l.commit.as_deref(),
            Some("https://github.com/acme/kv/commit/0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(
            l.run.as_deref(),
            Some("https://github.com/acme/kv/actions/runs/42/attempts/2")
        );
        // An older stamp without a server: https and the name's host.
        let l = from_stamp(&stamp("gitlab.example.com/g/sub/kv", None, None));
        assert_eq!(
            l.repository.as_deref(),
            Some("https://gitlab.example.com/g/sub/kv")
        );
        assert_eq!(l.run, None);
    }

    #[test]
    fn a_hostile_stamp_gives_no_links() {
        for (repo, server, run) in [
            ("github.com/acme/<script>", Some("https://github.com"), None),
            ("github.com/acme/kv", Some("javascript:alert(1)//"), None),
            ("github.com/acme/kv", Some("https://evil.example"), None),
            ("github.com/acme/kv", Some("https://u:p@github.com"), None),
            (
                "github.com/acme/kv",
                Some("https://github.com\"onmouseover=x"),
                None,
            ),
            ("kv", None, None),
            ("ci/legacy-repo/testcert", None, None),
            ("github.com/../kv", None, None),
        ] {
            let l = from_stamp(&stamp(repo, server, run));
            assert_eq!(l, Links::default(), "{repo} {server:?}");
        }
        for run in [
            "javascript:alert(1)",
            "https://evil.example/acme/kv/actions/runs/1",
            "https://github.com/acme/kv/actions/runs/1\"x",
            "https://github.com/acme/kv/actions/runs/1/../../../x",
            "https://github.com/acme/kvx/actions/runs/1",
        ] {
            let l = from_stamp(&stamp(
                "github.com/acme/kv",
                Some("https://github.com"),
                Some(run),
            ));
            assert!(l.repository.is_some());
            assert_eq!(l.run, None, "{run}");
        }
        let mut s = stamp("github.com/acme/kv", None, None);
        s.commit = Some("HEAD\"><x".to_string());
        assert_eq!(from_stamp(&s).commit, None);
    }

    #[test]
    fn result_links_are_relative_to_the_output_folder() {
        let cwd = Path::new("/w");
        let site = ResultLinks::new(Path::new("site"), cwd);
        assert_eq!(
            site.link(Path::new("results/acme/kv.json")).as_deref(),
            Some("../results/acme/kv.json")
        );
        assert_eq!(
            site.link(Path::new("./site/results/a b#.json")).as_deref(),
            Some("results/a%20b%23.json")
        );
        let out = ResultLinks::new(Path::new("/out/x/../x"), cwd);
        assert_eq!(
            out.link(Path::new("/in/r.json")).as_deref(),
            Some("../../in/r.json")
        );
    }
}
