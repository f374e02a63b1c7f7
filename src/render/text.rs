//! The text report for people at a terminal: per project the level, the checklist, and what
//! to do next.

use std::fmt::Write;

use crate::result::{CheckResult, Status};
use crate::words::plural;

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn status(&self, st: Status) -> String {
        match st {
            Status::Met => self.paint("32", "✓ met    "),
            Status::Unmet => self.paint("31", "✗ unmet  "),
            Status::Unknown => self.paint("33", "? unknown"),
            Status::Waived => self.paint("36", "~ waived "),
        }
    }
}

pub fn render(r: &CheckResult, style: Style) -> String {
    let mut out = String::new();
    let below = r.projects.iter().filter(|p| !p.passed).count();
    let verdict = if !r.report_errors.is_empty() {
        style.paint("31", "FAILED: some reports could not be read")
    } else if below > 0 {
        style.paint(
            "31",
            &format!(
                "FAILED: {below} of {} below the required level",
                plural(r.projects.len() as u64, "project")
            ),
        )
    } else if r.required_level == 0 {
        // Nothing was required, so nothing "passed": a green word beside a red level 0
        // would say the project is fine.
        "report only".to_string()
    } else {
        style.paint("32", "passed")
    };
    let required = if r.required_level == 0 {
        "no level required".to_string()
    } else {
        format!("required level {}", r.required_level)
    };
    let _ = writeln!(
        out,
        "{} {}, levels up to {}, {required}: {verdict}",
        style.bold("testcert"),
        plural(r.projects.len() as u64, "project"),
        r.max_level,
    );
    let change = match (&r.change.base_ref, &r.change.note) {
        (Some(b), _) => format!(
            "change: diff against {b} ({}), {} changed",
            r.change
                .base_commit
                .as_deref()
                .map_or("", |c| &c[..c.len().min(12)]),
            plural(r.change.changed_files as u64, "file")
        ),
        (None, Some(note)) => format!("change: {note}"),
        (None, None) => "change: none".to_string(),
    };
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{change}; config: {}; {} found",
            r.config,
            plural(r.reports_found as u64, "report")
        ))
    );
    for e in &r.report_errors {
        let _ = writeln!(out, "{} {}", style.paint("31", "error:"), e.error);
    }
    for p in &r.projects {
        out.push('\n');
        let where_ = if p.path.is_empty() {
            ".".to_string()
        } else {
            p.path.clone()
        };
        let mark = if p.passed && p.required_level == 0 {
            "·".to_string()
        } else if p.passed {
            style.paint("32", "✓")
        } else {
            style.paint("31", "✗")
        };
        let _ = writeln!(
            out,
            "{} {}  {}",
            mark,
            style.bold(&p.name),
            style.dim(&format!("{where_} ({})", p.found_by))
        );
        let _ = writeln!(
            out,
            "  {} of {} (required {}){}",
            style.bold(&super::level_label(p.level, p.relies_on_waiver)),
            r.max_level,
            p.required_level,
            if p.thresholds.is_empty() {
                String::new()
            } else {
                format!(
                    "; non-default thresholds: {}",
                    p.thresholds
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        for c in &p.criteria {
            let _ = writeln!(
                out,
                "  {} {:<22} {}",
                style.status(c.status),
                c.id,
                c.detail
            );
            if let Some(w) = &c.waiver {
                let _ = writeln!(
                    out,
                    "  {:<32} {}",
                    "",
                    style.paint("36", &format!("waived: {w}"))
                );
            }
        }
        if !p.next_steps.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                style.bold(&format!("to reach level {}:", p.level + 1))
            );
            for s in &p.next_steps {
                let _ = writeln!(out, "    - {s}");
            }
        }
    }
    // The warnings themselves go to standard error (the CLI prints them there), so that
    // a report written to a file or piped on holds the report; here only how many.
    if !r.warnings.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                "33",
                &format!(
                    "{} on standard error (and in the JSON output)",
                    plural(r.warnings.len() as u64, "warning")
                )
            )
        );
    }
    if let Some(a) = &r.attribution {
        out.push('\n');
        let _ = writeln!(out, "{}", style.bold("attribution:"));
        for e in a {
            let _ = writeln!(
                out,
                "  {} → {}: {}",
                e.subject,
                e.project.as_deref().unwrap_or("(no project)"),
                e.reason
            );
        }
    }
    out
}
