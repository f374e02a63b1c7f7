//! Shared quick-xml helpers: an event loop that tracks nesting (so that a truncated file is an
//! error, not a short report), safe entity handling, attribute access without allocation, and
//! the second pass that turns an error offset into `line:column` and an element path.
//!
//! Safety: quick-xml never reads a DTD, so external entities are never fetched (XXE) and
//! entities declared in an internal subset are never expanded (no billion laughs). A reference
//! to such an entity is kept as its literal text `&name;`, with a warning.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::error::{ParseError, Result};

/// One event of interest to a parser. Prolog, comments, processing instructions and the
/// DOCTYPE are consumed by [`XmlReader::next`].
pub enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    /// Text or CDATA, decoded on demand ([`Text::get`]): most text (whitespace between
    /// elements, `<system-out>`) is never looked at.
    Text(Text<'a>),
    /// Prolog, comment, processing instruction, DOCTYPE, whitespace around the root: nothing
    /// a parser needs. (Returned rather than skipped in a loop, which the borrow checker
    /// cannot see through without `unsafe`.)
    Other,
    Eof,
}

/// The content of a text or CDATA event.
pub struct Text<'a>(TextInner<'a>);

enum TextInner<'a> {
    /// Text without references, or CDATA: only UTF-8 decoding is left to do.
    Raw(Cow<'a, [u8]>),
    /// Text with references, already resolved (the unknown ones were counted then).
    Decoded(Cow<'a, str>),
}

impl<'a> Text<'a> {
    /// The text, references resolved, invalid UTF-8 replaced.
    pub fn get(self) -> Cow<'a, str> {
        match self.0 {
            TextInner::Raw(Cow::Borrowed(b)) => String::from_utf8_lossy(b),
            TextInner::Raw(Cow::Owned(b)) => match String::from_utf8(b) {
                Ok(s) => Cow::Owned(s),
                Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            },
            TextInner::Decoded(s) => s,
        }
    }
}

/// A quick-xml reader with nesting checks.
pub struct XmlReader<R> {
    reader: Reader<R>,
    buf: Vec<u8>,
    /// Names of the open elements, concatenated, with their end offsets in `ends`: no
    /// allocation per element.
    names: Vec<u8>,
    ends: Vec<usize>,
    seen_root: bool,
    /// Undeclared or DTD-declared entity references seen (kept literally).
    pub unknown_entities: u64,
    /// Short comments directly inside the root element, the first [`ROOT_COMMENTS`] of them
    /// (node:test writes its run totals there: `<!-- tests 17 -->`). Bounded: a file of
    /// millions of comments keeps a few.
    pub root_comments: Vec<String>,
    /// Also count those in the attributes of every element read (for parsers that read
    /// attributes with [`attr`], which keeps them without counting).
    pub count_attribute_entities: bool,
}

/// How many root-level comments [`XmlReader::root_comments`] keeps, and their longest.
const ROOT_COMMENTS: usize = 32;
const ROOT_COMMENT_LEN: usize = 64;

impl<R: BufRead> XmlReader<R> {
    pub fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
        XmlReader {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            names: Vec::with_capacity(256),
            ends: Vec::with_capacity(16),
            seen_root: false,
            unknown_entities: 0,
            root_comments: Vec::new(),
            count_attribute_entities: false,
        }
    }

    /// Depth of the element stack (0 outside the root).
    pub fn depth(&self) -> usize {
        self.ends.len()
    }

    /// Byte offset just past the last event.
    pub fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::at_offset(self.offset(), message)
    }

    /// The next event.
    pub fn event(&mut self) -> Result<Ev<'_>> {
        self.buf.clear();
        let ev = match self.reader.read_event_into(&mut self.buf) {
            Ok(ev) => ev,
            Err(e) => {
                return Err(ParseError::at_offset(
                    self.reader.error_position(),
                    xml_error_message(&e),
                ))
            }
        };
        let pos = self.reader.buffer_position();
        Ok(match ev {
            Event::Start(e) | Event::Empty(e) if self.ends.is_empty() && self.seen_root => {
                let _ = e;
                return Err(ParseError::at_offset(pos, "content after the root element"));
            }
            Event::Start(e) => {
                self.seen_root = true;
                if self.count_attribute_entities {
                    self.unknown_entities += attribute_entities(&e);
                }
                self.names.extend_from_slice(local_name(&e));
                self.ends.push(self.names.len());
                Ev::Start(e)
            }
            Event::Empty(e) => {
                self.seen_root = true;
                if self.count_attribute_entities {
                    self.unknown_entities += attribute_entities(&e);
                }
                Ev::Empty(e)
            }
            Event::End(_) => {
                self.ends.pop();
                let keep = self.ends.last().copied().unwrap_or(0);
                self.names.truncate(keep);
                Ev::End
            }
            Event::Text(t) if self.ends.is_empty() => {
                // Whitespace around the root is fine; anything else is not XML.
                if !t.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(ParseError::at_offset(pos, "text outside the root element"));
                }
                Ev::Other
            }
            // One search for the two bytes that need a second look (most text, the whitespace
            // between elements, holds neither), then one for the NUL where there is one.
            Event::Text(t) if !has_nul_or_amp(&t) => {
                // Nothing to resolve: decoding waits until someone wants the text.
                Ev::Text(Text(TextInner::Raw(t.into_inner())))
            }
            Event::Text(t) if memchr::memchr(0, &t).is_some() => {
                let at = pos - t.len() as u64 + memchr::memchr(0, &t).unwrap_or(0) as u64;
                return Err(nul_error(at));
            }
            Event::CData(t) if memchr::memchr(0, &t).is_some() => {
                // `]]>` closes the section: the NUL is that far and its index back.
                let at = pos - 3 - t.len() as u64 + memchr::memchr(0, &t).unwrap_or(0) as u64;
                return Err(nul_error(at));
            }
            Event::Text(t) => {
                // Resolved now: unknown references are counted wherever they are.
                let (text, unknown) = unescape(t.into_inner());
                self.unknown_entities += unknown;
                Ev::Text(Text(TextInner::Decoded(text)))
            }
            Event::CData(t) => Ev::Text(Text(TextInner::Raw(t.into_inner()))),
            Event::Eof if !self.ends.is_empty() => {
                let n = self.ends.len();
                let start = if n == 1 { 0 } else { self.ends[n - 2] };
                let open = String::from_utf8_lossy(&self.names[start..self.ends[n - 1]]);
                return Err(ParseError::at_offset(
                    pos,
                    format!(
                        "unexpected end of file: element <{open}> is not closed (truncated file?)"
                    ),
                ));
            }
            Event::Eof if !self.seen_root => {
                return Err(ParseError::new("no XML element found (empty file?)"));
            }
            Event::Eof => Ev::Eof,
            // Real reports never declare entities; a document that does is an XXE or
            // entity-expansion probe, and is refused rather than read around.
            Event::DocType(d) if memchr::memmem::find(&d, b"<!ENTITY").is_some() => {
                let at = pos - d.len() as u64 - 1;
                return Err(ParseError::at_offset(
                    at,
                    "the DOCTYPE declares entities: refused (testcert never reads a DTD nor expands its entities, so such a report cannot be read faithfully; it is an XXE or entity-expansion probe)",
                ));
            }
            // Otherwise the DOCTYPE is skipped, never resolved: no DTD is fetched.
            Event::Comment(c) => {
                if self.ends.len() == 1
                    && self.root_comments.len() < ROOT_COMMENTS
                    && c.len() <= ROOT_COMMENT_LEN
                {
                    self.root_comments
                        .push(String::from_utf8_lossy(&c).trim().to_string());
                }
                Ev::Other
            }
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) => Ev::Other,
        })
    }

    /// Skips to the end of the element whose `Start` was just returned.
    pub fn skip(&mut self) -> Result<()> {
        let depth = self.depth();
        while self.depth() >= depth {
            if let Ev::Eof = self.event()? {
                break;
            }
        }
        Ok(())
    }

    /// Reads the text content of the element whose `Start` was just returned, up to its end
    /// (text of nested elements included), at most `limit` bytes kept.
    pub fn read_text(&mut self, limit: usize) -> Result<String> {
        let depth = self.depth();
        let mut out = String::new();
        while self.depth() >= depth {
            match self.event()? {
                // The first piece (most texts are one) becomes the text, not copied into it.
                Ev::Text(t) if out.is_empty() && limit > 0 => out = t.get().into_owned(),
                Ev::Text(t) if out.len() < limit => out.push_str(&t.get()),
                Ev::Eof => break,
                _ => {}
            }
        }
        if out.len() > limit {
            let mut cut = limit;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
        }
        Ok(out)
    }
}

/// Whether text holds a NUL or a '&'. Most text events are the indentation between two tags
/// (`\n\t\t`): a byte loop reads those in a few instructions, where a memchr2 call costs
/// ~45; longer text goes to memchr2.
#[inline]
fn has_nul_or_amp(t: &[u8]) -> bool {
    if t.len() <= 16 {
        t.iter().any(|&b| b == 0 || b == b'&')
    } else {
        memchr::memchr2(0, b'&', t).is_some()
    }
}

/// XML 1.0 allows no U+0000 anywhere, not even as a character reference. (U+FFFE, which it
/// forbids too, is read: Surefire writes it into real reports.)
fn nul_error(at: u64) -> ParseError {
    ParseError::at_offset(at, "a NUL byte (U+0000), which XML does not allow anywhere")
}

fn xml_error_message(e: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    match e {
        quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => {
            "unclosed tag (truncated file?)".to_string()
        }
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("end tag </{found}> does not match the open element <{expected}>")
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("end tag </{name}> closes no open element")
        }
        quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("element <{name}> is not closed (truncated file?)")
        }
        other => format!("malformed XML: {other}"),
    }
}

/// The element's name after the first `:` (its prefix dropped), as quick-xml's
/// `local_name()` gives it, by a byte loop: element names are short, and a search call per
/// element (every parser asks, for every element) costs more than the bytes it reads.
pub fn local_name<'a>(e: &'a BytesStart<'_>) -> &'a [u8] {
    let name = e.name().into_inner();
    match name.iter().position(|&b| b == b':') {
        Some(c) => &name[c + 1..],
        None => name,
    }
}

/// A malformed attribute list: where (relative to the byte after `<`) and what.
#[derive(Debug, PartialEq, Eq)]
pub struct AttrFail {
    pos: usize,
    what: &'static str,
}

impl AttrFail {
    /// The error at its offset in the file, for a tag of content length `len` whose event
    /// ended at `end` (`empty`: an `<empty/>` element).
    pub fn locate(self, end: u64, len: usize, empty: bool) -> ParseError {
        // `<` + content + `>`, plus the `/` of an empty element.
        let start = end.saturating_sub(len as u64 + 2 + u64::from(empty));
        ParseError::at_offset(
            start + 1 + self.pos as u64,
            format!(
                "malformed attributes: {} (an unescaped quote inside a value?)",
                self.what
            ),
        )
    }
}

/// The raw (still escaped) values of the attributes named `keys` (local names, namespace
/// prefix ignored; the first of repeated names wins), in one pass over the tag, borrowed.
///
/// Over [`each_attr`] rather than quick-xml's attribute iterator: that iterator is general
/// (checks, positions, normalisation) and was the largest single cost in profiles of large
/// Cobertura and JUnit files; this loop is small, and every XML parser's hot path goes
/// through it.
pub fn scan_attrs<'a, const N: usize>(
    e: &'a BytesStart<'_>,
    keys: [&[u8]; N],
) -> Result<[Option<Cow<'a, [u8]>>; N], AttrFail> {
    let mut out: [Option<Cow<'a, [u8]>>; N] = std::array::from_fn(|_| None);
    // One tokenizer for every attribute list, so that all formats split them alike (XML
    // whitespace, the local name after the first ':').
    each_attr(e, |local, value| {
        if let Some(k) = keys.iter().position(|k| *k == local) {
            if out[k].is_none() {
                out[k] = Some(Cow::Borrowed(value));
            }
        }
    })?;
    Ok(out)
}

/// Calls `f(local name, raw value)` for every attribute of `e`, in order, in one pass.
///
/// Agrees with quick-xml's attribute iterator (`with_checks(false)`) on every attribute list
/// that is well formed by the rules of that iterator (XML whitespace, the local name after
/// the first `:`), without its per-attribute bookkeeping. `Err` for a list it cannot split
/// cleanly (then `f` may have seen the attributes before the fault): a caller that must keep
/// quick-xml's lenient reading of such lists falls back to it.
pub fn each_attr<'a>(
    e: &'a BytesStart<'_>,
    mut f: impl FnMut(&'a [u8], &'a [u8]),
) -> Result<(), AttrFail> {
    // quick-xml's whitespace: no form feed.
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let raw = e.attributes_raw();
    let base = e.name().as_ref().len();
    let fail = |i: usize, what| AttrFail {
        pos: base + i,
        what,
    };
    let len = raw.len();
    let mut i = 0;
    loop {
        while i < len && ws(raw[i]) {
            i += 1;
        }
        if i >= len {
            return Ok(());
        }
        let name_start = i;
        // The first ':' is noted on the way: names are short, a search per name costs more
        // than the bytes it reads. One table look-up per byte tells the bytes that end a name
        // or need a look ('=', whitespace, ':') from the rest.
        let mut colon = None;
        while i < len && !NAME_STOP[usize::from(raw[i])] {
            i += 1;
        }
        while i < len && raw[i] == b':' {
            if colon.is_none() {
                colon = Some(i - name_start);
            }
            i += 1;
            while i < len && !NAME_STOP[usize::from(raw[i])] {
                i += 1;
            }
        }
        let name = &raw[name_start..i];
        while i < len && ws(raw[i]) {
            i += 1;
        }
        if i >= len || raw[i] != b'=' || name.is_empty() {
            return Err(fail(i, "an attribute name is not followed by '='"));
        }
        i += 1;
        while i < len && ws(raw[i]) {
            i += 1;
        }
        let quote = match raw.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            Some(_) => return Err(fail(i, "an attribute value is not quoted")),
            None => return Err(fail(i, "an attribute has no value")),
        };
        let value_start = i + 1;
        let Some(end) = crate::ingest::swar::find(quote, &raw[value_start..]) else {
            return Err(fail(i, "an attribute value has no closing quote"));
        };
        let value = &raw[value_start..value_start + end];
        i = value_start + end + 1;
        if i < len && !ws(raw[i]) {
            return Err(fail(i, "attributes are not separated by whitespace"));
        }
        let local = match colon {
            Some(c) => &name[c + 1..],
            None => name,
        };
        f(local, value);
    }
}

/// The bytes an attribute name stops at in [`each_attr`] ('=' and quick-xml's whitespace)
/// and ':', which it notes.
const NAME_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'=' as usize] = true;
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b':' as usize] = true;
    t
};

/// The raw (still escaped) value of attribute `name` (local name, prefix ignored); `None`
/// also for a malformed attribute list (use [`scan_attrs`] where that must be an error).
pub fn attr_raw<'a>(e: &'a BytesStart<'_>, name: &[u8]) -> Option<Cow<'a, [u8]>> {
    scan_attrs(e, [name]).ok().and_then(|[v]| v)
}

/// The unescaped value of attribute `name`. Values with an unknown entity or a character
/// reference XML forbids are kept as written rather than rejected.
pub fn attr<'a>(e: &'a BytesStart<'_>, name: &[u8]) -> Option<Cow<'a, str>> {
    attr_raw(e, name).map(|v| unescape_lossy(v))
}

/// Unescapes the predefined entities and character references. Anything else (an entity
/// declared in a DTD, which we never expand, or a character reference XML forbids such as
/// `&#0;`) is kept as written; the second value counts those.
pub fn unescape(v: Cow<'_, [u8]>) -> (Cow<'_, str>, u64) {
    if memchr::memchr(b'&', &v).is_none() {
        return (
            match v {
                // Checked first with the fast validator: almost every value is valid UTF-8,
                // and `from_utf8_lossy` walks it chunk by chunk.
                Cow::Borrowed(b) => match std::str::from_utf8(b) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => String::from_utf8_lossy(b),
                },
                Cow::Owned(b) => match String::from_utf8(b) {
                    Ok(s) => Cow::Owned(s),
                    Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                },
            },
            0,
        );
    }
    let mut out = String::with_capacity(v.len());
    let unknown = unescape_into(&v, &mut out);
    (Cow::Owned(out), unknown)
}

/// `v` as text when it is ASCII with no '&' (nearly every attribute value: names, classes,
/// times), after a word-at-a-time check: on values of a dozen bytes `from_utf8` costs ~130
/// instructions a call, byte by byte, and the reference search ~30 more.
pub(crate) fn plain_text(v: &[u8]) -> Option<&str> {
    ascii_text::<true>(v, &mut false)
}

/// [`plain_text`], and whether the text holds a '"', found in the same pass (JUnit asks it of
/// every test name: mocha's hook pseudo-tests are quoted).
pub(crate) fn plain_text_quoted(v: &[u8]) -> Option<(&str, bool)> {
    let mut quote = false;
    ascii_text::<true>(v, &mut quote).map(|s| (s, quote))
}

/// `v` as text when it is ASCII (and, with `NO_AMP`, holds no '&'), checked a word at a time;
/// `None` at the first word that fails, so a long value that is not ASCII costs no more than
/// the bytes before its first non-ASCII one. `quote` is set when a '"' is met (inlined, the
/// search is left out where the caller drops it).
#[inline(always)]
fn ascii_text<'v, const NO_AMP: bool>(v: &'v [u8], quote: &mut bool) -> Option<&'v str> {
    use crate::ingest::swar;
    let mut words = v.chunks_exact(8);
    let mut quotes = 0;
    for w in &mut words {
        let x = swar::word(w);
        // `x`'s own high bits are its non-ASCII bytes.
        let amp = if NO_AMP { swar::equal(x, b'&') } else { 0 };
        if (x & swar::HIGH) | amp != 0 {
            return None;
        }
        quotes |= swar::equal(x, b'"');
    }
    let mut q = quotes != 0;
    for &b in words.remainder() {
        if b >= 0x80 || (NO_AMP && b == b'&') {
            return None;
        }
        q |= b == b'"';
    }
    *quote = q;
    // SAFETY: every ASCII byte sequence is valid UTF-8 (checked just above, every byte < 0x80).
    Some(unsafe { std::str::from_utf8_unchecked(v) })
}

/// Appends `v` to `out` as [`unescape`] reads it (invalid UTF-8 replaced, references
/// resolved, unknown ones kept as written); returns the unknown references.
pub(crate) fn unescape_into(v: &[u8], out: &mut String) -> u64 {
    // Offsets are taken in the lossy string: invalid UTF-8 before the '&' changes them.
    // ASCII (test names with `&lt;`, most messages) is known valid after a word-at-a-time
    // check: `from_utf8` goes byte by byte on values this short (~170 instructions a name).
    let s = match ascii_text::<false>(v, &mut false).map_or_else(|| std::str::from_utf8(v), Ok) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(v),
    };
    // Byte searches for the ASCII '&' and ';': the same offsets as `str::find`. The text
    // from `lit` up to the reference being read is copied only when that reference resolves
    // (an unknown one stays part of it, as written): one copy per run of literal text.
    let b = s.as_bytes();
    let mut unknown = 0;
    let mut lit = 0;
    let mut from = 0;
    while let Some(at) = find_amp(&b[from..]).map(|i| from + i) {
        // The ';' of a reference is within its first 13 bytes: searched there only, not
        // through the rest of the value.
        let semi = b[at..].iter().take(13).position(|&c| c == b';');
        // `at` and `at + end` are ASCII bytes: char boundaries.
        match semi.and_then(|end| resolve_reference(&s[at + 1..at + end]).map(|c| (c, end))) {
            Some((c, end)) => {
                out.push_str(&s[lit..at]);
                out.push(c);
                lit = at + end + 1;
                from = lit;
            }
            None => {
                unknown += 1;
                from = at + 1;
            }
        }
    }
    out.push_str(&s[lit..]);
    unknown
}

/// The first '&': by a byte loop in short values (test names with `&lt;`), where a memchr
/// call costs more than the bytes it reads; by memchr in longer text. (A byte loop, not
/// [`crate::ingest::swar::find`]: names with references are short, and the word loop's
/// set-up cost ~0.7 M instructions more on 35,000 test names.)
#[inline]
fn find_amp(v: &[u8]) -> Option<usize> {
    if v.len() <= 32 {
        v.iter().position(|&b| b == b'&')
    } else {
        memchr::memchr(b'&', v)
    }
}

/// The character a reference names (`name` is what stands between `&` and `;`): a predefined
/// entity, or a character reference to a character XML allows; `None` for anything else.
fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name.strip_prefix('#').and_then(|n| {
            let code = match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n.parse::<u32>().ok(),
            };
            code.filter(|&c| c != 0).and_then(char::from_u32)
        }),
    }
}

/// The unknown references in an element's attribute values.
fn attribute_entities(e: &BytesStart<'_>) -> u64 {
    let raw = e.attributes_raw();
    if memchr::memchr(b'&', raw).is_none() {
        return 0;
    }
    // Names hold no '&': every reference found is in a value.
    unescape(Cow::Borrowed(raw)).1
}

/// The warning for entity references that were kept literally (never expanded).
pub fn warn_entities(ctx: &mut crate::ingest::Ctx, n: u64) {
    if n > 0 {
        ctx.warn(format!(
            "{n} entity reference(s) declared in a DTD or unknown were kept as written (`&name;`): testcert never reads a DTD nor expands external entities"
        ));
    }
}

/// Unescaped attribute or text value, unknown references kept as written.
pub fn unescape_lossy(v: Cow<'_, [u8]>) -> Cow<'_, str> {
    unescape(v).0
}

/// Parses an unsigned integer attribute value; `None` when absent or not a number.
pub fn parse_u64(v: &[u8]) -> Option<u64> {
    let v = trim(v);
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Parses a float attribute value (`1.5`, `NaN`, `1e3`, `1,5` as written by some locales).
pub fn parse_f64(v: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(trim(v)).ok()?;
    s.parse::<f64>()
        .ok()
        .or_else(|| s.replace(',', ".").parse::<f64>().ok())
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &v[start..end]
}

/// Second pass over an XML input that failed at byte `offset`: the element path open there
/// (`testsuites/testsuite[3]/testcase[88]`, sibling indexes 1-based among same-named siblings).
/// Only run on errors, so the hot loop pays nothing for it.
pub fn element_path_at<R: BufRead>(input: R, offset: u64) -> String {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // Per open element: its name and, for its children, a count per child name.
    let mut stack: Vec<Frame> = Vec::new();
    let mut root_children: Vec<(Vec<u8>, usize)> = Vec::new();
    loop {
        buf.clear();
        let before = reader.buffer_position();
        if before >= offset {
            break;
        }
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) => break,
        };
        if reader.buffer_position() > offset {
            // The failing event itself: for a start tag, report it as part of the path.
            if let Event::Start(e) | Event::Empty(e) = &ev {
                push_path(&mut stack, &mut root_children, e.local_name().as_ref());
            }
            break;
        }
        match ev {
            Event::Start(e) => push_path(&mut stack, &mut root_children, e.local_name().as_ref()),
            Event::Empty(e) => {
                push_path(&mut stack, &mut root_children, e.local_name().as_ref());
                stack.pop();
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let parts: Vec<String> = stack
        .iter()
        .enumerate()
        .map(|(depth, (name, idx, _))| {
            if depth == 0 {
                name.clone()
            } else {
                format!("{name}[{idx}]")
            }
        })
        .collect();
    parts.join("/")
}

/// An open element in [`element_path_at`]: its name, its index among same-named siblings, and
/// a count per child name seen so far.
type Frame = (String, usize, Vec<(Vec<u8>, usize)>);

fn push_path(stack: &mut Vec<Frame>, root_children: &mut Vec<(Vec<u8>, usize)>, name: &[u8]) {
    let counters = match stack.last_mut() {
        Some((_, _, c)) => c,
        None => root_children,
    };
    let idx = match counters.iter_mut().find(|(n, _)| n == name) {
        Some((_, c)) => {
            *c += 1;
            *c
        }
        None => {
            counters.push((name.to_vec(), 1));
            1
        }
    };
    stack.push((String::from_utf8_lossy(name).into_owned(), idx, Vec::new()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(s: &str) -> Result<Vec<String>> {
        let mut r = XmlReader::new(s.as_bytes());
        let mut out = Vec::new();
        loop {
            match r.event()? {
                Ev::Start(e) | Ev::Empty(e) => {
                    out.push(String::from_utf8_lossy(e.local_name().as_ref()).into())
                }
                Ev::Text(t) => out.push(format!("'{}'", t.get())),
                Ev::End => out.push("/".into()),
                Ev::Other => {}
                Ev::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn truncated_is_an_error() {
        let e = drain("<a><b></b>").unwrap_err();
        assert!(e.message.contains("<a> is not closed"), "{e}");
        let e = drain("<a><b></b").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        assert!(drain("").is_err());
        assert!(drain("  \n").is_err());
    }

    #[test]
    fn documents_declaring_entities_are_refused() {
        for doc in [
            // Billion laughs.
            r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<r>&lol2;</r>"#,
            // XXE.
            r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
        ] {
            let e = drain(doc).unwrap_err();
            assert!(e.message.contains("declares entities"), "{e}");
        }
        // An external DTD reference alone (JaCoCo writes one) is fine, and never fetched.
        let doc =
            r#"<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report/>"#;
        assert_eq!(drain(doc).unwrap(), ["report"]);
    }

    #[test]
    fn undeclared_references_are_kept_and_forbidden_characters_read() {
        let ev = drain("<r>&undeclared;&amp;&#65534;</r>").unwrap();
        assert_eq!(ev, ["r", "'&undeclared;&\u{fffe}'", "/"]);
        let e = drain("<r><![CDATA[ab\0]]></r>").unwrap_err();
        assert_eq!(e.at.offset, Some(14), "{e}");
        assert!(drain("<r>a\0</r>").is_err());
    }

    #[test]
    fn element_path_counts_same_named_siblings() {
        let doc = "<s><t/><t/><x/><t><bad></s>";
        let e = drain(doc).unwrap_err();
        let path = element_path_at(doc.as_bytes(), e.at.offset.unwrap());
        assert_eq!(path, "s/t[3]/bad[1]");
    }

    #[test]
    fn unescape_after_invalid_utf8() {
        let (s, unknown) = unescape(Cow::Borrowed(b"\xff\xfe&amp;&bogus;"));
        assert_eq!(s, "\u{fffd}\u{fffd}&&bogus;");
        assert_eq!(unknown, 1);
    }

    #[test]
    fn attribute_scan() {
        let doc = br#"<line number="3" ns:hits='7' branch = "true" number="9" empty=""/>"#;
        let mut r = quick_xml::Reader::from_reader(&doc[..]);
        let Ok(Event::Empty(e)) = r.read_event() else {
            panic!()
        };
        let [n, h, b, e2, missing] =
            scan_attrs(&e, [b"number", b"hits", b"branch", b"empty", b"nope"]).unwrap();
        assert_eq!(n.as_deref(), Some(&b"3"[..]));
        assert_eq!(h.as_deref(), Some(&b"7"[..]));
        assert_eq!(b.as_deref(), Some(&b"true"[..]));
        assert_eq!(e2.as_deref(), Some(&b""[..]));
        assert_eq!(missing, None);
        for bad in [
            &br#"<a x="1"y="2"/>"#[..],
            br#"<a x=1/>"#,
            br#"<a x/>"#,
            br#"<a x="1/>"#,
        ] {
            let mut r = quick_xml::Reader::from_reader(bad);
            if let Ok(Event::Empty(e)) = r.read_event() {
                assert!(
                    scan_attrs(&e, [b"x"]).is_err(),
                    "{}",
                    String::from_utf8_lossy(bad)
                );
            }
        }
    }

    #[test]
    fn plain_text_is_ascii_without_references() {
        let base = "testUnicode_abcdefghijklmnopqrstuvwxyz0123";
        for len in 0..base.len() {
            for (at, b) in (0..=len).flat_map(|at| [(at, b'&'), (at, 0xc3), (at, b'~')]) {
                let mut v = base.as_bytes()[..len].to_vec();
                if at < len {
                    v[at] = b;
                }
                let want = v.is_ascii() && !v.contains(&b'&');
                assert_eq!(plain_text(&v).is_some(), want, "{v:?}");
                let quoted = plain_text_quoted(&v).map(|(_, q)| q);
                assert_eq!(quoted, want.then(|| v.contains(&b'"')), "{v:?}");
                if want {
                    assert_eq!(plain_text(&v).unwrap().as_bytes(), &v[..]);
                }
            }
        }
    }

    #[test]
    fn each_attr_agrees_with_quick_xml() {
        for doc in [
            &br#"<t a="1" ns:b='2' c = "3" a="4" d="" e:f:g="5"/>"#[..],
            b"<t\ta=\"1\"\r\n b=\"x&amp;y\"   />",
            br#"<t/>"#,
            br#"<t a="1" />"#,
        ] {
            let mut r = quick_xml::Reader::from_reader(doc);
            let Ok(Event::Empty(e)) = r.read_event() else {
                panic!()
            };
            let mut ours = Vec::new();
            each_attr(&e, |k, v| ours.push((k.to_vec(), v.to_vec()))).unwrap();
            let theirs: Vec<_> = e
                .attributes()
                .with_checks(false)
                .flatten()
                .map(|a| (a.key.local_name().as_ref().to_vec(), a.value.to_vec()))
                .collect();
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(doc));
        }
        for bad in [&br#"<a x="1"y="2"/>"#[..], br#"<a x=1/>"#, br#"<a x/>"#] {
            let mut r = quick_xml::Reader::from_reader(bad);
            if let Ok(Event::Empty(e)) = r.read_event() {
                assert!(each_attr(&e, |_, _| {}).is_err());
            }
        }
    }

    /// The reference walk `unescape_into` replaced (one `str` search per reference, each
    /// piece copied as it is passed): the new one must give the same text and count.
    fn unescape_walk(v: &[u8]) -> (String, u64) {
        let s = String::from_utf8_lossy(v);
        let mut out = String::new();
        let mut unknown = 0;
        let mut rest = &s[..];
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let semi = rest.as_bytes().iter().take(13).position(|&b| b == b';');
            match semi.and_then(|end| resolve_reference(&rest[1..end]).map(|c| (c, end))) {
                Some((c, end)) => {
                    out.push(c);
                    rest = &rest[end + 1..];
                }
                None => {
                    unknown += 1;
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        (out, unknown)
    }

    #[test]
    fn unescape_into_agrees_with_the_walk() {
        let pieces: [&[u8]; 16] = [
            b"&lt;",
            b"&gt;",
            b"&amp;",
            b"&quot;",
            b"&apos;",
            b"&#65;",
            b"&#x42;",
            b"&#X1F600;",
            b"&#0;",
            b"&bogus;",
            b"&",
            b";",
            b"a",
            b"\xc3\xa9",
            b"\xff",
            b"&#x+41;",
        ];
        // Every sequence of up to four pieces, padded to cross the short/long search bounds.
        let mut seqs: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for s in &seqs {
                for p in pieces {
                    let mut t = s.clone();
                    t.extend_from_slice(p);
                    next.push(t);
                }
            }
            seqs.extend(next.into_iter().filter(|t| t.len() <= 24));
            seqs.dedup();
        }
        for s in &seqs {
            for pad in [0, 7, 30, 70] {
                let mut v = vec![b'x'; pad];
                v.extend_from_slice(s);
                v.extend(std::iter::repeat_n(b'y', pad / 2));
                let mut out = String::from("kept:");
                let unknown = unescape_into(&v, &mut out);
                let (want, want_unknown) = unescape_walk(&v);
                assert_eq!((&out[5..], unknown), (want.as_str(), want_unknown), "{v:?}");
            }
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64(b" 42 "), Some(42));
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"99999999999999999999999"), None);
        assert!(parse_f64(b"NaN").unwrap().is_nan());
        assert_eq!(parse_f64(b"0,5"), Some(0.5));
    }
}
