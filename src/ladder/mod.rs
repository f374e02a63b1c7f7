//! The Test Certified ladder: every criterion as data (id, level, what it means, how it is
//! measured, how to meet it, which rule judges it), one small function per rule in
//! `l1.rs` … `l5.rs`, what they read in `figures.rs`, and [`eval`] running them. A
//! project's level is the highest N with every criterion of 1..=N met or waived.

pub mod eval;
mod figures;
mod l1;
mod l2;
mod l3;
mod l4;
mod l5;

/// A criterion of the ladder.
#[derive(Debug)]
pub(crate) struct Criterion {
    /// Stable id (`L2.small-incremental`).
    pub id: &'static str,
    pub level: u8,
    /// The program's name for it.
    pub title: &'static str,
    /// When it is met, as testcert measures it.
    pub measured: &'static str,
    /// What to do to meet it.
    pub how_to: &'static str,
    /// The function that judges it (`eval` matches on it).
    pub rule: Rule,
}

/// One variant per criterion, named after its id (`L2.small-incremental` →
/// `L2SmallIncremental`; a test holds every row to that).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    L1Coverage,
    L1Ci,
    L1Sizes,
    L1Flaky,
    L1Smoke,
    L2Green,
    L2SmokeGate,
    L2Incremental,
    L2SmallIncremental,
    L2Integration,
    L3TestsForChanges,
    L3SmallIncremental,
    L3IntegrationNew,
    L4SmokeAutomated,
    L4SmokeFast,
    L4NoFlaky,
    L4Total,
    L4SmallTotal,
    L4IntegrationAll,
    L5BugfixTests,
    L5Analysis,
    L5Total,
    L5SmallTotal,
}

/// Every criterion, in ladder order.
pub(crate) const CRITERIA: &[Criterion] = &[
    Criterion {
        id: "L1.coverage",
        level: 1,
        title: "Set up test coverage bundles",
        measured: "At least one coverage report is attributed to the project and has executable lines.",
        how_to: "Make the test run write a coverage report (cargo llvm-cov --lcov, pytest --cov --cov-report=xml, jest --coverage, go test -coverprofile, JaCoCo) where testcert finds it (the default globs, or [reports] include).",
        rule: Rule::L1Coverage,
    },
    Criterion {
        id: "L1.ci",
        level: 1,
        title: "Set up a continuous build",
        measured: "The repository has a CI definition (GitHub Actions, GitLab CI, CircleCI, Jenkins, Azure Pipelines, Buildkite, Travis, Bitbucket, Woodpecker, ...), or the check runs inside CI.",
        how_to: "Add a CI workflow that builds and tests on every push (e.g. .github/workflows/ci.yml).",
        rule: Rule::L1Ci,
    },
    Criterion {
        id: "L1.sizes",
        level: 1,
        title: "Classify your tests as Small, Medium, and Large",
        measured: "Every test case has a size: from a size/TEST_SIZE property or tag in the report, a [[size]] rule of the config, or an ecosystem default (Rust unit tests are small, tests/*.rs targets medium; unit/integration/e2e path segments elsewhere).",
        how_to: "Add [[size]] rules to testcert.toml (glob over suite, class, name or file) or a size property to the tests; aim for about 70% small, 20% medium, 10% large.",
        rule: Rule::L1Sizes,
    },
    Criterion {
        id: "L1.flaky",
        level: 1,
        title: "Identify nondeterministic (flaky) tests",
        measured: "The project has a mechanism that finds flaky tests (a flaky test itself is not one): retries configured where its runner reads them (nextest retries in .config/nextest.toml for the default profile or one CI selects, pytest-rerunfailures --reruns or the plugin declared, jest retryTimes, vitest retry, Playwright retries, Surefire/Failsafe rerunFailingTestsCount, Gradle test-retry, gotestsum --rerun-fails, Bazel flaky_test_attempts / flaky = True, dotnet test --retry-failed-tests; in the tool's config or the CI definitions), retry records in its test reports, a [flaky] quarantine list in the config (an empty quarantine = [] counts), or the same tests run in more than one report (outcomes compared).",
        how_to: "Make the runner retry failures and record it (nextest retries = 2 in .config/nextest.toml, pytest --reruns 2, jest.retryTimes(2), vitest retry: 2, Surefire rerunFailingTestsCount, gotestsum --rerun-fails), or declare [flaky] quarantine = [] in testcert.toml and list flaky tests there as you find them.",
        rule: Rule::L1Flaky,
    },
    Criterion {
        id: "L1.smoke",
        level: 1,
        title: "Create a smoke test suite",
        measured: "At least one test matches the smoke selector ([smoke] globs/tags; default: \"smoke\" in the suite, class or test name, or a smoke tag or property).",
        how_to: "Name a quick end-to-end suite *smoke* (or tag its tests smoke), or point [smoke] globs at it.",
        rule: Rule::L1Smoke,
    },
    Criterion {
        id: "L2.green",
        level: 2,
        title: "No releases with red tests",
        measured: "Tests ran, and none failed or errored (quarantined tests are listed, not counted; a test that passed on a retry is flaky, not failed).",
        how_to: "Fix or quarantine the failing tests listed.",
        rule: Rule::L2Green,
    },
    Criterion {
        id: "L2.smoke-gate",
        level: 2,
        title: "Require a smoke test suite to pass before a submit",
        measured: "The smoke tests ran and passed, and a CI definition runs on pull/merge requests.",
        how_to: "Run the smoke suite in a CI job triggered on pull_request (GitHub) / merge_request_event (GitLab) and make it a required check.",
        rule: Rule::L2SmokeGate,
    },
    Criterion {
        id: "L2.incremental",
        level: 2,
        title: "Incremental coverage by all tests >= 50%",
        measured: "Covered changed executable lines / changed executable lines, over all coverage reports, is at least the threshold (default 50%). Changed lines come from git diff against the base; without one every executable line counts.",
        how_to: "Add tests that execute the uncovered changed lines listed.",
        rule: Rule::L2Incremental,
    },
    Criterion {
        id: "L2.small-incremental",
        level: 2,
        title: "Incremental coverage by small tests >= 10%",
        measured: "Incremental coverage by small tests only is at least the threshold (default 10%): lines covered in coverage reports tagged size = \"small\", or, from one run, lines a small test ran according to the report's per-test contexts (coverage.py --cov-context=test with coverage json --show-contexts; LCOV TN: sections per test).",
        how_to: "Run the small (unit) tests alone with coverage and tag that report: [[reports.tag]] glob = \"...\", size = \"small\"; then add unit tests for the changed lines.",
        rule: Rule::L2SmallIncremental,
    },
    Criterion {
        id: "L2.integration",
        level: 2,
        title: "At least one feature tested by an integration test",
        measured: "At least one medium or large test ran and passed.",
        how_to: "Add an integration test (Rust: a tests/*.rs target; elsewhere size it medium with a [[size]] rule or a property).",
        rule: Rule::L2Integration,
    },
    Criterion {
        id: "L3.tests-for-changes",
        level: 3,
        title: "Require tests for all nontrivial changes",
        measured: "Decided per changed function where the coverage report lists functions (LCOV FN/FNL, Cobertura <method>, JaCoCo <method>, llvm-cov functions, coverage.py function regions, Istanbul fnMap; a function without an end line reaches to the next one), else per block of consecutive changed lines (a diff hunk): every such unit with at least N changed executable lines (default 10) has some of them covered, and so does every file with N in all, unless the change also changes a test file for it (same file stem, e.g. parser.py / test_parser.py). The detail names the uncovered functions with file:line.",
        how_to: "Add tests that run the listed functions or lines, or change their file's tests in the same change.",
        rule: Rule::L3TestsForChanges,
    },
    Criterion {
        id: "L3.small-incremental",
        level: 3,
        title: "Incremental coverage by small tests >= 50%",
        measured: "As L2.small-incremental, at the level 3 threshold (default 50%).",
        how_to: "Add unit (small) tests for the changed lines listed.",
        rule: Rule::L3SmallIncremental,
    },
    Criterion {
        id: "L3.integration-new",
        level: 3,
        title: "New significant features are tested by integration tests",
        measured: "Every changed source file with at least M changed executable lines (default 50) has changed lines covered by medium/large-tagged coverage, or the change adds or changes a test file holding medium/large tests.",
        how_to: "Add or extend an integration test that exercises the listed files, and tag the coverage of the integration run (size = \"medium\").",
        rule: Rule::L3IntegrationNew,
    },
    Criterion {
        id: "L4.smoke-automated",
        level: 4,
        title: "Automate running of smoke tests before submitting new code",
        measured: "Smoke tests ran in a pull/merge-request CI run (this check runs in a pull-request build and the smoke tests are in its reports).",
        how_to: "Run testcert in the pull-request workflow, after the smoke suite.",
        rule: Rule::L4SmokeAutomated,
    },
    Criterion {
        id: "L4.smoke-fast",
        level: 4,
        title: "Smoke tests take less than 30 minutes",
        measured: "The smoke tests' summed durations are below the threshold (default 30 minutes).",
        how_to: "Trim or parallelise the smoke suite.",
        rule: Rule::L4SmokeFast,
    },
    Criterion {
        id: "L4.no-flaky",
        level: 4,
        title: "No nondeterministic tests",
        measured: "No flaky test found and the quarantine list is empty.",
        how_to: "Fix the flaky tests listed and empty the quarantine.",
        rule: Rule::L4NoFlaky,
    },
    Criterion {
        id: "L4.total",
        level: 4,
        title: "Total test coverage at least 40%",
        measured: "Total line coverage over all reports is at least the threshold (default 40%).",
        how_to: "Add tests for the least covered files.",
        rule: Rule::L4Total,
    },
    Criterion {
        id: "L4.small-total",
        level: 4,
        title: "Coverage from small tests alone at least 25%",
        measured: "Total line coverage of small-tagged reports is at least the threshold (default 25%).",
        how_to: "Add unit tests; tag the unit-test coverage report size = \"small\".",
        rule: Rule::L4SmallTotal,
    },
    Criterion {
        id: "L4.integration-all",
        level: 4,
        title: "All significant features are tested by integration tests",
        measured: "Every source file with at least M executable lines (default 50) has lines covered by medium/large-tagged coverage.",
        how_to: "Extend the integration tests to the listed files and tag their coverage size = \"medium\".",
        rule: Rule::L4IntegrationAll,
    },
    Criterion {
        id: "L5.bugfix-tests",
        level: 5,
        title: "Add a test for each nontrivial bug fix",
        measured: "Every commit in base..HEAD whose subject reads as a fix ([change] fix_words) and that changes at least N lines of source also changes a test file.",
        how_to: "Add a regression test in the same commit as each fix.",
        rule: Rule::L5BugfixTests,
    },
    Criterion {
        id: "L5.analysis",
        level: 5,
        title: "Actively use available analysis tools",
        measured: "CI calls a static analyser (clippy, eslint, ruff, golangci-lint, CodeQL, semgrep, Sonar, ...) or SARIF reports are present.",
        how_to: "Run a linter or static analyser in CI.",
        rule: Rule::L5Analysis,
    },
    Criterion {
        id: "L5.total",
        level: 5,
        title: "Total test coverage at least 60%",
        measured: "Total line coverage is at least the threshold (default 60%).",
        how_to: "Add tests for the least covered files.",
        rule: Rule::L5Total,
    },
    Criterion {
        id: "L5.small-total",
        level: 5,
        title: "Coverage from small tests alone at least 40%",
        measured: "Total line coverage of small-tagged reports is at least the threshold (default 40%).",
        how_to: "Add unit tests for the least covered files.",
        rule: Rule::L5SmallTotal,
    },
];

/// The criterion with `id`, if any (case-insensitive).
pub(crate) fn criterion(id: &str) -> Option<&'static Criterion> {
    CRITERIA.iter().find(|c| c.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_ordered() {
        for w in CRITERIA.windows(2) {
            assert!(w[0].level <= w[1].level);
        }
        let mut ids: Vec<_> = CRITERIA.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CRITERIA.len());
        for c in CRITERIA {
            assert!(c.id.starts_with(&format!("L{}.", c.level)), "{}", c.id);
        }
        assert!(criterion("l2.green").is_some());
    }
}
