//! `llvm-cov export -format=text` JSON (what `cargo llvm-cov --json`, `grcov` inputs and
//! clang's source-based coverage produce):
//!
//! ```json
//! {"data":[{"files":[{"filename":"a.rs","segments":[[line,col,count,hasCount,isRegionEntry,isGapRegion],…],
//!                     "branches":[[line,col,endLine,endCol,trueCount,falseCount,fileID,expandedFileID,kind],…]}],
//!           "functions":[{"name":"…","count":3,"regions":[[ls,cs,le,ce,count,fileID,expandedFileID,kind],…],
//!                         "filenames":["a.rs"]}]}],
//!  "type":"llvm.coverage.json.export","version":"2.0.1"}
//! ```
//!
//! **Lines** follow LLVM's `LineCoverageStats` (llvm/lib/ProfileData/Coverage) over the
//! file's merged segments, each source line once. `llvm-cov report` (and `cargo llvm-cov`)
//! count lines per function instead, so a line that a closure or a second instantiation
//! shares with its function counts twice there: their figure can be higher than this one.
//! `--summary-only` exports (files without `segments`) are read as totals only, from
//! `data[].totals`. Walking the file's segments line
//! by line, with the *wrapped* segment being the last segment of the closest earlier line
//! that has segments:
//! - a segment *starts a region* when it has a count, is a region entry and is not a gap;
//! - a line is executable unless its first segment is the entry of a skipped region (entry
//!   without a count), when a region starts on it or the wrapped segment has a count; it is
//!   executable in any case when some segment on it is a region entry with a count;
//! - its count is the wrapped segment's count, raised to the largest count of the regions
//!   starting on it.
//!
//! Lines are only those from the first to the last segment's line. Version 2.0.0 exports
//! have 5-element segments (no gap flag): read as not a gap.
//!
//! **Branches**: each branch entry is two outcomes (true, false), covered when their count is
//! non-zero. Entries at the same location (the same branch in several instantiations of a
//! generic or template function) are merged by adding their counts first, which is what
//! `llvm-cov report` prints for files. Branches inside macro expansions listed under
//! `expansions` are not read.
//!
//! **Functions** come from `data[].functions`, attributed to `filenames[0]`, covered when
//! `count > 0`, and counted only for files the export's `files` lists (cargo llvm-cov's
//! ignore regex drops test files from `files` but not from `functions`). Instantiations of one function (same file and start position: generics,
//! templates) are one function, as `llvm-cov report`'s Functions column counts them; the
//! first instantiation's (mangled) name is kept.
//!
//! The document is streamed from the reader with serde visitors: one file's branch list is
//! the only thing buffered, no `serde_json::Value` is built.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::json::{self, JsonPath};
use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Counter, Coverage, FileCoverage, Totals};

const WHAT: &str = "an llvm-cov JSON export";

/// A run of lines wider than this under one region is not a real source file.
const MAX_LINE_GAP: u32 = 5_000_000;

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut st = State::default();
    let r = json::run(input, Top(&mut st), WHAT);
    if let Err(e) = r {
        return Err(json::with_path(e, &st.path));
    }
    st.finish(ctx)
}

#[derive(Default)]
struct State {
    path: JsonPath,
    cov: Coverage,
    saw_data: bool,
    files: u64,
    /// Function instantiation groups: (file, line, col) → (first name, summed count).
    functions: HashMap<(String, u32, u32), (String, u64, u32)>,
    function_order: Vec<(String, u32, u32)>,
    /// Functions with no region in their own file (nothing to place them on).
    unplaced_functions: u64,
    version: Option<String>,
    /// Files listed without `segments` (`--summary-only` exports hold only a `summary`).
    files_without_segments: u64,
    /// `data[].totals`, summed over the export objects.
    totals: Option<Totals>,
}

/// `{"count":N,"covered":M,…}` of a `totals` entry.
#[derive(Deserialize, Default, Clone, Copy)]
struct Summed {
    #[serde(default)]
    count: u64,
    #[serde(default)]
    covered: u64,
}

/// `data[].totals` (and a file's `summary`): `lines`, `functions`, `branches`, … each a
/// [`Summed`].
#[derive(Deserialize, Default)]
struct TotalsObj {
    #[serde(default)]
    lines: Summed,
    #[serde(default)]
    functions: Summed,
    #[serde(default)]
    branches: Summed,
}

impl State {
    fn finish(mut self, ctx: &mut Ctx) -> Result<Coverage> {
        if !self.saw_data {
            return Err(ParseError::new(format!("not {WHAT}: no \"data\" array")));
        }
        if self.files == 0 {
            return Err(ParseError::new(
                "the llvm-cov export lists no files: it holds no coverage",
            ));
        }
        if let Some(v) = &self.version {
            if !matches!(v.split('.').next(), Some("2" | "3")) {
                ctx.warn(format!(
                    "llvm-cov export version {v} is newer than the versions testcert knows (2.x, 3.x); read as 3.x"
                ));
            }
        }
        if self.files_without_segments == self.files {
            // `--summary-only`: no per-line data at all, only the stated totals.
            let Some(t) = self.totals else {
                return Err(ParseError::new(
                    "the llvm-cov export lists files without segments and has no totals: it holds no coverage",
                ));
            };
            ctx.warn("a summary-only export (llvm-cov export -summary-only, cargo llvm-cov --summary-only): its totals are read, without per-line data");
            let mut cov = Coverage::new();
            cov.summary_only = Some(t);
            return Ok(cov);
        }
        ctx.warn_count(
            self.files_without_segments,
            "file has no segments (no per-line data) and counts no line",
            "files have no segments (no per-line data) and count no line",
        );
        let mut unlisted = 0u64;
        for key in self.function_order {
            let (name, hits, end) = self.functions.remove(&key).unwrap_or_default();
            // Functions of files the export's `files` left out (cargo llvm-cov's ignore
            // regex drops test files from `files` but not from `functions`) are not counted:
            // the file is not part of the report.
            if self.cov.file(&key.0).is_none() {
                unlisted += 1;
                continue;
            }
            self.cov
                .file_mut(&key.0)
                .add_function_range(name, key.1, end, hits);
        }
        ctx.warn_count(
            self.unplaced_functions,
            "function has no region in its own file and is not counted",
            "functions have no region in their own file and are not counted",
        );
        ctx.warn_count(
            unlisted,
            "function belongs to a file the export's files list leaves out and is not counted",
            "functions belong to files the export's files list leaves out and are not counted",
        );
        Ok(self.cov)
    }
}

/// The top-level object.
struct Top<'a>(&'a mut State);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum TopField {
    Data,
    Type,
    Version,
    #[serde(other)]
    Other,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an llvm-cov export object {\"data\":[…],\"type\":…}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(k) = map.next_key::<TopField>()? {
            match k {
                TopField::Data => {
                    st.saw_data = true;
                    st.path.field("data");
                    map.next_value_seed(Each(&mut *st, ExportObj))?;
                    st.path.pop();
                }
                TopField::Type => {
                    let t: String = map.next_value()?;
                    if t != "llvm.coverage.json.export" {
                        return Err(de::Error::custom(format!(
                            "\"type\" is {t:?}, not \"llvm.coverage.json.export\""
                        )));
                    }
                }
                TopField::Version => st.version = Some(map.next_value()?),
                TopField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Something that reads one array element with the state at hand.
trait Element: Copy {
    const EXPECTING: &'static str;
    fn read<'de, D: Deserializer<'de>>(self, st: &mut State, d: D) -> Result<(), D::Error>;
}

/// An array whose elements are each read by `E`, with the index kept in the path.
struct Each<'a, E>(&'a mut State, E);

impl<'de, E: Element> DeserializeSeed<'de> for Each<'_, E> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, E: Element> Visitor<'de> for Each<'_, E> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array of {}", E::EXPECTING)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Each(st, e) = self;
        let mut i = 0;
        loop {
            st.path.index(i);
            if seq.next_element_seed(One(&mut *st, e))?.is_none() {
                break;
            }
            i += 1;
        }
        st.path.end_array();
        Ok(())
    }
}

struct One<'a, E>(&'a mut State, E);

impl<'de, E: Element> DeserializeSeed<'de> for One<'_, E> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.1.read(self.0, d)
    }
}

/// One element of `data`: `{"files":[…],"functions":[…],"totals":{…}}`.
#[derive(Clone, Copy)]
struct ExportObj;

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum ExportField {
    Files,
    Functions,
    Totals,
    #[serde(other)]
    Other,
}

impl Element for ExportObj {
    const EXPECTING: &'static str = "export objects";
    fn read<'de, D: Deserializer<'de>>(self, st: &mut State, d: D) -> Result<(), D::Error> {
        struct V<'a>(&'a mut State);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an export object {\"files\":[…],\"functions\":[…]}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let st = self.0;
                while let Some(k) = map.next_key::<ExportField>()? {
                    match k {
                        ExportField::Files => {
                            st.path.field("files");
                            map.next_value_seed(Each(&mut *st, FileObj))?;
                            st.path.pop();
                        }
                        ExportField::Functions => {
                            st.path.field("functions");
                            map.next_value_seed(Each(&mut *st, FunctionObj))?;
                            st.path.pop();
                        }
                        ExportField::Totals => {
                            st.path.field("totals");
                            let t: TotalsObj = map.next_value()?;
                            st.path.pop();
                            let c = |s: Summed| Counter::new(s.count, s.covered.min(s.count));
                            let mine = st.totals.get_or_insert_with(Totals::default);
                            for (m, s) in [
                                (&mut mine.lines, t.lines),
                                (&mut mine.functions, t.functions),
                                (&mut mine.branches, t.branches),
                            ] {
                                let s = c(s);
                                m.total += s.total;
                                m.covered += s.covered;
                            }
                        }
                        ExportField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(())
            }
        }
        d.deserialize_map(V(st))
    }
}

/// One element of `files`.
#[derive(Clone, Copy)]
struct FileObj;

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum FileField {
    Filename,
    Segments,
    Branches,
    #[serde(other)]
    Other,
}

impl Element for FileObj {
    const EXPECTING: &'static str = "file objects";
    fn read<'de, D: Deserializer<'de>>(self, st: &mut State, d: D) -> Result<(), D::Error> {
        struct V<'a>(&'a mut State);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a file object {\"filename\":…,\"segments\":[…]}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let st = self.0;
                let mut name: Option<String> = None;
                let mut lines = LineWalker::default();
                let mut branches: Vec<Branch> = Vec::new();
                let mut segments = false;
                while let Some(k) = map.next_key::<FileField>()? {
                    match k {
                        FileField::Filename => name = Some(map.next_value()?),
                        FileField::Segments => {
                            segments = true;
                            st.path.field("segments");
                            map.next_value_seed(Segments(&mut *st, &mut lines))?;
                            st.path.pop();
                        }
                        FileField::Branches => {
                            st.path.field("branches");
                            map.next_value_seed(Branches(&mut *st, &mut branches))?;
                            st.path.pop();
                        }
                        FileField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let name = name
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| de::Error::missing_field("filename"))?;
                let mut file = lines.finish();
                file.path = name;
                add_branches(&mut file, branches);
                st.files += 1;
                if !segments {
                    st.files_without_segments += 1;
                }
                st.cov.push_file(file);
                Ok(())
            }
        }
        d.deserialize_map(V(st))
    }
}

/// An execution count: a non-negative integer (a negative one, from a corrupt profile, is 0;
/// a float is truncated).
struct Count(u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an execution count")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                Ok(Count(v.max(0) as u64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count, E> {
                Ok(Count(if v.is_finite() && v > 0.0 {
                    v as u64
                } else {
                    0
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// A line or column number.
fn pos<E: de::Error>(v: u64, what: &str) -> Result<u32, E> {
    u32::try_from(v).map_err(|_| E::custom(format!("{what} {v} is out of range")))
}

/// `[line, col, count, hasCount, isRegionEntry, isGapRegion?]`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Segment {
    line: u32,
    count: u64,
    has_count: bool,
    entry: bool,
    gap: bool,
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Segment;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a segment [line, col, count, hasCount, isRegionEntry, isGapRegion]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Segment, A::Error> {
                let short = || de::Error::custom("a segment needs at least 5 elements");
                let line: u64 = seq.next_element()?.ok_or_else(short)?;
                let _col: u64 = seq.next_element()?.ok_or_else(short)?;
                let count: Count = seq.next_element()?.ok_or_else(short)?;
                let has_count: bool = seq.next_element()?.ok_or_else(short)?;
                let entry: bool = seq.next_element()?.ok_or_else(short)?;
                let gap: bool = seq.next_element()?.unwrap_or(false);
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Segment {
                    line: pos(line, "line")?,
                    count: count.0,
                    has_count,
                    entry,
                    gap,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

/// What LLVM's `LineCoverageStats` needs from the segments of one line.
#[derive(Clone, Copy, Default)]
struct LineAcc {
    /// (hasCount, isRegionEntry) of the first segment on the line.
    first: Option<(bool, bool)>,
    /// Some segment starts a region (count, entry, not a gap); and the largest such count.
    region_starts: bool,
    max_start: u64,
    /// Some segment is a region entry with a count (gap or not).
    entry_with_count: bool,
    /// (count, hasCount) of the last segment on the line.
    last: (u64, bool),
}

/// Turns the sorted segments of one file into line hits, one segment at a time.
#[derive(Default)]
struct LineWalker {
    file: FileCoverage,
    line: Option<u32>,
    acc: LineAcc,
    /// (count, hasCount) of the last segment of the closest earlier line with segments.
    wrapped: Option<(u64, bool)>,
}

impl LineWalker {
    fn push<E: de::Error>(&mut self, s: Segment) -> Result<(), E> {
        match self.line {
            None => self.line = Some(s.line),
            Some(l) if s.line < l => {
                return Err(E::custom(format!(
                    "segments are not sorted: line {} after line {l}",
                    s.line
                )))
            }
            Some(l) if s.line > l => {
                self.close_line(l);
                self.wrapped = Some(self.acc.last);
                self.acc = LineAcc::default();
                if let Some((count, true)) = self.wrapped {
                    // Lines with no segment of their own inside a counted region.
                    if s.line - l > MAX_LINE_GAP {
                        return Err(E::custom(format!(
                            "a region spans lines {l} to {}: not a real source file",
                            s.line
                        )));
                    }
                    for gap_line in l + 1..s.line {
                        self.file.add_line(gap_line, count);
                    }
                }
                self.line = Some(s.line);
            }
            Some(_) => {}
        }
        let a = &mut self.acc;
        if a.first.is_none() {
            a.first = Some((s.has_count, s.entry));
        }
        if s.has_count && s.entry && !s.gap {
            a.region_starts = true;
            a.max_start = a.max_start.max(s.count);
        }
        if s.has_count && s.entry {
            a.entry_with_count = true;
        }
        a.last = (s.count, s.has_count);
        Ok(())
    }

    /// `LineCoverageStats` for a line that has segments.
    fn close_line(&mut self, line: u32) {
        let a = &self.acc;
        let skipped = matches!(a.first, Some((false, true)));
        let wrapped_counted = matches!(self.wrapped, Some((_, true)));
        let mapped = (!skipped && (wrapped_counted || a.region_starts)) || a.entry_with_count;
        if !mapped {
            return;
        }
        let mut count = self.wrapped.map_or(0, |(c, _)| c);
        if a.region_starts {
            count = count.max(a.max_start);
        }
        self.file.add_line(line, count);
    }

    fn finish(mut self) -> FileCoverage {
        if let Some(l) = self.line {
            self.close_line(l);
        }
        self.file
    }
}

struct Segments<'a>(&'a mut State, &'a mut LineWalker);

impl<'de> DeserializeSeed<'de> for Segments<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Segments<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of segments")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Segments(st, walker) = self;
        let mut i = 0;
        loop {
            st.path.index(i);
            match seq.next_element::<Segment>()? {
                Some(s) => walker.push(s)?,
                None => break,
            }
            i += 1;
        }
        st.path.end_array();
        Ok(())
    }
}

/// `[line, col, endLine, endCol, trueCount, falseCount, …]`.
#[derive(Clone, Copy, Debug)]
struct Branch {
    line: u32,
    col: u32,
    end_line: u32,
    end_col: u32,
    t: u64,
    f: u64,
}

impl Branch {
    fn key(&self) -> (u32, u32, u32, u32) {
        (self.line, self.col, self.end_line, self.end_col)
    }
}

impl<'de> Deserialize<'de> for Branch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Branch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a branch [line, col, endLine, endCol, trueCount, falseCount, …]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Branch, A::Error> {
                let short = || de::Error::custom("a branch needs at least 6 elements");
                let line: u64 = seq.next_element()?.ok_or_else(short)?;
                let col: u64 = seq.next_element()?.ok_or_else(short)?;
                let end_line: u64 = seq.next_element()?.ok_or_else(short)?;
                let end_col: u64 = seq.next_element()?.ok_or_else(short)?;
                let t: Count = seq.next_element()?.ok_or_else(short)?;
                let f: Count = seq.next_element()?.ok_or_else(short)?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Branch {
                    line: pos(line, "line")?,
                    col: pos(col, "column")?,
                    end_line: pos(end_line, "line")?,
                    end_col: pos(end_col, "column")?,
                    t: t.0,
                    f: f.0,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

struct Branches<'a>(&'a mut State, &'a mut Vec<Branch>);

impl<'de> DeserializeSeed<'de> for Branches<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Branches<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of branches")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Branches(st, out) = self;
        let mut i = 0;
        loop {
            st.path.index(i);
            match seq.next_element::<Branch>()? {
                Some(b) => out.push(b),
                None => break,
            }
            i += 1;
        }
        st.path.end_array();
        Ok(())
    }
}

/// Merges branch entries at one location (instantiations), then counts per line: two
/// outcomes per entry.
fn add_branches(file: &mut FileCoverage, mut branches: Vec<Branch>) {
    if branches.is_empty() {
        return;
    }
    branches.sort_unstable_by_key(Branch::key);
    let mut merged: Vec<Branch> = Vec::with_capacity(branches.len());
    for b in branches {
        match merged.last_mut() {
            Some(m) if m.key() == b.key() => {
                m.t = m.t.saturating_add(b.t);
                m.f = m.f.saturating_add(b.f);
            }
            _ => merged.push(b),
        }
    }
    let mut i = 0;
    while i < merged.len() {
        let line = merged[i].line;
        let (mut total, mut covered) = (0u32, 0u32);
        while i < merged.len() && merged[i].line == line {
            total += 2;
            covered += u32::from(merged[i].t > 0) + u32::from(merged[i].f > 0);
            i += 1;
        }
        file.add_branches(line, total, covered);
    }
}

/// One element of `functions`.
#[derive(Clone, Copy)]
struct FunctionObj;

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum FunctionField {
    Name,
    Count,
    Regions,
    Filenames,
    #[serde(other)]
    Other,
}

/// Start `(line, col)` of the first region in the function's own file (file ID 0), and the
/// last end line of its regions there.
struct FirstRegion(Option<(u32, u32)>, u32);

impl<'de> Deserialize<'de> for FirstRegion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Region(u64, u64, u64, u64);
        impl<'de> Deserialize<'de> for Region {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Region;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(
                            "a region [ls, cs, le, ce, count, fileID, expandedFileID, kind]",
                        )
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Region, A::Error> {
                        let short = || de::Error::custom("a region needs at least 6 elements");
                        let ls: u64 = seq.next_element()?.ok_or_else(short)?;
                        let cs: u64 = seq.next_element()?.ok_or_else(short)?;
                        let le: u64 = seq.next_element()?.ok_or_else(short)?;
                        let _ce: IgnoredAny = seq.next_element()?.ok_or_else(short)?;
                        let _count: IgnoredAny = seq.next_element()?.ok_or_else(short)?;
                        let file_id: u64 = seq.next_element()?.ok_or_else(short)?;
                        while seq.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(Region(ls, cs, le, file_id))
                    }
                }
                d.deserialize_seq(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstRegion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of regions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FirstRegion, A::Error> {
                let mut first = None;
                let mut end = 0u32;
                while let Some(Region(l, c, le, file_id)) = seq.next_element()? {
                    if file_id == 0 {
                        if first.is_none() {
                            first = Some((pos(l, "line")?, pos(c, "column")?));
                        }
                        end = end.max(u32::try_from(le).unwrap_or(0));
                    }
                }
                Ok(FirstRegion(first, end))
            }
        }
        d.deserialize_seq(V)
    }
}

impl Element for FunctionObj {
    const EXPECTING: &'static str = "function objects";
    fn read<'de, D: Deserializer<'de>>(self, st: &mut State, d: D) -> Result<(), D::Error> {
        struct V<'a>(&'a mut State);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a function object {\"name\":…,\"count\":…,\"regions\":[…],\"filenames\":[…]}",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let st = self.0;
                let (mut name, mut count, mut first, mut file) = (None, 0u64, None, None);
                let mut end = 0u32;
                while let Some(k) = map.next_key::<FunctionField>()? {
                    match k {
                        FunctionField::Name => name = Some(map.next_value::<String>()?),
                        FunctionField::Count => count = map.next_value::<Count>()?.0,
                        FunctionField::Regions => {
                            st.path.field("regions");
                            let r = map.next_value::<FirstRegion>()?;
                            (first, end) = (r.0, r.1);
                            st.path.pop();
                        }
                        FunctionField::Filenames => {
                            let names: Vec<String> = map.next_value()?;
                            file = names.into_iter().next();
                        }
                        FunctionField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let name = name.ok_or_else(|| de::Error::missing_field("name"))?;
                let (Some(file), Some((line, col))) = (file, first) else {
                    st.unplaced_functions += 1;
                    return Ok(());
                };
                let key = (file, line, col);
                match st.functions.get_mut(&key) {
                    Some(g) => {
                        g.1 = g.1.saturating_add(count);
                        g.2 = g.2.max(end);
                    }
                    None => {
                        st.functions.insert(key.clone(), (name, count, end));
                        st.function_order.push(key);
                    }
                }
                Ok(())
            }
        }
        d.deserialize_map(V(st))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn summary_only_export_is_totals_only() {
        // cargo llvm-cov --json --summary-only: files carry a summary and no segments.
        let doc = r#"{"data":[{"files":[{"filename":"/p/src/lib.rs","summary":{"lines":{"count":10,"covered":7,"percent":70.0},"functions":{"count":3,"covered":2}}}],
"totals":{"branches":{"count":4,"covered":1,"notcovered":3,"percent":25.0},"functions":{"count":3,"covered":2,"percent":66.6},"instantiations":{"count":5,"covered":3},"lines":{"count":10,"covered":7,"percent":70.0},"regions":{"count":12,"covered":8}}}],
"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        let (c, ctx) = read(doc).unwrap();
        let t = c.summary_only.unwrap();
        assert_eq!(
            (t.lines, t.functions, t.branches),
            (Counter::new(10, 7), Counter::new(3, 2), Counter::new(4, 1))
        );
        assert!(c.files().is_empty());
        assert!(ctx.warnings[0].starts_with("a summary-only export"));
        // Without totals there is nothing to read: an error, not 0 lines.
        let doc = r#"{"data":[{"files":[{"filename":"a.rs","summary":{}}]}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        assert!(read(doc).unwrap_err().message.contains("no totals"));
    }

    #[test]
    fn functions_of_unlisted_files_are_not_counted() {
        // cargo llvm-cov drops tests/ from files[] (ignore regex) but not from functions[].
        let doc = r#"{"data":[{"files":[{"filename":"src/lib.rs","segments":[[1,1,1,true,true,false],[2,2,0,false,false,false]]}],
"functions":[{"name":"f","count":1,"regions":[[1,1,2,2,1,0,0,0]],"filenames":["src/lib.rs"]},
{"name":"t","count":1,"regions":[[3,1,4,2,1,0,0,0]],"filenames":["tests/it.rs"]}]}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        let (c, ctx) = read(doc).unwrap();
        assert_eq!(c.totals().functions, Counter::new(1, 1));
        assert!(c.file("tests/it.rs").is_none());
        assert_eq!(
            ctx.warnings,
            ["1 function belongs to a file the export's files list leaves out and is not counted"]
        );
    }

    fn lines(segments: &str) -> Vec<(u32, u64)> {
        let doc = format!(
            r#"{{"data":[{{"files":[{{"filename":"a.c","segments":{segments}}}]}}],"type":"llvm.coverage.json.export","version":"2.0.1"}}"#
        );
        let (c, _) = read(&doc).unwrap();
        c.files()[0]
            .lines
            .iter()
            .map(|l| (l.line, u64::from(l.hits)))
            .collect()
    }

    #[test]
    fn line_rule_matches_llvm() {
        // A function on lines 1-5; an if on line 2 whose body (3) never ran; line 4 is inside
        // the function region with no segment of its own (wrapped count).
        assert_eq!(
            lines(
                "[[1,12,5,true,true,false],[2,7,5,true,true,false],[2,12,0,true,true,false],\
                 [3,6,5,true,false,false],[5,2,0,false,false,false]]"
            ),
            [(1, 5), (2, 5), (3, 0), (4, 5), (5, 5)]
        );
        // A region entry with count 0 starting a line wins over nothing, but the max of the
        // wrapped count and the region starts is taken.
        assert_eq!(
            lines("[[1,1,3,true,true,false],[2,3,0,true,true,false],[2,9,3,true,false,false],[3,2,0,false,false,false]]"),
            [(1, 3), (2, 3), (3, 3)]
        );
        // A line whose only segment is a gap region entry with a count is mapped (LLVM's
        // any-entry-with-count rule) but takes the wrapped count (0 here: a gap does not
        // start a region); one that starts a skipped region (#if 0) is not mapped.
        assert_eq!(
            lines("[[1,1,2,true,true,false],[1,9,0,false,false,false],[3,1,7,true,true,true],[3,2,0,false,false,false],[5,1,0,false,true,false],[6,1,0,false,false,false]]"),
            [(1, 2), (3, 0)]
        );
        // Uncounted wrapped segment: the lines in between are not executable.
        assert_eq!(
            lines("[[1,1,1,true,true,false],[1,5,0,false,false,false],[4,1,0,true,true,false],[4,3,0,false,false,false]]"),
            [(1, 1), (4, 0)]
        );
        // Version 2.0.0: five elements, no gap flag.
        assert_eq!(
            lines("[[1,1,1,true,true],[2,2,0,false,false]]"),
            [(1, 1), (2, 1)]
        );
    }

    #[test]
    fn branches_and_function_instantiations() {
        let doc = r#"{"data":[{"files":[{"filename":"a.rs","segments":[[1,1,2,true,true,false],[9,2,0,false,false,false]],
 "branches":[[3,8,3,13,0,2,0,0,4],[3,8,3,13,1,2,0,0,4],[5,4,5,9,0,0,0,0,4],[5,12,5,20,4,0,0,0,4]],"expansions":[],"summary":{}}],
 "functions":[{"name":"_RINv1fdE","count":1,"regions":[[1,1,9,2,1,0,0,0]],"filenames":["a.rs"]},
              {"name":"_RINv1flE","count":0,"regions":[[1,1,9,2,0,0,0,0]],"filenames":["a.rs"]},
              {"name":"never","count":0,"regions":[[2,1,2,9,0,1,0,0],[12,1,14,2,0,0,0,0]],"filenames":["a.rs","b.h"]}],
 "totals":{}}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        let (c, ctx) = read(doc).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(9, 9));
        // Line 3: two instantiations of one branch merge (true 1, false 4): 2/2.
        // Line 5: two branches, only the second's true outcome ran: 1/4.
        assert_eq!(t.branches, Counter::new(6, 3));
        assert_eq!(t.functions, Counter::new(2, 1));
        let f = &c.files()[0].functions;
        assert_eq!((&*f[0].name, f[0].line), ("_RINv1fdE", 1));
        assert_eq!((&*f[1].name, f[1].line), ("never", 12));
        // End lines from the regions in the function's own file (b.h's region is not).
        assert_eq!((f[0].end, f[1].end), (9, 14));
    }

    #[test]
    fn errors_say_where() {
        let doc = "{\"data\":[{\"files\":[{\"filename\":\"a\",\"segments\":[]},\n{\"filename\":\"b\",\"segments\":[[1,1,1,true,true,false],[2,1,\"x\",true,true,false]]}]}]}";
        let e = read(doc).unwrap_err();
        assert_eq!(
            e.at.path.as_deref(),
            Some("data[0]/files[1]/segments[1]"),
            "{e}"
        );
        assert_eq!(e.at.line.map(|l| l.0), Some(2));
        let e = read("{\"data\":[{\"files\":[{\"filename\":\"a\",\"segments\":[[2,1,1,true,true],[1,1,1,true,true]]}]}]}").unwrap_err();
        assert!(e.message.contains("not sorted"), "{e}");
        let e = read("{\"data\":[{\"files\":[{\"filename\":\"a\",\"segm").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").unwrap_err().message.contains("empty"));
        assert!(read("{\"data\":[]}").is_err());
        assert!(read("{\"type\":\"other\",\"data\":[]}").is_err());
        assert!(read("{\"data\":[{\"files\":[]}]} x").is_err());
    }
}
