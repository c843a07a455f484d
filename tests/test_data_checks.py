"""Data that cannot define a fit (issue 18): too few rows, repeated x with different y,
magnitudes that overflow; shared by fit, swim, adaptive and choose (actdesign.infra._data_checks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign.fit as F
from actdesign.infra._data_checks import DataWarning, magnitude_limit
from actdesign.infra._errors import DataError
from actdesign.init.swim import SampledMLP

# x = 0.3 twice with y = 1 and 2: the least-squares value there is their mean, 1.5
X_DUP = np.array([0.0, 0.3, 0.3, 0.7, 1.0])[:, None]
Y_DUP = np.array([0.0, 1.0, 2.0, 0.5, 0.2])
LSQ = np.array([0.0, 1.5, 1.5, 0.5, 0.2])


def _csv(path, rows):
    path.write_text("x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in rows))
    return str(path)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_refusal(r, *needles):
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actdesign: error:"), r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


# --- too few rows ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["fit", "--activation", "relu(z)", "--width", "50"],
        ["swim", "--widths", "20"],
        ["adaptive", "--width", "8", "--epochs", "5"],
    ],
)
def test_one_row_is_refused_by_every_fitting_command(tmp_path, command):
    data = _csv(tmp_path / "one.csv", [(0.5, 1.0)])
    r = _cli(*command, "--data", data)
    _one_line_refusal(r, "at least 2 training rows", "1 sample")


def test_one_row_refused_in_python_with_scikit_learn_wording():
    # check_estimator's check_fit2d_1sample accepts a ValueError naming "1 sample"
    with pytest.raises(DataError, match="1 sample"):
        F.RadonSplineRegressor("relu(z)", width=50).fit([[0.5]], [1.0])
    assert issubclass(DataError, ValueError)


def test_rows_sharing_one_x_are_refused():
    X = np.full((4, 1), 0.25)
    with pytest.raises(DataError, match="all 4 rows share one x"):
        F.RadonSplineRegressor("relu(z)", width=50).fit(X, [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="share one x"):
        SampledMLP([10]).fit(X, np.arange(4.0))


# --- repeated x with different y: least squares, with a warning ---------------------------
@pytest.mark.parametrize("width", [200, np.inf])
@pytest.mark.parametrize("solver", ["eigh", "lowrank", "direct"])
def test_fit_takes_the_mean_at_a_repeated_x_and_warns(width, solver):
    model = F.RadonSplineRegressor("relu(z)", width=width, solver=solver, seed=0)
    with pytest.warns(DataWarning, match="2 rows repeat an x with different y"):
        model.fit(X_DUP, Y_DUP)
    # the pseudo-inverse drops singular values below rcond (relative): the fit is the
    # least-squares one to that relative accuracy
    tol = model.rcond_ * np.max(np.abs(Y_DUP))
    np.testing.assert_allclose(model.predict(X_DUP), LSQ, rtol=0, atol=tol)


def test_swim_takes_the_mean_at_a_repeated_x_and_keeps_its_neurons():
    net = SampledMLP([20], seed=0)
    with pytest.warns(DataWarning, match="SWIM fits them in the least-squares sense"):
        net.fit(X_DUP, Y_DUP)
    # the repeated pair has no direction: it used to take nearly all the pair density
    # (|dy| / eps) and give neurons with w = 0 (train RMSE 0.83 instead of 0.354)
    assert np.all(np.abs(net.weights_[0]) > 0)
    tol = net.rcond * np.max(np.abs(Y_DUP)) * len(Y_DUP)
    np.testing.assert_allclose(net.predict(X_DUP), LSQ, rtol=0, atol=tol)
    rmse = np.sqrt(np.mean((net.predict(X_DUP) - Y_DUP) ** 2))
    assert abs(rmse - np.sqrt(0.5 / 5)) <= tol  # residuals +-0.5 at the pair, 0 elsewhere


def test_repeats_with_equal_targets_are_not_reported():
    X = np.array([0.0, 0.3, 0.3, 1.0])[:, None]
    y = np.array([0.0, 1.0, 1.0, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        F.RadonSplineRegressor("relu(z)", width=50, seed=0).fit(X, y)
        SampledMLP([10]).fit(X, y)


def test_adaptive_warns_about_repeated_x():
    from actdesign.adaptive import TrainConfig, train

    with pytest.warns(DataWarning, match="adaptive training fits them"):
        train(X_DUP, Y_DUP, TrainConfig(width=8, epochs=3, record_every=1))


def test_cli_prints_the_warning_as_one_line(tmp_path):
    data = _csv(tmp_path / "dup.csv", zip(X_DUP[:, 0], Y_DUP, strict=True))
    # a subprocess: pytest captures warnings in-process before any formatting is seen
    r = subprocess.run(
        [sys.executable, "-m", "actdesign_cli.main", "swim", "--data", data, "--widths", "20",
         "--json"],
        capture_output=True, text=True, env={**os.environ, "ACTDESIGN_PROGRESS": "0"},
    )
    assert r.returncode == 0, r.stderr
    warn = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(warn) == 1 and warn[0].startswith("actdesign: warning: 2 rows repeat"), warn
    with warnings.catch_warnings():
        warnings.simplefilter("always", DataWarning)  # pytest's config makes it an error
        r = _cli("fit", "--data", data, "--activation", "relu(z)", "--width", "50", "--json")
    assert r.exit_code == 0, r.output
    notes = json.loads(r.stdout)["notes"]
    assert any("2 rows repeat an x with different y" in n for n in notes)


# --- magnitudes that overflow -------------------------------------------------------------
def test_swim_with_huge_inputs_is_a_data_error_not_linalgerror(tmp_path):
    X = np.array([[-1e308], [0.0], [1e308]])
    y = np.array([0.0, 1.0, 0.0])
    with pytest.raises(DataError, match="rescale"):
        SampledMLP([10]).fit(X, y)
    with pytest.raises(DataError, match="rescale"):
        F.RadonSplineRegressor("relu(z)", width=50).fit(X, y)
    r = _cli("swim", "--data", _csv(tmp_path / "big.csv", zip(X[:, 0], y, strict=True)),
             "--widths", "10")
    _one_line_refusal(r, "X (inputs)", "1e+308", "rescale")


def test_huge_targets_are_refused():
    X = np.linspace(0, 1, 6)[:, None]
    y = np.array([0.0, 1e308, 0.0, 1.0, 0.0, 1.0])
    with pytest.raises(DataError, match=r"y \(targets\)"):
        F.RadonSplineRegressor("relu(z)", width=50).fit(X, y)


def test_inputs_just_inside_the_limit_still_fit():
    # the limit comes from 4 M D max|x|^2 < float max; just inside it ReLU fits and SWIM
    # interpolate as well as on unit-scale data (errors relative to the same fit at scale 1)
    M = 6
    y = np.sin(np.arange(M, dtype=float))
    unit = np.linspace(-1, 1, M)[:, None]
    big = 0.9 * magnitude_limit(M, 1) * unit
    for make in (
        lambda: F.RadonSplineRegressor("relu(z)", width=100, seed=0),
        lambda: F.RadonSplineRegressor("relu(z)", width=np.inf),
        lambda: SampledMLP([50], seed=0),
    ):
        ref = np.max(np.abs(make().fit(unit, y).predict(unit) - y))
        err = np.max(np.abs(make().fit(big, y).predict(big) - y))
        eps = np.finfo(float).eps
        assert np.isfinite(err) and err <= 10 * ref + 10 * M * eps, (err, ref)
