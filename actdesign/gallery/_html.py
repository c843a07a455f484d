# ruff: noqa: E501 - HTML templates read best unwrapped
"""HTML for the gallery: the index, one page per pair, and the compare page.

Pages are plain strings (every value escaped); links are relative, so the site works from
the file system and from any static server.
"""

from __future__ import annotations

import json
from html import escape

from ..catalog import FAMILIES
from ..infra._convention import CONVENTION
from . import _classify

HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title><link rel="stylesheet" href="{root}gallery.css"></head>
<body>
<header><h1>{h1}</h1><nav><a href="{root}index.html">Index</a><a href="{root}compare.html">Compare</a></nav></header>
"""
TAIL = '<script src="{root}gallery.js"></script>\n</body></html>\n'
FILTERS = (("family", "all families", tuple(FAMILIES)),
           ("smoothness", "any smoothness", _classify.SMOOTHNESS),
           ("tail", "any tail", _classify.TAILS),
           ("growth", "any growth of ρ", ("polynomial", "exponential", "Gaussian", "super-Gaussian",
                                          "band-limited")),
           ("dim", "any dimension", ("1", "2", "3")))


def _e(value) -> str:
    return escape(str(value), quote=True)


def _head(title, h1, root=""):
    return HEAD.format(title=_e(title), h1=_e(h1), root=root)


def summary(data: dict) -> dict:
    """The part of a pair's data that the index and the compare page need."""
    e = data["entry"]
    fit, gain = data.get("fit"), data.get("gain")
    return {
        "name": e["name"], "title": e["title"], "family": e["family"], "dim": e["dim"],
        "shape": e["shape"], "source": e["source"], "penalty": e["penalty"], "phi": e["phi"],
        "notes": e["notes"], "classes": data["classes"], "files": data["files"],
        "gain": None if gain is None else gain["gain"],
        "test_rmse": None if fit is None else fit["test_rmse"],
        "samples": data["samples"], "problems": data["problems"], "missing": data["missing"],
    }


def _badges(s: dict) -> list[str]:
    c = s["classes"]
    return [c["family"], c["smoothness"], c["tail"], f"ρ: {c['growth']}", f"D = {s['dim']}",
            f"shape {s['shape']}", s["source"]]


# --- index ------------------------------------------------------------------------------------
def index_page(summaries: list[dict], failed: dict, preset: list[str]) -> str:
    """One card per built pair, the filters, the search box and the compare button."""
    controls = ['<section id="controls">',
                '<input id="search" type="search" placeholder="Search names, formulas, notes" '
                'aria-label="search">']
    for key, blank, values in FILTERS:
        opts = [f'<option value="">{_e(blank)}</option>']
        opts += [f'<option value="{_e(v)}">{_e(FAMILIES.get(v, v) if key == "family" else v)}</option>'
                 for v in values]
        controls.append(f'<select id="f-{key}" data-key="{key}" aria-label="{key}">{"".join(opts)}</select>')
    controls += ['<span id="count"></span>',
                 '<button id="compare-btn" type="button" disabled>Compare selected</button>',
                 "</section>"]
    cards = [_card(s) for s in summaries]
    fails = ""
    if failed:
        items = "".join(f"<li><b>{_e(n)}</b>: {_e(m)}</li>" for n, m in sorted(failed.items()))
        fails = f'<section class="problem"><h2>Entries that failed to build</h2><ul>{items}</ul></section>'
    return (_head("actdesign gallery", "actdesign: activation–penalty gallery")
            + f'<p class="conv">Convention: {_e(CONVENTION)}</p>\n' + "\n".join(controls)
            + '\n<main>\n<div id="cards">\n' + "\n".join(cards) + "\n</div>\n" + fails
            + f'<p class="conv">Preset comparison: <a href="compare.html?pairs={_e(",".join(preset))}">'
            + _e(", ".join(preset)) + "</a>.</p>\n</main>\n" + TAIL.format(root=""))


def _card(s: dict) -> str:
    n = s["name"]
    c = s["classes"]
    search = " ".join([n, s["title"], s["family"], s["penalty"], s["phi"], s["notes"],
                       *c.values()]).lower()
    attrs = " ".join(f'data-{k}="{_e(v)}"' for k, v in
                     [("name", n), ("family", c["family"]), ("smoothness", c["smoothness"]),
                      ("tail", c["tail"]), ("growth", c["growth"]), ("dim", s["dim"]),
                      ("search", search)])
    badges = "".join(f"<span>{_e(b)}</span>" for b in _badges(s))
    return (f'<article class="card" {attrs}>\n<h2><a href="pairs/{_e(n)}.html">{_e(s["title"])}</a></h2>\n'
            f'<div class="thumbs"><img src="pairs/{_e(n)}/thumb_phi.png" alt="phi of {_e(n)}" width="162" height="99">'
            f'<img src="pairs/{_e(n)}/thumb_rho.png" alt="rho of {_e(n)}" width="162" height="99"></div>\n'
            f'<img class="formula" src="pairs/{_e(n)}/rho.svg" alt="rho(k) = {_e(s["penalty"])}">\n'
            f'<p class="badges">{badges}</p>\n'
            f'<label><input type="checkbox" class="pick" value="{_e(n)}">compare</label>\n</article>')


# --- one pair ---------------------------------------------------------------------------------
def pair_page(data: dict, prev: str | None, nxt: str | None) -> str:
    """The page of one pair (``data`` from `actdesign.gallery._pair.compute`)."""
    e = data["entry"]
    n = e["name"]
    parts = [_head(f"{e['title']} — actdesign gallery", e["title"], root="../"),
             '<main class="pair">', _pager(prev, nxt),
             f'<p class="badges">{"".join(f"<span>{_e(b)}</span>" for b in _badges(summary(data)))}</p>',
             _formulas(data, n), _plots(data, n), _fit(data, n), _gain(data), _make(data),
             _snippets(data), _notes(data), _status(data), _pager(prev, nxt), "</main>",
             TAIL.format(root="../")]
    return "\n".join(parts)


def _pager(prev, nxt):
    links = ['<a href="../index.html">all pairs</a>']
    if prev:
        links.insert(0, f'<a href="{_e(prev)}.html">← {_e(prev)}</a>')
    if nxt:
        links.append(f'<a href="{_e(nxt)}.html">{_e(nxt)} →</a>')
    return f'<p class="pager">{" · ".join(links)}</p>'


def _formulas(data, n):
    f = data["formulas"]
    rows = [f'<img src="{n}/{_e(f[k]["svg"])}" alt="{_e(f[k]["text"])}">' for k in ("rho", "amp", "phi")
            if k in f]
    e = data["entry"]
    if e["phi"] == "designed":
        prov = (f"φ is designed by actdesign.design (method <b>{_e(data['method'])}</b>, "
                f"estimated max |φ − exact| = {data['max_abs_error']:.2g})")
    elif e["source"] == "designed":
        prov = "φ is the closed-form design of this penalty (zero-phase inverse transform)"
    else:
        prov = "φ is a published activation; its penalty is derived with the convention below"
    return ('<section class="formulas"><h2>Penalty and activation</h2>' + "".join(rows)
            + f"<p>{prov}. Total penalty for input dimension D = {e['dim']}.</p>"
            + f'<p class="conv">{_e(data["convention"])}</p></section>')


def _plots(data, n):
    notes = "".join(f"<li>{_e(x)}</li>" for x in data["curve_notes"])
    t = data["tails"]
    asym = _e(data["asymptotes"]).replace("\n", "<br>")
    return ('<section class="figure"><h2>φ, φ′ and φ″</h2>'
            f'<img src="{n}/phi.png" alt="phi and derivatives" width="520" height="320">'
            f"<p>Tails: left {_e(t['left'])}, right {_e(t['right'])}.</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + '</section><section class="figure"><h2>Penalty ρ(k) and spectrum |F[φ](k)| (log-log)</h2>'
            f'<img src="{n}/rho.png" alt="rho and spectrum" width="760" height="340">'
            f"<p>{asym}</p></section>")


def _unavailable(data, name):
    for line in data["problems"]:
        if line.startswith(name + ":"):
            return f'<p class="problem">Not available for this pair: {_e(line[len(name) + 1:].strip())}</p>'
    for line in data["missing"]:
        if line.startswith(name + ":"):
            return f'<p class="missing">{_e(line[len(name) + 1:].strip())}</p>'
    return ""


def _fit(data, n):
    fit = data.get("fit")
    head = '<section class="figure"><h2>Kernel-regime fit of a step plus sinusoids</h2>'
    if fit is None:
        return head + _unavailable(data, "kernel-regime fit") + "</section>"
    warn = "".join(f"<li>{_e(w)}</li>" for w in fit["warnings"])
    return (head + f'<img src="{n}/fit.png" alt="kernel-regime fit and spectrum" width="760" height="340">'
            "<p>Target 0.5 sign(x) + 0.4 sin(2x) + 0.25 sin(5x) at 40 points in [−3, 3]; "
            f"actdesign.fit.RadonSplineRegressor with width {fit['width']}, uniform law with "
            f"R = {fit['radius']}, seed {fit['seed']} (minimum-norm kernel-regime solution).</p>"
            f'<table class="kv"><tr><td>train RMSE</td><td>{fit["train_rmse"]:.3g}</td></tr>'
            f'<tr><td>test RMSE (1201 points)</td><td>{fit["test_rmse"]:.3g}</td></tr>'
            f'<tr><td>numerical rank</td><td>{fit["rank"]}</td></tr></table>'
            + (f"<ul>{warn}</ul>" if warn else "") + "</section>")


def _gain(data):
    g = data.get("gain")
    head = "<section><h2>Initialisation gain</h2>"
    if g is None:
        return head + _unavailable(data, "gain") + "</section>"
    rows = [("gain 1/√E[φ(Z)²]", g["gain"]), ("χ = gain² E[φ′(Z)²]", g["chi"]),
            ("E[φ(Z)]", g["mean"]), ("E[φ(Z)²]", g["second"]), ("E[φ′(Z)²]", g["deriv_second"])]
    body = "".join(f"<tr><td>{_e(a)}</td><td>{b:.6g}</td></tr>" for a, b in rows)
    return (head + f'<table class="kv">{body}</table><p>Z ~ N(0, 1); from actdesign.init.gain '
            "(second-moment rule).</p></section>")


def _make(data):
    return ('<section><h2>Design it yourself</h2>'
            '<button class="copy" type="button" data-target="make-cmd">copy</button>'
            f'<pre id="make-cmd">{_e(data["make"])}</pre></section>')


def _snippets(data):
    s = data.get("snippets")
    head = "<section><h2>Use it in PyTorch and JAX</h2>"
    if s is None:
        return head + _unavailable(data, "export snippets") + "</section>"
    blocks = []
    for backend, label in (("torch", "PyTorch"), ("jax", "JAX")):
        blocks.append(f"<h3>{label}</h3>"
                      f'<button class="copy" type="button" data-target="snippet-{backend}">copy</button>'
                      f'<pre id="snippet-{backend}" class="snippet" data-backend="{backend}">'
                      f'{_e(s[backend]["code"])}</pre>')
    return head + "<p>Generated by actdesign.export; standalone (needs only torch, or jax).</p>" \
        + "".join(blocks) + "</section>"


def _notes(data):
    e = data["entry"]
    refs = "".join(f"<li>{_e(r)}</li>" for r in e["references"])
    check = data.get("design_check")
    extra = ""
    if check:
        rows = [("actdesign make route", check["method"]),
                ("design's error estimate", f"{check['max_abs_error']:.2g}")]
        if "max_diff" in check:
            rows.append(("max |φ_make − φ_closed form| on [−20, 20]", f"{check['max_diff']:.2g}"))
        extra = ("<h3>Design check</h3><table class=\"kv\">"
                 + "".join(f"<tr><td>{_e(a)}</td><td>{_e(b)}</td></tr>" for a, b in rows) + "</table>")
    notes = "".join(f"<li>{_e(x)}</li>" for x in data.get("act_notes", []))
    return (f"<section><h2>Notes</h2><p>{_e(e['notes'])}</p>" + (f"<ul>{notes}</ul>" if notes else "")
            + extra + f"<h3>References</h3><ol>{refs}</ol></section>")


def _status(data):
    warns = data.get("warnings", [])
    if not (data["problems"] or data["missing"] or warns):
        return ""
    items = "".join(f'<li class="problem">{_e(p)}</li>' for p in data["problems"])
    items += "".join(f'<li class="missing">{_e(m)}</li>' for m in data["missing"])
    items += "".join(f"<li>warning while building: {_e(w)}</li>" for w in warns)
    return f"<section><h2>Build status</h2><ul>{items}</ul></section>"


# --- compare ------------------------------------------------------------------------------------
def compare_page() -> str:
    """The compare page; its content is drawn by gallery.js from data.js."""
    return (_head("Compare pairs — actdesign gallery", "Compare activation–penalty pairs")
            + '<main><section id="picker"></section>'
            '<p><button id="compare-go" type="button">Compare the checked pairs (2–4)</button></p>'
            '<p class="legend" id="legend"></p><div id="overlays"></div>'
            '<div id="columns" class="compare-grid"></div>'
            f'<p class="conv">Convention: {_e(CONVENTION)}</p></main>\n'
            '<script src="data.js"></script>\n' + TAIL.format(root=""))


def data_js(summaries: list[dict], preset: list[str]) -> str:
    """``window.GALLERY_DATA`` for the compare page (a script, so file:// works too)."""
    pairs = {}
    for s in summaries:
        pairs[s["name"]] = {"title": s["title"], "files": s["files"], "gain": s["gain"],
                            "test_rmse": s["test_rmse"], "badges": " · ".join(_badges(s)),
                            **s["samples"]}
    payload = {"pairs": pairs, "preset": preset}
    return "window.GALLERY_DATA = " + json.dumps(payload, allow_nan=False) + ";\n"
