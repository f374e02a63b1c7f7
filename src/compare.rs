//! `check --compare-to RESULT.json`: the level change against an earlier result (the base
//! branch's last one, from an artifact or a file), so that a pull request is told "this
//! change lowers kv-cli from level 2 to level 1" in the text report, the summary and the
//! annotations.
//!
//! Projects are matched by path, then by name; a project only one side has is new or gone.
//! The comparison is recorded in the result (`comparison`), so `testcert render --from`
//! shows it too.

use std::path::Path;

use crate::result::{CheckResult, Comparison, LevelChange};
use anyhow::{Context, Result};

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
