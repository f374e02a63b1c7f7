//! Helpers shared by the .NET XML test-report parsers (xUnit, NUnit, TRX): the `attrs!` macro
//! over [`crate::ingest::xml::scan_attrs`] that returns a located error, and small text
//! helpers.

use std::borrow::Cow;

use crate::ingest::xml::unescape_lossy;
use crate::model::{Names, SharedStr};

/// Longest message kept for a test case (first line only).
pub const MESSAGE_LIMIT: usize = 500;

/// Bytes read from a message element before its first line is taken.
pub const TEXT_LIMIT: usize = 16 * 1024;

pub use crate::ingest::xml::{scan_attrs, warn_entities};

/// `attrs!(reader, event, empty, [b"name", …])`: [`scan_attrs`], returning a located error from
/// the enclosing function when the attribute list is malformed.
macro_rules! attrs {
    ($r:expr, $e:expr, $empty:expr, $keys:expr) => {{
        let len = $e.len();
        match $crate::ingest::testrun::util::scan_attrs(&$e, $keys) {
            Ok(v) => v,
            Err(f) => return Err(f.locate($r.offset(), len, $empty)),
        }
    }};
}
pub(crate) use attrs;

/// An attribute value as text, entities resolved.
pub fn text(v: &Option<Cow<'_, [u8]>>) -> Option<String> {
    v.as_ref()
        .map(|v| unescape_lossy(Cow::Borrowed(v.as_ref())).into_owned())
}

/// Like [`text`], borrowed when there is nothing to resolve or replace.
pub fn text_ref<'v>(v: &'v Option<Cow<'_, [u8]>>) -> Option<Cow<'v, str>> {
    v.as_ref()
        .map(|v| unescape_lossy(Cow::Borrowed(v.as_ref())))
}

/// Like [`text_ref`], but `None` for an empty or blank value.
pub fn non_empty_ref<'v>(v: &'v Option<Cow<'_, [u8]>>) -> Option<Cow<'v, str>> {
    text_ref(v).filter(|s| !s.trim().is_empty())
}

/// Shared names ([`Names`]) from raw attribute values: a value that repeats the last one byte
/// for byte (every test of a class repeats its `type`) is known before it is decoded.
#[derive(Default)]
pub(crate) struct RawNames {
    names: Names,
    raw: Vec<u8>,
    /// What `raw` gave: its shared name, `None` for a blank value.
    last: Option<Option<SharedStr>>,
}

impl RawNames {
    /// The shared copy of the value ([`non_empty`]'s text), `None` when absent or blank.
    pub(crate) fn non_empty(&mut self, v: &Option<Cow<'_, [u8]>>) -> Option<SharedStr> {
        let v = v.as_deref()?;
        if let Some(last) = &self.last {
            if self.raw == v {
                return last.clone();
            }
        }
        let name = non_empty_ref(&Some(Cow::Borrowed(v))).map(|s| self.names.get(&s));
        self.raw.clear();
        self.raw.extend_from_slice(v);
        self.last = Some(name.clone());
        name
    }
}

/// Like [`text`], but `None` for an empty or blank value.
pub fn non_empty(v: &Option<Cow<'_, [u8]>>) -> Option<String> {
    text(v).filter(|s| !s.trim().is_empty())
}

/// Whether an attribute equals `want`, ASCII case-insensitively.
pub fn is(v: &Option<Cow<'_, [u8]>>, want: &str) -> bool {
    v.as_ref().is_some_and(|v| {
        v.as_ref()
            .trim_ascii()
            .eq_ignore_ascii_case(want.as_bytes())
    })
}

/// A seconds value (`1.5`, `0,5`).
pub fn seconds(v: &Option<Cow<'_, [u8]>>) -> Option<f64> {
    v.as_ref()
        .and_then(|v| simple_decimal(v).or_else(|| crate::ingest::xml::parse_f64(v)))
        .filter(|d| d.is_finite() && *d >= 0.0)
}

/// `123`, `0.057`: at most 15 digits and one `.`, the way nearly every tool writes times. The
/// digits as an integer (exact in an f64) divided by a power of ten (exact up to 10^22) is
/// one correctly rounded operation, so the value equals what `str::parse` returns.
pub(crate) fn simple_decimal(v: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    // `0.057`, the shape most tools write (seconds to the millisecond), without the loop: the
    // same integer over the same power of ten as below.
    if let [a, b'.', b, c, d] = *v {
        let [a, b, c, d] = [a, b, c, d].map(|x| u32::from(x.wrapping_sub(b'0')));
        if a < 10 && b < 10 && c < 10 && d < 10 {
            return Some(f64::from(a * 1000 + b * 100 + c * 10 + d) / POW10[3]);
        }
    }
    if v.is_empty() || v.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    // Where the '.' is: the digits and the fractional ones are counted from it once, after
    // the loop, not per digit.
    let mut dot: Option<usize> = None;
    for (i, &b) in v.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + u64::from(d);
        } else if b == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let (digits, frac) = match dot {
        Some(i) => (v.len() - 1, v.len() - 1 - i),
        None => (v.len(), 0),
    };
    if digits == 0 || digits > 15 {
        return None;
    }
    Some(m as f64 / POW10[frac])
}

/// The first non-blank line of a message, trimmed, control characters dropped, at most
/// [`MESSAGE_LIMIT`] bytes.
pub fn first_line(s: &str) -> Option<String> {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut out = String::with_capacity(line.len().min(MESSAGE_LIMIT));
    for c in line.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MESSAGE_LIMIT {
            out.push('…');
            break;
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

/// The file name part of a Windows or POSIX path (`C:\a\b.dll` → `b.dll`).
pub fn file_name(path: &str) -> &str {
    let path = path.trim();
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `name` without a leading `class.` (xUnit and TRX repeat the class in the test name).
pub fn strip_class<'n>(name: &'n str, class: Option<&str>) -> &'n str {
    match class {
        Some(c) if !c.is_empty() => name
            .strip_prefix(c)
            .and_then(|rest| rest.strip_prefix('.'))
            .filter(|rest| !rest.is_empty())
            .unwrap_or(name),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(file_name(r"C:\a\b\T.dll"), "T.dll");
        assert_eq!(file_name("/x/y.dll"), "y.dll");
        assert_eq!(file_name("y.dll"), "y.dll");
        assert_eq!(strip_class("A.B.m(1)", Some("A.B")), "m(1)");
        assert_eq!(strip_class("A.Bm", Some("A.B")), "A.Bm");
        assert_eq!(strip_class("m", None), "m");
        assert_eq!(
            first_line("\n  first \u{0}x\nsecond").as_deref(),
            Some("first x")
        );
        assert_eq!(first_line("  \n "), None);
    }
}
