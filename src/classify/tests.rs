use super::*;
use crate::config::{SizeRule, SmokeConfig};
use crate::model::Outcome;

fn case(suite: &str, class: Option<&str>, name: &str, file: Option<&str>) -> TestCase {
    let mut c = TestCase::new(suite, name, Outcome::Passed);
    c.class = class.map(Into::into);
    c.file = file.map(Into::into);
    c
}

fn config(rules: &[(&str, Size)]) -> Config {
    Config {
        size: rules
            .iter()
            .map(|(g, s)| SizeRule {
                glob: g.to_string(),
                size: *s,
            })
            .collect(),
        ..Config::default()
    }
}

fn size_of(cl: &Classifier, c: &TestCase) -> (Option<Size>, SizeSource) {
    cl.size(c, &mut super::SizeCache::default())
}

#[test]
fn report_beats_config_beats_defaults() {
    let cl = Classifier::new(
        &config(&[("*IT", Size::Large), ("tests/e2e/**", Size::Large)]),
        [],
    );
    // The report's own property wins over a matching rule.
    let mut c = case("s", Some("com.example.FooIT"), "t", None);
    c.properties.push(("owner".into(), "team".into()));
    c.properties.push(("TEST_SIZE".into(), "small".into()));
    assert_eq!(size_of(&cl, &c), (Some(Size::Small), SizeSource::Report));
    // Tags: one of several words.
    let mut c = case("s", None, "t", None);
    c.properties
        .push(("Category".into(), "Fast, Integration".into()));
    assert_eq!(size_of(&cl, &c), (Some(Size::Medium), SizeSource::Report));
    // A tag that is not a size falls through to the rules.
    let mut c = case("s", Some("com.example.FooIT"), "t", None);
    c.properties.push(("tags".into(), "slow".into()));
    assert_eq!(
        size_of(&cl, &c),
        (Some(Size::Large), SizeSource::Config("*IT".into()))
    );
    // The rule wins over the default (`*IT` would be medium).
    let c = case("tests", None, "t", Some("tests/e2e/login_test.py"));
    assert_eq!(
        size_of(&cl, &c),
        (Some(Size::Large), SizeSource::Config("tests/e2e/**".into()))
    );
    // No rule: the default.
    let c = case("s", Some("com.example.BarIT"), "t", None);
    let (s, src) = size_of(&Classifier::new(&Config::default(), []), &c);
    assert_eq!(s, Some(Size::Medium));
    assert!(
        matches!(src, SizeSource::Default(ref r) if r.contains("BarIT")),
        "{src:?}"
    );
}

#[test]
fn rules_match_every_name_of_a_test_first_rule_wins() {
    let cl = Classifier::new(
        &config(&[
            ("crate-a::*", Size::Medium),
            ("pkg.Foo.test_*", Size::Large),
            ("suite/Klass/exact", Size::Small),
            ("*", Size::Small),
        ]),
        [],
    );
    let src = |c: &TestCase| size_of(&cl, c).1;
    assert_eq!(
        src(&case("crate-a::it", None, "x", None)),
        SizeSource::Config("crate-a::*".into())
    );
    assert_eq!(
        src(&case("s", Some("pkg.Foo"), "test_x", None)),
        SizeSource::Config("pkg.Foo.test_*".into())
    );
    assert_eq!(
        src(&case("suite", Some("Klass"), "exact", None)),
        SizeSource::Config("suite/Klass/exact".into())
    );
    // Case-sensitive.
    assert_eq!(
        src(&case("CRATE-A::it", None, "x", None)),
        SizeSource::Config("*".into())
    );
}

#[test]
fn rust_defaults() {
    let cl = Classifier::new(&Config::default(), ["crate-a".to_string()]);
    let s =
        |suite: &str, file: Option<&str>| size_of(&cl, &case(suite, Some(suite), "m::t", file)).0;
    assert_eq!(s("crate-a", None), Some(Size::Small));
    assert_eq!(s("crate_a::bin/cli", None), Some(Size::Small));
    assert_eq!(s("crate-a::api", None), Some(Size::Medium));
    assert_eq!(s("crate-a::e2e_flows", None), Some(Size::Large));
    assert_eq!(s("crate-a::bench/speed", None), None);
    // Unknown crate: only the file tells.
    assert_eq!(s("other::it_db", None), Some(Size::Medium)); // the word `it`
    assert_eq!(s("other", None), None);
    assert_eq!(s("x", Some("crates/b/src/parse.rs")), Some(Size::Small));
    assert_eq!(s("x", Some("crates/b/tests/api.rs")), Some(Size::Medium));
    assert_eq!(
        s("x", Some("crates/b/tests/api/main.rs")),
        Some(Size::Medium)
    );
    let (_, src) = size_of(&cl, &case("crate-a", None, "t", None));
    assert_eq!(
        src,
        SizeSource::Default("Rust unit test in the library target of crate-a".into())
    );
}

#[test]
fn words_and_class_suffixes() {
    let cl = Classifier::new(&Config::default(), []);
    let s = |c: TestCase| size_of(&cl, &c).0;
    assert_eq!(
        s(case("pytest", None, "t", Some("tests/unit/test_a.py"))),
        Some(Size::Small)
    );
    assert_eq!(
        s(case(
            "pytest",
            None,
            "t",
            Some("tests/integration/test_db.py")
        )),
        Some(Size::Medium)
    );
    assert_eq!(
        s(case("pytest", None, "t", Some("e2e/login.spec.ts"))),
        Some(Size::Large)
    );
    // Innermost word wins.
    assert_eq!(
        s(case(
            "pytest",
            None,
            "t",
            Some("integration/unit/test_x.py")
        )),
        Some(Size::Small)
    );
    assert_eq!(
        s(case("s", Some("com.example.it.FooTest"), "t", None)),
        Some(Size::Medium)
    );
    assert_eq!(
        s(case("s", Some("com.example.LoginE2ETest"), "t", None)),
        Some(Size::Large)
    );
    assert_eq!(
        s(case("s", Some("com.example.FooITCase$Inner"), "t", None)),
        Some(Size::Medium)
    );
    assert_eq!(s(case("acceptance", None, "t", None)), Some(Size::Large));
    // No false friends: FileSystemTest is no system test, ItemTest no integration test,
    // "edit" no `it`: Surefire's and JS's plain unit-test rules size them small.
    assert_eq!(
        s(case("s", Some("com.example.FileSystemTest"), "t", None)),
        Some(Size::Small)
    );
    assert_eq!(
        s(case("s", Some("com.example.ItemTest"), "t", None)),
        Some(Size::Small)
    );
    assert_eq!(
        s(case("s", None, "t", Some("src/edit.test.ts"))),
        Some(Size::Small)
    );
    assert_eq!(s(case("s", None, "t", None)), None);
}

#[test]
fn ecosystem_defaults_name_their_rule() {
    let cl = Classifier::new(&Config::default(), []);
    let s = |c: TestCase| match size_of(&cl, &c) {
        (Some(size), SizeSource::Default(why)) => format!("{size}: {why}"),
        (size, src) => format!("{size:?} {src:?}"),
    };
    let file = |f: &str| case(f, Some(f), "does things", Some(f));
    // JS/TS.
    assert_eq!(
        s(file("packages/core/src/math.test.js")),
        "small: JS/TS test file packages/core/src/math.test.js (*.test.* / *.spec.*: unit)"
    );
    assert_eq!(
        s(file("web/src/__tests__/App.tsx")),
        "small: JS/TS test file web/src/__tests__/App.tsx (*.test.* / *.spec.*: unit)"
    );
    assert_eq!(
        s(file("test/db.int.test.ts")),
        "medium: JS/TS integration test: test/db.int.test.ts has the word `int`"
    );
    assert_eq!(
        s(file("src/it/api.spec.mjs")),
        "medium: JS/TS integration test: src/it/api.spec.mjs has the word `it`"
    );
    assert!(s(file("src/it-works.test.js")).starts_with("small: "));
    assert!(s(file("tests/integration/a.test.ts")).starts_with("medium: "));
    for f in [
        "e2e/login.spec.ts",
        "playwright/checkout.spec.ts",
        "cypress/e2e/home.cy.ts",
        "app/login.cy.js",
    ] {
        assert!(
            s(file(f)).starts_with("large: JS/TS end-to-end test"),
            "{f}"
        );
    }
    // A JS file that is not named like a test: not sized by the JS rule.
    assert_eq!(s(file("src/helpers.js")), "None None");
    // Go.
    let go = |f: &str, name: &str, tags: Option<&str>| {
        let mut c = case(
            "example.com/m/pkg",
            Some("example.com/m/pkg"),
            name,
            Some(f),
        );
        if let Some(t) = tags {
            c.properties.push((GO_BUILD_PROPERTY.into(), t.into()));
        }
        s(c)
    };
    assert_eq!(
        go("pkg/calc_test.go", "TestAdd/zero", None),
        "small: Go test in pkg/calc_test.go (a plain go test: unit)"
    );
    assert_eq!(
        go("pkg/calc_test.go", "TestIntegrationDB", None),
        "medium: Go test name TestIntegrationDB starts with TestIntegration"
    );
    assert_eq!(
        go("pkg/db_test.go", "TestDB", Some("integration && !race")),
        "medium: Go test file pkg/db_test.go has the `integration` build constraint"
    );
    assert_eq!(
        go("pkg/flow_test.go", "TestFlow", Some("e2e")),
        "large: Go test file pkg/flow_test.go has the `e2e` build constraint"
    );
    assert_eq!(
        go("integration/api_test.go", "TestAPI", None),
        "medium: Go test file integration/api_test.go has the word `integration`"
    );
    assert!(go("e2e/api_test.go", "TestAPI", None).starts_with("large: "));
    // Java: Surefire's *Test small, Failsafe's *IT medium.
    assert_eq!(
        s(case(
            "com.acme.ParserTest",
            Some("com.acme.ParserTest"),
            "parses",
            None
        )),
        "small: class name ParserTest ends with Test (Maven Surefire's unit tests)"
    );
    assert_eq!(
        s(case(
            "com.acme.ParserIT",
            Some("com.acme.ParserIT"),
            "parses",
            None
        )),
        "medium: class name ParserIT ends with IT"
    );
    // A Python class named *Test is not Surefire's.
    assert_eq!(
        s(case(
            "pytest",
            Some("tests.test_x.CalcTest"),
            "t",
            Some("tests/test_x.py")
        )),
        "None None"
    );
}

#[test]
fn dotnet_categories_and_traits_are_report_sizes() {
    let cl = Classifier::new(&Config::default(), []);
    for (key, value, size) in [
        ("Category", "Integration", Size::Medium),
        ("TestCategory", "Unit", Size::Small),
        ("TestCategory", "E2E", Size::Large),
        ("Trait", "Large", Size::Large),
        ("category", "Medium", Size::Medium),
    ] {
        let mut c = case("My.Tests.dll", Some("My.Tests.Calc"), "Adds", None);
        c.properties.push((key.into(), value.into()));
        assert_eq!(
            size_of(&cl, &c),
            (Some(size), SizeSource::Report),
            "{key}={value}"
        );
    }
}

#[test]
fn smoke_selectors() {
    let cl = Classifier::new(&Config::default(), []);
    assert!(cl.is_smoke(&case("SmokeSuite", None, "t", None)));
    assert!(cl.is_smoke(&case("s", None, "t", Some("tests/smoke/a.py"))));
    assert!(cl.is_smoke(&case("s", None, "test_SMOKE_login", None)));
    assert!(!cl.is_smoke(&case("s", None, "t", None)));
    let mut tagged = case("s", None, "t", None);
    tagged
        .properties
        .push(("Category".into(), "Fast,Smoke".into()));
    assert!(cl.is_smoke(&tagged));
    let mut flag = case("s", None, "t", None);
    flag.properties.push(("smoke".into(), "true".into()));
    assert!(cl.is_smoke(&flag));
    flag.properties[0].1 = "false".into();
    assert!(!cl.is_smoke(&flag));

    // Configured globs replace the name selector; tags stay.
    let c = Config {
        smoke: SmokeConfig {
            globs: vec!["*Sanity*".into()],
            tags: vec!["critical".into()],
        },
        ..Config::default()
    };
    let cl = Classifier::new(&c, []);
    assert!(cl.is_smoke(&case("s", Some("SanityChecks"), "t", None)));
    assert!(!cl.is_smoke(&case("SmokeSuite", None, "t", None)));
    let mut tagged = case("s", None, "t", None);
    tagged.properties.push(("tags".into(), "Critical".into()));
    assert!(cl.is_smoke(&tagged));
}

#[test]
fn quarantine_by_id_or_class_name() {
    let mut c = Config::default();
    c.flaky.quarantine = vec![
        "net/retry_test".into(),
        "com.example.FlakyTest.*".into(),
        "nothing/matches".into(),
    ];
    let cl = Classifier::new(&c, []);
    let t = cl.classify(
        case("net", None, "retry_test", None),
        &"r.xml".into(),
        &mut Default::default(),
    );
    assert!(t.quarantined);
    assert_eq!(
        cl.quarantine_matches(&t).collect::<Vec<_>>(),
        ["net/retry_test"]
    );
    let t = cl.classify(
        case("Suite", Some("com.example.FlakyTest"), "sometimes", None),
        &"r.xml".into(),
        &mut Default::default(),
    );
    assert!(t.quarantined);
    let t = cl.classify(
        case("net", None, "other", None),
        &"r.xml".into(),
        &mut Default::default(),
    );
    assert!(!t.quarantined);
    assert_eq!(t.report, "r.xml");
}

#[test]
fn test_files() {
    let c = Config::default();
    for f in [
        "tests/api.rs",
        "crates/a/tests/api.rs",
        "pkg/handler_test.go",
        "app/test_parser.py",
        "src/foo.test.ts",
        "web/components/__tests__/x.js",
        "src/test/java/com/example/FooTest.java",
        "lib/FooTests.cs",
        "spec/models/user_spec.rb",
    ] {
        assert!(is_test_file(f, &c), "{f}");
    }
    for f in [
        "src/lib.rs",
        "src/testing.rs",
        "app/parser.py",
        "latest/x.go",
    ] {
        assert!(!is_test_file(f, &c), "{f}");
    }
    let mut custom = Config::default();
    custom.change.test_globs = vec!["checks/**".into()];
    assert!(is_test_file("checks/a.sh", &custom));
    assert!(!is_test_file("tests/a.rs", &custom));
}

#[test]
fn related_tests() {
    for (s, t) in [
        ("app/parser.py", "tests/test_parser.py"),
        ("src/main/java/a/Foo.java", "src/test/java/a/FooTest.java"),
        ("src/main/java/a/Foo.java", "src/test/java/a/FooIT.java"),
        ("src/foo.ts", "src/foo.test.ts"),
        ("src/foo.ts", "src/__tests__/foo.ts"),
        ("pkg/x.go", "pkg/x_test.go"),
        ("crates/a/src/x.rs", "crates/a/tests/x.rs"),
        ("crates/a/src/lib.rs", "crates/a/tests/anything.rs"),
        ("src/main.rs", "tests/cli.rs"),
        ("src/parse/mod.rs", "tests/parse.rs"),
        ("lib/Foo.cs", "tests/FooTests.cs"),
    ] {
        assert!(related_test(s, t), "{s} ↔ {t}");
    }
    for (s, t) in [
        ("app/parser.py", "app/parser.py"),
        ("app/parser.py", "app/parser_utils.py"),
        ("app/parser.py", "tests/test_lexer.py"),
        ("crates/a/src/lib.rs", "crates/b/tests/x.rs"),
        ("src/foo.ts", "src/foo.ts.map"),
    ] {
        assert!(!related_test(s, t), "{s} ↔ {t}");
    }
}

#[test]
fn the_test_word_prefilter_never_hides_a_default_glob_match() {
    let files = TestFiles::new(&Config::default());
    for g in DEFAULT_TEST_GLOBS {
        // A path each glob matches: `**/` as one directory, `**` and `*` as a name.
        let sample = g
            .replace("**/", "pkg/")
            .replace("**", "x.rs")
            .replace('*', "Name");
        assert!(files.matches(&sample), "{g} should match {sample}");
        let at_root = g
            .strip_prefix("**/")
            .map(|r| r.replace("**", "x.rs").replace('*', "Name"));
        if let Some(p) = at_root {
            assert!(files.matches(&p), "{g} should match {p}");
        }
    }
    assert!(!files.matches("src/lib.rs"));
}

/// One cache across a report's cases (suites and their properties shared, as parsers build
/// them) answers as a fresh cache per case does.
#[test]
fn a_report_wide_cache_answers_as_a_fresh_one() {
    use crate::model::Inherited;
    let smoke_suite: SharedStr = "SmokeSuite".into();
    let plain: SharedStr = "com.example.Plain".into();
    let tagged = Inherited::child(
        &Inherited::default(),
        vec![("category".into(), "smoke, unit".into())],
    );
    let nested = Inherited::child(&tagged, vec![("size".into(), "large".into())]);
    let large = Inherited::child(&Inherited::default(), vec![("size".into(), "large".into())]);
    let sized = Inherited::child(
        &Inherited::default(),
        vec![("size".into(), "medium".into())],
    );
    let mut cases = Vec::new();
    for (suite, class, inherited) in [
        (&plain, None, Inherited::default()),
        (&plain, Some(&plain), tagged.clone()),
        (&smoke_suite, None, Inherited::default()),
        (&plain, None, nested.clone()),
        (&plain, None, sized.clone()),
        (&plain, None, Inherited::default()),
        (&smoke_suite, Some(&plain), sized.clone()),
        (&plain, Some(&plain), large.clone()),
    ] {
        for (name, own) in [
            ("t", None),
            ("test_smoke_login", None),
            ("t2", Some(("size", "small"))),
            ("t3", Some(("smoke", "false"))),
            ("t4", Some(("tags", "smoke"))),
        ] {
            let mut c = TestCase::new(suite.clone(), name, Outcome::Passed);
            c.class = class.cloned();
            c.inherited = inherited.clone();
            if let Some((k, v)) = own {
                c.properties.push((k.into(), v.into()));
            }
            cases.push(c);
        }
    }
    for smoke in [
        SmokeConfig::default(),
        SmokeConfig {
            globs: vec!["*Smoke*".into()],
            ..Default::default()
        },
    ] {
        let cl = Classifier::new(
            &Config {
                smoke,
                ..Config::default()
            },
            [],
        );
        let mut shared = SizeCache::default();
        let (mut smokes, mut sizes) = (0, [0; 3]);
        for c in &cases {
            let once = cl.classify(c.clone(), &"r.xml".into(), &mut SizeCache::default());
            let t = cl.classify(c.clone(), &"r.xml".into(), &mut shared);
            assert_eq!(
                (t.size, &t.size_source, t.smoke),
                (once.size, &once.size_source, once.smoke),
                "{}",
                c.id()
            );
            smokes += usize::from(t.smoke);
            if let Some(s) = t.size {
                sizes[s as usize] += 1;
            }
        }
        // Every kind of answer came up.
        assert!(smokes > 0 && smokes < cases.len(), "{smokes}");
        assert!(sizes.iter().all(|&n| n > 0), "{sizes:?}");
    }
}

#[test]
fn contains_ignore_ascii_case_as_lowercasing_both() {
    let naive = |hay: &str, needle: &str| {
        hay.to_ascii_lowercase()
            .contains(&needle.to_ascii_lowercase())
    };
    let pieces = [
        "", "s", "Smoke", "sMOKe", "smok", "é", "test_", "xsmokex", "SMOKE",
    ];
    for a in pieces {
        for b in pieces {
            for pad in [0, 70] {
                let hay = format!("{}{a}{b}", "-".repeat(pad));
                for needle in ["smoke", "S", "", "ke"] {
                    assert_eq!(
                        super::contains_ignore_ascii_case(&hay, needle),
                        naive(&hay, needle),
                        "{hay:?} {needle:?}"
                    );
                }
            }
        }
    }
}
