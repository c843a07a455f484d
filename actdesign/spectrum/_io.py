"""Reading samples from CSV files: columns x,f (1-D) or x,y,f (2-D), optional header row."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._errors import ActdesignError
from ._transform import sample_spectrum

UNIFORM_RTOL = 1e-9


def read_csv(path):
    """(points, values) from a CSV file; points has shape (N,) or (N, 2).

    Raises
    ------
    ActdesignError
        Missing file, wrong column count, non-numeric or non-finite entries, fewer than 2 rows.
    """
    path = Path(path)
    if not path.is_file():
        raise ActdesignError(f"data file {path} not found; give a CSV with columns x,f or x,y,f")
    try:
        lines = [ln.strip() for ln in path.read_text().splitlines()]
    except UnicodeDecodeError:
        raise ActdesignError(f"{path} is not a text CSV file; give columns x,f or x,y,f") from None
    rows = [ln for ln in lines if ln and not ln.startswith("#")]
    if rows and not _numeric(rows[0]):
        rows = rows[1:]  # a header row
    table = []
    for i, ln in enumerate(rows, 1):
        cells = ln.split(",")
        if not _numeric(ln):
            raise ActdesignError(
                f"{path}: data row {i} is not numeric ({ln[:40]!r}); use columns x,f or x,y,f"
            )
        table.append([float(c) for c in cells])
    widths = {len(r) for r in table}
    if len(table) < 2 or len(widths) != 1 or widths.pop() not in (2, 3):
        raise ActdesignError(
            f"{path}: need at least 2 rows of 2 (x,f) or 3 (x,y,f) numeric columns"
        )
    a = np.array(table)
    if not np.all(np.isfinite(a)):
        r = int(np.flatnonzero(~np.all(np.isfinite(a), axis=1))[0]) + 1
        raise ActdesignError(f"{path}: data row {r} holds NaN or inf; remove or fill it")
    return (a[:, 0] if a.shape[1] == 2 else a[:, :2]), a[:, -1]


def _numeric(line):
    try:
        [float(c) for c in line.split(",")]
    except ValueError:
        return False
    return True


def _uniform_axis(x):
    xs = np.sort(x)
    d = np.diff(xs)
    return xs.size > 1 and d[0] > 0 and np.allclose(d, d[0], rtol=UNIFORM_RTOL, atol=0)


def data_spectrum(points, values, *, domain=None, window="box", pad=None, unit="angular"):
    """Spectrum of samples as read by :func:`read_csv`: FFT for uniform grids, NUFFT otherwise.

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
