//! gcovr's JSON outputs: the per-line report (`gcovr --json`, `"gcovr/format_version"`) and
//! the summary (`gcovr --json-summary`, `"gcovr/summary_format_version"`).
//!
//! **`--json`**: `files[]` of `{file, lines[], functions[]}`.
//! - A line is `{line_number, count, branches[], function_name, …}`; lines marked
//!   `"gcovr/noncode"` or `"gcovr/excluded"` are not executable. gcovr lists a line once per
//!   function it belongs to (a C++ template per instantiation, a header per translation
//!   unit): the model merges them (hits add up, the line counts once; see README
//!   "Counting rules").
//! - A line's branches are its `branches[]`, each covered when its `count > 0`.
//! - Functions are `functions[]` (`name`, or `demangled_name` for C++; `lineno`,
//!   `execution_count`), one per name: gcovr
//!   names each template instantiation apart (`int twice<int>(int)`) and counts each, so do
//!   we. A file without `functions` (format versions before 0.6) has none.
//!
//! **`--json-summary`**: the root's `line_total`/`line_covered`, `branch_total`/…,
//! `function_total`/… are read as **totals only** (no per-line data), like Istanbul's
//! summary.

use std::io::BufRead;
use std::marker::PhantomData;

use serde::Deserialize;

use super::json;
use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Counter, Coverage, Totals};

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    file: String,
    #[serde(default)]
    lines: Vec<Line>,
    #[serde(default)]
    functions: Vec<Function>,
}

#[derive(Deserialize)]
struct Line {
    line_number: u32,
    #[serde(default)]
    count: u64,
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(rename = "gcovr/noncode", default)]
    noncode: bool,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    count: u64,
}

#[derive(Deserialize)]
struct Function {
    /// C functions have `name`; C++ ones `demangled_name` (and no `name`).
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    demangled_name: Option<String>,
    #[serde(default)]
    lineno: u32,
    #[serde(default)]
    execution_count: u64,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let report: Report = json::run(input, PhantomData::<Report>, "a gcovr JSON report")?;
    if report.files.is_empty() {
        return Err(ParseError::new(
            "the gcovr JSON report lists no files: it holds no coverage",
        ));
    }
    let mut cov = Coverage::new();
    let mut excluded = 0u64;
    for f in report.files {
        let file = cov.file_mut(&f.file);
        for l in f.lines {
            if l.noncode || l.excluded {
                excluded += 1;
                continue;
            }
            file.add_line(l.line_number, l.count);
            if !l.branches.is_empty() {
                let total = u32::try_from(l.branches.len()).unwrap_or(u32::MAX);
                let covered = l.branches.iter().filter(|b| b.count > 0).count();
                file.add_branches(
                    l.line_number,
                    total,
                    u32::try_from(covered).unwrap_or(u32::MAX),
                );
            }
        }
        for func in f.functions {
            let name = func
                .demangled_name
                .or(func.name)
                .unwrap_or_else(|| format!("line {}", func.lineno));
            file.add_function(name, func.lineno, func.execution_count);
        }
    }
    ctx.warn_count(
        excluded,
        "line marked gcovr/noncode or gcovr/excluded is not executable",
        "lines marked gcovr/noncode or gcovr/excluded are not executable",
    );
    Ok(cov)
}

#[derive(Deserialize)]
struct Summary {
    line_total: u64,
    line_covered: u64,
    #[serde(default)]
    branch_total: u64,
    #[serde(default)]
    branch_covered: u64,
    #[serde(default)]
    function_total: u64,
    #[serde(default)]
    function_covered: u64,
}

pub fn parse_summary(input: &mut dyn BufRead, _ctx: &mut Ctx) -> Result<Coverage> {
    let s: Summary = json::run(input, PhantomData::<Summary>, "a gcovr JSON summary")?;
    let c = |total: u64, covered: u64| Counter::new(total, covered.min(total));
    let mut cov = Coverage::new();
    cov.summary_only = Some(Totals {
        lines: c(s.line_total, s.line_covered),
        branches: c(s.branch_total, s.branch_covered),
        functions: c(s.function_total, s.function_covered),
    });
    Ok(cov)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_once_branches_and_instantiations() {
        // As gcovr 8.8 writes a template instantiated twice (fixtures/real/gcovr).
        let doc = r#"{"files":[{"file":"src/twice.hpp","lines":[
{"line_number":7,"function_name":"int twice<int>(int)","count":1,"branches":[]},
{"line_number":8,"function_name":"int twice<int>(int)","count":1,"branches":[{"count":1,"fallthrough":true,"throw":false},{"count":0,"fallthrough":false,"throw":false}]},
{"line_number":7,"function_name":"long twice<long>(long)","count":1,"branches":[]},
{"line_number":8,"function_name":"long twice<long>(long)","count":0,"branches":[{"count":0},{"count":0}]},
{"line_number":9,"count":0,"branches":[],"gcovr/noncode":true}],
"functions":[{"demangled_name":"int twice<int>(int)","lineno":7,"execution_count":1},{"demangled_name":"long twice<long>(long)","lineno":7,"execution_count":1}]}],
"gcovr/format_version":"0.15"}"#;
        let (c, ctx) = super::super::read_with(parse, doc).unwrap();
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2, 2));
        assert_eq!(t.branches, Counter::new(2, 1));
        assert_eq!(t.functions, Counter::new(2, 2));
        assert_eq!(ctx.warnings.len(), 1);
        let e = super::super::read_with(
            parse,
            r#"{"files":[{"file":"a.c","lines":[{"line_number":"x"}]}]}"#,
        )
        .unwrap_err();
        assert!(e.at.line.is_some(), "{e}");
    }

    #[test]
    fn summary_is_totals_only() {
        let doc = r#"{"root":"..","gcovr/summary_format_version":"0.6","line_total":34,"line_covered":27,"function_total":10,"function_covered":9,"branch_total":12,"branch_covered":7,"files":[]}"#;
        let (c, _) = super::super::read_with(parse_summary, doc).unwrap();
        let t = c.summary_only.unwrap();
        assert_eq!(
            (t.lines, t.branches, t.functions),
            (
                Counter::new(34, 27),
                Counter::new(12, 7),
                Counter::new(10, 9)
            )
        );
    }
}
