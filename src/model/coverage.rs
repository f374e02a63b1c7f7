//! The coverage model: per-file lines, branches and functions, merged over reports, and
//! the totals computed from them.

use std::collections::HashMap;

/// Hit count of one executable line.
///
/// Eight bytes: a 500 MB LCOV holds ~25 M executable lines, and the merged model, not the
/// input, is what bounds memory. Hit counts saturate at `u32::MAX` (4,294,967,295): every
/// figure testcert computes depends only on whether a line ran, which saturation keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub line: u32,
    pub hits: u32,
}

/// A hit count as the model keeps it (see [`Line`]).
pub(crate) fn saturate(hits: u64) -> u32 {
    u32::try_from(hits).unwrap_or(u32::MAX)
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
    /// Names up to 24 bytes are stored inline (most are short): no allocation per function,
    /// which over millions of functions halves their memory.
    pub name: compact_str::CompactString,
    pub line: u32,
    /// The last line of its body when the report says (LCOV 2 `FN:start,end,name` and
    /// `FNL`, llvm-cov regions, Cobertura method lines, coverage.py function regions); 0 when
    /// unknown. L3.tests-for-changes decides per function with it.
    pub end: u32,
    /// Saturates at `u32::MAX`, as line hits do.
    pub hits: u32,
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
    /// Function totals the report states for this file without listing the functions
    /// (Istanbul's Clover `<metrics methods coveredmethods>`): counted only when `functions`
    /// is empty, so that such a file has its function figures rather than a silent 0.
    pub stated_functions: Option<Counter>,
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

/// Line, branch and function totals (as the check JSON writes them, too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub lines: Counter,
    pub branches: Counter,
    pub functions: Counter,
}

/// What a coverage format can express at all: a format without branch data reports `null`
/// branches, never a misleading 0 of 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Capabilities {
    pub branches: bool,
    pub functions: bool,
}

/// Coverage read from one or more reports.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    files: Vec<FileCoverage>,
    /// Per file, `Some` of its totals when its records are sorted and merged already (a
    /// parser finished it with [`FileCoverage::finish`] while the record was hot, on a worker
    /// thread) and have not been touched since: [`Coverage::finish`] skips it, and
    /// [`Coverage::totals`] adds up these instead of reading every line again (tens of MB
    /// for a large report, cold in cache by then). A large report's files are then finished
    /// and counted in parallel, once.
    clean: Vec<Option<Totals>>,
    /// Path → position in `files`. Rebuilt whenever paths change (a parser's chunks joined,
    /// paths mapped onto the repository), thousands of paths at a time on one thread:
    /// foldhash, seeded per process like std's SipHash (a report cannot aim at its buckets
    /// without the seed), hashes a path several times faster.
    index: HashMap<String, usize, foldhash::fast::RandomState>,
    finished: bool,
    /// Totals stated by a report that carries no per-line data (Istanbul `coverage-summary.json`).
    /// Such coverage cannot take part in line-level merges or incremental coverage.
    pub summary_only: Option<Totals>,
}

/// Whether no two functions share a name, decided in one pass in the common case: names
/// with distinct hashes are distinct. A collision of hashes (two equal names, or a chance or
/// crafted collision), and a probe longer than [`MAX_PROBE`] (names crafted to crowd one
/// bucket would otherwise make this quadratic), answer `false`, and the caller then merges
/// by sorting, which is right in every case: so the hash needs to be fast, not keyed.
fn names_unique(fns: &[Function]) -> bool {
    if fns.len() < 2 {
        return true;
    }
    // Open addressing over a power-of-two table at most half full; 0 marks a free slot.
    let size = (fns.len() * 2).next_power_of_two();
    let mut small = [0u64; 256];
    let mut large = Vec::new();
    let table: &mut [u64] = if size <= small.len() {
        &mut small[..size]
    } else {
        large.resize(size, 0);
        &mut large
    };
    let mask = size - 1;
    for f in fns {
        let h = name_hash(f.name.as_bytes()) | 1;
        let mut i = (h >> 32) as usize & mask;
        let mut probes = 0;
        loop {
            match table[i] {
                0 => {
                    table[i] = h;
                    break;
                }
                seen if seen == h => return false,
                _ if probes == MAX_PROBE => return false,
                _ => {
                    i = (i + 1) & mask;
                    probes += 1;
                }
            }
        }
    }
    true
}

/// The longest probe [`names_unique`] follows before it leaves the question to the sort.
const MAX_PROBE: usize = 16;

/// FNV-1a over 8-byte words, then murmur3's finaliser, so that the high bits (the bucket)
/// depend on every byte of a short name: names are short, and only equality of hashes
/// matters (see [`names_unique`]).
fn name_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ name.len() as u64;
    let mut words = name.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(last)).wrapping_mul(0x0000_0100_0000_01b3);
    h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl FileCoverage {
    pub(crate) fn new(path: impl Into<String>) -> Self {
        FileCoverage {
            path: path.into(),
            ..Default::default()
        }
    }

    pub fn add_line(&mut self, line: u32, hits: u64) {
        self.lines.push(Line {
            line,
            hits: saturate(hits),
        });
    }

    pub(crate) fn add_branches(&mut self, line: u32, total: u32, covered: u32) {
        self.branches.push(Branches {
            line,
            total,
            covered: covered.min(total),
        });
    }

    pub(crate) fn add_function(
        &mut self,
        name: impl Into<compact_str::CompactString>,
        line: u32,
        hits: u64,
    ) {
        self.add_function_range(name, line, 0, hits);
    }

    /// `add_function` with the body's last line (`end`; 0 when unknown).
    pub fn add_function_range(
        &mut self,
        name: impl Into<compact_str::CompactString>,
        line: u32,
        end: u32,
        hits: u64,
    ) {
        self.functions.push(Function {
            name: name.into(),
            line,
            end,
            hits: saturate(hits),
        });
    }

    /// The lines each function spans, in `functions` order: its own end when the report
    /// gave one, else up to the line before the next kept function starts (the last one to
    /// the end of the file) — an approximation that holds for the usual one-after-another
    /// layout. Functions with no start line (0), and those `keep` (one flag per function)
    /// leaves out, span nothing.
    pub fn function_spans(&self, keep: &[bool]) -> Vec<(u32, u32)> {
        let fns = &self.functions;
        let kept = |i: usize| keep.get(i).copied().unwrap_or(true);
        // `next`: the first kept start after the function's.
        let span = |i: usize, next: Option<u32>| {
            let f = &fns[i];
            if f.line == 0 || !kept(i) {
                (0, 0)
            } else if f.end >= f.line {
                (f.line, f.end)
            } else {
                (f.line, next.map_or(u32::MAX, |n| n - 1))
            }
        };
        if fns.windows(2).all(|w| w[0].line <= w[1].line) {
            // In line order (as a finished file keeps them; this runs for every file without
            // a base): walking back from the last, the next kept start is known at each step.
            let mut out = vec![(0, 0); fns.len()];
            let mut next = None;
            // The start line being walked, and whether a kept function starts there.
            let mut at: Option<(u32, bool)> = None;
            for i in (0..fns.len()).rev() {
                let line = fns[i].line;
                match at {
                    Some((l, _)) if l == line => {}
                    Some((l, any_kept)) => {
                        if any_kept {
                            next = Some(l);
                        }
                        at = Some((line, false));
                    }
                    None => at = Some((line, false)),
                }
                out[i] = span(i, next);
                if kept(i) {
                    at = Some((line, true));
                }
            }
            return out;
        }
        let mut starts: Vec<u32> = (0..fns.len())
            .filter(|&i| kept(i))
            .map(|i| fns[i].line)
            .collect();
        starts.sort_unstable();
        (0..fns.len())
            .map(|i| {
                span(
                    i,
                    starts
                        .get(starts.partition_point(|&s| s <= fns[i].line))
                        .copied(),
                )
            })
            .collect()
    }

    /// Sorts and merges duplicate records (see [`FileCoverage::merge_records`]) and trims
    /// the vectors to their length. Idempotent.
    pub(crate) fn finish(&mut self) {
        self.merge_records();
        // Vectors grown by pushing hold up to twice their length; across tens of thousands
        // of files that slack would cost more memory than the records themselves.
        self.lines.shrink_to_fit();
        self.branches.shrink_to_fit();
        self.functions.shrink_to_fit();
    }

    /// Sorts and merges duplicate records: hits add up (a line hit in any record is hit),
    /// a line's branches take the record with the most covered (and the largest total).
    /// Leaves the capacity as it is: for a parser that reuses its vectors across records.
    pub(crate) fn merge_records(&mut self) {
        if !self.lines.windows(2).all(|w| w[0].line < w[1].line) {
            self.lines.sort_by_key(|l| l.line);
            self.lines.dedup_by(|next, kept| {
                if next.line == kept.line {
                    kept.hits = kept.hits.saturating_add(next.hits);
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
        if names_unique(&self.functions) {
            // Nothing to merge (the common case: one record per file, each function listed
            // once): only the order is left to settle, and it is usually settled already.
            let ordered = |a: &Function, b: &Function| (a.line, &a.name) < (b.line, &b.name);
            if !self.functions.windows(2).all(|w| ordered(&w[0], &w[1])) {
                self.functions
                    .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.name.cmp(&b.name)));
            }
        } else {
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
                    kept.end = kept.end.max(next.end);
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
    pub(crate) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        t.lines.total = self.lines.len() as u64;
        t.lines.covered = self.lines.iter().filter(|l| l.hits > 0).count() as u64;
        for b in &self.branches {
            t.branches.total += u64::from(b.total);
            t.branches.covered += u64::from(b.covered);
        }
        t.functions.total = self.functions.len() as u64;
        t.functions.covered = self.functions.iter().filter(|f| f.hits > 0).count() as u64;
        if let (true, Some(s)) = (self.functions.is_empty(), self.stated_functions) {
            t.functions = s;
        }
        t
    }

    /// Hits of `line`, `None` when the line is not executable. Needs a finished model.
    pub fn hits(&self, line: u32) -> Option<u64> {
        self.lines
            .binary_search_by_key(&line, |l| l.line)
            .ok()
            .map(|i| u64::from(self.lines[i].hits))
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
                self.clean.push(None);
                self.index.insert(path.to_string(), self.files.len() - 1);
                self.files.len() - 1
            }
        };
        self.clean[idx] = None;
        &mut self.files[idx]
    }

    /// The index of the record for `path` (created on first use), for [`Coverage::file_at_mut`]:
    /// a parser adding many records to one file looks it up once. Valid until the next
    /// [`Coverage::finish`].
    pub(crate) fn file_index(&mut self, path: &str) -> usize {
        self.file_mut(path);
        self.index[path]
    }

    /// The record at `index` (from [`Coverage::file_index`]).
    pub(crate) fn file_at_mut(&mut self, index: usize) -> &mut FileCoverage {
        self.finished = false;
        self.clean[index] = None;
        &mut self.files[index]
    }

    /// Adds a whole file record (merged with an existing one of the same path).
    pub(crate) fn push_file(&mut self, file: FileCoverage) {
        self.push(file, None);
    }

    /// [`Coverage::push_file`] for a record its parser has finished
    /// ([`FileCoverage::finish`]) and will not touch again: unless it merges with another
    /// record of its path, [`Coverage::finish`] leaves it as it is.
    /// `totals` are `file.totals()`, counted by the caller while the record was hot (the
    /// LCOV workers count theirs; the join of their chunks then only files them).
    pub(crate) fn push_finished(&mut self, file: FileCoverage, totals: Totals) {
        debug_assert_eq!(totals, file.totals());
        self.push(file, Some(totals));
    }

    /// [`Coverage::push_finished`] when `clean` holds a finished record's totals (as
    /// [`Coverage::into_parts`] gives them), else [`Coverage::push_file`]: a project's
    /// coverage taken from one report is then not merged and counted again.
    pub(crate) fn push_kept(&mut self, file: FileCoverage, clean: Option<Totals>) {
        debug_assert!(clean.is_none_or(|t| t == file.totals()));
        self.push(file, clean);
    }

    /// Room for `files` files, in the vector and the index: a parser that knows how many it
    /// will push spares their regrowth (rehashing every path again at each doubling).
    pub(crate) fn with_capacity(files: usize) -> Coverage {
        Coverage {
            files: Vec::with_capacity(files),
            clean: Vec::with_capacity(files),
            index: HashMap::with_capacity_and_hasher(files, Default::default()),
            ..Coverage::default()
        }
    }

    fn push(&mut self, file: FileCoverage, clean: Option<Totals>) {
        match self.index.get(&file.path) {
            Some(&i) => {
                self.clean[i] = None;
                let f = &mut self.files[i];
                f.lines.extend_from_slice(&file.lines);
                f.branches.extend_from_slice(&file.branches);
                f.functions.extend(file.functions);
                // Two statements about one file (two runs): the larger, as lines merge.
                if let Some(s) = file.stated_functions {
                    let mine = f.stated_functions.get_or_insert(s);
                    mine.total = mine.total.max(s.total);
                    mine.covered = mine.covered.max(s.covered);
                }
            }
            None => {
                self.index.insert(file.path.clone(), self.files.len());
                self.files.push(file);
                self.clean.push(clean);
            }
        }
        self.finished = false;
    }

    /// Sorts files by path and merges duplicate records. Idempotent.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        for (f, clean) in self.files.iter_mut().zip(&mut self.clean) {
            if clean.is_none() {
                f.finish();
                *clean = Some(f.totals());
            }
        }
        // Files pushed in path order (most reports list them so) keep the places the index
        // already gives them: no sort, and no index built again.
        if !self.files.windows(2).all(|w| w[0].path < w[1].path) {
            let mut both: Vec<_> = std::mem::take(&mut self.files)
                .into_iter()
                .zip(std::mem::take(&mut self.clean))
                .collect();
            both.sort_by(|a, b| a.0.path.cmp(&b.0.path));
            (self.files, self.clean) = both.into_iter().unzip();
            self.reindex();
        }
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
        for (f, clean) in other.files.into_iter().zip(other.clean) {
            self.push(f, clean);
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
    pub(crate) fn map_paths(&mut self, mut map: impl FnMut(&str) -> String) {
        let files = std::mem::take(&mut self.files);
        let clean = std::mem::take(&mut self.clean);
        self.index.clear();
        for (mut f, clean) in files.into_iter().zip(clean) {
            f.path = map(&f.path);
            self.push(f, clean);
        }
        self.finished = false;
        self.finish();
    }

    pub fn files(&self) -> &[FileCoverage] {
        &self.files
    }

    /// Each file with its totals: the ones it was finished with (every file, once the
    /// model is finished), else counted now.
    pub(crate) fn files_with_totals(&self) -> impl Iterator<Item = (&FileCoverage, Totals)> {
        self.files
            .iter()
            .zip(&self.clean)
            .map(|(f, clean)| (f, clean.unwrap_or_else(|| f.totals())))
    }

    /// Takes the coverage apart without copying (for splitting one report over several
    /// projects): its files, each with its totals when it is finished (for
    /// [`Coverage::push_kept`]), and its stated totals.
    #[allow(clippy::type_complexity)]
    pub(crate) fn into_parts(self) -> (Vec<(FileCoverage, Option<Totals>)>, Option<Totals>) {
        (
            self.files.into_iter().zip(self.clean).collect(),
            self.summary_only,
        )
    }

    pub(crate) fn file(&self, path: &str) -> Option<&FileCoverage> {
        self.index.get(path).map(|&i| &self.files[i])
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty() && self.summary_only.is_none()
    }

    /// Totals over all files (or the stated summary when the report had only that).
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (_, ft) in self.files_with_totals() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, lines: &[(u32, u64)]) -> FileCoverage {
        let mut f = FileCoverage::new(path);
        for &(l, h) in lines {
            f.add_line(l, h);
        }
        f
    }

    /// What [`Coverage::totals`] must equal: every file counted again from its lines (and,
    /// on the way, each file's kept totals, as `files_with_totals` hands them out, checked
    /// against its own count).
    fn counted(c: &Coverage) -> Totals {
        for (f, kept) in c.files_with_totals() {
            assert_eq!(kept, f.totals(), "{}", f.path);
        }
        let mut t = Totals::default();
        for f in c.files() {
            let ft = f.totals();
            t.lines.add(ft.lines);
            t.branches.add(ft.branches);
            t.functions.add(ft.functions);
        }
        t
    }

    #[test]
    fn names_unique_answers_right_or_leaves_it_to_the_sort() {
        let f = |name: &str| Function {
            name: name.into(),
            line: 1,
            end: 0,
            hits: 0,
        };
        let many: Vec<Function> = (0..5000).map(|i| f(&format!("m{i}"))).collect();
        assert!(names_unique(&many));
        let mut twice = many.clone();
        twice.push(f("m4321"));
        assert!(!names_unique(&twice));
        // Whatever it answers, merge_records leaves every name once.
        let mut file = FileCoverage::new("a.c");
        file.functions = twice;
        file.merge_records();
        assert_eq!(file.functions.len(), 5000);
    }

    #[test]
    fn cached_totals_follow_every_change() {
        let mut c = Coverage::new();
        let mut a = file("b.c", &[(1, 1), (2, 0)]);
        a.finish();
        let t = a.totals();
        c.push_finished(a, t);
        let mut z = file("a.c", &[(5, 0)]);
        z.finish();
        let t = z.totals();
        c.push_finished(z, t);
        c.finish();
        assert_eq!(c.totals(), counted(&c));
        assert_eq!(c.totals().lines.covered, 1);
        // A second record of a finished file, touched through file_mut, merged by a push,
        // re-keyed onto one path: each time the cache must give way to a count.
        c.file_mut("a.c").add_line(5, 3);
        c.finish();
        assert_eq!(c.totals().lines.covered, 2);
        assert_eq!(c.totals(), counted(&c));
        c.push_file(file("b.c", &[(2, 4), (3, 0)]));
        c.finish();
        assert_eq!((c.totals().lines.total, c.totals().lines.covered), (4, 3));
        assert_eq!(c.totals(), counted(&c));
        c.map_paths(|_| "one.c".to_string());
        assert_eq!(c.files().len(), 1);
        assert_eq!((c.totals().lines.total, c.totals().lines.covered), (4, 3));
        assert_eq!(c.totals(), counted(&c));
        let mut other = Coverage::new();
        let mut o = file("one.c", &[(9, 0)]);
        o.finish();
        let t = o.totals();
        other.push_finished(o, t);
        c.merge(other);
        assert_eq!((c.totals().lines.total, c.totals().lines.covered), (5, 3));
        assert_eq!(c.totals(), counted(&c));
        // Taken apart and pushed again (a report split over projects): a finished file keeps
        // its totals, an unfinished one has none, and a second record of a path still merges.
        let mut d = Coverage::new();
        d.file_mut("x.c").add_line(1, 1);
        d.file_mut("x.c").add_line(1, 0);
        let (files, _) = d.into_parts();
        assert_eq!(files[0].1, None);
        let (files, _) = c.into_parts();
        assert!(files[0].1.is_some());
        let mut e = Coverage::new();
        for (f, clean) in files {
            e.push_kept(f, clean);
        }
        e.push_kept(file("one.c", &[(9, 1), (10, 0)]), None);
        e.finish();
        assert_eq!((e.totals().lines.total, e.totals().lines.covered), (6, 4));
        assert_eq!(e.totals(), counted(&e));
    }
}
