//! What `check` decides about each test case: its size (and where the size came from), whether
//! it belongs to the smoke suite, whether it is quarantined; and which files are tests.
//!
//! Size, first answer wins:
//! 1. **the report**: a property or tag `size`, `test_size`/`TEST_SIZE` (Bazel), `category`,
//!    `categories`, `tag` or `tags` (NUnit categories and xUnit traits arrive as `Category`)
//!    whose value, or one of its comma/space separated words, [`Size::parse`]s;
//! 2. **the config**: the first `[[size]]` rule whose glob matches the test's file, suite,
//!    class, `suite/class/name` or `class.name` (case-sensitive; `*` also crosses `/`);
//! 3. **ecosystem defaults**, each named in the reason it gives:
//!    - Rust: a test in a crate's library or binary target is small (nextest binary id
//!      `crate-name` or `crate-name::bin/x`, or a test file under `src/`); a test in a
//!      `tests/*.rs` target is medium (binary id `crate-name::target`, or a test file under
//!      `tests/`), large when the target's name says `e2e`/`system`/`acceptance`;
//!    - Go (a `_test.go` file; attribution finds it from the package and the test's name):
//!      an `e2e` build constraint (`//go:build e2e`, the `go:build` property), `TestE2E*`, or
//!      an `e2e` folder large; an `integration` build constraint, `TestIntegration*`, or an
//!      `integration` folder medium; any other test small (`go test`'s unit tests);
//!    - JS/TS (jest, vitest, mocha, node:test; a `.js`/`.ts`/`.jsx`/`.tsx`/`.mjs`/`.cjs`/
//!      `.mts`/`.cts` file): `e2e`, `playwright`, `cypress` or `.cy.` in the path large;
//!      `integration`, `.int.` or an `it/` folder medium; a plain `*.test.*`, `*.spec.*` or
//!      `__tests__/` file small;
//!    - Java-style class names: `*IT`, `*ITCase`, `*IntegrationTest` medium (Maven Failsafe's
//!      conventions), `*E2ETest`, `*EndToEndTest`, `*AcceptanceTest` large, `*UnitTest`
//!      small;
//!    - words of the file path, then of the class, then of the suite (split at `/`, `.`,
//!      `::`, `_`, `-`): `unit` small; `integration`, `it` medium; `e2e`, `end2end`,
//!      `endtoend`, `system`, `acceptance`, `playwright`, `cypress` large. Within one name
//!      the innermost word wins (`integration/unit/x` is small) — this is also Python's
//!      `tests/unit|integration|e2e` rule;
//!    - last, a JVM or .NET class named `*Test`, `*Tests` or `*TestCase` (Maven Surefire's
//!      unit-test conventions) small.
//!
//! .NET sizes come from the report (rule 1): NUnit categories, xUnit traits and MSTest
//! `TestCategory` named Small/Medium/Large, Unit/Integration or E2E.
//!
//! Nothing else: a test no rule sizes is unclassified (L1.sizes says which).

use std::collections::{HashMap, HashSet};

use glob::{MatchOptions, Pattern};

use crate::config::{Config, Size};
use crate::evidence::{SizeSource, Test};
use crate::model::{Inherited, SharedStr, TestCase};

/// Test file globs when `[change] test_globs` is not set.
pub const DEFAULT_TEST_GLOBS: &[&str] = &[
    "tests/**",
    "**/tests/**",
    "test/**",
    "**/test/**",
    "**/__tests__/**",
    "**/src/test/**",
    "**/src/it/**",
    "**/*_test.*",
    "**/*_tests.*",
    "**/test_*.py",
    "**/*.test.*",
    "**/*.spec.*",
    "**/*_spec.rb",
    "**/*Test.java",
    "**/*Tests.java",
    "**/*IT.java",
    "**/*Test.kt",
    "**/*Tests.kt",
    "**/*Test.scala",
    "**/*Spec.scala",
    "**/*Test.cs",
    "**/*Tests.cs",
    "**/*Test.php",
    "**/*_test.go",
];

/// Property keys that may carry a size.
const SIZE_KEYS: &[&str] = &["size", "test_size"];
/// Property keys whose value is a list of tags.
const TAG_KEYS: &[&str] = &[
    "category",
    "categories",
    "testcategory",
    "trait",
    "traits",
    "tag",
    "tags",
];

/// The property attribution sets on a Go test from its file's build constraint
/// (`//go:build integration` → `integration`).
pub const GO_BUILD_PROPERTY: &str = "go:build";

/// Extensions of JS/TS test files.
const JS_EXTS: &[&str] = &[".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"];

/// Extensions of files that hold JVM or .NET classes (the Surefire rule).
const CLASS_FILE_EXTS: &[&str] = &[".java", ".kt", ".scala", ".groovy", ".cs", ".fs", ".vb"];

const OPTS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

/// The config's test rules, compiled once.
#[derive(Clone, Debug, Default)]
pub struct Classifier {
    size_rules: Vec<(Pattern, Size)>,
    /// Empty: the default selector ("smoke" anywhere, case-insensitively).
    smoke_globs: Vec<Pattern>,
    /// Lowercase.
    smoke_tags: Vec<String>,
    quarantine: Vec<Pattern>,
    /// Rust crate names known to be projects, `-` spelt `_`.
    rust_crates: HashSet<String>,
}

/// What the classification of one case can tell the next: ecosystem defaults depend only on
/// suite, class and file, which thousands of cases share (decided once per combination), and
/// a suite's properties and names say the same about size and smoke for all its cases. One
/// per caller (a report's attribution), not inside the [`Classifier`], which the reports
/// attributed on all cores share.
#[derive(Default)]
pub(crate) struct SizeCache {
    map: HashMap<DefaultKey, Option<(Size, SharedStr)>>,
    /// The last case's key and answer: cases come grouped by suite and class (the same
    /// shared strings), so most are answered by two pointer comparisons and no hash.
    last: Option<(DefaultKey, Option<(Size, SharedStr)>)>,
    /// The last case's inherited properties (shared by its suite's cases) and what they
    /// say: a size, and whether they tag a smoke test.
    inherited: Option<(Inherited, Option<Size>, bool)>,
    /// The last case's suite and class, and whether either names a smoke test (the
    /// default selector).
    smoke_names: Option<(SharedStr, Option<SharedStr>, bool)>,
}

impl SizeCache {
    /// What the case's inherited properties say, (size, smoke tag).
    fn inherited(&mut self, case: &TestCase, cl: &Classifier) -> (Option<Size>, bool) {
        match &self.inherited {
            Some((i, size, smoke)) if Inherited::ptr_eq(i, &case.inherited) => (*size, *smoke),
            _ => {
                let size = size_in(case.inherited.iter());
                let smoke = cl.smoke_tagged(case.inherited.iter());
                self.inherited = Some((case.inherited.clone(), size, smoke));
                (size, smoke)
            }
        }
    }

    /// Whether the case's suite or class has "smoke" in its name.
    fn smoke_names(&mut self, case: &TestCase) -> bool {
        let same =
            |(suite, class, _): &&(SharedStr, Option<SharedStr>, bool)| case.in_group(suite, class);
        if let Some(hit) = self.smoke_names.as_ref().filter(same) {
            return hit.2;
        }
        let smoke = [Some(case.suite.as_str()), case.class.as_deref()]
            .into_iter()
            .flatten()
            .any(|n| contains_ignore_ascii_case(n, "smoke"));
        self.smoke_names = Some((case.suite.clone(), case.class.clone(), smoke));
        smoke
    }
}

type DefaultKey = (SharedStr, Option<SharedStr>, Option<Box<str>>);

/// Globs that do not parse are skipped here: [`Config`] validation rejects them first.
fn compile(globs: &[String]) -> Vec<Pattern> {
    globs.iter().filter_map(|g| Pattern::new(g).ok()).collect()
}

/// A crate name as Cargo compares them (`-` and `_` are the same).
pub fn crate_key(name: &str) -> String {
    name.replace('-', "_")
}

impl Classifier {
    /// `rust_crates`: names of the Rust crates among the projects (for nextest binary ids).
    pub fn new(config: &Config, rust_crates: impl IntoIterator<Item = String>) -> Self {
        let smoke_tags = if config.smoke.tags.is_empty() {
            vec!["smoke".to_string()]
        } else {
            config.smoke.tags.iter().map(|t| t.to_lowercase()).collect()
        };
        Classifier {
            size_rules: config
                .size
                .iter()
                .filter_map(|r| Some((Pattern::new(&r.glob).ok()?, r.size)))
                .collect(),
            smoke_globs: compile(&config.smoke.globs),
            smoke_tags,
            quarantine: compile(&config.flaky.quarantine),
            rust_crates: rust_crates.into_iter().map(|c| crate_key(&c)).collect(),
        }
    }

    /// [`Classifier::default_size`], remembered per (suite, class, file).
    fn default_size_cached(
        &self,
        case: &TestCase,
        cache: &mut SizeCache,
    ) -> (Option<Size>, SizeSource) {
        // Go's rules read the test's name and build constraint too, which the cache key
        // leaves out: decided per test (they are cheap).
        if case
            .file
            .as_deref()
            .is_some_and(|f| f.ends_with("_test.go"))
        {
            return match go_size(case) {
                Some((s, why)) => (Some(s), SizeSource::Default(SharedStr::from(why))),
                None => (None, SizeSource::None),
            };
        }
        let same = |(suite, class, file): &DefaultKey| {
            case.in_group(suite, class) && file.as_deref() == case.file.as_deref()
        };
        let hit = cache.last.as_ref().filter(|(k, _)| same(k)).is_some();
        if !hit {
            let key = (
                case.suite.clone(),
                case.class.clone(),
                case.file.as_deref().map(Box::from),
            );
            let found = cache
                .map
                .entry(key.clone())
                .or_insert_with(|| {
                    self.default_size(case)
                        .map(|(size, why)| (size, SharedStr::from(why)))
                })
                .clone();
            cache.last = Some((key, found));
        }
        let found = &cache.last.as_ref().expect("set above").1;
        match found {
            Some((s, why)) => (Some(*s), SizeSource::Default(why.clone())),
            None => (None, SizeSource::None),
        }
    }

    /// Decides size, smoke and quarantine for `case` (whose `file`, if any, is already
    /// repository-relative when it could be mapped).
    pub fn classify(&self, case: TestCase, report: &SharedStr, cache: &mut SizeCache) -> Test {
        let (size, size_source) = self.size(&case, cache);
        let mut t = Test {
            case,
            size,
            size_source,
            smoke: false,
            quarantined: false,
            report: report.clone(),
        };
        t.smoke = self.is_smoke_cached(&t.case, cache);
        t.quarantined = !self.quarantine.is_empty() && self.quarantine_matches(&t).next().is_some();
        t
    }

    /// The size of `case` and where it came from.
    pub fn size(&self, case: &TestCase, cache: &mut SizeCache) -> (Option<Size>, SizeSource) {
        // The first size property in `all_properties` order: the inherited ones come first.
        let inherited = cache.inherited(case, self).0;
        if let Some(s) = inherited.or_else(|| size_in(case.properties.iter())) {
            return (Some(s), SizeSource::Report);
        }
        if self.size_rules.is_empty() {
            return self.default_size_cached(case, cache);
        }
        let id = case.id();
        let class_name = case.class.as_ref().map(|c| format!("{c}.{}", case.name));
        for (p, size) in &self.size_rules {
            let hit = [
                case.file.as_deref(),
                Some(case.suite.as_str()),
                case.class.as_deref(),
                Some(id.as_str()),
                class_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|s| p.matches_with(s, OPTS));
            if hit {
                return (Some(*size), SizeSource::Config(p.as_str().to_string()));
            }
        }
        self.default_size_cached(case, cache)
    }

    fn default_size(&self, case: &TestCase) -> Option<(Size, String)> {
        if let Some(r) = self.rust_size(case) {
            return Some(r);
        }
        if let Some(r) = go_size(case) {
            return Some(r);
        }
        if let Some(r) = js_size(case) {
            return Some(r);
        }
        let simple = simple_class(case);
        for (suffixes, size) in [
            (
                &["IT", "ITCase", "IntegrationTest", "IntegrationTests"][..],
                Size::Medium,
            ),
            (
                &[
                    "E2ETest",
                    "E2ETests",
                    "EndToEndTest",
                    "EndToEndTests",
                    "AcceptanceTest",
                    "AcceptanceTests",
                ][..],
                Size::Large,
            ),
            (&["UnitTest", "UnitTests"][..], Size::Small),
        ] {
            if let Some(sfx) = suffixes
                .iter()
                .find(|s| simple.len() > s.len() && simple.ends_with(*s))
            {
                return Some((size, format!("class name {simple} ends with {sfx}")));
            }
        }
        let file = case.file.as_deref().map(strip_file_ext);
        for (what, name) in [
            ("file", file),
            ("class", case.class.as_deref()),
            ("suite", Some(case.suite.as_str())),
        ] {
            let Some(name) = name else { continue };
            if let Some((size, word)) = words(name).filter_map(|w| Some((word_size(w)?, w))).last()
            {
                return Some((size, format!("{what} {name} has the word `{word}`")));
            }
        }
        // Maven Surefire's unit-test names, for JVM and .NET classes (a Python class named
        // `*Test` is sized by its folder, above, or not at all).
        let jvm = case
            .file
            .as_deref()
            .is_none_or(|f| CLASS_FILE_EXTS.iter().any(|e| f.ends_with(e)));
        if jvm && simple.starts_with(|c: char| c.is_ascii_uppercase()) {
            if let Some(sfx) = ["TestCase", "Tests", "Test"]
                .iter()
                .find(|s| simple.len() > s.len() && simple.ends_with(*s))
            {
                return Some((
                    Size::Small,
                    format!("class name {simple} ends with {sfx} (Maven Surefire's unit tests)"),
                ));
            }
        }
        None
    }

    fn rust_size(&self, case: &TestCase) -> Option<(Size, String)> {
        let target_words_large = |t: &str| {
            words(t)
                .filter_map(word_size)
                .last()
                .filter(|s| *s == Size::Large)
        };
        let (krate, target) = match case.suite.split_once("::") {
            Some((k, t)) => (k, Some(t)),
            None => (case.suite.as_str(), None),
        };
        if self.rust_crates.contains(&crate_key(krate)) {
            return Some(match target {
                None => (
                    Size::Small,
                    format!("Rust unit test in the library target of {krate}"),
                ),
                Some(t) if t.starts_with("bin/") => (
                    Size::Small,
                    format!("Rust unit test in the binary target {t} of {krate}"),
                ),
                Some(t) if t.contains('/') => return None, // bench/, example/, proc-macro/
                Some(t) => match target_words_large(t) {
                    Some(s) => (
                        s,
                        format!("Rust end-to-end test target tests/{t}.rs of {krate}"),
                    ),
                    None => (
                        Size::Medium,
                        format!("Rust integration test target tests/{t}.rs of {krate}"),
                    ),
                },
            });
        }
        let file = case.file.as_deref()?;
        if !file.ends_with(".rs") {
            return None;
        }
        let segs: Vec<&str> = file.split('/').collect();
        let dir = &segs[..segs.len() - 1];
        if let Some(i) = dir.iter().rposition(|s| *s == "tests") {
            let target = segs[i + 1].trim_end_matches(".rs");
            return Some(match target_words_large(target) {
                Some(s) => (s, format!("Rust end-to-end test file {file}")),
                None => (Size::Medium, format!("Rust integration test file {file}")),
            });
        }
        if dir.contains(&"src") {
            return Some((Size::Small, format!("Rust unit test in {file}")));
        }
        None
    }

    /// Whether `case` belongs to the smoke suite.
    #[cfg(test)]
    pub fn is_smoke(&self, case: &TestCase) -> bool {
        self.is_smoke_cached(case, &mut SizeCache::default())
    }

    /// [`Classifier::is_smoke`], what the suite and its properties say remembered in
    /// `cache` for the next cases of the suite: every test of every report asks.
    fn is_smoke_cached(&self, case: &TestCase, cache: &mut SizeCache) -> bool {
        let by_name = if self.smoke_globs.is_empty() {
            cache.smoke_names(case)
                || [Some(case.name.as_str()), case.file.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|n| contains_ignore_ascii_case(n, "smoke"))
        } else {
            let names = [
                Some(case.suite.as_str()),
                case.class.as_deref(),
                Some(case.name.as_str()),
                case.file.as_deref(),
            ];
            let id = case.id();
            let hit = names
                .into_iter()
                .flatten()
                .chain([id.as_str()])
                .any(|n| self.smoke_globs.iter().any(|p| p.matches_with(n, OPTS)));
            hit
        };
        by_name || cache.inherited(case, self).1 || self.smoke_tagged(case.properties.iter())
    }

    /// Whether one of `props` tags a smoke test: a smoke tag as the key (unless the value
    /// says no) or among the value's words.
    fn smoke_tagged<'p>(&self, mut props: impl Iterator<Item = &'p (String, String)>) -> bool {
        props.any(|(k, v)| {
            let flag = !matches!(v.trim(), "false" | "0" | "no" | "off");
            (flag && self.is_smoke_tag(k)) || tag_words(v).any(|w| self.is_smoke_tag(w))
        })
    }

    /// Whether `word`, lowercased, is one of the smoke tags. Every property of every test
    /// is asked, so an ASCII word (nearly all are) is compared without a lowercased copy:
    /// the tags are lowercase already, and for ASCII `to_lowercase` is the ASCII one.
    fn is_smoke_tag(&self, word: &str) -> bool {
        if word.is_ascii() {
            self.smoke_tags.iter().any(|t| t.eq_ignore_ascii_case(word))
        } else {
            self.smoke_tags.contains(&word.to_lowercase())
        }
    }

    /// The quarantine list as the config spells it.
    pub fn quarantine_entries(&self) -> Vec<&str> {
        self.quarantine.iter().map(|p| p.as_str()).collect()
    }

    /// The quarantine entries (as the config spells them) that match `test`, by
    /// [`Test::id`] or `class.name`.
    pub fn quarantine_matches<'a>(&'a self, test: &Test) -> impl Iterator<Item = &'a str> {
        let id = test.id();
        let class_name = test
            .case
            .class
            .as_ref()
            .map(|c| format!("{c}.{}", test.case.name));
        self.quarantine
            .iter()
            .filter(move |p| {
                p.matches_with(&id, OPTS)
                    || class_name
                        .as_deref()
                        .is_some_and(|c| p.matches_with(c, OPTS))
            })
            .map(|p| p.as_str())
    }
}

/// `needle` (ASCII) in `hay`, ignoring ASCII case, without allocating: it runs for every
/// test of every report.
fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    if hay.len() < 64 {
        // A test's name, mostly: shorter than memchr's setup is worth.
        return (0..=last_start).any(|i| {
            (hay[i] == lower || hay[i] == upper)
                && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
        });
    }
    // Only where the first byte matches, in either case: a byte scan, not a compare at
    // every position.
    memchr::memchr2_iter(lower, upper, &hay[..=last_start])
        .any(|i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The simple name of the test's class (else suite): `com.example.FooTest$Inner` → `FooTest`.
fn simple_class(case: &TestCase) -> &str {
    let class = case.class.as_deref().unwrap_or(case.suite.as_str());
    let simple = class.rsplit(['.', ':', '/']).next().unwrap_or(class);
    simple.split('$').next().unwrap_or(simple)
}

/// A path without its extension (the extension is not a word of its name).
fn strip_file_ext(f: &str) -> &str {
    match f.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => stem,
        _ => f,
    }
}

/// Go's defaults, for a test whose file is a `_test.go`.
fn go_size(case: &TestCase) -> Option<(Size, String)> {
    let file = case.file.as_deref()?;
    if !file.ends_with("_test.go") {
        return None;
    }
    let test = case.name.split('/').next().unwrap_or(&case.name);
    if let Some(tags) = case.property(GO_BUILD_PROPERTY) {
        let tag_words: Vec<&str> = tags
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        for (word, size) in [("e2e", Size::Large), ("integration", Size::Medium)] {
            if tag_words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                return Some((
                    size,
                    format!("Go test file {file} has the `{word}` build constraint"),
                ));
            }
        }
    }
    for (prefix, size) in [("TestE2E", Size::Large), ("TestIntegration", Size::Medium)] {
        if test.starts_with(prefix) {
            return Some((size, format!("Go test name {test} starts with {prefix}")));
        }
    }
    if let Some((size, word)) = words(strip_file_ext(file))
        .filter_map(|w| Some((word_size(w)?, w)))
        .last()
    {
        return Some((size, format!("Go test file {file} has the word `{word}`")));
    }
    Some((
        Size::Small,
        format!("Go test in {file} (a plain go test: unit)"),
    ))
}

/// JS/TS defaults (jest, vitest, mocha, node:test), for a test whose file is JS or TS.
fn js_size(case: &TestCase) -> Option<(Size, String)> {
    let file = case.file.as_deref()?;
    let lower = file.to_ascii_lowercase();
    if !JS_EXTS.iter().any(|e| lower.ends_with(e)) {
        return None;
    }
    let stem = strip_file_ext(&lower);
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    let sized = words(stem)
        .filter_map(|w| {
            let size = match w {
                "e2e" | "end2end" | "endtoend" | "playwright" | "cypress" | "cy" => Size::Large,
                "integration" | "int" => Size::Medium,
                // `it` only as a folder: `it-works.test.ts` is a unit test.
                "it" if dirs.contains(&"it") => Size::Medium,
                "unit" => Size::Small,
                _ => return None,
            };
            Some((size, w))
        })
        .last();
    if let Some((size, word)) = sized {
        let kind = match size {
            Size::Large => "end-to-end",
            Size::Medium => "integration",
            Size::Small => "unit",
        };
        return Some((
            size,
            format!("JS/TS {kind} test: {file} has the word `{word}`"),
        ));
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name.contains(".test.") || name.contains(".spec.") || dirs.contains(&"__tests__") {
        return Some((
            Size::Small,
            format!("JS/TS test file {file} (*.test.* / *.spec.*: unit)"),
        ));
    }
    None
}

/// A size stated by the report itself: the size the first of `props` that gives one says
/// (a size key, or a size among a tag key's words).
fn size_in<'p>(mut props: impl Iterator<Item = &'p (String, String)>) -> Option<Size> {
    props.find_map(|(k, v)| {
        if SIZE_KEYS.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            Size::parse(v)
        } else if TAG_KEYS.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            Size::parse(v).or_else(|| tag_words(v).find_map(Size::parse))
        } else {
            None
        }
    })
}

fn tag_words(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ';', ' ', '\t', '\n'])
        .filter(|w| !w.is_empty())
}

/// Lowercase-insensitive words of a path or dotted name.
fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(['/', '\\', '.', ':', '_', '-', ' '])
        .filter(|w| !w.is_empty())
}

fn word_size(w: &str) -> Option<Size> {
    match w.to_ascii_lowercase().as_str() {
        "unit" | "unittest" | "unittests" => Some(Size::Small),
        "integration" | "it" | "integrationtest" | "integrationtests" => Some(Size::Medium),
        "e2e" | "end2end" | "endtoend" | "system" | "acceptance" | "playwright" | "cypress" => {
            Some(Size::Large)
        }
        _ => None,
    }
}

/// Test-file globs, compiled once (the config's `[change] test_globs`, else
/// [`DEFAULT_TEST_GLOBS`]).
#[derive(Clone, Debug)]
pub struct TestFiles {
    globs: Vec<Pattern>,
    /// The default globs all need one of [`DEFAULT_TEST_WORDS`] in the path: a path without
    /// any is no test file, decided without running two dozen `**` globs (the ladder asks
    /// for every changed and every covered file).
    defaults: bool,
}

/// Every path [`DEFAULT_TEST_GLOBS`] matches contains one of these.
const DEFAULT_TEST_WORDS: &[&str] = &["test", "Test", "spec", "Spec", "/it/", "IT."];

impl TestFiles {
    pub fn new(config: &Config) -> Self {
        if config.change.test_globs.is_empty() {
            TestFiles {
                globs: DEFAULT_TEST_GLOBS
                    .iter()
                    .map(|g| Pattern::new(g).expect("default test globs parse"))
                    .collect(),
                defaults: true,
            }
        } else {
            TestFiles {
                globs: compile(&config.change.test_globs),
                defaults: false,
            }
        }
    }

    pub fn matches(&self, path: &str) -> bool {
        if self.defaults && !DEFAULT_TEST_WORDS.iter().any(|w| path.contains(w)) {
            return false;
        }
        self.globs.iter().any(|p| p.matches_with(path, OPTS))
    }
}

/// Whether the repository-relative `path` is a test file (used by the ladder for "the change
/// also changes a test"). Compiles the globs on each call: use [`TestFiles`] in loops.
#[cfg(test)]
pub fn is_test_file(path: &str, config: &Config) -> bool {
    TestFiles::new(config).matches(path)
}

/// Whether `test` (a test file) looks like the test of `source`: the same stem once test
/// affixes are removed (`parser.py` ↔ `test_parser.py`, `Foo.java` ↔ `FooTest.java`,
/// `foo.ts` ↔ `foo.test.ts`, `x.go` ↔ `x_test.go`, `src/x.rs` ↔ `tests/x.rs`), or a Rust
/// crate's `lib.rs`/`main.rs` and any `tests/*.rs` of the same crate. A module file
/// (`mod.rs`, `__init__.py`, `index.ts`) stands for its directory's name. The test must look
/// like one: an affix was removed, or it lies in a test directory.
pub fn related_test(source: &str, test: &str) -> bool {
    if source == test {
        return false;
    }
    let (sdir, sname) = source.rsplit_once('/').unwrap_or(("", source));
    let (tdir, tname) = test.rsplit_once('/').unwrap_or(("", test));
    let in_test_dir = tdir
        .split('/')
        .any(|s| matches!(s, "tests" | "test" | "__tests__" | "spec" | "specs"));
    let t_stem = strip_ext(tname);
    let (t_core, affixed) = strip_test_affixes(t_stem);
    if !affixed && !in_test_dir {
        return false;
    }
    let s_stem = match strip_ext(sname) {
        "mod" | "__init__" | "index" => sdir.rsplit('/').next().unwrap_or(""),
        s => s,
    };
    if !t_core.is_empty() && t_core == s_stem {
        return true;
    }
    if matches!(sname, "lib.rs" | "main.rs") && tname.ends_with(".rs") {
        let crate_of = |dir: &str, leaf: &str| -> Option<String> {
            let d = dir.strip_suffix(leaf)?;
            (d.is_empty() || d.ends_with('/')).then(|| d.to_string())
        };
        if let (Some(a), Some(b)) = (crate_of(sdir, "src"), crate_of(tdir, "tests")) {
            return a == b;
        }
    }
    false
}

fn strip_ext(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// `test_x` / `x_test` / `x.test` / `XTest` / `XIT` → `x`, with whether an affix went.
fn strip_test_affixes(stem: &str) -> (&str, bool) {
    for p in ["test_", "test-", "tests_"] {
        if let Some(r) = stem.strip_prefix(p) {
            return (r, true);
        }
    }
    // JUnit 3 style `TestFoo`.
    if let Some(r) = stem.strip_prefix("Test") {
        if r.starts_with(|c: char| c.is_ascii_uppercase()) {
            return (r, true);
        }
    }
    for s in [
        ".test", ".spec", "_test", "_tests", "_spec", "-test", "-spec", ".e2e", "Tests", "Test",
        "IT", "Spec",
    ] {
        if let Some(r) = stem.strip_suffix(s) {
            if !r.is_empty() {
                return (r, true);
            }
        }
    }
    (stem, false)
}

#[cfg(test)]
mod tests;
