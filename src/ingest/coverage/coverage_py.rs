//! coverage.py JSON (`coverage json`):
//!
//! ```json
//! {"meta": {"version": "7.17.3", "format": 3, "branch_coverage": true, …},
//!  "files": {"a.py": {"executed_lines": […], "missing_lines": […], "excluded_lines": […],
//!                     "executed_branches": [[from, to], …], "missing_branches": […],
//!                     "functions": {"Cls.meth": {"executed_lines": […], "missing_lines": […],
//!                                                "start_line": 4, …}, …},
//!                     "classes": {…}, "summary": {…}}},
//!  "totals": {…}}
//! ```
//!
//! - **Lines**: executable = executed ∪ missing (excluded lines are not executable); executed
//!   lines have 1 hit (the format records no counts), missing ones 0.
//! - **Branches** per source line: total = executed + missing arcs leaving that line, covered =
//!   executed arcs (arcs to a negative line, i.e. exits, count like any other). Without
//!   `--branch` the report has no arcs and branches are 0/0 (a warning says so).
//! - **Functions**: JSON format 3 (coverage.py 7.5 and later) has per-file `functions` with their
//!   own executed/missing lines; a function is covered when it has an executed line and is on
//!   its `start_line` (coverage.py ≥ 7.13.1), else on its first statement. The `""` entry
//!   (module-level code) is not a function, nor is one whose lines are all excluded. Older
//!   formats have no function data (a warning says so).
//!
//! - **Contexts** (`coverage json --show-contexts`, after `pytest --cov-context=test`): the
//!   contexts of each line are kept in [`Ctx::contexts`] (the per-test small coverage is
//!   derived from them); a report whose only context is `""` has none.
//!
//! Streamed one file entry at a time.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::json::{self, JsonPath};
use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Coverage, FileCoverage};

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    format: Option<u32>,
    #[serde(default)]
    branch_coverage: Option<bool>,
}

#[derive(Deserialize)]
struct FunctionEntry {
    #[serde(default)]
    executed_lines: Vec<u32>,
    #[serde(default)]
    missing_lines: Vec<u32>,
    #[serde(default)]
    start_line: Option<u32>,
}

#[derive(Deserialize)]
struct FileEntry {
    executed_lines: Vec<u32>,
    missing_lines: Vec<u32>,
    #[serde(default)]
    executed_branches: Option<Vec<(i64, i64)>>,
    #[serde(default)]
    missing_branches: Option<Vec<(i64, i64)>>,
    #[serde(default)]
    functions: Option<HashMap<String, FunctionEntry>>,
    /// `--show-contexts`: line (as a string) → the contexts that ran it.
    #[serde(default)]
    contexts: Option<HashMap<String, Vec<String>>>,
}

#[derive(Default)]
struct State {
    path: JsonPath,
    cov: Coverage,
    meta: Option<Meta>,
    saw_files: bool,
    files: u64,
    files_with_functions: u64,
    files_with_arcs: u64,
    contexts: crate::ingest::TestContexts,
    context_index: HashMap<String, u32>,
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut st = State::default();
    let r = json::run(input, Top(&mut st), "a coverage.py JSON report");
    if let Err(e) = r {
        return Err(json::with_path(e, &st.path));
    }
    if !st.saw_files {
        return Err(ParseError::new(
            "not a coverage.py JSON report: no \"files\" object",
        ));
    }
    if st.files == 0 {
        return Err(ParseError::new(
            "the coverage.py report lists no files: it holds no coverage",
        ));
    }
    if st.contexts.names.iter().any(|n| !n.is_empty()) {
        ctx.contexts = Some(std::mem::take(&mut st.contexts));
    }
    let meta = st.meta.unwrap_or_default();
    if st.files_with_arcs == 0 && meta.branch_coverage != Some(true) {
        ctx.warn(
            "branch coverage was not measured (run coverage.py with --branch): branches are 0/0",
        );
    }
    if st.files_with_functions == 0 {
        let format = meta
            .format
            .map_or_else(|| "no format number".to_string(), |f| format!("format {f}"));
        ctx.warn(format!(
            "the report ({format}) has no per-function data (coverage.py 7.5 or later writes it): functions are 0/0"
        ));
    }
    Ok(st.cov)
}

struct Top<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a coverage.py report object {\"meta\": …, \"files\": {…}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "meta" => {
                    st.path.field("meta");
                    st.meta = Some(map.next_value()?);
                    st.path.pop();
                }
                "files" => {
                    st.saw_files = true;
                    st.path.field("files");
                    map.next_value_seed(Files(&mut *st))?;
                    st.path.pop();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
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
        f.write_str("an object of files {\"a.py\": {\"executed_lines\": …}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            st.path.key(&key);
            let mut entry: FileEntry = map.next_value()?;
            st.path.pop();
            if let Some(contexts) = entry.contexts.take() {
                // Keys are line numbers; anything else is not a line of the file. In line
                // order, so that context numbers do not depend on hash order.
                let mut by_line: Vec<(u32, Vec<String>)> = contexts
                    .into_iter()
                    .filter_map(|(line, names)| Some((line.parse::<u32>().ok()?, names)))
                    .collect();
                by_line.sort_unstable_by_key(|(line, _)| *line);
                let mut lines: Vec<(u32, u32)> = Vec::new();
                for (line, names) in by_line {
                    for n in names {
                        lines.push((line, st.contexts.intern(&mut st.context_index, &n)));
                    }
                }
                lines.sort_unstable();
                st.contexts.files.push((key.clone(), lines));
            }
            if entry.executed_branches.is_some() || entry.missing_branches.is_some() {
                st.files_with_arcs += 1;
            }
            if entry.functions.is_some() {
                st.files_with_functions += 1;
            }
            st.files += 1;
            st.cov.push_file(convert(key, entry));
        }
        Ok(())
    }
}

fn convert(path: String, e: FileEntry) -> FileCoverage {
    let mut file = FileCoverage::new(path);
    for &l in &e.executed_lines {
        file.add_line(l, 1);
    }
    for &l in &e.missing_lines {
        // A line listed both ways (never by coverage.py itself) merges to covered.
        file.add_line(l, 0);
    }
    let mut arcs: Vec<(i64, bool)> = Vec::new();
    for &(from, _) in e.executed_branches.iter().flatten() {
        arcs.push((from, true));
    }
    for &(from, _) in e.missing_branches.iter().flatten() {
        arcs.push((from, false));
    }
    arcs.retain(|&(from, _)| from > 0 && from <= i64::from(u32::MAX));
    arcs.sort_unstable();
    let mut i = 0;
    while i < arcs.len() {
        let line = arcs[i].0;
        let (mut total, mut covered) = (0u32, 0u32);
        while i < arcs.len() && arcs[i].0 == line {
            total += 1;
            covered += u32::from(arcs[i].1);
            i += 1;
        }
        file.add_branches(line as u32, total, covered);
    }
    for (name, f) in e.functions.into_iter().flatten() {
        if name.is_empty() || (f.executed_lines.is_empty() && f.missing_lines.is_empty()) {
            continue;
        }
        let first = f
            .executed_lines
            .iter()
            .chain(&f.missing_lines)
            .copied()
            .min()
            .unwrap_or(0);
        let line = f.start_line.unwrap_or(first);
        let end = f
            .executed_lines
            .iter()
            .chain(&f.missing_lines)
            .copied()
            .max()
            .unwrap_or(0);
        let hits = u64::from(!f.executed_lines.is_empty());
        file.add_function_range(name, line, end, hits);
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn per_test_contexts_are_kept() {
        // `coverage json --show-contexts` after `pytest --cov-context=test` (coverage.py
        // 7.17.5's shape).
        let doc = r#"{"meta": {"format": 3, "version": "7.17.5", "branch_coverage": false, "show_contexts": true},
          "files": {"src/a.py": {"executed_lines": [1, 2, 3], "missing_lines": [4],
            "contexts": {"1": [""], "2": ["tests/unit/test_a.py::test_x|run", "tests/it/test_b.py::T::test_y|run"], "3": ["tests/it/test_b.py::T::test_y|run"]}}}}"#;
        let (_, ctx) = read(doc).unwrap();
        let c = ctx.contexts.expect("contexts kept");
        assert_eq!(
            c.names,
            [
                "",
                "tests/unit/test_a.py::test_x|run",
                "tests/it/test_b.py::T::test_y|run"
            ]
        );
        assert_eq!(
            c.files,
            [("src/a.py".to_string(), vec![(1, 0), (2, 1), (2, 2), (3, 2)])]
        );
        // `--show-contexts` without per-test contexts: only the empty one, no data.
        let doc = r#"{"meta": {"format": 3}, "files": {"a.py": {"executed_lines": [1], "missing_lines": [], "contexts": {"1": [""]}}}}"#;
        assert_eq!(read(doc).unwrap().1.contexts, None);
    }

    #[test]
    fn lines_arcs_functions() {
        let doc = r#"{"meta": {"version": "7.17.3", "format": 3, "branch_coverage": true},
 "files": {"pkg/a.py": {"executed_lines": [1, 2, 3, 5], "missing_lines": [4, 8], "excluded_lines": [9],
   "executed_branches": [[2, 3], [5, -1]], "missing_branches": [[2, 4], [5, 8]],
   "functions": {"f": {"executed_lines": [2, 3], "missing_lines": [4], "start_line": 1},
                 "g": {"executed_lines": [], "missing_lines": [8]},
                 "h": {"executed_lines": [], "missing_lines": [], "excluded_lines": [9]},
                 "": {"executed_lines": [1, 5], "missing_lines": []}},
   "summary": {"covered_lines": 4}}},
 "totals": {"covered_lines": 4}}"#;
        let (c, ctx) = read(doc).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(6, 4));
        assert_eq!(t.branches, Counter::new(4, 2));
        assert_eq!(t.functions, Counter::new(2, 1));
        let f = &c.files()[0].functions;
        assert_eq!((&*f[0].name, f[0].line, f[0].hits), ("f", 1, 1));
        assert_eq!((&*f[1].name, f[1].line, f[1].hits), ("g", 8, 0));
        assert_eq!(
            (f[0].end, f[1].end),
            (4, 8),
            "a function region ends at its last line"
        );
    }

    #[test]
    fn old_format_without_branches_or_functions_warns() {
        let doc = r#"{"meta": {"version": "5.5", "timestamp": "x", "branch_coverage": false, "show_contexts": false},
 "files": {"a.py": {"executed_lines": [1], "summary": {}, "missing_lines": [2], "excluded_lines": []}}, "totals": {}}"#;
        let (c, ctx) = read(doc).unwrap();
        assert_eq!(c.totals().lines, Counter::new(2, 1));
        assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
    }

    #[test]
    fn errors_say_where() {
        let doc = "{\"meta\": {\"format\": 3},\n \"files\": {\"a.py\": {\"executed_lines\": [1, \"two\"], \"missing_lines\": []}}}";
        let e = read(doc).unwrap_err();
        assert_eq!(e.at.path.as_deref(), Some("files/a.py"), "{e}");
        assert_eq!(e.at.line.map(|l| l.0), Some(2));
        let e =
            read("{\"meta\": {\"format\": 3}, \"files\": {\"a.py\": {\"executed_lines\": [1]}}}")
                .unwrap_err();
        assert!(e.message.contains("missing_lines"), "{e}");
        let e =
            read("{\"meta\": {}, \"files\": {\"a.py\": {\"executed_lines\": [1, 2").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
        assert!(read("{\"meta\": {}}").is_err());
        assert!(read("{\"meta\": {}, \"files\": {}}").is_err());
    }
}
