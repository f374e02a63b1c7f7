//! OpenCover XML (OpenCover 4.x, coverlet, AltCover), and several `<CoverageSession>`s
//! wrapped in one synthetic root (ReportGenerator's `MultiOpenCover` test input), which are
//! merged like several reports.
//!
//! `<CoverageSession><Modules><Module><Files><File uid fullPath/></Files><Classes><Class>
//! <Methods><Method visited><Name/><FileRef uid/><SequencePoints><SequencePoint vc sl fileid/>
//! </SequencePoints><BranchPoints><BranchPoint vc sl fileid/></BranchPoints><MethodPoint vc/>`
//!
//! - File uids are per `<Module>`; a point's `fileid`, else its method's `<FileRef>`, says
//!   which file it is in. A module repeated (same assembly measured by several test runs)
//!   merges like several reports: hits add up, branches take the best record.
//! - Lines: a line is executable when a sequence point starts on it (`sl`; a statement
//!   spanning lines counts on its first line), hit the sum of their `vc` (so covered when any
//!   of them ran, as ReportGenerator has it).
//! - Branches: each `<BranchPoint>` is one outcome on its `sl` line, covered when `vc > 0`.
//!   Branch points without `sl` (OpenCover before 4.5.3207) carry no line and are skipped.
//! - Functions: each `<Method>` with at least one sequence point, named by its `<Name>`, on its
//!   first sequence point's line; hit its `<MethodPoint vc>` or its busiest sequence point,
//!   and at least once when `visited="true"`.
//! - Anything with `skippedDueTo` (module, class, method) is left out, and so are the
//!   `<Summary>` headers. A declared `<File>` left with no point at all is no file record.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::xmlcov::{count, fold_branches, line_no, shown};
use crate::ingest::error::{ParseError, Result};
use crate::ingest::xml::{attr, attr_raw, parse_u64, scan_attrs, Ev, XmlReader};
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
                if matches!(s, Ok(Step::Next)) {
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
            Step::Skip { empty } => {
                if !empty {
                    r.skip()?;
                }
                p.depth -= 1;
            }
            Step::Name => {
                let name = r.read_text(4096)?;
                p.depth -= 1;
                if let Some(m) = p.method.as_mut() {
                    m.name = name.trim().to_string();
                }
            }
        }
    }
    crate::ingest::xml::warn_entities(ctx, r.unknown_entities);
    p.finish(ctx)
}

enum Step {
    Next,
    /// An element to leave out whole (`skippedDueTo`); its start was just read.
    Skip {
        empty: bool,
    },
    /// A method's `<Name>`: read its text.
    Name,
}

/// One file of the open module.
struct Slot {
    file: FileCoverage,
    /// (line, 1, covered) per branch point.
    branches: Vec<(u32, u32, u32)>,
}

struct Method {
    depth: usize,
    name: String,
    visited: bool,
    file_ref: Option<usize>,
    /// Slot and line of the first sequence point.
    first: Option<(usize, u32)>,
    max_vc: u64,
    method_point_vc: u64,
}

#[derive(Default)]
struct Parser {
    cov: Coverage,
    depth: usize,
    root_seen: bool,
    /// Depth of the open `<Module>`.
    module: Option<usize>,
    slots: Vec<Slot>,
    /// File uid → slot, per module.
    uids: HashMap<u64, usize>,
    /// Path → slot, per module (two uids for one path share a slot).
    paths: HashMap<String, usize>,
    method: Option<Method>,
    sessions: u64,
    negative_counts: u64,
    /// Points whose file is unknown (no `fileid` and no `<FileRef>`, or an undeclared uid).
    orphan_points: u64,
    branches_without_line: u64,
}

impl Parser {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<Step, String> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.root_seen {
            self.root_seen = true;
            return match name {
                b"CoverageSession" => {
                    self.sessions += 1;
                    Ok(Step::Next)
                }
                // A wrapper around several sessions (MultiOpenCover).
                _ if !empty => Ok(Step::Next),
                _ => Err(format!(
                    "root element is <{}>, not OpenCover's <CoverageSession>",
                    String::from_utf8_lossy(name)
                )),
            };
        }
        match name {
            b"SequencePoint" => self.sequence_point(e)?,
            b"BranchPoint" => self.branch_point(e)?,
            b"MethodPoint" => {
                if let Some(vc) = attr_raw(e, b"vc") {
                    let vc = self.vc(&vc)?;
                    if let Some(m) = self.method.as_mut() {
                        m.method_point_vc = m.method_point_vc.max(vc);
                    }
                }
            }
            b"FileRef" => {
                if let Some(m) = self.method.as_ref() {
                    if m.depth + 1 == self.depth {
                        let slot = attr_raw(e, b"uid")
                            .and_then(|u| parse_u64(&u))
                            .and_then(|u| self.uids.get(&u).copied());
                        self.method.as_mut().unwrap().file_ref = slot;
                    }
                }
            }
            b"Name"
                if !empty
                    && self
                        .method
                        .as_ref()
                        .is_some_and(|m| m.depth + 1 == self.depth) =>
            {
                return Ok(Step::Name)
            }
            b"Method" => {
                if self.module.is_none() {
                    return Err("<Method> outside a <Module>".to_string());
                }
                if skipped(e) {
                    return Ok(Step::Skip { empty });
                }
                let visited = attr_raw(e, b"visited")
                    .is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"true"));
                self.method = Some(Method {
                    depth: self.depth,
                    name: String::new(),
                    visited,
                    file_ref: None,
                    first: None,
                    max_vc: 0,
                    method_point_vc: 0,
                });
            }
            b"File" if self.module.is_some() && self.method.is_none() => self.file(e)?,
            b"Class" if skipped(e) => return Ok(Step::Skip { empty }),
            b"Module" => {
                if self.module.is_some() {
                    return Err("<Module> inside another <Module>".to_string());
                }
                if skipped(e) {
                    return Ok(Step::Skip { empty });
                }
                self.module = Some(self.depth);
            }
            b"CoverageSession" => self.sessions += 1,
            _ => {}
        }
        Ok(Step::Next)
    }

    fn vc(&mut self, v: &[u8]) -> Result<u64, String> {
        count(v, &mut self.negative_counts)
            .ok_or_else(|| format!("visit count vc {} is not a number", shown(v)))
    }

    fn file(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        let Some(uid) = attr_raw(e, b"uid") else {
            return Err("<File> has no uid attribute".to_string());
        };
        let uid =
            parse_u64(&uid).ok_or_else(|| format!("file uid {} is not a number", shown(&uid)))?;
        let path = match attr(e, b"fullPath") {
            Some(p) if !p.trim().is_empty() => p,
            _ => return Err("<File> has no fullPath attribute".to_string()),
        };
        let path = path.trim();
        let slot = match self.paths.get(path) {
            Some(&s) => s,
            None => {
                self.slots.push(Slot {
                    file: FileCoverage::new(path),
                    branches: Vec::new(),
                });
                self.paths.insert(path.to_string(), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        self.uids.insert(uid, slot);
        Ok(())
    }

    /// The slot of a point: its `fileid`, else its method's `<FileRef>`.
    fn slot_of(&self, fileid: Option<&[u8]>) -> Option<usize> {
        match fileid.and_then(parse_u64) {
            Some(uid) => self.uids.get(&uid).copied(),
            None => self.method.as_ref().and_then(|m| m.file_ref),
        }
    }

    fn sequence_point(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        if self.method.is_none() {
            return Ok(());
        }
        let [sl, vc, fileid] = point_attrs(e);
        let Some(sl) = sl else {
            return Err("<SequencePoint> has no sl attribute".to_string());
        };
        let line =
            line_no(&sl).ok_or_else(|| format!("start line sl {} is not a number", shown(&sl)))?;
        let Some(vc) = vc else {
            return Err("<SequencePoint> has no vc attribute".to_string());
        };
        let vc = self.vc(&vc)?;
        let Some(slot) = self.slot_of(fileid.as_deref()) else {
            self.orphan_points += 1;
            return Ok(());
        };
        self.slots[slot].file.add_line(line, vc);
        let m = self.method.as_mut().unwrap();
        m.max_vc = m.max_vc.max(vc);
        if m.first.is_none() {
            m.first = Some((slot, line));
        }
        Ok(())
    }

    fn branch_point(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        if self.method.is_none() {
            return Ok(());
        }
        let [sl, vc, fileid] = point_attrs(e);
        let Some(sl) = sl else {
            self.branches_without_line += 1;
            return Ok(());
        };
        let line =
            line_no(&sl).ok_or_else(|| format!("start line sl {} is not a number", shown(&sl)))?;
        let Some(vc) = vc else {
            return Err("<BranchPoint> has no vc attribute".to_string());
        };
        let vc = self.vc(&vc)?;
        let Some(slot) = self.slot_of(fileid.as_deref()) else {
            self.orphan_points += 1;
            return Ok(());
        };
        self.slots[slot].branches.push((line, 1, u32::from(vc > 0)));
        Ok(())
    }

    fn end(&mut self) {
        let d = self.depth;
        self.depth -= 1;
        if self.method.as_ref().is_some_and(|m| m.depth == d) {
            let m = self.method.take().unwrap();
            if let Some((slot, line)) = m.first {
                let mut hits = m.method_point_vc.max(m.max_vc);
                if m.visited {
                    hits = hits.max(1);
                }
                let name = if m.name.is_empty() {
                    format!("line {line}")
                } else {
                    m.name
                };
                self.slots[slot].file.add_function(name, line, hits);
            }
        } else if self.module == Some(d) {
            self.module = None;
            for mut s in self.slots.drain(..) {
                // A declared file whose classes were all filtered out holds nothing.
                if s.file.lines.is_empty() && s.branches.is_empty() && s.file.functions.is_empty() {
                    continue;
                }
                fold_branches(&mut s.file, &mut s.branches);
                self.cov.push_file(s.file);
            }
            self.uids.clear();
            self.paths.clear();
        }
    }

    fn finish(self, ctx: &mut Ctx) -> Result<Coverage> {
        if self.sessions == 0 {
            return Err(ParseError::new(
                "no <CoverageSession>: not an OpenCover report",
            ));
        }
        if self.cov.is_empty() {
            ctx.warn("the OpenCover report lists no <File>: it holds no coverage");
        }
        ctx.warn_count(
            self.orphan_points,
            "sequence or branch point names no file declared in its <Module> and was ignored",
            "sequence or branch points name no file declared in their <Module> and were ignored",
        );
        ctx.warn_count(
            self.branches_without_line,
            "branch point without a line (sl; OpenCover before 4.5.3207) ignored",
            "branch points without a line (sl; OpenCover before 4.5.3207) ignored",
        );
        ctx.warn_count(
            self.negative_counts,
            "negative visit count (an overflow in the producer) read as 0",
            "negative visit counts (an overflow in the producer) read as 0",
        );
        Ok(self.cov)
    }
}

/// `sl`, `vc` and `fileid` of a sequence or branch point, in one pass over its attributes
/// (points are most of an OpenCover file, with a dozen attributes each); a list that cannot
/// be split reads as no attribute at all, as `attr_raw` has it.
fn point_attrs<'a>(e: &'a BytesStart<'_>) -> [Option<Cow<'a, [u8]>>; 3] {
    scan_attrs(e, [b"sl", b"vc", b"fileid"]).unwrap_or_default()
}

fn skipped(e: &BytesStart<'_>) -> bool {
    attr_raw(e, b"skippedDueTo").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    const SESSION: &str = r#"<CoverageSession>
  <Summary numSequencePoints="999"/>
  <Modules>
    <Module skippedDueTo="Filter" hash="X"><ModuleName>mscorlib</ModuleName><Classes/></Module>
    <Module hash="A">
      <ModuleName>App</ModuleName>
      <Files><File uid="1" fullPath="C:\src\A.cs"/><File uid="2" fullPath="C:\src\B.cs"/></Files>
      <Classes>
        <Class><FullName>A</FullName><Methods>
          <Method visited="true" isConstructor="false">
            <Name>System.Void A::Run(System.Int32)</Name>
            <FileRef uid="1"/>
            <SequencePoints>
              <SequencePoint vc="2" sl="10" el="12" fileid="1"/>
              <SequencePoint vc="0" sl="11" el="11" fileid="1"/>
              <SequencePoint vc="1" sl="11" el="11" fileid="1"/>
              <SequencePoint vc="0" sl="13" el="13"/>
            </SequencePoints>
            <BranchPoints>
              <BranchPoint vc="1" sl="11" path="0" fileid="1"/>
              <BranchPoint vc="0" sl="11" path="1" fileid="1"/>
              <BranchPoint vc="0" offset="3" path="0"/>
            </BranchPoints>
            <MethodPoint vc="2"/>
          </Method>
          <Method visited="false" skippedDueTo="Attribute"><Name>System.Void A::Gone()</Name>
            <SequencePoints><SequencePoint vc="0" sl="40" fileid="1"/></SequencePoints></Method>
          <Method visited="false"><Name>System.Int32 A::get_X()</Name><SequencePoints/><MethodPoint/></Method>
          <Method visited="false"><Name>System.Void A::Lambda()</Name><FileRef uid="1"/>
            <SequencePoints><SequencePoint vc="0" sl="11" fileid="1"/></SequencePoints>
            <BranchPoints><BranchPoint vc="0" sl="11" fileid="1"/></BranchPoints></Method>
        </Methods></Class>
        <Class skippedDueTo="Filter"><FullName>B</FullName></Class>
      </Classes>
    </Module>
  </Modules>
</CoverageSession>"#;

    #[test]
    fn records_and_methods() {
        let (c, ctx) = read(SESSION).unwrap();
        let f = c.file(r"C:\src\A.cs").unwrap();
        assert_eq!(f.hits(10), Some(2));
        assert_eq!(f.hits(11), Some(1));
        assert_eq!(
            f.hits(12),
            None,
            "only the start line of a statement counts"
        );
        assert_eq!(f.hits(13), Some(0), "no fileid: the method's FileRef");
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(3, 2));
        // Both methods' branch points on line 11 are outcomes of one file: 3, one covered.
        assert_eq!(t.branches, Counter::new(3, 1));
        let fns: Vec<_> = f
            .functions
            .iter()
            .map(|f| (&*f.name, f.line, f.hits))
            .collect();
        assert_eq!(
            fns,
            [
                ("System.Void A::Run(System.Int32)", 10, 2),
                ("System.Void A::Lambda()", 11, 0)
            ]
        );
        // B.cs is declared, but its only class is filtered out: no record.
        assert_eq!(c.files().len(), 1);
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
        assert!(ctx.warnings[0].contains("without a line"));
    }

    #[test]
    fn wrapped_sessions_and_repeated_modules_merge() {
        let doc = format!("<root>\n{SESSION}\n{SESSION}\n</root>");
        let (c, _) = read(&doc).unwrap();
        let f = c.file(r"C:\src\A.cs").unwrap();
        assert_eq!(f.hits(10), Some(4));
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(3, 2));
        assert_eq!(t.branches, Counter::new(3, 1));
        assert_eq!(t.functions, Counter::new(2, 1));
    }

    #[test]
    fn empty_and_truncated() {
        let (c, ctx) = read("<CoverageSession><Modules/></CoverageSession>").unwrap();
        assert!(c.is_empty());
        assert_eq!(ctx.warnings.len(), 1);
        let e = read(&SESSION[..SESSION.len() / 2]).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("").is_err());
        assert!(read("<root><other/></root>").is_err());
    }

    #[test]
    fn errors_say_where() {
        let doc = SESSION.replace(r#"vc="0" sl="13""#, r#"vc="x" sl="13""#);
        let e = read(&doc).unwrap_err();
        assert_eq!(e.message, "visit count vc \"x\" is not a number");
        let at = doc.find(r#"vc="x""#).unwrap();
        let end = at + doc[at..].find("/>").unwrap() + 2;
        assert_eq!(e.at.offset, Some(end as u64));
        let e = read(r#"<CoverageSession><Modules><Module><Files><File fullPath="a"/></Files></Module></Modules></CoverageSession>"#).unwrap_err();
        assert_eq!(e.message, "<File> has no uid attribute");
    }
}
