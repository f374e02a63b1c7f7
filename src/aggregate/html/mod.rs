//! `index.html`: one self-contained page (no external scripts, fonts, styles or images; it
//! works offline and from a `file://` URL).
//!
//! What reads without JavaScript: the summary, the input notices, the "below required" list,
//! projects per level and the level-over-time chart (inline SVG), the changes since the last
//! snapshot and the heat map; everything above the projects table is drawn here. The table of
//! every project is drawn by the page's one script from a JSON block embedded once, a page of
//! rows at a time, so that 25,000 projects open in well under the 3 s the browser test holds
//! it to (as DOM rows they took about 90 s); without script, the page says that `summary.md`
//! and `aggregate.json` list every project. The script sorts, filters and pages the table
//! from clicks and from the URL fragment (`#sort=level&dir=desc&q=core&level=2&below=1&page=2`,
//! applied on load).
//!
//! Names from results are HTML-escaped wherever this file writes them, the JSON block is
//! escaped for its `<script>` context ([`json_for_script`]) and the script only ever sets
//! names as text; a Content-Security-Policy allows only the page's script (by its SHA-256),
//! so an injected `<script>` would stay inert even if escaping were ever missed.

mod chart;

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use super::{Aggregate, Change, CriterionRow, Row, Severity};

/// Escapes text for HTML content and quoted attribute values.
pub use crate::escape::html as escape;

/// The page's style sheet; the level colours are appended from [`PILLS`] so that the
/// contrast test reads the very colours the page uses.
const STYLE: &str = include_str!("page.css");

/// The page's one script (its SHA-256 goes into the Content-Security-Policy).
const SCRIPT: &str = include_str!("page.js");

/// The Content-Security-Policy source of a script (`script-src 'sha256-…'` allows the page's
/// own script and nothing else): its SHA-256, base64 with padding.
fn csp_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
}

/// The pill colours per level (background, text), chosen so that the text meets WCAG AA
/// (contrast ≥ 4.5:1, checked by a test): the badge hues for recognition, but white text only
/// on backgrounds dark enough for it (not on yellow or orange), and a darker red and blue
/// than the badges'. Index: level; level 3 is the top of a 3-level ladder (bright green) or
/// the middle of a 5-level one (green).
const PILLS: [(&str, &str); 6] = [
    ("#cf222e", "#ffffff"),
    ("#fe7d37", "#1f2328"),
    ("#dfb317", "#1f2328"),
    ("#97ca00", "#1f2328"),
    ("#44cc11", "#1f2328"),
    ("#0969da", "#ffffff"),
];

/// The [`PILLS`] entry of a level.
fn pill(level: u8, max_level: u8) -> (&'static str, &'static str) {
    let i = match level {
        3 if max_level <= 3 => 4,
        l => usize::from(l.min(5)),
    };
    PILLS[i]
}

/// The level classes `.lv0` … `.lvN` of this page's ladder.
fn level_css(max_level: u8) -> String {
    let mut css = String::new();
    for l in 0..=max_level.min(5) {
        let (bg, fg) = pill(l, max_level);
        let _ = write!(
            css,
            ".lv{l}{{background:{bg};color:{fg}}}.dot.lv{l}{{fill:{bg}}}"
        );
    }
    css.push_str("[hidden]{display:none!important}\n");
    css
}

/// JSON for a `<script type="application/json">` block: the HTML parser ends the block at
/// the first `</script` and treats `<!--` specially, whatever JSON thinks of them, so every
/// `<`, `>` and `&` is written as a `\u` escape (only strings can hold them), and so are
/// U+2028/U+2029 (line terminators to older JavaScript parsers). `JSON.parse` reads back
/// the same text.
fn json_for_script(value: &impl Serialize) -> String {
    let raw = serde_json::to_string(value).expect("the page data serializes");
    let mut out = String::with_capacity(raw.len() + raw.len() / 16);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// What the script needs of the aggregate: the projects, worst first. What many rows share
/// is written once and referred to by index (a repository's stamp and links, stamp times,
/// criterion ids): at 25,000 projects that halves the page, and parsing it is most of the
/// time the page takes to open.
#[derive(Serialize)]
struct PageData<'a> {
    /// The page's highest level (the colour classes go up to it).
    max: u8,
    /// Per repository (result): what its rows share.
    repos: Vec<DataRepo<'a>>,
    /// Times of the trends' points.
    times: Vec<&'a str>,
    /// Criterion ids of the rows' failing lists.
    ids: Vec<&'a str>,
    rows: Vec<DataRow<'a>>,
}

/// What the rows of one repository's result share.
#[derive(Serialize, PartialEq)]
struct DataRepo<'a> {
    /// Repository, commit, stamp time.
    r: &'a str,
    h: Option<&'a str>,
    t: Option<&'a str>,
    /// Team and owner (null for none).
    g: Option<&'a str>,
    o: Option<&'a str>,
    /// Links (only the http(s) ones aggregate.json carries, and the result file's relative
    /// URL); omitted when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    u: Option<DataLinks<'a>>,
}

/// One project in the page data: an array, not an object (25,000 of them are embedded, and
/// keys would be a fifth of the page); the script names the fields as it reads them
/// (`page.js`, the same order).
#[derive(Serialize)]
struct DataRow<'a>(
    /// Its repository, an index into `repos`.
    usize,
    /// Project name, path.
    &'a str,
    &'a str,
    /// Level, required level, whether it meets it (0/1), whether it relies on a waiver (0/1).
    u8,
    u8,
    u8,
    u8,
    /// The failing criteria of the next level (indexes into `ids`).
    Vec<usize>,
    /// Coverage, incremental coverage (0..1, to 6 places), and whether the latter counts
    /// all lines (0/1).
    Option<f64>,
    Option<f64>,
    u8,
    /// Previous level.
    Option<u8>,
    /// Level over time: (index into `times`, level), oldest first.
    Vec<(usize, u8)>,
);

#[derive(Serialize, PartialEq)]
struct DataLinks<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

/// An absolute URL only when it is http(s) (aggregate.json already checks; the page does
/// not rely on it).
fn http(url: Option<&str>) -> Option<&str> {
    url.filter(|u| {
        let l = u.to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    })
}

/// A relative URL that cannot be read as a scheme (`javascript:…`) or a network path
/// (`//host`): `./` goes in front of one whose first segment has a colon or that starts
/// with a slash or backslash.
fn relative(url: Option<&str>) -> Option<String> {
    let u = url.filter(|u| !u.is_empty())?;
    let first = u.split('/').next().unwrap_or("");
    if first.contains(':') || u.starts_with('/') || u.starts_with('\\') {
        Some(format!("./{}", u.trim_start_matches(['/', '\\'])))
    } else {
        Some(u.to_string())
    }
}

/// The projects worst first: below their required level first, then by level (lowest
/// first); ties keep the aggregate's order (repository, path, name).
fn worst_first(a: &Aggregate) -> Vec<&Row> {
    let mut rows: Vec<&Row> = a.projects.iter().collect();
    rows.sort_by_key(|r| (r.passed, r.level));
    rows
}

fn page_data<'a>(a: &'a Aggregate, rows: &[&'a Row]) -> PageData<'a> {
    /// Index of `v` in `list`, adding it when new.
    fn intern<'a>(
        v: &'a str,
        list: &mut Vec<&'a str>,
        index: &mut HashMap<&'a str, usize>,
    ) -> usize {
        *index.entry(v).or_insert_with(|| {
            list.push(v);
            list.len() - 1
        })
    }
    let round = |v: Option<f64>| v.map(|v| (v * 1e6).round() / 1e6);
    let mut data = PageData {
        max: a.max_level,
        repos: Vec::new(),
        times: Vec::new(),
        ids: Vec::new(),
        rows: Vec::with_capacity(rows.len()),
    };
    let (mut times, mut ids) = (HashMap::new(), HashMap::new());
    // Candidates per repository name: rows of one result share all of it, but nothing here
    // relies on that (a differing row gets an entry of its own).
    let mut repos: HashMap<&str, Vec<usize>> = HashMap::new();
    for r in rows {
        let l = &r.links;
        let u = DataLinks {
            repo: http(l.repository.as_deref()),
            commit: http(l.commit.as_deref()),
            run: http(l.run.as_deref()),
            file: relative(l.result.as_deref()),
        };
        let repo = DataRepo {
            r: &r.repository,
            h: r.commit.as_deref(),
            t: r.time.as_deref(),
            g: r.team.as_deref(),
            o: r.owner.as_deref(),
            u: (u.repo.is_some() || u.commit.is_some() || u.run.is_some() || u.file.is_some())
                .then_some(u),
        };
        let seen = repos.entry(&r.repository).or_default();
        let k = match seen.iter().find(|&&k| data.repos[k] == repo) {
            Some(&k) => k,
            None => {
                data.repos.push(repo);
                seen.push(data.repos.len() - 1);
                data.repos.len() - 1
            }
        };
        let f = r
            .failing
            .iter()
            .map(|id| intern(id, &mut data.ids, &mut ids))
            .collect();
        let s = r
            .trend
            .iter()
            .map(|p| (intern(&p.time, &mut data.times, &mut times), p.level))
            .collect();
        data.rows.push(DataRow(
            k,
            &r.project,
            &r.path,
            r.level,
            r.required_level,
            u8::from(r.passed),
            u8::from(r.relies_on_waiver),
            f,
            round(r.coverage),
            round(r.incremental),
            u8::from(r.incremental_scope != crate::result::Scope::Diff),
            r.previous_level,
            s,
        ));
    }
    data
}

/// The page.
pub fn render(a: &Aggregate) -> String {
    let hash = csp_hash(SCRIPT);
    let rows = worst_first(a);
    let data = json_for_script(&page_data(a, &rows));
    let mut out = String::with_capacity(16384 + data.len());
    let title = escape(&a.title);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'">
<meta name="generator" content="testcert {version}">
<title>{title} — {snapshot}</title>
<style>{STYLE}{levels}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="meta">Snapshot {snapshot} · {results} results from {files} files · testcert {version}</p>
</header>
<main>
"#,
        version = a.testcert_version,
        snapshot = escape(&a.snapshot),
        results = a.inputs.results,
        files = a.inputs.files,
        levels = level_css(a.max_level),
    );
    summary(&mut out, a);
    notices(&mut out, a);
    below_required(&mut out, a, &rows);
    per_level(&mut out, a);
    chart::levels_over_time(&mut out, a);
    if let Some(c) = &a.changes {
        changes(&mut out, c);
    }
    groups(&mut out, a);
    heat_map(&mut out, a);
    flaky(&mut out, a);
    projects(&mut out, a);
    let _ = write!(
        out,
        r#"</main>
<footer>Generated by testcert {} from {} results. Levels follow the Test Certified ladder; a level marked * relies on a waived criterion.</footer>
<script type="application/json" id="data">{data}</script>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        a.testcert_version, a.inputs.results
    );
    out
}

/// `42%` of the projects, or `–` when there are none.
fn share(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_string()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / of as f64)
    }
}

fn summary(out: &mut String, a: &Aggregate) {
    let s = &a.summary;
    let _ = write!(
        out,
        r#"<section class="cards" id="summary">
<div class="card"><div class="big" id="count-projects">{}</div>projects in {} repositories</div>
<div class="card"><div class="big" id="count-meeting">{} / {}</div>at or above their required level ({})</div>
<div class="card"><div class="big bad" id="count-below">{}</div>below their required level</div>
"#,
        s.projects,
        s.repositories,
        s.meeting_required,
        s.projects,
        share(s.meeting_required, s.projects),
        s.below_required
    );
    if a.changes.is_some() {
        let _ = writeln!(
            out,
            r#"<div class="card"><div class="big"><span class="up">▲ {}</span> <span class="down">▼ {}</span></div>levels up / down since the last snapshot</div>"#,
            s.improved, s.regressed
        );
    }
    out.push_str("</section>\n");
}

/// Inputs that could not be read, and notices of severity `error` (future stamps, results
/// whose reports could not be read), are shown as problems; the rest (unstamped, superseded
/// results: expected in a working set-up) as information about the inputs.
fn notices(out: &mut String, a: &Aggregate) {
    let problems: Vec<&str> = a
        .inputs
        .notices
        .iter()
        .filter(|n| n.severity == Severity::Error && n.kind != super::NoticeKind::Unreadable)
        .map(|n| n.message.as_str())
        .collect();
    if !a.inputs.errors.is_empty() || !problems.is_empty() {
        out.push_str("<section class=\"errors\" id=\"input-errors\" role=\"alert\"><h2>Problems with the inputs</h2><ul>");
        for e in &a.inputs.errors {
            let _ = write!(
                out,
                "<li>could not be read: {}: {}</li>",
                escape(&e.path),
                escape(&e.error)
            );
        }
        for m in problems {
            let _ = write!(out, "<li>{}</li>", escape(m));
        }
        out.push_str("</ul></section>\n");
    }
    let info: Vec<&str> = a
        .inputs
        .notices
        .iter()
        .filter(|n| n.severity == Severity::Info)
        .map(|n| n.message.as_str())
        .collect();
    if !info.is_empty() {
        out.push_str(
            "<section class=\"notices\" id=\"input-notices\"><h2>About the inputs</h2><ul>",
        );
        for m in info {
            let _ = write!(out, "<li>{}</li>", escape(m));
        }
        out.push_str("</ul></section>\n");
    }
}

/// How many projects the "below required" list names before it says how many more: the
/// table and `summary.md` have the rest.
const BELOW_LIST: usize = 200;

/// The projects below their required level, worst first, as `summary.md` has them: readable
/// without script, so capped.
fn below_required(out: &mut String, a: &Aggregate, worst: &[&Row]) {
    let below: Vec<&&Row> = worst.iter().filter(|r| !r.passed).collect();
    if below.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"below\" id=\"below-required\"><h2>Below the required level ({})</h2><ul>",
        below.len()
    );
    for r in below.iter().take(BELOW_LIST) {
        let failing = if r.failing.is_empty() {
            String::new()
        } else {
            format!(
                " · needs {}",
                r.failing
                    .iter()
                    .map(|f| format!("<span class=\"crit\">{}</span>", escape(f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let _ = write!(
            out,
            "<li>{} / <strong>{}</strong>: <span class=\"pill lv{lv}\">L{}{}</span> of L{} required{failing}</li>",
            escape(&r.repository),
            escape(&r.project),
            r.level,
            if r.relies_on_waiver { "*" } else { "" },
            r.required_level,
            lv = r.level.min(a.max_level),
        );
    }
    if below.len() > BELOW_LIST {
        let _ = write!(
            out,
            "<li>… and {} more (the table below filters them with “below the required level only”)</li>",
            below.len() - BELOW_LIST
        );
    }
    out.push_str("</ul></section>\n");
}

fn per_level(out: &mut String, a: &Aggregate) {
    let s = &a.summary;
    out.push_str("<section id=\"levels\"><h2>Projects per level</h2>\n<div class=\"levelbar\" role=\"img\" aria-label=\"projects per level\">");
    for (l, &n) in s.by_level.iter().enumerate().rev() {
        if n == 0 {
            continue;
        }
        let w = 100.0 * n as f64 / s.projects.max(1) as f64;
        let _ = write!(
            out,
            r#"<div class="lv{l}" style="width:{w:.3}%" title="L{l}: {n} projects">L{l} · {n}</div>"#,
        );
    }
    out.push_str("</div>\n<ul class=\"legend\">");
    for (l, &n) in s.by_level.iter().enumerate().rev() {
        let _ = write!(
            out,
            r#"<li><span class="sw lv{l}"></span>L{l}: {n} ({})</li>"#,
            share(n, s.projects)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

fn changes(out: &mut String, c: &super::Changes) {
    // The date of the last snapshot: "since" alone does not say how long ago that was.
    match c.since.as_deref() {
        Some(t) => {
            let _ = writeln!(
                out,
                "<section id=\"changes\"><h2>Changed since the last snapshot ({})</h2>",
                escape(t.get(..10).unwrap_or(t))
            );
        }
        None => out.push_str("<section id=\"changes\"><h2>Changed since the last snapshot</h2>\n"),
    }
    if c.up.is_empty() && c.down.is_empty() && c.new.is_empty() && c.removed.is_empty() {
        out.push_str("<p>No project changed level.</p></section>\n");
        return;
    }
    out.push_str("<div class=\"changes\">");
    let list = |out: &mut String, title: &str, class: &str, items: &[Change]| {
        if items.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "<div><strong class=\"{class}\">{title} ({})</strong><ul>",
            items.len()
        );
        for ch in items.iter().take(200) {
            let lv = |l: Option<u8>| l.map_or("–".to_string(), |l| format!("L{l}"));
            let _ = write!(
                out,
                "<li>{} / <strong>{}</strong>: {} → {}</li>",
                escape(&ch.repository),
                escape(&ch.project),
                lv(ch.from),
                lv(ch.to)
            );
        }
        if items.len() > 200 {
            let _ = write!(out, "<li>… and {} more</li>", items.len() - 200);
        }
        out.push_str("</ul></div>");
    };
    list(out, "▼ Went down", "down", &c.down);
    list(out, "▲ Went up", "up", &c.up);
    list(out, "New projects", "", &c.new);
    list(out, "Projects gone", "", &c.removed);
    out.push_str("</div></section>\n");
}

/// The criteria by how many projects they block (then by level, then ladder order), as
/// `summary.md` orders them; each row carries its `ladder_index` for the "ladder order"
/// button.
fn by_blocking(criteria: &[CriterionRow]) -> Vec<(usize, &CriterionRow)> {
    let mut rows: Vec<(usize, &CriterionRow)> =
        criteria.iter().map(|c| (c.ladder_index, c)).collect();
    rows.sort_by(|(i, x), (j, y)| {
        y.blocking
            .cmp(&x.blocking)
            .then(x.level.cmp(&y.level))
            .then(i.cmp(j))
    });
    rows
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two luminances.
fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// `#rrggbb` as sRGB components 0..1.
fn rgb(hex: &str) -> [f64; 3] {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| f64::from(u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0)) / 255.0;
    [c(0), c(2), c(4)]
}

/// A heat map cell: red at `alpha` over white, and whichever text colour (black or white)
/// contrasts more with it. Black rather than the page's near-black: with pure black and
/// white one of the two always reaches 4.58:1, with #1f2328 the middle shades get 3.98:1.
fn heat_colors(alpha: f64) -> (String, &'static str) {
    let red = rgb("#cf222e");
    let mix: Vec<f64> = red.iter().map(|c| alpha * c + (1.0 - alpha)).collect();
    let bg = format!(
        "#{:02x}{:02x}{:02x}",
        (mix[0] * 255.0).round() as u8,
        (mix[1] * 255.0).round() as u8,
        (mix[2] * 255.0).round() as u8
    );
    let l = luminance([mix[0], mix[1], mix[2]]);
    let dark = "#000000";
    let fg = if contrast(l, 0.0) >= contrast(l, 1.0) {
        dark
    } else {
        "#ffffff"
    };
    (bg, fg)
}

fn heat_map(out: &mut String, a: &Aggregate) {
    out.push_str("<section id=\"heatmap\"><h2>What holds projects back</h2>\n");
    if a.criteria.is_empty() {
        out.push_str("<p>Every project meets every criterion of its ladder.</p></section>\n");
        return;
    }
    out.push_str("<p class=\"meta\">Projects at each level that do not meet a criterion (unmet, or unknown for want of evidence), the criteria that block the most projects first; the outlined cells are the criteria that block those projects' next level. Darker is a larger share of the projects at that level. <button type=\"button\" class=\"link-button\" id=\"heat-order\" aria-pressed=\"false\" hidden>Show in ladder order</button></p>\n");
    out.push_str("<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>criterion</th><th class=\"num\">blocks next level</th><th class=\"num\">not met</th>");
    let levels = a.summary.by_level.len().saturating_sub(1);
    for l in 0..levels {
        let _ = write!(
            out,
            "<th class=\"num\">at L{l} ({})</th>",
            a.summary.by_level[l]
        );
    }
    let over_time: Vec<String> = by_blocking(&a.criteria)
        .iter()
        .map(|(_, c)| chart::blocked_over_time(a, &c.id))
        .collect();
    let with_time = over_time.iter().any(|s| !s.is_empty());
    if with_time {
        out.push_str("<th>blocked over time</th>");
    }
    out.push_str("</tr></thead><tbody id=\"heat-rows\">\n");
    for (rank, (ladder, c)) in by_blocking(&a.criteria).into_iter().enumerate() {
        let _ = write!(
            out,
            r#"<tr data-criterion="{id}" data-rank="{rank}" data-ladder="{ladder}"><td><span class="crit">{id}</span> <span class="title">{title}</span></td><td class="num"><strong>{}</strong></td><td class="num">{}{}</td>"#,
            c.blocking,
            c.missing,
            if c.unknown > 0 {
                format!(" <span class=\"path\">({} unknown)</span>", c.unknown)
            } else {
                String::new()
            },
            id = escape(&c.id),
            title = escape(c.title),
        );
        for l in 0..levels {
            let total = a.summary.by_level[l];
            if usize::from(c.level) <= l {
                out.push_str("<td class=\"cell na\">·</td>");
                continue;
            }
            let n = c.missing_by_level.get(l).copied().unwrap_or(0);
            let frac = if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            };
            let class = if usize::from(c.level) == l + 1 {
                "cell block"
            } else {
                "cell"
            };
            if n == 0 {
                let _ = write!(out, r#"<td class="{class} na">0</td>"#);
                continue;
            }
            let (bg, fg) = heat_colors(0.06 + 0.88 * frac);
            let _ = write!(
                out,
                r#"<td class="{class}" style="background:{bg};color:{fg}" title="{n} of {total} projects at L{l}">{n}</td>"#,
            );
        }
        if with_time {
            let _ = write!(out, "<td class=\"trend\">{}</td>", over_time[rank]);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// `#key=value` for a link that sets the table's filter (the script reads the fragment):
/// the value percent-encoded but for unreserved characters, so it is also safe in an
/// attribute.
fn fragment(key: &str, value: &str) -> String {
    let mut out = format!("#{key}=");
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Whether any project has a team (else the team table and column are left out).
fn has_teams(a: &Aggregate) -> bool {
    a.teams.iter().any(|t| t.name.is_some())
}

/// Per team and per owner: projects per level, the share at the required level, who went
/// down. A name links to the table filtered by it.
fn groups(out: &mut String, a: &Aggregate) {
    if has_teams(a) {
        group_table(out, a, "teams", "Teams", "team", &a.teams, "no team");
    }
    if a.owners.len() > 1 {
        group_table(out, a, "owners", "Owners", "owner", &a.owners, "no owner");
    }
}

/// How many "went down" projects a team's row names before it says how many more.
const WENT_DOWN_LISTED: usize = 5;

fn group_table(
    out: &mut String,
    a: &Aggregate,
    id: &str,
    title: &str,
    key: &str,
    rows: &[super::GroupRow],
    none: &str,
) {
    let _ = write!(
        out,
        r#"<section id="{id}"><h2>{title}</h2>
<p class="meta">Worst first: the lowest share of projects at their required level. A name filters the projects table.</p>
<div class="scroll"><table class="groups"><thead><tr><th>{key}</th><th class="num">repositories</th><th class="num">projects</th><th>per level</th><th class="num">at required</th><th class="num">below</th><th>went down</th><th class="num">went up</th></tr></thead><tbody>
"#
    );
    for g in rows {
        let name = match &g.name {
            Some(n) => format!("<a href=\"{}\">{}</a>", fragment(key, n), escape(n)),
            None => format!("<span class=\"path\">{none}</span>"),
        };
        let mut bar = String::from("<div class=\"minibar\">");
        for (l, &n) in g.by_level.iter().enumerate().rev() {
            if n == 0 {
                continue;
            }
            let _ = write!(
                bar,
                r#"<span class="lv{lv}" style="flex:{n}" title="L{l}: {n}">{n}</span>"#,
                lv = l.min(usize::from(a.max_level))
            );
        }
        bar.push_str("</div>");
        let down = if g.went_down.is_empty() {
            "<span class=\"path\">–</span>".to_string()
        } else {
            let mut names: Vec<String> = g
                .went_down
                .iter()
                .take(WENT_DOWN_LISTED)
                .map(|c| {
                    let lv = |l: Option<u8>| l.map_or("–".to_string(), |l| format!("L{l}"));
                    format!(
                        "{} / <strong>{}</strong> {}→{}",
                        escape(&c.repository),
                        escape(&c.project),
                        lv(c.from),
                        lv(c.to)
                    )
                })
                .collect();
            if g.went_down.len() > WENT_DOWN_LISTED {
                names.push(format!("and {} more", g.went_down.len() - WENT_DOWN_LISTED));
            }
            names.join("<br>")
        };
        let _ = writeln!(
            out,
            r#"<tr data-group="{}"><td>{name}</td><td class="num">{}</td><td class="num">{}</td><td>{bar}</td><td class="num">{} <span class="path">({})</span></td><td class="num">{}</td><td class="down-list">{down}</td><td class="num">{}</td></tr>"#,
            escape(g.name.as_deref().unwrap_or("")),
            g.repositories,
            g.projects,
            g.meeting_required,
            g.share_required
                .map_or("–".to_string(), |s| format!("{:.0}%", 100.0 * s)),
            g.below_required,
            g.improved,
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// Tests that flipped on one commit or were flaky in several results, across the
/// organisation and per repository (aggregate.json has the same lists).
fn flaky(out: &mut String, a: &Aggregate) {
    let f = &a.flaky;
    if f.results == 0 {
        return;
    }
    out.push_str("<section id=\"flaky\"><h2>Flaky tests across runs</h2>\n");
    if f.tests.is_empty() {
        let _ = writeln!(
            out,
            "<p>No test flipped on a commit or was flaky in two results or more ({} looked at).</p></section>",
            crate::words::plural(f.results as u64, "result")
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} in {}, worst first: a flip is a commit on which a test failed in one result and not in another; flaky is failed, then passed on a retry.{}</p>",
        crate::words::plural(f.total as u64, "test"),
        crate::words::plural(f.results as u64, "result"),
        if f.total > f.tests.len() {
            format!(" The worst {} are listed; aggregate.json has the same list.", f.tests.len())
        } else {
            String::new()
        }
    );
    out.push_str("<div class=\"scroll\"><table id=\"flaky-tests\"><thead><tr><th>test</th><th>repository / project</th><th class=\"num\">flips</th><th class=\"num\">flaky in</th><th class=\"num\">failed in</th><th class=\"num\">of results</th><th>last seen</th></tr></thead><tbody>\n");
    for t in &f.tests {
        let _ = writeln!(
            out,
            r#"<tr><td class="crit">{}</td><td>{} / <strong>{}</strong></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            escape(&t.test),
            escape(&t.repository),
            escape(&t.project),
            t.flips,
            t.flaky_in,
            t.failed_in,
            t.results,
            escape(t.last_seen.get(..10).unwrap_or(&t.last_seen)),
        );
    }
    out.push_str("</tbody></table></div>\n");
    if f.by_repository.len() > 1 {
        out.push_str("<h3>Per repository</h3><div class=\"scroll\"><table id=\"flaky-repositories\"><thead><tr><th>repository</th><th class=\"num\">tests</th><th class=\"num\">flips</th><th class=\"num\">flaky in</th></tr></thead><tbody>\n");
        for r in &f.by_repository {
            let _ = writeln!(
                out,
                r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
                escape(&r.repository),
                r.tests,
                r.flips,
                r.flaky_in
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

/// The table's columns: key (the script's sort key and cell kind), heading, whether numeric
/// (sorted highest first on the first click), whether sortable.
const COLUMNS: [(&str, &str, bool, bool); 10] = [
    ("repository", "Repository", false, true),
    ("project", "Project", false, true),
    ("team", "Team", false, true),
    ("level", "Level", true, true),
    ("required", "Required", true, true),
    ("failing", "Failing criteria (next level)", true, true),
    ("coverage", "Coverage", true, true),
    ("incremental", "Incremental", true, true),
    ("updated", "Last updated", false, true),
    ("trend", "Trend", false, false),
];

fn projects(out: &mut String, a: &Aggregate) {
    let n = a.projects.len();
    let _ = write!(
        out,
        r#"<section id="table"><h2>Projects</h2>
<noscript><p>The table of all {n} projects needs JavaScript; <code>summary.md</code> and <code>aggregate.json</code> beside this page list every project.</p></noscript>
<div class="controls" data-needs-script hidden>
<input type="search" id="q" placeholder="Filter by repository, project, path or criterion" aria-label="filter">
<select id="level" aria-label="level"><option value="">any level</option>"#
    );
    for l in 0..a.summary.by_level.len() {
        let _ = write!(out, "<option value=\"{l}\">L{l}</option>");
    }
    out.push_str("</select>\n");
    if has_teams(a) {
        out.push_str(
            "<select id=\"team\" aria-label=\"team\"><option value=\"\">any team</option>",
        );
        for t in &a.teams {
            if let Some(n) = &t.name {
                let _ = write!(out, "<option value=\"{0}\">{0}</option>", escape(n));
            }
        }
        out.push_str("</select>\n");
    }
    let _ = write!(
        out,
        r#"<label><input type="checkbox" id="below"> below the required level only</label>
<span id="shown" aria-live="polite">{n} of {n} projects shown</span>
<button type="button" class="link-button" id="clear" hidden>clear the filters</button>
</div>
<div class="scroll" data-needs-script hidden>
<table id="projects">
<thead><tr>"#
    );
    for (key, head, num, sortable) in COLUMNS {
        if key == "team" && !has_teams(a) {
            continue;
        }
        let class = if matches!(key, "coverage" | "incremental") {
            " class=\"num\""
        } else {
            ""
        };
        let ty = if num { " data-type=\"num\"" } else { "" };
        if sortable {
            let _ = write!(
                out,
                "<th{class} data-key=\"{key}\"{ty}><button type=\"button\">{head}</button></th>"
            );
        } else {
            let _ = write!(out, "<th{class} data-key=\"{key}\">{head}</th>");
        }
    }
    out.push_str(
        r#"</tr></thead>
<tbody></tbody></table>
</div>
<div class="pager" data-needs-script hidden><button type="button" id="prev">‹ previous</button><span id="pageinfo"></span><button type="button" id="next">next ›</button></div>
</section>
"#,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hashes_are_base64_sha256() {
        // FIPS 180-2 examples, base64 as CSP writes them.
        assert_eq!(csp_hash(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(
            csp_hash("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn pills_meet_wcag_aa_contrast() {
        // The WCAG definition's reference points: black on white is 21:1.
        assert!(
            (contrast(luminance(rgb("#000000")), luminance(rgb("#ffffff"))) - 21.0).abs() < 1e-9
        );
        // What the page used to do, white on the badge yellow, fails (about 2:1).
        assert!(contrast(luminance(rgb("#dfb317")), 1.0) < 4.5);
        for max in [3, 5] {
            for l in 0..=max {
                let (bg, fg) = pill(l, max);
                let css = level_css(max);
                assert!(css.contains(&format!(".lv{l}{{background:{bg};color:{fg}}}")));
                let ratio = contrast(luminance(rgb(bg)), luminance(rgb(fg)));
                assert!(ratio >= 4.5, "L{l} of {max}: {fg} on {bg} is {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn heat_map_text_meets_wcag_aa_on_every_shade() {
        for step in 0..=100 {
            let alpha = 0.06 + 0.88 * f64::from(step) / 100.0;
            let (bg, fg) = heat_colors(alpha);
            let ratio = contrast(luminance(rgb(&bg)), luminance(rgb(fg)));
            assert!(ratio >= 4.5, "{fg} on {bg} is {ratio:.2}:1");
        }
    }

    #[test]
    fn links_are_http_or_relative_and_never_a_scheme() {
        assert_eq!(
            http(Some("https://github.com/a/b")),
            Some("https://github.com/a/b")
        );
        assert_eq!(http(Some("HTTP://host/x")), Some("HTTP://host/x"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example/x",
            "ftp://x",
        ] {
            assert_eq!(http(Some(bad)), None, "{bad}");
        }
        assert_eq!(
            relative(Some("../results/kv.json")).as_deref(),
            Some("../results/kv.json")
        );
        assert_eq!(
            relative(Some("javascript:alert(1)")).as_deref(),
            Some("./javascript:alert(1)")
        );
        assert_eq!(
            relative(Some("//evil.example/x")).as_deref(),
            Some("./evil.example/x")
        );
        assert_eq!(relative(Some("")), None);
        assert_eq!(
            fragment("team", "Core & \"UI\""),
            "#team=Core%20%26%20%22UI%22"
        );
    }

    /// The fixtures' aggregate, without history (no chart, no changes) or with it.
    fn fixture(history: bool) -> Aggregate {
        let dir =
            std::env::temp_dir().join(format!("testcert-html-{}-{history}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let h = dir.join("history.jsonl");
        std::fs::copy("fixtures/aggregate/history.jsonl", &h).unwrap();
        let opts = crate::aggregate::Options {
            inputs: vec!["fixtures/aggregate/results".into()],
            history: history.then_some(h),
            now: Some("2025-06-01T12:00:00Z".into()),
            title: "t".into(),
            ..Default::default()
        };
        let a = crate::aggregate::build(&opts, std::time::UNIX_EPOCH)
            .unwrap()
            .aggregate;
        let _ = std::fs::remove_dir_all(&dir);
        a
    }

    /// The page's data block, parsed as the script parses it.
    fn data_block(page: &str) -> serde_json::Value {
        let start = page
            .find("<script type=\"application/json\" id=\"data\">")
            .unwrap();
        let body = &page[start..];
        let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn the_data_block_carries_every_project_worst_first_and_shares_repositories() {
        let a = fixture(true);
        let page = render(&a);
        let d = data_block(&page);
        let rows = d["rows"].as_array().unwrap();
        assert_eq!(rows.len(), a.projects.len());
        let key = |r: &serde_json::Value| (r[5].as_u64().unwrap(), r[3].as_u64().unwrap());
        assert!(
            rows.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
            "worst first"
        );
        // One entry per result, each named once.
        let repos = d["repos"].as_array().unwrap();
        assert_eq!(repos.len(), a.summary.repositories);
        for (row, r) in rows.iter().zip(worst_first(&a)) {
            let repo = &repos[row[0].as_u64().unwrap() as usize];
            assert_eq!(repo["r"], r.repository.as_str());
            assert_eq!(row[1], r.project.as_str());
            let failing: Vec<&str> = row[7]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| d["ids"][k.as_u64().unwrap() as usize].as_str().unwrap())
                .collect();
            assert_eq!(failing, r.failing);
        }
        // The hostile repository's name reads back exactly from the escaped block.
        assert!(repos
            .iter()
            .any(|r| r["r"].as_str().unwrap().contains("<script>")));
    }

    #[test]
    fn without_history_the_page_has_no_chart_and_no_changes() {
        let a = fixture(false);
        let page = render(&a);
        assert!(!page.contains("id=\"levels-over-time\""));
        assert!(!page.contains("id=\"changes\""));
        assert!(page.contains("id=\"below-required\""));
        assert_eq!(
            data_block(&page)["rows"].as_array().unwrap().len(),
            a.projects.len()
        );
    }

    #[test]
    fn hostile_team_names_stay_text_in_tables_options_and_links() {
        let mut a = fixture(true);
        let evil = "</script><script>alert(1)</script>\"'&<!--";
        for t in &mut a.teams {
            t.name = Some(evil.to_string());
        }
        for r in &mut a.projects {
            r.team = Some(evil.to_string());
        }
        let page = render(&a);
        assert_eq!(
            page.matches("<script").count(),
            2,
            "the data block and the code only"
        );
        assert!(!page.contains("<!--"));
        assert!(page.contains("<option value=\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;!--\">"));
        assert!(page.contains("href=\"#team=%3C%2Fscript%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%26%3C%21--\""));
        assert_eq!(data_block(&page)["repos"][0]["g"], evil);
    }

    #[test]
    fn script_json_cannot_end_its_block_and_reads_back_the_same() {
        let hostile = [
            "</script><script>alert(1)</script>",
            "</SCRIPT >",
            "<!-- <script>",
            "a\u{2028}b\u{2029}c",
            "&lt; \"quoted\" \\ back",
        ];
        let s = json_for_script(&hostile);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, hostile);
    }
}
