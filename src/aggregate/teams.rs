//! Owners and teams: who a repository belongs to, and the roll-up per owner and per team.
//!
//! A repository's team comes from, in this order: the `--teams` file (the first `[[team]]`
//! with a glob matching the repository), the `team` key of the repository's configuration
//! (carried in its stamp), the owners of `*` in its CODEOWNERS (carried in its stamp; the
//! first of them). Its owner is the `org` of `host/org/repo`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{Change, Row};
use crate::stamp::Stamp;

/// Where a repository's team came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TeamSource {
    /// The `--teams` file.
    TeamsFile,
    /// The `team` key of the repository's `testcert.toml`, carried in its stamp.
    Config,
    /// The owner of `*` in the repository's CODEOWNERS, carried in its stamp.
    Codeowners,
}

/// The `--teams` file: `[[team]]` tables, each a `name` and the `repositories` globs it
/// owns; the first team with a matching glob wins.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamsFile {
    #[serde(default)]
    team: Vec<TeamEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamEntry {
    name: String,
    repositories: Vec<String>,
}

/// The teams file, read.
#[derive(Debug, Default)]
pub struct Teams {
    teams: Vec<(String, Vec<glob::Pattern>)>,
}

impl Teams {
    /// Reads a teams file; every error names the file (and the line, for TOML errors).
    pub fn load(path: &Path) -> Result<Teams> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the teams file {}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    fn parse(text: &str) -> Result<Teams, String> {
        let file: TeamsFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| {
                text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            });
            let msg = e.message().to_string();
            match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            }
        })?;
        let mut teams = Vec::new();
        for (i, t) in file.team.into_iter().enumerate() {
            let name = t.name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                return Err(format!(
                    "team {} ([[team]] number {}): a name is 1 to 100 characters on one line",
                    serde_json::to_string(&t.name).unwrap_or_default(),
                    i + 1
                ));
            }
            let mut globs = Vec::new();
            for g in &t.repositories {
                globs.push(glob::Pattern::new(g).map_err(|e| {
                    format!("team {name:?}: repository glob {g:?} is not valid: {e}")
                })?);
            }
            teams.push((name, globs));
        }
        Ok(Teams { teams })
    }

    /// The team whose glob matches `repository` (`host/org/repo`), or its name without the
    /// host (`org/repo`); case-insensitive, `*` does not cross `/`.
    pub(crate) fn team_of(&self, repository: &str) -> Option<&str> {
        let opts = glob::MatchOptions {
            case_sensitive: false,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let without_host = repository.split_once('/').map(|(_, r)| r);
        self.teams
            .iter()
            .find(|(_, globs)| {
                globs.iter().any(|g| {
                    g.matches_with(repository, opts)
                        || without_host.is_some_and(|r| g.matches_with(r, opts))
                })
            })
            .map(|(n, _)| n.as_str())
    }
}

/// The team of a repository and where it came from (see the module's documentation).
pub(crate) fn resolve(
    teams: Option<&Teams>,
    repository: &str,
    stamp: Option<&Stamp>,
) -> Option<(String, TeamSource)> {
    if let Some(t) = teams.and_then(|t| t.team_of(repository)) {
        return Some((t.to_string(), TeamSource::TeamsFile));
    }
    let stamp = stamp?;
    if let Some(t) = stamp
        .team
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        return Some((clip(t), TeamSource::Config));
    }
    stamp
        .codeowners
        .first()
        .map(|o| (clip(o), TeamSource::Codeowners))
}

/// A team from a stamp, at most 100 characters on one line (a stamp is not trusted to be
/// small).
fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// The owner of `host/org/repo`: its `org` (everything between the host and the last
/// segment, for GitLab's subgroups). A name without a host (`acme/kv`, an unstamped
/// result's path) gives everything before its last segment; a single segment, none.
pub(crate) fn owner_of(repository: &str) -> Option<String> {
    let parts: Vec<&str> = repository.split('/').filter(|s| !s.is_empty()).collect();
    let has_host = parts.len() >= 3 && parts[0].contains('.');
    let from = usize::from(has_host);
    (parts.len() >= from + 2).then(|| parts[from..parts.len() - 1].join("/"))
}

/// One owner's or team's roll-up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRow {
    /// The owner or team; null for the projects that have none.
    pub name: Option<String>,
    pub repositories: usize,
    pub projects: usize,
    /// Projects per level, index = level.
    pub by_level: Vec<usize>,
    pub meeting_required: usize,
    pub below_required: usize,
    /// `meeting_required / projects`.
    pub share_required: Option<f64>,
    /// Projects whose level dropped since their repository's previous history entry.
    pub went_down: Vec<Change>,
    /// How many rose.
    pub improved: usize,
}

/// Groups the rows by `key`, worst first: the lowest share at the required level, then the
/// most projects below it, then by name (the group without a name last).
pub(crate) fn roll_up(
    rows: &[Row],
    max_level: u8,
    down: &[Change],
    up: &[Change],
    key: impl Fn(&Row) -> Option<&str>,
) -> Vec<GroupRow> {
    struct Acc<'a> {
        repos: std::collections::BTreeSet<&'a str>,
        row: GroupRow,
    }
    let mut groups: BTreeMap<Option<&str>, Acc> = BTreeMap::new();
    // Which group each repository is in, for the changes (a repository is in one group).
    let mut group_of: std::collections::HashMap<&str, Option<&str>> =
        std::collections::HashMap::new();
    for r in rows {
        let k = key(r);
        group_of.insert(r.repository.as_str(), k);
        let acc = groups.entry(k).or_insert_with(|| Acc {
            repos: Default::default(),
            row: GroupRow {
                name: k.map(str::to_string),
                repositories: 0,
                projects: 0,
                by_level: vec![0; usize::from(max_level) + 1],
                meeting_required: 0,
                below_required: 0,
                share_required: None,
                went_down: Vec::new(),
                improved: 0,
            },
        });
        acc.repos.insert(&r.repository);
        acc.row.projects += 1;
        acc.row.by_level[usize::from(r.level.min(max_level))] += 1;
        if r.passed {
            acc.row.meeting_required += 1;
        } else {
            acc.row.below_required += 1;
        }
    }
    for c in down {
        if let Some(k) = group_of.get(c.repository.as_str()) {
            if let Some(acc) = groups.get_mut(k) {
                acc.row.went_down.push(c.clone());
            }
        }
    }
    for c in up {
        if let Some(acc) = group_of
            .get(c.repository.as_str())
            .and_then(|k| groups.get_mut(k))
        {
            acc.row.improved += 1;
        }
    }
    let mut out: Vec<GroupRow> = groups
        .into_values()
        .map(|mut a| {
            a.row.repositories = a.repos.len();
            a.row.share_required =
                (a.row.projects > 0).then(|| a.row.meeting_required as f64 / a.row.projects as f64);
            a.row
        })
        .collect();
    out.sort_by(|a, b| {
        let share = |g: &GroupRow| g.share_required.unwrap_or(1.0);
        (a.name.is_none(), share(a))
            .partial_cmp(&(b.name.is_none(), share(b)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.below_required.cmp(&a.below_required))
            .then(a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_the_org_of_the_name() {
        assert_eq!(owner_of("github.com/acme/kv").as_deref(), Some("acme"));
        assert_eq!(
            owner_of("gitlab.example.com/g/sub/kv").as_deref(),
            Some("g/sub")
        );
        assert_eq!(owner_of("acme/kv").as_deref(), Some("acme"));
        assert_eq!(owner_of("kv"), None);
        assert_eq!(
            owner_of("ci/legacy-repo/testcert").as_deref(),
            Some("ci/legacy-repo")
        );
    }

    #[test]
    fn the_first_matching_team_wins_then_the_stamp() {
        let t = Teams::parse(
            "[[team]]\nname = \"payments\"\nrepositories = [\"github.com/acme-payments/*\", \"acme/billing\"]\n\
             [[team]]\nname = \"everyone\"\nrepositories = [\"*/*\"]\n",
        )
        .unwrap();
        assert_eq!(t.team_of("github.com/acme-payments/svc"), Some("payments"));
        assert_eq!(t.team_of("github.com/ACME/Billing"), Some("payments"));
        assert_eq!(t.team_of("github.com/acme/kv"), Some("everyone"));
        assert_eq!(
            t.team_of("github.com/acme-payments/a/b"),
            None,
            "* stops at /"
        );
        let stamp = Stamp {
            team: Some(" search ".to_string()),
            codeowners: vec!["@acme/search-owners".to_string()],
            ..Stamp::default()
        };
        assert_eq!(
            resolve(Some(&t), "github.com/acme/kv", Some(&stamp)),
            Some(("everyone".to_string(), TeamSource::TeamsFile))
        );
        assert_eq!(
            resolve(None, "github.com/acme/kv", Some(&stamp)),
            Some(("search".to_string(), TeamSource::Config))
        );
        let owners_only = Stamp {
            codeowners: vec!["@acme/search-owners".to_string()],
            ..Stamp::default()
        };
        assert_eq!(
            resolve(None, "x", Some(&owners_only)),
            Some(("@acme/search-owners".to_string(), TeamSource::Codeowners))
        );
        assert_eq!(resolve(None, "x", None), None);
    }

    #[test]
    fn a_bad_teams_file_says_where() {
        let e = Teams::parse("[[team]]\nname = \"a\"\nrepositories = \"x\"\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        let e = Teams::parse("[[team]]\nname = \"a\"\nrepos = []\n").unwrap_err();
        assert!(e.contains("line 3"), "{e}");
        let e = Teams::parse("[[team]]\nname = \"a\"\nrepositories = [\"[\"]\n").unwrap_err();
        assert!(e.contains("team \"a\": repository glob \"[\""), "{e}");
        let e = Teams::parse("[[team]]\nname = \" \"\nrepositories = []\n").unwrap_err();
        assert!(e.contains("[[team]] number 1"), "{e}");
    }
}
