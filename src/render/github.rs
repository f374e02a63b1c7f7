//! GitHub Actions workflow commands: `::error` annotations on uncovered changed lines (one per
//! run of lines) and on failing tests whose file and line are known, `::warning` for
//! criteria whose evidence is unknown, `::notice` with each project's level.
//!
//! Workflow commands are plain lines on standard output: they need no token, so they work on
//! pull requests from forks. Their number is bounded (GitHub shows at most 10 errors and 10
//! warnings per step and 50 per job anyway); what is left out is counted in one last notice.

use std::fmt::Write;

use crate::result::{CheckResult, Status};
use crate::words::{line_runs, plural};

/// At most this many `::error` lines.
pub const MAX_ERRORS: usize = 50;
/// At most this many `::warning` lines.
pub const MAX_WARNINGS: usize = 20;
/// At most this many per-project `::notice` lines.
pub const MAX_NOTICES: usize = 20;

/// Escapes a command's message (`%`, `\r`, `\n`), as `@actions/core` does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation.
struct Command {
    kind: &'static str,
    file: Option<String>,
    line: Option<u32>,
    end_line: Option<u32>,
    title: String,
    message: String,
}

impl Command {
    fn render(&self, out: &mut String) {
        let mut props = Vec::new();
        if let Some(f) = &self.file {
            props.push(format!("file={}", escape_property(f)));
        }
        if let Some(l) = self.line {
            props.push(format!("line={l}"));
        }
        if let (Some(l), Some(e)) = (self.line, self.end_line) {
            if e != l {
                props.push(format!("endLine={e}"));
            }
        }
        props.push(format!("title={}", escape_property(&self.title)));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            self.kind,
            props.join(","),
            escape_data(&self.message)
        );
    }
}

/// Joins the path of the checked directory inside the workspace (`prefix`, may be empty) and
/// a repository-relative path, so that annotations land on the file in the pull request.
fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() || prefix == "." {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    }
}

/// The workflow commands for a result. `prefix` is the checked directory relative to
/// `$GITHUB_WORKSPACE` (empty when it is the workspace), put in front of every file path.
pub fn render(r: &CheckResult, prefix: &str) -> String {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut notices = Vec::new();
    for e in &r.report_errors {
        errors.push(Command {
            kind: "error",
            file: Some(join(prefix, &e.path)),
            line: None,
            end_line: None,
            title: "testcert: report not read".to_string(),
            message: e.error.clone(),
        });
    }
    for p in &r.projects {
        let label = super::level_label(p.level, p.relies_on_waiver);
        let failing = p.evidence.failing_tests.len();
        let uncovered: usize = p
            .evidence
            .incremental
            .files
            .iter()
            .map(|f| f.uncovered_lines.len())
            .sum();
        notices.push(Command {
            kind: "notice",
            file: None,
            line: None,
            end_line: None,
            title: format!("testcert: {} {label}", p.name),
            message: format!(
                "{}: Test Certified {label} of {} (required {}): {}{}{}",
                p.name,
                r.max_level,
                p.required_level,
                match (p.passed, p.required_level) {
                    (false, _) => "below the required level",
                    (true, 0) => "report only",
                    (true, _) => "passed",
                },
                if uncovered > 0 {
                    format!("; {}", plural(uncovered as u64, "uncovered changed line"))
                } else {
                    String::new()
                },
                if failing > 0 {
                    format!("; {}", plural(failing as u64, "failing test"))
                } else {
                    String::new()
                },
            ),
        });
        for f in &p.evidence.incremental.files {
            for (a, b) in line_runs(&f.uncovered_lines) {
                errors.push(Command {
                    kind: "error",
                    file: Some(join(prefix, &f.path)),
                    line: Some(a),
                    end_line: Some(b),
                    title: "testcert: changed lines not covered".to_string(),
                    message: if a == b {
                        format!("{}: changed line {a} is not covered by any test", p.name)
                    } else {
                        format!(
                            "{}: changed lines {a}-{b} are not covered by any test",
                            p.name
                        )
                    },
                });
            }
        }
        for t in &p.evidence.failing_tests {
            let (Some(file), Some(line)) = (&t.file, t.line) else {
                continue;
            };
            let verb = if t.outcome == crate::model::Outcome::Error {
                "errored"
            } else {
                "failed"
            };
            let c = Command {
                kind: if t.quarantined { "warning" } else { "error" },
                file: Some(join(prefix, file)),
                line: Some(line),
                end_line: None,
                title: format!("testcert: test {verb}"),
                message: format!(
                    "{} {verb}{}{}",
                    t.id,
                    if t.quarantined { " (quarantined)" } else { "" },
                    t.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
            };
            // A quarantined test does not count against the level: a warning.
            if t.quarantined {
                warnings.push(c);
            } else {
                errors.push(c);
            }
        }
        for c in p.criteria.iter().filter(|c| c.status == Status::Unknown) {
            warnings.push(Command {
                kind: "warning",
                file: None,
                line: None,
                end_line: None,
                title: format!("testcert: {} unknown", c.id),
                message: format!("{}: {} ({}): {}", p.name, c.id, c.title, c.detail),
            });
        }
    }
    for w in &r.warnings {
        warnings.push(Command {
            kind: "warning",
            file: None,
            line: None,
            end_line: None,
            title: "testcert".to_string(),
            message: w.clone(),
        });
    }
    let mut out = String::new();
    let mut left_out = Vec::new();
    for (list, max, what) in [
        (&notices, MAX_NOTICES, "notices"),
        (&errors, MAX_ERRORS, "errors"),
        (&warnings, MAX_WARNINGS, "warnings"),
    ] {
        for c in list.iter().take(max) {
            c.render(&mut out);
        }
        if list.len() > max {
            left_out.push(format!("{} {what}", list.len() - max));
        }
    }
    if !left_out.is_empty() {
        Command {
            kind: "notice",
            file: None,
            line: None,
            end_line: None,
            title: "testcert: annotations left out".to_string(),
            message: format!(
                "{} left out to stay within GitHub's annotation limits; the job summary and the JSON result list everything",
                left_out.join(", ")
            ),
        }
        .render(&mut out);
    }
    out
}

/// The checked directory relative to the workspace, for [`render`]'s `prefix`: empty when
/// `dir` is the workspace or lies outside it.
pub fn workspace_prefix(dir: &std::path::Path, workspace: Option<&std::path::Path>) -> String {
    let (Some(ws), Ok(dir)) = (workspace, std::fs::canonicalize(dir)) else {
        return String::new();
    };
    let Ok(ws) = std::fs::canonicalize(ws) else {
        return String::new();
    };
    dir.strip_prefix(&ws)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn prefixes() {
        assert_eq!(join("", "src/a.rs"), "src/a.rs");
        assert_eq!(join("crates/x/", "src/a.rs"), "crates/x/src/a.rs");
        assert_eq!(join(".", "a"), "a");
    }
}
