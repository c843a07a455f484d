"""Reading samples from CSV files: columns x,f (1-D) or x,y,f (2-D), optional header row."""

from __future__ import annotations

import numpy as np

from ..infra._errors import DataError
from ..infra.files._csv import read_table
from ._transform import sample_spectrum

UNIFORM_RTOL = 1e-9
HINT = "give a CSV with columns x,f or x,y,f"


def read_csv(path):
    """(points, values) from a CSV file; points has shape (N,) or (N, 2).

    Raises
    ------
    DataError
        Missing file, wrong column count, non-numeric or non-finite entries, fewer than 2 rows.
    """
    a = read_table(path, hint=HINT)
    if a.shape[0] < 2 or a.shape[1] not in (2, 3):
        raise DataError(f"{path}: need at least 2 rows of 2 (x,f) or 3 (x,y,f) numeric columns")
    return (a[:, 0] if a.shape[1] == 2 else a[:, :2]), a[:, -1]


def _uniform_axis(x):
    xs = np.sort(x)
    d = np.diff(xs)
    return xs.size > 1 and d[0] > 0 and np.allclose(d, d[0], rtol=UNIFORM_RTOL, atol=0)


def data_spectrum(points, values, *, domain=None, window="box", pad=None, unit="angular"):
    """Spectrum of samples as read by `read_csv`: FFT for uniform grids, NUFFT otherwise.

    A uniform 1-D grid (or full 2-D tensor grid) is treated as cell-centred, so its default
    domain extends half a spacing beyond the outer samples.
    """
    if points.ndim == 1:
        if _uniform_axis(points):
            order = np.argsort(points)
            h = (points[order][1] - points[order][0]) / 2
            dom = domain or (points.min() - h, points.max() + h)
            if domain is None or np.allclose(domain, dom, rtol=1e-9, atol=1e-12):
                return sample_spectrum(values[order], domain=dom, window=window, pad=pad, unit=unit)
        return sample_spectrum(values, x=points, domain=domain, window=window, pad=pad, unit=unit)
    grid = _tensor_grid(points, values)
    if grid is not None and domain is None:
        xs, ys, v = grid
        hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
        dom = ((xs[0] - hx, xs[-1] + hx), (ys[0] - hy, ys[-1] + hy))
        return sample_spectrum(v, domain=dom, window=window, pad=pad, unit=unit)
    return sample_spectrum(values, x=points, domain=domain, window=window, pad=pad, unit=unit)


def _tensor_grid(points, values):
    xs, ys = np.unique(points[:, 0]), np.unique(points[:, 1])
    if xs.size * ys.size != points.shape[0] or xs.size < 2 or ys.size < 2:
        return None
    if not (_uniform_axis(xs) and _uniform_axis(ys)):
        return None
    ix, iy = np.searchsorted(xs, points[:, 0]), np.searchsorted(ys, points[:, 1])
    v = np.full((xs.size, ys.size), np.nan)
    v[ix, iy] = values
    return None if np.isnan(v).any() else (xs, ys, v)
