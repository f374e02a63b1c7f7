//! GitHub Actions workflow commands, most important first and within GitHub's limits.
//!
//! GitHub shows at most 10 `error`, 10 `warning` and 10 `notice` annotations per step (and
//! drops the rest silently), so each kind is capped at 10, in order of importance:
//!
//! - `error`: failing tests with their file and line, projects below their required level,
//!   reports that could not be read, failing tests without a location;
//! - `warning`: project levels this change lowers (`check --compare-to`), the check's own
//!   warnings (the change fell back to every line, no report found), runs of uncovered
//!   changed lines of projects with a required level, quarantined failures, criteria whose
//!   evidence is unknown;
//! - `notice`: each project's level, levels raised and projects new or gone, runs of
//!   uncovered changed lines of projects without a required level (a green job must not
//!   paint its pull request red).
//!
//! What is left out is counted in one last notice (one of the 10); the job summary lists it
//! all. Workflow commands are plain lines on standard output: they need no token, so they
//! work on pull requests from forks.

use std::fmt::Write;

use crate::result::{CheckResult, Status};
use crate::words::{line_runs, plural};

/// GitHub shows at most this many annotations of each kind per step.
pub const MAX_PER_KIND: usize = 10;
/// At most this many `::error` lines.
pub const MAX_ERRORS: usize = MAX_PER_KIND;
/// At most this many `::warning` lines.
pub const MAX_WARNINGS: usize = MAX_PER_KIND;
/// At most this many `::notice` lines, the one counting what was left out included.
pub const MAX_NOTICES: usize = MAX_PER_KIND;

/// Escapes a command's message (`%`, `\r`, `\n`), as `@actions/core` does.
pub use crate::escape::workflow_data as escape_data;
/// Escapes a property value: the message escapes plus `:` and `,`.
pub use crate::escape::workflow_property as escape_property;

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

/// Every annotation of a result, by kind, each list in order of importance.
struct Plan {
    errors: Vec<Command>,
    warnings: Vec<Command>,
    notices: Vec<Command>,
}

fn failing_test(prefix: &str, t: &crate::result::FailingTest, kind: &'static str) -> Command {
    let verb = if t.outcome == crate::model::Outcome::Error {
        "errored"
    } else {
        "failed"
    };
    Command {
        kind,
        file: t.file.as_deref().map(|f| join(prefix, f)),
        line: t.file.as_ref().and(t.line),
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
    }
}

fn plan(r: &CheckResult, prefix: &str) -> Plan {
    let mut located = Vec::new();
    let mut below = Vec::new();
    let mut unreadable = Vec::new();
    let mut unlocated = Vec::new();
    let mut uncovered_warnings = Vec::new();
    let mut quarantined = Vec::new();
    let mut unknown = Vec::new();
    let mut levels = Vec::new();
    let mut uncovered_notices = Vec::new();
    for e in &r.report_errors {
        unreadable.push(Command {
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
        let uncovered = p.evidence.incremental.uncovered_count();
        levels.push(Command {
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
        if !p.passed {
            let blocking: Vec<&str> = p
                .criteria
                .iter()
                .filter(|c| {
                    c.level == p.level + 1 && c.status != Status::Met && c.status != Status::Waived
                })
                .map(|c| c.id.as_ref())
                .collect();
            below.push(Command {
                kind: "error",
                file: None,
                line: None,
                end_line: None,
                title: format!("testcert: {} below the required level", p.name),
                message: format!(
                    "{} is at {label}, below the required level {}{}",
                    p.name,
                    p.required_level,
                    if blocking.is_empty() {
                        String::new()
                    } else {
                        format!("; level {} needs {}", p.level + 1, blocking.join(", "))
                    }
                ),
            });
        }
        // A run of uncovered lines is a finding, not a failure: a warning where a level is
        // required, else a notice.
        let (kind, list) = if p.required_level > 0 {
            ("warning", &mut uncovered_warnings)
        } else {
            ("notice", &mut uncovered_notices)
        };
        for f in &p.evidence.incremental.files {
            for (a, b) in line_runs(&f.uncovered_lines) {
                list.push(Command {
                    kind,
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
            // A quarantined test does not count against the level: a warning.
            if t.quarantined {
                quarantined.push(failing_test(prefix, t, "warning"));
            } else if t.file.is_some() && t.line.is_some() {
                located.push(failing_test(prefix, t, "error"));
            } else {
                unlocated.push(failing_test(prefix, t, "error"));
            }
        }
        for c in p.criteria.iter().filter(|c| c.status == Status::Unknown) {
            unknown.push(Command {
                kind: "warning",
                file: None,
                line: None,
                end_line: None,
                title: format!("testcert: {} unknown", c.id),
                message: format!("{}: {} ({}): {}", p.name, c.id, c.title, c.detail),
            });
        }
    }
    // A lowered level is the first thing a pull request's author needs to hear of; a raised
    // one, or a new or gone project, is news.
    let mut lowered = Vec::new();
    let mut level_news = Vec::new();
    for c in r.comparison.iter().flat_map(|c| &c.changes) {
        let (kind, list) = if c.lowered() {
            ("warning", &mut lowered)
        } else {
            ("notice", &mut level_news)
        };
        list.push(Command {
            kind,
            file: None,
            line: None,
            end_line: None,
            title: format!("testcert: {} level changed", c.project),
            message: format!(
                "{} (compared with {})",
                c.sentence(),
                r.comparison.as_ref().map_or(String::new(), |c| c.against())
            ),
        });
    }
    let own: Vec<Command> = r
        .warnings
        .iter()
        .map(|w| Command {
            kind: "warning",
            file: None,
            line: None,
            end_line: None,
            title: "testcert".to_string(),
            message: w.clone(),
        })
        .collect();
    let cat = |lists: Vec<Vec<Command>>| lists.into_iter().flatten().collect::<Vec<_>>();
    Plan {
        errors: cat(vec![located, below, unreadable, unlocated]),
        warnings: cat(vec![lowered, own, uncovered_warnings, quarantined, unknown]),
        notices: cat(vec![levels, level_news, uncovered_notices]),
    }
}

/// How many errors, warnings and notices are shown: 10 each, and one notice fewer when
/// something is left out (the notice that counts it takes its place).
fn caps(p: &Plan) -> [usize; 3] {
    let overflow = p.errors.len() > MAX_ERRORS
        || p.warnings.len() > MAX_WARNINGS
        || p.notices.len() > MAX_NOTICES;
    [
        MAX_ERRORS,
        MAX_WARNINGS,
        if overflow {
            MAX_NOTICES - 1
        } else {
            MAX_NOTICES
        },
    ]
}

/// How many annotations [`render`] leaves out to stay within GitHub's limits.
pub fn left_out(r: &CheckResult) -> usize {
    let p = plan(r, "");
    let [e, w, n] = caps(&p);
    p.errors.len().saturating_sub(e)
        + p.warnings.len().saturating_sub(w)
        + p.notices.len().saturating_sub(n)
}

/// The workflow commands for a result. `prefix` is the checked directory relative to
/// `$GITHUB_WORKSPACE` (empty when it is the workspace), put in front of every file path.
pub fn render(r: &CheckResult, prefix: &str) -> String {
    let p = plan(r, prefix);
    let [max_errors, max_warnings, max_notices] = caps(&p);
    let mut out = String::new();
    let mut left_out = Vec::new();
    for (list, max, what) in [
        (&p.errors, max_errors, "errors"),
        (&p.warnings, max_warnings, "warnings"),
        (&p.notices, max_notices, "notices"),
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
                "{} left out: GitHub shows {MAX_PER_KIND} annotations of each kind per step; the job summary and the JSON result list everything",
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
