use std::path::PathBuf;

use super::*;
use crate::config::Size;
use crate::evidence::SizeSource;
use crate::ingest::{Ctx as ReportCtx, Format};
use crate::model::{Outcome, TestRun};

const CI: &str = "/home/runner/work/x/x";

fn project(name: &str, path: &str) -> Project {
    Project {
        name: name.into(),
        path: path.into(),
        found_by: "test".into(),
    }
}

/// A workspace: the root, two crates (one nested in the other), a Maven module, a Go
/// service and a Python app.
fn workspace() -> (Vec<Project>, PathMapper) {
    let projects = vec![
        project("ws", ""),
        project("core-lib", "crates/core"),
        project("extra", "crates/core/plugins/extra"),
        project("api", "services/api"),
        project("svc", "svc"),
        project("pyapp", "py"),
    ];
    let files = [
        "Cargo.toml",
        "crates/core/Cargo.toml",
        "crates/core/src/lib.rs",
        "crates/core/tests/integration.rs",
        "crates/core/plugins/extra/Cargo.toml",
        "crates/core/plugins/extra/src/lib.rs",
        "crates/core/plugins/extra/src/bin/tool.rs",
        "services/api/pom.xml",
        "services/api/src/main/java/com/example/api/Handler.java",
        "services/api/src/test/java/com/example/api/HandlerTest.java",
        "svc/go.mod",
        "svc/pkg/handler.go",
        "svc/pkg/handler_test.go",
        "py/pyproject.toml",
        "py/app/x.py",
        "py/tests/test_x.py",
        "tools/script.sh",
    ];
    let mapper = PathMapper::from_files("/repo", files.map(String::from));
    (projects, mapper)
}

fn lcov(path: &str, size: Option<Size>, files: &[(&str, &[(u32, u64)])]) -> (ReportFile, Report) {
    let mut cov = Coverage::new();
    for (f, lines) in files {
        let fc = cov.file_mut(f);
        for &(l, h) in lines.iter() {
            fc.add_line(l, h);
        }
    }
    cov.finish();
    report(path, size, Format::Lcov, Data::Coverage(cov))
}

fn junit(path: &str, cases: Vec<TestCase>) -> (ReportFile, Report) {
    let mut run = TestRun::new();
    for c in cases {
        run.push(c);
    }
    run.finish();
    report(path, None, Format::Junit, Data::Tests(run))
}

fn report(path: &str, size: Option<Size>, format: Format, data: Data) -> (ReportFile, Report) {
    (
        ReportFile {
            path: path.into(),
            size,
        },
        Report {
            path: PathBuf::from("/repo").join(path),
            format,
            data,
            ctx: ReportCtx::default(),
        },
    )
}

fn case(suite: &str, class: Option<&str>, name: &str) -> TestCase {
    let mut c = TestCase::new(suite, name, Outcome::Passed);
    c.class = class.map(Into::into);
    c
}

fn run(
    projects: &[Project],
    mapper: &PathMapper,
    config: &Config,
    reports: Vec<(ReportFile, Report)>,
) -> (BTreeMap<String, Evidence>, Vec<Explanation>) {
    let (ev, ex, _) = run_warn(projects, mapper, config, reports);
    (ev, ex)
}

/// [`run`], with the warnings.
fn run_warn(
    projects: &[Project],
    mapper: &PathMapper,
    config: &Config,
    reports: Vec<(ReportFile, Report)>,
) -> (BTreeMap<String, Evidence>, Vec<Explanation>, Vec<String>) {
    let Attributed {
        evidence: ev,
        explanations: ex,
        warnings,
    } = attribute(projects, reports, config, Path::new("/nonexistent"), mapper);
    assert_eq!(ev.len(), projects.len());
    for (e, p) in ev.iter().zip(projects) {
        assert_eq!(&e.project, p, "same order as the projects");
    }
    (
        ev.into_iter()
            .map(|e| (e.project.name.clone(), e))
            .collect(),
        ex,
        warnings,
    )
}

fn paths(c: &Coverage) -> Vec<&str> {
    c.files().iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn coverage_goes_to_the_deepest_project_and_tagged_views() {
    let (projects, mapper) = workspace();
    let core = format!("{CI}/crates/core/src/lib.rs");
    let extra = format!("{CI}/crates/core/plugins/extra/src/lib.rs");
    let java = format!("{CI}/services/api/src/main/java/com/example/api/Handler.java");
    let reports = vec![
        lcov(
            "coverage/lcov.info",
            None,
            &[
                (&core, &[(1, 1), (2, 0)]),
                (&extra, &[(1, 0)]),
                (&java, &[(10, 3)]),
                ("/tmp/generated/gen.rs", &[(1, 1)]),
            ],
        ),
        lcov(
            "crates/core/coverage/small.lcov",
            Some(Size::Small),
            &[(&core, &[(2, 4)]), ("gen/out.rs", &[(1, 0)])],
        ),
        lcov(
            "coverage/e2e.lcov",
            Some(Size::Large),
            &[(&java, &[(11, 1)])],
        ),
    ];
    let (ev, ex) = run(&projects, &mapper, &Config::default(), reports);

    let c = &ev["core-lib"];
    // Unmapped files of a report go to the project containing the report.
    assert_eq!(paths(&c.coverage), ["crates/core/src/lib.rs", "gen/out.rs"]);
    // Merged line by line: line 2 is hit by the small run.
    assert_eq!(
        c.coverage.file("crates/core/src/lib.rs").unwrap().hits(2),
        Some(4)
    );
    assert_eq!(c.coverage.totals().lines.covered, 2);
    let small = c
        .coverage_small
        .as_ref()
        .expect("a small report touches core");
    assert_eq!(small.totals().lines.total, 2);
    assert!(c.coverage_large.is_none());
    assert_eq!(
        c.coverage_reports
            .iter()
            .map(|r| r.path.as_str())
            .collect::<Vec<_>>(),
        ["coverage/lcov.info", "crates/core/coverage/small.lcov"]
    );

    // Nested: the deepest project wins.
    assert_eq!(
        paths(&ev["extra"].coverage),
        ["crates/core/plugins/extra/src/lib.rs"]
    );
    assert!(ev["extra"].coverage_small.is_none());

    let api = &ev["api"];
    assert_eq!(api.coverage.totals().lines.total, 2);
    assert_eq!(
        paths(api.coverage_large.as_ref().unwrap()),
        ["services/api/src/main/java/com/example/api/Handler.java"]
    );
    assert_eq!(api.coverage_large.as_ref().unwrap().totals().lines.total, 1);
    assert_eq!(api.coverage_reports[1].size, Some(Size::Large));

    // The root project gets the unmapped file of the root-level report.
    assert_eq!(paths(&ev["ws"].coverage), ["/tmp/generated/gen.rs"]);
    assert!(ev["svc"].coverage.is_empty() && ev["svc"].coverage_reports.is_empty());

    let why = |subject: &str, project: &str| {
        ex.iter()
            .find(|e| e.subject == subject && e.project.as_deref() == Some(project))
            .map(|e| e.reason.clone())
            .unwrap_or_else(|| panic!("no explanation for {subject} → {project}: {ex:#?}"))
    };
    assert_eq!(
        why("coverage/lcov.info", "extra"),
        "1 source file in the project's directory crates/core/plugins/extra"
    );
    assert!(why("coverage/lcov.info", "ws").contains("/tmp/generated/gen.rs"));
    assert!(why("crates/core/coverage/small.lcov", "core-lib")
        .contains("given to the project containing the report"));
}

#[test]
fn files_outside_every_project_are_explained_not_attributed() {
    let (mut projects, mapper) = workspace();
    projects.remove(0); // no root project
    let reports = vec![lcov(
        "coverage/lcov.info",
        None,
        &[
            ("tools/script.sh", &[(1, 1)]),
            ("/elsewhere/x.rs", &[(1, 1)]),
        ],
    )];
    let (ev, ex, warnings) = run_warn(&projects, &mapper, &Config::default(), reports);
    // The unmapped file goes to no project (the report is in none): never to a sibling.
    assert!(
        ev.values().all(|e| e.coverage.files().is_empty()),
        "{ev:#?}"
    );
    let none: Vec<&str> = ex
        .iter()
        .filter(|e| e.project.is_none())
        .map(|e| e.reason.as_str())
        .collect();
    assert_eq!(
        none,
        [
            "1 source file in no project's directory (first: tools/script.sh): left out",
            "1 source file that map to no file under the root (first: /elsewhere/x.rs), and no \
             project contains the report: left out"
        ]
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("coverage/lcov.info: 1 source file maps to no file")
            && warnings[0].contains("/elsewhere/x.rs"),
        "{warnings:?}"
    );
}

#[test]
fn tests_by_file_names_and_location() {
    let (projects, mapper) = workspace();
    let nextest = |suite: &str, name: &str| case(suite, Some(suite), name);
    let mut with_file = case("pytest", Some("tests.test_x"), "test_file");
    with_file.file = Some(format!("{CI}/py/tests/test_x.py").into());
    let reports = vec![
        junit(
            "target/nextest/ci/junit.xml",
            vec![
                nextest("core-lib", "tests::a"),
                nextest("core_lib::integration", "b"),
                nextest("extra::bin/tool", "c"),
            ],
        ),
        junit(
            "reports/java.xml",
            vec![
                case(
                    "com.example.api.HandlerTest",
                    Some("com.example.api.HandlerTest"),
                    "t1",
                ),
                case("x", Some("com.example.api.HandlerTest$Nested"), "t2"),
                case("x", Some("com.example.api.OrderIT"), "t3"),
            ],
        ),
        junit(
            "reports/go.xml",
            vec![case("github.com/org/repo/svc/pkg", None, "TestHandler")],
        ),
        junit(
            "reports/py.xml",
            vec![
                with_file,
                case("pytest", Some("tests.test_x"), "test_a"),
                case("pytest", Some("tests.test_x.TestCls"), "test_b"),
            ],
        ),
        junit(
            "crates/core/reports/other.xml",
            vec![case("mystery", None, "m")],
        ),
        junit("out/x.xml", vec![case("mystery", None, "m2")]),
        junit("out/empty.xml", vec![]),
    ];
    let (ev, ex) = run(&projects, &mapper, &Config::default(), reports);
    let names = |p: &str| {
        ev[p]
            .tests
            .iter()
            .map(|t| t.case.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("core-lib"), ["tests::a", "b", "m"]);
    assert_eq!(names("extra"), ["c"]);
    assert_eq!(names("api"), ["t1", "t2", "t3"]);
    assert_eq!(names("svc"), ["TestHandler"]);
    assert_eq!(names("pyapp"), ["test_a", "test_file", "test_b"]);
    assert_eq!(names("ws"), ["m2"]);

    // Sizes: nextest binaries of known crates; `*IT`.
    let size = |p: &str, n: &str| {
        let t = ev[p].tests.iter().find(|t| t.case.name == n).unwrap();
        (t.size, t.size_source.clone())
    };
    assert_eq!(size("core-lib", "tests::a").0, Some(Size::Small));
    assert_eq!(size("core-lib", "b").0, Some(Size::Medium));
    assert_eq!(
        size("extra", "c"),
        (
            Some(Size::Small),
            SizeSource::Default("Rust unit test in the binary target bin/tool of extra".into())
        )
    );
    assert_eq!(size("api", "t3").0, Some(Size::Medium));
    assert_eq!(size("svc", "TestHandler"), (None, SizeSource::None));

    // The mapped file replaces the report's.
    let t = ev["pyapp"]
        .tests
        .iter()
        .find(|t| t.case.name == "test_file")
        .unwrap();
    assert_eq!(t.case.file.as_deref(), Some("py/tests/test_x.py"));
    assert_eq!(t.report, "reports/py.xml");

    assert_eq!(
        ev["core-lib"]
            .test_reports
            .iter()
            .map(|r| r.path.as_str())
            .collect::<Vec<_>>(),
        [
            "target/nextest/ci/junit.xml",
            "crates/core/reports/other.xml"
        ]
    );

    // One explanation per report and project, and per (report, suite) group.
    let why = |subject: &str| {
        ex.iter()
            .filter(|e| e.subject == subject)
            .map(|e| (e.project.clone().unwrap_or_default(), e.reason.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        why("target/nextest/ci/junit.xml :: core_lib::integration"),
        [(
            "core-lib".to_string(),
            "1 test: the suite core_lib::integration is the test binary integration of core_lib"
                .to_string()
        )]
    );
    assert_eq!(
        why("target/nextest/ci/junit.xml"),
        [
            ("core-lib".to_string(), "2 of 3 tests".to_string()),
            ("extra".to_string(), "1 of 3 tests".to_string())
        ]
    );
    let java = why("reports/java.xml :: x");
    assert_eq!(java.len(), 1, "{java:?}");
    assert_eq!(java[0].1, "2 tests: com.example.api.HandlerTest is the file services/api/src/test/java/com/example/api/HandlerTest.java");
    assert_eq!(
        why("reports/go.xml :: github.com/org/repo/svc/pkg")[0].1,
        "1 test: the Go package github.com/org/repo/svc/pkg is the directory svc/pkg"
    );
    // Two rules in one suite: two groups.
    let py = why("reports/py.xml :: pytest");
    assert_eq!(py.len(), 2, "{py:?}");
    assert!(py[0]
        .1
        .contains("the test file py/tests/test_x.py lies in it"));
    assert!(py[1]
        .1
        .starts_with("2 tests: tests.test_x is the file py/tests/test_x.py"));
    assert!(why("crates/core/reports/other.xml :: mystery")[0]
        .1
        .contains("the project containing the report"));
    assert_eq!(
        why("out/empty.xml"),
        [(String::new(), "no test cases".to_string())]
    );
}

#[test]
fn java_package_directory_and_ambiguity() {
    let projects = vec![project("a", "a"), project("b", "b")];
    let mapper = PathMapper::from_files(
        "/repo",
        [
            "a/src/test/java/org/acme/orders/OrderTest.java",
            "a/src/main/java/org/acme/orders/Order.java",
            "b/src/test/java/org/acme/util/UtilTest.java",
            "a/tests/test_common.py",
            "b/tests/test_common.py",
        ]
        .map(String::from),
    );
    let reports = vec![junit(
        "b/report.xml",
        vec![
            // No file of its own: its package directory is only in `a`.
            case("s", Some("org.acme.orders.GeneratedIT"), "t1"),
            // Ambiguous module: falls back to the report's project.
            case("s", Some("tests.test_common"), "t2"),
        ],
    )];
    let (ev, ex) = run(&projects, &mapper, &Config::default(), reports);
    assert_eq!(ev["a"].tests.len(), 1);
    assert_eq!(ev["b"].tests[0].case.name, "t2");
    let reasons: Vec<&str> = ex.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        reasons.contains(
            &"1 test: org.acme.orders.GeneratedIT's package is the directory \
              a/src/main/java/org/acme/orders (and 1 more)"
        ),
        "{reasons:#?}"
    );
}

#[test]
fn unplaced_tests_warn_and_quarantine() {
    let projects = vec![project("b", "x/b"), project("a", "a")];
    let mapper = PathMapper::from_files("/repo", ["a/f.rs", "x/b/g.rs"].map(String::from));
    let mut config = Config::default();
    config.flaky.quarantine = vec![
        "nothing/matches/*".into(),
        "s/flaky_*".into(),
        "Klass.also_flaky".into(),
    ];
    let reports = vec![junit(
        "reports/out.xml",
        vec![
            case("s", None, "flaky_one"),
            case("s", None, "steady"),
            case("s2", Some("Klass"), "also_flaky"),
        ],
    )];
    let (ev, ex, warnings) = run_warn(&projects, &mapper, &config, reports);
    // No project contains the report and no name points into one: no project gets the
    // tests (not the alphabetically first sibling), and a warning counts and names them.
    assert!(ev.values().all(|e| e.tests.is_empty()));
    assert!(ex
        .iter()
        .any(|e| e.project.is_none() && e.reason == "3 of 3 tests"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "reports/out.xml: 3 tests in no project (no test file, suite or class name points \
             into one, and no project contains the report), e.g. s/flaky_one, s/steady, \
             s2/Klass/also_flaky: "
        ),
        "{warnings:?}"
    );
    // Entries matching no placed test are still kept (for the root-most project), in
    // config order.
    assert_eq!(
        ev["a"].quarantine,
        ["nothing/matches/*", "s/flaky_*", "Klass.also_flaky"]
    );
    assert!(ev["b"].quarantine.is_empty());
}

#[test]
fn quarantine_entries_go_to_the_projects_whose_tests_they_match() {
    let projects = vec![project("b", "x/b"), project("a", "a")];
    let mapper = PathMapper::from_files("/repo", ["a/f.rs", "x/b/g.rs"].map(String::from));
    let mut config = Config::default();
    config.flaky.quarantine = vec![
        "nothing/matches/*".into(),
        "sb/*".into(),
        "sa/late".into(),
        "sa/early".into(),
        "sa/*".into(),
    ];
    let reports = vec![
        junit(
            "a/out.xml",
            vec![case("sa", None, "early"), case("sa", None, "late")],
        ),
        junit("x/b/out.xml", vec![case("sb", None, "one")]),
    ];
    let (ev, _, _) = run_warn(&projects, &mapper, &config, reports);
    // Each project's own matches in the list's order; what matches no test at all after
    // the root-most project's own, once.
    assert_eq!(ev["b"].quarantine, ["sb/*"]);
    assert_eq!(
        ev["a"].quarantine,
        ["sa/late", "sa/early", "sa/*", "nothing/matches/*"]
    );
}

#[test]
fn smoke_tests_are_marked() {
    let (projects, mapper) = workspace();
    let reports = vec![junit(
        "py/report.xml",
        vec![
            case("SmokeSuite", None, "boots"),
            case("pytest", None, "test_other"),
        ],
    )];
    let (ev, _) = run(&projects, &mapper, &Config::default(), reports);
    let smoke: Vec<bool> = ev["pyapp"].tests.iter().map(|t| t.smoke).collect();
    assert_eq!(smoke, [true, false]);
}

#[test]
fn cargo_package_names_count_as_project_names() {
    let dir = std::env::temp_dir().join(format!("testcert-attr-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("crates/x")).unwrap();
    std::fs::write(
        dir.join("crates/x/Cargo.toml"),
        "[package]\nname = \"fancy-parser\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let projects = vec![project("ws", ""), project("parser", "crates/x")];
    let mapper = PathMapper::from_files("/repo", ["crates/x/Cargo.toml".to_string()]);
    let reports = vec![junit(
        "junit.xml",
        vec![case("fancy_parser::it", Some("fancy_parser::it"), "t")],
    )];
    let ev = attribute(&projects, reports, &Config::default(), &dir, &mapper).evidence;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(ev[1].tests.len(), 1);
    assert_eq!(ev[1].tests[0].size, Some(Size::Medium));
}

#[test]
fn package_names_discovery_read_are_not_read_again() {
    // No manifest on disk: the name can only come from discovery's map.
    let projects = vec![project("ws", ""), project("parser", "crates/x")];
    let mapper = PathMapper::from_files("/repo", ["crates/x/Cargo.toml".to_string()]);
    let reports = || {
        vec![junit(
            "junit.xml",
            vec![case("fancy_parser::it", Some("fancy_parser::it"), "t")],
        )]
    };
    let packages = BTreeMap::from([("crates/x".to_string(), "fancy-parser".to_string())]);
    let missing = Path::new("/nonexistent");
    let known = attribute_known(
        &projects,
        &packages,
        reports(),
        &Config::default(),
        missing,
        &mapper,
    );
    assert_eq!(known.evidence[1].tests.len(), 1);
    // Without the map the manifest is looked for on disk, and is not there.
    let unknown = attribute(&projects, reports(), &Config::default(), missing, &mapper);
    assert_eq!(unknown.evidence[1].tests.len(), 0);
}

#[test]
fn a_test_failed_in_another_run_is_failed_not_flaky() {
    // A CI matrix: the same suite on two platforms, each with its own report.
    let (projects, mapper) = workspace();
    let with = |outcome: Outcome, name: &str| {
        let mut c = case("core-lib", None, name);
        c.outcome = outcome;
        c.attempts = if outcome == Outcome::Flaky { 2 } else { 1 };
        c
    };
    let linux = junit(
        "crates/core/linux.xml",
        vec![
            with(Outcome::Flaky, "t"),
            with(Outcome::Flaky, "u"),
            with(Outcome::Passed, "v"),
        ],
    );
    let macos = junit(
        "crates/core/macos.xml",
        vec![
            with(Outcome::Failed, "t"),
            with(Outcome::Passed, "u"),
            with(Outcome::Passed, "v"),
        ],
    );
    let (ev, _) = run(&projects, &mapper, &Config::default(), vec![linux, macos]);
    let tests = &ev["core-lib"].tests;
    let of = |name: &str, report: &str| {
        tests
            .iter()
            .find(|t| t.case.name == name && t.report.as_str() == report)
            .unwrap()
    };
    let t = of("t", "crates/core/linux.xml");
    assert_eq!(t.case.outcome, Outcome::Failed);
    assert_eq!(
        t.case.message.as_deref(),
        Some("passed on a retry in this run, failed in another run (crates/core/macos.xml)")
    );
    // Flaky in one run and passed in the other stays flaky.
    assert_eq!(
        of("u", "crates/core/linux.xml").case.outcome,
        Outcome::Flaky
    );
    assert_eq!(
        of("t", "crates/core/macos.xml").case.outcome,
        Outcome::Failed
    );
    // Within one report nothing changes: a flaky and a failed namesake there are distinct
    // tests of a producer that repeats names.
    let one = junit(
        "crates/core/one.xml",
        vec![with(Outcome::Flaky, "w"), with(Outcome::Failed, "w")],
    );
    let (ev, _) = run(&projects, &mapper, &Config::default(), vec![one]);
    let outcomes: Vec<_> = ev["core-lib"]
        .tests
        .iter()
        .map(|t| t.case.outcome)
        .collect();
    assert_eq!(outcomes, [Outcome::Flaky, Outcome::Failed]);
}

#[test]
fn suite_and_class_names_that_are_paths_are_test_files() {
    // An npm-workspaces monorepo: the root package.json is no project, vitest ran from the
    // root and wrote each test file's path (relative to the root) in classname and suite.
    let projects = vec![
        project("@acme/cli", "packages/cli"),
        project("@acme/core", "packages/core"),
    ];
    let files = [
        "package.json",
        "packages/core/package.json",
        "packages/core/src/math.ts",
        "packages/core/src/math.test.ts",
        "packages/core/test/integration/db.int.test.ts",
        "packages/core/src/index.test.ts",
        "packages/cli/package.json",
        "packages/cli/src/main.ts",
        "packages/cli/src/main.spec.ts",
        "packages/cli/src/index.test.ts",
    ];
    let mapper = PathMapper::from_files("/repo", files.map(String::from));
    let vitest = |file: &str, name: &str| case(file, Some(file), name);
    let reports = vec![
        junit(
            "reports/junit.xml",
            vec![
                vitest("packages/core/src/math.test.ts", "math > adds"),
                vitest("packages/core/src/math.test.ts", "math > subtracts"),
                vitest("./packages/cli/src/main.spec.ts", "main > parses"),
                // Absolute, from the CI checkout.
                case(
                    "vitest tests",
                    Some(&format!(
                        "{CI}/packages/core/test/integration/db.int.test.ts"
                    )),
                    "db > connects",
                ),
                // Ambiguous relative path from a root report: both packages have it.
                vitest("src/index.test.ts", "exports"),
            ],
        ),
        // vitest run inside a package writes package-relative paths.
        junit(
            "packages/cli/reports/junit.xml",
            vec![vitest("src/index.test.ts", "exports")],
        ),
    ];
    let (ev, ex, warnings) = run_warn(&projects, &mapper, &Config::default(), reports);
    let names = |p: &str| -> Vec<String> {
        let mut v: Vec<String> = ev[p]
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} @ {}",
                    t.case.name,
                    t.case.file.as_deref().unwrap_or("-")
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names("@acme/core"),
        [
            "db > connects @ packages/core/test/integration/db.int.test.ts",
            "math > adds @ packages/core/src/math.test.ts",
            "math > subtracts @ packages/core/src/math.test.ts",
        ]
    );
    assert_eq!(
        names("@acme/cli"),
        [
            "exports @ packages/cli/src/index.test.ts",
            "main > parses @ packages/cli/src/main.spec.ts",
        ]
    );
    assert!(ex.iter().any(|e| e.reason
        == "2 tests: the class name packages/core/src/math.test.ts is the test file \
            packages/core/src/math.test.ts"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("reports/junit.xml: 1 test in no project")
            && warnings[0].contains("e.g. src/index.test.ts/exports:"),
        "{warnings:?}"
    );
}

#[test]
fn the_root_project_still_contains_root_reports() {
    // A real project at the root of the repository is no sibling: reports there are its.
    let projects = vec![project("app", ""), project("lib", "lib")];
    let mapper = PathMapper::from_files(
        "/repo",
        ["package.json", "lib/package.json"].map(String::from),
    );
    let (ev, _, warnings) = run_warn(
        &projects,
        &mapper,
        &Config::default(),
        vec![junit("junit.xml", vec![case("describe", None, "works")])],
    );
    assert_eq!(ev["app"].tests.len(), 1);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn go_tests_get_their_file_and_build_constraint_and_sizes_are_explained() {
    let t = crate::discover::TempTree::new(
        "calc",
        &[
            ("go.mod", "module example.com/calc\n"),
            ("calc/calc.go", "package calc\n"),
            (
                "calc/calc_test.go",
                "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\nfunc TestIntegrationDB(t *testing.T) {}\n",
            ),
            (
                "calc/db_test.go",
                "//go:build integration\n\npackage calc\n\nfunc TestDB(t *testing.T) {}\n",
            ),
        ],
    );
    let projects = vec![project("calc", "")];
    let mapper = PathMapper::scan(t.path()).unwrap();
    let go = |name: &str, secs: f64| {
        let mut c = case("example.com/calc/calc", None, name);
        c.duration = Some(secs).into();
        c
    };
    let reports = vec![junit(
        "reports/go-test.json",
        vec![
            go("TestAdd", 0.1),
            go("TestAdd/zero", 75.0),
            go("TestIntegrationDB", 2.0),
            go("TestDB", 1.0),
            go("TestGone", 1.0),
        ],
    )];
    let Attributed {
        evidence,
        explanations,
        warnings,
    } = attribute(&projects, reports, &Config::default(), t.path(), &mapper);
    let got: Vec<String> = evidence[0]
        .tests
        .iter()
        .map(|t| {
            format!(
                "{} {} {:?}",
                t.case.name,
                t.case.file.as_deref().unwrap_or("-"),
                t.size
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "TestAdd calc/calc_test.go Some(Small)",
            "TestAdd/zero calc/calc_test.go Some(Small)",
            "TestDB calc/db_test.go Some(Medium)",
            "TestGone - None",
            "TestIntegrationDB calc/calc_test.go Some(Medium)",
        ]
    );
    let sizes: Vec<&str> = explanations
        .iter()
        .filter(|e| e.subject == "reports/go-test.json :: sizes")
        .map(|e| e.reason.as_str())
        .collect();
    // The commonest rule first.
    assert_eq!(
        sizes,
        [
            "2 tests small: Go test in calc/calc_test.go (a plain go test: unit)",
            "1 test unsized: no size rule applies",
            "1 test medium: Go test file calc/db_test.go has the `integration` build constraint",
            "1 test medium: Go test name TestIntegrationDB starts with TestIntegration",
        ]
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0],
        "reports/go-test.json: 1 test ran longer than its size's timeout (small 1 min, medium 5 \
         min, large 15 min): example.com/calc/calc/TestAdd/zero (small, 75.0 s); a test that \
         slow is a bigger test than its size says"
    );
}

#[test]
fn lcov_test_sections_give_small_and_large_coverage() {
    let projects = vec![project("app", "")];
    let mapper = PathMapper::from_files(
        "/repo",
        ["src/a.c", "pkg/integration/BUILD"].map(String::from),
    );
    let (file, mut rep) = lcov(
        "coverage/lcov.info",
        None,
        &[("src/a.c", &[(1, 2), (2, 1), (3, 1), (4, 0)])],
    );
    rep.ctx.contexts = Some(TestContexts {
        names: vec![
            "unit".into(),
            "//pkg/integration:db_test".into(),
            "mystery".into(),
        ],
        files: vec![
            ("src/a.c".into(), vec![(1, 0)]),
            ("src/a.c".into(), vec![(1, 1), (2, 1)]),
            ("src/a.c".into(), vec![(3, 2)]),
        ],
    });
    let (ev, ex) = run(&projects, &mapper, &Config::default(), vec![(file, rep)]);
    let lines = |c: &Option<Coverage>| {
        let c = c.as_ref().expect("derived view");
        let t = c.totals().lines;
        (t.covered, t.total)
    };
    // Line 1 by the `unit` test; 1-2 by the integration target; 3 only by an unsized one.
    assert_eq!(lines(&ev["app"].coverage_small), (1, 4));
    assert_eq!(lines(&ev["app"].coverage_large), (2, 4));
    assert!(ex.iter().any(|e| e.subject == "coverage/lcov.info :: contexts"
        && e.reason.starts_with("small-test coverage derived from the per-test contexts: 1 small, 1 medium, 1 unsized")));
    // A tagged report keeps its tag: contexts are not looked at.
    let (mut file, mut rep) = lcov("coverage/lcov.info", None, &[("src/a.c", &[(1, 2)])]);
    file.size = Some(Size::Large);
    rep.ctx.contexts = Some(TestContexts {
        names: vec!["unit".into()],
        files: vec![("src/a.c".into(), vec![(1, 0)])],
    });
    let (ev, _) = run(&projects, &mapper, &Config::default(), vec![(file, rep)]);
    assert!(ev["app"].coverage_small.is_none());
}
