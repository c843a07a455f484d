"""The public API is a contract (issue 19): the names, signatures and CLI stay as committed.

Users and scripts may rely on every name, parameter and option listed: they may be added
to (a new name, a new parameter with a default, a new option), never renamed or removed.

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
    found = pkgutil.iter_modules(module.__path__)
    return sorted(m.name for m in found if not m.name.startswith("_"))


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
NEW_STAGE_PACKAGES = {"actdesign": {"formula", "fourier", "tabulate", "activation", "infra"},
                      "actdesign.fit": {"gaussian", "nystrom", "compute"}}


def _params(signature: str) -> list[str]:
    """The parameters of a signature string, each as written (name, annotation, default)."""
    inner = signature[1: signature.rindex(")")]
    out, depth, cur = [], 0, ""
    for ch in inner:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [p for p in [*out, cur.strip()] if p]


def compatible(then: dict, now: dict) -> list[str]:
    """What ``now`` breaks of ``then``: a name, member or parameter gone, renamed, re-kinded or
    moved; a new parameter without a default. Additions with defaults are allowed."""
    broken = []
    for module, names in then.items():
        for name, entry in names.items():
            new = now.get(module, {}).get(name)
            where = f"{module}.{name}"
            if new is None or new["kind"] != entry["kind"]:
                broken.append(f"{where}: gone or changed kind")
                continue
            gone = set(entry.get("members", ())) - set(new.get("members", ()))
            broken += [f"{where}.{m}: member gone" for m in sorted(gone)]
            if entry.get("signature") and entry["signature"] != new.get("signature"):
                old_p, new_p = _params(entry["signature"]), _params(new["signature"] or "()")
                kept = [p for p in new_p if p in old_p]
                added = [p for p in new_p if p not in old_p]
                if kept != old_p:
                    broken.append(f"{where}{entry['signature']}: now {new['signature']}")
                broken += [f"{where}: new parameter {p} has no default" for p in added
                           if "=" not in p and not p.startswith(("*", "/"))]
    return broken


def test_the_compatibility_check_sees_a_rename_and_a_required_parameter():
    then = {"m": {"f": {"kind": "function", "signature": "(x, y=1)"}}}
    ok = {"m": {"f": {"kind": "function", "signature": "(x, y=1, *, z=None)"},
                "g": {"kind": "int"}}}
    assert compatible(then, ok) == []
    assert compatible(then, {"m": {"f": {"kind": "function", "signature": "(x, w=1)"}}})
    assert compatible(then, {"m": {"f": {"kind": "function", "signature": "(x, y=1, z)"}}})
    assert compatible(then, {"m": {"g": {"kind": "function", "signature": "(x, y=1)"}}})


def test_python_names_and_signatures_unchanged():
    then = json.loads(SNAPSHOT.read_text())["python"]
    assert compatible(then, describe()["python"]) == []


def test_public_submodules_unchanged_apart_from_stage_folders():
    now, then = describe()["submodules"], json.loads(SNAPSHOT.read_text())["submodules"]
    for name, before in then.items():
        added = set(now[name]) - set(before)
        assert set(before) <= set(now[name]), (name, sorted(set(before) - set(now[name])))
        assert added <= NEW_STAGE_PACKAGES.get(name, set()), (name, sorted(added))


def test_cli_commands_and_options_unchanged():
    then, now = json.loads(SNAPSHOT.read_text())["cli"], describe()["cli"]
    for command, entry in then.items():
        assert command in now, f"command {command!r} gone"
        have = {tuple(p) for p in now[command]["params"]}
        gone = [p for p in entry["params"] if tuple(p) not in have]
        assert gone == [], (command, gone)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        SNAPSHOT.write_text(json.dumps(describe(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {SNAPSHOT}")
