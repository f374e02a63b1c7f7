//! `check --stamp`: which repository, commit and time a result is about, so that
//! `testcert aggregate` can tell many results apart and order them in time. Off by default:
//! the default output stays deterministic.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// What a stamped result is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// `host/owner/repo` (from `GITHUB_SERVER_URL` + `GITHUB_REPOSITORY`, or the `origin`
    /// remote), `--repo-name` as given, else the directory's name.
    pub repository: String,
    /// The commit checked (`GITHUB_SHA`, else `git rev-parse HEAD`); null outside git.
    pub commit: Option<String>,
    /// When the check ran, RFC 3339 in UTC (`2025-01-31T12:00:00Z`).
    pub time: String,
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
    Stamp {
        repository,
        commit,
        time: rfc3339(now),
    }
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
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        (Some(authority), path)
    } else if let Some((authority, path)) = url.split_once(':').filter(|(a, _)| {
        // scp-like `user@host:path`, not a Windows drive letter or a local path.
        a.len() > 1 && !a.contains('/')
    }) {
        (Some(authority), path)
    } else {
        (None, url)
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_matches('/');
    match host {
        Some(authority) => {
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
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
        .map_or(0, |d| d.as_secs() as i64);
    format_epoch(secs)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_epoch(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses RFC 3339 (`2025-01-31T12:00:00Z`, fractions and `+hh:mm` offsets allowed) into
/// seconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh: i64 = rest[1..3].parse().ok()?;
            let om: i64 = rest[4..6].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

// Howard Hinnant's `days_from_civil` / `civil_from_days` (public domain algorithms).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
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
            "2024-02-29",
            "2024-13-01T00:00:00Z",
            "2024-02-29T12:34:56",
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
    }
}
