//! The Markdown summary (`$GITHUB_STEP_SUMMARY`, pull-request comments): always under
//! GitHub's 65,536-character limit, truncating the longest lists and saying so.

use std::fmt::Write;

use crate::result::{CheckResult, ProjectResult, Scope, Status};
use crate::words::line_runs;

/// GitHub refuses step summaries and comments above this many characters.
pub const LIMIT: usize = 65_536;

/// Escapes text for a Markdown table cell or line: names come from reports and configs.
pub use crate::escape::markdown as escape;

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

/// What the summary knows of where it is shown.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Link uncovered lines and failing tests to their source on GitHub.
    pub links: Option<Links>,
    /// The summary goes with GitHub annotations: say how many were left out to stay within
    /// GitHub's limits (they are all listed here).
    pub annotations: bool,
}

/// Source links on GitHub: `{server}/{repository}/blob/{commit}/{prefix}/{path}#Lx-Ly`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com/OWNER/REPO/blob/SHA`.
    pub blob: String,
    /// The checked directory inside the repository (empty for its root).
    pub prefix: String,
}

impl Links {
    /// From the variables GitHub Actions sets (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`,
    /// `GITHUB_SHA`); `None` outside it.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>, prefix: &str) -> Option<Links> {
        let set = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let repo = set("GITHUB_REPOSITORY")?;
        let sha = set("GITHUB_SHA")?;
        let server = set("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_string());
        // `owner/name` and a commit id only: anything else would make a broken or odd link.
        let ok_repo = repo.split('/').count() == 2
            && repo
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        if !ok_repo || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Links {
            blob: format!("{}/{repo}/blob/{sha}", server.trim_end_matches('/')),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// The URL of a repository-relative `path` (relative to the checked directory).
    pub fn file(&self, path: &str) -> String {
        let mut url = self.blob.clone();
        for seg in self
            .prefix
            .split('/')
            .chain(path.split('/'))
            .filter(|s| !s.is_empty() && *s != ".")
        {
            url.push('/');
            url.push_str(&url_encode(seg));
        }
        url
    }

    /// The URL of lines `a`-`b` of `path`.
    pub fn lines(&self, path: &str, a: u32, b: u32) -> String {
        if a == b {
            format!("{}#L{a}", self.file(path))
        } else {
            format!("{}#L{a}-L{b}", self.file(path))
        }
    }
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

/// The badge cell of a project: a shields.io static badge, which loads wherever the summary
/// is shown (a local badge file would be a broken image on github.com).
fn badge_cell(r: &CheckResult, p: &ProjectResult) -> String {
    let b = super::badge::Badge::level(p.level, p.relies_on_waiver, r.max_level);
    format!(
        "![{}]({})",
        escape(&b.message),
        static_badge_url(&b.label, &b.message, b.color.name)
    )
}

/// A file's uncovered lines, each run linked to its lines on GitHub.
fn linked_ranges(links: &Links, path: &str, lines: &[u32], max: usize) -> String {
    let runs = line_runs(lines);
    let mut s = runs
        .iter()
        .take(max)
        .map(|&(a, b)| {
            let text = if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            };
            format!("[{text}]({})", links.lines(path, a, b))
        })
        .collect::<Vec<_>>()
        .join(", ");
    if runs.len() > max {
        s.push_str(", …");
    }
    s
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
    let mut out = String::new();
    let verdict = if r.passed { "passed" } else { "failed" };
    let _ = writeln!(out, "## Test Certified: {verdict}\n");
    let _ = writeln!(out, "| project | level | required | | badge |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for p in &r.projects {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(&p.name),
            super::level_label(p.level, p.relies_on_waiver),
            p.required_level,
            if p.passed { "✅" } else { "❌" },
            badge_cell(r, p)
        );
    }
    out.push('\n');
    match (&r.change.base_ref, &r.change.note) {
        (Some(b), _) => {
            let _ = writeln!(
                out,
                "Change: diff against {}, {} files.\n",
                code(b),
                r.change.changed_files
            );
        }
        (None, Some(n)) => {
            let _ = writeln!(out, "Change: {}.\n", escape(n));
        }
        _ => {}
    }
    if let Some(c) = &r.comparison {
        let _ = writeln!(
            out,
            "{} Compared with {}: {}.\n",
            if c.lowered().next().is_some() {
                "📉"
            } else {
                "↔️"
            },
            code(&c.against()),
            escape(&c.summary())
        );
    }
    for e in &r.report_errors {
        let _ = writeln!(out, "- ❌ {}", escape(&e.error));
    }
    if o.annotations {
        let n = super::github::left_out(r);
        if n > 0 {
            let _ = writeln!(
                out,
                "\n_{n} annotations were left out: GitHub shows {} of each kind per step. The \
                 uncovered lines, failing tests and criteria below list them all._",
                super::github::MAX_PER_KIND
            );
        }
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
            if inc.scope == Scope::AllLines {
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
                "\n<details><summary>Uncovered changed lines ({} files)</summary>\n",
                uncovered.len()
            );
            for f in uncovered.iter().take(max_items) {
                let _ = match &o.links {
                    Some(l) => writeln!(
                        out,
                        "- [{}]({}): {}",
                        code(&f.path),
                        l.file(&f.path),
                        linked_ranges(l, &f.path, &f.uncovered_lines, 20)
                    ),
                    None => writeln!(
                        out,
                        "- {}: {}",
                        code(&f.path),
                        crate::words::line_ranges(&f.uncovered_lines, 20)
                    ),
                };
            }
            if uncovered.len() > max_items {
                truncated = true;
                let _ = writeln!(out, "- … and {} more files", uncovered.len() - max_items);
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
                    match (&t.file, t.line, &o.links) {
                        (Some(f), Some(l), Some(links)) => {
                            format!(" ([{}:{l}]({}))", escape(f), links.lines(f, l, l))
                        }
                        (Some(f), None, Some(links)) => {
                            format!(" ([{}]({}))", escape(f), links.file(f))
                        }
                        (Some(f), Some(l), None) => format!(" ({}:{l})", escape(f)),
                        (Some(f), None, None) => format!(" ({})", escape(f)),
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
