"""Read a sweep's TOML file, check it against the schema, and expand its grids into tasks.

Each task is a kind (``design``, ``fit``, ``gallery``) and a flat dict of parameters;
its key is a hash of both (and, for fits, of the data files' contents), so the same
task gets the same key in every run and a changed data file makes new tasks.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..infra._errors import ActdesignError
from ..infra._timeout import capped
from ..infra.files._filelimits import load_toml
from ._schema import AXES, REQUIRED, SCHEMA, check_value


class SweepConfigError(ActdesignError):
    """A sweep configuration file is missing, malformed, or names something unusable."""


@dataclass(frozen=True)
class Task:
    """One unit of a sweep: ``kind`` with ``params`` (JSON-ready); ``key`` is stable."""

    kind: str
    params: dict
    key: str


@dataclass
class SweepConfig:
    """A checked configuration: its name, the tasks of its grids, the data files read.

    Attributes
    ----------
    path : Path
        The TOML file it was read from.
    name : str
        The ``[sweep] name`` of the configuration.
    tasks : list of Task
        Every task of the ``[design]``, ``[fit]`` and ``[gallery]`` grids, expanded.
    data : dict
        Role (``"data"``, ``"test"``) -> absolute path of the data files the tasks read.
    """

    path: Path
    name: str
    tasks: list = field(default_factory=list)
    data: dict = field(default_factory=dict)  # role ("data", "test") -> absolute path


@capped("checking sweep config")
def load_config(path) -> SweepConfig:
    """Read, check and expand a sweep configuration (SweepConfigError on any problem).

    Parameters
    ----------
    path : str or Path
        The TOML file (``[sweep] name`` and at least one ``[design]``, ``[fit]`` or
        ``[gallery]`` table).
    """
    path = Path(path)
    raw = load_toml(path, "sweep config", SweepConfigError, "fix the syntax")
    tables = _check(raw, path)
    cfg = SweepConfig(path=path, name=tables["sweep"]["name"])
    if not any(k in raw for k in AXES):
        raise SweepConfigError(
            f"{path} defines no work; add a [design], [fit] or [gallery] table"
        )
    for kind in AXES:
        if kind in raw:
            cfg.tasks.extend(_EXPAND[kind](tables[kind], cfg))
    return cfg


def _check(raw: dict, path: Path) -> dict:
    """Every table and key known, of the right type; defaults filled in."""
    unknown = sorted(set(raw) - set(SCHEMA))
    if unknown:
        raise SweepConfigError(
            f"{path}: unknown table [{unknown[0]}]; the tables are "
            + ", ".join(f"[{t}]" for t in SCHEMA)
        )
    out = {}
    for table, keys in SCHEMA.items():
        given = raw.get(table, {})
        if not isinstance(given, dict):
            raise SweepConfigError(f"{path}: {table} must be a table ([{table}])")
        extra = sorted(set(given) - set(keys))
        if extra:
            raise SweepConfigError(
                f"{path}: unknown key {extra[0]!r} in [{table}]; the keys are "
                + ", ".join(keys)
            )
        out[table] = {}
        for key, (type_name, default) in keys.items():
            if key not in given:
                if default is REQUIRED and table in raw:
                    raise SweepConfigError(f"{path}: [{table}] needs the key {key!r}")
                out[table][key] = None if default is REQUIRED else default
                continue
            try:
                out[table][key] = check_value(type_name, given[key])
            except ValueError as err:
                raise SweepConfigError(
                    f"{path}: [{table}] {key} must be {err} (got {given[key]!r})"
                ) from None
    return out


def task_key(kind: str, params: dict) -> str:
    """A stable 16-hex-digit key of a task (canonical JSON of kind and parameters)."""
    text = json.dumps([kind, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _task(kind: str, params: dict) -> Task:
    return Task(kind, params, task_key(kind, params))


def _grid(table: dict, kind: str):
    axes = AXES[kind]
    for combo in itertools.product(*(table[a] for a in axes)):
        yield dict(zip(axes, combo))


def _design_tasks(table: dict, cfg: SweepConfig):
    from ..formula._parse import parse_penalty

    for text in table["penalties"]:
        _parsed(parse_penalty, text, "design", cfg.path)
    for g in _grid(table, "design"):
        yield _task("design", dict(penalty=g["penalties"], shape=g["shapes"], dim=g["dims"]))


def _fit_tasks(table: dict, cfg: SweepConfig):
    from ..formula._parse import parse_activation, parse_penalty

    if not table["activations"] and not table["penalties"]:
        raise SweepConfigError(
            f"{cfg.path}: [fit] needs activations (formulas in z) or penalties (designed)"
        )
    digests = {}
    for role in ("data", "test"):
        if table[role] is None:
            continue
        p = (cfg.path.parent / table[role]).resolve()
        if not p.is_file():
            raise SweepConfigError(
                f"{cfg.path}: [fit] {role} file {p} not found; paths are relative to the config"
            )
        cfg.data[role] = p
        digests[role] = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    sources = [("activation", _parsed(parse_activation, t, "fit", cfg.path))
               for t in table["activations"]]
    sources += [("penalty", _parsed(parse_penalty, t, "fit", cfg.path))
                for t in table["penalties"]]
    for (what, text), g in itertools.product(sources, _grid(table, "fit")):
        params = {what: text, "solver": table["solver"], **digests}
        if what == "penalty":
            params["shape"] = table["shape"]
        params.update(width=g["widths"], ridge=g["ridges"], law=g["laws"],
                      train=g["train"], seed=g["seeds"])
        yield _task("fit", params)


def _gallery_tasks(table: dict, cfg: SweepConfig):
    from .. import catalog

    names = set(catalog.names())
    for name in table["entries"]:
        if name not in names:
            raise SweepConfigError(
                f"{cfg.path}: [gallery] entry {name!r} is not in the catalog; "
                "see `actdesign gallery list`"
            )
        yield _task("gallery", dict(entry=name))


def _parsed(parse, text: str, table: str, path: Path) -> str:
    try:
        parse(text)
    except ActdesignError as err:
        raise SweepConfigError(f"{path}: [{table}] {err}") from None
    return text


_EXPAND = {"design": _design_tasks, "fit": _fit_tasks, "gallery": _gallery_tasks}
