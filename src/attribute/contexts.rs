//! Small (and medium/large) coverage derived from one run: the per-test contexts of a
//! coverage report (coverage.py `--show-contexts`, LCOV `TN:` sections), each sized by the
//! size rules as its test would be.

use super::*;

impl Ctx<'_> {
    /// The size of every context of a coverage report (its test's, by the size rules), and
    /// the contexts of each of its files; `None` (explained) when no context could be sized.
    pub(super) fn sized_contexts(
        &self,
        file: &ReportFile,
        contexts: &TestContexts,
        roots: &[String],
        explain: &mut Vec<Explanation>,
    ) -> Option<SizedContexts> {
        let report_owner = self.owner(&file.path);
        let mut name_roots: Vec<String> = roots.to_vec();
        if let Some(i) = report_owner {
            name_roots.push(self.projects[i].path.clone());
        }
        name_roots.retain(|r| !r.is_empty());
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let sizes: Vec<ContextSize> = contexts
            .names
            .iter()
            .map(|name| {
                let size = self.context_size(name, &name_roots);
                *counts
                    .entry(match size {
                        ContextSize::AnyRun => "outside tests",
                        ContextSize::Sized(Size::Small) => "small",
                        ContextSize::Sized(Size::Medium) => "medium",
                        ContextSize::Sized(Size::Large) => "large",
                        ContextSize::Unsized => "unsized",
                    })
                    .or_default() += 1;
                size
            })
            .collect();
        let any_small = sizes.contains(&ContextSize::Sized(Size::Small));
        let any_large = sizes
            .iter()
            .any(|s| matches!(s, ContextSize::Sized(Size::Medium | Size::Large)));
        let shown: Vec<String> = ["small", "medium", "large", "unsized", "outside tests"]
            .iter()
            .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
            .collect();
        if !any_small && !any_large {
            explain.push(Explanation {
                subject: format!("{} :: contexts", file.path),
                project: None,
                reason: format!(
                    "per-test contexts ({}) but no test of them could be sized: no small-test \
                     coverage derived",
                    shown.join(", ")
                ),
            });
            return None;
        }
        explain.push(Explanation {
            subject: format!("{} :: contexts", file.path),
            project: None,
            reason: format!(
                "small-test coverage derived from the per-test contexts: {} (a line counts \
                 for a size when a test of that size ran it; code run outside tests, at \
                 import, counts for every size)",
                shown.join(", ")
            ),
        });
        let mut by_file: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (path, lines) in &contexts.files {
            by_file.entry(path.clone()).or_default().extend(lines);
        }
        for v in by_file.values_mut() {
            v.sort_unstable();
        }
        Some(SizedContexts {
            sizes,
            by_file,
            any_small,
            any_large,
        })
    }

    /// The size of the test a context names: a coverage.py context
    /// (`tests/unit/test_x.py::TestC::test_y|run` → the test `test_y` of class `TestC` in
    /// that file) or an LCOV test name (a size word itself, else sized as a suite name).
    fn context_size(&self, name: &str, roots: &[String]) -> ContextSize {
        let name = name.trim();
        if name.is_empty() {
            return ContextSize::AnyRun;
        }
        if let Some(s) = Size::parse(name) {
            return ContextSize::Sized(s);
        }
        let test = name.rsplit_once('|').map_or(name, |(t, _)| t);
        let mut parts = test.split("::");
        let first = parts.next().unwrap_or(test);
        let rest: Vec<&str> = parts.collect();
        let mut case = TestCase::new(
            first,
            rest.last().copied().unwrap_or(first),
            Outcome::Passed,
        );
        if rest.len() > 1 {
            case.class = Some(SharedStr::from(rest[..rest.len() - 1].join("::").as_str()));
        }
        if first.contains('.') || first.contains('/') {
            let m = self.mapper.map(first, roots);
            case.file = Some(m.path.into());
        }
        match self.classifier.size(&case, &mut SizeCache::default()).0 {
            Some(s) => ContextSize::Sized(s),
            None => ContextSize::Unsized,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ContextSize {
    /// Code run outside any test (coverage.py's empty context: imports, collection): any
    /// run of any subset of the tests runs it too.
    AnyRun,
    Sized(Size),
    Unsized,
}

/// A report's contexts, sized, and the contexts of each of its files.
pub(super) struct SizedContexts {
    sizes: Vec<ContextSize>,
    /// Report path → (line, context) pairs, sorted.
    by_file: HashMap<String, Vec<(u32, u32)>>,
    pub(super) any_small: bool,
    pub(super) any_large: bool,
}

impl SizedContexts {
    /// The small-test and the medium/large-test views of `f` (report path), at `path`:
    /// the same executable lines, covered when a test of that size (or code outside tests)
    /// ran them.
    pub(super) fn split(&self, f: &FileCoverage, path: &str) -> (FileCoverage, FileCoverage) {
        let ctx = self.by_file.get(&f.path).map_or(&[][..], Vec::as_slice);
        let mut small = FileCoverage::new(path);
        let mut large = FileCoverage::new(path);
        for l in &f.lines {
            let start = ctx.partition_point(|&(line, _)| line < l.line);
            let (mut s, mut g) = (false, false);
            for &(_, c) in ctx[start..].iter().take_while(|&&(line, _)| line == l.line) {
                match self.sizes.get(c as usize) {
                    Some(ContextSize::AnyRun) => (s, g) = (true, true),
                    Some(ContextSize::Sized(Size::Small)) => s = true,
                    Some(ContextSize::Sized(Size::Medium | Size::Large)) => g = true,
                    _ => {}
                }
            }
            let hit = l.hits > 0;
            small.add_line(l.line, u64::from(hit && s));
            large.add_line(l.line, u64::from(hit && g));
        }
        (small, large)
    }
}
