"""`actdesign spectrum`: JSON and text output, data files, plots, bad input."""

import json

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign


def run(*args):
    return CliRunner().invoke(main, ["spectrum", *args])


def test_function_json_sinusoid_amplitudes():
    r = run(
        "--function", "3*sin(2*pi*5*x) + cos(2*pi*12*x)", "--unit", "cycles", "--pad", "1", "--json"
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert {"k", "amplitude", "unit", "window", "bandwidth", "convention"} <= set(d)
    assert (
        d["unit"] == "cycles" and d["window"] == "box" and d["convention"] == actdesign.CONVENTION
    )
    k, amp = np.array(d["k"]), np.array(d["amplitude"])
    assert abs(amp[k == 5.0][0] - 3.0) < 1e-6 * 3 and abs(amp[k == 12.0][0] - 1.0) < 1e-6
    assert abs(d["bandwidth"] - 12.0) <= 1.0  # within one bin (1 cycle on [0, 1])
    assert [p["k"] for p in d["peaks"]] == [5.0, 12.0]


def test_activation_and_angular_unit():
    r = run("--activation", "exp(-z^2/2)", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    k, amp = np.array(d["k"]), np.array(d["amplitude"])
    # F = sqrt(2 pi) e^{-k^2/2} on [-20, 20]: amplitude = 2|F|/40 (|F|/40 at 0)
    exact = np.sqrt(2 * np.pi) * np.exp(-(k**2) / 2) * np.where(k == 0, 1, 2) / 40
    np.testing.assert_allclose(amp, exact, atol=1e-12)


def test_text_output_states_convention():
    r = run("--function", "sin(2*pi*3*x)", "--window", "hann", "--unit", "cycles")
    assert r.exit_code == 0, r.output
    assert "convention:" in r.output and "exp(-i k z)" in r.output
    assert "peak at k = 3:" in r.output


def test_2d_function(tmp_path):
    r = run(
        "--function",
        "cos(2*pi*(3*x + 4*y))",
        "--domain",
        "0,1",
        "--n",
        "64",
        "--unit",
        "cycles",
        "--json",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["dim"] == 2
    k, amp = np.array(d["k"]), np.array(d["amplitude"])
    assert abs(k[np.argmax(amp)] - 5.0) < 0.5  # |(3, 4)| = 5 cycles


def test_data_uniform_and_nonuniform(tmp_path):
    x = (np.arange(400) + 0.5) / 100  # cell-centred on [0, 4]
    p = tmp_path / "u.csv"
    p.write_text("x,f\n" + "\n".join(f"{a:.17g},{2 * np.sin(2 * np.pi * 2 * a):.17g}" for a in x))
    d = json.loads(run("--data", str(p), "--unit", "cycles", "--pad", "1", "--json").output)
    k, amp = np.array(d["k"]), np.array(d["amplitude"])
    assert d["method"] == "fft" and abs(amp[np.argmin(abs(k - 2))] - 2.0) < 1e-9
    xr = np.sort(np.random.default_rng(0).uniform(0, 4, 3000))
    q = tmp_path / "n.csv"
    q.write_text("\n".join(f"{a:.17g},{2 * np.sin(2 * np.pi * 2 * a):.17g}" for a in xr))
    r = run("--data", str(q), "--domain", "0,4", "--unit", "cycles", "--pad", "1", "--json")
    d = json.loads(r.output)
    k, amp = np.array(d["k"]), np.array(d["amplitude"])
    assert d["method"] == "nufft" and abs(amp[np.argmin(abs(k - 2))] - 2.0) < 1e-3


def test_plot_writes_png(tmp_path):
    out = tmp_path / "s.png"
    r = run("--function", "sin(2*pi*3*x)", "--plot", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args, words",
    [
        ([], "exactly one"),
        (["--function", "x", "--activation", "z"], "exactly one"),
        (["--function", "__import__('os')"], "unknown function"),
        (["--function", "x", "--domain", "1,0"], "a < b"),
        (["--function", "x", "--domain", "a,b"], "not numbers"),
        (["--function", "log(x)", "--domain", "-1,1"], "not finite"),
        (["--function", "x", "--window", "kaiser"], "unknown window"),
        (["--function", "x", "--unit", "hz"], "unknown unit"),
        (["--function", "x", "--pad", "0"], "pad"),
        (["--data", "/nonexistent/f.csv"], "not found"),
    ],
)
def test_bad_input_exit_2_one_line(args, words):
    r = run(*args)
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0], r.output


@pytest.mark.parametrize(
    "text, words",
    [
        ("x,f\n0,1\n1,nan\n2,3\n", "NaN"),
        ("x,f\n0,1\n1,2,3\n", "columns"),
        ("x,f\n0,1\n1,abc\n", "not a number"),
        ("x,f\n0,1\n", "at least 2 rows"),
        ("x,f\n0,1\n0,2\n1,3\n", "repeated"),
    ],
)
def test_bad_data_files(tmp_path, text, words):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    r = run("--data", str(p))
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0], r.output


def test_plot_to_missing_directory_writes_nothing(tmp_path):
    r = run("--function", "x", "--plot", str(tmp_path / "no" / "s.png"))
    assert r.exit_code == 2 and "does not exist" in r.output
    assert not (tmp_path / "no").exists()
