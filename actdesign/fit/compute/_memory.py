"""Peak-memory estimates, checked before a fit allocates anything large."""

from __future__ import annotations

from ...infra._memory import (
    available_bytes as available_bytes,  # shared with other commands
)
from ...infra._memory import check as _check
from ...infra._memory import (
    parse_size as parse_size,
)

TILE_BYTES = 32 * 2**20


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
    """Refuse (MemoryEstimateError) if ``est`` exceeds the budget (actdesign.infra._memory)."""
    _check(
        est,
        max_memory,
        what=what,
        fix="use solver='nystrom' (CLI: --solver nystrom) or solver='lowrank' (CLI: --solver "
        "lowrank), fewer points, a smaller width or smaller tiles (CLI: --tile), or raise the "
        "budget with max_memory (CLI: --max-memory)",
    )
