"""`import actdesign` stays light: heavy packages load only where used."""

import subprocess
import sys

HEAVY = ("numba", "matplotlib", "torch", "jax", "cupy")


def test_import_is_light():
    code = ("import sys, actdesign; a = actdesign.from_expression('tanh(z)'); "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_design_and_cli_make_do_not_load_heavy_packages():
    code = ("import sys, actdesign; actdesign.design('exp(k)'); import actdesign_cli._make; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# the public names `import actdesign` offered before its imports became lazy (a contract:
# add, never rename); the submodules it used to import as a side effect stay reachable
PUBLIC = ("ActdesignError", "Activation", "CONVENTION", "ParseError", "Penalty", "PenaltyError",
          "ShapeError", "SpecError", "Tabulation", "TailLaw", "analyze", "design",
          "from_expression", "load", "parse_activation", "parse_penalty", "choose_penalty")
SIDE_EFFECT_SUBMODULES = ("atomic", "registry")


def test_import_actdesign_loads_neither_numpy_nor_sympy():
    # what keeps `import actdesign` well under 1.5x `import sympy` (bench/make_latency.py)
    code = ("import sys, actdesign; "
            "print(','.join(m for m in ('numpy', 'sympy', 'scipy', 'mpmath', *" f"{HEAVY!r}" ") "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve_lazily_to_their_defining_objects():
    code = f"""
import importlib, sys, actdesign
for name in {PUBLIC!r}:
    assert name in actdesign.__all__ and name in dir(actdesign), name
    obj = getattr(actdesign, name)
    home = sys.modules[getattr(obj, "__module__", None) or "actdesign.infra._convention"]
    assert getattr(home, name, obj) is obj, name
for name in {SIDE_EFFECT_SUBMODULES!r}:
    assert getattr(actdesign, name) is importlib.import_module("actdesign." + name), name
ns = {{}}
exec("from actdesign import *", ns)
assert set(actdesign.__all__) <= set(ns), set(actdesign.__all__) - set(ns)
assert actdesign.design("exp(2*k)").method == "table"
try:
    actdesign.no_such_name
except AttributeError as err:
    assert "no_such_name" in str(err)
else:
    raise AssertionError("no AttributeError")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_lazy_names_are_also_declared_statically():
    # the TYPE_CHECKING block (type checkers, API docs) and the lazy table name the same
    # objects from the same modules
    import ast
    from pathlib import Path

    import actdesign

    tree = ast.parse(Path(actdesign.__file__).read_text())
    (block,) = [n for n in tree.body if isinstance(n, ast.If)
                and getattr(n.test, "id", None) == "TYPE_CHECKING"]
    static = {a.asname or a.name: "." * n.level + (n.module or "")
              for n in block.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert static == actdesign._LAZY
