"""`actdesign fit`: kernel-regime fit of a shallow network to CSV data (any width)."""

from __future__ import annotations

import math
import resource
import warnings

import click

import actdesign

from ._common import emit_json, fail, json_option, user_errors
from ._options import (
    RADIUS,
    WIDTH,
    activation_options,
    check_output_files,
    check_predict,
    data_option,
    force_option,
    positive,
    predict_options,
    resolve_activation,
    seed_option,
)


@click.command()
@data_option()
@activation_options(penalty=True)
@click.option(
    "--width",
    type=WIDTH,
    default="1000",
    show_default=True,
    help="Hidden neurons N, or inf for the infinite-width kernel.",
)
@click.option(
    "--sampling",
    type=click.Choice(["uniform", "gaussian", "swim"]),
    default="uniform",
    show_default=True,
    help="Law of the hidden neurons.",
)
@click.option(
    "--radius",
    type=RADIUS,
    default=None,
    help="R of the uniform law (default: max |x| of the data; inf needs --width inf).",
)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    callback=positive,
    help="|w| of every neuron under the uniform law.",
)
@click.option(
    "--weight-std",
    type=float,
    default=1.0,
    show_default=True,
    callback=positive,
    help="sigma_w of the Gaussian law (w ~ N(0, sigma_w^2 I)).",
)
@click.option(
    "--bias-std",
    type=float,
    default=1.0,
    show_default=True,
    callback=positive,
    help="sigma_b of the Gaussian law (b ~ N(0, sigma_b^2)).",
)
@click.option(
    "--swim-scales",
    type=click.Choice(["relu", "tanh"]),
    default="relu",
    show_default=True,
    help="SWIM constants (s1, s2).",
)
@click.option(
    "--train",
    type=click.Choice(["mu", "v"]),
    default="mu",
    show_default=True,
    help="Trained coordinate: Radon-spline mu or standard v.",
)
@click.option(
    "--ridge",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Ridge lambda on the normalised kernel (0: minimum-norm interpolation).",
)
@click.option(
    "--rcond",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=1e-6,
    show_default=True,
    help="Relative singular-value cutoff of the weighted features.",
)
@click.option(
    "--solver",
    type=click.Choice(["auto", "eigh", "lowrank", "direct", "nystrom"]),
    default="auto",
    show_default=True,
    help="Factorisation route; nystrom: FALKON (centres, preconditioned CG, memory "
    "O(M + m^2)); auto picks nystrom where the dense path exceeds the memory budget.",
)
@click.option(
    "--centres",
    type=click.IntRange(min=1),
    default=None,
    help="Nystrom centres m (default: 10 sqrt(M) within [1000, 10000]).",
)
@click.option(
    "--centre-sampling",
    type=click.Choice(["uniform", "leverage"]),
    default="uniform",
    show_default=True,
    help="Nystrom centres: uniform subsample or approximate ridge leverage scores.",
)
@click.option(
    "--cg-tol",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=1e-7,
    show_default=True,
    help="Nystrom: stop CG at this residual relative to the initial one.",
)
@click.option(
    "--cg-maxiter",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Nystrom: at most this many CG iterations.",
)
@click.option(
    "--block-precision",
    type=click.Choice(["float64", "float32"]),
    default="float64",
    show_default=True,
    help="Nystrom: kernel blocks in float32 (sums in float64) or float64.",
)
@seed_option()
@click.option(
    "--device",
    type=click.Choice(["cpu", "gpu"]),
    default="cpu",
    show_default=True,
    help="gpu needs cupy and a CUDA device.",
)
@click.option("--tile", type=click.IntRange(min=1), default=None, help="Feature columns per tile.")
@click.option(
    "--max-memory", default=None, help="Memory budget, e.g. 8GB (default: available memory)."
)
@predict_options
@force_option
@json_option
@user_errors
def fit(
    data,
    penalty,
    shape,
    expr,
    spec,
    width,
    sampling,
    radius,
    scale,
    weight_std,
    bias_std,
    swim_scales,
    train,
    ridge,
    rcond,
    solver,
    centres,
    centre_sampling,
    cg_tol,
    cg_maxiter,
    block_precision,
    seed,
    device,
    tile,
    max_memory,
    predict_path,
    out_path,
    force,
    as_json,
):
    """Fit a shallow network in the kernel regime to the --data CSV (inputs, then target).

    Hidden neurons are frozen at their initial law; the output coordinate is trained
    to the minimum-norm (or ridge) solution. Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz.
    """
    from actdesign import fit as F

    check_predict(predict_path, out_path)
    check_output_files(out_path, force=force)  # before the fit, not after it
    if radius is not None and math.isinf(radius) and not math.isinf(width):
        fail("--radius inf needs --width inf (a finite sample cannot be uniform on the real line)")
    X, y = F.read_training_csv(data)
    Xp = F.read_inputs_csv(predict_path, X.shape[1]) if predict_path else None
    act = resolve_activation(expr, spec, penalty, shape, X.shape[1], with_penalty=True)
    model = F.RadonSplineRegressor(
        act,
        width=width,
        law=sampling,
        radius=radius,
        scale=scale,
        weight_std=weight_std,
        bias_std=bias_std,
        swim_scales=swim_scales,
        train=train,
        ridge=ridge,
        rcond=rcond,
        solver=solver,
        seed=seed,
        device=device,
        tile=tile,
        max_memory=max_memory,
        centres=centres,
        nystrom=dict(
            sampling=centre_sampling, tol=cg_tol, maxiter=cg_maxiter, precision=block_precision
        ),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", F.LowRankWarning)
        model.fit(X, y)
        pred = model.predict(Xp) if Xp is not None else None
    written = str(F.write_predictions(out_path, pred)) if pred is not None else None
    notes = list(dict.fromkeys(model.notes_ + [str(w.message) for w in caught]))
    record = _record(model, X, act, notes, written)
    if as_json:
        emit_json(record)
    else:
        _print(record)


def _record(model, X, act, notes, written):
    rusage = resource.getrusage(resource.RUSAGE_SELF)
    width = model.width_
    law = model.law_
    return {
        "train_rmse": model.train_rmse_,
        "coef_norm": model.coef_norm_,
        "rank": model.rank_,
        "ridge": model.ridge_,
        "rcond": model.rcond_,
        "width": "inf" if math.isinf(width) else int(width),
        "seconds": model.seconds_,
        "peak_memory_mb": rusage.ru_maxrss / 1024.0,
        "points": int(X.shape[0]),
        "inputs": int(X.shape[1]),
        "activation": act.name if act.phi is None else str(act.phi),
        "route": model.route_,
        "solver": model.solver_,
        "sampling": law.name,
        "radius": _radius(law),
        "train": model.train,
        "degree": model.degree_,
        "predictions": written,
        "nystrom": _nystrom(model),
        "notes": notes,
        "convention": actdesign.CONVENTION,
    }


def _nystrom(model):
    """The Nystrom solver's report (None for the other solvers)."""
    rep = getattr(model, "nystrom_", None)
    if model.solver_ != "nystrom" or rep is None:
        return None
    return {k: v for k, v in rep.items() if k != "seconds"} | {"seconds": dict(rep["seconds"])}


def _radius(law):
    r = getattr(law, "radius", None)
    if r is None:
        return None
    return "inf" if math.isinf(r) else float(r)


def _print(rec):
    click.echo(
        f"fit: {rec['points']} points in {rec['inputs']}-D, width {rec['width']}, "
        f"{rec['sampling']} law" + (f" (R = {rec['radius']})" if rec["radius"] is not None else "")
    )
    click.echo(
        f"activation: {rec['activation']}  [{rec['route']}], trained coordinate {rec['train']}"
    )
    click.echo(f"train RMSE: {rec['train_rmse']:.6g}")
    click.echo(f"coef norm: {rec['coef_norm']:.6g}")
    click.echo(
        f"rank: {rec['rank']} (solver {rec['solver']}, rcond {rec['rcond']:g}, "
        f"ridge {rec['ridge']:g})"
    )
    ny = rec["nystrom"]
    if ny:
        click.echo(
            f"nystrom: {ny['centres']} centres ({ny['sampling']}), CG "
            f"{'converged' if ny['converged'] else 'NOT converged'} in {ny['iterations']} "
            f"iterations, residual {ny['residual']:.2g} (tol {ny['tol']:g})"
        )
    click.echo(f"time: {rec['seconds']:.3f} s, peak memory {rec['peak_memory_mb']:.0f} MB")
    if rec["predictions"]:
        click.echo(f"predictions: {rec['predictions']}")
    for n in rec["notes"]:
        click.echo(f"note: {n}", err=True)
    click.echo(f"convention: {rec['convention']}")
