//! `index.html`: one self-contained page (no external scripts, fonts, styles or images; it
//! works offline and from a `file://` URL). Everything is rendered here, so the page reads
//! without JavaScript; the one inline script sorts and filters the table, from clicks and
//! from the URL fragment (`#sort=level&dir=desc&q=core&level=2&below=1`, applied on load).
//!
//! Names from results are HTML-escaped wherever they appear, and a Content-Security-Policy
//! allows only this script (by its SHA-256), so an injected `<script>` would stay inert even
//! if escaping were ever missed.

use std::fmt::Write;

use super::{Aggregate, Change, Row};
use crate::render::badge::level_color;
use crate::words::percent;

/// Escapes text for HTML content and quoted attribute values.
pub use crate::escape::html as escape;

const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line);background:var(--soft)}
h1{margin:0 0 4px;font-size:22px}
h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:0}
main{padding:0 28px 40px;max-width:1400px}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin-top:20px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:190px;background:var(--bg)}
.big{font-size:26px;font-weight:600}
.levelbar{display:flex;height:26px;border-radius:6px;overflow:hidden;border:1px solid var(--line);max-width:900px}
.levelbar div{color:#fff;font-weight:600;font-size:12px;display:flex;align-items:center;justify-content:center;white-space:nowrap;overflow:hidden}
.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;gap:16px;flex-wrap:wrap;color:var(--muted)}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:baseline}
.pill{display:inline-block;min-width:30px;text-align:center;border-radius:10px;padding:0 7px;color:#fff;font-weight:600;font-size:12px}
table{border-collapse:collapse}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap;position:sticky;top:0}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" \25B2";font-size:10px}
th[aria-sort=descending] button::after{content:" \25BC";font-size:10px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.path{color:var(--muted);font-size:12px}
#projects td:nth-child(1){max-width:300px;overflow-wrap:anywhere}
#projects td:nth-child(2){max-width:260px;overflow-wrap:anywhere}
#projects td:nth-child(5){max-width:280px}
.crit{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:600}
.up{color:#1a7f37}.down{color:#cf222e}
.controls{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin-bottom:10px}
.controls input[type=search]{padding:5px 8px;border:1px solid var(--line);border-radius:6px;min-width:260px;font:inherit}
.controls select{padding:4px;font:inherit}
#shown{color:var(--muted)}
.heat td.cell{text-align:center;min-width:64px;font-variant-numeric:tabular-nums}
.heat td.na{color:#c0c6cc}
.heat td.block{outline:2px solid #24292f;outline-offset:-2px}
.heat .title{color:var(--muted)}
.changes{display:flex;gap:40px;flex-wrap:wrap}
.changes ul{padding-left:18px;margin:4px 0}
.errors{border:1px solid #cf222e;border-radius:8px;padding:8px 14px;background:#fff5f5}
.trend svg{display:block}
footer{color:var(--muted);padding:12px 28px;border-top:1px solid var(--line)}
"#;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  var table = document.getElementById("projects");
  if (!table) return;
  var tbody = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var keys = heads.map(function (h) { return h.getAttribute("data-key"); });
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.forEach(function (r, i) {
    r._i = i;
    r._s = (r.getAttribute("data-search") || "").toLowerCase();
  });
  var q = document.getElementById("q");
  var lv = document.getElementById("level");
  var below = document.getElementById("below");
  var shown = document.getElementById("shown");
  var state;
  function parse() {
    var s = { sort: "", dir: "asc", q: "", level: "", below: false };
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) return;
      var k, v;
      try {
        k = decodeURIComponent(kv.slice(0, i));
        v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      } catch (e) { return; }
      if (k === "sort" && keys.indexOf(v) >= 0) s.sort = v;
      else if (k === "dir") s.dir = v === "desc" ? "desc" : "asc";
      else if (k === "q") s.q = v;
      else if (k === "level") s.level = v;
      else if (k === "below") s.below = v === "1" || v === "true";
    });
    return s;
  }
  function value(r, col, num) {
    var v = r.cells[col].getAttribute("data-v");
    if (num) return v === null || v === "" ? null : parseFloat(v);
    return v === null ? r.cells[col].textContent : v;
  }
  function writeHash() {
    var p = [];
    if (state.sort) p.push("sort=" + encodeURIComponent(state.sort), "dir=" + state.dir);
    if (state.q) p.push("q=" + encodeURIComponent(state.q));
    if (state.level) p.push("level=" + encodeURIComponent(state.level));
    if (state.below) p.push("below=1");
    var h = "#" + p.join("&");
    if (h === location.hash || (h === "#" && !location.hash)) return;
    try { history.replaceState(null, "", h); } catch (e) { location.replace(h); }
  }
  function apply() {
    var needle = state.q.toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!needle || r._s.indexOf(needle) >= 0) &&
        (state.level === "" || r.getAttribute("data-level") === state.level) &&
        (!state.below || r.getAttribute("data-passed") === "0");
      r.hidden = !ok;
      if (ok) n++;
    });
    var col = keys.indexOf(state.sort);
    var sorted = rows.slice();
    if (col >= 0) {
      var num = heads[col].getAttribute("data-type") === "num";
      var sign = state.dir === "desc" ? -1 : 1;
      // Keys read once per row, not once per comparison.
      sorted = rows.map(function (r) { return { r: r, v: value(r, col, num) }; });
      sorted.sort(function (a, b) {
        var x = a.v, y = b.v;
        if (x === null && y !== null) return 1;
        if (y === null && x !== null) return -1;
        if (x !== null && y !== null && x !== y) return (x < y ? -1 : 1) * sign;
        return a.r._i - b.r._i;
      });
      sorted = sorted.map(function (k) { return k.r; });
    }
    var frag = document.createDocumentFragment();
    sorted.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
    heads.forEach(function (h, i) {
      h.setAttribute("aria-sort", i === col ? (state.dir === "desc" ? "descending" : "ascending") : "none");
    });
    q.value = state.q;
    lv.value = state.level;
    below.checked = state.below;
    shown.textContent = n + " of " + rows.length + " projects shown";
  }
  heads.forEach(function (h, i) {
    var b = h.querySelector("button");
    if (!b) return;
    b.addEventListener("click", function () {
      if (state.sort === keys[i]) state.dir = state.dir === "asc" ? "desc" : "asc";
      else {
        state.sort = keys[i];
        state.dir = h.getAttribute("data-type") === "num" ? "desc" : "asc";
      }
      apply();
      writeHash();
    });
  });
  q.addEventListener("input", function () { state.q = q.value; apply(); writeHash(); });
  lv.addEventListener("change", function () { state.level = lv.value; apply(); writeHash(); });
  below.addEventListener("change", function () { state.below = below.checked; apply(); writeHash(); });
  window.addEventListener("hashchange", function () { state = parse(); apply(); });
  state = parse();
  apply();
  document.documentElement.setAttribute("data-ready", "1");
})();
"##;

/// The Content-Security-Policy source of a script (`script-src 'sha256-…'` allows the page's
/// own script and nothing else): its SHA-256, base64 with padding.
fn csp_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
}

/// The page.
pub fn render(a: &Aggregate) -> String {
    let hash = csp_hash(SCRIPT);
    let s = &a.summary;
    let mut out = String::with_capacity(4096 + a.projects.len() * 900);
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
<style>{STYLE}</style>
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
    );

    // Summary cards.
    let share = |n: usize| {
        if s.projects == 0 {
            "–".to_string()
        } else {
            format!("{:.0}%", 100.0 * n as f64 / s.projects as f64)
        }
    };
    let _ = write!(
        out,
        r#"<section class="cards" id="summary">
<div class="card"><div class="big" id="count-projects">{}</div>projects in {} repositories</div>
<div class="card"><div class="big" id="count-meeting">{} / {}</div>at or above their required level ({})</div>
<div class="card"><div class="big bad">{}</div>below their required level</div>
"#,
        s.projects,
        s.repositories,
        s.meeting_required,
        s.projects,
        share(s.meeting_required),
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

    // Projects per level.
    out.push_str("<section><h2>Projects per level</h2>\n<div class=\"levelbar\" role=\"img\" aria-label=\"projects per level\">");
    for (l, &n) in s.by_level.iter().enumerate().rev() {
        if n == 0 {
            continue;
        }
        let w = 100.0 * n as f64 / s.projects.max(1) as f64;
        let _ = write!(
            out,
            r#"<div style="width:{w:.3}%;background:{}" title="L{l}: {n} projects">L{l} · {n}</div>"#,
            level_color(l as u8, a.max_level).hex
        );
    }
    out.push_str("</div>\n<ul class=\"legend\">");
    for (l, &n) in s.by_level.iter().enumerate().rev() {
        let _ = write!(
            out,
            r#"<li><span class="sw" style="background:{}"></span>L{l}: {n} ({})</li>"#,
            level_color(l as u8, a.max_level).hex,
            share(n)
        );
    }
    out.push_str("</ul>\n</section>\n");

    if !a.inputs.errors.is_empty() || !a.inputs.warnings.is_empty() {
        out.push_str("<section class=\"errors\" id=\"input-problems\"><h2>Inputs</h2><ul>");
        for e in &a.inputs.errors {
            let _ = write!(
                out,
                "<li class=\"bad\">{}: {}</li>",
                escape(&e.path),
                escape(&e.error)
            );
        }
        for w in &a.inputs.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul></section>\n");
    }

    if let Some(c) = &a.changes {
        changes(&mut out, c);
    }
    heat_map(&mut out, a);
    projects(&mut out, a);

    let _ = write!(
        out,
        r#"</main>
<footer>Generated by testcert {} from {} results. Levels follow the Test Certified ladder; a level marked * relies on a waived criterion.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        a.testcert_version, a.inputs.results
    );
    out
}

fn changes(out: &mut String, c: &super::Changes) {
    out.push_str("<section id=\"changes\"><h2>Changed since the last snapshot</h2>\n");
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

fn heat_map(out: &mut String, a: &Aggregate) {
    out.push_str("<section id=\"heatmap\"><h2>What holds projects back</h2>\n");
    if a.criteria.is_empty() {
        out.push_str("<p>Every project meets every criterion of its ladder.</p></section>\n");
        return;
    }
    out.push_str("<p class=\"meta\">Projects at each level that do not meet a criterion (unmet, or unknown for want of evidence); the outlined cells are the criteria that block those projects' next level. Darker is a larger share of the projects at that level.</p>\n");
    out.push_str("<table class=\"heat\"><thead><tr><th>criterion</th><th class=\"num\">blocks next level</th><th class=\"num\">not met</th>");
    let levels = a.summary.by_level.len().saturating_sub(1);
    for l in 0..levels {
        let _ = write!(
            out,
            "<th class=\"num\">at L{l} ({})</th>",
            a.summary.by_level[l]
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for c in &a.criteria {
        let _ = write!(
            out,
            r#"<tr data-criterion="{id}"><td><span class="crit">{id}</span> <span class="title">{title}</span></td><td class="num"><strong>{}</strong></td><td class="num">{}{}</td>"#,
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
            let fg = if frac > 0.55 { "#fff" } else { "#1f2328" };
            let _ = write!(
                out,
                r#"<td class="{class}" style="background:rgba(207,34,46,{:.3});color:{fg}" title="{n} of {total} projects at L{l}">{n}</td>"#,
                0.06 + 0.88 * frac
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

fn projects(out: &mut String, a: &Aggregate) {
    let _ = write!(
        out,
        r#"<section id="table"><h2>Projects</h2>
<div class="controls">
<input type="search" id="q" placeholder="Filter by repository, project, path or criterion" aria-label="filter">
<select id="level" aria-label="level"><option value="">any level</option>"#
    );
    for l in 0..a.summary.by_level.len() {
        let _ = write!(out, "<option value=\"{l}\">L{l}</option>");
    }
    let _ = write!(
        out,
        r#"</select>
<label><input type="checkbox" id="below"> below the required level only</label>
<span id="shown">{n} of {n} projects shown</span>
</div>
<table id="projects">
<thead><tr><th data-key="repository"><button type="button">Repository</button></th><th data-key="project"><button type="button">Project</button></th><th data-key="level" data-type="num"><button type="button">Level</button></th><th data-key="required" data-type="num"><button type="button">Required</button></th><th data-key="failing" data-type="num"><button type="button">Failing criteria (next level)</button></th><th class="num" data-key="coverage" data-type="num"><button type="button">Coverage</button></th><th class="num" data-key="incremental" data-type="num"><button type="button">Incremental</button></th><th data-key="updated"><button type="button">Last updated</button></th><th data-key="trend">Trend</th></tr></thead>
<tbody>
"#,
        n = a.projects.len()
    );
    for r in &a.projects {
        row(out, r, a.max_level);
    }
    out.push_str("</tbody></table></section>\n");
}

fn row(out: &mut String, r: &Row, max_level: u8) {
    let search = format!(
        "{} {} {} {}",
        r.repository,
        r.project,
        r.path,
        r.failing.join(" ")
    );
    let color = level_color(r.level, max_level).hex;
    let arrow = match r.previous_level {
        Some(p) if p < r.level => format!(r#" <span class="up" title="was L{p}">▲</span>"#),
        Some(p) if p > r.level => format!(r#" <span class="down" title="was L{p}">▼</span>"#),
        _ => String::new(),
    };
    let failing = if r.failing.is_empty() {
        "<span class=\"path\">–</span>".to_string()
    } else {
        r.failing
            .iter()
            .map(|f| format!("<span class=\"crit\">{}</span>", escape(f)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    let inc_note = if r.incremental_scope == crate::result::Scope::Diff {
        ""
    } else {
        r#" <span class="path" title="no base: every line counts as changed">all lines</span>"#
    };
    let _ = writeln!(
        out,
        r#"<tr data-level="{level}" data-passed="{passed}" data-search="{search}"><td data-v="{repo}">{repo}</td><td data-v="{project}">{project}<div class="path">{path}</div></td><td data-v="{level}"><span class="pill" style="background:{color}">L{level}{star}</span>{arrow}</td><td data-v="{req}">L{req} {ok}</td><td data-v="{nfail}">{failing}</td><td class="num" data-v="{cov}">{covp}</td><td class="num" data-v="{inc}">{incp}{inc_note}</td><td data-v="{time}" title="{commit}">{date}</td><td class="trend">{spark}</td></tr>"#,
        level = r.level,
        passed = u8::from(r.passed),
        search = escape(&search),
        repo = escape(&r.repository),
        project = escape(&r.project),
        path = escape(&r.path),
        star = if r.relies_on_waiver { "*" } else { "" },
        req = r.required_level,
        ok = if r.passed {
            r#"<span class="ok">✓</span>"#
        } else {
            r#"<span class="bad">✗</span>"#
        },
        nfail = r.failing.len(),
        cov = num(r.coverage),
        covp = percent(r.coverage),
        inc = num(r.incremental),
        incp = percent(r.incremental),
        time = escape(r.time.as_deref().unwrap_or("")),
        commit = escape(&match &r.commit {
            Some(c) => format!("commit {c}"),
            None => "commit unknown".to_string(),
        }),
        date = escape(r.time.as_deref().map_or("–", |t| t.get(..10).unwrap_or(t))),
        spark = sparkline(r, max_level),
    );
}

/// The level over time as a small inline SVG (a step line, the last point coloured).
fn sparkline(r: &Row, max_level: u8) -> String {
    const W: f64 = 90.0;
    const H: f64 = 22.0;
    let n = r.trend.len();
    if n == 0 {
        return String::new();
    }
    let top = f64::from(max_level.max(1));
    let y = |l: u8| 3.0 + (H - 6.0) * (1.0 - f64::from(l) / top);
    let x = |i: usize| {
        if n == 1 {
            W - 4.0
        } else {
            4.0 + (W - 8.0) * i as f64 / (n - 1) as f64
        }
    };
    let mut points = String::new();
    for (i, p) in r.trend.iter().enumerate() {
        if i > 0 {
            // A step: hold the previous level until this point.
            let _ = write!(points, "{:.1},{:.1} ", x(i), y(r.trend[i - 1].level));
        }
        let _ = write!(points, "{:.1},{:.1} ", x(i), y(p.level));
    }
    let title = r
        .trend
        .iter()
        .map(|p| format!("{}: L{}", p.time.get(..10).unwrap_or(&p.time), p.level))
        .collect::<Vec<_>>()
        .join("\n");
    let last = r.trend[n - 1].level;
    format!(
        r##"<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="level over the last {n} results"><title>{}</title><line x1="2" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#d1d9e0" stroke-dasharray="2 2"/><polyline fill="none" stroke="#8c959f" stroke-width="1.5" points="{}"/><circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/></svg>"##,
        escape(&title),
        W - 2.0,
        y(r.required_level),
        y(r.required_level),
        points.trim_end(),
        x(n - 1),
        y(last),
        level_color(last, max_level).hex
    )
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
}
