//! Level 3: tests for nontrivial changes, integration tests for significant ones (and the
//! small-test incremental threshold, judged as at level 2).

use super::figures::{scope_note, Inputs, Judgement};
use crate::config::{Size, Thresholds};
use crate::evidence::Change;
use crate::model::FileCoverage;
use crate::result::{Figures, FileIncrement, Status};
use crate::words::{list, plural, plural_with};

/// The project's changed source files (not test files) with at least `min` changed
/// executable lines.
pub(super) fn big_changes<'f>(
    inp: &Inputs<'_>,
    f: &'f Figures,
    min: u64,
) -> Vec<&'f FileIncrement> {
    f.incremental
        .files
        .iter()
        .filter(|x| x.changed >= min && !(inp.is_test_file)(&x.path))
        .collect()
}

pub(super) fn changed_test_files<'a>(inp: &'a Inputs<'_>) -> Vec<&'a str> {
    match inp.change {
        Change::Diff { files, .. } => files
            .keys()
            .filter(|p| inp.ev.project.contains(p) && (inp.is_test_file)(p))
            .map(String::as_str)
            .collect(),
        Change::All { .. } => Vec::new(),
    }
}

/// A changed unit of a file: a function where the coverage report lists functions, else a
/// run of consecutive changed lines (a diff hunk; without a base, the file's lines outside
/// any function).
struct Unit {
    /// The function, an index into the file's `functions` (`None` for a run of lines).
    function: Option<usize>,
    /// First and last changed line of the unit.
    first: u32,
    last: u32,
    changed: u64,
    covered: u64,
}

impl Unit {
    /// `kv::parse_value (crates/core/src/value.rs:12, NOTE)` or
    /// `crates/core/src/value.rs:40-57 (NOTE)`.
    fn describe(&self, fc: &FileCoverage, path: &str, note: &str) -> String {
        match self.function.map(|j| &fc.functions[j]) {
            Some(f) => format!("{} ({path}:{}, {note})", display_name(&f.name), f.line),
            None if self.first == self.last => format!("{path}:{} ({note})", self.first),
            None => format!("{path}:{}-{} ({note})", self.first, self.last),
        }
    }
}

/// How far back from a line the search for the function holding it goes: functions nest
/// only a few deep, and a bound keeps a module's top-level lines after thousands of methods
/// from costing a scan each.
const MAX_NESTING_SCAN: usize = 32;

/// Which lines of a file changed, for [`units`].
enum Changed<'a> {
    /// Every executable line (no base): lines outside functions are one unit.
    Every,
    /// These lines (sorted; a diff's): lines outside functions split into runs of
    /// consecutive changed lines (hunks). A line the coverage does not list as executable is
    /// not counted.
    Lines(&'a [u32]),
}

/// The changed units of a file, in order of first change.
fn units(fc: &FileCoverage, changed: Changed<'_>) -> Vec<Unit> {
    let fns = &fc.functions;
    // Closures are part of the function that holds them: the change is to that function
    // (and an LCOV without end lines would otherwise cut the function at its first closure).
    // Rust's `{closure#0}`, and Istanbul's unnamed `(anonymous_3)` callbacks. Told from the
    // name as stored: demangling every function of every file would cost more than the rest.
    let keep: Vec<bool> = fns.iter().map(|f| !is_closure(&f.name)).collect();
    let spans = fc.function_spans(&keep);
    // Functions in line order (as a finished file keeps them): then an answer holds for the
    // lines after it too, up to the line `owner` returns with it.
    let in_order = fns.windows(2).all(|w| w[0].line <= w[1].line);
    // The innermost function holding `line`: the latest start at or before it whose span
    // reaches it. Lines come in order, so the functions starting at or before them are a
    // growing prefix (`upto`).
    let mut upto = 0;
    let mut owner = |line: u32| -> (Option<usize>, u32) {
        while upto < fns.len() && fns[upto].line <= line {
            upto += 1;
        }
        let found = (0..upto)
            .rev()
            .take(MAX_NESTING_SCAN)
            .find(|&j| spans[j].0 > 0 && spans[j].0 <= line && line <= spans[j].1);
        if !in_order {
            return (found, line);
        }
        // The same answer until the next function starts (which changes the candidates),
        // and for a function only to its end: every candidate that failed for `line` started
        // at or before it, so fails for a later line too (it ended before, or spans
        // nothing). Without a base every line of every file asks: most need no search.
        let next = fns.get(upto).map_or(u32::MAX, |f| f.line - 1);
        (found, found.map_or(next, |j| next.min(spans[j].1)))
    };
    let mut by_fn: Vec<Option<usize>> = vec![None; fns.len()];
    // A unit per function and, without a base, one for the lines outside them (a diff's
    // hunks outside functions may add more): sized once for the usual case.
    let mut out: Vec<Unit> = Vec::with_capacity(fns.len() + 1);
    let mut hunk: Option<usize> = None;
    // The unit of a function, or the current run outside functions, opened at `line`.
    fn open(
        out: &mut Vec<Unit>,
        slot: &mut Option<usize>,
        function: Option<usize>,
        line: u32,
    ) -> usize {
        *slot.get_or_insert_with(|| {
            out.push(Unit {
                function,
                first: line,
                last: line,
                changed: 0,
                covered: 0,
            });
            out.len() - 1
        })
    }
    match changed {
        Changed::Every => {
            // A run of lines with one owner is added at once (a finished file's lines are
            // sorted).
            let mut rest = &fc.lines[..];
            while let Some(first) = rest.first() {
                let (function, through) = owner(first.line);
                let (n, covered) = run_through(rest, through);
                let last = rest[n - 1].line;
                rest = &rest[n..];
                let slot = function.map_or(&mut hunk, |j| &mut by_fn[j]);
                let idx = open(&mut out, slot, function, first.line);
                let u = &mut out[idx];
                u.last = last;
                u.changed += n as u64;
                u.covered += covered;
            }
        }
        Changed::Lines(lines) => {
            let mut prev: Option<u32> = None;
            // The owner of the previous line, and the last line it holds for.
            let mut known: Option<(Option<usize>, u32)> = None;
            for &line in lines {
                if prev.is_none_or(|p| p + 1 != line) {
                    hunk = None;
                }
                prev = Some(line);
                let function = match known {
                    Some((f, through)) if line <= through => f,
                    _ => {
                        let (f, through) = owner(line);
                        known = Some((f, through));
                        f
                    }
                };
                if function.is_some() {
                    hunk = None;
                }
                let slot = function.map_or(&mut hunk, |j| &mut by_fn[j]);
                let idx = open(&mut out, slot, function, line);
                let u = &mut out[idx];
                u.last = line;
                // A line the coverage does not list as executable is not counted.
                if let Some(h) = fc.hits(line) {
                    u.changed += 1;
                    u.covered += u64::from(h > 0);
                }
            }
        }
    }
    // A function the report says was never entered ran none of its body, whatever hits its
    // lines show: Python executes a `def` line (and its decorators) at import.
    for (j, idx) in by_fn.iter().enumerate() {
        if let Some(i) = idx {
            if fns[j].hits == 0 {
                out[*i].covered = 0;
            }
        }
    }
    out
}

/// The run of `lines` (sorted, not empty) that ends at line `through`, at least the first
/// line: how many lines it holds and how many of them ran. Walked line by line, counting as
/// it goes: a function's run is a dozen lines, which its count reads anyway, and a search for
/// the run's end (galloping, then binary) mispredicted a branch at nearly every step; this
/// loop mispredicts once per run.
fn run_through(lines: &[crate::model::Line], through: u32) -> (usize, u64) {
    let mut covered = u64::from(lines[0].hits > 0);
    let mut n = 1;
    while let Some(l) = lines.get(n).filter(|l| l.line <= through) {
        covered += u64::from(l.hits > 0);
        n += 1;
    }
    (n, covered)
}

/// Whether a function is a closure or an unnamed callback, part of the function holding it:
/// Rust v0 symbols whose path is a closure (`_RNC…`), legacy ones with `{{closure}}`
/// (`$u7b$$u7b$closure$u7d$$u7d$`), demangled names with `{closure`, Istanbul's
/// `(anonymous_N)`.
fn is_closure(name: &str) -> bool {
    name.starts_with("_RNC")
        || name.starts_with("(anonymous")
        // Both inner patterns hold a `$` or a `{`: one byte scan rules most names out before
        // the substring searches (this runs for every function of every changed file; a
        // plain loop, as most names are too short for memchr's setup to pay).
        || (name.bytes().any(|b| b == b'$' || b == b'{')
            && (name.contains("$u7b$$u7b$closure$u7d$$u7d$") || name.contains("{closure")))
}

/// A function name as a person reads it: Rust symbols demangled without their hash.
fn display_name(name: &str) -> String {
    if name.starts_with("_R") || name.starts_with("_ZN") {
        format!("{:#}", rustc_demangle::demangle(name))
    } else {
        name.to_string()
    }
}

/// Decided per changed function where the coverage lists functions (with their end lines
/// where the report gives them), else per diff hunk: a unit with at least N changed
/// executable lines needs some of them covered, or the change must also change a test of
/// its file. A file with N such lines and none covered fails as before, however its units
/// split.
pub(super) fn l3_tests_for_changes(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
    if f.coverage.is_none() {
        return (
            Status::Unknown,
            "no coverage report for this project".to_string(),
        );
    }
    let n = t.nontrivial_lines;
    let tests = changed_test_files(inp);
    let (mut functions, mut hunks, mut files) = (0u64, 0u64, 0u64);
    // The first SHOWN untested changes, described, and how many there are: only those
    // shown are worth a string (without a base, every function never entered is one).
    const SHOWN: usize = 5;
    let mut missing: Vec<String> = Vec::new();
    let mut missing_count = 0usize;
    for x in f
        .incremental
        .files
        .iter()
        .filter(|x| !(inp.is_test_file)(&x.path))
    {
        let Some(fc) = inp.ev.coverage.file(&x.path) else {
            continue;
        };
        let units = match inp.change {
            Change::Diff { files, .. } => match files.get(&x.path) {
                Some(ch) => units(fc, Changed::Lines(&ch.lines)),
                None => continue,
            },
            Change::All { .. } => units(fc, Changed::Every),
        };
        let units: Vec<Unit> = units.into_iter().filter(|u| u.changed >= n).collect();
        if units.is_empty() && x.changed < n {
            continue;
        }
        files += 1;
        functions += units.iter().filter(|u| u.function.is_some()).count() as u64;
        hunks += units.iter().filter(|u| u.function.is_none()).count() as u64;
        if tests.iter().any(|tf| (inp.related_test)(&x.path, tf)) {
            continue;
        }
        let before = missing_count;
        for u in &units {
            if u.covered == 0 {
                missing_count += 1;
                if missing.len() < SHOWN {
                    let note = format!(
                        "{}, none covered",
                        plural(u.changed, "changed executable line")
                    );
                    missing.push(u.describe(fc, &x.path, &note));
                }
            }
        }
        if missing_count == before && x.changed >= n && x.covered == 0 {
            missing_count += 1;
            if missing.len() < SHOWN {
                missing.push(format!(
                    "{} ({}, none covered)",
                    x.path,
                    plural(x.changed, "changed executable line")
                ));
            }
        }
    }
    if missing_count == 0 {
        let detail = if functions + hunks == 0 {
            format!(
                "no changed function or block of changed lines has >= {n} changed executable lines{}",
                if files == 0 {
                    String::new()
                } else {
                    format!(
                        " (the {} with as many in all {} changed lines covered or its test changed)",
                        plural(files, "file"),
                        if files == 1 { "has" } else { "each have" }
                    )
                }
            )
        } else {
            let mut kinds = Vec::new();
            if functions > 0 {
                kinds.push(plural(functions, "function"));
            }
            if hunks > 0 {
                kinds.push(plural_with(
                    hunks,
                    "block of changed lines",
                    "blocks of changed lines",
                ));
            }
            format!(
                "{} with >= {n} changed executable lines, each with changed lines covered or its test changed",
                kinds.join(" and ")
            )
        };
        (Status::Met, format!("{detail}{}", scope_note(f)))
    } else {
        (
            Status::Unmet,
            format!(
                "untested nontrivial changes: {}{}",
                missing.join(", "),
                if missing_count > SHOWN {
                    // As `words::list` ends a longer list.
                    format!(" and {} more", missing_count - SHOWN)
                } else {
                    String::new()
                }
            ),
        )
    }
}

pub(super) fn l3_integration_new(inp: &Inputs<'_>, f: &Figures, t: &Thresholds) -> Judgement {
    let files = big_changes(inp, f, t.significant_lines);
    if files.is_empty() {
        return (
            Status::Met,
            format!(
                "no changed file with >= {} changed executable lines{}",
                t.significant_lines,
                scope_note(f)
            ),
        );
    }
    // Test files of medium/large tests that the change touched.
    let big_test_files: Vec<&str> = inp
        .ev
        .tests
        .iter()
        .filter(|x| matches!(x.size, Some(Size::Medium | Size::Large)))
        .filter_map(|x| x.case.file.as_deref())
        .collect();
    let changed_tests = changed_test_files(inp);
    let touched_big_test = changed_tests.iter().any(|tf| {
        big_test_files
            .iter()
            .any(|b| b.ends_with(tf) || tf.ends_with(b))
    });
    if touched_big_test {
        return (
            Status::Met,
            "the change adds or changes a medium/large test".to_string(),
        );
    }
    if inp.ev.coverage_large.is_none() {
        return (
            Status::Unknown,
            format!(
                "{} changed significantly ({}), but no coverage report is tagged medium or large to show what the integration tests cover: tag it with [[reports.tag]] size = \"medium\"",
                plural(files.len() as u64, "file"),
                list(&files.iter().map(|x| x.path.clone()).collect::<Vec<_>>(), 3)
            ),
        );
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|x| x.covered_large.unwrap_or(0) == 0)
        .map(|x| format!("{} ({})", x.path, plural(x.changed, "changed line")))
        .collect();
    if missing.is_empty() {
        (
            Status::Met,
            if files.len() == 1 {
                "the significantly changed file has changed lines covered by integration tests"
                    .to_string()
            } else {
                format!(
                    "the {} significantly changed files all have changed lines covered by integration tests",
                    files.len()
                )
            },
        )
    } else {
        (
            Status::Unmet,
            format!("no integration coverage of: {}", list(&missing, 5)),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_run_is_its_lines_through_the_end_and_at_least_one() {
        for len in 1..40u32 {
            let lines: Vec<crate::model::Line> = (0..len)
                .map(|i| crate::model::Line {
                    line: 3 * i + 1,
                    hits: i % 3,
                })
                .collect();
            for through in 0..(3 * len + 3) {
                let n = lines.partition_point(|l| l.line <= through).max(1);
                let covered = lines[..n].iter().filter(|l| l.hits > 0).count() as u64;
                assert_eq!(
                    super::run_through(&lines, through),
                    (n, covered),
                    "{len} {through}"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn closures_and_names() {
        // From the rust-workspace example's LCOV.
        assert!(is_closure("_RNCNvCsk6i5JiOUOT5_2kv10parse_args0B3_"));
        assert!(!is_closure("_RNvCsk6i5JiOUOT5_2kv10parse_args"));
        assert_eq!(
            display_name("_RNvCsk6i5JiOUOT5_2kv10parse_args"),
            "kv::parse_args"
        );
        assert!(is_closure(
            "_ZN2kv10parse_args28_$u7b$$u7b$closure$u7d$$u7d$17h0123456789abcdefE"
        ));
        assert!(is_closure("(anonymous_3)"));
        assert!(!is_closure("render (line 4)"));
        assert_eq!(display_name("Amount.of"), "Amount.of");
    }
}
