//! The Markdown summary (`$GITHUB_STEP_SUMMARY`, pull-request comments): always under
//! GitHub's 65,536-character limit, truncating the longest lists and saying so.

use std::fmt::Write;

use crate::result::{CheckResult, ProjectResult, Status};
use crate::words::plural;

/// GitHub refuses step summaries and comments above this many characters.
pub const LIMIT: usize = 65_536;

/// Escapes text for a Markdown table cell or line: names come from reports and configs.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span: names from reports go in verbatim (escaping does not apply inside a code
/// span, so backslashes would show), fenced with more backticks than the text holds and with
/// HTML-significant characters made inert by the span itself. Line breaks become spaces.
pub fn code(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside the fence.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn icon(s: Status) -> &'static str {
    match s {
        Status::Met => "✅",
        Status::Unmet => "❌",
        Status::Unknown => "❔",
        Status::Waived => "➖",
    }
}

/// How the summary shows badges.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The `--badges` folder when it is a relative path: the table shows the badge files
    /// written there. Otherwise it shows shields.io static badges.
    pub badge_dir: Option<String>,
}

pub fn render(r: &CheckResult) -> String {
    render_opts(r, &Options::default())
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A shields.io static badge URL: `-` and `_` doubled (shields' own escapes), then
/// percent-encoded.
pub fn static_badge_url(label: &str, message: &str, color: &str) -> String {
    let part = |s: &str| url_encode(&s.replace('-', "--").replace('_', "__"));
    format!(
        "https://img.shields.io/badge/{}-{}-{}",
        part(label),
        part(message),
        part(color)
    )
}

/// The badge cell of a project (`stem` = its badge file stem).
fn badge_cell(r: &CheckResult, p: &ProjectResult, stem: &str, o: &Options) -> String {
    let b = super::badge::Badge::level(p.level, p.relies_on_waiver, r.max_level);
    let alt = escape(&b.message);
    match &o.badge_dir {
        Some(dir) => {
            let dir = dir.trim_end_matches('/');
            let path: Vec<String> = dir
                .split('/')
                .chain([format!("{stem}.svg").as_str()])
                .filter(|s| !s.is_empty())
                .map(url_encode)
                .collect();
            format!("![{alt}]({})", path.join("/"))
        }
        None => format!(
            "![{alt}]({})",
            static_badge_url(&b.label, &b.message, b.color.name)
        ),
    }
}

pub fn render_opts(r: &CheckResult, o: &Options) -> String {
    // Render with decreasing list sizes until the whole fits.
    for max_items in [50, 20, 8, 3, 1, 0] {
        let s = render_with(r, max_items, o);
        if s.chars().count() < LIMIT {
            return s;
        }
    }
    let mut s = render_with(r, 0, o);
    let cut = s
        .char_indices()
        .nth(LIMIT - 200)
        .map_or(s.len(), |(i, _)| i);
    s.truncate(cut);
    s.push_str("\n\n_(truncated: the full result is in the JSON output)_\n");
    s
}

fn render_with(r: &CheckResult, max_items: usize, o: &Options) -> String {
    let stems = super::badge::files(r).1;
    let mut out = String::new();
    // Nothing required: "report only", not a "passed" beside a red level-0 badge.
    let verdict = match (r.passed, r.required_level) {
        (false, _) => "failed",
        (true, 0) => "report only",
        (true, _) => "passed",
    };
    let _ = writeln!(out, "## Test Certified: {verdict}\n");
    let _ = writeln!(out, "| project | level | required | | badge |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (p, stem) in r.projects.iter().zip(&stems) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(&p.name),
            super::level_label(p.level, p.relies_on_waiver),
            p.required_level,
            match (p.passed, p.required_level) {
                (false, _) => "❌",
                (true, 0) => "–",
                (true, _) => "✅",
            },
            badge_cell(r, p, stem, o)
        );
    }
    out.push('\n');
    match (&r.change.base_ref, &r.change.note) {
        (Some(b), _) => {
            let _ = writeln!(
                out,
                "Change: diff against {}, {}.\n",
                code(b),
                plural(r.change.changed_files as u64, "file")
            );
        }
        (None, Some(n)) => {
            let _ = writeln!(out, "Change: {}.\n", escape(n));
        }
        _ => {}
    }
    for e in &r.report_errors {
        let _ = writeln!(out, "- ❌ {}", escape(&e.error));
    }
    let mut truncated = false;
    for p in &r.projects {
        let _ = writeln!(
            out,
            "\n### {} — {}\n",
            escape(&p.name),
            super::level_label(p.level, p.relies_on_waiver)
        );
        for c in &p.criteria {
            let _ = write!(
                out,
                "- {} **{}** {}",
                icon(c.status),
                c.id,
                escape(&c.detail)
            );
            if let Some(w) = &c.waiver {
                let _ = write!(out, " _(waived: {})_", escape(w));
            }
            out.push('\n');
        }
        let inc = &p.evidence.incremental;
        let _ = writeln!(
            out,
            "\nIncremental coverage{}: {}",
            if inc.scope == "all-lines" {
                " (no base: every line)"
            } else {
                ""
            },
            match inc.ratio {
                Some(ratio) => format!(
                    "{:.1}% ({}/{} changed lines)",
                    ratio * 100.0,
                    inc.covered,
                    inc.changed
                ),
                None => "n/a (no changed executable lines)".to_string(),
            }
        );
        let uncovered: Vec<_> = inc
            .files
            .iter()
            .filter(|f| !f.uncovered_lines.is_empty())
            .collect();
        if !uncovered.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>Uncovered changed lines ({})</summary>\n",
                plural(uncovered.len() as u64, "file")
            );
            for f in uncovered.iter().take(max_items) {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    code(&f.path),
                    crate::words::line_ranges(&f.uncovered_lines, 20)
                );
            }
            if uncovered.len() > max_items {
                truncated = true;
                let more = uncovered.len() - max_items;
                let _ = writeln!(
                    out,
                    "- … and {more} more {}",
                    if more == 1 { "file" } else { "files" }
                );
            }
            out.push_str("\n</details>\n");
        }
        let failing = &p.evidence.failing_tests;
        if !failing.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>Failing tests ({})</summary>\n",
                failing.len()
            );
            for t in failing.iter().take(max_items) {
                let _ = writeln!(
                    out,
                    "- {}{}{}",
                    code(&t.id),
                    match (&t.file, t.line) {
                        (Some(f), Some(l)) => format!(" ({}:{l})", escape(f)),
                        (Some(f), None) => format!(" ({})", escape(f)),
                        _ => String::new(),
                    },
                    t.message
                        .as_deref()
                        .map(|m| format!(": {}", escape(m)))
                        .unwrap_or_default()
                );
            }
            if failing.len() > max_items {
                truncated = true;
                let _ = writeln!(out, "- … and {} more", failing.len() - max_items);
            }
            out.push_str("\n</details>\n");
        }
        let flaky = &p.evidence.flaky_tests;
        if !flaky.is_empty() {
            let shown = max_items.max(1);
            let mut line = flaky
                .iter()
                .take(shown)
                .map(|t| code(t))
                .collect::<Vec<_>>()
                .join(", ");
            if flaky.len() > shown {
                truncated = true;
                line.push_str(&format!(" and {} more", flaky.len() - shown));
            }
            let _ = writeln!(out, "\nFlaky: {line}");
        }
        if !p.next_steps.is_empty() {
            let _ = writeln!(out, "\n**To reach level {}:**\n", p.level + 1);
            for s in p.next_steps.iter() {
                let _ = writeln!(out, "- {}", escape(s));
            }
        }
    }
    if truncated {
        out.push_str("\n_Some lists were truncated to stay under GitHub's 65,536-character limit; the JSON output has them all._\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_take_names_verbatim() {
        assert_eq!(code("a_b::c"), "`a_b::c`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a b`");
    }
}
