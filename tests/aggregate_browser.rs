//! The aggregate page in a real browser: headless Chromium opens `index.html` from a
//! `file://` URL (offline, as a downloaded artifact would be), and the test drives it over
//! the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on fd 3, replies on
//! fd 4, each a JSON message ended by NUL), so that it can set the viewport (1400 px and a
//! 390 px phone), click, read the DOM and layout, and take screenshots, with no crate beyond
//! serde_json. The URL fragment sets the initial sort and filter, so the row order read back
//! is the page's own JavaScript at work. Screenshots are kept under
//! `target/browser-artifacts/` (the paths are printed).
//!
//! Timing on a loaded machine: the 25,000-project page is held to 3 s of the page's own
//! time (`performance.now()` from navigation start to the first drawn page of rows, which
//! the page records as `data-render-ms`), not to wall-clock time around Chromium's start.
//! The best of up to five fresh loads counts, after one to warm up (the first `file://` load
//! also starts the renderer and reads the file from disk); the browser tests take turns
//! (one Chromium at a time). Measured with the machine's two cores shared by five builds
//! (load ~11):
//! `scripts/bench_aggregate.py --count 10000 --page` (25,102 projects, 7.7 MB) opens in
//! 387–637 ms, this test's generated page (25,000 projects sharing no repository data,
//! 12 MB) in about 1 s; 3 s leaves a threefold margin for a busier machine. Sorting and
//! filtering all rows take tens of milliseconds.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it when it runs as
//! root). Without it the test says so loudly and passes, unless `TESTCERT_REQUIRE_CHROMIUM`
//! is set (as `.ci/run` sets it), when it fails.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testcert::aggregate::{self, Aggregate, Options};

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

/// Chromium, or `None` after saying loudly why the test is skipped.
fn chromium_or_skip() -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        let msg = "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                   !!! SKIPPED: the aggregate page's real-browser test needs Chromium.    !!!\n\
                   !!! Install it (apt-get install -y chromium) or set TESTCERT_CHROMIUM. !!!\n\
                   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
        assert!(
            std::env::var_os("TESTCERT_REQUIRE_CHROMIUM").is_none(),
            "TESTCERT_REQUIRE_CHROMIUM is set but no Chromium was found{msg}"
        );
        eprintln!("{msg}");
    }
    bin
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn artifacts() -> PathBuf {
    let d = target_dir().join("browser-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One browser test at a time: three Chromiums at once on a 2-core machine would measure
/// each other.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How long one step (start, a command, a page load) may take before the test gives up.
const STEP: Duration = Duration::from_secs(120);

/// One headless Chromium with one page, driven over the DevTools pipe.
struct Browser {
    child: Child,
    commands: ChildStdin,
    replies: Receiver<Value>,
    session: String,
    next_id: u64,
    profile: PathBuf,
}

impl Browser {
    fn start(bin: &Path) -> Browser {
        let profile = std::env::temp_dir().join(format!(
            "testcert-chromium-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&profile).unwrap();
        // The shell hands our stdin/stdout pipes to Chromium as fds 3 and 4.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let commands = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1 << 16];
            loop {
                let n = match out.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|&b| b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    let v: Value = serde_json::from_slice(&msg[..msg.len() - 1]).unwrap();
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            commands,
            replies,
            session: String::new(),
            next_id: 0,
            profile,
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b
    }

    /// Sends one command (to the page once attached) and waits for its reply.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        self.commands.flush().unwrap();
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self
                .replies
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply to {method} within {STEP:?}"));
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page; its value as JSON.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Sets the viewport: `mobile` applies the page's viewport meta, as a phone does.
    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Opens `url` and waits until the document has loaded (and, when `ready`, until the
    /// page's script says it has drawn the table).
    ///
    /// Always a fresh load: a URL that differs from the page's only by its fragment would
    /// otherwise be a same-document navigation (no reload, and the page's own times would
    /// be the old ones), so the tab goes through `about:blank` first.
    fn open(&mut self, url: &str, ready: bool) {
        let deadline = Instant::now() + STEP;
        self.call("Page.navigate", json!({"url": "about:blank"}));
        while self.eval("location.href") != json!("about:blank") {
            assert!(Instant::now() < deadline, "about:blank did not load");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.call("Page.navigate", json!({"url": url}));
        let check = if ready {
            "document.readyState === 'complete' && document.documentElement.getAttribute('data-ready') === '1'"
        } else {
            "document.readyState === 'complete'"
        };
        while self.eval(check) != json!(true) {
            assert!(
                Instant::now() < deadline,
                "{url} did not load within {STEP:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A PNG of the whole page (at most 6000 px tall), kept under `target/browser-artifacts/`.
    fn screenshot(&mut self, name: &str) -> PathBuf {
        use base64::Engine as _;
        let m = self.call("Page.getLayoutMetrics", json!({}));
        let size = &m["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true, "clip": {
                "x": 0, "y": 0, "scale": 1,
                "width": size["width"].as_f64().unwrap(),
                "height": size["height"].as_f64().unwrap().min(6000.0),
            }}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = artifacts().join(name);
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// The rows the table shows: (repository, project, level, passed), top to bottom.
    fn table(&mut self) -> Vec<(String, String, u8, bool)> {
        let v = self.eval(
            "Array.prototype.map.call(document.querySelectorAll('#projects tbody tr'), function (tr) {
               return [tr.cells[0].getAttribute('data-v'), tr.cells[1].getAttribute('data-v'),
                       Number(tr.getAttribute('data-level')), tr.getAttribute('data-passed') === '1'];
             })",
        );
        serde_json::from_value(v).unwrap()
    }

    /// Fails if the page scrolls sideways: the document is no wider than the viewport.
    fn assert_no_overflow(&mut self, what: &str) {
        let v = self.eval("[document.documentElement.scrollWidth, window.innerWidth]");
        let (doc, view) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
        assert!(
            doc <= view,
            "{what}: the document is {doc} px wide in a {view} px viewport"
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The fixtures' aggregate (results, history), as `tests/aggregate.rs` builds it.
fn fixture_aggregate(site: &Path) -> Aggregate {
    let history = site.join("history.jsonl");
    std::fs::copy("fixtures/aggregate/history.jsonl", &history).unwrap();
    aggregate::build(
        &Options {
            inputs: vec!["fixtures/aggregate/results".into()],
            history: Some(history),
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "Acme: Test Certified".into(),
            // The result links are relative to the page's folder.
            out: Some(site.to_path_buf()),
            ..Options::default()
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap()
    .aggregate
}

/// Writes the aggregate's outputs into a fresh `target/browser-artifacts/<name>/`; the page's
/// `file://` URL.
fn write_site(name: &str, a: &Aggregate) -> String {
    let site = artifacts().join(name);
    std::fs::create_dir_all(site.join("badges")).unwrap();
    for (file, contents) in aggregate::outputs(a) {
        std::fs::write(site.join(file), contents).unwrap();
    }
    let page = std::fs::canonicalize(site.join("index.html")).unwrap();
    format!("file://{}", page.display())
}

fn fresh_site(name: &str) -> PathBuf {
    let site = artifacts().join(name);
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).unwrap();
    site
}

/// No script of a result ran and no element came from a name: the page's own two scripts
/// (the data block and the code) are the only ones, no `<img>` exists, and the hostile
/// fixture's `data-pwned` marker is not set.
fn assert_inert(b: &mut Browser, what: &str) {
    let v = b.eval(
        "[document.documentElement.getAttribute('data-pwned'), document.scripts.length,
          document.getElementsByTagName('img').length, document.querySelectorAll('[onerror]').length]",
    );
    assert_eq!(
        v,
        json!([null, 2, 0, 0]),
        "{what}: an injection took effect"
    );
}

#[test]
fn the_page_sorts_filters_fits_a_phone_and_keeps_injections_inert_in_chromium() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let site = fresh_site("aggregate-site");
    let a = fixture_aggregate(&site);
    let url = write_site("aggregate-site", &a);
    let url = |fragment: &str| format!("{url}{fragment}");
    let total = a.projects.len();
    let below = a.projects.iter().filter(|r| !r.passed).count();
    assert!(total < 100, "the fixture fits on one page of the table");
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let mut b = Browser::start(&bin);

    for (width, height, mobile) in [(1400, 1000, false), (390, 844, true)] {
        let what = format!("{width} px");
        b.viewport(width, height, mobile);
        // Worst first by default: the projects below their required level, lowest level
        // first, then the rest by level.
        b.open(&url(""), true);
        assert_inert(&mut b, &what);
        let rows = b.table();
        assert_eq!(rows.len(), total, "{what}");
        let key = |r: &(String, String, u8, bool)| (r.3, r.2);
        assert!(
            rows.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
            "{what}: worst first: {rows:?}"
        );
        assert!(rows.iter().take(below).all(|r| !r.3));
        // The below-required list at the top, as summary.md has it.
        let v = b.eval("[document.querySelectorAll('#below-required li').length, document.getElementById('below-required').getBoundingClientRect().top < document.getElementById('table').getBoundingClientRect().top]");
        assert_eq!(v, json!([below, true]), "{what}");
        // Input notices are information, not an alert.
        let v = b.eval("[!!document.getElementById('input-notices'), !!document.querySelector('[role=alert]')]");
        assert_eq!(v, json!([true, false]), "{what}");
        // The hostile names are text, in their cells.
        b.open(&url("#q=evil"), true);
        let rows = b.table();
        assert!(!rows.is_empty());
        assert_eq!(
            rows[0].0,
            "github.com/evil/<script>document.documentElement.setAttribute(\"data-pwned\",\"1\")</script>"
        );
        let cells = b.eval("[document.querySelector('#projects tbody tr').cells.length, document.querySelectorAll('#projects thead th').length]");
        assert_eq!(
            cells[0], cells[1],
            "{what}: the </td></tr> in its path broke no cell"
        );
        assert_inert(&mut b, &what);
        b.assert_no_overflow(&what);
        b.open(&url(""), true);
        b.assert_no_overflow(&what);
        b.screenshot(&format!("aggregate-{width}.png"));
    }

    b.viewport(1400, 1000, false);
    // Sorted by level from the fragment, highest first; ties keep the worst-first order.
    b.open(&url("#sort=level&dir=desc"), true);
    let rows = b.table();
    assert_eq!(rows.len(), total);
    let levels: Vec<u8> = rows.iter().map(|r| r.2).collect();
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "levels descending: {levels:?}"
    );
    assert_eq!(
        b.eval("document.querySelector('th[data-key=level]').getAttribute('aria-sort')"),
        json!("descending")
    );
    assert_eq!(
        b.eval("document.getElementById('shown').textContent"),
        json!(format!("{total} of {total} projects shown"))
    );

    // A click on Coverage sorts by it (highest first), a second click lowest first; unknown
    // coverage stays last both times.
    let coverage = |b: &mut Browser| -> Vec<Option<f64>> {
        serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelectorAll('#projects tbody tr'), function (tr) { var v = tr.cells[5].getAttribute('data-v'); return v === '' ? null : Number(v); })")).unwrap()
    };
    b.eval("document.querySelector('th[data-key=coverage] button').click()");
    let desc = coverage(&mut b);
    let known: Vec<f64> = desc.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    assert!(desc.iter().skip_while(|c| c.is_some()).all(|c| c.is_none()));
    b.eval("document.querySelector('th[data-key=coverage] button').click()");
    let asc = coverage(&mut b);
    let known: Vec<f64> = asc.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    assert!(b
        .eval("location.hash")
        .as_str()
        .unwrap()
        .contains("sort=coverage&dir=asc"));

    // Filters: text (typed), level and below-required (from the fragment).
    b.eval("var q = document.getElementById('q'); q.value = 'kv-'; q.dispatchEvent(new Event('input'))");
    let rows = b.table();
    let expected = a.projects.iter().filter(|r| matches(r, "kv-")).count();
    assert!(expected > 0);
    assert_eq!(rows.len(), expected);
    b.open(&url("#level=0&below=1"), true);
    let rows = b.table();
    let expected = a
        .projects
        .iter()
        .filter(|r| r.level == 0 && !r.passed)
        .count();
    assert!(expected > 0);
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r.2 == 0 && !r.3));

    // The heat map: by projects blocked, the ladder order one click away and back.
    let heat = |b: &mut Browser, attr: &str| -> Vec<u64> {
        serde_json::from_value(b.eval(&format!("Array.prototype.map.call(document.querySelectorAll('#heat-rows tr'), function (tr) {{ return Number(tr.getAttribute('{attr}')); }})"))).unwrap()
    };
    let blocking: Vec<u64> = serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelectorAll('#heat-rows tr'), function (tr) { return Number(tr.cells[1].textContent); })")).unwrap();
    assert!(blocking.windows(2).all(|w| w[0] >= w[1]), "{blocking:?}");
    b.eval("document.getElementById('heat-order').click()");
    let ladder = heat(&mut b, "data-ladder");
    assert!(
        ladder.windows(2).all(|w| w[0] < w[1]),
        "ladder order: {ladder:?}"
    );
    let mut by_ladder: Vec<&aggregate::CriterionRow> = a.criteria.iter().collect();
    by_ladder.sort_by_key(|c| c.ladder_index);
    let ids: Vec<String> = serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelectorAll('#heat-rows tr'), function (tr) { return tr.getAttribute('data-criterion'); })")).unwrap();
    assert_eq!(
        ids,
        by_ladder
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>()
    );
    b.eval("document.getElementById('heat-order').click()");
    let rank = heat(&mut b, "data-rank");
    assert_eq!(rank, (0..rank.len() as u64).collect::<Vec<_>>());

    // Links: the repository and commit of a stamped row point where its stamp says, and its
    // result file link resolves to the result that was read.
    let stamped = a
        .projects
        .iter()
        .find(|r| {
            r.links.repository.is_some() && r.links.commit.is_some() && r.links.result.is_some()
        })
        .expect("a stamped row with links");
    b.open(&url(&format!("#q={}", stamped.project)), true);
    let v = b.eval(&format!(
        "(function () {{ var tr = Array.prototype.find.call(document.querySelectorAll('#projects tbody tr'), function (tr) {{ return tr.cells[0].getAttribute('data-v') === {repo} && tr.cells[1].getAttribute('data-v') === {project}; }});
           function href(sel) {{ var e = tr.querySelector(sel); return e ? e.href : null; }}
           return [href('td[data-label=\"Repository\"] a'), href('td[data-label=\"Last updated\"] a'), href('td[data-label=\"Project\"] a')]; }})()",
        repo = serde_json::to_string(&stamped.repository).unwrap(),
        project = serde_json::to_string(&stamped.project).unwrap(),
    ));
    assert_eq!(v[0], json!(stamped.links.repository), "repository link");
    assert_eq!(v[1], json!(stamped.links.commit), "commit link");
    let file = v[2].as_str().expect("a result file link");
    let file = std::fs::canonicalize(file.strip_prefix("file://").unwrap()).unwrap();
    assert_eq!(
        file,
        std::fs::canonicalize(&stamped.source).unwrap(),
        "result file link"
    );
    // Every link on the page is http(s), a file beside it, or a fragment of the page.
    let hrefs: Vec<String> = serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelectorAll('a[href]'), function (a) { return a.getAttribute('href'); })")).unwrap();
    for h in &hrefs {
        assert!(
            h.starts_with("https://")
                || h.starts_with("http://")
                || h.starts_with('#')
                || h.starts_with("../")
                || h.starts_with("./"),
            "{h}"
        );
    }

    // The level-over-time chart, drawn from the history: a band per level, a point (with
    // its counts as a title) per snapshot, the last one this snapshot's counts.
    let snaps = &a.trends.snapshots;
    assert!(
        snaps.len() >= 2,
        "the fixture's history has several snapshots"
    );
    let v = b.eval("[document.querySelectorAll('#levels-over-time svg polygon.band').length, Array.prototype.map.call(document.querySelectorAll('#levels-over-time svg rect.point title'), function (t) { return t.textContent; })]");
    assert_eq!(v[0], json!(usize::from(a.max_level) + 1));
    let titles: Vec<String> = serde_json::from_value(v[1].clone()).unwrap();
    assert_eq!(titles.len(), snaps.len());
    let last = snaps.last().unwrap();
    let counts: Vec<String> = (0..last.by_level.len())
        .rev()
        .map(|l| format!("L{l} {}", last.by_level[l]))
        .collect();
    assert!(
        titles.last().unwrap().contains(&counts.join(", ")),
        "{titles:?}"
    );
    assert_eq!(last.by_level, a.summary.by_level);

    // Without script: the summary, the below-required list, the heat map and the chart are there, the
    // table's controls are not, and the page still fits the phone.
    b.call(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    );
    b.viewport(390, 844, true);
    b.open(&url(""), false);
    let v = b.eval("[document.documentElement.getAttribute('data-ready'), document.querySelectorAll('#below-required li').length, !!document.getElementById('summary'), document.querySelectorAll('#heat-rows tr').length > 0 && document.querySelectorAll('#levels-over-time svg polygon').length > 0, document.querySelector('.controls').offsetParent === null]");
    assert_eq!(v, json!([null, below, true, true, true]));
    b.assert_no_overflow("390 px without script");
    b.screenshot("aggregate-390-noscript.png");
}

/// Hostile names for the generated projects: each would run a script or make an element if
/// any output path parsed it as markup, or end the page's JSON block early.
const HOSTILE: [&str; 6] = [
    "</script><script>document.documentElement.setAttribute('data-pwned','1')</script>",
    "<!--<script>document.documentElement.setAttribute('data-pwned','1')//",
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">",
    "\u{2028}\u{2029}</SCRIPT ><svg onload=alert(1)>",
    "javascript:document.documentElement.setAttribute('data-pwned','1')",
    "&lt;b&gt; \"quoted\" 'single' \\ back",
];

/// The fixture's projects copied out to `n` rows with new names and levels (every 1000th
/// named after a hostile string), as 25,000 projects of an organisation would be.
fn generated(mut a: Aggregate, n: usize) -> Aggregate {
    let base = a.projects.clone();
    a.projects.clear();
    let mut by_level = vec![0; a.summary.by_level.len()];
    for i in 0..n {
        let mut r = base[i % base.len()].clone();
        // Three projects a repository, which share its result's stamp, team and links.
        let repo = i / 3;
        let first = &base[(repo * 3) % base.len()];
        r.repository = format!("github.com/acme-{}/service-{repo:05}", repo % 7);
        r.owner = Some(format!("acme-{}", repo % 7));
        r.team = first.team.clone();
        r.time = first.time.clone();
        r.commit = Some(format!("{:040x}", repo * 7919));
        r.links.repository = Some(format!("https://{}", r.repository));
        r.links.commit = Some(format!(
            "https://{}/commit/{}",
            r.repository,
            r.commit.as_deref().unwrap()
        ));
        r.links.run = None;
        r.links.result = first.links.result.clone();
        r.project = if i % 1000 == 17 {
            HOSTILE[(i / 1000) % HOSTILE.len()].to_string()
        } else {
            format!("service-{i:05}-{}", ["core", "api", "worker"][i % 3])
        };
        // A deterministic spread of levels and required levels.
        r.level = ((i * 7919) % 4) as u8;
        r.required_level = ((i * 104_729) % 3) as u8;
        r.passed = r.level >= r.required_level;
        r.coverage = (i % 11 != 0).then(|| ((i * 37) % 1000) as f64 / 1000.0);
        by_level[usize::from(r.level)] += 1;
        a.projects.push(r);
    }
    a.projects.sort_by(|x, y| {
        (&x.repository, &x.path, &x.project).cmp(&(&y.repository, &y.path, &y.project))
    });
    a.summary.projects = n;
    a.summary.meeting_required = a.projects.iter().filter(|r| r.passed).count();
    a.summary.below_required = n - a.summary.meeting_required;
    a.summary.by_level = by_level;
    a
}

/// Whether the table's text filter keeps a row: the needle in its repository, project, path
/// or failing criteria, case-insensitively.
fn matches(r: &aggregate::Row, needle: &str) -> bool {
    let text = format!(
        "{} {} {} {}",
        r.repository,
        r.project,
        r.path,
        r.failing.join(" ")
    );
    text.to_lowercase().contains(&needle.to_lowercase())
}

/// The page's limit for opening (and, separately, for one sort or filter) 25,000 projects.
const LIMIT_MS: f64 = 3000.0;

#[test]
fn twenty_five_thousand_projects_open_sort_and_filter_within_three_seconds() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let site = fresh_site("aggregate-25k");
    let n = 25_000;
    let a = generated(fixture_aggregate(&site), n);
    let url = write_site("aggregate-25k", &a);
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let mut b = Browser::start(&bin);
    b.viewport(1400, 1000, false);

    // Opened with a sort and a filter in the fragment: the page's own time from navigation
    // start to the first drawn page of rows covers parsing, sorting and filtering.
    let ms = |b: &mut Browser, attr: &str| -> f64 {
        b.eval(&format!(
            "Number(document.documentElement.getAttribute('{attr}'))"
        ))
        .as_f64()
        .unwrap()
    };
    // The best of up to five fresh loads, after one to warm up (the first file:// load also
    // starts the renderer and reads the file from disk): what the page costs, with less of
    // whatever else the machine runs at that moment. With it, the renderer main thread's CPU
    // time for the load (DevTools `Performance.getMetrics` ThreadTime: a new renderer per
    // load, through about:blank), which no other process can inflate.
    b.call("Performance.enable", json!({}));
    let best = |b: &mut Browser, url: &str| -> [f64; 4] {
        b.open(url, true);
        let mut best = [f64::MAX; 4];
        for _ in 0..5 {
            b.open(url, true);
            let m = b.call("Performance.getMetrics", json!({}));
            let cpu = m["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == "ThreadTime")
                .map_or(0.0, |x| x["value"].as_f64().unwrap() * 1000.0);
            let t = ["data-render-ms", "data-script-ms", "data-parse-ms"].map(|k| ms(b, k));
            if t[0] < best[0] {
                best = [t[0], t[1], t[2], cpu];
            }
            if best[0] < LIMIT_MS / 2.0 {
                break;
            }
        }
        best
    };
    let [open, read, parsed, cpu] = best(&mut b, &url);
    assert_eq!(
        b.eval("document.getElementById('shown').textContent"),
        json!(format!("{n} of {n} projects shown"))
    );
    assert_eq!(
        b.table().len(),
        100,
        "one page of rows is drawn, not 25,000"
    );
    assert_inert(&mut b, "25,000 projects");
    let [open_sorted, _, _, cpu_sorted] = best(
        &mut b,
        &format!("{url}#sort=coverage&dir=desc&q=worker&below=1"),
    );
    let expected = a
        .projects
        .iter()
        .filter(|r| !r.passed && matches(r, "worker"))
        .count();
    assert_eq!(
        b.eval("document.getElementById('shown').textContent"),
        json!(format!("{expected} of {n} projects shown"))
    );

    // A click on a heading sorts all 25,000; typing filters them; the page's time for each.
    b.eval("location.hash = ''");
    b.open(&url, true);
    b.eval("document.querySelector('th[data-key=repository] button').click()");
    let sort = ms(&mut b, "data-apply-ms");
    let rows = b.table();
    assert!(
        rows.windows(2).all(|w| w[0].0 <= w[1].0),
        "sorted by repository"
    );
    b.eval("var q = document.getElementById('q'); q.value = 'acme-3'; q.dispatchEvent(new Event('input'))");
    let filter = ms(&mut b, "data-apply-ms");
    let expected = a.projects.iter().filter(|r| matches(r, "acme-3")).count();
    assert_eq!(
        b.eval("document.getElementById('shown').textContent"),
        json!(format!("{expected} of {n} projects shown"))
    );
    // Every hostile name is in the data and shows as text.
    for (i, h) in HOSTILE.iter().enumerate() {
        let found = b.eval(&format!(
            "(function () {{ var q = document.getElementById('q'); q.value = {}; q.dispatchEvent(new Event('input'));
               var tr = document.querySelector('#projects tbody tr'); return tr ? tr.cells[1].getAttribute('data-v') : null; }})()",
            serde_json::to_string(&h.to_lowercase()).unwrap()
        ));
        assert_eq!(found, json!(h), "hostile name {i}");
        assert_inert(&mut b, h);
    }
    b.viewport(390, 844, true);
    b.open(&url, true);
    b.assert_no_overflow("25,000 projects at 390 px");
    b.screenshot("aggregate-25k-390.png");
    let size = std::fs::metadata(artifacts().join("aggregate-25k/index.html"))
        .unwrap()
        .len();
    eprintln!("25,000 projects ({:.1} MB), the page's own time: open {open:.0} ms (document read {read:.0} ms, data parsed {parsed:.0} ms; main thread CPU {cpu:.0} ms), open sorted and filtered {open_sorted:.0} ms (CPU {cpu_sorted:.0} ms), click-sort {sort:.0} ms, filter {filter:.0} ms", size as f64 / 1e6);
    for (what, t) in [
        ("open", open),
        ("open sorted and filtered", open_sorted),
        ("open, main thread CPU", cpu),
        ("open sorted and filtered, main thread CPU", cpu_sorted),
        ("sort", sort),
        ("filter", filter),
    ] {
        assert!(
            t < LIMIT_MS,
            "{what} took {t:.0} ms of the page's time (limit {LIMIT_MS} ms)"
        );
    }
}

/// The history fixture with teams, links and flaky tests (`tests/fixtures/aggregate-trends`):
/// the per-team rows, the team filter, the run link, the chart and the flaky list, at both
/// widths.
#[test]
fn teams_links_trends_and_flaky_tests_show_in_chromium() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    const TRENDS: &str = "tests/fixtures/aggregate-trends";
    let site = fresh_site("aggregate-trends");
    let history = site.join("history.jsonl");
    std::fs::copy(format!("{TRENDS}/history.jsonl"), &history).unwrap();
    let a = aggregate::build(
        &Options {
            inputs: vec![format!("{TRENDS}/results").into()],
            history: Some(history),
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "Acme: Test Certified".into(),
            teams: Some(format!("{TRENDS}/teams.toml").into()),
            out: Some(site.clone()),
        },
        std::time::UNIX_EPOCH,
    )
    .unwrap()
    .aggregate;
    let named: Vec<&str> = a.teams.iter().filter_map(|t| t.name.as_deref()).collect();
    assert!(named.len() >= 3, "teams from the three sources: {named:?}");
    assert!(
        a.flaky.total > 0,
        "the fixture has a flip and repeated flakes"
    );
    assert!(a.trends.snapshots.len() >= 5);
    let with_run = a
        .projects
        .iter()
        .find(|r| r.links.run.is_some())
        .expect("a result stamped in Actions");
    let url = write_site("aggregate-trends", &a);
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let mut b = Browser::start(&bin);
    for (width, height, mobile) in [(1400, 1000, false), (390, 844, true)] {
        let what = format!("{width} px");
        b.viewport(width, height, mobile);
        b.open(&url, true);
        assert_inert(&mut b, &what);
        // A row per team, in the data's order (worst first), each linking to the filter.
        let v = b.eval("Array.prototype.map.call(document.querySelectorAll('#teams tbody tr'), function (tr) { return [tr.getAttribute('data-group'), tr.cells[2].textContent, (tr.querySelector('a') || {}).hash || null]; })");
        let rows: Vec<(String, String, Option<String>)> = serde_json::from_value(v).unwrap();
        assert_eq!(rows.len(), a.teams.len(), "{what}");
        for (row, team) in rows.iter().zip(&a.teams) {
            assert_eq!(row.0, team.name.clone().unwrap_or_default(), "{what}");
            assert_eq!(row.1, team.projects.to_string(), "{what}");
            assert_eq!(row.2.is_some(), team.name.is_some(), "{what}");
        }
        // The level-over-time chart and the flaky list.
        let v = b.eval("[document.querySelectorAll('#levels-over-time rect.point').length, document.querySelectorAll('#flaky-tests tbody tr').length, document.querySelectorAll('#heat-rows svg.blocked').length > 0]");
        assert_eq!(
            v,
            json!([a.trends.snapshots.len(), a.flaky.tests.len(), true]),
            "{what}"
        );
        let first: Vec<String> = serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelector('#flaky-tests tbody tr').cells, function (td) { return td.textContent; })")).unwrap();
        assert_eq!(first[0], a.flaky.tests[0].test, "{what}: worst first");
        b.assert_no_overflow(&what);
        b.screenshot(&format!("aggregate-trends-{width}.png"));
    }
    b.viewport(1400, 1000, false);
    b.open(&url, true);
    // A team's link filters the table to its projects; the select shows it.
    let team = named[0];
    b.eval(&format!(
        "Array.prototype.find.call(document.querySelectorAll('#teams tbody tr'), function (tr) {{ return tr.getAttribute('data-group') === {}; }}).querySelector('a').click()",
        serde_json::to_string(team).unwrap()
    ));
    // The click changes the fragment; the page applies it on hashchange.
    let deadline = Instant::now() + STEP;
    let expected = a
        .projects
        .iter()
        .filter(|r| r.team.as_deref() == Some(team))
        .count();
    while b.eval("document.getElementById('shown').textContent")
        != json!(format!("{expected} of {} projects shown", a.projects.len()))
    {
        assert!(Instant::now() < deadline, "the team filter did not apply");
        std::thread::sleep(Duration::from_millis(50));
    }
    let v = b.eval("[document.getElementById('team').value, Array.prototype.map.call(document.querySelectorAll('#projects tbody tr td[data-label=Team]'), function (td) { return td.textContent; })]");
    assert_eq!(v[0], json!(team));
    let teams: Vec<String> = serde_json::from_value(v[1].clone()).unwrap();
    assert_eq!(teams.len(), expected);
    assert!(teams.iter().all(|t| t == team), "{teams:?}");
    // The CI run link of a result made in Actions points at the stamped run.
    b.open(&format!("{url}#q={}", with_run.project), true);
    let runs: Vec<String> = serde_json::from_value(b.eval("Array.prototype.map.call(document.querySelectorAll('#projects tbody td[data-label=\"Last updated\"] a'), function (a) { return a.href; })")).unwrap();
    assert!(
        runs.contains(with_run.links.run.as_ref().unwrap()),
        "{runs:?}"
    );
    assert!(
        runs.contains(with_run.links.commit.as_ref().unwrap()),
        "{runs:?}"
    );
}
