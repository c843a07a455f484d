"""`actdesign adaptive` through click's CliRunner: JSON, the figure, bad input."""

import json

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign


def run(*args):
    return CliRunner().invoke(main, ["adaptive", *map(str, args)])


@pytest.fixture
def data(tmp_path):
    x = np.linspace(-1, 1, 10)
    path = tmp_path / "train.csv"
    path.write_text("x1,y\n" + "".join(f"{a},{np.sin(3 * a)}\n" for a in x))
    return path


def test_json_and_plot(data, tmp_path):
    out = tmp_path / "run.png"
    r = run("--data", data, "--epochs", 400, "--record-every", 100, "--json", "--plot", out)
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["recorded_epochs"] == [0, 100, 200, 300, 400]
    assert len(rec["cluster_counts"]) == 5 and rec["cluster_counts"][-1] < rec["cluster_counts"][0]
    assert rec["final_loss"] < rec["initial_loss"] and rec["convention"] == actdesign.CONVENTION
    assert rec["pinned_fraction_final"] > rec["pinned_fraction_initial"] and rec["drift"] > 0
    assert out.stat().st_size > 10_000 and rec["plot"] == str(out)


def test_drift_check_option(data):
    r = run("--data", data, "--epochs", 10, "--drift-widths", "64,256,1024", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)["drift_check"]
    assert d["widths"] == [64, 256, 1024] and d["drift"][0] > d["drift"][1] > d["drift"][2]
    assert abs(d["slope"] + 0.5) < 0.1
    for bad in ("64", "64,x", "64,64", "0,8"):
        r = run("--data", data, "--drift-widths", bad)
        assert r.exit_code == 2 and "--drift-widths" in r.stderr and r.stderr.count("\n") == 1


def test_three_inputs_train_without_the_grid(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (12, 3))
    path = tmp_path / "three.csv"
    path.write_text("".join(f"{a},{b},{c},{a * b - c}\n" for a, b, c in X))
    r = run("--data", path, "--epochs", 50, "--width", 32, "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert (
        rec["inputs"] == 3
        and rec["sinks_final"] is None
        and rec["final_loss"] < rec["initial_loss"]
    )


def test_text_report_states_the_convention(data):
    r = run("--data", data, "--epochs", 20, "--width", 16)
    assert r.exit_code == 0 and "clusters" in r.stdout and "convention: F[phi](k)" in r.stdout


@pytest.mark.parametrize(
    "args, match",
    [
        (("--lr", "nan"), "lr"),
        (("--width", "0"), "width"),
        (("--regime", "-1"), "regime"),
        (("--epochs", "0"), "epochs"),
        (("--pin-tol", "0"), "--pin-tol"),
        (("--threshold", "inf"), "--threshold"),
        (("--plot", "fig.svg"), "PNG"),
        (("--seed", "-3"), "seed"),
        (("--width", "abc"), "--width"),
        (("--seed", "1.5"), "--seed"),
        (("--law", "swim"), "law"),
        (("--scale", "0"), "scale"),
    ],
)
def test_bad_values_give_one_line_and_exit_2(data, args, match):
    r = run("--data", data, *args)
    assert r.exit_code == 2 and match in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_bad_files_give_one_line_and_write_nothing(tmp_path):
    out = tmp_path / "fig.png"
    r = run("--data", tmp_path / "missing.csv", "--plot", out)
    assert r.exit_code == 2 and "not found" in r.stderr and r.stderr.count("\n") == 1
    nan = tmp_path / "nan.csv"
    nan.write_text("0,1\nnan,2\n")
    r = run("--data", nan, "--plot", out)
    assert r.exit_code == 2 and "line 2" in r.stderr and r.stderr.count("\n") == 1
    three = tmp_path / "three.csv"
    three.write_text("0,0,0,1\n1,0,0,2\n")
    r = run("--data", three, "--plot", out)
    assert r.exit_code == 2 and "1-D and 2-D" in r.stderr and not out.exists()
    r = CliRunner().invoke(main, ["adaptive"])
    assert r.exit_code == 2 and "Missing option '--data'" in r.stderr and r.stderr.count("\n") == 1
