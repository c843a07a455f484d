"""`actdesign fit` through click's CliRunner."""

import json
import math

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner
from scipy.interpolate import CubicSpline

import actdesign

KEYS = {"train_rmse", "coef_norm", "rank", "ridge", "width", "seconds", "peak_memory_mb"}


@pytest.fixture
def files(tmp_path):
    x = np.linspace(-1, 1, 9)
    train = tmp_path / "train.csv"
    train.write_text("x,y\n" + "".join(f"{a},{np.sin(3 * a)}\n" for a in x))
    test = tmp_path / "test.csv"
    test.write_text("".join(f"{a}\n" for a in np.linspace(-0.95, 0.95, 7)))
    return tmp_path, train, test


def run(*args):
    return CliRunner().invoke(main, ["fit", *map(str, args)])


def test_json_report_and_predictions_match_the_natural_spline(files):
    tmp, train, test = files
    out = tmp / "pred.csv"
    r = run(
        "--data",
        train,
        "--activation",
        "relu(z)",
        "--width",
        "inf",
        "--radius",
        "inf",
        "--predict",
        test,
        "--out",
        out,
        "--json",
    )
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert KEYS <= set(rec) and rec["width"] == "inf" and rec["rank"] == 9
    assert rec["convention"] == actdesign.CONVENTION
    pred = np.loadtxt(out)
    x = np.linspace(-1, 1, 9)
    ref = CubicSpline(x, np.sin(3 * x), bc_type="natural")(np.linspace(-0.95, 0.95, 7))
    assert np.allclose(pred, ref, atol=1e-8)


def test_text_report_finite_width_and_spec(files, tmp_path):
    _, train, _ = files
    spec = actdesign.from_expression("1/(1+z^2)").with_name("cauchy").save(tmp_path / "c.json")
    r = run("--data", train, "--spec", spec, "--width", "300", "--seed", "1", "--ridge", "1e-8")
    assert r.exit_code == 0, r.output
    assert "train RMSE" in r.stdout and "rank:" in r.stdout and "convention:" in r.stdout


def test_penalty_route_uses_design(files):
    _, train, _ = files
    r = run("--data", train, "--penalty", "exp(k)", "--width", "200", "--seed", "0", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["route"].startswith(("closed", "tabulation"))


@pytest.mark.parametrize(
    "content, match",
    [
        ("1,2\n3,nan\n", "not finite"),
        ("1,2\n3,inf\n", "not finite"),
        ("1,2\n3\n", "columns, expected 2"),
        ("", "empty"),
        ("x,y\n", "no data rows"),
        ("1,2\n3,abc\n", "not a number"),
        ("1\n2\n", "target column"),
    ],
)
def test_bad_training_data_exits_2(tmp_path, content, match):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    r = run("--data", bad, "--activation", "relu(z)")
    assert r.exit_code == 2 and match in r.stderr and "Traceback" not in r.output


def test_prediction_file_with_wrong_columns_exits_2_and_writes_nothing(files):
    tmp, train, _ = files
    test = tmp / "t2.csv"
    test.write_text("1,2\n3,4\n")
    out = tmp / "pred.csv"
    r = run("--data", train, "--activation", "relu(z)", "--predict", test, "--out", out)
    assert r.exit_code == 2 and "2 columns" in r.stderr and not out.exists()


def test_missing_file_and_option_errors_exit_2(files):
    tmp, train, test = files
    assert run("--data", tmp / "nope.csv", "--activation", "relu(z)").exit_code == 2
    r = run("--data", train)
    assert r.exit_code == 2 and "exactly one of" in r.stderr
    r = run("--data", train, "--activation", "relu(z)", "--predict", test)
    assert r.exit_code == 2 and "--out" in r.stderr
    r = run("--data", train, "--activation", "relu(z)", "--radius", "inf")
    assert r.exit_code == 2 and "--width inf" in r.stderr
    r = run("--data", train, "--activation", "__import__('os')")
    assert r.exit_code == 2
    r = run("--data", train, "--activation", "relu(z)", "--width", "0")
    assert r.exit_code == 2


def test_memory_refusal_exits_2_with_estimate_and_hint(files):
    _, train, _ = files
    r = run(
        "--data", train, "--activation", "relu(z)", "--width", "100000000", "--max-memory", "1GB"
    )
    assert r.exit_code == 2
    assert "estimated peak memory" in r.stderr and "--max-memory" in r.stderr


def test_low_rank_note_goes_to_stderr(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (400, 2))
    data = tmp_path / "d.csv"
    np.savetxt(data, np.c_[X, X[:, 0] * X[:, 1]], delimiter=",")
    r = run("--data", data, "--activation", "exp(-z^2)", "--width", "800", "--seed", "0", "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["rank"] < 100 and any("far below" in n for n in rec["notes"])
    assert math.isfinite(rec["coef_norm"])
    r = run("--data", data, "--activation", "exp(-z^2)", "--width", "800", "--seed", "0")
    assert r.exit_code == 0 and "note: numerical rank" in r.stderr


@pytest.mark.parametrize(
    "cli, api",
    [
        (["--sampling", "gaussian", "--weight-std", "2.5", "--bias-std", "0.5", "--train", "v",
          "--rcond", "1e-9"],
         dict(law="gaussian", weight_std=2.5, bias_std=0.5, train="v", rcond=1e-9)),
        (["--sampling", "uniform", "--radius", "2", "--ridge", "1e-3"],
         dict(law="uniform", radius=2.0, ridge=1e-3)),
        (["--sampling", "swim"], dict(law="swim")),
    ],
    ids=["gaussian-v-rcond", "uniform-ridge", "swim"],
)
def test_law_and_solver_options_reach_the_regressor(files, cli, api):
    # the CLI is a thin layer: its predictions are the API's with the same hyperparameters
    tmp, train, test = files
    out = tmp / "pred.csv"
    r = run("--data", train, "--activation", "tanh(z)", "--width", 300, "--seed", 7, *cli,
            "--predict", test, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    data = np.loadtxt(train, delimiter=",", skiprows=1)
    from actdesign.fit import RadonSplineRegressor

    model = RadonSplineRegressor("tanh(z)", width=300, seed=7, **api)
    model.fit(data[:, :1], data[:, 1])
    np.testing.assert_allclose(np.loadtxt(out), model.predict(np.loadtxt(test)[:, None]),
                               rtol=1e-10, atol=1e-12)
    assert rec["rank"] == model.rank_ and math.isclose(rec["coef_norm"], model.coef_norm_,
                                                      rel_tol=1e-10)


def test_gpu_device_without_a_gpu_exits_2(files):
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            pytest.skip("a GPU is present")
    except Exception:  # noqa: BLE001 - no cupy or no driver: the case under test
        pass
    _, train, _ = files
    r = run("--data", train, "--activation", "tanh(z)", "--width", 50, "--device", "gpu")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
