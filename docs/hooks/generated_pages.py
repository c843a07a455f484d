"""mkdocs hook: pages generated at build time (nothing is written into docs/).

* ``gallery/catalog.md``: the table of activation–penalty pairs, from actdesign.catalog;
* ``examples.md``: the project's ``examples/*.py`` scripts with their docstrings and
  their figures. Figures come from ``build/docs-examples/<script>-<hash>/``; with
  ``ACTDESIGN_DOCS_EXAMPLES=run`` in the environment (or the older name
  ``ACTDESIGN_DOCS_GALLERY=run``), scripts whose figures are missing there are run first
  (each takes about a minute, so the default build does not).
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "examples"
CACHE = ROOT / "build" / "docs-examples"
RUN_TIMEOUT = 900


# Markdown reads the convention's "F[phi](k)" in docstrings and help texts as a link to
# "k"; real links always contain ".", "/", "#" or ":", so a bare identifier target is text
_FAKE_LINK = re.compile(r'<a href="([A-Za-z_][A-Za-z0-9_]*)">([^<]*)</a>')


def on_page_content(html, page, config, files):
    html = _FAKE_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", html)
    # mkdocs-click prints click 8.2+'s "no default" marker literally
    return html.replace("<code>Sentinel.UNSET</code>", "").replace("Sentinel.UNSET", "")


def on_files(files, config):
    files.append(File.generated(config, "gallery/catalog.md", content=catalog_page()))
    page, figures = scripts_page()
    files.append(File.generated(config, "examples.md", content=page))
    for uri, path in figures:
        files.append(File.generated(config, uri, content=path.read_bytes()))
    return files


# --- the catalog table ---------------------------------------------------------------------------
def _cell(text: str) -> str:
    return "`" + str(text).replace("|", "\\|").replace("`", "'") + "`"


def catalog_page() -> str:
    from actdesign import CONVENTION, catalog

    lines = ["# Catalog of activation–penalty pairs", "",
             f"{len(catalog.entries())} pairs, generated from `actdesign/data/catalog.json`. Each "
             "penalty is the total penalty for its dimension D; `designed` means φ comes from "
             "`actdesign.design` (numerically where no closed form exists). Every closed-form pair "
             "is checked against an independent numeric Fourier transform in the test suite. "
             "`actdesign gallery show NAME` prints an entry with its references and the exact "
             "`actdesign make` command.", "", f"Convention: `{CONVENTION}`", ""]
    for family, label in catalog.FAMILIES.items():
        rows = [e for e in catalog.entries() if e.family == family]
        if not rows:
            continue
        lines += [f"## {label}", "", "| name | pair | D | shape | ρ(k) | φ(z) |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| `{e.name}` | {e.title} | {e.dim} | {e.shape} | {_cell(e.penalty)} | "
                  f"{_cell(e.phi)} |" for e in rows]
        lines.append("")
    return "\n".join(lines)


# --- the example scripts -------------------------------------------------------------------------
def _scripts():
    for path in sorted(SCRIPTS.glob("*.py")):
        text = path.read_text()
        if '__name__ == "__main__"' in text or "__name__ == '__main__'" in text:
            yield path, ast.get_docstring(ast.parse(text)) or ""


def _figure_dir(path: Path) -> Path:
    h = hashlib.sha256(path.read_bytes())
    for helper in sorted(SCRIPTS.glob("*common*.py")):  # shared helpers change the figures too
        h.update(helper.read_bytes())
    return CACHE / f"{path.stem}-{h.hexdigest()[:12]}"


def _run(path: Path, out: Path) -> str | None:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MPLBACKEND": "Agg", "ACTDESIGN_EXAMPLES_OUT": str(out)}
    try:
        proc = subprocess.run([sys.executable, str(path), str(out)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timed out after {RUN_TIMEOUT} s"
    return None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["failed"])[-1]


def scripts_page():
    lines = ["# Example scripts", "",
             "Figures of the scripts in the repository's `examples/` folder. Each script runs "
             "on its own (`python examples/NAME.py OUT_DIR`) and uses only the public API.", ""]
    figures = []
    run = "run" in (os.environ.get("ACTDESIGN_DOCS_EXAMPLES"),
                    os.environ.get("ACTDESIGN_DOCS_GALLERY"))  # the name before examples/
    for path, doc in _scripts():
        title, _, rest = doc.partition("\n")
        lines += [f"## `{path.name}`", "", title or path.stem, ""]
        if rest.strip():
            lines += ["```text", rest.strip(), "```", ""]
        out = _figure_dir(path)
        pngs = sorted(out.glob("*.png")) if out.is_dir() else []
        error = None
        if not pngs and run:
            error = _run(path, out)
            pngs = sorted(out.glob("*.png"))
        for png in pngs:
            uri = f"examples/figures/{path.stem}/{png.name}"
            figures.append((uri, png))
            lines += [f"![{png.stem}]({uri})", ""]  # examples.md sits at the docs root
        if not pngs:
            why = f" (the run failed: {error})" if error else ""
            lines += [f"*Figure not generated in this docs build{why}.* Produce it with "
                      f"`python examples/{path.name} OUT_DIR`, or build the docs with "
                      "`ACTDESIGN_DOCS_EXAMPLES=run mkdocs build`.", ""]
    if not figures and not any(True for _ in _scripts()):
        lines.append("No example scripts yet.")
    return "\n".join(lines), figures
