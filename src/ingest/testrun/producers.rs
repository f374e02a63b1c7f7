//! What JUnit producers leave in their files that tells them apart, and their quirks: the
//! producer a file's markers name (which decides what a repeated testcase means), node:test's
//! totals in comments, mocha's hook pseudo-testcases, Surefire's JVM system properties.

use crate::model::{Repeats, TestRun};

/// The producer of a JUnit file, told by its default root name (`<testsuites name=…>`), a
/// suite named `pytest`, or gotestsum's `go.version` property. It decides what a repeated
/// testcase means ([`Repeats`]) and which pseudo-testcases are read how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Producer {
    #[default]
    Unknown,
    /// pytest: node ids are unique; pytest-rerunfailures writes failed attempts as empty
    /// testcases before the last one ([`Repeats::Reruns`]).
    Pytest,
    /// cargo-nextest: libtest names are unique; reruns are `flakyFailure`/`rerunFailure`.
    Nextest,
    /// gotestsum / go-junit-report: names unique within a package; `-count`, `--rerun-fails`.
    Go,
    /// vitest: one `<failure>` per attempt of a test that failed every retry.
    Vitest,
    Jest,
    Mocha,
}

impl Producer {
    pub(super) fn repeats(self) -> Repeats {
        match self {
            Producer::Pytest => Repeats::Reruns,
            Producer::Nextest | Producer::Go => Repeats::Attempts,
            _ => Repeats::Distinct,
        }
    }
}

/// node:test's run totals, which its JUnit reporter writes only as comments at the end of
/// `<testsuites>` (`<!-- tests 17 -->`, `<!-- pass 9 -->`, `<!-- fail 5 -->`, …).
#[derive(Default)]
pub(super) struct NodeTotals {
    pub(super) tests: Option<u64>,
    pub(super) fail: Option<u64>,
    pub(super) skipped: Option<u64>,
    pub(super) todo: Option<u64>,
}

pub(super) fn node_totals(comments: &[String]) -> Option<NodeTotals> {
    let mut t = NodeTotals::default();
    for c in comments {
        let Some((key, n)) = c.split_once(' ') else {
            continue;
        };
        let Ok(n) = n.trim().parse::<u64>() else {
            continue;
        };
        match key {
            "tests" => t.tests = Some(n),
            "fail" => t.fail = Some(n),
            "skipped" => t.skipped = Some(n),
            "todo" => t.todo = Some(n),
            _ => {}
        }
    }
    t.tests.is_some().then_some(t)
}

impl NodeTotals {
    /// A warning when node's figures differ from the testcases read: node counts a test with
    /// subtests as a test (written as a `<testsuite>`) and a todo apart from failures.
    pub(super) fn disagreement(&self, run: &TestRun) -> Option<String> {
        let t = run.totals();
        let skipped = self.skipped.unwrap_or(0) + self.todo.unwrap_or(0);
        let same = self.tests == Some(t.tests)
            && self.fail.is_none_or(|f| f == t.failed + t.errors)
            && skipped == t.skipped;
        (!same).then(|| {
            format!(
                "the producer's totals (node:test comments: tests {}, fail {}, skipped {}, todo {}) differ from the {} testcases read: node counts a test with subtests, written as a <testsuite>, as a test too; the testcases are used",
                self.tests.unwrap_or(0),
                self.fail.unwrap_or(0),
                self.skipped.unwrap_or(0),
                self.todo.unwrap_or(0),
                t.tests
            )
        })
    }
}

/// Whether `b` holds a `"`, eight bytes at a time. Not [`crate::ingest::swar::find`]: no
/// position is wanted, and this loop is ~1 M instructions cheaper on 35,000 test names.
fn has_quote(b: &[u8]) -> bool {
    use crate::ingest::swar;
    let mut words = b.chunks_exact(8);
    if words
        .by_ref()
        .any(|w| swar::equal(swar::word(w), b'"') != 0)
    {
        return true;
    }
    words.remainder().contains(&b'"')
}

/// A mocha-junit-reporter pseudo-testcase for a failed hook: `suite "before all" hook for
/// "first test"`.
pub(super) fn is_mocha_hook(name: &str) -> bool {
    // Asked of every testcase: a word-at-a-time scan for `"` rules out almost all of them (a
    // substring search costs ~10x more per name, a memchr call or a byte loop ~90
    // instructions a name), then one search for the common part.
    if !has_quote(name.as_bytes()) || !name.contains("\" hook") {
        return false;
    }
    [
        "\"before all\" hook",
        "\"after all\" hook",
        "\"before each\" hook",
        "\"after each\" hook",
    ]
    .iter()
    .any(|h| name.contains(h))
}

/// JVM system properties Surefire writes at suite level (machine description, not test data).
pub(super) fn is_system_property(name: &str) -> bool {
    const PREFIXES: [&str; 12] = [
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "os.",
        "user.",
        "file.",
        "line.",
        "path.",
        "awt.",
        "surefire.",
        "maven.",
    ];
    const NAMES: [&str; 6] = [
        "basedir",
        "localRepository",
        "native.encoding",
        "stdout.encoding",
        "stderr.encoding",
        "idea.version",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_quote_agrees_with_a_byte_scan() {
        let base = b"testEdge<case>_003 \xc3\xa9 abcdefghijklmnop";
        for len in 0..base.len() {
            for at in 0..=len {
                let mut v = base[..len].to_vec();
                if at < len {
                    v[at] = b'"';
                }
                assert_eq!(has_quote(&v), v.contains(&b'"'), "{v:?}");
            }
        }
        assert!(is_mocha_hook(r#"suite "before all" hook for "first test""#));
        assert!(!is_mocha_hook("testParse_000"));
    }
}
