//! `check --compare-to RESULT.json`: the level change against an earlier result (the base
//! branch's last one, from an artifact or a file), so that a pull request is told "this
//! change lowers kv-cli from level 2 to level 1" in the text report, the summary and the
//! annotations.
//!
//! Projects are matched by path, then by name; a project only one side has is new or gone.
//! The comparison is recorded in the result (`comparison`), so `testcert render --from`
//! shows it too.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::result::CheckResult;

/// The comparison with an earlier result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier result's file, as given.
    pub base: String,
    /// The commit the earlier result was made on, when it says (`check --stamp`).
    pub base_commit: Option<String>,
    /// Every project whose level differs, or that only one side has, in this result's order
    /// (gone projects last).
    pub changes: Vec<LevelChange>,
    /// Projects at the same level on both sides.
    pub unchanged: usize,
}

/// One project's level, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChange {
    pub project: String,
    pub path: String,
    /// `None`: new in this result.
    pub from: Option<u8>,
    /// `None`: gone from this result.
    pub to: Option<u8>,
}

impl LevelChange {
    pub fn lowered(&self) -> bool {
        matches!((self.from, self.to), (Some(a), Some(b)) if b < a)
    }

    pub fn raised(&self) -> bool {
        matches!((self.from, self.to), (Some(a), Some(b)) if b > a)
    }

    /// "this change lowers kv-cli from level 2 to level 1".
    pub fn sentence(&self) -> String {
        match (self.from, self.to) {
            (Some(a), Some(b)) if b < a => format!(
                "this change lowers {} from level {a} to level {b}",
                self.project
            ),
            (Some(a), Some(b)) => format!(
                "this change raises {} from level {a} to level {b}",
                self.project
            ),
            (None, Some(b)) => format!("{} is new, at level {b}", self.project),
            (Some(a), None) => format!("{} (level {a}) is gone", self.project),
            (None, None) => format!("{}: no level on either side", self.project),
        }
    }
}

impl Comparison {
    pub fn lowered(&self) -> impl Iterator<Item = &LevelChange> {
        self.changes.iter().filter(|c| c.lowered())
    }

    /// One line for people: the lowered first, then the rest; "no level changed" when none.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.lowered().map(LevelChange::sentence).collect();
        parts.extend(
            self.changes
                .iter()
                .filter(|c| !c.lowered())
                .map(LevelChange::sentence),
        );
        if parts.is_empty() {
            format!("no project's level changed ({} projects)", self.unchanged)
        } else {
            parts.join("; ")
        }
    }

    /// What the comparison is with, for people: `main.json (0123456789ab)`.
    pub fn against(&self) -> String {
        match &self.base_commit {
            Some(c) => format!("{} ({})", self.base, &c[..c.len().min(12)]),
            None => self.base.clone(),
        }
    }
}

/// Reads the earlier result at `path` and compares `now` with it.
pub fn compare_to(now: &CheckResult, path: &Path) -> Result<Comparison> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--compare-to {}: cannot read it", path.display()))?;
    let before = CheckResult::from_json(&text)
        .with_context(|| format!("--compare-to {}", path.display()))?;
    Ok(compare(&before, now, &path.display().to_string()))
}

/// Compares `now` with `before` (named `base`).
pub fn compare(before: &CheckResult, now: &CheckResult, base: &str) -> Comparison {
    let mut matched = vec![false; before.projects.len()];
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for p in &now.projects {
        let i = before
            .projects
            .iter()
            .enumerate()
            .position(|(i, b)| !matched[i] && b.path == p.path)
            .or_else(|| {
                before
                    .projects
                    .iter()
                    .enumerate()
                    .position(|(i, b)| !matched[i] && b.name == p.name)
            });
        let from = i.map(|i| {
            matched[i] = true;
            before.projects[i].level
        });
        if from == Some(p.level) {
            unchanged += 1;
        } else {
            changes.push(LevelChange {
                project: p.name.clone(),
                path: p.path.clone(),
                from,
                to: Some(p.level),
            });
        }
    }
    for (b, _) in before.projects.iter().zip(&matched).filter(|(_, m)| !**m) {
        changes.push(LevelChange {
            project: b.name.clone(),
            path: b.path.clone(),
            from: Some(b.level),
            to: None,
        });
    }
    let base_commit = before.stamp.as_ref().and_then(|s| s.commit.clone());
    Comparison {
        base: base.to_string(),
        base_commit,
        changes,
        unchanged,
    }
}
