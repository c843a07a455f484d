"""`actdesign gain` and `actdesign swim` through click's test runner."""

import json
import math

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign
from actdesign.init import swim as swim_api


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_gain_json_tanh():
    r = run("gain", "--activation", "tanh(z)", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert abs(d["gain"] - 1.5925) <= 1e-4 and abs(d["chi"] - 1.178) <= 5e-4
    assert d["c"] == d["gain"]
    pts = d["fixed_points"]
    assert [set(p) >= {"s", "slope", "stable"} for p in pts] == [True, True]
    assert pts[0]["s"] == 0 and pts[0]["stable"] is False
    assert abs(pts[1]["s"] - 0.6279) <= 1e-4 and pts[1]["stable"] is True  # sqrt(E tanh^2(Z))
    assert d["convention"] == actdesign.CONVENTION


def test_gain_at_given_c_and_text_output():
    d = json.loads(run("gain", "--activation", "tanh(z)", "--c", str(5 / 3), "--json").output)
    assert abs(d["fixed_points"][1]["s"] - 0.6513) <= 1e-4
    assert abs(d["fixed_points"][1]["slope"] - 0.431) <= 5e-4
    r = run("gain", "--activation", "relu(z)")
    assert r.exit_code == 0 and "1.414213562" in r.output and "neutral line" in r.output


def test_gain_from_spec(tmp_path):
    path = actdesign.design("(1+k^2)^2").save(tmp_path / "lap.json")  # exp(-|z|)/2
    d = json.loads(run("gain", "--spec", str(path), "--json").output)
    assert abs(d["gain"] - 2 * 1.7246) <= 2e-4 and abs(d["chi"] - 1.0) <= 1e-9


@pytest.mark.parametrize("args, msg", [
    (["gain"], "exactly one of"),
    (["gain", "--activation", "tanh(z)", "--spec", "x.json"], "exactly one of"),
    (["gain", "--activation", "tanh(z"], "parse"),
    (["gain", "--activation", "__import__('os')"], "not allowed|unknown"),
    (["gain", "--spec", "/nonexistent/spec.json"], "not found"),
    (["gain", "--activation", "tanh(z)", "--c", "-1"], "c must be"),
])
def test_gain_bad_input(args, msg):
    import re

    r = run(*args)
    assert r.exit_code == 2
    assert re.search(msg, r.output) and r.output.count("\n") == 1


def _csvs(tmp_path, n=400):
    x = np.linspace(0, 1, n)
    y = np.sin(2 * np.pi * x) + 0.5 * np.sin(10 * np.pi * x)
    train = tmp_path / "train.csv"
    np.savetxt(train, np.column_stack([x, y]), delimiter=",", header="x,y", comments="")
    xt = np.random.default_rng(0).uniform(0, 1, 300)
    test = tmp_path / "test.csv"
    np.savetxt(test, np.column_stack([xt, np.sin(2 * np.pi * xt) + 0.5 * np.sin(10 * np.pi * xt)]),
               delimiter=",")
    return train, test, x, y, xt


def test_swim_json_and_predictions(tmp_path):
    train, test, x, y, xt = _csvs(tmp_path)
    out = tmp_path / "pred.csv"
    r = run("swim", "--data", str(train), "--widths", "64,64", "--schedule", "ordered",
            "--seed", "3", "--predict", str(test), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert {"train_rmse", "seconds", "widths", "schedule"} <= set(d)
    assert d["widths"] == [64, 64] and d["schedule"] == "ordered" and d["seconds"] > 0
    net = swim_api.SampledMLP([64, 64], schedule="ordered", seed=3).fit(x[:, None], y)
    pred = np.loadtxt(out, delimiter=",", skiprows=1)
    assert np.allclose(pred, net.predict(xt[:, None]), rtol=0, atol=1e-12)
    assert d["train_rmse"] == pytest.approx(math.sqrt(np.mean((net.predict(x[:, None]) - y) ** 2)))
    assert d["test_rmse"] < 0.05


def test_swim_explicit_schedule_and_text(tmp_path):
    train, _, _, _, _ = _csvs(tmp_path)
    r = run("swim", "--data", str(train), "--widths", "32,32", "--schedule", "0.5,2")
    assert r.exit_code == 0, r.output
    assert "[0.5, 2.0]" in r.output and "train RMSE" in r.output


def test_swim_bad_input(tmp_path):
    train, test, _, _, _ = _csvs(tmp_path)
    out = tmp_path / "p.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n0.1,1\n0.2,nan\n")
    cases = [
        (["--data", str(bad)], "NaN"),
        (["--data", str(train), "--widths", "64,abc"], "positive integers"),
        (["--data", str(train), "--schedule", "fast"], "ordered, original, reversed"),
        (["--data", str(train), "--schedule", "1,2"], "one per hidden layer"),
        (["--data", str(train), "--activation", "exp(-z^2)"], "not monotone"),
        (["--data", str(train), "--predict", str(test)], "go together"),
        (["--data", str(tmp_path / "missing.csv")], "not found"),
        (["--data", str(train), "--predict", str(bad), "--out", str(out)], "NaN"),
    ]
    for args, msg in cases:
        r = run("swim", *args)
        assert r.exit_code == 2 and msg in r.output, (args, r.output)
    assert not out.exists()  # nothing half-written


def test_init_imports_stay_light():
    import subprocess
    import sys

    code = ("import sys, actdesign.init, actdesign.init.swim, actdesign.init.varflow; "
            "heavy = {'torch', 'jax', 'matplotlib', 'numba', 'cupy', 'sklearn', 'scipy.optimize'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
