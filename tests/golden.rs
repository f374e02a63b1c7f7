//! Golden tests: every report under `fixtures/golden/<format>/` sits next to
//! `<name>.expected.json`, the exact `testcert inspect --format json` output for it.
//! `TESTCERT_BLESS=1 cargo test --test golden` rewrites the expected files.

use std::path::{Path, PathBuf};

use testcert::inspect::{inspect, render_json};
use testcert::paths::PathMapper;

fn inputs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            // Badges are goldens of the renderer, not reports (tests/badges.rs).
            if name != "badges" {
                inputs(&p, out);
            }
        } else if !name.ends_with(".expected.json") && !name.ends_with(".md") {
            out.push(p);
        }
    }
}

#[test]
fn inspect_output_matches_goldens() {
    let mut files = Vec::new();
    inputs(Path::new("fixtures/golden"), &mut files);
    assert!(!files.is_empty(), "golden inputs missing");
    let bless = std::env::var_os("TESTCERT_BLESS").is_some();
    // A fixed root with no files: every path is reported unmapped, deterministically.
    let mapper = PathMapper::from_files("/repo", Vec::new());
    let mut drift = Vec::new();
    for f in &files {
        let got = render_json(&inspect(std::slice::from_ref(f), &mapper));
        let expected_path = PathBuf::from(format!("{}.expected.json", f.display()));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            if bless {
                std::fs::write(&expected_path, &got).unwrap();
            } else {
                drift.push(format!(
                    "{}:\n--- expected\n{expected}\n+++ got\n{got}",
                    f.display()
                ));
            }
        }
    }
    assert!(
        drift.is_empty(),
        "{} golden files differ (TESTCERT_BLESS=1 rewrites them):\n{}",
        drift.len(),
        drift.join("\n")
    );
}
