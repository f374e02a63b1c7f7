//! Clover XML (OpenClover 3/4, Atlassian Clover, Istanbul's clover reporter, and
//! ReportGenerator's Clover export).
//!
//! `<coverage><project><package><file name path><line num count type …/>`, read by local
//! element name wherever it sits (Istanbul nests `<package>` inside `<metrics>`).
//!
//! - File path: the `path` attribute, else `name`.
//! - `type="stmt"`: an executable line, covered when `count > 0`.
//! - `type="cond"`: an executable line too (Istanbul and ReportGenerator count it among the
//!   statements; OpenClover also writes a `stmt` for it, and one line is one line), hit
//!   `count` times, or `truecount + falsecount` times when it has no `count`. Its branches:
//!   Clover's meaning is "times the condition was true / false", so 2 branches, one covered
//!   per non-zero count (ReportGenerator's reading). Istanbul's clover reporter and
//!   ReportGenerator's export instead write `truecount` = covered branches and `falsecount`
//!   = uncovered ones. A `count` on `cond` lines (which only Istanbul writes) means
//!   Istanbul, whatever the file's metrics say; otherwise the file's own
//!   `<metrics conditionals coveredconditionals>` decide (the records are still what is
//!   counted).
//! - `type="method"`: a function (from `signature`, else `name`, else `line N`), covered when
//!   `count > 0`. Not an executable line in OpenClover (its `statements` leave methods out;
//!   it writes `visibility` on every method line); a method line without `visibility`
//!   (ReportGenerator's export, whose LCOV export has a `DA` for it) is an executable line
//!   too.
//! - A file with no method line whose `<metrics methods coveredmethods>` state functions
//!   (Istanbul writes no per-function record) gets those totals
//!   ([`crate::model::FileCoverage::stated_functions`]), with a warning: not a silent 0.
//! - `<testproject>`: coverage of the test sources. Left out, as Clover's own project totals
//!   leave it out, with a warning saying how many files that was.
//!
//! Within one `<file>`, records for the same line are the same line of one run: the largest
//! count is kept. Several `<file>` elements for one path merge in the model (counts add up).

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::xmlcov::{count, fold_branches, fold_lines, line_no, shown};
use crate::ingest::error::Result;
use crate::ingest::xml::{attr, attr_raw, parse_u64, scan_attrs, unescape_lossy, Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Coverage, FileCoverage};

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut r = XmlReader::new(input);
    r.count_attribute_entities = true;
    let mut p = Parser::default();
    loop {
        let step = match r.event()? {
            Ev::Start(e) => {
                p.depth += 1;
                p.start(&e)
            }
            Ev::Empty(e) => {
                p.depth += 1;
                let s = p.start(&e);
                if s.is_ok() {
                    p.end();
                }
                s
            }
            Ev::End => {
                p.end();
                Ok(())
            }
            Ev::Text(_) | Ev::Other => Ok(()),
            Ev::Eof => break,
        };
        step.map_err(|m| r.error(m))?;
    }
    crate::ingest::xml::warn_entities(ctx, r.unknown_entities);
    p.finish(ctx)
}

/// A `cond` record: line, true count, false count.
type Cond = (u32, u64, u64);

struct File {
    file: FileCoverage,
    depth: usize,
    /// `<metrics conditionals coveredconditionals>` of the file itself.
    metrics: Option<(u64, u64)>,
    /// Whether a `cond` line carried `count` (Istanbul).
    cond_with_count: bool,
    /// `<metrics methods coveredmethods>` of the file itself.
    methods: Option<(u64, u64)>,
}

#[derive(Default)]
struct Parser {
    cov: Coverage,
    depth: usize,
    root_seen: bool,
    /// Depth of the open `<testproject>`.
    testproject: Option<usize>,
    file: Option<File>,
    /// Per-file buffers, reused.
    lines: Vec<(u32, u64)>,
    conds: Vec<Cond>,
    branches: Vec<(u32, u32, u32)>,
    files: u64,
    test_files: u64,
    stray_lines: u64,
    unknown_types: u64,
    negative_counts: u64,
    /// Files whose function totals come from their `<metrics>` only.
    stated_methods: u64,
    /// `type="method"` lines without `visibility` (ReportGenerator's export) also counted as
    /// executable lines.
    method_lines: u64,
}

impl Parser {
    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.root_seen {
            self.root_seen = true;
            if name != b"coverage" {
                return Err(format!(
                    "root element is <{}>, not Clover's <coverage>",
                    String::from_utf8_lossy(name)
                ));
            }
            return Ok(());
        }
        match name {
            b"line" => self.line(e),
            b"metrics" => {
                if let Some(f) = self.file.as_mut() {
                    if self.depth == f.depth + 1 {
                        let num = |k: &[u8]| attr_raw(e, k).and_then(|v| parse_u64(&v));
                        if let (Some(total), Some(covered)) =
                            (num(b"conditionals"), num(b"coveredconditionals"))
                        {
                            f.metrics = Some((total, covered));
                        }
                        if let (Some(total), Some(covered)) =
                            (num(b"methods"), num(b"coveredmethods"))
                        {
                            f.methods = Some((total, covered.min(total)));
                        }
                    }
                }
                Ok(())
            }
            b"file" => {
                if self.file.is_some() {
                    return Err("<file> inside another <file>".to_string());
                }
                if self.testproject.is_some() {
                    self.test_files += 1;
                    return Ok(());
                }
                let path = match attr(e, b"path").filter(|p| !p.trim().is_empty()) {
                    Some(p) => p,
                    None => match attr(e, b"name").filter(|p| !p.trim().is_empty()) {
                        Some(n) => n,
                        None => return Err("<file> has neither a path nor a name".to_string()),
                    },
                };
                self.files += 1;
                self.file = Some(File {
                    file: FileCoverage::new(path.trim()),
                    depth: self.depth,
                    metrics: None,
                    cond_with_count: false,
                    methods: None,
                });
                Ok(())
            }
            b"testproject" => {
                self.testproject.get_or_insert(self.depth);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn count(&mut self, v: Option<&[u8]>, key: &[u8]) -> Result<Option<u64>, String> {
        match v {
            Some(v) => count(v, &mut self.negative_counts)
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "{} {} is not a number",
                        String::from_utf8_lossy(key),
                        shown(v)
                    )
                }),
            None => Ok(None),
        }
    }

    fn line(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        if self.file.is_none() {
            if self.testproject.is_none() {
                self.stray_lines += 1;
            }
            return Ok(());
        }
        // One pass over the attributes for all of them (most of a Clover file is `<line>`
        // elements); a list that cannot be split reads as no attribute at all, as
        // `attr_raw` has it.
        let [num, kind, count, truecount, falsecount, signature, name, visibility] = scan_attrs(
            e,
            [
                b"num",
                b"type",
                b"count",
                b"truecount",
                b"falsecount",
                b"signature",
                b"name",
                b"visibility",
            ],
        )
        .unwrap_or_default();
        let Some(num) = num else {
            return Err("<line> has no num attribute".to_string());
        };
        let line =
            line_no(&num).ok_or_else(|| format!("line number {} is not a number", shown(&num)))?;
        let kind = kind.unwrap_or(Cow::Borrowed(b""));
        let count = count.as_deref();
        match kind.trim_ascii() {
            b"stmt" => {
                let hits = self
                    .count(count, b"count")?
                    .ok_or("<line type=\"stmt\"> has no count attribute")?;
                self.lines.push((line, hits));
            }
            b"cond" => {
                let t = self.count(truecount.as_deref(), b"truecount")?.unwrap_or(0);
                let f = self
                    .count(falsecount.as_deref(), b"falsecount")?
                    .unwrap_or(0);
                let hits = match self.count(count, b"count")? {
                    Some(c) => {
                        if let Some(file) = self.file.as_mut() {
                            file.cond_with_count = true;
                        }
                        c
                    }
                    None => t.saturating_add(f),
                };
                self.lines.push((line, hits));
                self.conds.push((line, t, f));
            }
            b"method" => {
                let hits = self
                    .count(count, b"count")?
                    .ok_or("<line type=\"method\"> has no count attribute")?;
                let name = match signature.or(name).map(unescape_lossy) {
                    Some(n) if !n.trim().is_empty() => n.trim().to_string(),
                    _ => format!("line {line}"),
                };
                if visibility.is_none() {
                    // ReportGenerator's export writes a method's first line as its only
                    // record of that line (its LCOV export has a DA for it): a coverable
                    // line. OpenClover always writes `visibility` and lists the body's
                    // statements apart.
                    self.lines.push((line, hits));
                    self.method_lines += 1;
                }
                let file = &mut self.file.as_mut().expect("checked above").file;
                // Two methods of one file with one signature (overloads in nested classes)
                // are two functions: the model merges functions by name.
                let name = if file.functions.iter().any(|f| *f.name == *name) {
                    format!("{name} (line {line})")
                } else {
                    name
                };
                file.add_function(name, line, hits);
            }
            _ => self.unknown_types += 1,
        }
        Ok(())
    }

    fn end(&mut self) {
        let d = self.depth;
        self.depth -= 1;
        if self.testproject == Some(d) {
            self.testproject = None;
        }
        if self.file.as_ref().is_some_and(|f| f.depth == d) {
            let mut f = self.file.take().unwrap();
            // A `count` on a `cond` line is Istanbul's, whatever the metrics say (they may
            // count conditions differently); otherwise the metrics decide.
            let istanbul = f.cond_with_count
                || f.metrics.is_some_and(|m| {
                    let (clover, istanbul) = branch_totals(&self.conds);
                    m != clover && m == istanbul
                });
            if let (true, Some((total, covered))) = (f.file.functions.is_empty(), f.methods) {
                if total > 0 {
                    self.stated_methods += 1;
                    f.file.stated_functions = Some(crate::model::Counter::new(total, covered));
                }
            }
            for &(line, t, fc) in &self.conds {
                let t = u32::try_from(t).unwrap_or(u32::MAX);
                let fc = u32::try_from(fc).unwrap_or(u32::MAX);
                self.branches.push(if istanbul {
                    (line, t.saturating_add(fc), t)
                } else {
                    (line, 2, u32::from(t > 0) + u32::from(fc > 0))
                });
            }
            self.conds.clear();
            fold_lines(&mut f.file, &mut self.lines);
            fold_branches(&mut f.file, &mut self.branches);
            self.cov.push_file(f.file);
        }
    }

    fn finish(self, ctx: &mut Ctx) -> Result<Coverage> {
        if self.files == 0 && self.test_files == 0 {
            ctx.warn("the Clover report lists no <file>: it holds no coverage");
        }
        ctx.warn_count(self.test_files, "file under <testproject> (test sources) left out, as Clover's own totals leave it out",
            "files under <testproject> (test sources) left out, as Clover's own totals leave them out");
        ctx.warn_count(
            self.stray_lines,
            "<line> element outside any <file> ignored",
            "<line> elements outside any <file> ignored",
        );
        ctx.warn_count(
            self.unknown_types,
            "<line> element of a type other than stmt, cond or method ignored",
            "<line> elements of a type other than stmt, cond or method ignored",
        );
        ctx.warn_count(
            self.negative_counts,
            "negative count (an overflow in the producer) read as 0",
            "negative counts (an overflow in the producer) read as 0",
        );
        ctx.warn_count(
            self.stated_methods,
            "file lists no method: its function totals are the ones its <metrics methods coveredmethods> state (Istanbul writes no per-function record)",
            "files list no method: their function totals are the ones their <metrics methods coveredmethods> state (Istanbul writes no per-function record)",
        );
        ctx.warn_count(
            self.method_lines,
            "method line without visibility (ReportGenerator's Clover export) counted as an executable line too, as its LCOV export counts it",
            "method lines without visibility (ReportGenerator's Clover export) counted as executable lines too, as its LCOV export counts them",
        );
        Ok(self.cov)
    }
}

/// (total, covered) branches of `conds` read the Clover way and the Istanbul way.
fn branch_totals(conds: &[Cond]) -> ((u64, u64), (u64, u64)) {
    let mut clover = (0u64, 0u64);
    let mut istanbul = (0u64, 0u64);
    for &(_, t, f) in conds {
        clover.0 += 2;
        clover.1 += u64::from(t > 0) + u64::from(f > 0);
        istanbul.0 = istanbul.0.saturating_add(t.saturating_add(f));
        istanbul.1 = istanbul.1.saturating_add(t);
    }
    (clover, istanbul)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn openclover_records() {
        let (c, ctx) = read(
            r#"<coverage generated="1" clover="4.3.1"><project>
  <metrics statements="99"/>
  <package name="p">
    <file path="/src/T.java" name="T.java">
      <metrics conditionals="2" coveredconditionals="1" statements="4"/>
      <class name="T"><metrics conditionals="0" coveredconditionals="0"/></class>
      <line complexity="3" visibility="public" signature="run() : void" num="6" count="1" type="method"/>
      <line num="7" count="1" type="stmt"/>
      <line num="15" count="1" type="stmt"/>
      <line falsecount="0" truecount="1" num="15" type="cond"/>
      <line num="20" count="0" type="stmt"/>
      <line visibility="public" signature="run() : void" num="29" count="0" type="method"/>
      <line num="30" count="0" type="stmt"/>
    </file>
    <file name="NoPath.java"><line num="1" count="2" type="stmt"/><line num="2" count="0" visibility="private" type="method"/></file>
  </package>
</project>
<testproject><package name="t"><file path="/src/TTest.java"><line num="1" count="1" type="stmt"/></file></package></testproject>
</coverage>"#,
        )
        .unwrap();
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(5, 3));
        assert_eq!(t.branches, Counter::new(2, 1));
        assert_eq!(t.functions, Counter::new(3, 1));
        let f = c.file("/src/T.java").unwrap();
        // stmt and cond on line 15 are one line of one run: max, not sum.
        assert_eq!(f.hits(15), Some(1));
        assert_eq!(&*f.functions[1].name, "run() : void (line 29)");
        assert_eq!(&*c.file("NoPath.java").unwrap().functions[0].name, "line 2");
        assert!(c.file("/src/TTest.java").is_none());
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
        assert!(ctx.warnings[0].contains("testproject"));
        // ReportGenerator's export: method lines carry no visibility and are lines too.
        let (c, ctx) = read(
            r#"<coverage generated="1760552705" clover="4.3.1"><project><package name="S">
<file path="C:\temp\A.cs" name="A.cs"><line complexity="1" signature="M()" num="8" count="1" type="method" /><line num="9" count="1" type="stmt" /><line complexity="1" signature="N()" num="13" count="0" type="method" /></file>
</package></project></coverage>"#,
        )
        .unwrap();
        let t = c.totals();
        assert_eq!(
            (t.lines, t.functions),
            (Counter::new(3, 2), Counter::new(2, 1))
        );
        assert!(ctx.warnings[0].starts_with("2 method lines without visibility"));
    }

    #[test]
    fn istanbul_truecount_means_covered_branches() {
        // Istanbul's clover reporter: truecount = covered, falsecount = uncovered; its
        // <package> sits inside <metrics>.
        let doc = r#"<coverage clover="3.2.0"><project name="All files"><metrics statements="3">
  <package name="src"><file name="a.js" path="/p/a.js">
    <metrics statements="3" conditionals="4" coveredconditionals="3"/>
    <line num="2" count="3" type="cond" truecount="2" falsecount="0"/>
    <line num="3" count="0" type="stmt"/>
    <line num="5" count="1" type="cond" truecount="1" falsecount="1"/>
  </file></package></metrics></project></coverage>"#;
        let (c, _) = read(doc).unwrap();
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(3, 2));
        assert_eq!(t.branches, Counter::new(4, 3));
        // Without metrics, the `count` on cond lines says Istanbul too.
        let (c, _) = read(&doc.replace(r#"conditionals="4" coveredconditionals="3""#, "")).unwrap();
        assert_eq!(c.totals().branches, Counter::new(4, 3));
    }

    #[test]
    fn same_file_twice_merges() {
        let (c, _) = read(
            r#"<coverage><project><package name="a"><file path="x.js"><line num="1" count="0" type="stmt"/></file></package>
<package name="b"><file path="x.js"><line num="1" count="2" type="stmt"/><line num="2" count="0" type="stmt"/></file></package></project></coverage>"#,
        )
        .unwrap();
        assert_eq!(c.totals().lines, Counter::new(2, 1));
        assert_eq!(c.file("x.js").unwrap().hits(1), Some(2));
    }

    #[test]
    fn empty_and_truncated() {
        let (c, ctx) =
            read(r#"<coverage clover="4"><project><metrics/></project></coverage>"#).unwrap();
        assert!(c.is_empty());
        assert_eq!(ctx.warnings.len(), 1);
        let e = read(r#"<coverage clover="4"><project><package><file path="a">"#).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
    }

    #[test]
    fn errors_say_where() {
        let doc = "<coverage><project><file path=\"a\">\n<line num=\"1\" type=\"stmt\"/></file></project></coverage>";
        let e = read(doc).unwrap_err();
        assert_eq!(e.message, "<line type=\"stmt\"> has no count attribute");
        assert_eq!(e.at.offset, Some(doc.find("</file>").unwrap() as u64));
        let e = read("<coverage><project><file path=\"a\"><line num=\"-1\" count=\"1\" type=\"stmt\"/></file></project></coverage>").unwrap_err();
        assert_eq!(e.message, "line number \"-1\" is not a number");
        let e = read("<coverage><project><file><line num=\"1\" count=\"1\" type=\"stmt\"/></file></project></coverage>").unwrap_err();
        assert_eq!(e.message, "<file> has neither a path nor a name");
    }
}
