"""`actdesign gain` and `actdesign swim`: initialisation gains and SWIM sampled networks."""

from __future__ import annotations

import time

import click
import numpy as np
from actdesign_cli._common import emit_json, fail, json_option, user_errors
from actdesign_cli._options import (
    activation_options,
    check_output_files,
    check_predict,
    data_option,
    force_option,
    predict_options,
    resolve_activation,
    seed_option,
)

from actdesign.infra.files._csv import read_table, write_column


@click.command("gain")
@activation_options()
@click.option("--c", "c", type=float, default=None,
              help="Weight scale for the fixed points (default: the gain).")
@json_option
@user_errors
def gain(expr, spec, c, as_json):
    """Second-moment gain of an activation, chi at its fixed point, and the fixed points
    of the variance map s -> sqrt(E[phi(c s Z)^2]) at weight scale c."""
    from actdesign.init import gain as compute_gain

    act = resolve_activation(expr, spec)
    g = compute_gain(act, c=c)
    if as_json:
        emit_json({"activation": act.name, **g.to_dict()})
        return
    click.echo(f"activation: {act.name}")
    click.echo(f"gain (second-moment rule, weights ~ N(0, gain^2/fan_in)): {g.gain:.10g}")
    click.echo(f"chi = gain^2 E[phi'(Z)^2] at s* = 1/gain = {g.start:.10g} (unit pre-activation "
               f"variance at c = gain): {g.chi:.10g}")
    click.echo(f"moments at Z ~ N(0,1): E[phi] = {g.mean:.10g}, E[phi^2] = {g.second:.10g}, "
               f"E[phi'^2] = {g.deriv_second:.10g}")
    click.echo(f"fixed points of s -> sqrt(E[phi(c s Z)^2]) at c = {g.c:.10g}:")
    for p in g.fixed_points:
        where = f"s* in [{p.s:.6g}, {p.s_hi:.6g}] (neutral line)" if p.kind == "line" \
            else f"s* = {p.s:.10g}"
        click.echo(f"  {where}  slope {p.slope:.6g}  {'stable' if p.stable else 'unstable'}")
    if not g.fixed_points:
        click.echo("  none in [0, 1000]")
    r = g.reached
    if r is None:
        click.echo(f"the flow from s0 = {g.start:.6g} at c = {g.c:.6g} does not settle on a "
                   "fixed point")
    else:
        at = f"[{r.s:.6g}, {r.s_hi:.6g}]" if r.kind == "line" else f"{r.s:.10g}"
        chi = "" if r.chi is None else f", chi there = {r.chi:.10g}"
        click.echo(f"the flow from s0 = {g.start:.6g} at c = {g.c:.6g} reaches s* = {at}{chi}")


@click.command("swim")
@data_option()
@click.option("--widths", default="512,512,512", show_default=True, metavar="W1,W2,...",
              help="Hidden-layer widths.")
@click.option("--schedule", default="original", show_default=True,
              metavar="ordered|original|reversed|s1,s2,...",
              help="Per-layer scale s1 (s2 = s1/2 for tanh-like activations).")
@activation_options(fallback="tanh(z)")
@seed_option(default=0)
@predict_options
@force_option
@json_option
@user_errors
def swim(data, widths, schedule, expr, spec, seed, predict_path, out_path, force, as_json):
    """Fit a SWIM sampled network (no backpropagation) and predict.

    A --predict file may carry an extra last column of targets; then the test RMSE is printed.
    """
    from actdesign.init.swim import SampledMLP

    check_predict(predict_path, out_path)
    check_output_files(out_path, force=force)  # before the fit, not after it
    predict, out = predict_path, out_path
    widths_ = _int_list(widths, "--widths")
    sched = schedule if schedule in ("ordered", "original", "reversed") \
        else _float_list(schedule, "--schedule")
    train = read_table(data)
    if train.shape[1] < 2:
        fail(f"{data}: need at least one feature column and a target column")
    X, y = train[:, :-1], train[:, -1]
    test = None
    if predict is not None:
        test = read_table(predict)
        if test.shape[1] not in (X.shape[1], X.shape[1] + 1):
            fail(f"{predict} has {test.shape[1]} columns; expected {X.shape[1]} features "
                 f"(optionally plus a target), as in {data}")
    act = resolve_activation(expr if expr or spec else "tanh(z)", spec)
    t0 = time.perf_counter()
    net = SampledMLP(widths_, activation=act, schedule=sched, seed=seed).fit(X, y)
    seconds = time.perf_counter() - t0
    result = {
        "train_rmse": _rmse(net.predict(X), y),
        "seconds": seconds,
        "widths": widths_,
        "schedule": sched,
        "s1": net.s1_,
        "s2": net.s2_,
        "activation": act.name,
        "seed": seed,
        "n_train": int(X.shape[0]),
    }
    if test is not None:
        pred = net.predict(test[:, :X.shape[1]])
        write_column(out, pred, header="prediction")
        result["predictions"] = str(out)
        if test.shape[1] == X.shape[1] + 1:
            result["test_rmse"] = _rmse(pred, test[:, -1])
    if as_json:
        emit_json(result)
        return
    click.echo(f"SWIM {widths_} {act.name}, schedule {sched}, seed {seed}: fitted "
               f"{X.shape[0]} points in {seconds:.3f} s")
    click.echo(f"s1 per layer: {np.round(net.s1_, 6).tolist()}; "
               f"s2: {np.round(net.s2_, 6).tolist()}")
    click.echo(f"train RMSE: {result['train_rmse']:.6g}")
    if "test_rmse" in result:
        click.echo(f"test RMSE: {result['test_rmse']:.6g}")
    if out is not None:
        click.echo(f"predictions written to {out}")


def _rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def _int_list(text, option):
    try:
        vals = [int(v) for v in text.split(",")]
    except ValueError:
        fail(f"{option} takes positive integers separated by commas, e.g. 512,512,512; "
             f"got {text!r}")
    if not vals or min(vals) < 1:
        fail(f"{option} takes positive integers, got {text!r}")
    return vals


def _float_list(text, option):
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        fail(f"{option} is ordered, original, reversed, or numbers separated by commas "
             f"(s1 per layer); got {text!r}")
    return vals
