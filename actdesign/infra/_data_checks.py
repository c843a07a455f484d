"""Checks that training data can define a fit: shared by fit, swim, adaptive and choose.

Readers (actdesign.infra.files._csv, fit._data.check_arrays) already refuse what is not a finite
number table. This module refuses tables that are numbers but cannot define a fit, and
says what it does with repeated points:

* too few rows: a fit needs at least 2 rows with distinct x;
* magnitudes that overflow: the fits form squared distances ``|x - x'|^2`` and norms
  summed over the M points and D columns (data radius, pair distances, kernels of ReLU
  features), which must stay below the float64 maximum: ``4 M D max|x|^2 < max``; the
  targets enter residual sums of squares: ``M max|y|^2 < max`` (swim at |x| = 1e308 ended
  in LinAlgError, and ReLU fits on 6 points fail between |x| = 1e150 and 1e160, where
  the first bound puts the limit at 2.7e153);
* inconsistent duplicates (the same x with different y): no function passes through
  both, so the fit is the least-squares one. Every command here already computes that
  (pseudo-inverses, lstsq and gradient descent on squared loss all give the mean of the
  targets at a repeated x when the rest is interpolated); refusing would reject noisy
  repeated measurements, which are ordinary data. A `DataWarning` says so.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._errors import DataError

FLOAT_MAX = float(np.finfo(np.float64).max)
MIN_ROWS = 2


class DataWarning(UserWarning):
    """The data were fitted, but not as given (repeated x with different y)."""


def magnitude_limit(rows: int, columns: int = 1, spread: float = 4.0) -> float:
    """Largest |value| whose squares (times ``spread``: 4 for squared differences of two
    points), summed over ``rows`` x ``columns``, stay finite in float64."""
    return float(np.sqrt(FLOAT_MAX / (spread * max(rows, 1) * max(columns, 1))))


def check_training(X, y, *, what: str = "a fit", min_rows: int = MIN_ROWS):
    """Refuse (DataError) data that cannot define a fit; warn about repeated x.

    Parameters
    ----------
    X : ndarray (M, D)
        Inputs, already finite floats (see ``fit._data.check_arrays``).
    y : ndarray (M,) or (M, K)
        Targets, already finite floats.
    what : str
        The command or model, for messages (``"SWIM"``, ``"adaptive training"``).
    min_rows : int
        Fewest distinct rows accepted.

    Returns
    -------
    X, y
        Unchanged.
    """
    M, D = X.shape
    if M < min_rows:
        raise DataError(
            f"{what} needs at least {min_rows} training rows, got {M} sample"
            f"{'' if M == 1 else 's'}; add data points"
        )
    _check_magnitude(X, "X (inputs)", magnitude_limit(M, D), "squared distances")
    Y = y.reshape(M, -1)
    _check_magnitude(Y, "y (targets)", magnitude_limit(M, Y.shape[1], 1.0), "sums of squares")
    _check_duplicates(X, Y, what, min_rows)
    return X, y


def _check_magnitude(A, name, limit, what) -> None:
    top = float(np.max(np.abs(A))) if A.size else 0.0
    if top > limit:
        raise DataError(
            f"{name} holds magnitudes up to {top:.3g}, beyond the {limit:.3g} at which the "
            f"fits' {what} overflow float64 for {A.shape[0]} rows x {A.shape[1]} columns; "
            "rescale the data, e.g. to unit standard deviation"
        )


def _check_duplicates(X, Y, what, min_rows) -> None:
    uniq, inverse = np.unique(X, axis=0, return_inverse=True)
    if uniq.shape[0] == X.shape[0]:
        return
    if uniq.shape[0] < min_rows:
        raise DataError(
            f"all {X.shape[0]} rows share one x; {what} needs at least {min_rows} "
            "distinct points"
        )
    inverse = inverse.ravel()
    lo = np.full((uniq.shape[0], Y.shape[1]), np.inf)
    hi = np.full((uniq.shape[0], Y.shape[1]), -np.inf)
    np.minimum.at(lo, inverse, Y)
    np.maximum.at(hi, inverse, Y)
    spread = np.max(hi - lo, axis=1)
    # targets equal up to rounding are the same measurement, not a conflict
    tol = 8 * np.finfo(float).eps * max(float(np.max(np.abs(Y))), np.finfo(float).tiny)
    bad = spread > tol
    if not bad.any():
        return
    rows = int(np.isin(inverse, np.flatnonzero(bad)).sum())
    worst = int(np.argmax(spread))
    x = np.array2string(uniq[worst], precision=6, separator=", ")
    warnings.warn(
        f"{rows} rows repeat an x with different y (largest spread {spread[worst]:.3g} "
        f"at x = {x}): {what} fits them in the least-squares sense (an interpolating fit "
        "takes the mean of their targets there); average or remove repeated rows to "
        "silence this",
        DataWarning,
        stacklevel=4,  # the caller of the fit that called check_training
    )
