"""`actdesign make` and `actdesign analyze` through click's runner, and as a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_make_json_has_the_contract_keys(tmp_path):
    r = run("make", "--penalty", "exp(2*k)", "--out", str(tmp_path), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    for key in ("name", "penalty", "dim", "shape", "method", "phi", "max_abs_error", "files", "gain"):
        assert key in d
    assert d["method"] == "table" and d["phi"] == "1/(pi*(z**2 + 1))"
    # second-moment gain 1/sqrt(E[phi(Z)^2]), Z ~ N(0, 1), by scipy quadrature
    phi2 = lambda t: (1 / (np.pi * (1 + t * t))) ** 2 * np.exp(-t * t / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    assert abs(d["gain"] - 1 / np.sqrt(quad(phi2, -np.inf, np.inf, epsabs=0, epsrel=1e-13)[0])) <= 1e-8
    assert [Path(f).name for f in d["files"]] == ["exp_2_k.json"]
    assert (tmp_path / "exp_2_k.json").is_file()


def test_make_exports_torch_and_jax_files_that_run(tmp_path):
    r = run("make", "--penalty", "exp(2*k)", "--out", str(tmp_path), "--export", "torch,jax",
            "--json")
    assert r.exit_code == 0, r.output
    names = sorted(Path(f).name for f in json.loads(r.stdout)["files"])
    assert names == ["exp_2_k.json", "exp_2_k_jax.py", "exp_2_k_torch.py"]
    z = np.linspace(-30, 30, 61)
    code = ("import json, sys, numpy as np; sys.path.insert(0, sys.argv[1]);"
            "import torch, exp_2_k_torch as t, exp_2_k_jax as j;"
            "m = getattr(t, t.__all__[0])(); f = getattr(j, j.__all__[0]);"
            "z = torch.linspace(-30, 30, 61, dtype=torch.float64);"
            "print(json.dumps(m(z).tolist()));"
            "print(json.dumps(np.asarray(f(z.numpy().astype('float32'))).tolist()))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, timeout=300, check=True).stdout.splitlines()
    ref = 1 / (np.pi * (1 + z * z))
    np.testing.assert_allclose(json.loads(out[0]), ref, rtol=1e-12)
    np.testing.assert_allclose(json.loads(out[1]), ref, rtol=1e-6)


def test_make_png_in_a_new_folder_with_ordinary_permissions(tmp_path):
    out = tmp_path / "new" / "dir"
    r = run("make", "--penalty", "exp(2*k)", "--out", str(out), "--png")
    assert r.exit_code == 0, r.output
    png = out / "exp_2_k.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    umask = os.umask(0)
    os.umask(umask)
    for f in (png, out / "exp_2_k.json"):
        assert f.stat().st_mode & 0o777 == 0o666 & ~umask, f
    assert sorted(p.name for p in out.iterdir()) == ["exp_2_k.json", "exp_2_k.png"]


def test_make_with_an_unknown_backend_exits_2_and_writes_nothing(tmp_path):
    r = run("make", "--penalty", "exp(2*k)", "--out", str(tmp_path / "o"), "--export", "torch,tf")
    assert r.exit_code == 2 and "tf" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_make_refuses_to_overwrite_and_leaves_files_alone(tmp_path):
    assert run("make", "--penalty", "exp(k)", "--out", str(tmp_path)).exit_code == 0
    spec = tmp_path / "exp_k.json"
    spec.write_text(spec.read_text().replace("\n}", "\n }"))  # edited: make would change it
    before = spec.read_text()
    r = run("make", "--penalty", "exp(k)", "--out", str(tmp_path))
    assert r.exit_code == 2 and "--force" in r.stderr
    assert spec.read_text() == before
    assert run("make", "--penalty", "exp(k)", "--out", str(tmp_path), "--force").exit_code == 0


@pytest.mark.parametrize(
    "penalty, fragment",
    [("exp(k", "cannot parse"), ("__import__('os')", "unknown function"), ("k^2 - 1", "negative"),
     ("exp(-k)", "decays"), ("", "empty")],
)
def test_make_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, penalty, fragment):
    r = run("make", "--penalty", penalty, "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    assert fragment in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_analyze_json(tmp_path):
    r = run("analyze", "--activation", "tanh(z)", "--k", "0.3,1", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["rho"] is not None and d["method"] == "table" and d["k"] == [0.3, 1.0]
    assert len(d["rho_values"]) == 2


def test_analyze_spec_and_bad_inputs(tmp_path):
    assert run("make", "--penalty", "exp(k^2)", "--out", str(tmp_path)).exit_code == 0
    r = run("analyze", "--spec", str(tmp_path / "exp_k_2.json"), "--json")
    assert r.exit_code == 0, r.output
    assert run("analyze", "--spec", str(tmp_path / "missing.json")).exit_code == 2
    assert run("analyze", "--activation", "tanh(z)", "--k", "a,b").exit_code == 2
    assert run("analyze").exit_code == 2


fuzz = st.one_of(
    st.sampled_from(["__import__('os').system('echo hi')", "k.__class__", "exp(k)*(", "lambda k: k",
                     "exp(" * 70 + "k" + ")" * 70, "log(k)", "k", "1/k", "0", "-k^2", "k^2+1",
                     "sinh(k)", "exp(exp(k))", "k^1000", "nan", "oo", "Piecewise((k, k<1),(1,True))",
                     "k^2+k^4", "exp(k)*k^2", "k^3", "abs(k)", "1/(1+k^2)", "exp(-k^2)+k^2"]),
    st.lists(st.sampled_from(["k", "1", "2", "+", "*", "^", "(", ")", "exp", "abs", "-", "/", "pi"]),
             min_size=1, max_size=8).map("".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fuzz)
def test_make_on_fuzzed_penalties_succeeds_or_exits_2(tmp_path, text):
    r = run("make", "--penalty", text, "--out", str(tmp_path), "--force", "--json")
    assert r.exit_code in (0, 2), (text, r.output)
    if r.exit_code == 2:
        assert r.stderr.startswith("actdesign: error: ") and r.stderr.count("\n") == 1
    else:
        json.loads(r.stdout)


def test_readme_main_command_works_in_a_fresh_directory(tmp_path):
    exe = Path(sys.executable).with_name("actdesign")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    r = subprocess.run([str(exe), "make", "--penalty", "exp(k)"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "1/(2*pi*(z**2 + 1/4))" in r.stdout or "method      table" in r.stdout
    assert (tmp_path / "out" / "exp_k.json").is_file()


@pytest.mark.parametrize(
    "args, words",
    [
        (["fit", "--data", "d.csv", "--width", "abc"], "'--width'"),
        (["fit", "--data", "d.csv", "--widthx", "3"], "No such option"),
        (["make"], "Missing option '--penalty'"),
        (["make", "--penalty", "exp(k)", "--dim", "0"], "'--dim'"),
        (["gain", "--c", "x"], "'--c'"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args, words):
    r = run(*args)
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0] and "--help" in lines[0], r.output
    assert lines[0].startswith("actdesign: error:")
