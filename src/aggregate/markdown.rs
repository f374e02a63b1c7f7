//! `summary.md`: the roll-up as Markdown for an issue or a wiki page, under GitHub's
//! 65,536-character limit (the longest tables are cut, and it says so).

use std::fmt::Write;

use super::{Aggregate, Change, GroupRow, Row};
use crate::render::markdown::{escape, LIMIT};
use crate::words::percent;

/// The summary: counts, teams and owners, changes, levels over time, what holds projects
/// back, flaky tests, the projects below their required level, then every project.
pub fn render(a: &Aggregate) -> String {
    for max_rows in [usize::MAX, 500, 200, 50, 10, 0] {
        let s = render_with(a, max_rows);
        if s.chars().count() < LIMIT {
            return s;
        }
    }
    let mut s = render_with(a, 0);
    let cut = s
        .char_indices()
        .nth(LIMIT - 200)
        .map_or(s.len(), |(i, _)| i);
    s.truncate(cut);
    s.push_str("\n\n_(truncated: the full roll-up is in aggregate.json)_\n");
    s
}

fn render_with(a: &Aggregate, max_rows: usize) -> String {
    let s = &a.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(&a.title));
    let _ = writeln!(
        out,
        "Snapshot {}: **{}** projects in **{}** repositories; **{}** at or above their required level, **{}** below.\n",
        a.snapshot, s.projects, s.repositories, s.meeting_required, s.below_required
    );
    let _ = writeln!(out, "| level | projects | share |");
    let _ = writeln!(out, "|---|---:|---:|");
    for (l, n) in s.by_level.iter().enumerate().rev() {
        let share = (s.projects > 0).then(|| *n as f64 / s.projects as f64);
        let _ = writeln!(out, "| L{l} | {n} | {} |", percent(share));
    }
    out.push('\n');
    if !a.inputs.errors.is_empty() {
        let _ = writeln!(
            out,
            "**{} inputs could not be read:**\n",
            a.inputs.errors.len()
        );
        for e in a.inputs.errors.iter().take(max_rows.max(5)) {
            let _ = writeln!(out, "- ❌ {}: {}", escape(&e.path), escape(&e.error));
        }
        out.push('\n');
    }
    group_table(&mut out, "Teams", "team", "no team", &a.teams, max_rows);
    if a.owners.len() > 1 {
        group_table(&mut out, "Owners", "owner", "no owner", &a.owners, max_rows);
    }
    if let Some(c) = &a.changes {
        match &c.since {
            Some(since) => {
                let _ = writeln!(out, "## Changed since the last snapshot ({since})\n");
            }
            None => {
                let _ = writeln!(out, "## Changed since the last snapshot\n");
            }
        }
        if c.up.is_empty() && c.down.is_empty() && c.new.is_empty() && c.removed.is_empty() {
            let _ = writeln!(out, "No project changed level.\n");
        } else {
            let list = |out: &mut String, title: &str, icon: &str, list: &[Change]| {
                if list.is_empty() {
                    return;
                }
                let _ = writeln!(out, "{title} ({}):\n", list.len());
                for ch in list.iter().take(max_rows) {
                    let lv = |l: Option<u8>| l.map_or("–".to_string(), |l| format!("L{l}"));
                    let _ = writeln!(
                        out,
                        "- {icon} {} / {}: {} → {}",
                        escape(&ch.repository),
                        escape(&ch.project),
                        lv(ch.from),
                        lv(ch.to)
                    );
                }
                if list.len() > max_rows {
                    let _ = writeln!(out, "- … and {} more", list.len() - max_rows);
                }
                out.push('\n');
            };
            list(&mut out, "Went down", "⬇️", &c.down);
            list(&mut out, "Went up", "⬆️", &c.up);
            list(&mut out, "New projects", "🆕", &c.new);
            list(&mut out, "Projects gone", "➖", &c.removed);
        }
    }
    levels_over_time(&mut out, a);
    if !a.criteria.is_empty() {
        let _ = writeln!(out, "## What holds projects back\n");
        let _ = writeln!(
            out,
            "| criterion | | blocks the next level of | not met by (unknown) |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|");
        // Already the most blocking first.
        for c in &a.criteria {
            let _ = writeln!(
                out,
                "| **{}** | {} | {} | {} ({}) |",
                // Ids of criteria this testcert does not know come from the result as written.
                escape(&c.id),
                escape(c.title),
                c.blocking,
                c.missing,
                c.unknown
            );
        }
        out.push('\n');
    }
    flaky(&mut out, a, max_rows);
    let below: Vec<&Row> = a.projects.iter().filter(|r| !r.passed).collect();
    if !below.is_empty() {
        let _ = writeln!(out, "## Below the required level ({})\n", below.len());
        table(&mut out, &below, max_rows, false);
    }
    let all: Vec<&Row> = a.projects.iter().collect();
    let _ = writeln!(out, "## All projects ({})\n", all.len());
    table(&mut out, &all, max_rows, true);
    out
}

fn table(out: &mut String, rows: &[&Row], max_rows: usize, all: bool) {
    if all {
        let _ = writeln!(out, "| repository | project | level | required | failing criteria | coverage | incremental | last updated |");
        let _ = writeln!(out, "|---|---|---|---|---|---:|---:|---|");
    } else {
        let _ = writeln!(
            out,
            "| repository | project | level | required | failing criteria |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
    }
    for r in rows.iter().take(max_rows) {
        let level = crate::render::level_label(r.level, r.relies_on_waiver);
        let level = match r.previous_level {
            Some(p) if p < r.level => format!("{level} ⬆️"),
            Some(p) if p > r.level => format!("{level} ⬇️"),
            _ => level,
        };
        let failing = if r.failing.is_empty() {
            "–".to_string()
        } else {
            escape(&r.failing.join(", "))
        };
        let _ = write!(
            out,
            "| {} | {} | {level} | {} {} | {failing} |",
            escape(&r.repository),
            escape(&r.project),
            r.required_level,
            if r.passed { "✅" } else { "❌" },
        );
        if all {
            let inc = match r.incremental_scope {
                crate::result::Scope::Diff => percent(r.incremental),
                crate::result::Scope::AllLines => format!("{} (all lines)", percent(r.incremental)),
            };
            let _ = write!(
                out,
                " {} | {inc} | {} |",
                percent(r.coverage),
                r.time
                    .as_deref()
                    .map_or("–".to_string(), |t| escape(t.get(..10).unwrap_or(t)))
            );
        }
        out.push('\n');
    }
    if rows.len() > max_rows {
        let _ = writeln!(
            out,
            "\n_… and {} more (every project is in aggregate.json and index.html)._",
            rows.len() - max_rows
        );
    }
    out.push('\n');
}

/// Teams or owners: projects per level, the share at the required level, who went down.
fn group_table(
    out: &mut String,
    title: &str,
    what: &str,
    none: &str,
    groups: &[GroupRow],
    max_rows: usize,
) {
    // Only the projects without a team: nothing to roll up.
    if groups.iter().all(|g| g.name.is_none()) {
        return;
    }
    let _ = writeln!(out, "## {title} ({})\n", groups.len());
    let levels = groups.first().map_or(0, |g| g.by_level.len());
    let _ = write!(out, "| {what} | repositories | projects |");
    for l in (0..levels).rev() {
        let _ = write!(out, " L{l} |");
    }
    let _ = writeln!(out, " at required level | went down |");
    let _ = write!(out, "|---|---:|---:|");
    for _ in 0..levels {
        let _ = write!(out, "---:|");
    }
    let _ = writeln!(out, "---:|---|");
    for g in groups.iter().take(max_rows) {
        let name = g
            .name
            .as_deref()
            .map_or_else(|| format!("_{none}_"), escape);
        let _ = write!(out, "| {name} | {} | {} |", g.repositories, g.projects);
        for n in g.by_level.iter().rev() {
            let _ = write!(out, " {n} |");
        }
        let down = if g.went_down.is_empty() {
            "–".to_string()
        } else {
            let names: Vec<String> = g
                .went_down
                .iter()
                .map(|c| {
                    let lv = |l: Option<u8>| l.map_or("–".to_string(), |l| format!("L{l}"));
                    format!("{} {}→{}", escape(&c.project), lv(c.from), lv(c.to))
                })
                .collect();
            crate::words::list(&names, 5)
        };
        let _ = writeln!(
            out,
            " {} ({}/{}) | {down} |",
            percent(g.share_required),
            g.meeting_required,
            g.projects
        );
    }
    if groups.len() > max_rows {
        let _ = writeln!(
            out,
            "\n_… and {} more (in aggregate.json)._",
            groups.len() - max_rows
        );
    }
    out.push('\n');
}

/// Projects per level at each of the last snapshots (when the history has earlier ones).
fn levels_over_time(out: &mut String, a: &Aggregate) {
    let snaps = &a.trends.snapshots;
    if snaps.len() < 2 {
        return;
    }
    const SHOWN: usize = 10;
    let _ = writeln!(out, "## Levels over time\n");
    let levels = a.summary.by_level.len();
    let _ = write!(out, "| snapshot | repositories |");
    for l in (0..levels).rev() {
        let _ = write!(out, " L{l} |");
    }
    let _ = writeln!(out, " at required level |");
    let _ = write!(out, "|---|---:|");
    for _ in 0..levels {
        let _ = write!(out, "---:|");
    }
    let _ = writeln!(out, "---:|");
    for p in &snaps[snaps.len().saturating_sub(SHOWN)..] {
        let _ = write!(
            out,
            "| {} | {} |",
            escape(p.snapshot.get(..10).unwrap_or(&p.snapshot)),
            p.repositories
        );
        for l in (0..levels).rev() {
            let _ = write!(out, " {} |", p.by_level.get(l).copied().unwrap_or(0));
        }
        let share = (p.projects > 0).then(|| p.meeting_required as f64 / p.projects as f64);
        let _ = writeln!(out, " {} |", percent(share));
    }
    out.push('\n');
}

/// The tests that flip or keep being flaky, worst first.
fn flaky(out: &mut String, a: &Aggregate, max_rows: usize) {
    let f = &a.flaky;
    if f.tests.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Flaky tests across the organisation ({})\n",
        f.total
    );
    let _ = writeln!(
        out,
        "Over the last {} results: tests whose outcome flipped on one commit, or that were flaky (passed on a retry) in two results or more.\n",
        f.results
    );
    let _ = writeln!(
        out,
        "| repository | project | test | commits with a flip | flaky in | failed in | of results |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|");
    let shown = max_rows.min(20);
    for t in f.tests.iter().take(shown) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&t.repository),
            escape(&t.project),
            escape(&t.test),
            t.flips,
            t.flaky_in,
            t.failed_in,
            t.results
        );
    }
    if f.total > shown {
        let _ = writeln!(
            out,
            "\n_… and {} more (aggregate.json lists the worst {})._",
            f.total - shown,
            super::flaky::LISTED
        );
    }
    out.push('\n');
}
