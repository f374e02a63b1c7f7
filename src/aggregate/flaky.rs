//! Flaky tests across the organisation, from each repository's last results in the history
//! (at most [`KEEP`]) and this snapshot's: a test is listed when its outcome flipped on one
//! commit (it failed in one result and did not in another of the same commit), or when it
//! was flaky (failed, then passed on a retry) in two results or more.
//!
//! Only results that record their tests count (history version 2 and this snapshot's); a
//! result whose failing list was cut
//! ([`TESTS_PER_ENTRY`](super::history::TESTS_PER_ENTRY)) cannot say a test passed, so it
//! never makes the "did not fail" side of a flip.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::history::{Entry, KEEP};

/// Tests listed in aggregate.json at most (worst first); `total` counts them all.
pub(crate) const LISTED: usize = 200;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Flaky {
    /// Results looked at (those that record their tests).
    pub results: usize,
    /// Tests found; `tests` lists the worst [`LISTED`] of them.
    pub total: usize,
    /// Worst first: the most commits with a flip, then the most results flaky in, then the
    /// most failures; then by repository, project and test.
    pub tests: Vec<FlakyTest>,
    /// Per repository, the same order over its tests' sums.
    pub by_repository: Vec<FlakyRepository>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlakyTest {
    pub repository: String,
    pub project: String,
    pub path: String,
    pub test: String,
    /// Commits on which it failed in one result and did not in another.
    pub flips: usize,
    /// Results in which it was flaky (failed, then passed on a retry).
    pub flaky_in: usize,
    /// Results in which it failed.
    pub failed_in: usize,
    /// Results of its project looked at.
    pub results: usize,
    /// The stamp time of the latest result in which it failed or was flaky.
    pub last_seen: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlakyRepository {
    pub repository: String,
    /// Its tests listed.
    pub tests: usize,
    pub flips: usize,
    pub flaky_in: usize,
}

/// Per project: how many results it has, and what they say per test.
type ProjectTests<'a> = (usize, HashMap<&'a str, Acc<'a>>);

#[derive(Default)]
struct Acc<'a> {
    flaky_in: usize,
    failed_in: usize,
    /// Commits it failed on, and commits it was seen not failing on (complete lists only).
    failed_on: HashSet<&'a str>,
    passed_on: HashSet<&'a str>,
    last_seen: &'a str,
    last_secs: i64,
}

/// The flaky tests of `repos` (each repository's history entries and its entry for this
/// snapshot).
pub(crate) fn build(repos: &[(&[Entry], &Entry)]) -> Flaky {
    let mut out = Flaky::default();
    let mut all = Vec::new();
    for (list, cur) in repos {
        // Its last KEEP results with their tests, this one included once.
        let mut results: Vec<&Entry> = list
            .iter()
            .filter(|e| e.has_details() && !e.same_run(cur))
            .collect();
        results.push(cur);
        results.sort_by_key(|e| e.secs());
        let skip = results.len().saturating_sub(KEEP);
        let results = &results[skip..];
        out.results += results.len();
        // Per project (path, name): per test, what the results say.
        let mut projects: BTreeMap<(&str, &str), ProjectTests> = BTreeMap::new();
        for e in results {
            let commit = e.commit.as_deref().unwrap_or(&e.time);
            for p in &e.projects {
                let (seen, tests) = projects.entry((&p.path, &p.name)).or_default();
                *seen += 1;
                for t in &p.failing_tests {
                    let a = tests.entry(t).or_default();
                    a.failed_in += 1;
                    a.failed_on.insert(commit);
                    a.seen(e);
                }
                for t in &p.flaky_tests {
                    let a = tests.entry(t).or_default();
                    a.flaky_in += 1;
                    a.seen(e);
                }
            }
        }
        // Once every test is known: a result with a whole failing list says that each test
        // not in it did not fail, on its commit.
        for e in results {
            let commit = e.commit.as_deref().unwrap_or(&e.time);
            for p in e.projects.iter().filter(|p| p.failing_tests_more == 0) {
                let Some((_, tests)) = projects.get_mut(&(p.path.as_str(), p.name.as_str())) else {
                    continue;
                };
                let failing: HashSet<&str> = p.failing_tests.iter().map(String::as_str).collect();
                for (t, a) in tests.iter_mut() {
                    if !failing.contains(t) {
                        a.passed_on.insert(commit);
                    }
                }
            }
        }
        let mut repo = FlakyRepository {
            repository: cur.repository.clone(),
            tests: 0,
            flips: 0,
            flaky_in: 0,
        };
        for ((path, name), (seen, tests)) in projects {
            for (test, a) in tests {
                let flips = a.failed_on.intersection(&a.passed_on).count();
                if flips == 0 && a.flaky_in < 2 {
                    continue;
                }
                repo.tests += 1;
                repo.flips += flips;
                repo.flaky_in += a.flaky_in;
                all.push(FlakyTest {
                    repository: cur.repository.clone(),
                    project: name.to_string(),
                    path: path.to_string(),
                    test: test.to_string(),
                    flips,
                    flaky_in: a.flaky_in,
                    failed_in: a.failed_in,
                    results: seen,
                    last_seen: a.last_seen.to_string(),
                });
            }
        }
        if repo.tests > 0 {
            out.by_repository.push(repo);
        }
    }
    all.sort_by(|a, b| {
        (b.flips, b.flaky_in, b.failed_in)
            .cmp(&(a.flips, a.flaky_in, a.failed_in))
            .then_with(|| {
                (&a.repository, &a.project, &a.test).cmp(&(&b.repository, &b.project, &b.test))
            })
    });
    out.by_repository.sort_by(|a, b| {
        (b.flips, b.flaky_in, b.tests)
            .cmp(&(a.flips, a.flaky_in, a.tests))
            .then_with(|| a.repository.cmp(&b.repository))
    });
    out.total = all.len();
    all.truncate(LISTED);
    out.tests = all;
    out
}

impl<'a> Acc<'a> {
    fn seen(&mut self, e: &'a Entry) {
        let secs = e.secs();
        if self.last_seen.is_empty() || secs >= self.last_secs {
            self.last_seen = &e.time;
            self.last_secs = secs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::EntryProject;
    use super::*;

    fn entry(commit: &str, time: &str, failing: &[&str], flaky: &[&str]) -> Entry {
        Entry {
            history_version: 2,
            repository: "github.com/acme/kv".to_string(),
            commit: Some(commit.to_string()),
            time: time.to_string(),
            snapshot: time.to_string(),
            projects: vec![EntryProject {
                path: ".".to_string(),
                name: "kv".to_string(),
                level: 1,
                required_level: 1,
                failing: Vec::new(),
                flaky_tests: flaky.iter().map(|s| s.to_string()).collect(),
                flaky_tests_more: 0,
                failing_tests: failing.iter().map(|s| s.to_string()).collect(),
                failing_tests_more: 0,
            }],
        }
    }

    #[test]
    fn flips_on_one_commit_and_repeated_flakes_are_listed_worst_first() {
        let history = [
            entry(
                "c1",
                "2025-01-01T00:00:00Z",
                &["t_flip", "t_broken"],
                &["t_retry"],
            ),
            // A re-run of c1: t_flip passes now; t_broken still fails.
            entry("c1", "2025-01-01T01:00:00Z", &["t_broken"], &[]),
            entry("c2", "2025-01-02T00:00:00Z", &["t_broken"], &["t_retry"]),
        ];
        let cur = entry("c3", "2025-01-03T00:00:00Z", &[], &["t_once"]);
        let f = build(&[(&history[..], &cur)]);
        assert_eq!(f.results, 4);
        let names: Vec<&str> = f.tests.iter().map(|t| t.test.as_str()).collect();
        // t_broken fails on c1 and c2 but never passes on a commit it failed on: not flaky.
        // t_once was flaky once only.
        assert_eq!(names, ["t_flip", "t_retry"]);
        assert_eq!((f.tests[0].flips, f.tests[0].failed_in), (1, 1));
        assert_eq!(f.tests[1].flaky_in, 2);
        assert_eq!(f.tests[1].last_seen, "2025-01-02T00:00:00Z");
        assert_eq!(f.by_repository.len(), 1);
        assert_eq!(f.by_repository[0].tests, 2);

        // A cut failing list cannot say that a test passed.
        let mut cut = history[1].clone();
        cut.projects[0].failing_tests_more = 3;
        let f = build(&[(&[history[0].clone(), cut][..], &cur)]);
        assert!(f.tests.is_empty(), "{:?}", f.tests);

        // Version 1 entries record no tests: not counted at all.
        let mut old = history[1].clone();
        old.history_version = 1;
        let f = build(&[(&[history[0].clone(), old][..], &cur)]);
        assert_eq!(f.results, 2);
    }
}
