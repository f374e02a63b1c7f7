//! The two models every parser produces: [`Coverage`] and [`TestRun`], with their merge rules.
//!
//! Parsers push raw records in any order (duplicates included) and call
//! [`Coverage::finish`] / [`TestRun::finish`] once; from then on the records are sorted,
//! unique and merged, and the totals are computed from them, never taken from headers.

use std::collections::HashMap;
use std::sync::Arc;

mod coverage;

pub(crate) use coverage::{saturate, Capabilities};
pub use coverage::{Branches, Counter, Coverage, FileCoverage, Function, Line, Totals};

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

/// An immutable string shared by every case that repeats it: suite and class names repeat
/// across thousands of cases, and one reference-counted copy is what bounds memory.
///
/// Reads like a `&str` (it derefs to one, compares with `str`/`String`, orders as `str`).
/// One pointer wide (the `Arc` holds a `Box<str>`, not the `str` itself): a test case holds
/// several, and hundreds of thousands of cases are held at once (issue 13: the case model
/// must stay below the report's size). The second hop costs nothing measurable: comparisons
/// go by address first, and sorting by rank (see [`group_ranks`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SharedStr(Arc<Box<str>>);

impl Default for SharedStr {
    /// The empty string, one allocation for the whole process (cases without a class, the
    /// parsers' "no name yet" placeholders).
    fn default() -> Self {
        static EMPTY: std::sync::OnceLock<SharedStr> = std::sync::OnceLock::new();
        EMPTY
            .get_or_init(|| SharedStr(Arc::new(Box::from(""))))
            .clone()
    }
}

impl SharedStr {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Address of the shared copy: one per allocation.
    fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Whether both are the same allocation (then they are equal without comparing bytes).
    pub(crate) fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if SharedStr::ptr_eq(self, other) {
            std::cmp::Ordering::Equal
        } else {
            self.as_str().cmp(other.as_str())
        }
    }
}

impl std::fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(Arc::new(Box::from(s)))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(Arc::new(s.into_boxed_str()))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        SharedStr::from(s.as_str())
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl serde::Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Hands out one [`SharedStr`] per distinct string: parsers pass every suite and class name
/// through one, so that the cases repeating a name share it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    set: std::collections::HashSet<SharedStr>,
    /// The last name handed out: consecutive cases usually repeat it, no hashing then.
    last: SharedStr,
}

impl Names {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The shared copy of `s`.
    pub(crate) fn get(&mut self, s: &str) -> SharedStr {
        if self.last.as_str() != s {
            self.last = match self.set.get(s) {
                Some(n) => n.clone(),
                None => {
                    let n = SharedStr::from(s);
                    self.set.insert(n.clone());
                    n
                }
            };
        }
        self.last.clone()
    }
}

/// Properties a case inherits from its enclosing suites (JUnit suite-level `<property>`),
/// outermost suite first. One node per suite that has properties, shared by every case in it
/// and linked to its parent's: a suite's properties are stored once, not copied into each of
/// its cases (a report's size bounds the memory, whatever its nesting).
#[derive(Clone, Default)]
pub struct Inherited(Option<Arc<PropNode>>);

struct PropNode {
    props: Vec<(String, String)>,
    parent: Inherited,
}

impl Inherited {
    /// `props` inside `parent`; `parent` itself when there are none.
    pub fn child(parent: &Inherited, props: Vec<(String, String)>) -> Inherited {
        if props.is_empty() {
            return parent.clone();
        }
        Inherited(Some(Arc::new(PropNode {
            props,
            parent: parent.clone(),
        })))
    }

    /// The properties, outermost suite first.
    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        // One level (a suite's properties, nearly always) needs no list of the levels.
        let (only, nested) = match self.0.as_deref() {
            Some(n) if n.parent.0.is_none() => (Some(n), Vec::new()),
            mut at => {
                let mut nodes = Vec::new();
                while let Some(n) = at {
                    nodes.push(n);
                    at = n.parent.0.as_deref();
                }
                (None, nodes)
            }
        };
        nested
            .into_iter()
            .rev()
            .chain(only)
            .flat_map(|n| n.props.iter())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Whether both are the same shared list (then they are equal without comparing).
    pub fn ptr_eq(a: &Inherited, b: &Inherited) -> bool {
        match (&a.0, &b.0) {
            (Some(x), Some(y)) => Arc::ptr_eq(x, y),
            (None, None) => true,
            _ => false,
        }
    }
}

impl PartialEq for Inherited {
    fn eq(&self, other: &Inherited) -> bool {
        Inherited::ptr_eq(self, other) || self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Inherited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A duration in seconds, or unknown: an `f64` whose NaN means "not reported", so that it
/// takes 8 bytes in every case rather than `Option<f64>`'s 16 (no report gives NaN: every
/// parser keeps only finite, non-negative times).
#[derive(Clone, Copy, Default)]
pub struct Seconds(f64);

impl Seconds {
    /// Not reported.
    pub const UNKNOWN: Seconds = Seconds(f64::NAN);

    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl From<Option<f64>> for Seconds {
    fn from(s: Option<f64>) -> Self {
        Seconds(s.unwrap_or(f64::NAN))
    }
}

impl PartialEq for Seconds {
    fn eq(&self, other: &Seconds) -> bool {
        self.get() == other.get()
    }
}

impl PartialEq<Option<f64>> for Seconds {
    fn eq(&self, other: &Option<f64>) -> bool {
        self.get() == *other
    }
}

impl std::fmt::Debug for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get(), f)
    }
}

/// A case's own properties: one pointer while there are none, which is almost always (a
/// `Vec` would take 24 bytes in every case). Reads as a slice.
#[derive(Clone, Default, PartialEq)]
// The box is the point: 8 bytes in every case instead of a `Vec`'s 24, for the rare case
// that has properties (its extra allocation is paid only then).
#[allow(clippy::box_collection)]
pub struct Props(Option<Box<Vec<(String, String)>>>);

impl Props {
    pub fn push(&mut self, p: (String, String)) {
        self.0.get_or_insert_with(Default::default).push(p);
    }

    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0.map(|v| *v).unwrap_or_default()
    }
}

impl Extend<(String, String)> for Props {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, it: I) {
        let mut it = it.into_iter().peekable();
        if it.peek().is_some() {
            self.0.get_or_insert_with(Default::default).extend(it);
        }
    }
}

impl From<Vec<(String, String)>> for Props {
    fn from(v: Vec<(String, String)>) -> Self {
        Props((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl std::ops::Deref for Props {
    type Target = [(String, String)];
    fn deref(&self) -> &[(String, String)] {
        self.0.as_deref().map_or(&[], |v| v.as_slice())
    }
}

impl std::ops::DerefMut for Props {
    fn deref_mut(&mut self) -> &mut [(String, String)] {
        self.0.as_deref_mut().map_or(&mut [], |v| v.as_mut_slice())
    }
}

impl std::fmt::Debug for Props {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One test case.
///
/// Compact (96 bytes, a test checks it): a report of half a million cases is held whole, and
/// its model must stay below the report's size (issue 13). Names shorter than 25 bytes are
/// stored inline, the strings that repeat or are rare are one pointer each.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// The suite the report puts the case in (`testsuite/@name`, assembly, package). Shared
    /// by the cases of one suite.
    pub suite: SharedStr,
    /// Class (JUnit `classname`, xUnit type), when the report has one. Shared like `suite`.
    pub class: Option<SharedStr>,
    pub name: compact_str::CompactString,
    /// Source file, when the report says it (`file=` attribute, Catch2 `<failure>` location).
    /// Shared when the parser interns it (the cases of one file repeat it).
    pub file: Option<SharedStr>,
    /// Line in `file`, when known.
    pub line: Option<u32>,
    /// Seconds, summed over attempts.
    pub duration: Seconds,
    pub outcome: Outcome,
    /// Number of runs seen (1 unless the test was retried or reported more than once).
    pub attempts: u32,
    /// Properties and tags of the case itself, in report order (`<property name value>`, NUnit
    /// categories, …).
    pub properties: Props,
    /// Properties inherited from its suites, shared with the other cases there; they come
    /// before `properties` (see [`TestCase::all_properties`]).
    pub inherited: Inherited,
    /// First line of the failure or error message, when there is one.
    pub message: Option<SharedStr>,
}

impl TestCase {
    pub fn new(
        suite: impl Into<SharedStr>,
        name: impl Into<compact_str::CompactString>,
        outcome: Outcome,
    ) -> Self {
        TestCase {
            suite: suite.into(),
            class: None,
            name: name.into(),
            file: None,
            line: None,
            duration: Seconds::UNKNOWN,
            outcome,
            attempts: 1,
            properties: Props::default(),
            inherited: Inherited::default(),
            message: None,
        }
    }

    /// Every property: the inherited ones (outermost suite first), then the case's own.
    pub fn all_properties(&self) -> impl Iterator<Item = &(String, String)> {
        self.inherited.iter().chain(self.properties.iter())
    }

    /// The property `key` (case-insensitive), if any.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.all_properties()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the case's suite and class are these very strings (shared, as a parser gives
    /// them to the cases of one suite): two pointer comparisons, for per-case caches.
    pub(crate) fn in_group(&self, suite: &SharedStr, class: &Option<SharedStr>) -> bool {
        SharedStr::ptr_eq(suite, &self.suite)
            && match (class, &self.class) {
                (Some(a), Some(b)) => SharedStr::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    /// `suite/class/name` (the class left out when absent or equal to the suite): how
    /// outputs and the quarantine list name a test.
    pub(crate) fn id(&self) -> String {
        match self.class.as_deref() {
            Some(class) if !class.is_empty() && class != self.suite.as_str() => {
                format!("{}/{}/{}", self.suite, class, self.name)
            }
            _ => format!("{}/{}", self.suite, self.name),
        }
    }

    /// Whether `self` and `other` are runs of the same test (same suite, class and name), as
    /// `cmp_identity` says `Equal`. Tested for equality, not order: names of
    /// different lengths differ without a byte compared, and shared names by address.
    fn same_test(&self, other: &TestCase) -> bool {
        let class_eq = match (&self.class, &other.class) {
            (Some(a), Some(b)) => a == b,
            (a, b) => a.as_deref().unwrap_or("") == b.as_deref().unwrap_or(""),
        };
        self.suite == other.suite && class_eq && self.name == other.name
    }

    /// Order of test identities: (suite, class or "", name), as strings. Shared names that
    /// are one allocation compare equal without reading their bytes.
    fn cmp_identity(&self, other: &TestCase) -> std::cmp::Ordering {
        fn class(c: &TestCase) -> &str {
            c.class.as_deref().unwrap_or("")
        }
        let class_cmp = match (&self.class, &other.class) {
            (Some(a), Some(b)) => a.cmp(b),
            _ => class(self).cmp(class(other)),
        };
        self.suite
            .cmp(&other.suite)
            .then(class_cmp)
            .then_with(|| self.name.cmp(&other.name))
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

impl TestTotals {
    /// Counts one case of `outcome`.
    fn add(&mut self, outcome: Outcome) {
        self.tests += 1;
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Flaky => self.flaky += 1,
        }
    }
}

/// What a repeated identity (suite, class, name) means in a report: decided per producer by
/// the parser (see README "Counting rules"), from what the producer guarantees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Repeats {
    /// Names are not unique: jest, vitest, mocha, node:test, JUnit 4 parameterized, TestNG
    /// data providers, … write one result per test under names that repeat, and count each.
    /// Every result is a test of its own. The default: a producer not known to guarantee
    /// unique names is counted as it counts itself.
    #[default]
    Distinct,
    /// The producer guarantees one name per test in a run (go test within a package, pytest
    /// node ids, Rust libtest/nextest): a repeat is another attempt of the same test
    /// (`go test -count=2`, gotestsum `--rerun-fails`).
    Attempts,
    /// Unique names, and a repeat is a rerun of a failed attempt whose record does not say it
    /// failed: pytest-rerunfailures writes every attempt but the last as an empty (passing)
    /// testcase. The last attempt in report order decides; the earlier ones failed.
    Reruns,
}

/// What [`TestRun::finish`] did with repeated identities, for the warning that says so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Folds {
    /// Results that repeat an identity already seen (kept as distinct tests, or folded).
    pub repeated: u64,
    /// Of the folded tests: failed on one attempt and passed on another (now flaky).
    pub failed_then_passed: u64,
    /// Of the folded tests: failed or errored on every attempt that ran.
    pub failed_every_attempt: u64,
}

impl Folds {
    /// The warning for these folds under `repeats`, `None` when nothing repeated.
    pub fn warning(&self, repeats: Repeats) -> Option<String> {
        if self.repeated == 0 {
            return None;
        }
        Some(match repeats {
            Repeats::Distinct => format!(
                "{} kept as distinct tests: this producer does not make test names unique and counts each result",
                crate::words::plural_with(self.repeated, "repeated name", "repeated names")
            ),
            Repeats::Attempts | Repeats::Reruns => format!(
                "{} folded: {} failed then passed (flaky), {} failed on every attempt",
                crate::words::plural(self.repeated, "rerun"),
                self.failed_then_passed,
                self.failed_every_attempt
            ),
        })
    }
}

/// Test cases read from one or more reports.
#[derive(Clone, Debug, Default)]
pub struct TestRun {
    pub cases: Vec<TestCase>,
    /// Whether repeated identities are attempts of one test or distinct tests.
    pub repeats: Repeats,
}

impl TestRun {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, case: TestCase) {
        let before = self.cases.capacity();
        self.cases.push(case);
        if self.cases.capacity() != before {
            huge_pages(&self.cases);
        }
    }

    /// Adds `other`'s cases and finishes: one run read in pieces (its `repeats` kept).
    pub fn merge(&mut self, other: TestRun) -> Folds {
        self.cases.extend(other.cases);
        self.finish()
    }

    /// Sorts cases by identity (suite, class, name; report order within one identity) and,
    /// when [`Repeats::Attempts`], folds repeated runs of one test into one case: a test that
    /// failed on one attempt and passed on another is flaky; one that only failed keeps its
    /// worst outcome; skipped runs count only when every run was skipped. With
    /// [`Repeats::Distinct`] every case stays a test. Returns what repeated (for a warning);
    /// a second call folds nothing more.
    ///
    /// Sorts a permutation (4 bytes per case) rather than the cases, applies it in place and
    /// folds in place: no second copy of the cases is ever held.
    pub fn finish(&mut self) -> Folds {
        let cases = &mut self.cases;
        let sorted = cases.windows(2).all(|w| w[0].cmp_identity(&w[1]).is_le());
        let repeated = if !sorted {
            let groups = group_ranks(cases);
            // Ties broken by report position: the report order of attempts is kept within one
            // identity (a stable sort, done as an unstable one on unique keys). The keys are
            // sorted on their integers alone first; only the stretches whose first 12 bytes
            // agree are then put in order by the whole names (see [`sort_by_names`]).
            let by_name = |a: &SortKey, b: &SortKey| {
                cases[a.index as usize]
                    .name
                    .cmp(&cases[b.index as usize].name)
                    .then(a.index.cmp(&b.index))
            };
            // Adjacent cases of one identity are counted on the sorted keys: one group
            // (within a stretch, or by rank), one name (the whole names compared only when
            // their first 12 bytes agree).
            let same_name = |a: &SortKey, b: &SortKey| {
                (a.prefix, a.prefix2) == (b.prefix, b.prefix2)
                    && cases[a.index as usize].name == cases[b.index as usize].name
            };
            let (order, repeated) = match group_runs(&groups) {
                // Each (suite, class) pair in one stretch of the report, as nearly every
                // report writes them: the stretches are put in order and each is sorted
                // alone (small, in cache), never the whole run at once.
                Some(mut runs) => {
                    runs.sort_unstable_by_key(|&(group, _, _)| group);
                    // The ranks are no longer needed: their room takes the order.
                    let mut order = groups;
                    let mut w = 0;
                    let mut repeated = 0;
                    // The keys of one stretch at a time: not 16 bytes more per case at the
                    // read's peak.
                    let mut run: Vec<SortKey> = Vec::new();
                    for (_, start, end) in runs {
                        run.clear();
                        run.extend((start..end).map(|i| SortKey::of(&cases[i as usize], i)));
                        sort_by_names(&mut run, |_| 0, by_name);
                        repeated += run.windows(2).filter(|p| same_name(&p[0], &p[1])).count();
                        for k in &run {
                            order[w] = k.index;
                            w += 1;
                        }
                    }
                    (order, repeated)
                }
                None => {
                    let mut keys: Vec<SortKey> = (0..cases.len() as u32)
                        .map(|i| SortKey::of(&cases[i as usize], i))
                        .collect();
                    let group = |k: &SortKey| groups[k.index as usize];
                    sort_by_names(&mut keys, group, by_name);
                    let repeated = keys
                        .windows(2)
                        .filter(|p| {
                            groups[p[0].index as usize] == groups[p[1].index as usize]
                                && same_name(&p[0], &p[1])
                        })
                        .count();
                    let mut order = groups;
                    for (o, k) in order.iter_mut().zip(&keys) {
                        *o = k.index;
                    }
                    drop(keys);
                    (order, repeated)
                }
            };
            permute(cases, order);
            repeated
        } else {
            cases.windows(2).filter(|w| w[0].same_test(&w[1])).count()
        };
        let mut folds = Folds {
            repeated: repeated as u64,
            ..Folds::default()
        };
        if self.repeats == Repeats::Distinct || folds.repeated == 0 {
            return folds;
        }
        // Whether the case being folded into had a failed attempt (its outcome alone cannot
        // tell "failed, then passed" from "failed on every attempt").
        let mut folded_into = false;
        let reruns = self.repeats == Repeats::Reruns;
        cases.dedup_by(|next, prev| {
            if prev.same_test(next) {
                let last = next.outcome;
                fold_attempt(prev, next);
                if reruns {
                    // The attempts before `next` (later in the report) were rerun, so they
                    // failed, whatever their records say: the last one decides.
                    prev.outcome = match last {
                        Outcome::Passed | Outcome::Flaky => Outcome::Flaky,
                        Outcome::Skipped => Outcome::Failed,
                        o => o,
                    };
                }
                folded_into = true;
                true
            } else {
                if folded_into {
                    count_fold(&mut folds, prev);
                }
                folded_into = false;
                false
            }
        });
        if folded_into {
            if let Some(last) = cases.last() {
                count_fold(&mut folds, last);
            }
        }
        cases.shrink_to_fit();
        folds
    }

    /// Distinct identities (suite, class, name) among the cases: fewer than the cases when
    /// repeated names were kept as distinct tests. Needs a finished run.
    pub fn distinct(&self) -> u64 {
        self.counts().1
    }

    /// Every recorded execution: the cases' attempts summed (reruns included).
    pub fn runs(&self) -> u64 {
        self.cases.iter().map(|c| u64::from(c.attempts)).sum()
    }

    /// The cases by outcome (without [`TestRun::counts`]' comparison of each case with the
    /// one before: a warning's check of a producer's totals needs only these).
    pub fn totals(&self) -> TestTotals {
        let mut t = TestTotals::default();
        for c in &self.cases {
            t.add(c.outcome);
        }
        t
    }

    /// [`TestRun::totals`], [`TestRun::distinct`] and [`TestRun::runs`] in one pass over the
    /// cases (a large report's cases are tens of MB, read from memory each pass).
    pub fn counts(&self) -> (TestTotals, u64, u64) {
        let mut t = TestTotals::default();
        let mut runs = 0u64;
        let mut repeats = 0u64;
        let mut prev: Option<&TestCase> = None;
        for c in &self.cases {
            t.add(c.outcome);
            runs += u64::from(c.attempts);
            repeats += u64::from(prev.is_some_and(|p| p.same_test(c)));
            prev = Some(c);
        }
        (t, t.tests - repeats, runs)
    }
}

/// Asks the kernel to back a large vector's buffer with transparent huge pages (2 MiB) where
/// it can, as glibc's `glibc.malloc.hugetlb=1` tunable does for every large block: a large
/// report's test cases are tens of MB of fresh memory, and faulting it in 4 KiB at a time was
/// about a tenth of reading a 50 MB JUnit report (9,600 page faults; 3,400-3,900 with this).
/// Only advice: where huge pages are off, or none is free, the kernel uses small ones. Below
/// 4 MiB (glibc's mapped-block threshold here, see `main.rs`) the buffer lies in a heap shared
/// with other blocks, which is left alone.
fn huge_pages<T>(v: &Vec<T>) {
    // glibc only: another allocator (jemalloc in the musl build) keeps large blocks inside
    // mappings of its own making, which advice for one block would split.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 4 << 20 {
            return;
        }
        // 4 KiB on x86_64; aarch64 kernels may use 16 or 64 KiB.
        // SAFETY: sysconf only reads a system constant.
        let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
            p if p > 0 => p as usize,
            _ => return,
        };
        // The whole pages the buffer lies on: with the threshold `main.rs` sets, glibc maps
        // a block this large on its own, so these are its mapping, and advising all of it
        // keeps it one mapping (advice for a part would split it, and glibc could then no
        // longer grow it by remapping: it copies instead, both copies alive). Without that
        // threshold (the library in another program) the block may lie in a heap, whose
        // pages the advice then only backs differently.
        let start = v.as_ptr() as usize / page * page;
        let end = (v.as_ptr() as usize + bytes).div_ceil(page) * page;
        // SAFETY: the range is mapped memory (the pages the vector's allocation lies on),
        // and MADV_HUGEPAGE changes how it is backed, never its contents; an error leaves it
        // as it was.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = v;
}

/// Where a case sorts within its (suite, class) pair: the first 12 bytes of its name
/// (big-endian, zero-padded: a tie there is settled by the whole names) and its report
/// position. 16 bytes a case, made a stretch of one pair at a time where the report keeps each
/// pair together (else for every case at once). The pair's rank is kept apart
/// ([`group_ranks`]), its room then reused for the order.
struct SortKey {
    prefix: u64,
    prefix2: u32,
    index: u32,
}

impl SortKey {
    /// The key of `case`, at position `index` of the report.
    fn of(case: &TestCase, index: u32) -> SortKey {
        let mut prefix = [0u8; 12];
        let n = case.name.len().min(12);
        prefix[..n].copy_from_slice(&case.name.as_bytes()[..n]);
        let [p0, p1, p2, p3, p4, p5, p6, p7, q0, q1, q2, q3] = prefix;
        SortKey {
            prefix: u64::from_be_bytes([p0, p1, p2, p3, p4, p5, p6, p7]),
            prefix2: u32::from_be_bytes([q0, q1, q2, q3]),
            index,
        }
    }

    /// (prefix, prefix2, index) as one integer, in the same order.
    fn int(&self) -> u128 {
        (u128::from(self.prefix) << 64) | (u128::from(self.prefix2) << 32) | u128::from(self.index)
    }
}

/// Sorts `keys` by (`group`, prefix, position), then puts each stretch of keys equal but for
/// the position in `by_name` order. Since a name's 12-byte prefix orders like the name itself
/// wherever the prefixes differ, that is the order of (group, name, position). Integer
/// comparisons decide most of the sort; the names are read only where their first 12 bytes
/// agree (`testEdge<case>_003`, `_008`, … in one class), and then only against names sharing
/// that prefix, not at every step of the whole sort.
fn sort_by_names(
    keys: &mut [SortKey],
    group: impl Fn(&SortKey) -> u32,
    by_name: impl Fn(&SortKey, &SortKey) -> std::cmp::Ordering,
) {
    keys.sort_unstable_by_key(|k| (group(k), k.int()));
    let head = |k: &SortKey| (group(k), k.prefix, k.prefix2);
    let mut start = 0;
    while start < keys.len() {
        let first = head(&keys[start]);
        let mut end = start + 1;
        while end < keys.len() && head(&keys[end]) == first {
            end += 1;
        }
        if end - start > 1 {
            keys[start..end].sort_unstable_by(&by_name);
        }
        start = end;
    }
}

/// Per case (in report order) the rank of its (suite, class) pair among all of them (in
/// string order, the class "" when it has none).
fn group_ranks<'a>(cases: &'a [TestCase]) -> Vec<u32> {
    // Per case its pair, then (below) the pair's rank in its place.
    let mut groups: Vec<u32> = Vec::with_capacity(cases.len());
    // Pair -> rank. In a block: the tables behind it are freed before the ranks are written
    // (they grow with the suites and classes, and the peak of the read is here).
    let group = {
        // Distinct shared strings, by allocation (consecutive cases mostly repeat the last).
        let mut slots: HashMap<usize, u32> = HashMap::new();
        let mut strings: Vec<&str> = vec![""];
        let mut last = (usize::MAX, 0u32);
        let mut slot = |s: &'a SharedStr, strings: &mut Vec<&'a str>| -> u32 {
            let addr = s.addr();
            if addr != last.0 {
                let n = *slots.entry(addr).or_insert_with(|| {
                    strings.push(s.as_str());
                    strings.len() as u32 - 1
                });
                last = (addr, n);
            }
            last.1
        };
        // Distinct (suite slot, class slot) pairs, consecutive cases mostly repeating the last.
        let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
        let mut pair_list: Vec<(u32, u32)> = Vec::new();
        let mut last_pair = ((u32::MAX, u32::MAX), 0u32);
        for c in cases {
            let suite = slot(&c.suite, &mut strings);
            let class = c.class.as_ref().map_or(0, |cl| slot(cl, &mut strings));
            if last_pair.0 != (suite, class) {
                let n = *pairs.entry((suite, class)).or_insert_with(|| {
                    pair_list.push((suite, class));
                    pair_list.len() as u32 - 1
                });
                last_pair = ((suite, class), n);
            }
            groups.push(last_pair.1);
        }
        // Slot -> rank in string order, equal strings (separate allocations) equal ranks.
        let mut by_text: Vec<u32> = (0..strings.len() as u32).collect();
        by_text.sort_unstable_by(|&a, &b| strings[a as usize].cmp(strings[b as usize]));
        let mut rank = vec![0u32; strings.len()];
        let mut r = 0;
        for (k, &slot) in by_text.iter().enumerate() {
            if k > 0 && strings[slot as usize] != strings[by_text[k - 1] as usize] {
                r += 1;
            }
            rank[slot as usize] = r;
        }
        // Pair -> rank in (suite, class) order, by the string ranks.
        let ranked = |p: u32| {
            let (s, c) = pair_list[p as usize];
            (rank[s as usize], rank[c as usize])
        };
        let mut by_pair: Vec<u32> = (0..pair_list.len() as u32).collect();
        by_pair.sort_unstable_by_key(|&p| ranked(p));
        let mut group = vec![0u32; pair_list.len()];
        let mut r = 0;
        for (k, &p) in by_pair.iter().enumerate() {
            if k > 0 && ranked(p) != ranked(by_pair[k - 1]) {
                r += 1;
            }
            group[p as usize] = r;
        }
        group
    };
    for g in &mut groups {
        *g = group[*g as usize];
    }
    groups
}

/// The stretches of consecutive cases of one group (`groups` in report order), as (group,
/// start, end), when no group has more than one stretch; `None` otherwise (then the keys are
/// sorted whole).
fn group_runs(groups: &[u32]) -> Option<Vec<(u32, u32, u32)>> {
    let n = groups.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
    let mut seen = vec![false; n];
    let mut runs = Vec::new();
    let mut start = 0;
    for (i, &g) in groups.iter().enumerate() {
        if i + 1 == groups.len() || groups[i + 1] != g {
            if std::mem::replace(&mut seen[g as usize], true) {
                return None;
            }
            runs.push((g, start as u32, i as u32 + 1));
            start = i + 1;
        }
    }
    Some(runs)
}

/// Puts `v[order[i]]` at position `i` for every `i`, in place, following the permutation's
/// cycles (`order` is consumed as the visited marks). Each element is moved once (one read,
/// one write) rather than swapped along its cycle: with cases of 160 bytes scattered over
/// hundreds of MB this is memory-bound, and swaps move every element twice.
fn permute<T>(v: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    let n = v.len();
    // A permutation of 0..n: checked here so that nothing below can panic while an element
    // is held outside the slice.
    assert!(order.len() == n && n < DONE as usize);
    let mut seen = vec![false; n];
    for &o in &order {
        assert!((o as usize) < n && !std::mem::replace(&mut seen[o as usize], true));
    }
    drop(seen);
    let p = v.as_mut_ptr();
    for start in 0..n {
        let first = order[start];
        if first == DONE || first as usize == start {
            continue;
        }
        // SAFETY: every index is < n (checked above). The element at `start` is read out,
        // then each position of the cycle is filled from the next one, whose value has not
        // been moved yet (a cycle visits each position once), and the last one gets the
        // element read out first: every element ends up in exactly one position and none is
        // dropped or duplicated. Nothing in the loop can panic.
        unsafe {
            let held = std::ptr::read(p.add(start));
            let mut i = start;
            loop {
                let src = *order.get_unchecked(i) as usize;
                *order.get_unchecked_mut(i) = DONE;
                if src == start {
                    std::ptr::write(p.add(i), held);
                    break;
                }
                std::ptr::copy_nonoverlapping(p.add(src), p.add(i), 1);
                i = src;
            }
        }
    }
}

/// Counts a test that absorbed reruns by how its attempts ended.
fn count_fold(folds: &mut Folds, case: &TestCase) {
    match case.outcome {
        Outcome::Flaky => folds.failed_then_passed += 1,
        Outcome::Failed | Outcome::Error => folds.failed_every_attempt += 1,
        _ => {}
    }
}

/// Folds the run `next` (dropped afterwards; what it owns is taken) into `prev`.
fn fold_attempt(prev: &mut TestCase, next: &mut TestCase) {
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
    prev.duration = match (prev.duration.get(), next.duration.get()) {
        // Saturating: two huge finite durations must not sum to infinity (JSON has no
        // infinity; it would be written as null and not read back).
        (Some(a), Some(b)) => Some((a + b).min(f64::MAX)),
        (a, b) => a.or(b),
    }
    .into();
    if prev.file.is_none() {
        prev.file = next.file.take();
        prev.line = next.line;
    }
    if prev.message.is_none() {
        prev.message = next.message.take();
    }
    // Runs of one test in one suite share their inherited list; from other suites, what the
    // other list has that this one lacks joins the case's own.
    if !Inherited::ptr_eq(&prev.inherited, &next.inherited) {
        for p in next.inherited.iter() {
            if !prev.all_properties().any(|q| q == p) {
                prev.properties.push(p.clone());
            }
        }
    }
    for p in std::mem::take(&mut next.properties).into_vec() {
        if !prev.all_properties().any(|q| *q == p) {
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
        let mut run = TestRun {
            repeats: Repeats::Attempts,
            ..TestRun::new()
        };
        run.push(TestCase::new("s", "t", Outcome::Failed));
        run.push(TestCase::new("s", "t", Outcome::Passed));
        run.push(TestCase::new("s", "u", Outcome::Skipped));
        run.push(TestCase::new("s", "u", Outcome::Failed));
        run.push(TestCase::new("s", "v", Outcome::Error));
        run.push(TestCase::new("s", "v", Outcome::Failed));
        let folds = run.finish();
        assert_eq!(
            folds,
            Folds {
                repeated: 3,
                failed_then_passed: 1,
                failed_every_attempt: 2
            }
        );
        assert_eq!(
            folds.warning(run.repeats).unwrap(),
            "3 reruns folded: 1 failed then passed (flaky), 2 failed on every attempt"
        );
        assert_eq!((run.distinct(), run.runs()), (3, 6));
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
        // A second finish folds nothing more.
        assert_eq!(run.finish(), Folds::default());
    }

    #[test]
    fn reruns_are_decided_by_the_last_attempt() {
        // pytest-rerunfailures: failed attempts are written as empty (passing) testcases.
        let mut run = TestRun {
            repeats: Repeats::Reruns,
            ..TestRun::new()
        };
        for (name, o) in [
            ("always", Outcome::Passed),
            ("flaky", Outcome::Passed),
            ("always", Outcome::Passed),
            ("flaky", Outcome::Passed),
            ("always", Outcome::Failed),
            ("once", Outcome::Passed),
        ] {
            run.push(TestCase::new("s", name, o));
        }
        let folds = run.finish();
        let got: Vec<_> = run
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.outcome, c.attempts))
            .collect();
        assert_eq!(
            got,
            [
                ("always", Outcome::Failed, 3),
                ("flaky", Outcome::Flaky, 2),
                ("once", Outcome::Passed, 1)
            ]
        );
        assert_eq!(
            (folds.failed_then_passed, folds.failed_every_attempt),
            (1, 1)
        );
    }

    #[test]
    fn repeated_names_stay_distinct_tests_by_default() {
        // jest, vitest, mocha, …: a failure is never hidden by a namesake that passed.
        let mut run = TestRun::new();
        run.push(TestCase::new("s", "t", Outcome::Failed));
        run.push(TestCase::new("s", "u", Outcome::Passed));
        run.push(TestCase::new("s", "t", Outcome::Passed));
        run.push(TestCase::new("s", "t", Outcome::Passed));
        let folds = run.finish();
        assert_eq!(folds.repeated, 2);
        assert_eq!(
            folds.warning(run.repeats).unwrap(),
            "2 repeated names kept as distinct tests: this producer does not make test names unique and counts each result"
        );
        let t = run.totals();
        assert_eq!((t.tests, t.passed, t.failed, t.flaky), (4, 3, 1, 0));
        assert_eq!((run.distinct(), run.runs()), (2, 4));
        // Sorted by identity, report order kept within one.
        let got: Vec<_> = run
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.outcome))
            .collect();
        assert_eq!(
            got,
            [
                ("t", Outcome::Failed),
                ("t", Outcome::Passed),
                ("t", Outcome::Passed),
                ("u", Outcome::Passed)
            ]
        );
    }

    #[test]
    fn function_spans_own_end_else_next_start() {
        let mut c = Coverage::new();
        let f = c.file_mut("a.rs");
        f.add_function_range("outer", 10, 40, 1);
        f.add_function("a", 1, 1);
        f.add_function("closure", 5, 1);
        f.add_function("b", 20, 0);
        f.add_function("unplaced", 0, 0);
        c.finish();
        let f = c.file("a.rs").unwrap();
        let names: Vec<&str> = f.functions.iter().map(|f| &*f.name).collect();
        assert_eq!(names, ["unplaced", "a", "closure", "outer", "b"]);
        assert_eq!(
            f.function_spans(&[]),
            [(0, 0), (1, 4), (5, 9), (10, 40), (20, u32::MAX)]
        );
        // Left out (a closure): its lines go to the function before it.
        assert_eq!(
            f.function_spans(&[true, true, false, true, true]),
            [(0, 0), (1, 9), (0, 0), (10, 40), (20, u32::MAX)]
        );
        // Out of line order (an unfinished file), and two functions at one line: the same
        // spans as in order.
        let mut g = crate::model::FileCoverage::new("b.rs");
        for (name, line) in [
            ("c", 30),
            ("a", 1),
            ("b", 9),
            ("b2", 9),
            ("d", 30),
            ("e", 50),
        ] {
            g.add_function(name, line, 1);
        }
        let mut sorted = g.clone();
        sorted.functions.sort_by_key(|f| f.line);
        let by_name = |f: &crate::model::FileCoverage, keep: &[bool]| {
            let mut v: Vec<(String, (u32, u32))> = f
                .functions
                .iter()
                .map(|x| x.name.to_string())
                .zip(f.function_spans(keep))
                .collect();
            v.sort();
            v
        };
        let expected = [
            ("a", (1, 8)),
            ("b", (9, 29)),
            ("b2", (9, 29)),
            ("c", (30, 49)),
            ("d", (30, 49)),
            ("e", (50, u32::MAX)),
        ]
        .map(|(n, s)| (n.to_string(), s));
        assert_eq!(by_name(&g, &[]), expected);
        assert_eq!(by_name(&sorted, &[]), expected);
        // Both functions at 30 left out: 9's span reaches 50.
        let keep_g = [false, true, true, true, false, true];
        let keep_sorted: Vec<bool> = sorted
            .functions
            .iter()
            .map(|f| !matches!(&*f.name, "c" | "d"))
            .collect();
        assert_eq!(by_name(&g, &keep_g), by_name(&sorted, &keep_sorted));
        assert_eq!(
            by_name(&sorted, &keep_sorted)[1],
            ("b".to_string(), (9, 49))
        );
    }

    /// A large vector's pages are advised as huge (the `hg` flag of its mapping in
    /// /proc/self/smaps), as one mapping, and its contents stay as written.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn a_large_buffer_is_advised_huge_pages_whole() {
        let v: Vec<u64> = (0..1u64 << 20).collect();
        super::huge_pages(&v);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            // A kernel built without huge pages refuses the advice: nothing to see.
            return;
        }
        let (start, end) = (v.as_ptr() as usize, v.as_ptr() as usize + (8 << 20));
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = None;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().unwrap_or("");
            if let Some((a, b)) = range.split_once('-') {
                if let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
                {
                    inside = (a <= start && end <= b).then_some((a, b));
                    continue;
                }
            }
            if let (Some(_), Some(flags)) = (inside, line.strip_prefix("VmFlags:")) {
                assert!(flags.split_whitespace().any(|f| f == "hg"), "{line}");
                return;
            }
        }
        panic!("no single mapping holds the buffer {start:x}-{end:x}");
    }

    #[test]
    fn finish_keeps_report_order_of_attempts() {
        let mut run = TestRun {
            repeats: Repeats::Attempts,
            ..TestRun::new()
        };
        let case = |suite: &str, name: &str, msg: &str| {
            let mut c = TestCase::new(suite, name, Outcome::Failed);
            c.message = Some(msg.into());
            c
        };
        for (s, n, m) in [
            ("b", "x", "b1"),
            ("a", "y", "a1"),
            ("b", "x", "b2"),
            ("a", "x", "ax"),
            ("a", "y", "a2"),
            ("a", "y", "a3"),
        ] {
            run.push(case(s, n, m));
        }
        run.finish();
        let got: Vec<_> = run
            .cases
            .iter()
            .map(|c| {
                (
                    c.suite.as_str(),
                    c.name.as_str(),
                    c.message.as_deref(),
                    c.attempts,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", "x", Some("ax"), 1),
                ("a", "y", Some("a1"), 3),
                ("b", "x", Some("b1"), 2)
            ]
        );
        // A class of "" is the same test as no class.
        let mut run = TestRun {
            repeats: Repeats::Attempts,
            ..TestRun::new()
        };
        let mut c = TestCase::new("s", "t", Outcome::Passed);
        c.class = Some("".into());
        run.push(c);
        run.push(TestCase::new("s", "t", Outcome::Failed));
        run.finish();
        assert_eq!(run.cases.len(), 1);
        assert_eq!(run.cases[0].outcome, Outcome::Flaky);
    }

    #[test]
    fn finish_orders_like_a_stable_sort_on_identity() {
        // Names sharing long prefixes, NUL bytes, "" classes and no class, equal strings in
        // separate allocations and shared ones.
        let suites: Vec<SharedStr> = vec!["b".into(), "a".into(), "a".into(), "".into()];
        let classes = [None, Some(""), Some("C"), Some("B")];
        let names = [
            "test_a_very_long_common_prefix_1",
            "test_a_very_long_common_prefix_0",
            "abcdefghijkl",
            "abcdefghijk",
            "abcdefghijklm",
            "abcdefghijk\0",
            "abcdefgh\u{e9}",
            "ab",
            "ab\0x",
            "ab\0",
            "",
            "zz",
        ];
        let mut run = TestRun {
            repeats: Repeats::Attempts,
            ..TestRun::new()
        };
        let mut seed = 7u64;
        for i in 0..600 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = |n: usize, shift: u32| (seed >> shift) as usize % n;
            let mut c = TestCase::new(
                suites[pick(suites.len(), 10)].clone(),
                names[pick(names.len(), 20)],
                Outcome::Passed,
            );
            c.class = classes[pick(classes.len(), 30)].map(SharedStr::from);
            c.attempts = i;
            run.push(c);
        }
        assert!(group_runs(&group_ranks(&run.cases)).is_none());
        check_finish_order(run);
        // Each (suite, class) pair in one stretch, the stretches out of order: sorted one
        // stretch at a time.
        let pairs = [
            ("b", Some("C")),
            ("a", None),
            ("", Some("B")),
            ("a", Some("C")),
            ("b", None),
            ("a", Some("B")),
        ];
        let mut run = TestRun {
            repeats: Repeats::Attempts,
            ..TestRun::new()
        };
        let mut i = 0;
        for (suite, class) in pairs {
            let suite = SharedStr::from(suite);
            for _ in 0..1 + seed % 40 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let mut c = TestCase::new(
                    suite.clone(),
                    names[(seed >> 20) as usize % names.len()],
                    Outcome::Passed,
                );
                c.class = class.map(SharedStr::from);
                c.attempts = i;
                i += 1;
                run.push(c);
            }
        }
        assert!(group_runs(&group_ranks(&run.cases)).is_some());
        check_finish_order(run);
    }

    /// `run.finish()` orders and folds like a stable sort on identity followed by a fold.
    fn check_finish_order(mut run: TestRun) {
        let mut want = run.cases.clone();
        want.sort_by(|a, b| {
            (
                a.suite.as_str(),
                a.class.as_deref().unwrap_or(""),
                a.name.as_str(),
            )
                .cmp(&(
                    b.suite.as_str(),
                    b.class.as_deref().unwrap_or(""),
                    b.name.as_str(),
                ))
        });
        let repeated = want.windows(2).filter(|w| w[0].same_test(&w[1])).count() as u64;
        // Counted on the sort keys: as many as adjacent runs of one test, folded or not.
        let mut distinct = TestRun {
            repeats: Repeats::Distinct,
            cases: run.cases.clone(),
        };
        assert_eq!(distinct.finish().repeated, repeated);
        let mut folded: Vec<TestCase> = Vec::new();
        for c in want {
            match folded.last_mut() {
                Some(p) if p.same_test(&c) => p.attempts += c.attempts,
                _ => folded.push(c),
            }
        }
        assert_eq!(run.finish().repeated, repeated);
        let id = |c: &TestCase| {
            (
                c.suite.to_string(),
                c.class.as_deref().unwrap_or("").to_string(),
                c.name.clone(),
                c.attempts,
            )
        };
        assert_eq!(
            run.cases.iter().map(id).collect::<Vec<_>>(),
            folded.iter().map(id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn permutation_in_place() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut v, vec![3, 0, 4, 1, 2]);
        assert_eq!(v, ['d', 'a', 'e', 'b', 'c']);
    }

    #[test]
    fn test_case_is_96_bytes() {
        assert_eq!(std::mem::size_of::<TestCase>(), 96);
        assert_eq!(std::mem::size_of::<SharedStr>(), 8);
    }

    #[test]
    fn line_is_eight_bytes() {
        assert_eq!(std::mem::size_of::<Line>(), 8);
    }
}
