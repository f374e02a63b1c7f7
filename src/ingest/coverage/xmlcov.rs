//! Helpers shared by the XML coverage parsers (Cobertura, Clover, OpenCover): tolerant
//! execution counts, line numbers, and folding of per-element line buffers.

use crate::ingest::xml::{parse_f64, parse_u64};
use crate::model::FileCoverage;

/// An execution count as tools write them: a plain integer, an integer too large for `u64`
/// (saturated), or a float (`1.0`, `1E3`; truncated). Negative counts (an overflow in the
/// producer) read as 0 and are counted in `negative`. `None` when it is not a number at all
/// (including NaN).
pub(crate) fn count(v: &[u8], negative: &mut u64) -> Option<u64> {
    if let Some(n) = parse_u64(v) {
        return Some(n);
    }
    let t = v.trim_ascii();
    if !t.is_empty() && t.iter().all(u8::is_ascii_digit) {
        return Some(u64::MAX);
    }
    if let [b'-', rest @ ..] = t {
        if !rest.is_empty()
            && (rest.iter().all(u8::is_ascii_digit) || parse_f64(rest).is_some_and(f64::is_finite))
        {
            *negative += 1;
            return Some(0);
        }
    }
    match parse_f64(t) {
        // `as` saturates: 1e30 becomes u64::MAX.
        Some(f) if f.is_finite() && f >= 0.0 => Some(f as u64),
        _ => None,
    }
}

/// A line number: a plain unsigned integer that fits `u32`.
pub(crate) fn line_no(v: &[u8]) -> Option<u32> {
    parse_u64(v).and_then(|n| u32::try_from(n).ok())
}

/// `v` for an error message: lossy UTF-8, at most 40 bytes.
pub(crate) fn shown(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(&v[..v.len().min(40)]);
    format!("{s:?}")
}

/// Adds `(line, hits)` records that describe one element of one run (a Clover `<file>`, a
/// Cobertura class's method lines) to `file`: a line listed twice there is the same line, so
/// it takes the larger count instead of the sum the model applies across records.
pub(crate) fn fold_lines(file: &mut FileCoverage, buf: &mut Vec<(u32, u64)>) {
    if !buf.windows(2).all(|w| w[0].0 < w[1].0) {
        buf.sort_unstable_by_key(|&(l, _)| l);
        buf.dedup_by(|next, kept| {
            if next.0 == kept.0 {
                kept.1 = kept.1.max(next.1);
                true
            } else {
                false
            }
        });
    }
    for &(line, hits) in buf.iter() {
        file.add_line(line, hits);
    }
    buf.clear();
}

/// Adds `(line, total, covered)` branch records of one element to `file`, summing records on
/// the same line (they are distinct conditions of one run).
pub(crate) fn fold_branches(file: &mut FileCoverage, buf: &mut Vec<(u32, u32, u32)>) {
    buf.sort_unstable_by_key(|&(l, _, _)| l);
    let mut i = 0;
    while i < buf.len() {
        let line = buf[i].0;
        let (mut total, mut covered) = (0u32, 0u32);
        while i < buf.len() && buf[i].0 == line {
            total = total.saturating_add(buf[i].1);
            covered = covered.saturating_add(buf[i].2);
            i += 1;
        }
        if total > 0 {
            file.add_branches(line, total, covered);
        }
    }
    buf.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        let mut neg = 0;
        assert_eq!(count(b"12", &mut neg), Some(12));
        assert_eq!(count(b"1.0", &mut neg), Some(1));
        assert_eq!(count(b"2.5E3", &mut neg), Some(2500));
        assert_eq!(
            count(b"99999999999999999999999999", &mut neg),
            Some(u64::MAX)
        );
        assert_eq!(count(b"1e300", &mut neg), Some(u64::MAX));
        assert_eq!(count(b"-3", &mut neg), Some(0));
        assert_eq!(neg, 1);
        assert_eq!(count(b"NaN", &mut neg), None);
        assert_eq!(count(b"-nan", &mut neg), None);
        assert_eq!(count(b"x", &mut neg), None);
        assert_eq!(count(b"", &mut neg), None);
    }

    #[test]
    fn folds() {
        let mut f = FileCoverage::new("a");
        let mut buf = vec![(3, 0), (1, 2), (3, 5)];
        fold_lines(&mut f, &mut buf);
        assert!(buf.is_empty());
        assert_eq!(f.lines.len(), 2);
        assert_eq!({ f.lines[1].hits }, 5);
        let mut b = vec![(4, 2, 1), (2, 2, 0), (4, 2, 2), (5, 0, 0)];
        fold_branches(&mut f, &mut b);
        assert_eq!(f.branches.len(), 2);
        assert_eq!((f.branches[1].total, f.branches[1].covered), (4, 3));
    }
}
