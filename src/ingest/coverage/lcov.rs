//! LCOV tracefiles (geninfo 1.x and 2.x, and what llvm-cov, Istanbul, coverage.py, grcov,
//! tarpaulin and ReportGenerator write in that format).
//!
//! Records read: `SF`, `DA`, `BRDA`, `FN` (`line,name` and lcov 2's `line,end,name`),
//! `FNDA`, lcov ≥ 2.2's `FNL`/`FNA`, `end_of_record`. The `LF/LH/BRF/BRH/FNF/FNH` summaries
//! are never trusted: totals come from the records, and a summary that disagrees gets a
//! warning. Several `TN` sections and repeated `SF` records for one file are merged: hits
//! add up, a line's branches take the record with the most covered.
//!
//! This is the hot path for large inputs. The input is cut into chunks of whole records that
//! are parsed on all cores (a record never spans two chunks, so each chunk is parsed by a
//! fresh parser and the results merge like repeated records); within a chunk the plain
//! `DA`/`BRDA` lines are parsed in one pass without UTF-8 validation or allocation.

use std::collections::HashMap;
use std::io::BufRead;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::swar;
use crate::ingest::Ctx;
use crate::model::{saturate, Branches, Coverage, FileCoverage, Function, Line, Totals};

/// Large inputs are cut into chunks of about this size, at record boundaries, and parsed on
/// all cores; memory stays bounded by (workers + 2) chunks plus the model.
/// (Tiny in unit tests, so that they cross chunk boundaries.)
const CHUNK: usize = if cfg!(test) { 256 } else { 512 << 10 };

/// How much is read at once, straight into a chunk's buffer. At least the capacity of the
/// `BufReader` that `ingest` wraps the file in, so that it hands the read through instead of
/// copying every byte through its own buffer first.
const READ: usize = if cfg!(test) { 100 } else { 256 << 10 };

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let pool = Pool::default();
    let mut chunks = Chunker {
        input,
        carry: Vec::new(),
        line_base: 0,
        eof: false,
        tn: None,
        pool: &pool,
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let first = chunks.next()?;
    let second = match &first {
        Some(_) => chunks.next()?,
        None => None,
    };
    let parsers = match (first, second) {
        (None, _) => vec![Parser::default()],
        (Some(one), None) => vec![Parser::run(one, &pool)?],
        (Some(a), Some(b)) if workers == 1 => {
            let mut out = vec![Parser::run(a, &pool)?, Parser::run(b, &pool)?];
            while let Some(c) = chunks.next()? {
                out.push(Parser::run(c, &pool)?);
            }
            out
        }
        (Some(a), Some(b)) => parallel(&mut chunks, [a, b], workers, &pool)?,
    };
    combine(parsers, ctx)
}

/// Chunk buffers parsed and handed back, for the reader to fill again: a buffer is
/// allocated (and its pages faulted in) once per chunk in flight, not once per chunk.
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

/// The buffers of finished parses, for the next report: `check` reads a hundred LCOV files
/// of a megabyte or two, and zeroing and faulting in fresh buffers for each cost as much as
/// a tenth of its instructions. At most [`KEPT`] are kept (a few MiB).
static KEPT_BUFFERS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// As many buffers as two reports read at once hold in flight on a 2-core machine.
const KEPT: usize = 8;

impl Pool {
    fn take(&self) -> Vec<u8> {
        let mine = self.0.lock().unwrap_or_else(|p| p.into_inner()).pop();
        mine.or_else(|| KEPT_BUFFERS.lock().unwrap_or_else(|p| p.into_inner()).pop())
            .unwrap_or_default()
    }

    fn give(&self, buf: Vec<u8>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(buf);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let mine = std::mem::take(self.0.get_mut().unwrap_or_else(|p| p.into_inner()));
        let mut kept = KEPT_BUFFERS.lock().unwrap_or_else(|p| p.into_inner());
        for buf in mine {
            if kept.len() < KEPT && buf.capacity() <= 2 * (CHUNK + READ) {
                kept.push(buf);
            }
        }
    }
}

/// A run of whole records and the line number it starts after.
struct Chunk {
    /// The records are `buf[..len]`; the rest is room the reader may fill next time.
    buf: Vec<u8>,
    len: usize,
    line_base: u64,
    /// The test name (`TN:`) in force where the chunk starts: the last one before it.
    tn: Option<String>,
}

/// Cuts the input after the last `end_of_record` line of each ~[`CHUNK`] bytes.
struct Chunker<'a> {
    input: &'a mut dyn BufRead,
    carry: Vec<u8>,
    line_base: u64,
    eof: bool,
    /// The last `TN:` value of the chunks cut so far.
    tn: Option<String>,
    pool: &'a Pool,
}

impl Chunker<'_> {
    fn next(&mut self) -> Result<Option<Chunk>> {
        if self.eof && self.carry.is_empty() {
            return Ok(None);
        }
        // The buffer's length is its room, all of it initialised once (zeroed when it
        // grows), so that reads go straight into it; `len` is what holds records.
        let mut buf = self.pool.take();
        let mut len = self.carry.len();
        if buf.len() < len + READ {
            buf.resize(len + READ, 0);
        }
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        let mut searched = 0;
        let cut = loop {
            while len < searched + CHUNK && !self.eof {
                if buf.len() < len + READ {
                    buf.resize(len + READ, 0);
                }
                let n = loop {
                    match self.input.read(&mut buf[len..len + READ]) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        r => break r,
                    }
                }
                .map_err(|e| {
                    ParseError::at_line(self.line_base + 1, 1, format!("read error: {e}"))
                })?;
                if n == 0 {
                    self.eof = true;
                    break;
                }
                len += n;
            }
            if self.eof {
                break len;
            }
            match record_boundary(&buf[searched..len]) {
                Some(i) => break searched + i,
                // One record longer than a chunk: read on.
                None => searched = len.saturating_sub(64),
            }
        };
        self.carry.extend_from_slice(&buf[cut..len]);
        let lines = count_lines(&buf[..cut]);
        let tn = self.tn.clone();
        if let Some(last) = last_tn(&buf[..cut]) {
            self.tn = Some(last);
        }
        let chunk = Chunk {
            buf,
            len: cut,
            line_base: self.line_base,
            tn,
        };
        self.line_base += lines;
        Ok(Some(chunk))
    }
}

/// The number of `\n` in `buf`. Counted in blocks of 255 bytes into a `u8`, which the
/// compiler turns into byte-wide vector compares (a `usize` count does not vectorise as
/// well, and memchr's iterator would stop at every line).
fn count_lines(buf: &[u8]) -> u64 {
    buf.chunks(255)
        .map(|block| {
            let n = block
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n')));
            u64::from(n)
        })
        .sum()
}

/// The value of the last `TN:` line in `buf`, if any.
fn last_tn(buf: &[u8]) -> Option<String> {
    let finder = memchr::memmem::FinderRev::new(b"TN:");
    let mut end = buf.len();
    while let Some(i) = finder.rfind(&buf[..end]) {
        if i == 0 || buf[i - 1] == b'\n' {
            let rest = &buf[i + 3..];
            let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
            return Some(String::from_utf8_lossy(trim(line)).into_owned());
        }
        end = i;
    }
    None
}

/// The index just after the last `end_of_record` line in `buf`, if any.
fn record_boundary(buf: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::FinderRev::new(b"end_of_record");
    let mut end = buf.len();
    while let Some(i) = finder.rfind(&buf[..end]) {
        let at_line_start = i == 0 || buf[i - 1] == b'\n';
        let rest = &buf[i + 13..];
        if at_line_start {
            if let Some(nl) = rest.iter().position(|&b| b == b'\n') {
                if rest[..nl].iter().all(|b| b.is_ascii_whitespace()) {
                    return Some(i + 13 + nl + 1);
                }
            }
        }
        end = i;
    }
    None
}

/// Parses chunks on `workers` threads while this thread reads the next ones.
fn parallel(
    chunks: &mut Chunker<'_>,
    first: [Chunk; 2],
    workers: usize,
    pool: &Pool,
) -> Result<Vec<Parser>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Mutex};
    let (tx, rx) = mpsc::sync_channel::<(usize, Chunk)>(workers);
    let rx = Mutex::new(rx);
    let failed = AtomicBool::new(false);
    let mut done: Vec<(usize, Result<Parser>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((idx, chunk)) = next else { break };
                        let r = Parser::run(chunk, pool);
                        if r.is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        out.push((idx, r));
                    }
                    out
                })
            })
            .collect();
        let mut idx = 0;
        let mut read_error = None;
        for c in first {
            let _ = tx.send((idx, c));
            idx += 1;
        }
        while !failed.load(Ordering::Relaxed) {
            match chunks.next() {
                Ok(Some(c)) => {
                    let _ = tx.send((idx, c));
                    idx += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    read_error = Some((idx, Err(e)));
                    break;
                }
            }
        }
        drop(tx);
        let mut all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("an LCOV worker panicked"))
            .collect();
        all.extend(read_error);
        all
    });
    done.sort_by_key(|(i, _)| *i);
    // The first error in file order wins; chunks after it may not have been read at all.
    done.into_iter().map(|(_, r)| r).collect()
}

/// Folds the per-chunk parsers, in file order, into one result.
fn combine(parsers: Vec<Parser>, ctx: &mut Ctx) -> Result<Coverage> {
    // One model, sized once, filled with every chunk's finished files in file order.
    let mut cov = Coverage::with_capacity(parsers.iter().map(|p| p.files.len()).sum());
    let mut it = parsers.into_iter();
    let mut all = it.next().unwrap_or_default();
    for (f, t) in std::mem::take(&mut all.files) {
        cov.push_finished(f, t);
    }
    for p in it {
        if all.cur.is_some() {
            break;
        }
        all.records += p.records;
        all.lineno = p.lineno;
        all.cur = p.cur;
        if all.summary_mismatch.is_none() {
            all.summary_mismatch = p.summary_mismatch;
        }
        all.summary_mismatches += p.summary_mismatches;
        all.negative_hits += p.negative_hits;
        all.instantiations += p.instantiations;
        all.tests.extend(p.tests);
        for (f, t) in p.files {
            cov.push_finished(f, t);
        }
    }
    all.finish(ctx, cov)
}

#[derive(Default)]
struct Parser {
    /// The records closed in this chunk, finished, with their totals (counted here, while
    /// hot); [`combine`] files them into one model.
    files: Vec<(FileCoverage, Totals)>,
    lineno: u64,
    records: u64,
    /// The open `SF` record.
    cur: Option<Record>,
    /// The test name in force (`TN:`).
    tn: Option<String>,
    /// (test name, file, covered lines) of every record in a named test section.
    tests: Vec<(String, String, Vec<u32>)>,
    summary_mismatch: Option<String>,
    summary_mismatches: u64,
    negative_hits: u64,
    /// `FN` records of mangled instantiations folded into the function at their start line.
    instantiations: u64,
    /// The vectors of the last closed record, emptied, for the next one: a record grows
    /// them by pushing, and reusing them means growing only past the largest record so
    /// far. The model gets an exact-size copy when the record closes.
    spare: Spare,
}

#[derive(Default)]
struct Spare {
    lines: Vec<Line>,
    branches: Vec<Branches>,
    functions: Vec<Function>,
    brda: Vec<(u32, bool)>,
}

/// One `SF` … `end_of_record` block. Branches and functions are gathered per record, then
/// folded: within a record branch outcomes add up per line, across records the max wins.
#[derive(Default)]
struct Record {
    file: FileCoverage,
    /// (line, taken) per BRDA.
    brda: Vec<(u32, bool)>,
    /// Where the next `FNDA` is expected: tools write `FNDA` in `FN` order, so the common
    /// case needs no look-up. `fn_index` is built only when that guess fails.
    fn_cursor: usize,
    fn_index: Option<HashMap<Vec<u8>, usize>>,
    /// lcov 2.2 `FNL` index → start and end line (0 when not given).
    fnl: HashMap<u64, (u32, u32)>,
    lf: Option<u64>,
    lh: Option<u64>,
    start_line: u64,
}

impl Parser {
    fn err(&self, col: usize, msg: impl Into<String>) -> ParseError {
        ParseError::at_line(self.lineno, col as u64 + 1, msg)
    }

    /// Parses one chunk of whole lines, then hands its buffer back to `pool`.
    fn run(chunk: Chunk, pool: &Pool) -> Result<Parser> {
        let mut p = Parser {
            lineno: chunk.line_base,
            tn: chunk.tn,
            ..Parser::default()
        };
        let r = p.lines(&chunk.buf[..chunk.len]);
        pool.give(chunk.buf);
        r.map(|()| p)
    }

    fn lines(&mut self, buf: &[u8]) -> Result<()> {
        let mut pos = 0;
        while pos < buf.len() {
            if let Some(rec) = self.cur.as_mut() {
                // Runs of plain `DA` and `BRDA` lines, the bulk of every large tracefile, in
                // loops of their own; they stop at the first line of another shape.
                let (used, n) = match buf[pos..].first() {
                    Some(b'D') => da_run(&mut rec.file.lines, &buf[pos..]),
                    Some(b'B') => brda_run(&mut rec.brda, &buf[pos..]),
                    _ => (0, 0),
                };
                if n > 0 {
                    self.lineno += n;
                    pos += used;
                    continue;
                }
            }
            let rest = &buf[pos..];
            if let Some(used) = self.fast(rest) {
                pos += used;
                continue;
            }
            match line_end(rest) {
                Some(i) => {
                    self.line(&rest[..i])?;
                    pos += i + 1;
                }
                None => {
                    self.line(rest)?;
                    break;
                }
            }
        }
        Ok(())
    }

    /// The two records that make up nearly all of a large tracefile, in their plain form
    /// (`DA:<n>,<n>` and `BRDA:<n>,<n>,<n>,<n|->` up to the newline), parsed in one pass
    /// that also finds the end of the line. Returns the bytes consumed, or `None` for
    /// anything else, which then goes through [`Parser::line`].
    #[inline]
    fn fast(&mut self, rest: &[u8]) -> Option<usize> {
        let rec = self.cur.as_mut()?;
        if let Some(v) = rest.strip_prefix(b"DA:") {
            let (line, i) = digits(v, 0)?;
            let (hits, i) = digits(v, comma(v, i)?)?;
            let end = newline(v, i)?;
            rec.file.add_line(u32::try_from(line).ok()?, hits);
            self.lineno += 1;
            return Some(3 + end);
        }
        if let Some(v) = rest.strip_prefix(b"BRDA:") {
            let (line, i) = digits(v, 0)?;
            let (_block, i) = digits(v, comma(v, i)?)?;
            let (_branch, i) = digits(v, comma(v, i)?)?;
            let i = comma(v, i)?;
            let (taken, i) = match v.get(i) {
                Some(b'-') => (false, i + 1),
                _ => {
                    let (n, i) = digits(v, i)?;
                    (n > 0, i)
                }
            };
            let end = newline(v, i)?;
            rec.brda.push((u32::try_from(line).ok()?, taken));
            self.lineno += 1;
            return Some(5 + end);
        }
        if let Some(v) = rest.strip_prefix(b"FN:") {
            // The lcov 1 form, `FN:<line>,<name>`, with no comma in the name (lcov 2's
            // `FN:<line>,<end>,<name>` and C++ signatures take the slow path).
            let (line, i) = digits(v, 0)?;
            let i = comma(v, i)?;
            let len = find_end(&v[i..], true)?;
            if v[i + len] != b'\n' {
                return None;
            }
            rec.define(&v[i..i + len], u32::try_from(line).ok()?, 0);
            self.lineno += 1;
            return Some(3 + i + len + 1);
        }
        if let Some(v) = rest.strip_prefix(b"FNDA:") {
            // `FNDA:<hits>,<name>`: the name is the rest of the line, commas and all.
            let (hits, i) = digits(v, 0)?;
            let i = comma(v, i)?;
            let len = find_end(&v[i..], false)?;
            rec.hits(&v[i..i + len], 0, hits);
            self.lineno += 1;
            return Some(5 + i + len + 1);
        }
        None
    }

    #[inline]
    fn line(&mut self, raw: &[u8]) -> Result<()> {
        self.lineno += 1;
        let l = match raw {
            [rest @ .., b'\r'] => rest,
            _ => raw,
        };
        if let Some(v) = l.strip_prefix(b"DA:") {
            return self.da(v);
        }
        if let Some(v) = l.strip_prefix(b"BRDA:") {
            return self.brda(v);
        }
        let l = trim(l);
        if l.is_empty() {
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"SF:") {
            if let Some(open) = &self.cur {
                return Err(self.err(
                    0,
                    format!(
                        "SF record for {} (line {}) has no end_of_record before the next SF",
                        open.file.path, open.start_line
                    ),
                ));
            }
            let path = String::from_utf8_lossy(trim(v)).into_owned();
            if path.is_empty() {
                return Err(self.err(3, "SF with an empty path"));
            }
            let spare = std::mem::take(&mut self.spare);
            self.cur = Some(Record {
                file: FileCoverage {
                    path,
                    lines: spare.lines,
                    branches: spare.branches,
                    functions: spare.functions,
                    stated_functions: None,
                },
                brda: spare.brda,
                start_line: self.lineno,
                ..Default::default()
            });
            return Ok(());
        }
        if l == b"end_of_record" {
            let Some(rec) = self.cur.take() else {
                return Err(self.err(0, "end_of_record without an SF record"));
            };
            self.close(rec);
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"FNDA:") {
            let (hits, name) = split2(v).ok_or_else(|| self.err(5, "FNDA needs hits,name"))?;
            let hits = self.count(hits, 5)?;
            self.rec("FNDA")?.hits(name, 0, hits);
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"FNA:") {
            // lcov ≥ 2.2: FNA:<index>,<hits>,<name>
            let mut it = v.splitn(3, |&b| b == b',');
            let (Some(idx), Some(hits), Some(name)) = (it.next(), it.next(), it.next()) else {
                return Err(self.err(4, "FNA needs index,hits,name"));
            };
            let idx = num(idx).ok_or_else(|| self.err(4, "FNA index is not a number"))?;
            let hits = self.count(hits, 4)?;
            let rec = self.rec("FNA")?;
            let (line, end) = rec.fnl.get(&idx).copied().unwrap_or((0, 0));
            rec.hits(name, line, hits);
            if end > 0 {
                if let Some(f) = rec.file.functions.get_mut(rec.fn_cursor.wrapping_sub(1)) {
                    f.end = f.end.max(end);
                }
            }
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"FNL:") {
            // lcov ≥ 2.2: FNL:<index>,<start>[,<end>]
            let (idx, rest) = split2(v).ok_or_else(|| self.err(4, "FNL needs index,line"))?;
            let mut parts = rest.split(|&b| b == b',');
            let start = parts.next().unwrap_or(b"");
            let end = parts.next().and_then(num).map_or(0, saturate);
            let idx = num(idx).ok_or_else(|| self.err(4, "FNL index is not a number"))?;
            let start = self.line_no(start, 4)?;
            self.rec("FNL")?.fnl.insert(idx, (start, end));
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"FN:") {
            // FN:<line>,<name> (lcov 1) or FN:<line>,<end line>,<name> (lcov 2).
            let (line, rest) = split2(v).ok_or_else(|| self.err(3, "FN needs line,name"))?;
            let line = self.line_no(line, 3)?;
            let (name, end) = match split2(rest) {
                Some((end, name)) if num(end).is_some() => (name, num(end).map_or(0, saturate)),
                _ => (rest, 0),
            };
            self.rec("FN")?.define(name, line, end);
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"LF:") {
            self.rec("LF")?.lf = num(v);
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"LH:") {
            self.rec("LH")?.lh = num(v);
            return Ok(());
        }
        if let Some(v) = l.strip_prefix(b"TN:") {
            self.tn = Some(String::from_utf8_lossy(trim(v)).into_owned());
            return Ok(());
        }
        // VER, FNF, FNH, BRF, BRH, MCDC and anything newer: nothing we need.
        if l.first().is_some_and(|b| b.is_ascii_uppercase()) || l.starts_with(b"#") {
            return Ok(());
        }
        Err(self.err(
            0,
            format!(
                "not an LCOV record: {:?}",
                String::from_utf8_lossy(&l[..l.len().min(60)])
            ),
        ))
    }

    fn rec(&mut self, what: &str) -> Result<&mut Record> {
        if self.cur.is_none() {
            return Err(self.err(0, format!("{what} outside an SF record")));
        }
        Ok(self.cur.as_mut().unwrap())
    }

    #[inline]
    fn da(&mut self, v: &[u8]) -> Result<()> {
        // DA:<line>,<hits>[,<checksum>]. The plain form was taken by `fast`; this is the
        // forgiving path (checksums, spaces, negative or float counts) with precise errors.
        let (line, rest) = split2(v).ok_or_else(|| self.err(3, "DA needs line,hits"))?;
        let hits = rest.split(|&b| b == b',').next().unwrap_or(b"");
        let line = self.line_no(line, 3)?;
        let hits = self.count(hits, 3 + line_len(v, rest))?;
        match self.cur.as_mut() {
            Some(rec) => {
                rec.file.add_line(line, hits);
                Ok(())
            }
            None => Err(self.err(0, "DA outside an SF record")),
        }
    }

    fn brda(&mut self, v: &[u8]) -> Result<()> {
        // BRDA:<line>,<block>,<branch>,<taken>; taken is '-' when the line never ran.
        // The branch may be an expression containing commas (lcov 2), so split from both ends.
        let (line, rest) =
            split2(v).ok_or_else(|| self.err(5, "BRDA needs line,block,branch,taken"))?;
        let taken = match rest.iter().rposition(|&b| b == b',') {
            Some(i) if rest[..i].contains(&b',') => trim(&rest[i + 1..]),
            _ => return Err(self.err(5, "BRDA needs line,block,branch,taken")),
        };
        let line = self.line_no(line, 5)?;
        let taken = match taken {
            b"-" => false,
            t => self.count(t, 5)? > 0,
        };
        match self.cur.as_mut() {
            Some(rec) => {
                rec.brda.push((line, taken));
                Ok(())
            }
            None => Err(self.err(0, "BRDA outside an SF record")),
        }
    }

    fn line_no(&self, v: &[u8], col: usize) -> Result<u32> {
        num(v).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
            self.err(
                col,
                format!(
                    "line number {:?} is not a number",
                    String::from_utf8_lossy(v)
                ),
            )
        })
    }

    /// An execution count. Some gcov versions wrote negative counts on overflow and some
    /// tools write floats (`1.0E3`): negatives count as 0 (with a warning), floats are
    /// truncated.
    fn count(&mut self, v: &[u8], col: usize) -> Result<u64> {
        if let Some(n) = num(v) {
            return Ok(n);
        }
        let s = std::str::from_utf8(trim(v)).unwrap_or("");
        if s.starts_with('-') && s[1..].bytes().all(|b| b.is_ascii_digit()) && s.len() > 1 {
            self.negative_hits += 1;
            return Ok(0);
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f >= 0.0 => Ok(f as u64),
            _ => Err(self.err(
                col,
                format!(
                    "execution count {:?} is not a number",
                    String::from_utf8_lossy(v)
                ),
            )),
        }
    }

    fn close(&mut self, mut rec: Record) {
        self.records += 1;
        if let (Some(lf), Some(lh)) = (rec.lf, rec.lh) {
            let total = rec.file.lines.len() as u64;
            let hit = rec.file.lines.iter().filter(|l| l.hits > 0).count() as u64;
            // Summaries only describe their own record, so compare before merging.
            if lf != total || lh != hit {
                self.summary_mismatches += 1;
                if self.summary_mismatch.is_none() {
                    self.summary_mismatch = Some(format!(
                        "{} (line {}): LF:{lf}/LH:{lh} but the DA records give {total}/{hit}; the DA records are used",
                        rec.file.path, rec.start_line
                    ));
                }
            }
        }
        if !rec.brda.is_empty() {
            rec.brda.sort_unstable_by_key(|&(l, _)| l);
            let mut i = 0;
            while i < rec.brda.len() {
                let line = rec.brda[i].0;
                let (mut total, mut covered) = (0u32, 0u32);
                while i < rec.brda.len() && rec.brda[i].0 == line {
                    total += 1;
                    covered += u32::from(rec.brda[i].1);
                    i += 1;
                }
                rec.file.add_branches(line, total, covered);
            }
        }
        self.instantiations += group_instantiations(&mut rec.file.functions);
        // A named test section: which lines this test covered (an unnamed `TN:`, what
        // cargo-llvm-cov and Istanbul write, says nothing per test and costs nothing).
        if let Some(tn) = self.tn.as_deref().filter(|t| !t.is_empty()) {
            let covered: Vec<u32> = rec
                .file
                .lines
                .iter()
                .filter(|l| l.hits > 0)
                .map(|l| l.line)
                .collect();
            self.tests
                .push((tn.to_string(), rec.file.path.clone(), covered));
        }
        // Sorted and merged here, on the worker and while the record is hot in cache, so
        // that the model's `finish` skips it (unless another record of the file joins it).
        rec.file.merge_records();
        let FileCoverage {
            path,
            mut lines,
            mut branches,
            mut functions,
            stated_functions,
        } = rec.file;
        // Exact capacity: the slack of vectors grown by pushing would add up to as much
        // as the records.
        let file = FileCoverage {
            path,
            lines: lines.as_slice().to_vec(),
            branches: branches.as_slice().to_vec(),
            functions: exact(&mut functions),
            stated_functions,
        };
        lines.clear();
        branches.clear();
        rec.brda.clear();
        self.spare = Spare {
            lines,
            branches,
            functions,
            brda: rec.brda,
        };
        let totals = file.totals();
        self.files.push((file, totals));
    }

    fn finish(mut self, ctx: &mut Ctx, cov: Coverage) -> Result<Coverage> {
        if let Some(open) = &self.cur {
            return Err(ParseError::at_line(
                self.lineno,
                1,
                format!(
                    "unexpected end of file: the SF record for {} (line {}) has no end_of_record (truncated file?)",
                    open.file.path, open.start_line
                ),
            ));
        }
        if self.records == 0 {
            return Err(ParseError::new(
                "no SF records: the LCOV file holds no coverage",
            ));
        }
        if let Some(m) = self.summary_mismatch.take() {
            let more = match self.summary_mismatches {
                1 => String::new(),
                n => format!(" ({} more records disagree)", n - 1),
            };
            ctx.warn(format!(
                "line summary disagrees with the records: {m}{more}"
            ));
        }
        ctx.warn_count(
            self.negative_hits,
            "negative execution count (a gcov overflow) read as 0",
            "negative execution counts (a gcov overflow) read as 0",
        );
        ctx.warn_count(
            self.instantiations,
            "FN record of further instantiations (generics, templates, closures: mangled names at the start line of another) counted with that function, as lcov 2's function aliases and llvm-cov report count them",
            "FN records of further instantiations (generics, templates, closures: mangled names at the start line of another) counted with that function, as lcov 2's function aliases and llvm-cov report count them",
        );
        if !self.tests.is_empty() {
            let mut contexts = crate::ingest::TestContexts::default();
            let mut index = HashMap::new();
            for (tn, path, lines) in std::mem::take(&mut self.tests) {
                let i = contexts.intern(&mut index, &tn);
                contexts
                    .files
                    .push((path, lines.into_iter().map(|l| (l, i)).collect()));
            }
            ctx.contexts = Some(contexts);
        }
        Ok(cov)
    }
}

/// Folds functions of one file that are instantiations of one source function into it:
/// llvm-cov's LCOV (cargo-llvm-cov, grcov) lists a generic or closure once per
/// instantiation, each under its mangled symbol (`_R…` Rust v0, `_Z…` Itanium C++/Rust
/// legacy) at the same start line. Hits add up; the first name is kept. Unmangled names are
/// never grouped: two JavaScript functions on one line are two functions. Returns how many
/// records were folded.
fn group_instantiations(fns: &mut Vec<Function>) -> u64 {
    let mangled = |f: &Function| f.name.starts_with("_R") || f.name.starts_with("_Z");
    if fns.iter().filter(|f| mangled(f)).nth(1).is_none() {
        return 0;
    }
    let mut first_at: HashMap<u32, usize> = HashMap::new();
    let mut keep = vec![true; fns.len()];
    let mut folded = 0;
    for i in 0..fns.len() {
        if !mangled(&fns[i]) || fns[i].line == 0 {
            continue;
        }
        match first_at.get(&fns[i].line) {
            // The same name twice is one function listed twice (merged by the model).
            Some(&j) if fns[j].name != fns[i].name => {
                fns[j].hits = fns[j].hits.saturating_add(fns[i].hits);
                keep[i] = false;
                folded += 1;
            }
            Some(_) => {}
            None => {
                first_at.insert(fns[i].line, i);
            }
        }
    }
    let mut k = keep.into_iter();
    fns.retain(|_| k.next().unwrap_or(true));
    folded
}

impl Record {
    /// `FN`: a definition. Pushed without a look-up; a name defined twice in one record is
    /// merged by the model's `finish`.
    fn define(&mut self, name: &[u8], line: u32, end: u32) {
        let name = trim(name);
        let fns = &mut self.file.functions;
        if let Some(index) = &mut self.fn_index {
            index.insert(name.to_vec(), fns.len());
        }
        fns.push(Function {
            name: function_name(name),
            line,
            end,
            hits: 0,
        });
    }

    /// `FNDA`/`FNA`: hits for a function, defined before or not.
    fn hits(&mut self, name: &[u8], line: u32, hits: u64) {
        let name = trim(name);
        let fns = &mut self.file.functions;
        let found = match fns.get(self.fn_cursor) {
            Some(f) if f.name.as_bytes() == name => Some(self.fn_cursor),
            _ if fns.is_empty() => None,
            _ => {
                let index = self.fn_index.get_or_insert_with(|| {
                    fns.iter()
                        .enumerate()
                        .map(|(i, f)| (f.name.as_bytes().to_vec(), i))
                        .collect()
                });
                index.get(name).copied()
            }
        };
        match found {
            Some(i) => {
                let f = &mut fns[i];
                f.hits = f.hits.saturating_add(saturate(hits));
                if f.line == 0 {
                    f.line = line;
                }
                self.fn_cursor = i + 1;
            }
            None => {
                if let Some(index) = &mut self.fn_index {
                    index.insert(name.to_vec(), fns.len());
                }
                fns.push(Function {
                    name: function_name(name),
                    line,
                    end: 0,
                    hits: saturate(hits),
                });
                self.fn_cursor = fns.len();
            }
        }
    }
}

/// A function's name as the model keeps it. ASCII (nearly every name) is copied as it is,
/// after a word-at-a-time check: on names of a dozen bytes, `from_utf8` and
/// `from_utf8_lossy` cost ten times as much, byte by byte.
fn function_name(name: &[u8]) -> compact_str::CompactString {
    if name.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        return compact_str::CompactString::new(unsafe { std::str::from_utf8_unchecked(name) });
    }
    compact_str::CompactString::from_utf8_lossy(name)
}

/// Moves `v`'s items into a vector of exactly their number, leaving `v` empty (and its
/// capacity for reuse).
fn exact(v: &mut Vec<Function>) -> Vec<Function> {
    let mut out = Vec::with_capacity(v.len());
    out.append(v);
    out
}

/// Where the first byte that is not an ASCII digit lies in `x` (8 bytes, little-endian):
/// 0 to 8.
#[inline(always)]
fn digit_len(x: u64) -> usize {
    // `x ^ 0x30…` turns the digits into 0..=9: every other byte has a high nibble, or gets
    // one when 6 is added (`:`..=`?`). A carry out of a byte (0xFA and up, a non-digit) only
    // disturbs the bytes after it, which lie past the first non-digit anyway.
    let y = x ^ 0x3030_3030_3030_3030;
    let not_digit = (y | y.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0;
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of the first `len` (1 to 7) bytes of `x`, all ASCII digits: shifted to the top
/// (the bytes shifted in are leading zeros) and combined pairwise (SWAR). Up to 4 digits,
/// the common case for line numbers and counts, take two steps instead of three.
#[inline(always)]
fn digit_value(x: u64, len: usize) -> u32 {
    if len <= 4 {
        let mut d = ((x as u32) << (8 * (4 - len))) & 0x0F0F_0F0F;
        d = (d.wrapping_mul(10) + (d >> 8)) & 0x00FF_00FF;
        return (d.wrapping_mul(100) + (d >> 16)) & 0xFFFF;
    }
    let mut d = (x << (8 * (8 - len))) & 0x0F0F_0F0F_0F0F_0F0F;
    // Little-endian: the first digit is the lowest byte. Pairs, then fours, then eights.
    d = (d.wrapping_mul(10) + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    d = (d.wrapping_mul(100) + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
    ((d.wrapping_mul(10_000) + (d >> 32)) & 0xFFFF_FFFF) as u32
}

/// Where the first `\n` (or, with `comma`, the first `\n` or `,`) lies in the first 256
/// bytes of `v`: `None` past them (a long name takes the general path). Eight bytes at a
/// time: the names of `FN` and `FNDA` lines are a dozen bytes or more, and a byte loop
/// cost as much as the rest of the line.
#[inline]
fn find_end(v: &[u8], comma: bool) -> Option<usize> {
    let head = &v[..v.len().min(256)];
    let mut words = head.chunks_exact(8);
    for (k, w) in (&mut words).enumerate() {
        let w = swar::word(w);
        let mut hit = swar::equal(w, b'\n');
        if comma {
            hit |= swar::equal(w, b',');
        }
        if hit != 0 {
            return Some(k * 8 + (hit.trailing_zeros() / 8) as usize);
        }
    }
    let done = head.len() - words.remainder().len();
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n' || comma && b == b',')
        .map(|i| done + i)
}

/// How much a run of `DA` lines needs left in the buffer to read one more: the longest line
/// it takes (`DA:`, 7 digits, `,`, 7 digits, `\n`: 19 bytes) with its 8-byte loads.
const DA_TAIL: usize = 24;

/// The same for `BRDA` (`BRDA:`, four fields of up to 7 digits, three commas, `\n`: 37 bytes,
/// and the load at the last field: 40).
const BRDA_TAIL: usize = 40;

/// Parses consecutive plain `DA:<line>,<hits>` lines (up to 7 digits each, `\n`-ended) at the
/// start of `buf` into `lines`; returns the bytes and lines consumed. Stops at the first
/// line of any other shape (which then takes the general path, with its precise errors),
/// and near the end of the buffer. 7 digits fit a `u32`, so no count saturates here.
fn da_run(lines: &mut Vec<Line>, buf: &[u8]) -> (usize, u64) {
    let (mut pos, mut n) = (0, 0);
    while buf.len() - pos >= DA_TAIL {
        let v = &buf[pos..pos + DA_TAIL];
        let head = swar::word_at(v, 0);
        if head & 0x00FF_FFFF != u64::from(u32::from_le_bytes(*b"DA:\0")) {
            break;
        }
        let x = swar::word_at(v, 3);
        let len = digit_len(x);
        if len == 0 || len >= 8 || v[3 + len] != b',' {
            break;
        }
        let y = swar::word_at(v, 4 + len);
        let len2 = digit_len(y);
        if len2 == 0 || len2 >= 8 || v[4 + len + len2] != b'\n' {
            break;
        }
        lines.push(Line {
            line: digit_value(x, len),
            hits: digit_value(y, len2),
        });
        pos += 5 + len + len2;
        n += 1;
    }
    (pos, n)
}

/// [`da_run`] for plain `BRDA:<line>,<block>,<branch>,<taken>` lines (`taken` a count or
/// `-`): block and branch are skipped, as the model does not keep them, but must be digits
/// so that the line has the plain shape.
fn brda_run(brda: &mut Vec<(u32, bool)>, buf: &[u8]) -> (usize, u64) {
    let (mut pos, mut n) = (0, 0);
    while buf.len() - pos >= BRDA_TAIL {
        let v = &buf[pos..pos + BRDA_TAIL];
        let head = swar::word_at(v, 0);
        if head & 0xFF_FFFF_FFFF != u64::from_le_bytes(*b"BRDA:\0\0\0") {
            break;
        }
        let x = swar::word_at(v, 5);
        let len = digit_len(x);
        if len == 0 || len >= 8 || v[5 + len] != b',' {
            break;
        }
        let mut i = 6 + len;
        // block, then branch: digits and a comma each.
        let mut plain = true;
        for _ in 0..2 {
            let k = digit_len(swar::word_at(v, i));
            if k == 0 || k >= 8 || v[i + k] != b',' {
                plain = false;
                break;
            }
            i += k + 1;
        }
        if !plain {
            break;
        }
        let taken = if v[i] == b'-' {
            i += 1;
            false
        } else {
            let k = digit_len(swar::word_at(v, i));
            if k == 0 || k >= 8 {
                break;
            }
            let taken = digit_value(swar::word_at(v, i), k) > 0;
            i += k;
            taken
        };
        if v[i] != b'\n' {
            break;
        }
        brda.push((digit_value(x, len), taken));
        pos += i + 1;
        n += 1;
    }
    (pos, n)
}

/// A run of 1 to 19 decimal digits at `v[i..]`: its value and the index after it.
///
/// Up to 7 digits followed by a non-digit (every line number and nearly every count) are
/// read with one 8-byte load: find the first non-digit byte, shift the digits to the top
/// (the bytes shifted in are leading zeros) and combine them pairwise (SWAR). Anything else
/// takes the byte loop.
#[inline]
fn digits(v: &[u8], i: usize) -> Option<(u64, usize)> {
    if let Some(&b) = v.get(i..i + 8).and_then(|b| <&[u8; 8]>::try_from(b).ok()) {
        let x = u64::from_le_bytes(b);
        let len = digit_len(x);
        if len == 0 {
            return None;
        }
        if len < 8 {
            return Some((u64::from(digit_value(x, len)), i + len));
        }
    }
    digits_loop(v, i)
}

/// [`digits`] a byte at a time: for 8 digits and more, and the last bytes of a buffer.
#[inline(never)]
fn digits_loop(v: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let start = i;
    let mut n: u64 = 0;
    while let Some(d) = v.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
        // The length first: a 20th digit would overflow `n * 10` (19 nines fit in a u64).
        if i - start == 19 {
            return None;
        }
        n = n * 10 + u64::from(d);
        i += 1;
    }
    (i > start).then_some((n, i))
}

/// The index of the first `\n` in `rest`. The lines that get here (`SF`, `FN`, `FNDA`,
/// `end_of_record`, summaries) are short: a plain scan of the first bytes costs less than
/// memchr's set-up, which is there for the long ones.
#[inline]
fn line_end(rest: &[u8]) -> Option<usize> {
    let head = &rest[..rest.len().min(64)];
    head.iter()
        .position(|&b| b == b'\n')
        .or_else(|| memchr::memchr(b'\n', rest))
}

/// The index after a comma at `v[i]`.
#[inline]
fn comma(v: &[u8], i: usize) -> Option<usize> {
    (v.get(i) == Some(&b',')).then_some(i + 1)
}

/// The index after a line end (`\n` or `\r\n`) at `v[i]`.
#[inline]
fn newline(v: &[u8], i: usize) -> Option<usize> {
    match v.get(i..i + 2) {
        Some([b'\n', _]) => Some(i + 1),
        Some([b'\r', b'\n']) => Some(i + 2),
        _ => (v.get(i) == Some(&b'\n')).then_some(i + 1),
    }
}

fn line_len(all: &[u8], rest: &[u8]) -> usize {
    all.len() - rest.len()
}

/// Splits at the first comma. A plain loop: fields are a few bytes long, too short for
/// memchr's vector set-up to pay off.
#[inline]
fn split2(v: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = v.iter().position(|&b| b == b',')?;
    Some((&v[..i], &v[i + 1..]))
}

/// A plain unsigned decimal, `None` for anything else.
#[inline]
fn num(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 {
        return crate::ingest::xml::parse_u64(v);
    }
    let mut n: u64 = 0;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return crate::ingest::xml::parse_u64(v);
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

fn trim(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    #[test]
    fn named_test_sections_are_kept_across_chunks() {
        // `geninfo -t` / Bazel: one TN per test; a section may hold several records, and
        // chunks (256 bytes in tests) cut between them.
        let mut s = String::new();
        for t in 0..4 {
            s.push_str(&format!("TN:suite_{t}\n"));
            for f in 0..3 {
                s.push_str(&format!(
                    "SF:src/file_{f}.c\nDA:1,{}\nDA:2,0\nDA:3,1\nend_of_record\n",
                    t % 2
                ));
            }
        }
        let (cov, ctx) = read(&s).unwrap();
        assert_eq!(cov.files().len(), 3);
        let c = ctx.contexts.expect("contexts kept");
        assert_eq!(c.names, ["suite_0", "suite_1", "suite_2", "suite_3"]);
        assert_eq!(c.files.len(), 12);
        // Every record knows its section, also past a chunk boundary.
        for (i, (path, lines)) in c.files.iter().enumerate() {
            let t = (i / 3) as u32;
            assert_eq!(path, &format!("src/file_{}.c", i % 3));
            let want: Vec<(u32, u32)> = if t % 2 == 1 {
                vec![(1, t), (3, t)]
            } else {
                vec![(3, t)]
            };
            assert_eq!(lines, &want, "record {i}");
        }
        // An unnamed TN (cargo-llvm-cov, Istanbul): nothing per test.
        let (_, ctx) = read("TN:\nSF:a\nDA:1,1\nend_of_record\n").unwrap();
        assert_eq!(ctx.contexts, None);
    }

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn word_at_a_time_digits_agree_with_the_loop() {
        // Every length from 0 to 20 digits, followed by each kind of byte that may end a
        // number (and the bytes next to `0`..=`9`), at every offset near a buffer's end.
        let mut cases = Vec::new();
        for len in 0..=20 {
            let number: String = (0..len)
                .map(|k| char::from(b'0' + (k * 7 + 3) % 10))
                .collect();
            for end in [
                b",".as_slice(),
                b"\n",
                b"\r\n",
                b"/",
                b":",
                b"\xfa1",
                b"\xff",
                b" 9",
                b"",
            ] {
                let mut c = number.as_bytes().to_vec();
                c.extend_from_slice(end);
                c.extend_from_slice(b"12345678");
                cases.push(c);
            }
        }
        for c in &cases {
            for cut in 0..=c.len() {
                let v = &c[..cut];
                for i in 0..=v.len().min(3) {
                    assert_eq!(
                        digits(v, i),
                        digits_loop(v, i),
                        "{:?} at {i}",
                        String::from_utf8_lossy(v)
                    );
                }
            }
        }
        assert_eq!(digits(b"1234567,xxxxxxxx", 0), Some((1_234_567, 7)));
        assert_eq!(digits(b"0000042,xxxxxxxx", 0), Some((42, 7)));
        assert_eq!(digits(b"x1234567", 0), None);
    }

    #[test]
    fn runs_of_plain_lines_read_what_the_general_path_reads() {
        // DA and BRDA lines of every field width from 1 to 12 digits (the runs take up to
        // 7, the general path the rest), with CRLF, checksums, `-` and spaces mixed in, in
        // records far longer than a test chunk: every line must land as written.
        let mut text = String::from("TN:\nSF:a.c\n");
        let mut lines = std::collections::BTreeMap::<u32, u64>::new();
        let mut branches = std::collections::BTreeMap::<u32, (u32, u32)>::new();
        let mut seed = 12345u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % m
        };
        for k in 0..2000u32 {
            let width = |n: u64, w: u64| n % 10u64.pow(w as u32);
            let line = 1 + u32::try_from(width(u64::from(k) * 7919, 1 + next(9))).unwrap();
            let hits = width(next(u64::MAX >> 1), 1 + next(12));
            let end = ["\n", "\n", "\n", "\r\n"][next(4) as usize];
            match next(5) {
                0 => text.push_str(&format!("DA:{line},{hits},c0ffee{end}")),
                1 => {
                    let taken = match next(3) {
                        0 => "-".to_string(),
                        _ => hits.to_string(),
                    };
                    let (block, branch) = (width(next(1 << 40), 1 + next(9)), next(3));
                    text.push_str(&format!("BRDA:{line},{block},{branch},{taken}{end}"));
                    let b = branches.entry(line).or_default();
                    b.0 += 1;
                    b.1 += u32::from(taken != "-" && hits > 0);
                    continue;
                }
                _ => text.push_str(&format!("DA:{line},{hits}{end}")),
            }
            let h = lines.entry(line).or_default();
            *h = h.saturating_add(hits);
        }
        text.push_str("end_of_record\n");
        let (cov, _) = read(&text).unwrap();
        let f = &cov.files()[0];
        let got: Vec<(u32, u32)> = f.lines.iter().map(|l| (l.line, l.hits)).collect();
        let want: Vec<(u32, u32)> = lines.iter().map(|(&l, &h)| (l, saturate(h))).collect();
        assert_eq!(got, want);
        let got: Vec<(u32, u32, u32)> = f
            .branches
            .iter()
            .map(|b| (b.line, b.total, b.covered))
            .collect();
        let want: Vec<(u32, u32, u32)> = branches.iter().map(|(&l, &(t, c))| (l, t, c)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn word_at_a_time_line_ends_agree_with_the_loop() {
        let bytes = [b'\n', b',', b'a', 0x0b, 0x8a, 0x2c | 0x80, 0, 0xff];
        for len in 0..40usize {
            for (k, &b) in bytes.iter().enumerate() {
                for at in 0..=len {
                    let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    if at < len {
                        v[at] = b;
                    }
                    v.push(bytes[(k + at) % bytes.len()]);
                    for comma in [false, true] {
                        let want = v
                            .iter()
                            .take(256)
                            .position(|&c| c == b'\n' || comma && c == b',');
                        assert_eq!(find_end(&v, comma), want, "{v:?} {comma}");
                    }
                }
            }
        }
        let long = [b'x'; 300];
        assert_eq!(find_end(&long, false), None);
    }

    #[test]
    fn twenty_digits_do_not_overflow() {
        assert_eq!(
            digits(b"9999999999999999999,", 0),
            Some((9_999_999_999_999_999_999, 19))
        );
        assert_eq!(digits(b"99999999999999999999", 0), None);
        assert_eq!(digits(b"123456789012345678901234567890", 0), None);
        // Through the parser: a refusal or a warning, never a panic.
        let _ = read("SF:a.c\nDA:99999999999999999999,1\nDA:1,99999999999999999999\nBRDA:1,0,0,99999999999999999999\nend_of_record\n");
    }

    #[test]
    fn instantiations_at_one_line_are_one_function() {
        // cargo-llvm-cov: a generic fn instantiated twice and a closure, mangled; two
        // JavaScript arrow functions on one line stay two.
        let (c, ctx) = read(
            "SF:src/lib.rs\nFN:3,_RINvCs1_3lib3mapjEB2_\nFN:3,_RINvCs1_3lib3mapmEB2_\nFN:9,_RNvCs1_3lib4main\n\
             FNDA:0,_RINvCs1_3lib3mapjEB2_\nFNDA:2,_RINvCs1_3lib3mapmEB2_\nFNDA:1,_RNvCs1_3lib4main\nDA:3,2\nend_of_record\n\
             SF:a.js\nFN:1,(anonymous_0)\nFN:1,(anonymous_1)\nFNDA:1,(anonymous_0)\nFNDA:0,(anonymous_1)\nDA:1,1\nend_of_record\n",
        )
        .unwrap();
        let f = c.file("src/lib.rs").unwrap();
        assert_eq!(f.totals().functions, Counter::new(2, 2));
        assert_eq!(
            c.file("a.js").unwrap().totals().functions,
            Counter::new(2, 1)
        );
        assert!(ctx.warnings[0].starts_with("1 FN record of further instantiations"));
    }

    #[test]
    fn records_and_merges() {
        let (c, ctx) = read(
            "TN:a\nSF:src/x.rs\nFN:1,f\nFN:5,9,g\nFNDA:3,f\nDA:1,3\nDA:2,0\r\nBRDA:2,0,0,-\nBRDA:2,0,1,-\nLF:2\nLH:1\nend_of_record\n\
             TN:b\nSF:src/x.rs\nFNDA:1,g\nDA:2,1\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n",
        )
        .unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2, 2));
        assert_eq!(t.branches, Counter::new(2, 1));
        assert_eq!(t.functions, Counter::new(2, 2));
        let f = &c.files()[0].functions;
        assert_eq!((f[0].end, f[1].end), (0, 9), "FN:5,9,g keeps its end line");
    }

    #[test]
    fn lcov_2_2_fnl_fna() {
        let (c, _) = read(
            "SF:a.c\nFNL:0,3,8\nFNA:0,0,main\nFNL:1,10\nFNA:1,2,helper\nDA:3,0\nend_of_record",
        )
        .unwrap();
        let f = &c.files()[0].functions;
        assert_eq!((&*f[0].name, f[0].line, f[0].hits), ("main", 3, 0));
        assert_eq!((&*f[1].name, f[1].line, f[1].hits), ("helper", 10, 2));
        // FNL's end line is kept (L3.tests-for-changes decides per function with it).
        assert_eq!((f[0].end, f[1].end), (8, 0));
    }

    #[test]
    fn errors_say_where() {
        let e = read("SF:a\nDA:1,1\nDA:x,1\nend_of_record\n").unwrap_err();
        assert_eq!(e.to_string(), "3:4: line number \"x\" is not a number");
        let e = read("SF:a\nDA:1,1\n").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(read("TN:\n").is_err());
        assert!(read("DA:1,1\n").is_err());
    }

    #[test]
    fn unusual_records_take_the_slow_path() {
        let (c, ctx) = read(
            "SF:a\nDA:1,-1\nDA:2,1.0E3\nDA:3,2,c0ffee\nDA: 4 , 1\nBRDA:3,0,a && b,1\nBRDA:3,e0,1,-\r\nend_of_record",
        )
        .unwrap();
        assert_eq!(c.totals().lines, Counter::new(4, 3));
        assert_eq!(c.totals().branches, Counter::new(2, 1));
        assert_eq!(ctx.warnings.len(), 1, "negative count warned once");
        assert!(read("SF:a\nDA:99999999999,1\nend_of_record\n").is_err());
    }

    #[test]
    fn chunks_cut_at_records_and_keep_line_numbers() {
        let mut s = String::new();
        for i in 0..200 {
            // The same file repeated across chunks merges; a path containing the marker
            // must not be taken for a record boundary.
            let path = if i % 2 == 0 {
                "src/a.rs"
            } else {
                "x/end_of_record/b.rs"
            };
            s.push_str(&format!("TN:t{i}\nSF:{path}\nFN:1,f\nFNDA:{},f\nDA:1,{}\nDA:{},0\nBRDA:{},0,0,-\nend_of_record\n", i % 3, i % 2, i + 2, i + 2));
        }
        let (c, _) = read(&s).unwrap();
        assert_eq!(c.files().len(), 2);
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2 + 200, 1));
        assert_eq!(t.branches, Counter::new(200, 0));
        assert_eq!(t.functions, Counter::new(2, 2));
        // An error far into the file reports its absolute line.
        let bad = format!("{s}SF:z\nDA:1,1\nDA:oops,1\nend_of_record\n");
        let e = read(&bad).unwrap_err();
        assert_eq!(e.at.line, Some((200 * 8 + 3, 4)), "{e}");
        let e = read(&format!("{s}SF:z\nDA:1,1\n")).unwrap_err();
        assert!(e.message.contains("(line 1601)"), "{e}");
    }

    #[test]
    fn summary_mismatch_warns() {
        let (_, ctx) = read("SF:a\nDA:1,1\nDA:2,0\nLF:1\nLH:1\nend_of_record\n").unwrap();
        assert_eq!(ctx.warnings.len(), 1);
    }

    #[test]
    fn long_lines_straddle_buffer_fills() {
        let mut s = String::from("SF:a\n");
        for i in 1..=50_000 {
            s.push_str(&format!("DA:{i},{}\n", i % 3));
        }
        s.push_str("end_of_record\n");
        let mut ctx = Ctx::default();
        let mut input = std::io::BufReader::with_capacity(1000, s.as_bytes());
        let mut c = parse(&mut input, &mut ctx).unwrap();
        c.finish();
        assert_eq!(c.totals().lines, Counter::new(50_000, 33_334));
    }
}
