"""The sweep configuration schema, written as data: table -> key -> (type, default).

A default of ``REQUIRED`` means the key must be given. Types are names in ``TYPES``:
a checker that returns the value (normalised) or raises ``ValueError`` with what was
expected. Every list key is one axis of the grid of its table.
"""

from __future__ import annotations

import math

REQUIRED = object()

SCHEMA = {
    "sweep": {
        "name": ("str", "sweep"),
    },
    "design": {
        "penalties": ("list[str]", REQUIRED),
        "shapes": ("list[shape]", ["bump"]),
        "dims": ("list[dim]", [1]),
    },
    "fit": {
        "data": ("path", REQUIRED),
        "test": ("path", None),
        "activations": ("list[str]", []),
        "penalties": ("list[str]", []),
        "shape": ("shape", "bump"),
        "widths": ("list[width]", [1000]),
        "ridges": ("list[ridge]", [0.0]),
        "laws": ("list[law]", ["uniform"]),
        "train": ("list[train]", ["mu"]),
        "seeds": ("list[int]", [0]),
        "solver": ("solver", "auto"),
    },
    "gallery": {
        "entries": ("list[str]", REQUIRED),
    },
}

# the grid axes of each table, in the order of the task parameters
AXES = {
    "design": ("penalties", "shapes", "dims"),
    "fit": ("widths", "ridges", "laws", "train", "seeds"),
    "gallery": ("entries",),
}


def _str(v):
    if not isinstance(v, str) or not v.strip():
        raise ValueError("a non-empty string")
    return v


def _int(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("an integer")
    return v


def _dim(v):
    if _int(v) < 1:
        raise ValueError("an integer >= 1")
    return v


def _width(v):
    if isinstance(v, str) and v.strip().lower() == "inf":
        return "inf"
    if isinstance(v, float) and math.isinf(v) and v > 0:
        return "inf"
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError('a positive integer or "inf"')
    return v


def _ridge(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v < math.inf):
        raise ValueError("a finite number >= 0")
    return float(v)


def _choice(*names):
    def check(v):
        if v not in names:
            raise ValueError("one of " + ", ".join(repr(n) for n in names))
        return v

    return check


TYPES = {
    "str": _str,
    "int": _int,
    "path": _str,
    "dim": _dim,
    "width": _width,
    "ridge": _ridge,
    "shape": _choice("bump", "sigmoid", "relu"),
    "law": _choice("uniform", "gaussian", "swim"),
    "train": _choice("mu", "v"),
    "solver": _choice("auto", "eigh", "lowrank", "direct"),
}


def check_value(type_name: str, value):
    """The value checked (and normalised) against a schema type; ValueError names it."""
    if type_name.startswith("list["):
        inner = TYPES[type_name[5:-1]]
        if not isinstance(value, list) or not value:
            raise ValueError(f"a non-empty list of {_describe(inner)}")
        out = []
        for item in value:
            try:
                out.append(inner(item))
            except ValueError as err:
                raise ValueError(f"a list of {err}, but one item is {item!r}") from None
        if len(set(map(repr, out))) != len(out):
            raise ValueError("a list without repeated items")
        return out
    return TYPES[type_name](value)


def _describe(check) -> str:
    try:
        check(object())
    except ValueError as err:
        return str(err)
    return "values"
