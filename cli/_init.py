"""`actdesign gain` and `actdesign swim`: initialisation gains and SWIM sampled networks."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import click
import numpy as np
from actdesign_cli._common import emit_json, fail, json_option, user_errors

import actdesign
from actdesign.atomic import atomic_path


def _activation(expr, spec):
    if (expr is None) == (spec is None):
        fail("give exactly one of --activation EXPR or --spec FILE")
    return actdesign.load(spec) if spec is not None else actdesign.from_expression(expr, name=expr)


@click.command("gain")
@click.option("--activation", "expr", metavar="EXPR", help="Activation in z, e.g. 'tanh(z)'.")
@click.option("--spec", metavar="FILE", help="Activation spec file written by `actdesign make`.")
@click.option("--c", "c", type=float, default=None,
              help="Weight scale for the fixed points (default: the gain).")
@json_option
@user_errors
def gain(expr, spec, c, as_json):
    """Second-moment gain of an activation, chi at its fixed point, and the fixed points
    of the variance map s -> sqrt(E[phi(c s Z)^2]) at weight scale c."""
    from actdesign.init import gain as compute_gain

    act = _activation(expr, spec)
    g = compute_gain(act, c=c)
    if as_json:
        emit_json({"activation": act.name, **g.to_dict()})
        return
    click.echo(f"activation: {act.name}")
    click.echo(f"gain (second-moment rule, weights ~ N(0, gain^2/fan_in)): {g.gain:.10g}")
    click.echo(f"chi = gain^2 E[phi'(Z)^2] at its fixed point q* = 1: {g.chi:.10g}")
    click.echo(f"moments at Z ~ N(0,1): E[phi] = {g.mean:.10g}, E[phi^2] = {g.second:.10g}, "
               f"E[phi'^2] = {g.deriv_second:.10g}")
    click.echo(f"fixed points of s -> sqrt(E[phi(c s Z)^2]) at c = {g.c:.10g}:")
    for p in g.fixed_points:
        where = f"s* in [{p.s:.6g}, {p.s_hi:.6g}] (neutral line)" if p.kind == "line" \
            else f"s* = {p.s:.10g}"
        click.echo(f"  {where}  slope {p.slope:.6g}  {'stable' if p.stable else 'unstable'}")
    if not g.fixed_points:
        click.echo("  none in [0, 1000]")


@click.command("swim")
@click.option("--data", "data", required=True, metavar="TRAIN.csv",
              help="Training CSV: feature columns, target in the last column.")
@click.option("--widths", default="512,512,512", show_default=True, metavar="W1,W2,...",
              help="Hidden-layer widths.")
@click.option("--schedule", default="original", show_default=True,
              metavar="ordered|original|reversed|s1,s2,...",
              help="Per-layer scale s1 (s2 = s1/2 for tanh-like activations).")
@click.option("--activation", "expr", default="tanh(z)", show_default=True, metavar="EXPR",
              help="Activation in z.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--predict", "predict", metavar="TEST.csv",
              help="CSV of feature columns (an extra last column is read as targets).")
@click.option("--out", "out", metavar="PRED.csv", help="Where to write the predictions.")
@json_option
@user_errors
def swim(data, widths, schedule, expr, seed, predict, out, as_json):
    """Fit a SWIM sampled network (no backpropagation) and predict."""
    from actdesign.init.swim import SampledMLP

    if (predict is None) != (out is None):
        fail("--predict TEST.csv and --out PRED.csv go together")
    widths_ = _int_list(widths, "--widths")
    sched = schedule if schedule in ("ordered", "original", "reversed") \
        else _float_list(schedule, "--schedule")
    train = _read_csv(data)
    if train.shape[1] < 2:
        fail(f"{data}: need at least one feature column and a target column")
    X, y = train[:, :-1], train[:, -1]
    test = None
    if predict is not None:
        test = _read_csv(predict)
        if test.shape[1] not in (X.shape[1], X.shape[1] + 1):
            fail(f"{predict} has {test.shape[1]} columns; expected {X.shape[1]} features "
                 f"(optionally plus a target), as in {data}")
    act = actdesign.from_expression(expr, name=expr)
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
        _write_predictions(out, pred)
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


def _read_csv(path) -> np.ndarray:
    """A numeric CSV (an optional header row is skipped) as a 2-D float array."""
    p = Path(path)
    if not p.is_file():
        fail(f"file not found: {path}; check the path")
    with p.open(newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    if rows and not _numeric(rows[0]):
        rows = rows[1:]  # header
    if not rows:
        fail(f"{path} has no data rows")
    width = len(rows[0])
    out = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        if len(r) != width:
            fail(f"{path}: row {i + 1} has {len(r)} columns, the first has {width}")
        try:
            out[i] = [float(c) for c in r]
        except ValueError:
            fail(f"{path}: row {i + 1} has a non-numeric value; every cell must be a number")
    if not np.all(np.isfinite(out)):
        fail(f"{path} contains NaN or infinite values; remove or impute them first")
    return out


def _numeric(row) -> bool:
    try:
        [float(c) for c in row]
    except ValueError:
        return False
    return True


def _write_predictions(path, pred) -> None:
    """Write one column 'prediction' atomically (a temporary file, then a rename)."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["prediction"])
        w.writerows([[repr(float(v))] for v in np.ravel(pred)])
