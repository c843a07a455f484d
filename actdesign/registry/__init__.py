"""The activation registry: one record per family, the single source of truth.

Each `Family` holds the closed form, the penalty (transform pair), kinks,
homogeneity, null-space order, uniform-law autocorrelation, the fused-kernel code,
framework names and the key of the Gaussian-law kernel. design's checks, analyze's
pattern table, export's native names, fit's catalog and kernels, init's native names
and the gallery's checks read it (see tests/test_registry.py).
"""

from ._families import FAMILIES as FAMILIES
from ._family import Family as Family

BY_NAME = {f.name: f for f in FAMILIES}
BY_CODE = {f.code: f for f in FAMILIES if f.code is not None}


def family(name: str) -> Family:
    """The record named ``name`` (KeyError names the known ones)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no activation family {name!r}; known: {', '.join(BY_NAME)}") from None
