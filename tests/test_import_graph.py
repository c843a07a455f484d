"""No import circle between actdesign's modules and subpackages (issue 11).

A static check of the import graph: every ``import`` of every module under actdesign/,
lazy ones inside functions included, as an edge between units (a subpackage, or a
top-level module); the graph must have no cycle. The circle this guards against was
Activation -> export -> init -> Activation (export asked init for a gain).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import actdesign

ROOT = Path(actdesign.__file__).parent


def _unit(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _module_name(path: Path) -> tuple[str, str]:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _exists(module: str) -> bool:
    p = ROOT.parent / module.replace(".", "/")
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _targets(node, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    return [stem] + [f"{stem}.{a.name}" for a in node.names]


def import_graph(root: Path = ROOT) -> dict:
    """unit -> set of units it imports (within actdesign, the package root left out)."""
    edges: dict = {}
    for path in root.rglob("*.py"):
        module, package = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text())):
            for target in _targets(node, package):
                if target.startswith("actdesign.") and _exists(target):
                    u, v = _unit(module), _unit(target)
                    if u != v:
                        edges.setdefault(u, set()).add(v)
    return edges


def cycles(edges: dict) -> list:
    """Strongly connected components with more than one unit (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_planted_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_actdesign_has_no_import_circle():
    edges = import_graph()
    assert "actdesign.init" not in edges.get("actdesign._export", set())
    assert "actdesign.init" in edges["actdesign.export"]  # the facade asks init for the gain
    assert cycles(edges) == []


def test_exporting_with_a_given_gain_does_not_load_init():
    code = ("import sys, actdesign\n"
            "from actdesign._export import export_source\n"
            "text = export_source(actdesign.from_expression('tanh(z)'), 'torch', gain=1.5)\n"
            "assert 'GAIN = 1.5' in text, text\n"
            "print('actdesign.init' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
