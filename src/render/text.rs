//! The text report for people at a terminal: per project the level, the checklist, and what
//! to do next.

use std::fmt::Write;

use crate::result::{CheckResult, Status};
// Every name, path and message below comes from the repository: none reaches the terminal raw.
use crate::escape::text as esc;
use crate::words::plural;

/// Terminal styling (through `anstyle`), or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

const BOLD: anstyle::Style = anstyle::Style::new().bold();
const DIM: anstyle::Style = anstyle::Style::new().dimmed();
const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default();
const GREEN: anstyle::Style = anstyle::AnsiColor::Green.on_default();
const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();
const CYAN: anstyle::Style = anstyle::AnsiColor::Cyan.on_default();

impl Style {
    fn paint(&self, style: anstyle::Style, s: &str) -> String {
        if self.color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint(BOLD, s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint(DIM, s)
    }
    fn status(&self, st: Status) -> String {
        match st {
            Status::Met => self.paint(GREEN, "✓ met    "),
            Status::Unmet => self.paint(RED, "✗ unmet  "),
            Status::Unknown => self.paint(YELLOW, "? unknown"),
            Status::Waived => self.paint(CYAN, "~ waived "),
        }
    }
}

pub fn render(r: &CheckResult, style: Style) -> String {
    let mut out = String::new();
    let below = r.projects.iter().filter(|p| !p.passed).count();
    let verdict = if !r.report_errors.is_empty() {
        style.paint(RED, "FAILED: some reports could not be read")
    } else if below > 0 {
        style.paint(
            RED,
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
        style.paint(GREEN, "passed")
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
            "change: diff against {} ({}), {} changed",
            esc(b),
            esc(r
                .change
                .base_commit
                .as_deref()
                .map_or("", |c| c.get(..c.len().min(12)).unwrap_or(c))),
            plural(r.change.changed_files as u64, "file")
        ),
        (None, Some(note)) => format!("change: {}", esc(note)),
        (None, None) => "change: none".to_string(),
    };
    if let Some(c) = &r.comparison {
        let line = esc(&format!("compared with {}: {}", c.against(), c.summary())).to_string();
        let _ = writeln!(
            out,
            "{}",
            if c.lowered().next().is_some() {
                style.paint(RED, &line)
            } else {
                line
            }
        );
    }
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{change}; config: {}; {} found",
            esc(&r.config),
            plural(r.reports_found as u64, "report")
        ))
    );
    for e in &r.report_errors {
        let _ = writeln!(out, "{} {}", style.paint(RED, "error:"), esc(&e.error));
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
            style.paint(GREEN, "✓")
        } else {
            style.paint(RED, "✗")
        };
        let _ = writeln!(
            out,
            "{} {}  {}",
            mark,
            style.bold(&esc(&p.name)),
            style.dim(&format!("{} ({})", esc(&where_), esc(&p.found_by)))
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
                        .map(|(k, v)| format!("{} = {}", esc(k), esc(&v.to_string())))
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
                esc(&c.id),
                esc(&c.detail)
            );
            if let Some(w) = &c.waiver {
                let _ = writeln!(
                    out,
                    "  {:<32} {}",
                    "",
                    style.paint(CYAN, &format!("waived: {}", esc(w)))
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
                let _ = writeln!(out, "    - {}", esc(s));
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
                YELLOW,
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
                esc(&e.subject),
                esc(e.project.as_deref().unwrap_or("(no project)")),
                esc(&e.reason)
            );
        }
    }
    out
}
