"""Peak-memory estimates, checked before a fit allocates anything large."""

from __future__ import annotations

import re

from ._errors import MemoryEstimateError

_UNITS = {
    "": 1,
    "b": 1,
    "k": 2**10,
    "kb": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "t": 2**40,
    "tb": 2**40,
}
TILE_BYTES = 32 * 2**20


def parse_size(text) -> int:
    """Bytes from a number or a string like ``"4GB"``, ``"512M"`` (binary units)."""
    if isinstance(text, (int, float)):
        return int(text)
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise MemoryEstimateError(f"cannot read memory size {text!r}; write e.g. 4GB or 512MB")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def available_bytes() -> int:
    """MemAvailable from /proc/meminfo (Linux), else a conservative 4 GiB."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 2**30


def tile_columns(M: int, requested=None) -> int:
    """Feature columns per tile: a 32 MiB tile, between 64 and 65536 columns."""
    if requested:
        return max(1, int(requested))
    return int(max(64, min(65536, TILE_BYTES // (8 * max(M, 1)))))


def estimate(M: int, N: int, D: int, *, solver: str, infinite_radial: bool, nb: int) -> int:
    """Peak bytes of a fit with M points, N features (or quadrature nodes)."""
    dense = 3 * 8 * M * M  # kernel, eigenvectors (or factor), LAPACK work
    base = 8 * (M * (D + 4) + N * (D + 4))
    if infinite_radial:
        return base + dense
    kmax = max(1, M // 4)
    low = 8 * (3 * M * kmax + (kmax + 16384 + nb) * kmax) + 8 * M * nb
    tile = 8 * M * nb
    if solver == "lowrank":
        return base + low
    if solver in ("eigh", "direct"):
        return base + dense + tile
    return base + max(low, dense + tile)


def check(est: int, max_memory=None, *, what: str) -> None:
    """Refuse (MemoryEstimateError) if ``est`` exceeds the budget."""
    budget = parse_size(max_memory) if max_memory is not None else available_bytes()
    if est > budget:
        raise MemoryEstimateError(
            f"estimated peak memory {est / 2**30:.2f} GiB for {what} exceeds the "
            f"{budget / 2**30:.2f} GiB available; use fewer points, a smaller width, "
            "solver='lowrank' or smaller tiles, or raise the budget with max_memory "
            "(CLI: --max-memory)"
        )
