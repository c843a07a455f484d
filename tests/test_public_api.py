"""The public API is a contract (issue 19): the names, signatures and CLI stay as committed.

``tests/public_api.json`` was written before the package was reorganised into stage
folders; this test rebuilds the same description from the live package and compares.
After a deliberate API change, rewrite the file with::

    python tests/test_public_api.py --write

and say so in the change's notes: users and scripts rely on every name listed there.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
import types
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("public_api.json")

# the public modules whose names are the Python API (each documented under docs/api/)
PUBLIC_MODULES = (
    "actdesign", "actdesign.atomic", "actdesign.catalog", "actdesign.export",
    "actdesign.fit", "actdesign.spectrum", "actdesign.init", "actdesign.init.swim",
    "actdesign.init.varflow", "actdesign.init.go", "actdesign.registry",
    "actdesign.choose", "actdesign.adaptive", "actdesign.sweep", "actdesign.gallery",
)


def _signature(obj) -> str | None:
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return None
    return re.sub(r" at 0x[0-9a-f]+", "", text)  # a default's address changes every run


def _names(module: types.ModuleType) -> list[str]:
    if hasattr(module, "__all__"):
        return sorted(module.__all__)
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _describe_module(name: str) -> dict:
    module = importlib.import_module(name)
    out = {}
    for attr in _names(module):
        obj = getattr(module, attr)
        if isinstance(obj, types.ModuleType):
            continue  # submodules are listed by _submodules
        entry = {"kind": type(obj).__name__ if not inspect.isclass(obj) else "class"}
        if callable(obj):
            entry["signature"] = _signature(obj)
        if inspect.isclass(obj):
            entry["members"] = sorted(m for m in vars(obj) if not m.startswith("_"))
        out[attr] = entry
    return out


def _submodules(name: str) -> list[str]:
    module = importlib.import_module(name)
    if not hasattr(module, "__path__"):
        return []
    return sorted(m.name for m in pkgutil.iter_modules(module.__path__) if not m.name.startswith("_"))


def _cli() -> dict:
    import click

    from actdesign_cli.main import main

    def walk(command, path):
        entry = {"params": sorted(
            [*p.opts, *p.secondary_opts] if isinstance(p, click.Option) else [f"<{p.name}>"]
            for p in command.params)}
        rows = {" ".join(path): entry}
        if isinstance(command, click.Group):
            for sub in command.list_commands(None):
                rows.update(walk(command.get_command(None, sub), [*path, sub]))
        return rows

    return walk(main, ["actdesign"])


def describe() -> dict:
    return {
        "python": {name: _describe_module(name) for name in PUBLIC_MODULES},
        "submodules": {name: _submodules(name) for name in PUBLIC_MODULES},
        "cli": _cli(),
    }


# stage folders added by issue 19; they hold private modules and export no names
NEW_STAGE_PACKAGES = {"actdesign": {"formula", "fourier", "tabulate", "design", "infra"},
                      "actdesign.fit": {"gaussian", "nystrom", "kernels"}}


def test_python_names_and_signatures_unchanged():
    assert describe()["python"] == json.loads(SNAPSHOT.read_text())["python"]


def test_public_submodules_unchanged_apart_from_stage_folders():
    now, then = describe()["submodules"], json.loads(SNAPSHOT.read_text())["submodules"]
    for name, before in then.items():
        added = set(now[name]) - set(before)
        assert set(before) <= set(now[name]), (name, sorted(set(before) - set(now[name])))
        assert added <= NEW_STAGE_PACKAGES.get(name, set()), (name, sorted(added))


def test_cli_commands_and_options_unchanged():
    assert describe()["cli"] == json.loads(SNAPSHOT.read_text())["cli"]


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        SNAPSHOT.write_text(json.dumps(describe(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {SNAPSHOT}")
