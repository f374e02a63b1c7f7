(function () {
  "use strict";
  // The projects table, drawn from the JSON data block a page at a time: 25,000 rows as DOM
  // nodes took Chromium about 90 s to lay out, 100 at a time take milliseconds. Every name is
  // set as text (textContent, setAttribute), never parsed as HTML, so no name can make an
  // element or run a script.
  var root = document.documentElement;
  var dataEl = document.getElementById("data");
  var table = document.getElementById("projects");
  if (!dataEl || !table) return;
  // When the document had been read up to here (the data block included).
  root.setAttribute("data-script-ms", performance.now().toFixed(0));
  var D = JSON.parse(dataEl.textContent);
  // Each row is an array (aggregate/html/mod.rs, DataRow: the same order); named here.
  var rows = D.rows.map(function (a) {
    return { k: a[0], n: a[1], p: a[2], l: a[3], q: a[4], ok: a[5] === 1, w: a[6] === 1, f: a[7],
      c: a[8], i: a[9], all: a[10] === 1, v: a[11], s: a[12] };
  });
  var PAGE = 100;
  var tbody = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var keys = heads.map(function (h) { return h.getAttribute("data-key"); });
  var labels = heads.map(function (h) { return h.textContent; });
  var SVG = "http://www.w3.org/2000/svg";
  // What a row shares with its repository is stored once (D.repos); the row refers to it.
  rows.forEach(function (r, i) {
    var R = D.repos[r.k];
    r.r = R.r; r.h = R.h; r.t = R.t; r.g = R.g; r.o = R.o; r.u = R.u;
    r.f = r.f.map(function (k) { return D.ids[k]; });
    r._i = i;
    r._s = (r.r + " " + r.n + " " + r.p + " " + r.f.join(" ") + " " + (r.g || "")).toLowerCase();
  });
  root.setAttribute("data-parse-ms", performance.now().toFixed(0));
  // Sort keys: a number, a string, or null (unknown, always last).
  var sortKey = {
    repository: function (r) { return r.r; },
    project: function (r) { return r.n; },
    team: function (r) { return r.g || null; },
    level: function (r) { return r.l; },
    required: function (r) { return r.q; },
    failing: function (r) { return r.f.length; },
    coverage: function (r) { return r.c; },
    incremental: function (r) { return r.i; },
    updated: function (r) { return r.t; }
  };
  var $ = function (id) { return document.getElementById(id); };
  var q = $("q"), lv = $("level"), below = $("below"), team = $("team");
  var shown = $("shown"), info = $("pageinfo"), prev = $("prev"), next = $("next");
  var clear = $("clear");
  var state, view = rows;

  function parse() {
    var s = { sort: "", dir: "asc", q: "", level: "", below: false, team: "", owner: "", page: 1 };
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) return;
      var k, v;
      try {
        k = decodeURIComponent(kv.slice(0, i));
        v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      } catch (e) { return; }
      if (k === "sort" && sortKey.hasOwnProperty(v) && keys.indexOf(v) >= 0) s.sort = v;
      else if (k === "dir") s.dir = v === "desc" ? "desc" : "asc";
      else if (k === "q") s.q = v;
      else if (k === "level") s.level = v;
      else if (k === "below") s.below = v === "1" || v === "true";
      else if (k === "team") s.team = v;
      else if (k === "owner") s.owner = v;
      else if (k === "page") s.page = Math.max(1, parseInt(v, 10) || 1);
    });
    return s;
  }
  function writeHash() {
    var p = [];
    if (state.sort) p.push("sort=" + encodeURIComponent(state.sort), "dir=" + state.dir);
    if (state.q) p.push("q=" + encodeURIComponent(state.q));
    if (state.level) p.push("level=" + encodeURIComponent(state.level));
    if (state.below) p.push("below=1");
    if (state.team) p.push("team=" + encodeURIComponent(state.team));
    if (state.owner) p.push("owner=" + encodeURIComponent(state.owner));
    if (state.page > 1) p.push("page=" + state.page);
    var h = "#" + p.join("&");
    if (h === location.hash || (h === "#" && !location.hash)) return;
    try { history.replaceState(null, "", h); } catch (e) { location.replace(h); }
  }
  // Filter, then sort what is left (stable: ties keep the worst-first order of the data).
  function select() {
    var needle = state.q.toLowerCase();
    var level = state.level === "" ? -1 : Number(state.level);
    var out = rows.filter(function (r) {
      return (!needle || r._s.indexOf(needle) >= 0) &&
        (level < 0 || r.l === level) &&
        (!state.below || !r.ok) &&
        (!state.team || r.g === state.team) &&
        (!state.owner || r.o === state.owner);
    });
    var key = sortKey[state.sort];
    if (key) {
      var sign = state.dir === "desc" ? -1 : 1;
      var keyed = out.map(function (r) { return { r: r, v: key(r) }; });
      keyed.sort(function (a, b) {
        var x = a.v, y = b.v;
        if (x === null && y !== null) return 1;
        if (y === null && x !== null) return -1;
        if (x !== null && y !== null && x !== y) return (x < y ? -1 : 1) * sign;
        return a.r._i - b.r._i;
      });
      out = keyed.map(function (k) { return k.r; });
    }
    return out;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pct(v) { return v === null ? "–" : (100 * v).toFixed(1) + "%"; }
  // Only http(s) URLs become links; anything else stays text.
  function link(text, url, title) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return document.createTextNode(text);
    var a = el("a", "", text);
    a.setAttribute("href", url);
    if (title) a.setAttribute("title", title);
    return a;
  }
  // A result file, a URL relative to the page (percent-encoded by aggregate); "./" goes in
  // front of one that could read as a scheme ("javascript:") or a network path.
  function fileLink(text, rel) {
    if (typeof rel !== "string" || !rel) return null;
    if (/^[^\/?#]*:/.test(rel) || /^[\/\\]/.test(rel)) rel = "./" + rel.replace(/^[\/\\]+/, "");
    var a = el("a", "path", text);
    a.setAttribute("href", rel);
    return a;
  }
  function sparkline(r) {
    var pts = r.s, n = pts.length;
    if (!n) return null;
    var W = 90, H = 22, top = Math.max(D.max, 1);
    var y = function (l) { return (3 + (H - 6) * (1 - l / top)).toFixed(1); };
    var x = function (i) { return (n === 1 ? W - 4 : 4 + (W - 8) * i / (n - 1)).toFixed(1); };
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", W); s.setAttribute("height", H);
    s.setAttribute("viewBox", "0 0 " + W + " " + H);
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", "level over the last " + n + " results");
    var t = document.createElementNS(SVG, "title");
    t.textContent = pts.map(function (p) { return D.times[p[0]].slice(0, 10) + ": L" + p[1]; }).join("\n");
    s.appendChild(t);
    var req = document.createElementNS(SVG, "line");
    [["x1", 2], ["x2", W - 2], ["y1", y(r.q)], ["y2", y(r.q)], ["stroke", "#d1d9e0"], ["stroke-dasharray", "2 2"]]
      .forEach(function (a) { req.setAttribute(a[0], a[1]); });
    s.appendChild(req);
    var p = [];
    pts.forEach(function (pt, i) {
      if (i > 0) p.push(x(i) + "," + y(pts[i - 1][1]));
      p.push(x(i) + "," + y(pt[1]));
    });
    var line = document.createElementNS(SVG, "polyline");
    line.setAttribute("fill", "none"); line.setAttribute("stroke", "#6e7781");
    line.setAttribute("stroke-width", "1.5"); line.setAttribute("points", p.join(" "));
    s.appendChild(line);
    var c = document.createElementNS(SVG, "circle");
    c.setAttribute("cx", x(n - 1)); c.setAttribute("cy", y(pts[n - 1][1])); c.setAttribute("r", "3");
    c.setAttribute("class", "dot lv" + Math.min(pts[n - 1][1], D.max));
    s.appendChild(c);
    return s;
  }
  function cell(tr, i, v, cls) {
    var td = el("td", cls);
    td.setAttribute("data-label", labels[i]);
    if (v !== undefined) td.setAttribute("data-v", v === null ? "" : String(v));
    tr.appendChild(td);
    return td;
  }
  function row(r) {
    var tr = el("tr");
    tr.setAttribute("data-level", r.l);
    tr.setAttribute("data-passed", r.ok ? "1" : "0");
    keys.forEach(function (k, i) {
      var td;
      switch (k) {
        case "repository":
          td = cell(tr, i, r.r);
          td.appendChild(link(r.r, r.u && r.u.repo));
          break;
        case "project":
          td = cell(tr, i, r.n);
          td.appendChild(document.createTextNode(r.n));
          var path = el("div", "path");
          var f = fileLink(r.p || "result", r.u && r.u.file);
          if (f) { f.setAttribute("title", "the result file"); path.appendChild(f); }
          else path.textContent = r.p;
          td.appendChild(path);
          break;
        case "team":
          td = cell(tr, i, r.g || "", "");
          td.textContent = r.g || "–";
          break;
        case "level":
          td = cell(tr, i, r.l);
          td.appendChild(el("span", "pill lv" + Math.min(r.l, D.max), "L" + r.l + (r.w ? "*" : "")));
          if (r.v !== null && r.v !== r.l) {
            var up = r.v < r.l;
            var a = el("span", up ? "up" : "down", up ? " ▲" : " ▼");
            a.setAttribute("title", "was L" + r.v);
            td.appendChild(a);
          }
          break;
        case "required":
          td = cell(tr, i, r.q);
          td.appendChild(document.createTextNode("L" + r.q + " "));
          td.appendChild(el("span", r.ok ? "ok" : "bad", r.ok ? "✓" : "✗"));
          break;
        case "failing":
          td = cell(tr, i, r.f.length);
          if (!r.f.length) td.appendChild(el("span", "path", "–"));
          r.f.forEach(function (id, j) {
            if (j) td.appendChild(document.createTextNode(", "));
            td.appendChild(el("span", "crit", id));
          });
          break;
        case "coverage":
          td = cell(tr, i, r.c, "num");
          td.textContent = pct(r.c);
          break;
        case "incremental":
          td = cell(tr, i, r.i, "num");
          td.textContent = pct(r.i);
          if (r.all) {
            var note = el("span", "path", " all lines");
            note.setAttribute("title", "no base: every line counts as changed");
            td.appendChild(note);
          }
          break;
        case "updated":
          td = cell(tr, i, r.t || "");
          var date = r.t ? r.t.slice(0, 10) : "–";
          var commit = r.h ? "commit " + r.h : "commit unknown";
          if (r.u && r.u.commit) td.appendChild(link(date, r.u.commit, commit));
          else { td.textContent = date; td.setAttribute("title", commit); }
          if (r.u && r.u.run) {
            td.appendChild(document.createTextNode(" · "));
            td.appendChild(link("CI run", r.u.run));
          }
          break;
        case "trend":
          td = cell(tr, i, undefined, "trend");
          var s = sparkline(r);
          if (s) td.appendChild(s);
          break;
        default:
          cell(tr, i, "");
      }
    });
    return tr;
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (state.page > pages) state.page = pages;
    var start = (state.page - 1) * PAGE;
    var frag = document.createDocumentFragment();
    view.slice(start, start + PAGE).forEach(function (r) { frag.appendChild(row(r)); });
    tbody.textContent = "";
    tbody.appendChild(frag);
    shown.textContent = view.length + " of " + rows.length + " projects shown" +
      (state.owner ? " (owner " + state.owner + ")" : "");
    clear.hidden = !(state.q || state.level || state.below || state.team || state.owner);
    info.textContent = view.length
      ? "rows " + (start + 1) + "–" + Math.min(start + PAGE, view.length) + " · page " + state.page + " of " + pages
      : "no project matches";
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= pages;
  }
  function apply() {
    var t0 = performance.now();
    view = select();
    var col = keys.indexOf(state.sort);
    heads.forEach(function (h, i) {
      if (h.querySelector("button"))
        h.setAttribute("aria-sort", i === col ? (state.dir === "desc" ? "descending" : "ascending") : "none");
    });
    q.value = state.q;
    lv.value = state.level;
    below.checked = state.below;
    if (team) team.value = state.team;
    draw();
    root.setAttribute("data-apply-ms", (performance.now() - t0).toFixed(1));
  }
  function changed() { state.page = 1; apply(); writeHash(); }
  heads.forEach(function (h, i) {
    var b = h.querySelector("button");
    if (!b) return;
    b.addEventListener("click", function () {
      if (state.sort === keys[i]) state.dir = state.dir === "asc" ? "desc" : "asc";
      else {
        state.sort = keys[i];
        state.dir = h.getAttribute("data-type") === "num" ? "desc" : "asc";
      }
      changed();
    });
  });
  q.addEventListener("input", function () { state.q = q.value; changed(); });
  lv.addEventListener("change", function () { state.level = lv.value; changed(); });
  below.addEventListener("change", function () { state.below = below.checked; changed(); });
  if (team) team.addEventListener("change", function () { state.team = team.value; changed(); });
  clear.addEventListener("click", function () {
    state.q = ""; state.level = ""; state.below = false; state.team = ""; state.owner = "";
    changed();
  });
  prev.addEventListener("click", function () { state.page--; draw(); writeHash(); });
  next.addEventListener("click", function () { state.page++; draw(); writeHash(); });
  window.addEventListener("hashchange", function () { state = parse(); apply(); });

  // The heat map: by projects blocked as drawn, the ladder order one click away.
  var heat = document.getElementById("heat-rows");
  var order = document.getElementById("heat-order");
  if (heat && order) {
    order.hidden = false;
    var ladder = false;
    order.addEventListener("click", function () {
      ladder = !ladder;
      var attr = ladder ? "data-ladder" : "data-rank";
      var trs = Array.prototype.slice.call(heat.rows);
      trs.sort(function (a, b) { return Number(a.getAttribute(attr)) - Number(b.getAttribute(attr)); });
      trs.forEach(function (tr) { heat.appendChild(tr); });
      order.textContent = ladder ? "Sort by projects blocked" : "Show in ladder order";
      order.setAttribute("aria-pressed", ladder ? "true" : "false");
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-needs-script]"), function (e) { e.hidden = false; });
  state = parse();
  apply();
  // The page's own time from navigation start to the first drawn page of rows: what the
  // browser test holds under its limit, whatever else the machine is doing.
  root.setAttribute("data-render-ms", performance.now().toFixed(0));
  root.setAttribute("data-ready", "1");
})();
