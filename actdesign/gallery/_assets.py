# ruff: noqa: E501 - CSS and JavaScript text, kept in their own idiom
"""The site's stylesheet and script: plain CSS and JavaScript, nothing fetched at view time."""

CSS = """\
:root { --fg: #1d232b; --muted: #5b6673; --line: #d9dee4; --accent: #1f5fa8; --bg: #fbfcfd; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
       background: var(--bg); }
header { padding: 14px 24px; border-bottom: 1px solid var(--line); background: #fff;
         display: flex; align-items: baseline; gap: 24px; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
header nav a { margin-right: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
main { padding: 16px 24px 40px; }
.conv { color: var(--muted); font-size: 12px; margin: 6px 24px 0; }
#controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 12px 24px;
            border-bottom: 1px solid var(--line); background: #fff; position: sticky; top: 0; z-index: 2; }
#controls input[type=search] { min-width: 260px; padding: 5px 8px; }
#controls select, #controls button { padding: 4px 6px; }
#count { color: var(--muted); font-size: 13px; }
#cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card[hidden] { display: none; }
.card h2 { font-size: 16px; margin: 0 0 6px; }
.thumbs { display: flex; gap: 4px; }
.thumbs img { width: 50%; height: auto; border: 1px solid #eef0f3; }
.card .formula { max-width: 100%; height: auto; max-height: 44px; margin: 6px 0 2px; }
.badges span, .badge { display: inline-block; font-size: 11px; padding: 1px 7px; margin: 2px 3px 0 0;
                       border-radius: 10px; background: #eef3f9; color: #244a75; }
.pick { margin-right: 4px; }
.pair section { margin: 18px 0; max-width: 1100px; }
.pair h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
.formulas img { display: block; margin: 8px 0; max-width: 100%; height: auto; }
.figure img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
table.kv td { padding: 2px 14px 2px 0; vertical-align: top; }
table.kv td:first-child { color: var(--muted); }
pre { background: #f4f6f8; border: 1px solid var(--line); padding: 10px; overflow-x: auto;
      font-size: 12.5px; line-height: 1.35; max-height: 420px; }
.copy { float: right; font-size: 12px; }
.problem { color: #9b2c1c; }
.missing { color: var(--muted); font-style: italic; }
.compare-grid { display: grid; gap: 14px; }
.compare-grid .col { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
.compare-grid img { display: block; max-width: 100%; height: auto; margin: 4px 0; }
#picker label { display: inline-block; margin: 2px 10px 2px 0; font-size: 13px; }
.overlay { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; }
.legend span { margin-right: 14px; font-size: 13px; }
"""

JS = r"""
"use strict";
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // --- index: filters and search -------------------------------------------------------
  function applyFilters() {
    var terms = ($("#search").value || "").toLowerCase().split(/\s+/).filter(Boolean);
    var selects = $all("#controls select");
    var shown = 0, cards = $all(".card");
    cards.forEach(function (card) {
      var ok = selects.every(function (s) { return !s.value || card.dataset[s.dataset.key] === s.value; });
      var text = card.dataset.search;
      ok = ok && terms.every(function (t) { return text.indexOf(t) >= 0; });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    $("#count").textContent = shown + " of " + cards.length + " pairs shown";
  }

  function updateCompare() {
    var picked = $all(".pick:checked").map(function (c) { return c.value; });
    var btn = $("#compare-btn");
    btn.disabled = picked.length < 2 || picked.length > 4;
    btn.textContent = "Compare selected (" + picked.length + ")";
    btn.dataset.pairs = picked.join(",");
  }

  function initIndex() {
    $("#search").addEventListener("input", applyFilters);
    $all("#controls select").forEach(function (s) { s.addEventListener("change", applyFilters); });
    $all(".pick").forEach(function (c) { c.addEventListener("change", updateCompare); });
    $("#compare-btn").addEventListener("click", function () {
      window.location.href = "compare.html?pairs=" + encodeURIComponent(this.dataset.pairs);
    });
    applyFilters();
    updateCompare();
  }

  // --- copy buttons -------------------------------------------------------------------------
  function initCopy() {
    $all("button.copy").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var text = document.getElementById(btn.dataset.target).textContent;
        var done = function () { btn.textContent = "copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { select(btn.dataset.target); });
        } else { select(btn.dataset.target); }
      });
    });
  }
  function select(id) {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById(id));
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }

  // --- compare page ---------------------------------------------------------------------------
  var COLOURS = ["#1f5fa8", "#d2691e", "#3a8a3a", "#8e44ad"];
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function chosen(data) {
    var q = new URLSearchParams(window.location.search).get("pairs");
    var names = (q ? q.split(",") : data.preset).filter(function (n) { return data.pairs[n]; });
    return names.slice(0, 4);
  }

  function overlay(title, series, xlabel, logx) {
    var W = 640, H = 260, L = 50, R = 10, T = 24, B = 34;
    var xs = [], ys = [];
    series.forEach(function (s) {
      s.x.forEach(function (x, i) { if (s.y[i] !== null) { xs.push(logx ? Math.log10(x) : x); ys.push(s.y[i]); } });
    });
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    svg.setAttribute("class", "overlay");
    if (!xs.length) { return svg; }
    ys.sort(function (a, b) { return a - b; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = ys[Math.floor(0.01 * (ys.length - 1))], y1 = ys[Math.floor(0.99 * (ys.length - 1))];
    if (y1 <= y0) { y1 = y0 + 1; }
    var px = function (x) { return L + (W - L - R) * ((logx ? Math.log10(x) : x) - x0) / (x1 - x0); };
    var py = function (y) { return T + (H - T - B) * (1 - (Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)); };
    function text(x, y, s, anchor) {
      var t = document.createElementNS(SVGNS, "text");
      t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", "12");
      t.setAttribute("text-anchor", anchor || "start"); t.textContent = s; svg.appendChild(t);
    }
    var frame = document.createElementNS(SVGNS, "rect");
    frame.setAttribute("x", L); frame.setAttribute("y", T); frame.setAttribute("width", W - L - R);
    frame.setAttribute("height", H - T - B); frame.setAttribute("fill", "none"); frame.setAttribute("stroke", "#ccc");
    svg.appendChild(frame);
    series.forEach(function (s, j) {
      var d = "", pen = false;
      s.x.forEach(function (x, i) {
        if (s.y[i] === null) { pen = false; return; }
        d += (pen ? "L" : "M") + px(x).toFixed(1) + "," + py(s.y[i]).toFixed(1);
        pen = true;
      });
      var path = document.createElementNS(SVGNS, "path");
      path.setAttribute("d", d); path.setAttribute("fill", "none");
      path.setAttribute("stroke", COLOURS[j]); path.setAttribute("stroke-width", "1.8");
      svg.appendChild(path);
    });
    text(L, 16, title);
    text(L, H - 8, (logx ? "10^" + x0.toFixed(0) : x0.toFixed(1)));
    text(W - R, H - 8, (logx ? "10^" + x1.toFixed(0) : x1.toFixed(1)) + "  " + xlabel, "end");
    text(L - 4, T + 10, y1.toPrecision(3), "end");
    text(L - 4, H - B, y0.toPrecision(3), "end");
    return svg;
  }

  function initCompare() {
    var data = window.GALLERY_DATA, names = chosen(data);
    var picker = $("#picker");
    Object.keys(data.pairs).forEach(function (n) {
      var box = el("input", { type: "checkbox", value: n });
      box.checked = names.indexOf(n) >= 0;
      var label = el("label"); label.appendChild(box); label.appendChild(document.createTextNode(" " + data.pairs[n].title));
      picker.appendChild(label);
    });
    $("#compare-go").addEventListener("click", function () {
      var picked = $all("#picker input:checked").map(function (c) { return c.value; });
      window.location.href = "compare.html?pairs=" + encodeURIComponent(picked.slice(0, 4).join(","));
    });
    var legend = $("#legend");
    names.forEach(function (n, j) {
      var s = el("span", { style: "color:" + COLOURS[j] }, "■ " + data.pairs[n].title);
      legend.appendChild(s);
    });
    var plots = $("#overlays");
    plots.appendChild(overlay("φ(z)", names.map(function (n) { var p = data.pairs[n]; return { x: p.z, y: p.phi }; }), "z", false));
    plots.appendChild(overlay("log10 ρ(k)", names.map(function (n) { var p = data.pairs[n]; return { x: p.k, y: p.log10_rho }; }), "k", true));
    var grid = $("#columns");
    grid.style.gridTemplateColumns = "repeat(" + Math.max(names.length, 1) + ", minmax(0, 1fr))";
    names.forEach(function (n) {
      var p = data.pairs[n], col = el("div", { "class": "col" });
      var h = el("h2"); h.appendChild(el("a", { href: "pairs/" + n + ".html" }, p.title)); col.appendChild(h);
      col.appendChild(el("p", { "class": "badges" }, p.badges));
      ["rho.svg", "phi.svg"].forEach(function (f) {
        if (p.files.indexOf(f) >= 0) { col.appendChild(el("img", { src: "pairs/" + n + "/" + f, alt: f })); }
      });
      ["phi.png", "rho.png", "fit.png"].forEach(function (f) {
        if (p.files.indexOf(f) >= 0) { col.appendChild(el("img", { src: "pairs/" + n + "/" + f, alt: f })); }
      });
      col.appendChild(el("p", {}, "gain: " + (p.gain === null ? "n/a" : p.gain.toPrecision(5)) +
                                   "; fit test RMSE: " + (p.test_rmse === null ? "n/a" : p.test_rmse.toPrecision(3))));
      grid.appendChild(col);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ($("#cards")) { initIndex(); }
    if ($("#columns")) { initCompare(); }
    initCopy();
  });
})();
"""
