"""Stage order: no module imports from a later stage of the pipeline (issue 19).

The pipeline is string -> penalty -> activation -> (export | fit | spectrum | init |
gallery); docs/architecture.md gives each stage a paragraph. The order is written once,
below, as data: a module may import its own stage and any earlier one, never a later
one. Every module of the package must belong to a stage, so a new folder is placed in
the order the day it is created. The check reads the static import graph (lazy imports
inside functions included), like the no-circle test beside it.
"""

from __future__ import annotations

import ast

from test_import_graph import ROOT, _exists, _module_name, _targets

# (stage, the module prefixes it owns), earliest first
STAGES = (
    ("infrastructure", ("actdesign.infra", "actdesign.atomic")),
    ("registry", ("actdesign.registry",)),
    ("formula", ("actdesign.formula",)),
    ("fourier", ("actdesign.fourier",)),
    ("tabulate", ("actdesign.tabulate",)),
    ("code printers", ("actdesign._export",)),
    ("activation", ("actdesign.activation",)),
    ("init", ("actdesign.init",)),
    ("export", ("actdesign.export",)),
    ("fit", ("actdesign.fit",)),
    ("spectrum", ("actdesign.spectrum",)),
    ("choose", ("actdesign.choose",)),
    ("adaptive", ("actdesign.adaptive",)),
    ("gallery", ("actdesign.catalog", "actdesign.gallery")),
    ("sweep", ("actdesign.sweep",)),
)

# the package root is the facade over every stage (its names load lazily); importing
# it from inside the package is only ever for __version__, so it is no stage's edge
FACADE = "actdesign"


def stage_of(module: str, stages=STAGES) -> int | None:
    """Index of the stage owning ``module`` (longest matching prefix), None if none does."""
    best, length = None, -1
    for i, (_, prefixes) in enumerate(stages):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > length:
                best, length = i, len(p)
    return best


def module_edges(root=ROOT) -> dict:
    """module -> set of actdesign modules it imports (statically, lazy imports included)."""
    edges = {}
    for path in root.rglob("*.py"):
        module, package = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text())):
            for target in _targets(node, package):
                if target.startswith("actdesign.") and _exists(target) and target != module:
                    edges.setdefault(module, set()).add(target)
    return edges


def upward(edges: dict, stages=STAGES) -> list:
    """(module, its stage, imported module, its stage) for every import of a later stage."""
    found = []
    for src, targets in edges.items():
        if src == FACADE:
            continue
        s = stage_of(src, stages)
        for t in sorted(targets):
            u = stage_of(t, stages)
            if t != FACADE and u is not None and s is not None and u > s:
                found.append((src, stages[s][0], t, stages[u][0]))
    return sorted(found)


def test_the_checker_finds_a_planted_upward_import():
    stages = (("low", ("p.low",)), ("high", ("p.high",)))
    edges = {"p.low.a": {"p.high.b", "p.low.c"}, "p.high.b": {"p.low.c"}}
    assert upward(edges, stages) == [("p.low.a", "low", "p.high.b", "high")]


def test_every_module_belongs_to_a_stage():
    modules = {_module_name(p)[0] for p in ROOT.rglob("*.py")} - {FACADE}
    assert sorted(m for m in modules if stage_of(m) is None) == []


def test_no_module_imports_a_later_stage():
    assert upward(module_edges()) == []
