use super::*;
use crate::config::{SizeRule, SmokeConfig};
use crate::model::Outcome;

fn case(suite: &str, class: Option<&str>, name: &str, file: Option<&str>) -> TestCase {
    let mut c = TestCase::new(suite, name, Outcome::Passed);
    c.class = class.map(Into::into);
    c.file = file.map(str::to_string);
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
    cl.size(c)
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
    // No false friends: FileSystemTest, Item, "edit".
    assert_eq!(
        s(case("s", Some("com.example.FileSystemTest"), "t", None)),
        None
    );
    assert_eq!(s(case("s", Some("com.example.ItemTest"), "t", None)), None);
    assert_eq!(s(case("s", None, "t", Some("src/edit.test.ts"))), None);
    assert_eq!(s(case("s", None, "t", None)), None);
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
    let t = cl.classify(case("net", None, "retry_test", None), &"r.xml".into());
    assert!(t.quarantined);
    assert_eq!(
        cl.quarantine_matches(&t).collect::<Vec<_>>(),
        ["net/retry_test"]
    );
    let t = cl.classify(
        case("Suite", Some("com.example.FlakyTest"), "sometimes", None),
        &"r.xml".into(),
    );
    assert!(t.quarantined);
    let t = cl.classify(case("net", None, "other", None), &"r.xml".into());
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
