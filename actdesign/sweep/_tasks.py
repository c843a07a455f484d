"""What one sweep task does, by kind. These functions run on the dask workers.

Each runner takes the task's parameters and the shared inputs (the fit's data arrays)
and returns a JSON-ready result dict; `run_task` wraps any runner so that a
failure becomes a record (``status = "error"`` and the error's one line) instead of an
exception, and the sweep goes on.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path


def run_design(params: dict, shared) -> dict:
    """Design the activation of a penalty (actdesign.design)."""
    import actdesign

    act = actdesign.design(params["penalty"], dim=params["dim"], shape=params["shape"])
    return {
        "name": act.name,
        "method": act.method,
        "max_abs_error": float(act.max_abs_error),
        "null_space": int(act.null_space),
        "phi": None if act.phi is None else str(act.phi),
        "convention": actdesign.CONVENTION,
    }


def run_fit(params: dict, shared) -> dict:
    """Fit RadonSplineRegressor to the sweep's data; score it on the test data if given."""
    import numpy as np

    import actdesign
    from actdesign import fit as F

    X, y = shared["data"]
    if "activation" in params:
        act = actdesign.from_expression(params["activation"], name=params["activation"])
    else:
        act = actdesign.design(params["penalty"], dim=X.shape[1], shape=params["shape"])
    width = math.inf if params["width"] == "inf" else params["width"]
    model = F.RadonSplineRegressor(
        act,
        width=width,
        law=params["law"],
        train=params["train"],
        ridge=params["ridge"],
        solver=params["solver"],
        seed=params["seed"],
    ).fit(X, y)
    out = {
        "train_rmse": model.train_rmse_,
        "rank": model.rank_,
        "solver": model.solver_,
        "coef_norm": model.coef_norm_,
        "route": model.route_,
        "fit_seconds": model.seconds_,
        "points": int(X.shape[0]),
        "notes": list(model.notes_),
    }
    if "test" in shared:
        Xt, yt = shared["test"]
        r = model.predict(Xt) - yt
        out["test_rmse"] = float(np.sqrt(np.mean(r * r)))
    return out


def run_gallery(params: dict, shared) -> dict:
    """Build one gallery entry as a one-entry site in ``<out>/gallery/<entry>``.

    The folder is on the worker's file system (the sweep's output folder when the
    scheduler is local).
    """
    from actdesign import gallery

    name = params["entry"]
    site = Path(shared["out"]) / "gallery" / name
    res = gallery.build(site, names=[name], jobs=1, progress=False)
    if name in res.failed:
        raise RuntimeError(res.failed[name])
    return {
        "site": str(site),
        "problems": list(res.problems.get(name, [])),
        "missing": list(res.missing.get(name, [])),
    }


RUNNERS = {"design": run_design, "fit": run_fit, "gallery": run_gallery}


def run_task(kind: str, params: dict, shared=None) -> dict:
    """The outcome of one task: status, result or error line, warnings, seconds."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = RUNNERS[kind](params, shared or {}), None
        except Exception as err:  # noqa: BLE001 - one failing task must not stop the sweep
            result, error = None, f"{type(err).__name__}: {' '.join(str(err).split())}"
    out = {"status": "ok" if error is None else "error", "result": result, "error": error}
    out["warnings"] = list(dict.fromkeys(str(w.message) for w in caught))
    out["seconds"] = time.perf_counter() - t0
    return out
