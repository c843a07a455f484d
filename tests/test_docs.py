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
                 "gallery/index.html", "gallery/catalog/index.html", "gallery/scripts/index.html",
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


def test_gallery_script_figures_are_collected(tmp_path, monkeypatch):
    # the hook's run path, on a tiny script standing in for gallery/*.py
    import importlib.util

    spec = importlib.util.spec_from_file_location("hook", DOCS / "hooks" / "generated_pages.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    scripts = tmp_path / "gallery"
    scripts.mkdir()
    (scripts / "tiny.py").write_text(
        '"""A tiny figure.\n\nDraws one line."""\nimport sys\nfrom pathlib import Path\n'
        'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\n'
        'if __name__ == "__main__":\n    plt.plot([0, 1], [0, 1])\n'
        '    plt.savefig(Path(sys.argv[1]) / "tiny.png")\n')
    monkeypatch.setattr(hook, "SCRIPTS", scripts)
    monkeypatch.setattr(hook, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("ACTDESIGN_DOCS_GALLERY", raising=False)
    page, figures = hook.scripts_page()
    assert figures == [] and "Figure not generated" in page and "A tiny figure." in page
    monkeypatch.setenv("ACTDESIGN_DOCS_GALLERY", "run")
    page, figures = hook.scripts_page()
    assert [uri for uri, _ in figures] == ["gallery/figures/tiny/tiny.png"]
    assert "![tiny](figures/tiny/tiny.png)" in page
    assert figures[0][1].read_bytes()[:4] == b"\x89PNG"
