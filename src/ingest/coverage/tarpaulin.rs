//! cargo-tarpaulin's JSON report (`cargo tarpaulin --out Json`, `tarpaulin-report.json`):
//! `{"files":[{"path":["/","home",…,"lib.rs"],"traces":[{"line":5,"stats":{"Line":3},…}],
//! "covered":…,"coverable":…}],"coverage":…,"covered":…,"coverable":…}`.
//!
//! - A file's path is its `path` components joined with `/` (the first is `/` for an
//!   absolute path).
//! - Each trace with `stats.Line` is an executable line hit that many times. Traces of other
//!   kinds (tarpaulin's branch and condition statistics, never written by the line-coverage
//!   engines it ships) are skipped with a warning. tarpaulin has no function data.
//! - The files' `covered`/`coverable` are never used; a disagreement with the traces is a
//!   warning.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::marker::PhantomData;

use serde::Deserialize;

use super::json;
use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::Coverage;

#[derive(Deserialize)]
struct Report {
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    path: Vec<String>,
    #[serde(default)]
    traces: Vec<Trace>,
    covered: Option<u64>,
    coverable: Option<u64>,
}

#[derive(Deserialize)]
struct Trace {
    line: u32,
    #[serde(default)]
    stats: BTreeMap<String, serde_json::Value>,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let report: Report = json::run(input, PhantomData::<Report>, "a tarpaulin JSON report")?;
    if report.files.is_empty() {
        return Err(ParseError::new(
            "the tarpaulin report lists no files: it holds no coverage",
        ));
    }
    let mut cov = Coverage::new();
    let (mut other, mut disagree) = (0u64, None::<String>);
    for f in report.files {
        let path = join(&f.path);
        let file = cov.file_mut(&path);
        let mut lines = BTreeMap::new();
        for t in f.traces {
            match t.stats.get("Line").and_then(serde_json::Value::as_u64) {
                Some(hits) => {
                    let h: &mut u64 = lines.entry(t.line).or_insert(0);
                    *h = h.saturating_add(hits);
                }
                None => other += 1,
            }
        }
        let covered = lines.values().filter(|&&h| h > 0).count() as u64;
        if let (Some(c), Some(n)) = (f.covered, f.coverable) {
            if (c, n) != (covered, lines.len() as u64) && disagree.is_none() {
                disagree = Some(format!(
                    "{path}: covered/coverable {c}/{n} but the traces give {covered}/{}; the traces are used",
                    lines.len()
                ));
            }
        }
        for (line, hits) in lines {
            file.add_line(line, hits);
        }
    }
    ctx.warn_count(
        other,
        "trace without Line statistics (branch or condition data) skipped",
        "traces without Line statistics (branch or condition data) skipped",
    );
    if let Some(d) = disagree {
        ctx.warn(d);
    }
    Ok(cov)
}

/// `["/", "home", "u", "src", "lib.rs"]` → `/home/u/src/lib.rs`.
fn join(parts: &[String]) -> String {
    let mut s = String::new();
    for p in parts {
        if !s.is_empty() && !s.ends_with('/') {
            s.push('/');
        }
        s.push_str(p);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    #[test]
    fn traces_are_lines() {
        let doc = r#"{"files":[{"path":["/","home","u","p","src","lib.rs"],"content":"fn a() {}\n","traces":[
{"line":1,"address":[4305],"length":1,"stats":{"Line":2},"fn_name":"a"},
{"line":3,"address":[4400],"length":1,"stats":{"Line":0},"fn_name":null},
{"line":4,"address":[],"length":1,"stats":{"Branch":{}}}],"covered":1,"coverable":2}],
"coverage":50.0,"covered":1,"coverable":2}"#;
        let (c, ctx) = super::super::read_with(parse, doc).unwrap();
        assert_eq!(c.totals().lines, Counter::new(2, 1));
        assert!(c.file("/home/u/p/src/lib.rs").is_some());
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
        assert_eq!(join(&["src".into(), "a.rs".into()]), "src/a.rs");
    }
}
