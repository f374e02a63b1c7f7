//! Istanbul / nyc / c8 / Jest / Vitest JSON: `coverage-final.json` and
//! `coverage-summary.json`.
//!
//! `coverage-final.json` is `{path: {path, statementMap, s, fnMap, f, branchMap, b}}`:
//! - **lines** as istanbul-lib-coverage's `getLineCoverage()` computes them (what nyc's text
//!   and lcov reporters print): every statement counted in `s` gives the line its `start` is
//!   on the max of the hits of the statements starting there;
//! - **branches**: every entry of every `b` array is one branch, covered when > 0, placed on
//!   the line its `branchMap` entry starts on (`loc`, else `line`, else its first location);
//! - **functions**: each `fnMap` entry with its `f` count, on its `decl` (else `loc`) line.
//!   Function names repeated within a file (two `render` methods) get ` (line N)` appended so
//!   that both count.
//!
//! `coverage-summary.json` (`{"total": {"lines": {"total", "covered", …}, "statements",
//! "functions", "branches"}, "<file>": {…}}`) holds totals only: it is read into
//! [`Coverage::summary_only`] from `"total"`. (The inspect layer says that it is totals only.)
//!
//! Both are streamed one file entry at a time.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::json::{self, JsonPath};
use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Counter, Coverage, FileCoverage, Totals};

#[derive(Deserialize, Default)]
struct Pos {
    #[serde(default)]
    line: Option<u32>,
}

#[derive(Deserialize, Default)]
struct Range {
    #[serde(default)]
    start: Pos,
    #[serde(default)]
    end: Pos,
}

#[derive(Deserialize)]
struct FnEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    decl: Option<Range>,
    #[serde(default)]
    loc: Option<Range>,
    #[serde(default)]
    line: Option<u32>,
}

#[derive(Deserialize)]
struct BranchEntry {
    #[serde(default)]
    loc: Option<Range>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    locations: Vec<Range>,
}

/// One file entry. Counts are read as f64-tolerant integers ([`Hits`]).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileEntry {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    statement_map: HashMap<u32, Range>,
    #[serde(default)]
    s: HashMap<u32, Hits>,
    #[serde(default)]
    fn_map: HashMap<u32, FnEntry>,
    #[serde(default)]
    f: HashMap<u32, Hits>,
    #[serde(default)]
    branch_map: HashMap<u32, BranchEntry>,
    #[serde(default)]
    b: HashMap<u32, Vec<Hits>>,
}

/// A hit count; null or negative reads as 0.
#[derive(Clone, Copy, Default)]
struct Hits(u64);

impl<'de> Deserialize<'de> for Hits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Hits;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hit count")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Hits, E> {
                Ok(Hits(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Hits, E> {
                Ok(Hits(v.max(0) as u64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Hits, E> {
                Ok(Hits(if v.is_finite() && v > 0.0 {
                    v as u64
                } else {
                    0
                }))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Hits, E> {
                Ok(Hits(0))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Default)]
struct State {
    path: JsonPath,
    cov: Coverage,
    files: u64,
    /// Branch counts with no `branchMap` entry to place them on.
    unplaced_branches: u64,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut st = State::default();
    let r = json::run(input, Files(&mut st), "an Istanbul coverage-final.json");
    if let Err(e) = r {
        return Err(json::with_path(e, &st.path));
    }
    if st.files == 0 {
        return Err(ParseError::new(
            "the Istanbul report lists no files: it holds no coverage",
        ));
    }
    ctx.warn_count(
        st.unplaced_branches,
        "branch count has no branchMap entry and is not counted",
        "branch counts have no branchMap entry and are not counted",
    );
    Ok(st.cov)
}

struct Files<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Files<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Files<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of file entries {\"path\": {\"statementMap\": …}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            st.path.key(&key);
            let entry: FileEntry = map.next_value()?;
            st.path.pop();
            let path = entry.path.clone().filter(|p| !p.is_empty()).unwrap_or(key);
            let file = convert(path, entry, &mut st.unplaced_branches);
            st.files += 1;
            st.cov.push_file(file);
        }
        Ok(())
    }
}

fn convert(path: String, e: FileEntry, unplaced: &mut u64) -> FileCoverage {
    let mut file = FileCoverage::new(path);
    // Lines: getLineCoverage(): each counted statement's start line takes the max.
    let mut lines: Vec<(u32, u64)> =
        e.s.iter()
            .filter_map(|(id, hits)| {
                let line = e.statement_map.get(id)?.start.line?;
                (line > 0).then_some((line, hits.0))
            })
            .collect();
    lines.sort_unstable();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].0;
        let mut hits = 0;
        while i < lines.len() && lines[i].0 == line {
            hits = hits.max(lines[i].1);
            i += 1;
        }
        file.add_line(line, hits);
    }
    // Branches: every entry of every `b` array, summed per line.
    let mut branches: Vec<(u32, u32, u32)> = Vec::new();
    for (id, counts) in &e.b {
        let line = e.branch_map.get(id).and_then(|b| {
            b.loc
                .as_ref()
                .and_then(|l| l.start.line)
                .or(b.line)
                .or_else(|| b.locations.first().and_then(|l| l.start.line))
        });
        match line {
            Some(line) => {
                let covered = counts.iter().filter(|c| c.0 > 0).count();
                branches.push((line, counts.len() as u32, covered as u32));
            }
            None => *unplaced += counts.len() as u64,
        }
    }
    branches.sort_unstable();
    let mut i = 0;
    while i < branches.len() {
        let line = branches[i].0;
        let (mut total, mut covered) = (0u32, 0u32);
        while i < branches.len() && branches[i].0 == line {
            total += branches[i].1;
            covered += branches[i].2;
            i += 1;
        }
        if total > 0 {
            file.add_branches(line, total, covered);
        }
    }
    // Functions, with repeated names made distinct by their line.
    let mut fns: Vec<(u32, String, u32, u32, u64)> = e
        .fn_map
        .into_iter()
        .map(|(id, f)| {
            let line = f
                .decl
                .as_ref()
                .and_then(|r| r.start.line)
                .or_else(|| f.loc.as_ref().and_then(|r| r.start.line))
                .or(f.line)
                .unwrap_or(0);
            let name = f
                .name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("(anonymous_{id})"));
            // The body's last line (`loc` is the whole function, `decl` its name only).
            let end = f.loc.as_ref().and_then(|r| r.end.line).unwrap_or(0);
            (id, name, line, end, e.f.get(&id).map_or(0, |h| h.0))
        })
        .collect();
    fns.sort_unstable_by_key(|f| f.0);
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for (_, name, _, _, _) in &fns {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    let repeated: Vec<bool> = fns.iter().map(|f| seen[f.1.as_str()] > 1).collect();
    for ((_, name, line, end, hits), rep) in fns.into_iter().zip(repeated) {
        if rep {
            file.add_function_range(format!("{name} (line {line})"), line, end, hits);
        } else {
            file.add_function_range(name, line, end, hits);
        }
    }
    file
}

/// One metric of `coverage-summary.json`.
#[derive(Deserialize)]
struct Metric {
    total: u64,
    covered: u64,
}

#[derive(Deserialize)]
struct SummaryEntry {
    lines: Metric,
    #[serde(default)]
    functions: Option<Metric>,
    #[serde(default)]
    branches: Option<Metric>,
}

pub fn parse_summary(input: &mut dyn BufRead, _ctx: &mut Ctx) -> Result<Coverage> {
    struct Top<'a>(&'a mut JsonPath);
    impl<'de> DeserializeSeed<'de> for Top<'_> {
        type Value = Option<SummaryEntry>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Top<'_> {
        type Value = Option<SummaryEntry>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a coverage-summary object {\"total\": {\"lines\": …}}")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut total = None;
            while let Some(key) = map.next_key::<String>()? {
                self.0.key(&key);
                if key == "total" {
                    total = Some(map.next_value::<SummaryEntry>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                self.0.pop();
            }
            Ok(total)
        }
    }
    let mut path = JsonPath::default();
    let r = json::run(input, Top(&mut path), "an Istanbul coverage-summary.json");
    let total = match r {
        Ok(t) => t,
        Err(e) => return Err(json::with_path(e, &path)),
    };
    let Some(t) = total else {
        return Err(ParseError::new(
            "the Istanbul coverage summary has no \"total\" entry",
        ));
    };
    let c = |m: &Metric| Counter::new(m.total, m.covered.min(m.total));
    let mut cov = Coverage::new();
    cov.summary_only = Some(Totals {
        lines: c(&t.lines),
        branches: t.branches.as_ref().map(c).unwrap_or_default(),
        functions: t.functions.as_ref().map(c).unwrap_or_default(),
    });
    Ok(cov)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    const SAMPLE: &str = r#"{"/src/a.js": {"path": "/src/a.js",
 "statementMap": {"0": {"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 9}},
                  "1": {"start": {"line": 2, "column": 2}, "end": {"line": 2, "column": 9}},
                  "2": {"start": {"line": 2, "column": 11}, "end": {"line": 2, "column": 20}},
                  "3": {"start": {"line": 4, "column": 2}, "end": {"line": 6, "column": 1}}},
 "s": {"0": 1, "1": 0, "2": 3, "3": 0},
 "fnMap": {"0": {"name": "render", "decl": {"start": {"line": 1, "column": 9}, "end": {}}, "loc": {"start": {"line": 1}, "end": {"line": 3, "column": 1}}, "line": 1},
           "1": {"name": "render", "decl": {"start": {"line": 4, "column": 9}}, "line": 4},
           "2": {"name": "(anonymous_2)", "loc": {"start": {"line": 5, "column": null}}}},
 "f": {"0": 2, "1": 0, "2": 1},
 "branchMap": {"0": {"loc": {"start": {"line": 2}}, "type": "if", "locations": [{}, {}], "line": 2},
               "1": {"type": "cond-expr", "locations": [{"start": {"line": 2}}, {"start": {"line": 2}}]},
               "2": {"line": 5, "type": "switch", "locations": []}},
 "b": {"0": [1, 0], "1": [0, 0], "2": [1, 1, 0]}}}"#;

    #[test]
    fn lines_branches_functions() {
        let (c, ctx) = read(SAMPLE).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        let f = c.file("/src/a.js").unwrap();
        // Line 2: two statements, 0 and 3 hits: max 3. Line 4: the multi-line statement.
        assert_eq!(f.hits(2), Some(3));
        assert_eq!(f.hits(4), Some(0));
        assert_eq!(f.hits(5), None);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(3, 2));
        assert_eq!(t.branches, Counter::new(7, 3));
        assert_eq!(t.functions, Counter::new(3, 2));
        let names: Vec<_> = f.functions.iter().map(|f| &*f.name).collect();
        assert_eq!(
            names,
            ["render (line 1)", "render (line 4)", "(anonymous_2)"]
        );
        // `loc`'s end is the body's last line (0 when not given).
        let ends: Vec<_> = f.functions.iter().map(|f| f.end).collect();
        assert_eq!(ends, [3, 0, 0]);
    }

    #[test]
    fn errors_say_where() {
        let e = read("{\"a.js\": {\"path\": \"a.js\",\n \"s\": {\"0\": \"x\"}}}").unwrap_err();
        assert_eq!(e.at.path.as_deref(), Some("a.js"), "{e}");
        assert_eq!(e.at.line.map(|l| l.0), Some(2));
        let e = read(&SAMPLE[..SAMPLE.len() - 40]).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
        assert!(read("{}").is_err());
        assert!(read("[]").is_err());
    }

    #[test]
    fn summary_is_totals_only() {
        let doc = r#"{"total": {"lines": {"total": 10, "covered": 7, "skipped": 0, "pct": 70},
  "statements": {"total": 12, "covered": 8, "skipped": 0, "pct": 66.67},
  "functions": {"total": 3, "covered": 3, "skipped": 0, "pct": 100},
  "branches": {"total": 0, "covered": 0, "skipped": 0, "pct": "Unknown"}},
 "/src/a.js": {"lines": {"total": 10, "covered": 7, "skipped": 0, "pct": 70}}}"#;
        let mut ctx = Ctx::default();
        let c = parse_summary(&mut doc.as_bytes(), &mut ctx).unwrap();
        assert!(
            ctx.warnings.is_empty(),
            "the inspect layer warns: {:?}",
            ctx.warnings
        );
        assert!(c.files().is_empty());
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(10, 7));
        assert_eq!(t.functions, Counter::new(3, 3));
        assert_eq!(t.branches, Counter::new(0, 0));
        assert!(parse_summary(&mut &b"{\"/a.js\": {}}"[..], &mut ctx).is_err());
        assert!(
            parse_summary(&mut &b"{\"total\": {\"lines\": {\"total\": 1"[..], &mut ctx).is_err()
        );
    }
}
