"""The documentation: the strict mkdocs build, its generated pages, and the how-to code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from actdesign import catalog

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs-site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(ROOT / "mkdocs.yml"), "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def test_strict_build_has_every_page(site):
    for page in ("index.html", "theory/conventions/index.html", "theory/kernel-regime/index.html",
                 "theory/spectral-bias/index.html", "theory/initialisation/index.html",
                 "theory/penalty-activation/index.html", "howto/design-and-use/index.html",
                 "howto/fit/index.html", "howto/spectra/index.html", "howto/swim-go/index.html",
                 "gallery/index.html", "gallery/catalog/index.html", "examples/index.html",
                 "cli/index.html", "api/actdesign/index.html", "api/gallery/index.html",
                 "howto/choose/index.html", "howto/adaptive/index.html",
                 "howto/scale-out/index.html", "api/registry/index.html", "api/choose/index.html",
                 "api/adaptive/index.html", "api/sweep/index.html"):
        assert (site / page).is_file(), page


def test_cli_reference_is_generated_from_click(site):
    from actdesign_cli.main import main

    html = (site / "cli" / "index.html").read_text()
    for name in main.list_commands(None):
        assert f"actdesign {name}" in html, name
    for sub in ("build", "list", "show", "serve"):
        assert f"actdesign gallery {sub}" in html
    assert "--penalty" in html and "--only" in html
    assert "Sentinel" not in html


def test_catalog_page_lists_every_entry(site):
    html = (site / "gallery" / "catalog" / "index.html").read_text()
    for e in catalog.entries():
        assert f"<code>{e.name}</code>" in html, e.name


def test_api_reference_renders_docstrings(site):
    html = (site / "api" / "actdesign" / "index.html").read_text()
    assert "actdesign.design" in html and "Zero-phase phi" in html
    gallery = (site / "api" / "gallery" / "index.html").read_text()
    assert "Build the gallery site" in gallery


def test_no_link_to_a_bare_identifier(site):
    # "F[phi](k)" in docstrings must stay text, not become a link to "k"
    for html in site.rglob("*.html"):
        assert not re.search(r'<a href="[A-Za-z_]\w*">', html.read_text()), html


def _blocks(md: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", md.read_text(), flags=re.S | re.M)


PAGES = sorted(p for p in [DOCS / "index.md", *(DOCS / "howto").glob("*.md")] if _blocks(p))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_python_examples_run(page, tmp_path):
    # each page's blocks run in order in one fresh interpreter, as a reader would paste them
    code = "\n\n".join(_blocks(page))
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning:actdesign", "-c", code],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_example_script_figures_are_collected(tmp_path, monkeypatch):
    # the hook's run path, on a tiny script standing in for examples/*.py
    import importlib.util

    spec = importlib.util.spec_from_file_location("hook", DOCS / "hooks" / "generated_pages.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    scripts = tmp_path / "examples"
    scripts.mkdir()
    (scripts / "tiny.py").write_text(
        '"""A tiny figure.\n\nDraws one line."""\nimport sys\nfrom pathlib import Path\n'
        'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\n'
        'if __name__ == "__main__":\n    plt.plot([0, 1], [0, 1])\n'
        '    plt.savefig(Path(sys.argv[1]) / "tiny.png")\n')
    monkeypatch.setattr(hook, "SCRIPTS", scripts)
    monkeypatch.setattr(hook, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("ACTDESIGN_DOCS_EXAMPLES", raising=False)
    monkeypatch.delenv("ACTDESIGN_DOCS_GALLERY", raising=False)
    page, figures = hook.scripts_page()
    assert figures == [] and "Figure not generated" in page and "A tiny figure." in page
    monkeypatch.setenv("ACTDESIGN_DOCS_EXAMPLES", "run")
    page, figures = hook.scripts_page()
    assert [uri for uri, _ in figures] == ["examples/figures/tiny/tiny.png"]
    assert "![tiny](examples/figures/tiny/tiny.png)" in page
    assert figures[0][1].read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(hook, "CACHE", tmp_path / "cache2")  # the name before examples/ works
    monkeypatch.delenv("ACTDESIGN_DOCS_EXAMPLES")
    monkeypatch.setenv("ACTDESIGN_DOCS_GALLERY", "run")
    assert [uri for uri, _ in hook.scripts_page()[1]] == ["examples/figures/tiny/tiny.png"]


def test_api_pages_have_no_sphinx_roles_or_undescribed_parameters(site):
    # issue 19: mkdocs prints Sphinx roles (:func:`x`) literally; a numpy-style entry with no
    # text under it ("seed : int") renders as a table row with an empty description cell;
    # and a parameter the docstring omits is not rendered at all, so the signature of every
    # rendered object is compared with its docstring as griffe (mkdocstrings' parser) reads it
    import importlib
    import inspect

    import griffe

    role = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|ref):")
    row = re.compile(r'<tr class="doc-section-item">(.*?)</tr>', re.S)
    desc = re.compile(r'<div class="doc-md-description">(.*?)</div>', re.S)
    rows, bad, ids = 0, [], set()
    for page in sorted(site.rglob("*.html")):
        html, where = page.read_text(), page.relative_to(site)
        ids |= set(re.findall(r'id="(actdesign[\w.]*)" class="doc doc-heading"', html))
        bad += [f"{where}: literal role {m}" for m in role.findall(html)]
        for cells in row.findall(html):
            rows += 1
            if not any(re.sub(r"<[^>]+>|\s", "", d) for d in desc.findall(cells)):
                name = re.sub(r"<[^>]+>|\s+", " ", cells).split()[0]
                bad.append(f"{where}: {name} has no description")
    assert rows > 100 and len(ids) > 100, "no rendered docstrings found: has the markup changed?"
    kinds = ("parameters", "other parameters", "attributes")
    for ident in sorted(ids):
        obj = importlib.import_module("actdesign")
        for part in ident.split(".")[1:]:
            obj = getattr(obj, part)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        try:
            params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
        except (TypeError, ValueError):  # no Python signature (builtin exception classes)
            continue
        sections = griffe.Docstring(inspect.getdoc(obj) or "").parse("numpy")
        listed = {n.strip().lstrip("*") for s in sections if s.kind.value in kinds
                  for entry in s.value for n in entry.name.split(",")}
        bad += [f"{ident}: parameter {p} is not described" for p in params if p not in listed]
    assert not bad, "\n".join(bad)
