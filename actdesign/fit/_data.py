"""CSV input and output for fits: strict reading, atomic writing.

Training files hold the input columns and then one target column; prediction files
hold the input columns only. A first row that does not parse as numbers is a header.
Every defect (empty file, ragged row, non-number, NaN, inf, wrong column count) is
reported with its line number and the fix.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from ..atomic import write_atomic
from ._errors import DataError


def _rows(path):
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file {path} not found; check the path")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a text CSV file") from None
    rows = [
        (i + 1, r) for i, r in enumerate(csv.reader(text.splitlines())) if any(c.strip() for c in r)
    ]
    if not rows:
        raise DataError(f"{path} is empty; it needs one row per point")
    return path, rows


def _parse(path, rows):
    """Numbers of all rows (first row dropped if it is a header)."""
    first = rows[0][1]
    if not all(_is_number(c) for c in first):
        rows = rows[1:]
        if not rows:
            raise DataError(f"{path} has a header but no data rows")
    width = len(rows[0][1])
    out = np.empty((len(rows), width))
    for k, (line, row) in enumerate(rows):
        if len(row) != width:
            raise DataError(
                f"{path} line {line}: {len(row)} columns, expected {width} "
                "(every row needs the same number of columns)"
            )
        for c, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise DataError(
                    f"{path} line {line} column {c + 1}: {cell.strip()!r} is not a number"
                ) from None
            if not math.isfinite(v):
                raise DataError(
                    f"{path} line {line} column {c + 1}: {cell.strip()} is not finite; "
                    "remove or impute such rows"
                )
            out[k, c] = v
    return out


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def read_training_csv(path):
    """(X, y) from a CSV with input columns then one target column."""
    path, rows = _rows(path)
    A = _parse(path, rows)
    if A.shape[1] < 2:
        raise DataError(
            f"{path} has {A.shape[1]} column; a training file needs input columns "
            "and a last target column"
        )
    return A[:, :-1], A[:, -1]


def read_inputs_csv(path, n_inputs: int):
    """X from a CSV with exactly ``n_inputs`` columns."""
    path, rows = _rows(path)
    A = _parse(path, rows)
    if A.shape[1] != n_inputs:
        raise DataError(
            f"{path} has {A.shape[1]} columns but the model was fitted on "
            f"{n_inputs} input columns (prediction files hold inputs only)"
        )
    return A


def write_predictions(path, values) -> Path:
    """One prediction per line, written atomically (temporary file and rename)."""
    path = Path(path)
    values = np.asarray(values, dtype=float).ravel()
    write_atomic(path, "".join(f"{v:.17g}\n" for v in values))
    return path


def check_arrays(X, y=None):
    """Validated float arrays (X 2-D, y 1-D of matching length) or DataError."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"X must be a non-empty 2-D array (points x inputs), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise DataError("X contains NaN or inf; remove or impute those points")
    if y is None:
        return np.ascontiguousarray(X)
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise DataError(
            f"y must be 1-D with one target per point: X has {X.shape[0]} points, "
            f"y has shape {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        raise DataError("y contains NaN or inf; remove or impute those points")
    return np.ascontiguousarray(X), np.ascontiguousarray(y)
