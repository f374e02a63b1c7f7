//! Badges: goldens under `fixtures/golden/badges/<set>/`, exactly the files `check --badges`
//! writes for a constructed result.
//!
//! The endpoint JSON goldens are ours (`TESTCERT_BLESS=1 cargo test --test badges` rewrites
//! them). The SVG goldens are NOT ours: `scripts/badge-references.js` draws them with shields'
//! own `badge-maker` from the endpoint JSON next to them — what
//! `img.shields.io/endpoint?url=…` would draw — and this test requires our SVG to equal them
//! byte for byte.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{project, result};
use quick_xml::events::Event;
use testcert::render::badge::{self, Badge};
use testcert::result::CheckResult;

const DIR: &str = "fixtures/golden/badges";

/// The long name of the awkward-names set.
const LONG: &str = "a-rather-long-project-name-that-goes-on/and-on-through-several/directories/of-a-monorepo-workspace";

fn sets() -> Vec<(&'static str, CheckResult)> {
    let mut max5: Vec<_> = (0..=5)
        .map(|l| project(&format!("level-{l}"), l, false, 0))
        .collect();
    max5.push(project("level-2-waived", 2, true, 0));
    let max3: Vec<_> = (0..=3)
        .map(|l| project(&format!("level-{l}"), l, false, 0))
        .collect();
    let names = vec![
        project(LONG, 1, false, 0),
        project(
            "donn\u{e9}es-\u{fc}ber-\u{65e5}\u{672c}\u{8a9e}-\u{1f680}",
            2,
            false,
            0,
        ),
        project("<&\">'", 3, false, 0),
        project("../x", 4, false, 0),
        project("apps/web", 5, false, 0),
        project("apps_web", 2, true, 0),
        project("Apps/Web", 1, false, 0),
        project("testcert", 3, false, 0),
        project("tab\there\u{7}bell\u{1b}[31m", 0, false, 0),
        project("  padded\u{a0} ", 2, false, 0),
        project("..", 1, false, 0),
        project("CON", 1, false, 0),
    ];
    vec![
        ("max5", result(5, max5)),
        ("max3", result(3, max3)),
        // The repository's badge at the top of each ladder, and with a waiver.
        (
            "top3",
            result(3, vec![project("a", 3, false, 0), project("b", 3, true, 0)]),
        ),
        ("top5", result(5, vec![project("only", 5, false, 0)])),
        ("empty", result(3, Vec::new())),
        ("names", result(5, names)),
    ]
}

#[test]
fn badges_match_goldens_and_badge_maker() {
    let bless = std::env::var_os("TESTCERT_BLESS").is_some();
    let mut drift = Vec::new();
    for (set, r) in sets() {
        let dir = Path::new(DIR).join(set);
        std::fs::create_dir_all(&dir).unwrap();
        let (files, _) = badge::files(&r);
        let expected_names: BTreeSet<String> = files.iter().map(|f| f.name.clone()).collect();
        assert_eq!(
            expected_names.len(),
            files.len(),
            "{set}: file names are unique"
        );
        for f in &files {
            let path = dir.join(&f.name);
            let golden = std::fs::read_to_string(&path).unwrap_or_default();
            if golden == f.contents {
                continue;
            }
            if bless && f.name.ends_with(".json") {
                std::fs::write(&path, &f.contents).unwrap();
            } else {
                drift.push(format!(
                    "{}:\n--- golden\n{golden}\n+++ ours\n{}",
                    path.display(),
                    f.contents
                ));
            }
        }
        // No stray golden (a renamed file would leave one).
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let stray: Vec<_> = on_disk.difference(&expected_names).collect();
        assert!(stray.is_empty(), "{set}: stray goldens {stray:?}");
    }
    assert!(
        drift.is_empty(),
        "{} badge files differ (JSON: TESTCERT_BLESS=1 rewrites them; SVG: run \
         scripts/badge-references.js, see its header):\n{}",
        drift.len(),
        drift.join("\n")
    );
}

#[test]
fn stems_for_awkward_names() {
    let (_, r) = sets().pop().unwrap();
    let (_, stems) = badge::files(&r);
    let got: Vec<(&str, &str)> = r
        .projects
        .iter()
        .map(|p| p.name.as_str())
        .zip(stems.iter().map(String::as_str))
        .collect();
    assert_eq!(
        got,
        [
            (
                LONG,
                "a-rather-long-project-name-that-goes-on_and-on-through-several_directories_of-a-"
            ),
            (
                "donn\u{e9}es-\u{fc}ber-\u{65e5}\u{672c}\u{8a9e}-\u{1f680}",
                "donn_es-_ber-___-_"
            ),
            ("<&\">'", "_____"),
            ("../x", "_x"),
            ("apps/web", "apps_web-2"),
            ("apps_web", "apps_web-3"),
            ("Apps/Web", "Apps_Web"),
            ("testcert", "testcert-2"),
            ("tab\there\u{7}bell\u{1b}[31m", "tab_here_bell__31m"),
            ("  padded\u{a0} ", "__padded__"),
            ("..", "project"),
            ("CON", "CON_"),
        ]
    );
    for s in &stems {
        assert!(!s.contains(['/', '\\']) && !s.starts_with('.'), "{s}");
        assert!(s.chars().all(|c| c.is_ascii_graphic()), "{s}");
    }
}

/// Every SVG is well-formed XML, and its texts read back (unescaped) as the label and the
/// message, with the widths shields gives them.
#[test]
fn svgs_are_well_formed_and_escaped() {
    for (set, r) in sets() {
        for (p, f) in r.projects.iter().zip(badge::files(&r).0.chunks(2)) {
            let b = Badge::project(&p.name, p.level, p.relies_on_waiver, r.max_level);
            let svg = &f[0].contents;
            let (texts, title, widths) =
                read_svg(svg).unwrap_or_else(|e| panic!("{set}/{}: {e}", f[0].name));
            let label = badge::display_text(&b.label);
            assert_eq!(
                texts,
                [label.as_str(), &label, &b.message, &b.message],
                "{set}/{}",
                f[0].name
            );
            assert_eq!(title, format!("{label}: {}", b.message));
            // textLength is ten times badge-maker's preferred width of each text.
            let lw = badge::preferred_width(&label);
            let mw = badge::preferred_width(&b.message);
            assert_eq!(widths, [lw * 10, lw * 10, mw * 10, mw * 10]);
            assert!(!svg.contains("<&"), "raw markup from a name");
            // The endpoint JSON says the same.
            let json: serde_json::Value = serde_json::from_str(&f[1].contents).unwrap();
            assert_eq!(json["schemaVersion"], 1);
            assert_eq!(json["label"], b.label.as_str());
            assert_eq!(json["message"], b.message.as_str());
        }
    }
}

/// The `<text>` contents, the `<title>`, and the `textLength`s of an SVG, checking that it
/// parses to the end.
fn read_svg(svg: &str) -> Result<(Vec<String>, String, Vec<u32>), String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut title = String::new();
    let mut widths = Vec::new();
    let mut current: Option<String> = None;
    let mut depth = 0i32;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    if a.key.as_ref() == b"textLength" {
                        widths.push(String::from_utf8_lossy(&a.value).parse().unwrap());
                    }
                }
                current = Some(name);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| e.to_string())?.into_owned();
                match current.as_deref() {
                    Some("text") => texts.push(s),
                    Some("title") => title = s,
                    _ => {}
                }
            }
            Event::End(_) => {
                depth -= 1;
                current = None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced elements".into());
    }
    Ok((texts, title, widths))
}

#[test]
fn badge_files_are_written_atomically_into_the_folder() {
    let dir = std::env::temp_dir().join(format!("testcert-badges-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_, r) = sets().into_iter().next().unwrap();
    badge::write(&dir.join("nested"), &r).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("nested"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2 * r.projects.len() + 2);
    assert!(names.contains(&"testcert.svg".to_string()));
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "no temporary file left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
