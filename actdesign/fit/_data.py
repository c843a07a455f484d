"""CSV input and output for fits (strict reading and atomic writing: actdesign.infra.files._csv).

Training files hold the input columns and then one target column; prediction files
hold the input columns only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..infra.files._csv import read_table, write_column
from ._errors import DataError


def read_training_csv(path):
    """(X, y) from a CSV with input columns then one target column."""
    A = read_table(path)
    if A.shape[1] < 2:
        raise DataError(
            f"{path} has {A.shape[1]} column; a training file needs input columns "
            "and a last target column"
        )
    return A[:, :-1], A[:, -1]


def read_inputs_csv(path, n_inputs: int):
    """X from a CSV with exactly ``n_inputs`` columns."""
    A = read_table(path)
    if A.shape[1] != n_inputs:
        raise DataError(
            f"{path} has {A.shape[1]} columns but the model was fitted on "
            f"{n_inputs} input columns (prediction files hold inputs only)"
        )
    return A


def write_predictions(path, values) -> Path:
    """One prediction per line, written atomically (temporary file and rename)."""
    return write_column(path, values)


def _real_array(a, name):
    """A float array; sparse and complex data are refused (the cast would densify a
    sparse matrix into an object array or silently drop imaginary parts)."""
    if hasattr(a, "toarray") or type(a).__module__.startswith("scipy.sparse"):
        raise DataError(
            f"{name} is a sparse matrix: sparse input is not supported; "
            f"pass a dense array ({name}.toarray())"
        )
    a = np.asarray(a)
    if np.iscomplexobj(a):
        raise DataError(
            f"Complex data not supported: {name} holds complex numbers; pass real values"
        )
    return np.asarray(a, dtype=float)


def check_arrays(X, y=None):
    """Validated float arrays (X 2-D, y 1-D of matching length) or DataError."""
    X = _real_array(X, "X")
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim == 2 and X.shape[0] > 0 and X.shape[1] == 0:  # scikit-learn's wording
        raise DataError(
            f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required; "
            "pass at least one input column"
        )
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"X must be a non-empty 2-D array (points x inputs), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise DataError("X contains NaN or inf; remove or impute those points")
    if y is None:
        return np.ascontiguousarray(X)
    y = _real_array(y, "y")
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
