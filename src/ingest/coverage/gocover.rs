//! Go coverprofiles (`go test -coverprofile`, `go tool covdata textfmt`):
//!
//! ```text
//! mode: set|count|atomic
//! github.com/org/repo/pkg/a.go:12.34,15.2 3 1
//! ```
//!
//! Each record is a block `file:startLine.startCol,endLine.endCol numStmts count`.
//!
//! **Line-based, not statement-based.** `go tool cover -func` prints statement coverage
//! (covered statements / statements). testcert's model is line-based, so a block covers every
//! line from its start line to its end line inclusive, and a line's hits are the max over the
//! blocks touching it: a line is covered when any block on it ran. The percentage therefore
//! differs from `go tool cover -func` on the same profile; it agrees with what line-based tools
//! (Codecov, gocov → Cobertura) report.
//!
//! Identical blocks are merged first, as `go tool cover` does: the same block is listed once
//! per test binary when `-coverpkg` is used, or once per profile when profiles are
//! concatenated. In `set` mode the merged count is the max, in `count`/`atomic` the sum. Only
//! then are blocks expanded to lines.
//!
//! File names are Go import paths (`github.com/org/repo/pkg/a.go`); nothing is put in
//! [`Ctx::roots`]: the path mapper strips the unknown module prefix. The format has no
//! branch or function data.
//!
//! Lines are split with memchr straight out of the reader's buffer; the only allocations are
//! one path per source file and the block list.

use std::collections::HashMap;
use std::io::BufRead;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::Coverage;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Set,
    Count,
}

/// One block, keyed by its position; `stmts` and `count` are merged over duplicates.
#[derive(Clone, Copy, Debug)]
struct Block {
    start_line: u32,
    start_col: u32,
    end_line: u32,
    end_col: u32,
    stmts: u32,
    count: u64,
}

impl Block {
    fn key(&self) -> (u32, u32, u32, u32) {
        (self.start_line, self.start_col, self.end_line, self.end_col)
    }
}

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<Coverage> {
    let mut p = Parser::default();
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = input
            .fill_buf()
            .map_err(|e| ParseError::at_line(p.lineno + 1, 1, format!("read error: {e}")))?;
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        let mut start = 0;
        if !carry.is_empty() {
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    carry.extend_from_slice(&buf[..i]);
                    let line = std::mem::take(&mut carry);
                    p.line(&line)?;
                    start = i + 1;
                }
                None => {
                    carry.extend_from_slice(buf);
                    input.consume(len);
                    continue;
                }
            }
        }
        let mut pos = start;
        for nl in memchr::memchr_iter(b'\n', &buf[start..]) {
            let end = start + nl;
            p.line(&buf[pos..end])?;
            pos = end + 1;
        }
        carry.extend_from_slice(&buf[pos..]);
        input.consume(len);
    }
    if !carry.is_empty() {
        let line = std::mem::take(&mut carry);
        p.line(&line)?;
    }
    p.finish(ctx)
}

#[derive(Default)]
struct Parser {
    lineno: u64,
    mode: Option<Mode>,
    mode_name: String,
    mixed_modes: bool,
    /// Source file → index in `blocks`.
    index: HashMap<Box<[u8]>, usize>,
    paths: Vec<String>,
    blocks: Vec<Vec<Block>>,
    /// The file of the previous record: records come grouped by file.
    last: Option<usize>,
    records: u64,
}

impl Parser {
    fn err(&self, col: usize, msg: impl Into<String>) -> ParseError {
        ParseError::at_line(self.lineno, col as u64 + 1, msg)
    }

    #[inline]
    fn line(&mut self, raw: &[u8]) -> Result<()> {
        self.lineno += 1;
        let l = match raw {
            [rest @ .., b'\r'] => rest,
            _ => raw,
        };
        let l = l.trim_ascii_end();
        if l.is_empty() {
            return Ok(());
        }
        if let Some(m) = l.strip_prefix(b"mode:") {
            return self.mode_line(m);
        }
        if self.mode.is_none() {
            return Err(self.err(
                0,
                "not a Go coverprofile: the first line must be `mode: set|count|atomic`",
            ));
        }
        self.block(l)
    }

    fn mode_line(&mut self, m: &[u8]) -> Result<()> {
        let name = m.trim_ascii();
        let mode = match name {
            b"set" => Mode::Set,
            b"count" | b"atomic" => Mode::Count,
            other => {
                return Err(self.err(
                    5,
                    format!(
                        "unknown coverprofile mode {:?} (expected set, count or atomic)",
                        String::from_utf8_lossy(other)
                    ),
                ))
            }
        };
        let name = String::from_utf8_lossy(name);
        match self.mode {
            None => {
                self.mode = Some(mode);
                self.mode_name = name.into_owned();
            }
            // Concatenated profiles repeat the mode line; a different mode is merged by the
            // rule of the first (as `go tool cover` would refuse, we only warn).
            Some(_) if self.mode_name != name => self.mixed_modes = true,
            Some(_) => {}
        }
        Ok(())
    }

    /// `file:startLine.startCol,endLine.endCol numStmts count`, split from the right because
    /// a file name may contain ':' or ' ' (Windows drive letters, odd directories).
    #[inline]
    fn block(&mut self, l: &[u8]) -> Result<()> {
        let bad = |p: &Self, col: usize| {
            p.err(
                col,
                format!(
                    "not a coverprofile block (want file:line.col,line.col stmts count): {:?}",
                    String::from_utf8_lossy(&l[..l.len().min(80)])
                ),
            )
        };
        let sp2 = memchr::memrchr(b' ', l).ok_or_else(|| bad(self, 0))?;
        let sp1 = memchr::memrchr(b' ', &l[..sp2]).ok_or_else(|| bad(self, 0))?;
        let colon = memchr::memrchr(b':', &l[..sp1]).ok_or_else(|| bad(self, 0))?;
        let path = &l[..colon];
        if path.is_empty() {
            return Err(bad(self, 0));
        }
        let range = &l[colon + 1..sp1];
        let comma = memchr::memchr(b',', range).ok_or_else(|| bad(self, colon + 1))?;
        let (start_line, start_col) = self.pos(&range[..comma], colon + 1)?;
        let (end_line, end_col) = self.pos(&range[comma + 1..], colon + 2 + comma)?;
        if (end_line, end_col) < (start_line, start_col) {
            return Err(self.err(colon + 1, "block ends before it starts"));
        }
        let stmts = num(&l[sp1 + 1..sp2])
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.err(sp1 + 1, "statement count is not a number"))?;
        let count = num(&l[sp2 + 1..])
            .ok_or_else(|| self.err(sp2 + 1, "execution count is not a number"))?;
        let file = self.file(path);
        self.blocks[file].push(Block {
            start_line,
            start_col,
            end_line,
            end_col,
            stmts,
            count,
        });
        self.records += 1;
        Ok(())
    }

    fn pos(&self, v: &[u8], col: usize) -> Result<(u32, u32)> {
        let dot = memchr::memchr(b'.', v);
        let parsed = dot.and_then(|d| {
            let line = u32::try_from(num(&v[..d])?).ok()?;
            let c = u32::try_from(num(&v[d + 1..])?).ok()?;
            Some((line, c))
        });
        match parsed {
            Some((line, c)) if line > 0 => Ok((line, c)),
            _ => Err(self.err(
                col,
                format!(
                    "position {:?} is not line.column",
                    String::from_utf8_lossy(v)
                ),
            )),
        }
    }

    #[inline]
    fn file(&mut self, path: &[u8]) -> usize {
        if let Some(i) = self.last {
            if self.paths[i].as_bytes() == path {
                return i;
            }
        }
        let i = match self.index.get(path) {
            Some(&i) => i,
            None => {
                let i = self.paths.len();
                self.index.insert(path.into(), i);
                self.paths.push(String::from_utf8_lossy(path).into_owned());
                self.blocks.push(Vec::new());
                i
            }
        };
        self.last = Some(i);
        i
    }

    fn finish(self, ctx: &mut Ctx) -> Result<Coverage> {
        let Some(mode) = self.mode else {
            return Err(ParseError::new(
                "empty Go coverprofile: no `mode:` line (empty or truncated file?)",
            ));
        };
        if self.records == 0 {
            return Err(ParseError::new(
                "the Go coverprofile has a mode line but no blocks: it holds no coverage",
            ));
        }
        if self.mixed_modes {
            ctx.warn(format!(
                "concatenated profiles with different modes; all merged as mode {}",
                self.mode_name
            ));
        }
        let mut cov = Coverage::new();
        let mut lines: Vec<(u32, u64)> = Vec::new();
        let mut stmt_mismatch = 0u64;
        for (path, mut blocks) in self.paths.into_iter().zip(self.blocks) {
            // 1. Merge identical blocks, as `go tool cover` does.
            blocks.sort_unstable_by_key(Block::key);
            let mut merged: Vec<Block> = Vec::with_capacity(blocks.len());
            for b in blocks {
                match merged.last_mut() {
                    Some(m) if m.key() == b.key() => {
                        if m.stmts != b.stmts {
                            stmt_mismatch += 1;
                        }
                        m.count = match mode {
                            Mode::Set => m.count.max(b.count),
                            Mode::Count => m.count.saturating_add(b.count),
                        };
                    }
                    _ => merged.push(b),
                }
            }
            // 2. Expand to lines: a line's hits are the max over the blocks touching it.
            lines.clear();
            for b in &merged {
                lines.extend((b.start_line..=b.end_line).map(|l| (l, b.count)));
            }
            lines.sort_unstable();
            let f = cov.file_mut(&path);
            let mut i = 0;
            while i < lines.len() {
                let line = lines[i].0;
                let mut hits = 0;
                while i < lines.len() && lines[i].0 == line {
                    hits = hits.max(lines[i].1);
                    i += 1;
                }
                f.add_line(line, hits);
            }
        }
        if stmt_mismatch > 0 {
            ctx.warn(format!(
                "{stmt_mismatch} repeated blocks disagree on their statement count (profiles from different builds?)"
            ));
        }
        Ok(cov)
    }
}

/// A plain unsigned decimal.
#[inline]
fn num(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counter;

    fn read(s: &str) -> Result<(Coverage, Ctx)> {
        super::super::read_with(parse, s)
    }

    #[test]
    fn blocks_expand_to_lines_with_max_hits() {
        let (c, ctx) = read(
            "mode: count\n\
             example.com/m/a.go:3.20,5.3 2 4\n\
             example.com/m/a.go:5.3,7.2 1 0\n\
             example.com/m/a.go:9.1,9.10 1 0\r\n\
             example.com/m/b.go:1.1,2.2 1 1\n",
        )
        .unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        let a = c.file("example.com/m/a.go").unwrap();
        // Lines 3..=7 and 9; line 5 is shared and takes the max (4).
        assert_eq!(a.totals().lines, Counter::new(6, 3));
        assert_eq!(a.hits(5), Some(4));
        assert_eq!(a.hits(6), Some(0));
        assert_eq!(a.hits(8), None);
        assert_eq!(c.totals().lines, Counter::new(8, 5));
    }

    #[test]
    fn identical_blocks_merge_before_expansion() {
        // -coverpkg lists the same block once per test binary.
        let (c, _) = read(
            "mode: count\n\
             m/a.go:1.1,2.2 1 0\n\
             m/a.go:1.1,2.2 1 3\n\
             m/b.go:1.1,1.5 1 1\n\
             m/a.go:1.1,2.2 1 2\n",
        )
        .unwrap();
        assert_eq!(c.file("m/a.go").unwrap().hits(1), Some(5));
        let (c, _) = read("mode: set\nm/a.go:1.1,2.2 1 1\nm/a.go:1.1,2.2 1 1\n").unwrap();
        assert_eq!(c.file("m/a.go").unwrap().hits(2), Some(1));
    }

    #[test]
    fn concatenated_profiles() {
        let (c, ctx) =
            read("mode: set\nm/a.go:1.1,1.9 1 0\nmode: set\nm/a.go:1.1,1.9 1 1\n").unwrap();
        assert!(ctx.warnings.is_empty());
        assert_eq!(c.totals().lines, Counter::new(1, 1));
        let (_, ctx) = read("mode: set\nm/a.go:1.1,1.9 1 0\nmode: count\n").unwrap();
        assert_eq!(ctx.warnings.len(), 1);
    }

    #[test]
    fn windows_paths_and_spaces() {
        let (c, _) = read("mode: atomic\nC:/src/my dir/a.go:1.1,1.9 1 7\n").unwrap();
        assert_eq!(c.file("C:/src/my dir/a.go").unwrap().hits(1), Some(7));
    }

    #[test]
    fn errors_say_where() {
        let e = read("mode: set\nm/a.go:1.1,2.2 1 1\nm/a.go:1.x,2.2 1 1\n").unwrap_err();
        assert_eq!(e.to_string(), "3:8: position \"1.x\" is not line.column");
        let e = read("mode: set\nm/a.go:1.1,2.2 1 -1\n").unwrap_err();
        assert_eq!(e.to_string(), "2:18: execution count is not a number");
        let e = read("mode: set\nm/a.go:1.1,2.2 1\n").unwrap_err();
        assert!(
            e.to_string().starts_with("2:1: not a coverprofile block"),
            "{e}"
        );
        let e = read("mode: weird\n").unwrap_err();
        assert!(e.message.contains("unknown coverprofile mode"), "{e}");
        assert!(read("").is_err());
        assert!(read("mode: set\n").is_err());
        assert!(read("m/a.go:1.1,2.2 1 1\n").is_err());
        // Truncated in the middle of a record.
        assert!(read("mode: set\nm/a.go:1.1,2.2 1 1\nm/a.go:3.1,4").is_err());
    }

    #[test]
    fn long_input_straddles_buffer_fills() {
        let mut s = String::from("mode: count\n");
        for i in 1..=20_000 {
            s.push_str(&format!(
                "github.com/o/r/p/f{}.go:{i}.1,{i}.9 1 {}\n",
                i % 7,
                i % 2
            ));
        }
        let mut ctx = Ctx::default();
        let mut input = std::io::BufReader::with_capacity(1000, s.as_bytes());
        let mut c = parse(&mut input, &mut ctx).unwrap();
        c.finish();
        assert_eq!(c.files().len(), 7);
        assert_eq!(c.totals().lines, Counter::new(20_000, 10_000));
    }
}
