//! `check --stamp`: which repository, commit and time a result is about, so that
//! `testcert aggregate` can tell many results apart and order them in time. Off by default:
//! the default output stays deterministic.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// What a stamped result is about. The fields after `time` were added later: a result
/// stamped before them reads with them empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// `host/owner/repo` (from `GITHUB_SERVER_URL` + `GITHUB_REPOSITORY`, or the `origin`
    /// remote), `--repo-name` as given, else the directory's name.
    pub repository: String,
    /// The commit checked (`GITHUB_SHA`, else `git rev-parse HEAD`); null outside git.
    pub commit: Option<String>,
    /// When the check ran, RFC 3339 in UTC (`2025-01-31T12:00:00Z`).
    pub time: String,
    /// The forge's address (`GITHUB_SERVER_URL`, `https://github.com`): inside Actions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    /// The CI run that made the result (`…/actions/runs/ID`, `/attempts/N` from the second
    /// attempt on): inside Actions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    /// The `team` key of the repository's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The owners of the whole repository in its CODEOWNERS (the last rule for `*` or `/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codeowners: Vec<String>,
}

/// The stamp of a check of `dir` at `now`. `env` reads the environment.
pub fn stamp(
    dir: &Path,
    repo_name: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Stamp {
    let nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let repository = repo_name
        .map(str::to_string)
        .or_else(|| {
            nonempty("GITHUB_REPOSITORY").map(|r| {
                // The same `host/owner/repo` form a remote gives, so that a result stamped
                // in CI and one stamped on a laptop name the repository alike.
                let host = nonempty("GITHUB_SERVER_URL")
                    .and_then(|u| normalize_remote(&u))
                    .unwrap_or_else(|| "github.com".to_string());
                format!("{host}/{}", r.trim().trim_matches('/'))
            })
        })
        .or_else(|| git(dir, &["remote", "get-url", "origin"]).and_then(|u| normalize_remote(&u)))
        .unwrap_or_else(|| {
            std::fs::canonicalize(dir)
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| dir.to_string_lossy().into_owned())
        });
    let commit = nonempty("GITHUB_SHA").or_else(|| git(dir, &["rev-parse", "HEAD"]));
    let server_url =
        nonempty("GITHUB_SERVER_URL").map(|u| u.trim().trim_end_matches('/').to_string());
    let run_url = match (
        &server_url,
        nonempty("GITHUB_REPOSITORY"),
        nonempty("GITHUB_RUN_ID").filter(|id| is_number(id)),
    ) {
        (Some(server), Some(repo), Some(id)) => {
            let mut url = format!(
                "{server}/{}/actions/runs/{}",
                repo.trim().trim_matches('/'),
                id.trim()
            );
            // The first attempt's URL is the run's own; later attempts have their page.
            if let Some(n) = nonempty("GITHUB_RUN_ATTEMPT").filter(|n| is_number(n)) {
                if n.trim().parse::<u64>().is_ok_and(|n| n > 1) {
                    url.push_str(&format!("/attempts/{}", n.trim()));
                }
            }
            Some(url)
        }
        _ => None,
    };
    Stamp {
        repository,
        commit,
        time: rfc3339(now),
        server_url,
        run_url,
        team: None,
        codeowners: codeowners(dir),
    }
}

fn is_number(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Where GitHub looks for CODEOWNERS, in the order it looks (the first found is used).
const CODEOWNERS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// The owners of the whole repository: those of the last rule whose pattern is `*`, `/`,
/// `/*` or `/**` in the first CODEOWNERS file found (later rules win, as on GitHub). At most
/// 10 owners, each at most 100 characters: a stamp stays small whatever the file says.
pub(crate) fn codeowners(dir: &Path) -> Vec<String> {
    for name in CODEOWNERS {
        // A CODEOWNERS larger than this is not a file GitHub reads either (3 MB limit).
        let Ok(text) = std::fs::read(dir.join(name)) else {
            continue;
        };
        if text.len() > 3 * 1024 * 1024 {
            return Vec::new();
        }
        return root_owners(&String::from_utf8_lossy(&text));
    }
    Vec::new()
}

fn root_owners(text: &str) -> Vec<String> {
    let mut owners = Vec::new();
    for line in text.lines() {
        // `#` starts a comment at the start of a line or after a space (`\#` is a literal).
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else {
            continue;
        };
        if pattern.starts_with('#') {
            continue;
        }
        if matches!(pattern, "*" | "/" | "/*" | "/**" | "**") {
            // A rule without owners un-owns the files: it wins too.
            owners = words
                .filter(|w| w.contains('@'))
                .filter(|w| w.chars().count() <= 100 && !w.chars().any(char::is_control))
                .take(10)
                .map(str::to_string)
                .collect();
        }
    }
    owners
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// A git remote URL as `host/owner/repo`: scheme, credentials, port and `.git` dropped
/// (`git@github.com:o/r.git`, `https://token@github.com/o/r`, `ssh://git@host:22/o/r` all
/// give `host/o/r`). A local path gives its last component.
pub fn normalize_remote(url: &str) -> Option<String> {
    let url = url.trim();
    // A URL's `?query` and `#fragment` can carry tokens (`?access_token=…`): never kept.
    let no_query = |s: &'_ str| -> String { s.split(['?', '#']).next().unwrap_or("").to_string() };
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let rest = no_query(rest);
        let (authority, path) = rest.split_once('/').unwrap_or((&rest, ""));
        (Some(authority.to_string()), path.to_string())
    } else if let Some((authority, path)) = url.split_once(':').filter(|(a, _)| {
        // scp-like `user@host:path`, not a Windows drive letter or a local path.
        a.len() > 1 && !a.contains('/')
    }) {
        (Some(authority.to_string()), no_query(path))
    } else {
        (None, url.to_string())
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_matches('/');
    match host {
        Some(authority) => {
            let host = authority.rsplit('@').next().unwrap_or(&authority);
            // The port goes; an IPv6 literal (`[::1]:8080`) keeps its brackets and colons.
            let host = match host.strip_prefix('[').and_then(|h| h.split_once(']')) {
                Some((v6, _)) => format!("[{v6}]"),
                None => host.split(':').next().unwrap_or(host).to_string(),
            }
            .to_ascii_lowercase();
            if host.is_empty() {
                return path.rsplit('/').next().map(str::to_string);
            }
            Some(if path.is_empty() {
                host
            } else {
                format!("{host}/{path}")
            })
        }
        None => path
            .rsplit(['/', '\\'])
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    }
}

/// `t` as RFC 3339 in UTC with whole seconds.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    format_epoch(secs)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (clamped to years 0000–9999, what the
/// format can say).
pub fn format_epoch(secs: i64) -> String {
    const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let t = time::OffsetDateTime::from_unix_timestamp(secs.clamp(MIN, MAX))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses RFC 3339 (`2025-01-31T12:00:00Z`, fractions and `+hh:mm` offsets allowed) into
/// seconds since the epoch. Strict, by a date library: `yesterday`, `2025-02-31`, a missing
/// offset or a stray character are refused.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_and_parses_times() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // a leap day
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
        assert_eq!(parse_rfc3339("2024-02-29T12:34:56Z"), Some(1_709_210_096));
        assert_eq!(
            parse_rfc3339("2024-02-29T14:34:56.25+02:00"),
            Some(1_709_210_096)
        );
        for s in [0_i64, 951_782_400, 4_102_444_800, 1_234_567_890] {
            assert_eq!(parse_rfc3339(&format_epoch(s)), Some(s));
        }
        for bad in [
            "",
            "yesterday",
            "2024-02-29",
            "2024-13-01T00:00:00Z",
            "2024-02-29T12:34:56",
            "2025-02-29T00:00:00Z",
            "2025-02-31T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:00Zjunk",
            "2025-01-01T00:00:00+25:00",
            "+12025-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn remotes_normalise_to_host_owner_repo() {
        for (url, want) in [
            ("git@github.com:acme/kv.git", "github.com/acme/kv"),
            ("https://github.com/acme/kv.git", "github.com/acme/kv"),
            (
                "https://x-access-token:secret@github.com/acme/kv",
                "github.com/acme/kv",
            ),
            (
                "ssh://git@gitlab.example.com:2222/g/sub/kv.git/",
                "gitlab.example.com/g/sub/kv",
            ),
            ("https://GitHub.com", "github.com"),
            ("/srv/git/kv.git", "kv"),
            (
                "https://github.com/acme/kv.git?access_token=secret#frag",
                "github.com/acme/kv",
            ),
            ("https://github.com?access_token=secret", "github.com"),
            ("https://host.example/o/r#readme", "host.example/o/r"),
            ("git@github.com:acme/kv.git?x=1", "github.com/acme/kv"),
            ("https://[2001:db8::1]:8443/o/r.git", "[2001:db8::1]/o/r"),
            ("ssh://git@[::1]/o/r", "[::1]/o/r"),
            ("https://u:p@[FE80::1]/o/r", "[fe80::1]/o/r"),
        ] {
            assert_eq!(normalize_remote(url).as_deref(), Some(want), "{url}");
        }
    }

    #[test]
    fn stamp_prefers_the_flag_then_the_environment() {
        let env = |k: &str| match k {
            "GITHUB_REPOSITORY" => Some("acme/kv".to_string()),
            "GITHUB_SHA" => Some("abc123".to_string()),
            _ => None,
        };
        let s = stamp(Path::new("."), None, &env, UNIX_EPOCH);
        assert_eq!(s.repository, "github.com/acme/kv");
        assert_eq!(s.commit.as_deref(), Some("abc123"));
        assert_eq!(s.time, "1970-01-01T00:00:00Z");
        let s = stamp(Path::new("."), Some("mine"), &env, UNIX_EPOCH);
        assert_eq!(s.repository, "mine");
        assert_eq!(s.run_url, None, "no server, no run id: no run link");
    }

    #[test]
    fn run_urls_name_the_attempt_from_the_second_on() {
        let env = |attempt: &'static str| {
            move |k: &str| match k {
                "GITHUB_SERVER_URL" => Some("https://github.com/".to_string()),
                "GITHUB_REPOSITORY" => Some("acme/kv".to_string()),
                "GITHUB_RUN_ID" => Some("123456".to_string()),
                "GITHUB_RUN_ATTEMPT" => Some(attempt.to_string()),
                _ => None,
            }
        };
        let s = stamp(Path::new("."), None, &env("1"), UNIX_EPOCH);
        assert_eq!(s.server_url.as_deref(), Some("https://github.com"));
        assert_eq!(
            s.run_url.as_deref(),
            Some("https://github.com/acme/kv/actions/runs/123456")
        );
        let s = stamp(Path::new("."), None, &env("3"), UNIX_EPOCH);
        assert_eq!(
            s.run_url.as_deref(),
            Some("https://github.com/acme/kv/actions/runs/123456/attempts/3")
        );
        let s = stamp(Path::new("."), None, &env("x"), UNIX_EPOCH);
        assert!(s.run_url.unwrap().ends_with("/runs/123456"));
    }

    #[test]
    fn codeowners_of_the_root_are_the_last_rule_for_everything() {
        let text = "# owners\n*       @acme/platform @alice\n/docs/ @acme/writers\n\n* @acme/payments # since May\n";
        assert_eq!(root_owners(text), ["@acme/payments"]);
        assert_eq!(root_owners("/src/ @x\n"), Vec::<String>::new());
        assert_eq!(
            root_owners("* @a\n*\n"),
            Vec::<String>::new(),
            "un-owned again"
        );
        assert_eq!(root_owners("/ dev@example.com\n"), ["dev@example.com"]);
    }
}
