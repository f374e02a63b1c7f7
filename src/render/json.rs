//! The check JSON, written as serde_json's pretty printer writes it (two-space indent), but
//! streamed into a writer and with each indent written at once: the per-file
//! `uncovered_lines` make a large repository's result tens of MB, one number per line, and
//! serde_json's `PrettyFormatter` writes an indent one level at a time.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::result::CheckResult;

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

    /// `[` or `{`: one level deeper, nothing in it yet.
    #[inline]
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own after any value (`[]` and `{}` stay together).
    #[inline]
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
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

impl Formatter for Pretty {
    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
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
/// cores, a few at a time so that only those few are held as bytes.
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
    let batch = std::thread::available_parallelism().map_or(1, |n| n.get()) * 2;
    for (b, projects) in result.projects.chunks(batch).enumerate() {
        let chunks = crate::parallel::map(projects, |p| {
            let mut buf = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(
                &mut buf,
                Pretty {
                    level: 2,
                    has_value: false,
                },
            );
            p.serialize(&mut ser).map(|()| buf)
        });
        for (i, chunk) in chunks.into_iter().enumerate() {
            let chunk = chunk.map_err(io::Error::from)?;
            w.write_all(if b == 0 && i == 0 {
                b"\n    "
            } else {
                b",\n    "
            })?;
            w.write_all(&chunk)?;
        }
    }
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
    #[test]
    fn a_result_with_its_projects_spliced_in_is_as_serde_json_writes_it() {
        let mut r = crate::result::CheckResult::from_json(include_str!(
            "../../tests/expected/rust-workspace.diff.json"
        ))
        .unwrap();
        assert!(r.projects.len() > 2);
        let ours = |r: &crate::result::CheckResult| {
            let mut out = Vec::new();
            super::result_to(&mut out, r).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(ours(&r), serde_json::to_string_pretty(&r).unwrap());
        // With fields after the projects, and more projects than one batch.
        r.attribution = Some(vec![crate::result::Explanation {
            subject: "a\n  \"projects\": []".into(),
            project: None,
            reason: "r".into(),
        }]);
        let more = r.projects.clone();
        for _ in 0..5 {
            r.projects.extend(more.iter().cloned());
        }
        assert_eq!(ours(&r), serde_json::to_string_pretty(&r).unwrap());
        r.projects.truncate(1);
        assert_eq!(ours(&r), serde_json::to_string_pretty(&r).unwrap());
    }

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
