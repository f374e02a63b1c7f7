//! The check JSON: serde_json's pretty printer (two-space indent), except that an array of
//! numbers is written on one line (`"uncovered_lines": [13, 27, 28]`), streamed into a
//! writer, with each indent written at once. The per-file `uncovered_lines` make a large
//! repository's result tens of MB: one number per line tripled its size (50 MB against
//! 17 MB for a 100-project monorepo with no base) and made it a wall of lines to read.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use crate::result::CheckResult;

/// Spaces for 32 levels; deeper levels (none in the result) are written in several pieces.
const SPACES: &[u8; 64] = b"                                                                ";

/// serde_json's `PrettyFormatter` with `b"  "`, but an array whose first element is a number
/// stays on one line. An array element's separator is written when the element starts,
/// once it is known whether it is a number.
#[derive(Default)]
pub(crate) struct Pretty {
    level: usize,
    has_value: bool,
    /// Bit `l`: the array opened at level `l` (counted after opening) is on one line.
    /// Levels from 64 on are never on one line (the result has a handful).
    inline: u64,
    /// An array element's separator not yet written: `Some(first)`.
    pending: Option<bool>,
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

    fn bit(&self) -> u64 {
        if self.level < 64 {
            1 << self.level
        } else {
            0
        }
    }

    /// Writes the pending separator of the value starting now.
    #[inline]
    fn start<W: ?Sized + Write>(&mut self, w: &mut W, number: bool) -> io::Result<()> {
        let Some(first) = self.pending.take() else {
            return Ok(());
        };
        if first && number && self.bit() != 0 {
            self.inline |= self.bit();
            return Ok(());
        }
        if self.inline & self.bit() != 0 {
            return w.write_all(b", ");
        }
        self.next_line(w, first)
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    #[inline]
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.start(w, false)?;
        self.level += 1;
        self.inline &= !self.bit();
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own after any value (`[]` and `{}` stay together, and
    /// an array on one line ends on it).
    #[inline]
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let inline = self.inline & self.bit() != 0;
        self.level -= 1;
        if self.has_value && !inline {
            self.next_line(w, true)?;
        }
        w.write_all(bracket)
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

/// Formatter methods that start a value: the pending separator first, then what
/// serde_json's compact formatter writes (the same bytes as its pretty one).
macro_rules! starts_value {
    ($number:expr, $($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[inline]
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.start(w, $number)?;
            CompactFormatter.$name(w $(, $arg)*)
        }
    )*};
}

impl Formatter for Pretty {
    starts_value!(true,
        write_i8(v: i8); write_i16(v: i16); write_i32(v: i32); write_i64(v: i64);
        write_i128(v: i128); write_u8(v: u8); write_u16(v: u16); write_u32(v: u32);
        write_u64(v: u64); write_u128(v: u128); write_f32(v: f32); write_f64(v: f64);
        write_number_str(v: &str);
    );
    starts_value!(false,
        write_null(); write_bool(v: bool); begin_string(); write_byte_array(v: &[u8]);
        write_raw_fragment(v: &str);
    );

    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + Write>(&mut self, _w: &mut W, first: bool) -> io::Result<()> {
        self.pending = Some(first);
        Ok(())
    }

    #[inline]
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
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

/// The check result pretty-printed into `w`, as `serde_json::to_writer_pretty` would, its
/// projects (nearly all of a large result: one uncovered line per line) rendered on all
/// cores and written in order as each is done, so that only the few done ahead of their
/// turn are held as bytes.
pub(crate) fn result_to<W: Write>(mut w: W, result: &CheckResult) -> io::Result<()> {
    if result.projects.len() < 2 {
        return to_writer(w, result);
    }
    // The result without its projects, whose `"projects": []` is where they go: a key at the
    // first level is the only place a newline and two spaces precede `"projects"` (a newline
    // inside a string is written escaped).
    // Every field named (no `..`): a new one must be thought of here.
    let shell = CheckResult {
        schema_version: result.schema_version,
        testcert_version: result.testcert_version.clone(),
        config: result.config.clone(),
        max_level: result.max_level,
        required_level: result.required_level,
        passed: result.passed,
        change: result.change.clone(),
        repository: result.repository.clone(),
        reports_found: result.reports_found,
        report_errors: result.report_errors.clone(),
        warnings: result.warnings.clone(),
        projects: Vec::new(),
        stamp: result.stamp.clone(),
        comparison: result.comparison.clone(),
        attribution: result.attribution.clone(),
        team: None,
    };
    let mut outer = Vec::new();
    to_writer(&mut outer, &shell)?;
    const EMPTY: &[u8] = b"\n  \"projects\": []";
    let at = outer
        .windows(EMPTY.len())
        .position(|x| x == EMPTY)
        .expect("the result has a projects key");
    let open = at + EMPTY.len() - 1;
    w.write_all(&outer[..open])?;
    let mut first = true;
    crate::parallel::map_in_order(
        &result.projects,
        |p| {
            // Sized for its uncovered lines (most of a large project's bytes, up to 7 each
            // with their separator), not grown by doubling (each time a copy).
            let lines = p.evidence.incremental.uncovered_count();
            let mut buf = Vec::with_capacity(4096 + 7 * lines);
            let mut ser = serde_json::Serializer::with_formatter(
                &mut buf,
                Pretty {
                    level: 2,
                    ..Pretty::default()
                },
            );
            p.serialize(&mut ser).map(|()| buf)
        },
        |chunk| {
            let chunk = chunk.map_err(io::Error::from)?;
            w.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            w.write_all(&chunk)
        },
    )?;
    w.write_all(b"\n  ]")?;
    w.write_all(&outer[open + 1..])
}

/// `value` pretty-printed into `w`, as `serde_json::to_writer_pretty` would.
pub(crate) fn to_writer<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty::default());
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    fn ours<T: serde::Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        super::to_writer(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_result_with_its_projects_spliced_in_is_as_written_whole() {
        let mut r = crate::result::CheckResult::from_json(include_str!(
            "../../tests/expected/rust-workspace.diff.json"
        ))
        .unwrap();
        assert!(r.projects.len() > 2);
        let spliced = |r: &crate::result::CheckResult| {
            let mut out = Vec::new();
            super::result_to(&mut out, r).unwrap();
            let out = String::from_utf8(out).unwrap();
            // The same JSON as serde_json's, whatever the layout.
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&out).unwrap(),
                serde_json::to_value(r).unwrap()
            );
            out
        };
        assert!(spliced(&r).contains("\"uncovered_lines\": ["));
        assert_eq!(spliced(&r), ours(&r));
        // With fields after the projects, and more projects than workers.
        r.attribution = Some(vec![crate::result::Explanation {
            subject: "a\n  \"projects\": []".into(),
            project: None,
            reason: "r".into(),
        }]);
        let more = r.projects.clone();
        for _ in 0..5 {
            r.projects.extend(more.iter().cloned());
        }
        assert_eq!(spliced(&r), ours(&r));
        r.projects.truncate(1);
        assert_eq!(spliced(&r), ours(&r));
    }

    #[test]
    fn without_arrays_of_numbers_as_serde_json_pretty_prints() {
        // Deeper than the spaces written at once.
        let mut deep = serde_json::json!("x");
        for _ in 0..40 {
            deep = serde_json::json!([deep, {"k": 1}]);
        }
        let v = serde_json::json!({
            "a": ["1", 2, {"b": [], "c": {}, "d": [["3"]]}],
            "e": {"f": null, "g": "h\n\"i\"", "n": [null, 1, true]},
            "deep": deep,
        });
        assert_eq!(ours(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn an_array_of_numbers_is_on_one_line() {
        let v = serde_json::json!({
            "lines": [13, 27, 28],
            "one": [7],
            "empty": [],
            "floats": [0.5, -1, 1e300],
            "nested": [[1, 2], [], ["x"]],
            // Not in a result; valid JSON all the same.
            "mixed": [1, {"k": [2]}, "s"],
            "objects": [{"lines": [3]}],
        });
        let expected = r#"{
  "empty": [],
  "floats": [0.5, -1, 1e+300],
  "lines": [13, 27, 28],
  "mixed": [1, {
      "k": [2]
    }, "s"],
  "nested": [
    [1, 2],
    [],
    [
      "x"
    ]
  ],
  "objects": [
    {
      "lines": [3]
    }
  ],
  "one": [7]
}"#;
        assert_eq!(ours(&v), expected);
        // Past the levels that can be on one line: one number per line again.
        let mut deep = serde_json::json!([1, 2]);
        for _ in 0..70 {
            deep = serde_json::json!([deep]);
        }
        let text = ours(&deep);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            deep
        );
        assert!(text.contains("\n  [\n"), "{text:.200}");
        let innermost = text.trim_end_matches([']', '\n', ' ']);
        // The innermost array is the 71st level: its elements are indented by 142 spaces.
        assert!(innermost.ends_with(&format!("1,\n{}2", " ".repeat(142))));
    }
}
