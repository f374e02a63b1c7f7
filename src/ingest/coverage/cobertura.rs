//! Cobertura XML, as written by Cobertura itself (Java), coverage.py, Istanbul, gcovr,
//! tarpaulin, cargo-llvm-cov, coverlet, ReportGenerator, simplecov-cobertura, MATLAB, …
//!
//! Records read, by local element name wherever they sit (so a `<class>` straight under
//! `<packages>`, which some tools write, is read too):
//!
//! - `<source>` texts go into [`Ctx::roots`]; `filename` paths are relative to them (the
//!   mapping is done later by [`crate::paths`]).
//! - `<class filename>`: one record for that file. Several classes of one file (nested,
//!   partial, or merged reports) are merged by the model: hits add up, a line counts once.
//! - `<class>/<lines>/<line number hits branch condition-coverage>`: the executable lines.
//!   Branches come from `condition-coverage="50% (1/2)"` (covered/total); when a line says
//!   `branch="true"` without it, from its `<conditions><condition coverage="50%">`, each
//!   condition counted as two outcomes.
//! - `<methods>/<method name signature>`: functions, named `class::name(signature)`, starting
//!   on the method's first line and covered when any of its lines was hit. A method with no
//!   `<line>` (gcovr writes template instantiations whose lines are listed under another one
//!   with `<lines/>`) is still a function: covered by its `hits` attribute, else when its
//!   `line-rate` is above 0; with neither it is skipped (nothing says whether it ran). A class with no `<lines>` records of its own (Swift converters write
//!   lines only under methods) takes its method lines as its lines. Otherwise method lines
//!   only serve the functions: Istanbul lists function declaration lines there that are not
//!   statements (ReportGenerator adds them; Istanbul's own `lines-valid` does not).
//!
//! Header attributes (`line-rate`, `lines-valid`, `complexity`, …) are never read: they may
//! be NaN, floats, or describe more than the file holds.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::xmlcov::{count, fold_lines, line_no, shown};
use crate::ingest::error::Result;
use crate::ingest::xml::{attr, attr_raw, parse_f64, scan_attrs, Ev, XmlReader};
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
                p.start(&e, false)
            }
            Ev::Empty(e) => {
                p.depth += 1;
                let s = p.start(&e, true);
                if s.is_ok() {
                    p.end();
                }
                s
            }
            Ev::End => {
                p.end();
                Ok(Step::Next)
            }
            Ev::Text(_) | Ev::Other => Ok(Step::Next),
            Ev::Eof => break,
        };
        match step.map_err(|m| r.error(m))? {
            Step::Next => {}
            Step::Source => {
                let text = r.read_text(4096)?;
                p.depth -= 1;
                let root = text.trim();
                if !root.is_empty() && !ctx.roots.iter().any(|r| r == root) {
                    ctx.roots.push(root.to_string());
                }
            }
        }
    }
    crate::ingest::xml::warn_entities(ctx, r.unknown_entities);
    p.finish(ctx)
}

enum Step {
    Next,
    /// A `<source>` start: its text is a root.
    Source,
}

/// One `<line>` record.
#[derive(Clone, Copy, Default)]
struct LineRec {
    line: u32,
    hits: u64,
    br_total: u32,
    br_covered: u32,
}

struct Class {
    /// `name`, for qualifying method names.
    name: String,
    file: FileCoverage,
    depth: usize,
    /// Whether the class lists `<lines>` records of its own.
    has_lines: bool,
    /// Lines listed under its methods.
    method_lines: Vec<LineRec>,
}

struct Method {
    name: String,
    depth: usize,
    first_line: Option<u32>,
    last_line: u32,
    max_hits: u64,
    hits_attr: Option<u64>,
    /// `line-rate`, for a method with no `<line>` (gcovr writes a template instantiation
    /// whose lines are listed under another one with empty `<lines/>`).
    line_rate: Option<f64>,
}

/// A `<line>` that has children: its `<condition>`s are read before it is recorded.
struct Pending {
    rec: LineRec,
    depth: usize,
    wants_conditions: bool,
    in_method: bool,
}

#[derive(Default)]
struct Parser {
    cov: Coverage,
    depth: usize,
    root_seen: bool,
    class: Option<Class>,
    method: Option<Method>,
    pending: Option<Pending>,
    /// Buffers reused from class to class.
    spare_method_lines: Vec<LineRec>,
    fold: Vec<(u32, u64)>,
    classes: u64,
    stray_lines: u64,
    negative_hits: u64,
    /// Methods with no `<line>`, counted from their `line-rate`.
    methods_by_rate: u64,
    /// Methods named with their generic arguments (`largest::<f64>`).
    generic_instances: u64,
}

impl Parser {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<Step, String> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.root_seen {
            self.root_seen = true;
            if name != b"coverage" {
                return Err(format!(
                    "root element is <{}>, not Cobertura's <coverage>",
                    String::from_utf8_lossy(name)
                ));
            }
            return Ok(Step::Next);
        }
        match name {
            b"line" => self.line(e, empty)?,
            b"condition" => self.condition(e),
            b"method" if self.class.is_some() => {
                let mut full = String::new();
                if let Some(c) = &self.class {
                    if !c.name.is_empty() {
                        full.push_str(&c.name);
                        full.push_str("::");
                    }
                }
                let name = attr(e, b"name").unwrap_or(Cow::Borrowed("?"));
                let generic = without_generic_args(&name);
                if generic.len() < name.len() {
                    self.generic_instances += 1;
                }
                full.push_str(&generic);
                if let Some(sig) = attr(e, b"signature") {
                    full.push_str(&sig);
                }
                let hits_attr = match attr_raw(e, b"hits") {
                    Some(v) => Some(self.hits(&v)?),
                    None => None,
                };
                let line_rate = attr(e, b"line-rate")
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|r| r.is_finite());
                self.method = Some(Method {
                    name: full,
                    depth: self.depth,
                    first_line: None,
                    last_line: 0,
                    max_hits: 0,
                    hits_attr,
                    line_rate,
                });
            }
            b"class" => {
                if self.class.is_some() {
                    return Err("<class> inside another <class>".to_string());
                }
                let Some(path) = attr(e, b"filename") else {
                    return Err("<class> has no filename attribute".to_string());
                };
                let path = path.trim();
                if path.is_empty() {
                    return Err("<class> has an empty filename attribute".to_string());
                }
                self.classes += 1;
                let mut method_lines = std::mem::take(&mut self.spare_method_lines);
                method_lines.clear();
                self.class = Some(Class {
                    name: attr(e, b"name").map(|n| n.into_owned()).unwrap_or_default(),
                    file: FileCoverage::new(path),
                    depth: self.depth,
                    has_lines: false,
                    method_lines,
                });
            }
            b"source" if !empty => return Ok(Step::Source),
            _ => {}
        }
        Ok(Step::Next)
    }

    fn hits(&mut self, v: &[u8]) -> Result<u64, String> {
        count(v, &mut self.negative_hits)
            .ok_or_else(|| format!("hits {} is not a number", shown(v)))
    }

    fn line(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        if self.class.is_none() {
            self.stray_lines += 1;
            return Ok(());
        }
        // One pass over the attributes for the four this needs (a malformed list gives
        // none of them, as `attr_raw` does).
        let [num, hits, cc, branch] =
            scan_attrs(e, [b"number", b"hits", b"condition-coverage", b"branch"])
                .unwrap_or_default();
        let Some(num) = num else {
            return Err("<line> has no number attribute".to_string());
        };
        let line =
            line_no(&num).ok_or_else(|| format!("line number {} is not a number", shown(&num)))?;
        let Some(hits) = hits else {
            return Err("<line> has no hits attribute".to_string());
        };
        let hits = self.hits(&hits)?;
        let mut rec = LineRec {
            line,
            hits,
            ..Default::default()
        };
        let mut wants_conditions = false;
        if let Some(cc) = cc {
            if let Some((covered, total)) = fraction(&cc) {
                rec.br_total = total;
                rec.br_covered = covered.min(total);
            }
        }
        if rec.br_total == 0 {
            wants_conditions = branch.is_some_and(|b| b.trim_ascii().eq_ignore_ascii_case(b"true"));
        }
        let in_method = self.method.is_some();
        if empty || !wants_conditions {
            self.record(rec, in_method);
        } else {
            self.pending = Some(Pending {
                rec,
                depth: self.depth,
                wants_conditions,
                in_method,
            });
        }
        Ok(())
    }

    /// `<condition number type coverage="50%">`: two outcomes, half of them covered.
    fn condition(&mut self, e: &BytesStart<'_>) {
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        if !p.wants_conditions {
            return;
        }
        let pct = attr_raw(e, b"coverage")
            .and_then(|v| parse_f64(v.trim_ascii().strip_suffix(b"%").unwrap_or(&v)))
            .filter(|f| f.is_finite())
            .unwrap_or(0.0)
            .clamp(0.0, 100.0);
        p.rec.br_total += 2;
        p.rec.br_covered += (pct / 50.0).round() as u32;
    }

    fn record(&mut self, rec: LineRec, in_method: bool) {
        let Some(class) = self.class.as_mut() else {
            return;
        };
        if in_method {
            class.method_lines.push(rec);
            if let Some(m) = self.method.as_mut() {
                m.first_line = Some(m.first_line.map_or(rec.line, |l| l.min(rec.line)));
                m.last_line = m.last_line.max(rec.line);
                m.max_hits = m.max_hits.max(rec.hits);
            }
        } else {
            class.has_lines = true;
            class.file.add_line(rec.line, rec.hits);
            if rec.br_total > 0 {
                class
                    .file
                    .add_branches(rec.line, rec.br_total, rec.br_covered);
            }
        }
    }

    /// The element at `self.depth` ends.
    fn end(&mut self) {
        let d = self.depth;
        self.depth -= 1;
        if self.pending.as_ref().is_some_and(|p| p.depth == d) {
            let p = self.pending.take().unwrap();
            self.record(p.rec, p.in_method);
        } else if self.method.as_ref().is_some_and(|m| m.depth == d) {
            let m = self.method.take().unwrap();
            let class = self
                .class
                .as_mut()
                .expect("a method is only opened in a class");
            match (m.first_line, m.hits_attr) {
                (Some(line), h) => {
                    let hits = m.max_hits.max(h.unwrap_or(0));
                    class
                        .file
                        .add_function_range(m.name, line, m.last_line, hits);
                }
                (None, Some(h)) => class.file.add_function(m.name, 0, h),
                // Still a function (gcovr counts it): its line-rate says whether it ran.
                (None, None) => {
                    if let Some(rate) = m.line_rate {
                        class.file.add_function(m.name, 0, u64::from(rate > 0.0));
                        self.methods_by_rate += 1;
                    }
                }
            }
        } else if self.class.as_ref().is_some_and(|c| c.depth == d) {
            let mut c = self.class.take().unwrap();
            if !c.has_lines && !c.method_lines.is_empty() {
                // No class-level <lines> (Swift converters): the method lines are the lines.
                for rec in &c.method_lines {
                    self.fold.push((rec.line, rec.hits));
                    if rec.br_total > 0 {
                        c.file.add_branches(rec.line, rec.br_total, rec.br_covered);
                    }
                }
                fold_lines(&mut c.file, &mut self.fold);
            }
            self.cov.push_file(c.file);
            self.spare_method_lines = c.method_lines;
        }
    }

    fn finish(self, ctx: &mut Ctx) -> Result<Coverage> {
        if self.classes == 0 {
            ctx.warn("the Cobertura report lists no <class>: it holds no coverage");
        }
        ctx.warn_count(
            self.stray_lines,
            "<line> element outside any <class> ignored",
            "<line> elements outside any <class> ignored",
        );
        ctx.warn_count(
            self.negative_hits,
            "negative hit count (an overflow in the producer) read as 0",
            "negative hit counts (an overflow in the producer) read as 0",
        );
        ctx.warn_count(
            self.methods_by_rate,
            "method has no <line> (gcovr writes template instantiations so): counted as a function, covered when its line-rate is above 0",
            "methods have no <line> (gcovr writes template instantiations so): counted as functions, covered when their line-rate is above 0",
        );
        ctx.warn_count(
            self.generic_instances,
            "method named per generic instantiation (`name::<T>`, cargo-llvm-cov) counted as one function with its source function, as llvm-cov report counts it",
            "methods named per generic instantiation (`name::<T>`, cargo-llvm-cov) counted as one function with their source function, as llvm-cov report counts them",
        );
        Ok(self.cov)
    }
}

/// A Rust method name without its generic arguments: cargo-llvm-cov's Cobertura writes one
/// `<method>` per instantiation (`largest::<f64>`, `largest::<i32>`), which are one source
/// function. Only the turbofish `::<…>` is removed (C++'s `twice<int>` is left alone: gcovr
/// and lcov count template instances apart).
fn without_generic_args(name: &str) -> Cow<'_, str> {
    if !name.contains("::<") {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find("::<") {
        out.push_str(&rest[..at]);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[at + 2..].char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + 2 + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `covered/total` from `condition-coverage="50% (1/2)"`.
fn fraction(v: &[u8]) -> Option<(u32, u32)> {
    let open = memchr::memchr(b'(', v)?;
    let rest = &v[open + 1..];
    let close = memchr::memchr(b')', rest)?;
    let inner = &rest[..close];
    let slash = memchr::memchr(b'/', inner)?;
    let covered = line_no(&inner[..slash])?;
    let total = line_no(&inner[slash + 1..])?;
    Some((covered, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn generic_instantiations_are_one_function() {
        let (cov, ctx) = read(
            r#"<coverage><packages><package name="p"><classes><class name="lib.rs" filename="src/lib.rs"><methods>
<method name="c::largest::&lt;_&gt;" signature="" line-rate="0"><lines><line number="5" hits="0"/></lines></method>
<method name="c::largest::&lt;f64&gt;" signature="" line-rate="1"><lines><line number="5" hits="2"/></lines></method>
<method name="c::largest::&lt;Vec&lt;u8&gt;&gt;" signature="" line-rate="1"><lines><line number="5" hits="1"/></lines></method>
<method name="c::unused" signature="" line-rate="0"><lines><line number="9" hits="0"/></lines></method>
</methods><lines><line number="5" hits="3"/><line number="9" hits="0"/></lines></class></classes></package></packages></coverage>"#,
        )
        .unwrap();
        assert_eq!(cov.totals().functions, Counter::new(2, 1));
        assert!(ctx
            .warnings
            .iter()
            .any(|w| w.contains("generic instantiation")));
        assert_eq!(without_generic_args("a::<T>::b::<Vec<u8>>"), "a::b");
        assert_eq!(
            without_generic_args("int twice<int>(int)"),
            "int twice<int>(int)"
        );
    }

    #[test]
    fn methods_without_lines_are_functions() {
        // gcovr: the second instantiation of a template has empty <lines/>.
        let (c, ctx) = read(
            r#"<coverage><packages><package name="p"><classes><class name="t" filename="t.hpp"><methods>
<method name="int twice&lt;int&gt;" signature="(int)" line-rate="0.75"><lines><line number="7" hits="1"/></lines></method>
<method name="long twice&lt;long&gt;" signature="(long)" line-rate="1.0"><lines/></method>
<method name="never" signature="()" line-rate="0.0"><lines/></method>
<method name="unknown" signature="()"><lines/></method>
</methods><lines><line number="7" hits="1"/></lines></class></classes></package></packages></coverage>"#,
        )
        .unwrap();
        assert_eq!(c.totals().functions, Counter::new(3, 2));
        assert!(ctx.warnings[0].starts_with("2 methods have no <line>"));
    }

    #[test]
    fn records_branches_methods_and_sources() {
        let (c, ctx) = read(
            r#"<?xml version="1.0"?>
<coverage line-rate="NaN" branch-rate="-nan" lines-valid="999">
  <sources><source>
     /src/proj
  </source><source>/src/proj</source></sources>
  <packages><package name="p"><classes>
    <class name="A" filename="a/x.py" line-rate="0.5">
      <methods>
        <method name="f" signature="(I)V" line-rate="1">
          <lines><line number="1" hits="3"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines>
        </method>
        <method name="g" signature="()V"><lines><line number="9" hits="0"/></lines></method>
        <method name="empty" signature="()V"><lines/></method>
      </methods>
      <lines>
        <line number="1" hits="3"/>
        <line number="2" hits="1.0" branch="true" condition-coverage="50% (1/2)"/>
        <line number="3" hits="0" branch="true">
          <conditions><condition number="0" type="jump" coverage="50%"/></conditions>
        </line>
        <line number="4" hits="99999999999999999999999"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>"#,
        )
        .unwrap();
        assert_eq!(ctx.roots, ["/src/proj"]);
        let f = c.file("a/x.py").unwrap();
        // line 9 is only listed under method g: not a line, the class has <lines>.
        assert_eq!(c.totals().lines, Counter::new(4, 3));
        assert_eq!(c.totals().branches, Counter::new(4, 2));
        // A count beyond what the model keeps saturates (see `model::Line`).
        assert_eq!(f.hits(4), Some(u64::from(u32::MAX)));
        let names: Vec<_> = f
            .functions
            .iter()
            .map(|f| (&*f.name, f.line, f.end, f.hits))
            .collect();
        assert_eq!(names, [("A::f(I)V", 1, 2, 3), ("A::g()V", 9, 9, 0)]);
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
    }

    #[test]
    fn method_lines_stand_in_when_a_class_has_no_lines() {
        let (c, _) = read(
            r#"<coverage><packages><package name="p"><class name="S" filename="s.swift"><methods>
  <method name="a" line-rate="0"><lines><line number="5" branch="false" hits="0"/></lines></method>
  <method name="b" line-rate="1"><lines><line number="16" branch="true" hits="1" condition-coverage="50% (1/2)"/><line number="16" hits="2"/></lines></method>
</methods></class></package></packages></coverage>"#,
        )
        .unwrap();
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2, 1));
        assert_eq!(t.branches, Counter::new(2, 1));
        assert_eq!(t.functions, Counter::new(2, 1));
        assert_eq!(c.file("s.swift").unwrap().hits(16), Some(2));
    }

    #[test]
    fn classes_of_one_file_merge() {
        let (c, _) = read(
            r#"<coverage><packages>
  <package name="a"><classes>
    <class name="X" filename="x.cs"><methods/><lines><line number="1" hits="0"/><line number="2" hits="0" branch="true" condition-coverage="0% (0/2)"/></lines></class>
    <class name="X/Nested" filename="x.cs"><methods/><lines><line number="1" hits="2"/><line number="2" hits="1" branch="true" condition-coverage="50% (1/2)"/></lines></class>
  </classes></package>
  <package name="b"><classes><class name="Y" filename="y.cs"/></classes></package>
</packages></coverage>"#,
        )
        .unwrap();
        assert_eq!(c.files().len(), 2);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2, 2));
        assert_eq!(t.branches, Counter::new(2, 1));
        assert_eq!(t.functions, Counter::new(0, 0));
        assert_eq!(c.file("x.cs").unwrap().hits(1), Some(2));
    }

    #[test]
    fn empty_coverage_is_a_report_but_truncated_is_not() {
        let (c, ctx) = read(r#"<coverage line-rate="0"><sources/><packages/></coverage>"#).unwrap();
        assert!(c.is_empty());
        assert_eq!(ctx.warnings.len(), 1);
        let (c, _) = read(r#"<coverage/>"#).unwrap();
        assert!(c.is_empty());
        let e = read("<coverage><packages><package name=\"p\">").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
    }

    #[test]
    fn errors_say_where() {
        let doc = "<coverage>\n<packages><package><classes><class filename=\"a\"><lines>\n<line number=\"x\" hits=\"1\"/></lines></class></classes></package></packages></coverage>";
        let e = read(doc).unwrap_err();
        assert_eq!(e.message, "line number \"x\" is not a number");
        assert_eq!(
            e.at.offset,
            Some(doc.find("/></lines>").unwrap() as u64 + 2)
        );
        let e = read("<coverage><packages><class name=\"a\"/></packages></coverage>").unwrap_err();
        assert_eq!(e.message, "<class> has no filename attribute");
        let e = read("<coverage><class filename=\"a\"><lines><line number=\"1\" hits=\"NaN\"/></lines></class></coverage>").unwrap_err();
        assert_eq!(e.message, "hits \"NaN\" is not a number");
        let e = read("<report/>").unwrap_err();
        assert!(e.message.contains("not Cobertura"), "{e}");
    }

    #[test]
    fn fractions() {
        assert_eq!(fraction(b"50% (1/2)"), Some((1, 2)));
        assert_eq!(fraction(b"100%"), None);
        assert_eq!(fraction(b"(3/4)"), Some((3, 4)));
    }
}
