//! The two models every parser produces: [`Coverage`] and [`TestRun`], with their merge rules.
//!
//! Parsers push raw records in any order (duplicates included) and call
//! [`Coverage::finish`] / [`TestRun::finish`] once; from then on the records are sorted,
//! unique and merged, and the totals are computed from them, never taken from headers.

use std::collections::HashMap;

/// Hit count of one executable line.
///
/// Packed to 12 bytes: a 500 MB LCOV holds ~25 M executable lines, and the merged model, not
/// the input, is what bounds memory. Read fields by value (`{ l.line }`), never by reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct Line {
    pub line: u32,
    pub hits: u64,
}

/// Branch outcomes recorded on one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Branches {
    pub line: u32,
    pub total: u32,
    pub covered: u32,
}

/// A function (method) with the line it starts on and how often it was entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub line: u32,
    pub hits: u64,
}

/// Coverage of one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileCoverage {
    /// Repository-relative path once mapped (see [`crate::paths`]), else as the report wrote it.
    pub path: String,
    /// Executable lines, sorted by line number and unique after [`Coverage::finish`].
    pub lines: Vec<Line>,
    /// Lines with branches, sorted and unique after [`Coverage::finish`].
    pub branches: Vec<Branches>,
    /// Functions, sorted by (line, name) and unique by name after [`Coverage::finish`].
    pub functions: Vec<Function>,
}

/// A covered/total pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counter {
    pub total: u64,
    pub covered: u64,
}

impl Counter {
    pub fn new(total: u64, covered: u64) -> Self {
        Counter { total, covered }
    }
    /// covered/total, `None` when nothing is countable.
    ///
    /// ```
    /// use testcert::model::Counter;
    /// assert_eq!(Counter::new(8, 4).ratio(), Some(0.5));
    /// assert_eq!(Counter::new(0, 0).ratio(), None);
    /// ```
    pub fn ratio(&self) -> Option<f64> {
        (self.total > 0).then(|| self.covered as f64 / self.total as f64)
    }
    fn add(&mut self, other: Counter) {
        self.total += other.total;
        self.covered += other.covered;
    }
}

/// Line, branch and function totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub lines: Counter,
    pub branches: Counter,
    pub functions: Counter,
}

/// What a coverage format can express at all: a format without branch data reports `null`
/// branches, never a misleading 0 of 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub branches: bool,
    pub functions: bool,
}

/// Coverage read from one or more reports.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    files: Vec<FileCoverage>,
    index: HashMap<String, usize>,
    finished: bool,
    /// Totals stated by a report that carries no per-line data (Istanbul `coverage-summary.json`).
    /// Such coverage cannot take part in line-level merges or incremental coverage.
    pub summary_only: Option<Totals>,
}

impl FileCoverage {
    pub fn new(path: impl Into<String>) -> Self {
        FileCoverage {
            path: path.into(),
            ..Default::default()
        }
    }

    pub fn add_line(&mut self, line: u32, hits: u64) {
        self.lines.push(Line { line, hits });
    }

    pub fn add_branches(&mut self, line: u32, total: u32, covered: u32) {
        self.branches.push(Branches {
            line,
            total,
            covered: covered.min(total),
        });
    }

    pub fn add_function(&mut self, name: impl Into<String>, line: u32, hits: u64) {
        self.functions.push(Function {
            name: name.into(),
            line,
            hits,
        });
    }

    /// Sorts and merges duplicate records: hits add up (a line hit in any record is hit),
    /// a line's branches take the record with the most covered (and the largest total).
    fn finish(&mut self) {
        if !self.lines.windows(2).all(|w| { w[0].line } < { w[1].line }) {
            self.lines.sort_by_key(|l| l.line);
            self.lines.dedup_by(|next, kept| {
                if { next.line } == { kept.line } {
                    kept.hits = { kept.hits }.saturating_add(next.hits);
                    true
                } else {
                    false
                }
            });
        }
        if !self.branches.windows(2).all(|w| w[0].line < w[1].line) {
            self.branches.sort_by_key(|b| b.line);
            self.branches.dedup_by(|next, kept| {
                if next.line == kept.line {
                    kept.total = kept.total.max(next.total);
                    kept.covered = kept.covered.max(next.covered);
                    true
                } else {
                    false
                }
            });
        }
        if !self.functions.is_empty() {
            // Unique by name: the same function may be listed by several records (LCOV FN
            // repeated per test name, several reports).
            self.functions
                .sort_by(|a, b| a.name.cmp(&b.name).then(a.line.cmp(&b.line)));
            self.functions.dedup_by(|next, kept| {
                if next.name == kept.name {
                    kept.hits = kept.hits.saturating_add(next.hits);
                    if kept.line == 0 {
                        kept.line = next.line;
                    }
                    true
                } else {
                    false
                }
            });
            self.functions
                .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.name.cmp(&b.name)));
        }
    }

    /// Totals of this file. Only meaningful once the owning [`Coverage`] is finished.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        t.lines.total = self.lines.len() as u64;
        t.lines.covered = self.lines.iter().filter(|l| { l.hits } > 0).count() as u64;
        for b in &self.branches {
            t.branches.total += u64::from(b.total);
            t.branches.covered += u64::from(b.covered);
        }
        t.functions.total = self.functions.len() as u64;
        t.functions.covered = self.functions.iter().filter(|f| f.hits > 0).count() as u64;
        t
    }

    /// Hits of `line`, `None` when the line is not executable. Needs a finished model.
    pub fn hits(&self, line: u32) -> Option<u64> {
        self.lines
            .binary_search_by_key(&line, |l| l.line)
            .ok()
            .map(|i| self.lines[i].hits)
    }
}

impl Coverage {
    pub fn new() -> Self {
        Self::default()
    }

    /// The record for `path`, created on first use. Records for one path are merged by
    /// [`Coverage::finish`].
    pub fn file_mut(&mut self, path: &str) -> &mut FileCoverage {
        self.finished = false;
        let idx = match self.index.get(path) {
            Some(&i) => i,
            None => {
                self.files.push(FileCoverage::new(path));
                self.index.insert(path.to_string(), self.files.len() - 1);
                self.files.len() - 1
            }
        };
        &mut self.files[idx]
    }

    /// Adds a whole file record (merged with an existing one of the same path).
    pub fn push_file(&mut self, file: FileCoverage) {
        match self.index.get(&file.path) {
            Some(&i) => {
                let f = &mut self.files[i];
                f.lines.extend_from_slice(&file.lines);
                f.branches.extend_from_slice(&file.branches);
                f.functions.extend(file.functions);
            }
            None => {
                self.index.insert(file.path.clone(), self.files.len());
                self.files.push(file);
            }
        }
        self.finished = false;
    }

    /// Adds `other`'s records without sorting or merging yet: for parsers that build a
    /// report in pieces and call [`Coverage::finish`] once at the end.
    pub fn merge_unfinished(&mut self, other: Coverage) {
        for f in other.files {
            self.push_file(f);
        }
    }

    /// Sorts files by path and merges duplicate records. Idempotent.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        for f in &mut self.files {
            f.finish();
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.reindex();
        self.finished = true;
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (i, f) in self.files.iter().enumerate() {
            self.index.insert(f.path.clone(), i);
        }
    }

    /// Merges `other` into `self` line by line.
    pub fn merge(&mut self, other: Coverage) {
        for f in other.files {
            self.push_file(f);
        }
        if let Some(s) = other.summary_only {
            let mine = self.summary_only.get_or_insert_with(Totals::default);
            mine.lines.add(s.lines);
            mine.branches.add(s.branches);
            mine.functions.add(s.functions);
        }
        self.finish();
    }

    /// Re-keys files through `map` (report path → repository path), merging files that
    /// land on the same path.
    pub fn map_paths(&mut self, mut map: impl FnMut(&str) -> String) {
        let files = std::mem::take(&mut self.files);
        self.index.clear();
        for mut f in files {
            f.path = map(&f.path);
            self.push_file(f);
        }
        self.finished = false;
        self.finish();
    }

    pub fn files(&self) -> &[FileCoverage] {
        &self.files
    }

    /// Takes the coverage apart without copying: its files and its stated totals (for
    /// splitting one report over several projects).
    pub fn into_parts(self) -> (Vec<FileCoverage>, Option<Totals>) {
        (self.files, self.summary_only)
    }

    pub fn file(&self, path: &str) -> Option<&FileCoverage> {
        self.index.get(path).map(|&i| &self.files[i])
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.summary_only.is_none()
    }

    /// Totals over all files (or the stated summary when the report had only that).
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in &self.files {
            let ft = f.totals();
            t.lines.add(ft.lines);
            t.branches.add(ft.branches);
            t.functions.add(ft.functions);
        }
        if let Some(s) = self.summary_only {
            t.lines.add(s.lines);
            t.branches.add(s.branches);
            t.functions.add(s.functions);
        }
        t
    }
}

/// How a test case ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Error,
    Skipped,
    /// Failed (or errored) on at least one attempt and passed on another.
    Flaky,
}

/// One test case.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// The suite the report puts the case in (`testsuite/@name`, assembly, package).
    pub suite: String,
    /// Class (JUnit `classname`, xUnit type), when the report has one.
    pub class: Option<String>,
    pub name: String,
    /// Source file, when the report says it (`file=` attribute, Catch2 `<failure>` location).
    pub file: Option<String>,
    /// Line in `file`, when known.
    pub line: Option<u32>,
    /// Seconds, summed over attempts.
    pub duration: Option<f64>,
    pub outcome: Outcome,
    /// Number of runs seen (1 unless the test was retried or reported more than once).
    pub attempts: u32,
    /// Properties and tags, in report order (`<property name value>`, NUnit categories, …).
    pub properties: Vec<(String, String)>,
    /// First line of the failure or error message, when there is one.
    pub message: Option<String>,
}

impl TestCase {
    pub fn new(suite: impl Into<String>, name: impl Into<String>, outcome: Outcome) -> Self {
        TestCase {
            suite: suite.into(),
            class: None,
            name: name.into(),
            file: None,
            line: None,
            duration: None,
            outcome,
            attempts: 1,
            properties: Vec::new(),
            message: None,
        }
    }

    /// The property `key` (case-insensitive), if any.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn identity(&self) -> (&str, &str, &str) {
        (&self.suite, self.class.as_deref().unwrap_or(""), &self.name)
    }
}

/// Counts of test cases by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TestTotals {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub skipped: u64,
    pub flaky: u64,
}

/// Test cases read from one or more reports.
#[derive(Clone, Debug, Default)]
pub struct TestRun {
    pub cases: Vec<TestCase>,
}

impl TestRun {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, case: TestCase) {
        self.cases.push(case);
    }

    pub fn merge(&mut self, other: TestRun) {
        self.cases.extend(other.cases);
        self.finish();
    }

    /// Folds repeated runs of one test (same suite, class and name) into one case: a test
    /// that failed on one attempt and passed on another is flaky; one that only failed keeps
    /// its worst outcome; skipped runs count only when every run was skipped. Sorts cases.
    pub fn finish(&mut self) {
        let mut cases = std::mem::take(&mut self.cases);
        // Stable sort: the report order of attempts is kept within one identity.
        cases.sort_by(|a, b| a.identity().cmp(&b.identity()));
        let mut out: Vec<TestCase> = Vec::with_capacity(cases.len());
        for case in cases {
            match out.last_mut() {
                Some(prev) if prev.identity() == case.identity() => fold_attempt(prev, case),
                _ => out.push(case),
            }
        }
        self.cases = out;
    }

    pub fn totals(&self) -> TestTotals {
        let mut t = TestTotals::default();
        for c in &self.cases {
            t.tests += 1;
            match c.outcome {
                Outcome::Passed => t.passed += 1,
                Outcome::Failed => t.failed += 1,
                Outcome::Error => t.errors += 1,
                Outcome::Skipped => t.skipped += 1,
                Outcome::Flaky => t.flaky += 1,
            }
        }
        t
    }
}

fn fold_attempt(prev: &mut TestCase, next: TestCase) {
    use Outcome::*;
    let failed = |o: Outcome| matches!(o, Failed | Error | Flaky);
    let passed = |o: Outcome| matches!(o, Passed | Flaky);
    prev.outcome = match (prev.outcome, next.outcome) {
        (a, b) if (failed(a) && passed(b)) || (passed(a) && failed(b)) => Flaky,
        (Skipped, b) => b,
        (a, Skipped) => a,
        (Flaky, _) | (_, Flaky) => Flaky,
        (Error, _) | (_, Error) => Error,
        (Failed, _) | (_, Failed) => Failed,
        _ => Passed,
    };
    prev.attempts += next.attempts;
    prev.duration = match (prev.duration, next.duration) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    if prev.file.is_none() {
        prev.file = next.file;
        prev.line = next.line;
    }
    if prev.message.is_none() {
        prev.message = next.message;
    }
    for p in next.properties {
        if !prev.properties.contains(&p) {
            prev.properties.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_lines_merge_hits_and_branch_max() {
        let mut c = Coverage::new();
        let f = c.file_mut("a.rs");
        f.add_line(3, 0);
        f.add_line(1, 2);
        f.add_branches(3, 2, 0);
        let f = c.file_mut("a.rs");
        f.add_line(3, 1);
        f.add_branches(3, 2, 1);
        f.add_branches(3, 4, 0);
        c.finish();
        let t = c.totals();
        assert_eq!(t.lines, Counter::new(2, 2));
        assert_eq!(t.branches, Counter::new(4, 1));
        assert_eq!(c.file("a.rs").unwrap().hits(3), Some(1));
        assert_eq!(c.file("a.rs").unwrap().hits(2), None);
    }

    #[test]
    fn reports_merge_line_by_line() {
        let mut a = Coverage::new();
        a.file_mut("x").add_line(1, 0);
        a.file_mut("x").add_function("f", 1, 0);
        a.finish();
        let mut b = Coverage::new();
        b.file_mut("x").add_line(1, 5);
        b.file_mut("x").add_line(2, 0);
        b.file_mut("x").add_function("f", 1, 5);
        b.file_mut("y").add_line(1, 0);
        b.finish();
        a.merge(b);
        let t = a.totals();
        assert_eq!(t.lines, Counter::new(3, 1));
        assert_eq!(t.functions, Counter::new(1, 1));
        assert_eq!(a.files().len(), 2);
    }

    #[test]
    fn retried_test_is_flaky_and_skips_do_not_hide_runs() {
        let mut run = TestRun::new();
        run.push(TestCase::new("s", "t", Outcome::Failed));
        run.push(TestCase::new("s", "t", Outcome::Passed));
        run.push(TestCase::new("s", "u", Outcome::Skipped));
        run.push(TestCase::new("s", "u", Outcome::Failed));
        run.push(TestCase::new("s", "v", Outcome::Error));
        run.push(TestCase::new("s", "v", Outcome::Failed));
        run.finish();
        let t = run.totals();
        assert_eq!(
            t,
            TestTotals {
                tests: 3,
                passed: 0,
                failed: 1,
                errors: 1,
                skipped: 0,
                flaky: 1
            }
        );
        assert_eq!(run.cases[0].attempts, 2);
    }

    #[test]
    fn line_is_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Line>(), 12);
    }
}
