//! `summary.md`: the roll-up as Markdown for an issue or a wiki page, under GitHub's
//! 65,536-character limit (the longest tables are cut, and it says so).

use std::fmt::Write;

use super::{Aggregate, Change, Row};
use crate::render::markdown::{escape, LIMIT};
use crate::words::percent;

/// The summary: counts, changes, what holds projects back, the projects below their
/// required level, then every project.
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
    if let Some(c) = &a.changes {
        let _ = writeln!(out, "## Changed since the last snapshot\n");
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
    if !a.criteria.is_empty() {
        let _ = writeln!(out, "## What holds projects back\n");
        let _ = writeln!(
            out,
            "| criterion | | blocks the next level of | not met by (unknown) |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|");
        let mut crit: Vec<_> = a.criteria.iter().collect();
        crit.sort_by(|x, y| y.blocking.cmp(&x.blocking).then(x.level.cmp(&y.level)));
        for c in crit {
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
