"""Pack a Tabulation into the bucket layout that generated code reads without a search.

|z| is cut into buckets that are read off the bits of the float: [0, 2^e_min) is one
bucket, and the octave [2^e, 2^(e+1)) (e = e_min + i) is cut into 2^bits[i] equal
buckets, i.e. by the leading bits[i] bits of the mantissa. Bucket g of the global
numbering (negative z first) maps to one row [left end, 1/width, a_0, ..., a_d]
holding the table's polynomial re-expanded about the bucket's left end in the unit
variable u = (z - left end)/width, so evaluation is a gather and Horner in u; scaling
by the width keeps every coefficient near the size of phi, which float32 needs for the
tiny buckets near 0. The re-expansion is exact (up to rounding): the packed function
is the Tabulation itself.

A knot that does not fall on a bucket edge (a design's own grid, or a kink) splits its
bucket: the layout then has two rows per bucket and ``splits[g]`` is that knot
(+inf where there is none). Bucket resolutions are chosen per octave so that no bucket
holds more than one knot.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from ..tabulate._tabulation import Tabulation
from ..tabulate._tail import TailLaw

E_FLOOR = -120  # float32 normal numbers reach 2^-126
MAX_BITS = 16
ON_EDGE_SLACK = 3  # accept up to 2^3 times more buckets to avoid splits


class LayoutError(ValueError):
    """The table's knots are too close together for the bucket layout."""


@dataclass(frozen=True, eq=False)
class Layout:
    """A Tabulation as buckets and rows (see the module docstring)."""

    lo: float
    hi: float
    e_min: int
    bits: tuple
    rows: np.ndarray
    splits: np.ndarray | None
    left: TailLaw
    right: TailLaw

    @property
    def degree(self) -> int:
        return self.rows.shape[1] - 3

    @property
    def n_side(self) -> int:
        return 1 + sum(2**b for b in self.bits)


def pack(tab: Tabulation) -> Layout:
    """The layout of ``tab``; raises `LayoutError` if its knots are too dense."""
    x = tab.knots
    mags = np.abs(x[x != 0])
    e_min = max(int(np.floor(np.log2(mags.min()))), E_FLOOR) if mags.size else 0
    e_max = max(int(np.floor(np.log2(mags.max()))) + 1, e_min + 1) if mags.size else 1
    bits = tuple(_octave_bits(x, e) for e in range(e_min, e_max))
    lo_edges, hi_edges = _bucket_edges(e_min, bits)
    _check_core(x, lo_edges[1])
    # global numbering: negative side backwards (bucket n_side-1 ... 0), then positive side
    left = np.concatenate([-hi_edges[::-1], lo_edges])
    right = np.concatenate([-lo_edges[::-1], hi_edges])
    splits = _splits(x, left, right)
    if np.all(np.isinf(splits)):
        rows = _rows(tab, left, right)
        return Layout(float(x[0]), float(x[-1]), e_min, bits, rows, None, tab.left, tab.right)
    has = ~np.isinf(splits)
    rows = np.empty((2 * left.size, tab.coeffs.shape[1] + 2))
    rows[0::2] = _rows(tab, left, np.where(has, splits, right))
    rows[1::2] = rows[0::2]  # unused duplicate where the bucket holds no knot
    rows[1::2][has] = _rows(tab, splits[has], right[has])
    return Layout(float(x[0]), float(x[-1]), e_min, bits, rows, splits, tab.left, tab.right)


def _octave_bits(x, e):
    """Buckets per octave: knots on edges if cheap, else at most one knot per bucket."""
    m = np.abs(x)
    q = (m[(m >= 2.0**e) & (m < 2.0 ** (e + 1))] / 2.0**e - 1)  # position in the octave, [0, 1)
    signs = np.sign(x[(m >= 2.0**e) & (m < 2.0 ** (e + 1))])
    minimal = None
    for b in range(MAX_BITS + 1):
        pos = q * 2**b
        on_edge = pos == np.floor(pos)
        if minimal is None:
            inside = ~on_edge
            keys = np.stack([signs[inside], np.floor(pos[inside])], axis=1)
            if keys.shape[0] == np.unique(keys, axis=0).shape[0]:
                minimal = b
        if np.all(on_edge) and (minimal is None or b <= minimal + ON_EDGE_SLACK):
            return b
        if minimal is not None and b >= minimal + ON_EDGE_SLACK:
            return minimal
    if minimal is None:
        raise LayoutError(f"table knots near |z| = 2^{e} are closer than 2^{e - MAX_BITS}; "
                          "re-tabulate with fewer knots")
    return minimal


def _bucket_edges(e_min, bits):
    """[lo, hi) of the buckets of |z|, in bucket order."""
    lo, hi = [0.0], [2.0**e_min]
    for i, b in enumerate(bits):
        e = e_min + i
        j = np.arange(2**b)
        lo.extend(2.0**e * (1 + j / 2**b))
        hi.extend(2.0**e * (1 + (j + 1) / 2**b))
    return np.array(lo), np.array(hi)


def _check_core(x, edge):
    for side in (x[(x > 0) & (x < edge)], x[(x < 0) & (x > -edge)]):
        if side.size > 1:
            raise LayoutError(f"more than one table knot below |z| = {edge:g}; re-tabulate")


def _splits(x, left, right):
    """The knot strictly inside each bucket, +inf where there is none."""
    i = np.searchsorted(x, left, side="right")
    inside = (i < x.size) & (x[np.minimum(i, x.size - 1)] < right)
    return np.where(inside, x[np.minimum(i, x.size - 1)], np.inf)


def _rows(tab, left, right):
    """Rows [left, 1/width, a_0..a_d] of the piece covering each interval, in u = (z-left)/width.

    An interval outside the table gets the line tangent to the table at its nearest end:
    the tails replace it there, except at that end itself (z = LO or z = HI exactly).
    """
    x, c = tab.knots, tab.coeffs
    mid = 0.5 * (left + right)
    i = np.clip(np.searchsorted(x, mid, side="right") - 1, 0, c.shape[0] - 1)
    delta = left - x[i]
    d = c.shape[1] - 1
    shifted = np.zeros((left.size, d + 1))
    for j in range(d + 1):  # sum_j c_j (t + delta)^j = sum_k [sum_j C(j,k) c_j delta^(j-k)] t^k
        for k in range(j + 1):
            shifted[:, k] += comb(j, k) * c[i, j] * delta ** (j - k)
    width = right - left
    scaled = shifted * width[:, None] ** np.arange(d + 1)
    outside = (mid < x[0]) | (mid > x[-1])
    if np.any(outside):
        edge = np.clip(mid[outside], x[0], x[-1])
        value, slope = tab(edge), tab(edge, 1)
        scaled[outside] = 0.0
        scaled[outside, 0] = value + slope * (left[outside] - edge)
        if d >= 1:
            scaled[outside, 1] = slope * width[outside]
    return np.column_stack([left, 1.0 / width, scaled])
