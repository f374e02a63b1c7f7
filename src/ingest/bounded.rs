//! Bounds on single tokens, between the file and the parsers. Parsers buffer one token at a
//! time (a line, an XML text node or tag, a JSON string), so one absurd token (a 10 GB line, a
//! sparse file of zeros after a valid head) would be held in memory whole. This reader keeps
//! what parsers can use and refuses what no report holds:
//!
//! - XML: a text node beyond [`XML_TEXT_KEEP`] bytes is cut there (parsers keep at most a
//!   message or the first 64 KB of a failure's text); the bytes that end a CDATA section,
//!   comment or processing instruction (`]`, `-`, `?`) still pass, so the markup stays whole.
//!   A tag longer than the limit is an error.
//! - Line formats (LCOV, Go): a line longer than the limit is an error.
//! - JSON: a token (a string, a number) longer than the limit is an error.
//!
//! The errors are read errors, reported with the file's name like any other (exit 2).

use std::io::{self, Read};

/// The longest line, tag or JSON token read: far beyond any real report's.
pub const TOKEN_LIMIT: u64 = 16 * 1024 * 1024;
/// What is kept of one XML text node.
pub const XML_TEXT_KEEP: u64 = 1024 * 1024;

/// How a format's tokens are delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Lines,
    Xml,
    Json,
}

/// Where an XML byte is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Xml {
    Text,
    /// Just after `<`.
    Open,
    /// In a tag.
    Tag,
    /// In `<!…>`: a CDATA section, a comment, a DOCTYPE: text-like, cut like text.
    Decl,
}

/// A reader that bounds tokens (see the module documentation).
pub struct Bounded<R> {
    inner: R,
    mode: Mode,
    limit: u64,
    keep: u64,
    /// Bytes since the last delimiter.
    run: u64,
    /// XML: where the last byte was.
    at: Xml,
    /// XML text bytes left out so far (for tests).
    dropped: u64,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, mode: Mode) -> Self {
        Self::with_limits(inner, mode, TOKEN_LIMIT, XML_TEXT_KEEP)
    }

    pub fn with_limits(inner: R, mode: Mode, limit: u64, keep: u64) -> Self {
        Bounded {
            inner,
            mode,
            limit,
            keep,
            run: 0,
            at: Xml::Text,
            dropped: 0,
        }
    }

    /// XML text bytes left out so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn too_long(&self) -> io::Error {
        let what = match self.mode {
            Mode::Lines => "a line",
            Mode::Xml => "an XML tag",
            Mode::Json => "a JSON token",
        };
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{what} is longer than {} MiB: no report holds one, so the file is not read",
                self.limit / (1024 * 1024)
            ),
        )
    }

    /// Checks `buf` (just read) and, for XML, compacts it; returns the bytes kept.
    fn process(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.mode {
            Mode::Lines => {
                match memchr::memrchr(b'\n', buf) {
                    Some(i) => {
                        // Every line before the last break is checked too.
                        let mut start = 0;
                        for nl in memchr::memchr_iter(b'\n', &buf[..=i]) {
                            let len = (nl - start) as u64 + if start == 0 { self.run } else { 0 };
                            if len > self.limit {
                                return Err(self.too_long());
                            }
                            start = nl + 1;
                        }
                        self.run = (buf.len() - i - 1) as u64;
                    }
                    None => self.run += buf.len() as u64,
                }
                if self.run > self.limit {
                    return Err(self.too_long());
                }
                Ok(buf.len())
            }
            Mode::Json => {
                for &b in buf.iter() {
                    if matches!(b, b'"' | b',' | b':' | b'{' | b'}' | b'[' | b']' | b'\n') {
                        self.run = 0;
                    } else {
                        self.run += 1;
                        if self.run > self.limit {
                            return Err(self.too_long());
                        }
                    }
                }
                Ok(buf.len())
            }
            Mode::Xml => {
                if let Some(kept) = self.xml_within_bounds(buf) {
                    return Ok(kept);
                }
                // Between delimiters in one step (memchr), byte by byte only where text is cut.
                let mut w = 0;
                let mut r = 0;
                while r < buf.len() {
                    let d = memchr::memchr2(b'<', b'>', &buf[r..]).map_or(buf.len(), |i| r + i);
                    if r < d && self.at == Xml::Open {
                        self.at = if buf[r] == b'!' { Xml::Decl } else { Xml::Tag };
                    }
                    let gap = (d - r) as u64;
                    match self.at {
                        Xml::Open | Xml::Tag => {
                            self.run += gap;
                            if self.run > self.limit {
                                return Err(self.too_long());
                            }
                            // Nothing dropped yet in this buffer: the bytes are already in place.
                            if w != r {
                                buf.copy_within(r..d, w);
                            }
                            w += d - r;
                        }
                        Xml::Text | Xml::Decl => {
                            let whole = self.keep.saturating_sub(self.run).min(gap) as usize;
                            if w != r {
                                buf.copy_within(r..r + whole, w);
                            }
                            w += whole;
                            self.run += whole as u64;
                            for i in r + whole..d {
                                self.run += 1;
                                // The ends of CDATA, comments and PIs pass; a flood of them
                                // is as absurd as any other token.
                                if matches!(buf[i], b']' | b'-' | b'?') {
                                    if self.run > self.limit {
                                        return Err(self.too_long());
                                    }
                                    buf[w] = buf[i];
                                    w += 1;
                                } else {
                                    self.dropped += 1;
                                }
                            }
                        }
                    }
                    if d < buf.len() {
                        self.at = if buf[d] == b'<' { Xml::Open } else { Xml::Text };
                        self.run = 0;
                        buf[w] = buf[d];
                        w += 1;
                    }
                    r = d + 1;
                }
                Ok(w)
            }
        }
    }
}

impl<R> Bounded<R> {
    /// The common case of an XML buffer, in two searches instead of one per delimiter: when
    /// the buffer is no longer than both bounds, every run of bytes between two of its
    /// delimiters is within them, so only the run that continues from the previous buffer
    /// and the one left open at its end can reach a bound. When neither does, nothing is cut
    /// and nothing fails: the buffer passes whole and only the state after its last
    /// delimiter is kept, exactly as the byte-wise loop would leave it. `None`: the loop
    /// decides.
    fn xml_within_bounds(&mut self, buf: &[u8]) -> Option<usize> {
        let bound = self.keep.min(self.limit);
        if buf.len() as u64 > bound {
            return None;
        }
        let first = memchr::memchr2(b'<', b'>', buf)?;
        let last = memchr::memrchr2(b'<', b'>', buf)?;
        let tail = (buf.len() - last - 1) as u64;
        if self.run + first as u64 > bound || tail > bound {
            return None;
        }
        self.at = match (buf[last], buf.get(last + 1)) {
            (b'>', _) => Xml::Text,
            (_, None) => Xml::Open,
            (_, Some(b'!')) => Xml::Decl,
            (_, Some(_)) => Xml::Tag,
        };
        self.run = tail;
        Some(buf.len())
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let kept = self.process(&mut buf[..n])?;
            // All of it left out: read on (returning 0 would mean the end of the file).
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mode: Mode, input: &[u8], limit: u64, keep: u64) -> io::Result<(Vec<u8>, u64)> {
        let mut r = Bounded::with_limits(input, mode, limit, keep);
        let mut out = Vec::new();
        // Small reads: tokens cross read boundaries.
        let mut chunk = [0u8; 7];
        loop {
            let n = r.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        Ok((out, r.dropped()))
    }

    #[test]
    fn lines_within_the_limit_pass_and_a_longer_one_fails() {
        let ok = b"TN:\nSF:a.c\nDA:1,1\nend_of_record\n";
        assert_eq!(read_all(Mode::Lines, ok, 16, 0).unwrap().0, ok);
        let long = format!("SF:a\nDA:1,{}\n", "9".repeat(40));
        let e = read_all(Mode::Lines, long.as_bytes(), 16, 0).unwrap_err();
        assert!(e.to_string().contains("a line is longer"), "{e}");
        // Without a final line break too.
        assert!(read_all(Mode::Lines, &[b'x'; 40], 16, 0).is_err());
    }

    #[test]
    fn xml_text_is_cut_and_markup_stays_whole() {
        let doc = format!(
            "<a><b>{}</b><![CDATA[{}]]><!--{}--></a>",
            "x".repeat(1000),
            "y".repeat(1000),
            "z".repeat(1000)
        );
        let (out, dropped) = read_all(Mode::Xml, doc.as_bytes(), 4096, 10).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            format!(
                "<a><b>{}</b><![CDATA[{}]]><!--{}--></a>",
                "x".repeat(10),
                "y".repeat(2),
                "z".repeat(7)
            )
        );
        assert!(dropped > 2900, "{dropped}");
        // The kept text is bounded whatever the input: what a parser could buffer.
        assert!(out.len() < 100);
        let tag = format!("<a b=\"{}\"/>", "v".repeat(100));
        assert!(read_all(Mode::Xml, tag.as_bytes(), 50, 10).is_err());
    }

    /// Reads `input` in `chunk`-byte reads: the output, or the error's text.
    fn chunked(input: &[u8], chunk: usize, limit: u64, keep: u64) -> Result<Vec<u8>, String> {
        let mut r = Bounded::with_limits(input, Mode::Xml, limit, keep);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn whole_buffers_pass_exactly_as_the_bytewise_loop_leaves_them() {
        // Reads no longer than the bounds take the two-search path; reads longer than them
        // take the byte-wise loop only. Both must keep the same bytes and fail alike, on
        // documents whose texts, tags, CDATA and comments straddle reads and bounds.
        let mut seed = 11u64;
        let pieces: [&[u8]; 9] = [
            b"<a>",
            b"</a>",
            b"<tag attr=\"vvvvvvvvvvvv\"/>",
            b"text",
            b"<![CDATA[c]]]]>",
            b"<!--x-->",
            b"<?pi ?>",
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            b"]]--??>>",
        ];
        for _ in 0..300 {
            let mut doc = Vec::new();
            for _ in 0..40 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                doc.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            for (limit, keep) in [(40, 12), (24, 24), (1000, 6)] {
                let whole = chunked(&doc, 4096, limit, keep);
                for chunk in [1, 3, 5, 6, 11, 12] {
                    assert_eq!(
                        chunked(&doc, chunk, limit, keep),
                        whole,
                        "chunk {chunk}, limits {limit}/{keep}: {}",
                        String::from_utf8_lossy(&doc)
                    );
                }
            }
        }
    }

    #[test]
    fn json_tokens_are_bounded() {
        let ok = br#"{"files":[{"name":"a.c","n":[1,2,3]}]}"#;
        assert_eq!(read_all(Mode::Json, ok, 8, 0).unwrap().0, ok);
        let long = format!("{{\"k\":\"{}\"}}", "s".repeat(50));
        assert!(read_all(Mode::Json, long.as_bytes(), 8, 0).is_err());
    }
}
