//! JaCoCo XML reports (`jacoco:report`, the Gradle/Maven plugins, `jacococli report --xml`).
//!
//! ```xml
//! <report name="x">
//!   <group name="module">            <!-- optional, nests -->
//!     <package name="com/x">
//!       <class name="com/x/A" sourcefilename="A.java">
//!         <method name="run" desc="()V" line="7"><counter type="METHOD" missed="0" covered="1"/></method>
//!       </class>
//!       <sourcefile name="A.java"><line nr="7" mi="0" ci="3" mb="1" cb="1"/></sourcefile>
//! ```
//!
//! A file's path is the package name, `/`, and the source file name (`com/x/A.java`): JaCoCo
//! package directories, mapped onto the repository later by [`crate::paths`]. A `<line>` is
//! executable when `mi+ci > 0` and covered when `ci > 0`; its branches are `mb+cb`, `cb`
//! covered. Each `<method>` is a function of the file named by its class's `sourcefilename`,
//! covered when its METHOD counter has `covered > 0`; it is named `Class.method(desc)` (the
//! class relative to its package) so that overloads and nested classes stay distinct.
//! `<group>` elements (multi-module reports) only nest packages. The report-level counters
//! are never used for totals, only compared with the records (a mismatch is a warning).
//!
//! The DOCTYPE (`report.dtd`) is never fetched: [`XmlReader`] skips it.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::xml::{attr, each_attr, parse_u64, scan_attrs, unescape_lossy, Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Counter, Coverage};

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut r = XmlReader::new(input);
    r.count_attribute_entities = true;
    let mut p = Parser::default();
    loop {
        // Where the next event starts: its element's depth and offset are known before the
        // event borrows the reader.
        let before = r.depth();
        let at = At(r.offset() + 1);
        match r.event()? {
            Ev::Start(e) => {
                let name = e.local_name();
                match (name.as_ref(), before + 1) {
                    (b"report", 1) => p.root = true,
                    (_, 1) => {
                        return Err(at.error(format!(
                            "not a JaCoCo report: root element is <{}>",
                            String::from_utf8_lossy(name.as_ref())
                        )))
                    }
                    (b"group", _) => {}
                    (b"package", d) => {
                        p.open_package(&e);
                        p.package_depth = d;
                    }
                    (b"class", d) => {
                        p.open_class(&e);
                        p.class_depth = d;
                    }
                    (b"method", d) => {
                        p.open_method(&e, &at)?;
                        p.method_depth = d;
                    }
                    (b"sourcefile", d) => {
                        p.open_sourcefile(&e, &at)?;
                        p.sourcefile_depth = d;
                    }
                    _ => {}
                }
            }
            Ev::Empty(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    b"line" => p.line(&e, &at)?,
                    b"counter" => p.counter(&e, before, &at)?,
                    b"method" => {
                        p.open_method(&e, &at)?;
                        p.close_method();
                    }
                    b"package" => p.packages += 1,
                    b"report" if before == 0 => p.root = true,
                    _ => {}
                }
            }
            Ev::End => p.close(before.saturating_sub(1)),
            Ev::Text(_) | Ev::Other => {}
            Ev::Eof => break,
        }
    }
    crate::ingest::xml::warn_entities(ctx, r.unknown_entities);
    p.finish(ctx)
}

/// The attributes of a `<line>`, taken in document order; the first malformed number stops it.
#[derive(Default)]
struct LineAttrs {
    nr: Option<u64>,
    /// mi, ci, mb, cb.
    counts: [u64; 4],
    error: Option<ParseError>,
}

impl LineAttrs {
    fn take(&mut self, key: &[u8], value: &[u8], r: &At) {
        if self.error.is_some() {
            return;
        }
        let slot = match key {
            b"nr" => {
                match parse_u64(value) {
                    Some(n) => self.nr = Some(n),
                    None => self.error = Some(bad_num(r, "nr", value)),
                }
                return;
            }
            b"mi" => 0,
            b"ci" => 1,
            b"mb" => 2,
            b"cb" => 3,
            _ => return,
        };
        match parse_u64(value) {
            Some(n) => self.counts[slot] = n,
            None => self.error = Some(bad_num(r, std::str::from_utf8(key).unwrap_or("?"), value)),
        }
    }
}

#[derive(Default)]
struct Parser {
    cov: Coverage,
    root: bool,
    packages: u64,
    /// Package name with a trailing `/` (empty for the default package).
    package: String,
    package_depth: usize,
    /// Open class: the file its methods go to (`None` when it has no `sourcefilename`), and
    /// its name relative to the package.
    class: Option<(Option<String>, String)>,
    class_depth: usize,
    /// Open method: name, line, hits from its METHOD counter.
    method: Option<(String, u32, Option<u64>)>,
    method_depth: usize,
    /// Open source file: its index in `cov` (lines are added there, no lookup per line).
    sourcefile: Option<usize>,
    sourcefile_depth: usize,
    /// Methods of classes without debug info (no source file to attribute them to).
    orphan_methods: u64,
    /// Methods of classes without `sourcefilename` (JaCoCo before 0.7.8, DTD 1.0), waiting
    /// for the package's source files: (top-level class name, method name, line, hits).
    pending: Vec<(String, String, u32, u64)>,
    /// Source file names of the open package.
    package_files: Vec<String>,
    /// Report-level counters (LINE, BRANCH, METHOD), for the consistency check.
    stated: [Option<Counter>; 3],
    /// LINE, BRANCH, METHOD counters of the `<sourcefile>`s, summed.
    file_stated: [Counter; 3],
    /// `<line>`s with no instruction counts at all (gcovr's JaCoCo export writes `<line nr>`
    /// and puts the counts only in the sourcefile's counters).
    bare_lines: u64,
}

impl Parser {
    fn open_package(&mut self, e: &BytesStart<'_>) {
        self.packages += 1;
        self.package.clear();
        if let Some(n) = attr(e, b"name") {
            let n = n.trim_matches('/');
            if !n.is_empty() {
                self.package.push_str(n);
                self.package.push('/');
            }
        }
    }

    fn open_class(&mut self, e: &BytesStart<'_>) {
        let file = attr(e, b"sourcefilename").map(|s| format!("{}{}", self.package, s));
        let name = attr(e, b"name").unwrap_or_default();
        let short = name
            .strip_prefix(self.package.as_str())
            .unwrap_or(&name)
            .to_string();
        self.class = Some((file, short));
    }

    fn open_method(&mut self, e: &BytesStart<'_>, r: &At) -> Result<()> {
        // Both in one pass (a malformed list gives neither, as `attr` does).
        let [name, desc] = scan_attrs(e, [b"name", b"desc"])
            .unwrap_or_default()
            .map(|v| v.map(unescape_lossy).unwrap_or_default());
        // The first `line`, as quick-xml's lenient iterator reads it (that iterator only for
        // a list `each_attr` finds malformed).
        let mut line_attr = None;
        let scanned = each_attr(e, |key, value| {
            if line_attr.is_none() && key == b"line" {
                line_attr = Some(Cow::Borrowed(value));
            }
        });
        if scanned.is_err() {
            line_attr = e
                .attributes()
                .with_checks(false)
                .flatten()
                .find(|a| a.key.local_name().as_ref() == b"line")
                .map(|a| a.value);
        }
        let line = match line_attr {
            Some(v) => u32::try_from(parse_u64(&v).ok_or_else(|| {
                r.error(format!(
                    "method line {:?} is not a number",
                    String::from_utf8_lossy(&v)
                ))
            })?)
            .map_err(|_| r.error("method line number out of range"))?,
            None => 0,
        };
        let class = self.class.as_ref().map_or("", |(_, c)| c.as_str());
        let full = if class.is_empty() {
            format!("{name}{desc}")
        } else {
            format!("{class}.{name}{desc}")
        };
        self.method = Some((full, line, None));
        Ok(())
    }

    fn close_method(&mut self) {
        let Some((name, line, covered)) = self.method.take() else {
            return;
        };
        match self.class.as_ref().and_then(|(f, _)| f.as_deref()) {
            Some(file) => {
                self.cov
                    .file_mut(file)
                    .add_function(name, line, covered.unwrap_or(0));
            }
            None => {
                // Old reports: attribute by the top-level class name once the package's
                // source files are known.
                let class = self.class.as_ref().map_or("", |(_, c)| c.as_str());
                let outer = class.split('$').next().unwrap_or("").to_string();
                self.pending.push((outer, name, line, covered.unwrap_or(0)));
            }
        }
    }

    fn open_sourcefile(&mut self, e: &BytesStart<'_>, r: &At) -> Result<()> {
        let Some(name) = attr(e, b"name").filter(|n| !n.is_empty()) else {
            return Err(r.error("<sourcefile> without a name"));
        };
        let path = format!("{}{}", self.package, name);
        // Create the record even when the file has no executable line.
        let index = self.cov.file_index(&path);
        self.package_files.push(name.into_owned());
        self.sourcefile = Some(index);
        Ok(())
    }

    /// `<line nr mi ci mb cb/>`: the hot loop, no allocation.
    #[inline]
    fn line(&mut self, e: &BytesStart<'_>, r: &At) -> Result<()> {
        let Some(index) = self.sourcefile else {
            return Err(r.error("<line> outside a <sourcefile>"));
        };
        let mut v = LineAttrs::default();
        // One hand-written pass; a list it finds malformed is read again by quick-xml's
        // lenient iterator, as it always was.
        if each_attr(e, |key, value| v.take(key, value, r)).is_err() {
            v = LineAttrs::default();
            for a in e.attributes().with_checks(false).flatten() {
                v.take(a.key.local_name().as_ref(), &a.value, r);
            }
        }
        let LineAttrs {
            nr,
            counts: [mi, ci, mb, cb],
            error,
        } = v;
        if let Some(err) = error {
            return Err(err);
        }
        let nr = nr.ok_or_else(|| r.error("<line> without nr"))?;
        let nr = u32::try_from(nr).map_err(|_| r.error("line number out of range"))?;
        if mi + ci == 0 && mb + cb == 0 {
            self.bare_lines += 1;
            return Ok(());
        }
        let f = self.cov.file_at_mut(index);
        if mi + ci > 0 {
            f.add_line(nr, ci);
        }
        if mb + cb > 0 {
            let total = u32::try_from(mb + cb).unwrap_or(u32::MAX);
            f.add_branches(nr, total, u32::try_from(cb).unwrap_or(u32::MAX));
        }
        Ok(())
    }

    fn counter(&mut self, e: &BytesStart<'_>, depth: usize, r: &At) -> Result<()> {
        let in_method = self.method.is_some() && depth == self.method_depth;
        let at_report = depth == 1;
        let in_sourcefile = self.sourcefile.is_some() && depth == self.sourcefile_depth;
        if !in_method && !at_report && !in_sourcefile {
            return Ok(());
        }
        // One pass (a malformed list gives none of them, as `attr` does).
        let [ty, missed, covered] =
            scan_attrs(e, [b"type", b"missed", b"covered"]).unwrap_or_default();
        let ty = ty.map(unescape_lossy).unwrap_or_default();
        let num = |v: Option<Cow<'_, [u8]>>, name: &[u8]| -> Result<u64> {
            let Some(raw) = v else { return Ok(0) };
            // Plain digits read as they are; anything else is unescaped first, as always.
            if let Some(n) = parse_u64(&raw) {
                return Ok(n);
            }
            let v = unescape_lossy(raw);
            parse_u64(v.as_bytes())
                .ok_or_else(|| bad_num(r, &String::from_utf8_lossy(name), v.as_bytes()))
        };
        let (missed, covered) = (num(missed, b"missed")?, num(covered, b"covered")?);
        if in_method {
            if ty == "METHOD" {
                if let Some(m) = self.method.as_mut() {
                    m.2 = Some(u64::from(covered > 0));
                }
            }
            return Ok(());
        }
        let slot = match ty.as_ref() {
            "LINE" => 0,
            "BRANCH" => 1,
            "METHOD" => 2,
            _ => return Ok(()),
        };
        if in_sourcefile {
            let c = &mut self.file_stated[slot];
            c.total = c.total.saturating_add(missed.saturating_add(covered));
            c.covered = c.covered.saturating_add(covered);
            return Ok(());
        }
        self.stated[slot] = Some(Counter::new(missed + covered, covered));
        Ok(())
    }

    /// An element closed: `d` is now one less than the closed element's depth.
    fn close(&mut self, d: usize) {
        if self.method.is_some() && d < self.method_depth {
            self.close_method();
        }
        if self.sourcefile.is_some() && d < self.sourcefile_depth {
            self.sourcefile = None;
        }
        if self.class.is_some() && d < self.class_depth {
            self.class = None;
        }
        if d < self.package_depth {
            self.resolve_pending();
            self.package.clear();
            self.package_depth = 0;
        }
    }

    /// Gives the methods of classes without `sourcefilename` to the package's source file
    /// whose stem is the class's top-level name (`A$1` → `A.java`, `A.kt`, …).
    fn resolve_pending(&mut self) {
        for (outer, name, line, hits) in std::mem::take(&mut self.pending) {
            let mut found = self
                .package_files
                .iter()
                .filter(|f| f.rsplit_once('.').map_or(f.as_str(), |(stem, _)| stem) == outer);
            match (found.next(), found.next()) {
                (Some(file), None) => {
                    let path = format!("{}{}", self.package, file);
                    self.cov.file_mut(&path).add_function(name, line, hits);
                }
                _ => self.orphan_methods += 1,
            }
        }
        self.package_files.clear();
    }

    fn finish(mut self, ctx: &mut Ctx) -> Result<Coverage> {
        if !self.root {
            return Err(ParseError::new("not a JaCoCo report: no <report> element"));
        }
        if self.packages == 0 {
            return Err(ParseError::new(
                "the JaCoCo report has no <package>: it holds no coverage",
            ));
        }
        ctx.warn_count(self.orphan_methods, "method belongs to a class with no source file (no sourcefilename, no matching <sourcefile>) and is not counted",
            "methods belong to classes with no source file (no sourcefilename, no matching <sourcefile>) and are not counted");
        self.cov.finish();
        let t = self.cov.totals();
        if t.lines.total == 0 && self.bare_lines > 0 && self.file_stated[0].total > 0 {
            // No line says how many instructions ran (gcovr's export): the sourcefiles'
            // counters are all there is. Totals only, not a silent 0.
            ctx.warn(format!(
                "{} <line> elements carry no instruction counts (gcovr's JaCoCo export): the <sourcefile> LINE/BRANCH/METHOD counters are read as totals only",
                self.bare_lines
            ));
            let [lines, branches, functions] = self.file_stated;
            let mut cov = Coverage::new();
            cov.summary_only = Some(crate::model::Totals {
                lines,
                branches,
                functions,
            });
            return Ok(cov);
        }
        let ours = [t.lines, t.branches, t.functions];
        let names = ["LINE", "BRANCH", "METHOD"];
        for i in 0..3 {
            if let Some(s) = self.stated[i] {
                // JaCoCo omits a counter whose total is 0.
                if s != ours[i] {
                    ctx.warn(format!(
                        "report {} counter says {}/{} but the records give {}/{}; the records are used",
                        names[i], s.covered, s.total, ours[i].covered, ours[i].total
                    ));
                }
            }
        }
        Ok(self.cov)
    }
}

/// The position of an element, for errors: just inside its start tag.
struct At(u64);

impl At {
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::at_offset(self.0, message)
    }
}

fn bad_num(r: &At, name: &str, v: &[u8]) -> ParseError {
    r.error(format!(
        "attribute {name}={:?} is not a number",
        String::from_utf8_lossy(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "http://127.0.0.1:9/report.dtd">
<report name="demo">
  <sessioninfo id="s" start="1" dump="2"/>
  <group name="core">
    <package name="com/x">
      <class name="com/x/A" sourcefilename="A.java">
        <method name="&lt;init&gt;" desc="()V" line="3"><counter type="METHOD" missed="0" covered="1"/></method>
        <method name="run" desc="(I)V" line="5"><counter type="METHOD" missed="1" covered="0"/></method>
        <method name="run" desc="()V" line="9"><counter type="METHOD" missed="0" covered="1"/></method>
      </class>
      <class name="com/x/A$Inner" sourcefilename="A.java">
        <method name="&lt;init&gt;" desc="()V" line="12"><counter type="METHOD" missed="1" covered="0"/></method>
      </class>
      <sourcefile name="A.java">
        <line nr="3" mi="0" ci="3" mb="0" cb="0"/>
        <line nr="5" mi="4" ci="0" mb="2" cb="0"/>
        <line nr="6" mi="0" ci="0" mb="0" cb="0"/>
        <line nr="9" mi="1" ci="2" mb="1" cb="3"/>
        <line nr="12" mi="2" ci="0" mb="0" cb="0"/>
        <counter type="LINE" missed="2" covered="2"/>
      </sourcefile>
    </package>
  </group>
  <group name="empty"/>
  <package name="">
    <sourcefile name="Default.java"><line nr="1" mi="0" ci="1" mb="0" cb="0"/></sourcefile>
  </package>
  <counter type="LINE" missed="2" covered="3"/>
  <counter type="BRANCH" missed="3" covered="3"/>
  <counter type="METHOD" missed="2" covered="2"/>
</report>"#;

    #[test]
    fn gcovr_export_without_instruction_counts_is_totals_only() {
        let (c, ctx) = read(
            r#"<report name="GCOVR report"><package name="src"><sourcefile name="a.c"><line nr="3"/><line nr="9" mb="2" cb="0"/>
<counter type="LINE" missed="1" covered="1"/><counter type="BRANCH" missed="2" covered="0"/><counter type="METHOD" missed="0" covered="1"/></sourcefile>
<sourcefile name="b.c"><line nr="3"/><counter type="LINE" missed="0" covered="1"/><counter type="METHOD" missed="1" covered="0"/></sourcefile></package></report>"#,
        )
        .unwrap();
        let t = c.summary_only.unwrap();
        assert_eq!(
            (t.lines, t.branches, t.functions),
            (Counter::new(3, 2), Counter::new(2, 0), Counter::new(2, 1))
        );
        assert!(
            ctx.warnings[0].starts_with("2 <line> elements carry no instruction counts"),
            "{:?}",
            ctx.warnings
        );
    }

    #[test]
    fn records_groups_and_methods() {
        let (c, ctx) = read(SAMPLE).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert_eq!(c.files().len(), 2);
        let a = c.file("com/x/A.java").unwrap();
        assert_eq!(a.totals().lines, Counter::new(4, 2));
        assert_eq!(a.totals().branches, Counter::new(6, 3));
        assert_eq!(a.totals().functions, Counter::new(4, 2));
        let names: Vec<_> = a.functions.iter().map(|f| &*f.name).collect();
        assert_eq!(
            names,
            ["A.<init>()V", "A.run(I)V", "A.run()V", "A$Inner.<init>()V"]
        );
        assert_eq!(c.file("Default.java").unwrap().hits(1), Some(1));
    }

    #[test]
    fn doctype_is_never_fetched() {
        // The DOCTYPE names an unreachable URL and a local file; parsing must not touch either.
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE report SYSTEM "file:///etc/passwd" [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>
<report name="&x;"><package name="p"><sourcefile name="A.java"><line nr="1" mi="1" ci="0" mb="0" cb="0"/></sourcefile></package></report>"#;
        // Declaring an entity at all is refused (XXE probe), before anything is read.
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("declares entities"), "{e}");
        let doc = doc
            .replace(r#" [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]"#, "")
            .replace("&x;", "r");
        let (c, _) = read(&doc).unwrap();
        assert_eq!(c.totals().lines, Counter::new(1, 0));
        // The SAMPLE's DOCTYPE names an http URL: same.
        assert!(read(SAMPLE).is_ok());
    }

    #[test]
    fn old_reports_without_sourcefilename() {
        // JaCoCo < 0.7.8 (DTD 1.0): classes name no source file.
        let doc = r#"<report name="x"><package name="p">
<class name="p/A$1"><method name="run" desc="()V" line="4"><counter type="METHOD" missed="0" covered="1"/></method></class>
<class name="p/Gone"><method name="f" desc="()V"><counter type="METHOD" missed="1" covered="0"/></method></class>
<sourcefile name="A.java"><line nr="4" mi="0" ci="1" mb="0" cb="0"/></sourcefile></package></report>"#;
        let (c, ctx) = read(doc).unwrap();
        let a = c.file("p/A.java").unwrap();
        assert_eq!(&*a.functions[0].name, "A$1.run()V");
        assert_eq!(c.totals().functions, Counter::new(1, 1));
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
    }

    #[test]
    fn summary_mismatch_warns() {
        let doc = r#"<report name="x"><package name="p"><sourcefile name="A.java"><line nr="1" mi="1" ci="0" mb="0" cb="0"/></sourcefile></package><counter type="LINE" missed="0" covered="7"/></report>"#;
        let (_, ctx) = read(doc).unwrap();
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
    }

    #[test]
    fn errors_say_where() {
        let doc = "<report name=\"x\"><package name=\"p\"><sourcefile name=\"A.java\">\n<line nr=\"1\" mi=\"x\" ci=\"0\" mb=\"0\" cb=\"0\"/></sourcefile></package></report>";
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("mi=\"x\""), "{e}");
        assert!(e.at.offset.is_some());
        // Truncated.
        let e = read(&SAMPLE[..SAMPLE.len() / 2]).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
        assert!(read("<report name=\"x\"/>").is_err());
        assert!(read("<coverage/>").is_err());
    }
}
