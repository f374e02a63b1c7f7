//! The aggregate page in a real browser: headless Chromium opens `index.html` from a
//! `file://` URL (offline, as a downloaded artifact would be), and the test reads the DOM
//! after load (`--dump-dom`). The URL fragment sets the initial sort and filter, so the row
//! order in the dump is the page's own JavaScript at work. It also checks that the injected
//! `<script>` and `onerror` handler in `fixtures/aggregate/results/hostile.json` stay inert,
//! and keeps a screenshot in `target/test-artifacts/aggregate.png`.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it when it runs as
//! root). Without it the test says so loudly and passes, unless `TESTCERT_REQUIRE_CHROMIUM`
//! is set (as `.ci/run` sets it), when it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testcert::aggregate::{self, Options};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TESTCERT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let d = target.join("test-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs Chromium headless on `url` with a fresh profile; returns its standard output.
fn run_chromium(bin: &Path, url: &str, extra: &[&str]) -> String {
    let profile = std::env::temp_dir().join(format!(
        "testcert-chromium-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A row of the projects table as the browser left it.
#[derive(Debug)]
struct DomRow {
    hidden: bool,
    level: u8,
    passed: bool,
    /// The `data-v` of each cell.
    values: Vec<String>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = format!(" {tag}");
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn rows(dom: &str) -> Vec<DomRow> {
    let table = &dom[dom.find("<table id=\"projects\"").expect("the table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr ")
        .skip(1)
        .map(|tr| {
            let tag = &tr[..tr.find('>').unwrap()];
            let values = tr
                .split("<td ")
                .skip(1)
                .map(|td| attr(&td[..td.find('>').unwrap()], "data-v").unwrap_or_default())
                .collect();
            DomRow {
                hidden: tag.contains(" hidden"),
                level: attr(tag, "data-level").unwrap().parse().unwrap(),
                passed: attr(tag, "data-passed").unwrap() == "1",
                values,
            }
        })
        .collect()
}

fn visible(rows: &[DomRow]) -> Vec<&DomRow> {
    rows.iter().filter(|r| !r.hidden).collect()
}

#[test]
fn the_page_sorts_filters_and_keeps_injections_inert_in_chromium() {
    let Some(bin) = chromium() else {
        let msg = "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                   !!! SKIPPED: the aggregate page's real-browser test needs Chromium.    !!!\n\
                   !!! Install it (apt-get install -y chromium) or set TESTCERT_CHROMIUM. !!!\n\
                   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
        assert!(
            std::env::var_os("TESTCERT_REQUIRE_CHROMIUM").is_none(),
            "TESTCERT_REQUIRE_CHROMIUM is set but no Chromium was found{msg}"
        );
        eprintln!("{msg}");
        return;
    };
    let site = artifacts().join("aggregate-site");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(site.join("badges")).unwrap();
    let history = site.join("history.jsonl");
    std::fs::copy("fixtures/aggregate/history.jsonl", &history).unwrap();
    let outcome = aggregate::build(
        &Options {
            inputs: vec!["fixtures/aggregate/results".into()],
            history: Some(history),
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "Acme: Test Certified".into(),
            ..Options::default()
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap();
    let a = &outcome.aggregate;
    for (name, contents) in aggregate::outputs(a) {
        std::fs::write(site.join(name), contents).unwrap();
    }
    let page = std::fs::canonicalize(site.join("index.html")).unwrap();
    let url = |fragment: &str| format!("file://{}{fragment}", page.display());
    let total = a.projects.len();

    // Sorted by level, highest first: every row shown, levels never rise.
    let dom = run_chromium(&bin, &url("#sort=level&dir=desc"), &["--dump-dom"]);
    let html_start = dom.find("<html").expect("an html element");
    let html_tag = &dom[html_start..html_start + dom[html_start..].find('>').unwrap()];
    assert!(
        html_tag.contains("data-ready=\"1\""),
        "the page's script ran: {html_tag}"
    );
    assert!(
        !html_tag.contains("data-pwned"),
        "an injected script or handler ran: {html_tag}"
    );
    let all = rows(&dom);
    assert_eq!(all.len(), total);
    assert_eq!(visible(&all).len(), total);
    let levels: Vec<u8> = all.iter().map(|r| r.level).collect();
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "levels descending: {levels:?}"
    );
    assert_ne!(
        levels,
        a.projects.iter().map(|r| r.level).collect::<Vec<_>>(),
        "the order differs from the page's initial (repository) order"
    );
    // Ties keep the page's order (by repository): the sort is stable.
    let first_l3: Vec<&str> = all
        .iter()
        .filter(|r| r.level == 3)
        .map(|r| r.values[0].as_str())
        .collect();
    let mut sorted = first_l3.clone();
    sorted.sort();
    assert_eq!(first_l3, sorted);
    assert!(dom.contains("aria-sort=\"descending\""));
    assert!(dom.contains(&format!("{total} of {total} projects shown")));
    // The injected names are text.
    assert!(dom.contains("&lt;script&gt;document.documentElement.setAttribute("));
    assert!(dom.contains("&lt;img src=x onerror="));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    let hostile = all
        .iter()
        .find(|r| r.values[0].contains("github.com/evil/"))
        .expect("the hostile repository's row");
    assert_eq!(
        hostile.values[0],
        "github.com/evil/<script>document.documentElement.setAttribute(\"data-pwned\",\"1\")</script>"
    );
    assert_eq!(
        hostile.values.len(),
        9,
        "the </td></tr> in its path broke no cell"
    );

    // Filtered by text, sorted by coverage ascending: only kv-* projects, unknowns last.
    let dom = run_chromium(&bin, &url("#sort=coverage&dir=asc&q=kv-"), &["--dump-dom"]);
    let all = rows(&dom);
    let shown = visible(&all);
    let expected = a
        .projects
        .iter()
        .filter(|r| r.project.contains("kv-"))
        .count();
    assert_eq!(shown.len(), expected);
    assert!(shown.iter().all(|r| r.values[1].starts_with("kv-")));
    let cov: Vec<f64> = shown
        .iter()
        .filter_map(|r| r.values[5].parse().ok())
        .collect();
    assert!(
        cov.windows(2).all(|w| w[0] <= w[1]),
        "coverage ascending: {cov:?}"
    );
    assert!(dom.contains(&format!("{expected} of {total} projects shown")));
    assert!(
        dom.contains("value=\"kv-\"") || dom.contains("kv-"),
        "filter box"
    );

    // Level and below-required filters.
    let dom = run_chromium(&bin, &url("#level=0&below=1"), &["--dump-dom"]);
    let all = rows(&dom);
    let shown = visible(&all);
    let expected = a
        .projects
        .iter()
        .filter(|r| r.level == 0 && !r.passed)
        .count();
    assert!(expected > 0);
    assert_eq!(shown.len(), expected);
    assert!(shown.iter().all(|r| r.level == 0 && !r.passed));

    // A screenshot to look at (kept as a test artifact).
    let png = artifacts().join("aggregate.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &bin,
        &url("#sort=level&dir=desc"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,1900",
            "--hide-scrollbars",
        ],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    eprintln!("screenshot: {}", png.display());
}
