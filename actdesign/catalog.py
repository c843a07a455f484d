"""The catalog of activation–penalty pairs, kept as data (``actdesign/data/catalog.json``).

Each record names a pair: the total penalty rho(k) for its input dimension (a string in
the penalty grammar, read as even in k) and the activation phi(z) (a closed form in the
activation grammar, or ``"designed"`` when phi has no usable closed form and comes from
`actdesign.design`). The gallery (`actdesign.gallery`) renders one page per
record. Loading the catalog uses only ``json`` and the standard library; formulas are
parsed (through the allow-list parser) only by the code that evaluates them.

Convention: F[phi](k) = ∫ phi(z) e^{-ikz} dz (angular frequency), rho_total(k) =
|k|^(D-1) / |F[phi](k)|^2.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

from .infra._errors import ActdesignError

DESIGNED = "designed"
FAMILIES = {
    "relu": "ReLU-like (grows linearly or faster)",
    "sigmoid": "sigmoid-like (saturates)",
    "bump": "bump (localised)",
    "matern": "Bessel-K / Matérn",
    "bandpass": "band-pass (wavepackets)",
    "lowpass": "band-limited (low-pass)",
}
SOURCES = ("known", "designed")
SHAPES = ("bump", "sigmoid", "relu")


class CatalogError(ActdesignError):
    """An unknown gallery entry, or a malformed catalog record."""


@dataclass(frozen=True)
class Entry:
    """One activation–penalty pair of the catalog.

    Attributes
    ----------
    name : str
        Identifier (lower case, ``[a-z0-9_]``), used for pages and files.
    title : str
        Display name.
    family : str
        One of `FAMILIES`.
    penalty : str
        Total penalty rho(k) for ``dim``, in the penalty grammar (even in k).
    phi : str
        Closed form in ``z`` (activation grammar), or ``"designed"``.
    shape : {"bump", "sigmoid", "relu"}
        The shape to pass to `actdesign.design` / ``actdesign make``.
    dim : int
        Input dimension D.
    source : {"known", "designed"}
        ``known``: a published activation whose penalty was derived; ``designed``: phi is the
        design of the penalty.
    references : tuple of str
        Literature for the activation or the transform pair.
    notes : str
        What the pair does, caveats, and how ``actdesign make`` relates to ``phi``.
    phi_exact : str or None
        For ``phi == "designed"``: a closed form valid for z != 0 when one is known (used as
        an independent check of the design), else None.
    """

    name: str
    title: str
    family: str
    penalty: str
    phi: str
    shape: str
    dim: int
    source: str
    references: tuple
    notes: str
    phi_exact: str | None = None

    @property
    def designed(self) -> bool:
        """True when phi comes from `actdesign.design` (no closed form in the record)."""
        return self.phi == DESIGNED

    def make_command(self) -> str:
        """The exact ``actdesign make`` command that designs this pair's penalty."""
        return (f"actdesign make --penalty {shlex.quote(self.penalty)} --dim {self.dim} "
                f"--shape {self.shape} --name {self.name} --export torch,jax")

    def to_dict(self) -> dict:
        """The record as a JSON-ready dict (references as a list)."""
        d = asdict(self)
        d["references"] = list(self.references)
        return d


@lru_cache(maxsize=1)
def _load() -> tuple:
    text = resources.files("actdesign").joinpath("data/catalog.json").read_text(encoding="utf-8")
    return tuple(_entry(rec) for rec in json.loads(text)["entries"])


def _entry(rec: dict) -> Entry:
    try:
        entry = Entry(**{**rec, "references": tuple(rec.get("references", ()))})
    except TypeError as err:
        raise CatalogError(f"catalog record {rec.get('name')!r} is malformed: {err}") from None
    problems = [
        (entry.family not in FAMILIES, f"family {entry.family!r} not in {sorted(FAMILIES)}"),
        (entry.shape not in SHAPES, f"shape {entry.shape!r} not in {SHAPES}"),
        (entry.source not in SOURCES, f"source {entry.source!r} not in {SOURCES}"),
        (not isinstance(entry.dim, int) or entry.dim < 1,
         f"dim {entry.dim!r} is not a positive int"),
    ]
    bad = [msg for cond, msg in problems if cond]
    if bad:
        raise CatalogError(f"catalog record {entry.name!r}: {'; '.join(bad)}")
    return entry


def entries() -> list[Entry]:
    """All catalog entries, in catalog order."""
    return list(_load())


def names() -> list[str]:
    """The names of all entries, in catalog order."""
    return [e.name for e in _load()]


def get(name: str) -> Entry:
    """The entry called ``name``.

    Parameters
    ----------
    name : str
        An entry name, as listed by `names` (``actdesign gallery list``).

    Raises
    ------
    CatalogError
        If there is no such entry (the message lists how to see the names).
    """
    for entry in _load():
        if entry.name == name:
            return entry
    raise CatalogError(f"no gallery entry named {name!r}; "
                       "see `actdesign gallery list` for the names")
