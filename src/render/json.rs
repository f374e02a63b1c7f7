//! The check JSON, written as serde_json's pretty printer writes it (two-space indent), but
//! streamed into a writer and with each indent written at once: the per-file
//! `uncovered_lines` make a large repository's result tens of MB, one number per line, and
//! serde_json's `PrettyFormatter` writes an indent one level at a time.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Spaces for 32 levels; deeper levels (none in the result) are written in several pieces.
const SPACES: &[u8; 64] = b"                                                                ";

/// serde_json's `PrettyFormatter` with `b"  "`, byte for byte.
#[derive(Default)]
pub(crate) struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        let mut n = self.level * 2;
        while n > SPACES.len() {
            w.write_all(SPACES)?;
            n -= SPACES.len();
        }
        w.write_all(&SPACES[..n])
    }

    /// A newline (after a comma unless `first`) and the indent, in one write.
    fn next_line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        let n = self.level * 2;
        if n <= SPACES.len() - 2 {
            let mut buf = [b' '; SPACES.len()];
            let start = if first {
                buf[0] = b'\n';
                1
            } else {
                buf[0] = b',';
                buf[1] = b'\n';
                2
            };
            return w.write_all(&buf[..start + n]);
        }
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl Formatter for Pretty {
    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.next_line(w, true)?;
        }
        w.write_all(b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.next_line(w, first)
    }

    #[inline]
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.next_line(w, true)?;
        }
        w.write_all(b"}")
    }

    #[inline]
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.next_line(w, first)
    }

    #[inline]
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    #[inline]
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `value` pretty-printed into `w`, as `serde_json::to_writer_pretty` would.
pub(crate) fn to_writer<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty::default());
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_serde_json_pretty_prints() {
        // Deeper than the spaces written at once.
        let mut deep = serde_json::json!("x");
        for _ in 0..40 {
            deep = serde_json::json!([deep, {"k": 1}]);
        }
        let v = serde_json::json!({
            "a": [1, 2, {"b": [], "c": {}, "d": [[3]]}],
            "e": {"f": null, "g": "h\n\"i\""},
            "deep": deep,
        });
        let mut ours = Vec::new();
        super::to_writer(&mut ours, &v).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}
