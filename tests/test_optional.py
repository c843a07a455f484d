"""Optional dependencies (numba, finufft, matplotlib, torch, jax): make, analyze and export
run without them, and each place that needs one names the extra that installs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import actdesign
from actdesign.infra._optional import MissingDependencyError, require

EXTRAS = ("numba", "finufft", "matplotlib", "torch", "jax", "cupy")


def _cli_without(blocked, commands, cwd):
    """Run CLI ``commands`` (lists of arguments) in one fresh interpreter where the
    ``blocked`` packages cannot be imported; stop at the first non-zero exit status."""
    code = textwrap.dedent(f"""
        import sys
        for m in {list(blocked)!r}:
            sys.modules[m] = None  # import of m now raises ModuleNotFoundError
        from actdesign_cli.main import main
        for args in {list(commands)!r}:
            try:
                main(args, prog_name="actdesign")
            except SystemExit as e:
                if e.code:
                    raise
        """)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_require_names_the_package_and_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError) as info:
        require("torch", "torch", "to_torch()")
    assert str(info.value) == ("to_torch() needs torch, which is not installed: "
                               "pip install 'actdesign[torch]'")
    # one error class for the CLI (exit 2) and for code that probes with except ImportError
    assert isinstance(info.value, actdesign.ActdesignError)
    assert isinstance(info.value, ImportError) and info.value.name == "torch"
    assert require("json", "none").dumps(1) == "1"


def test_require_says_when_the_package_itself_is_broken(monkeypatch, tmp_path):
    # the package is there but one of its own imports is not: say which
    (tmp_path / "halfinstalled").mkdir()
    (tmp_path / "halfinstalled" / "__init__.py").write_text("import not_there_either\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingDependencyError,
                       match=r"needs halfinstalled, which cannot be imported \(no module "
                             r"'not_there_either'\): pip install 'actdesign\[x\]'"):
        require("halfinstalled", "x")


@pytest.mark.parametrize("method,extra", [("to_torch", "torch"), ("to_jax", "jax")])
def test_activation_export_without_the_framework_names_the_extra(monkeypatch, method, extra):
    act = actdesign.from_expression("tanh(z)")
    monkeypatch.setitem(sys.modules, extra, None)
    with pytest.raises(MissingDependencyError, match=rf"pip install 'actdesign\[{extra}\]'"):
        getattr(act, method)()


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    from actdesign.spectrum import new_figure

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)
    with pytest.raises(MissingDependencyError, match=r"actdesign\[plot\]"):
        new_figure()


def test_nufft_without_finufft_names_the_extra(monkeypatch):
    from actdesign.spectrum._nufft import grid_1d

    monkeypatch.setitem(sys.modules, "finufft", None)
    with pytest.raises(MissingDependencyError, match=r"actdesign\[spectrum\]"):
        grid_1d(np.zeros(3), np.ones(3, complex), 0.0, 0.1, 4)


def test_numba_backend_without_numba_names_the_extra_and_fits_fall_back(monkeypatch):
    from actdesign import fit as F

    X = np.linspace(-1, 1, 40)[:, None]
    neurons = F.UniformLaw(radius=2.0).sample(30, X, None, np.random.default_rng(0))
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.delitem(sys.modules, "actdesign.fit.compute._numba_kernels", raising=False)
    with pytest.raises(MissingDependencyError, match=r"actdesign\[fit\]"):
        F.feature_matrix("relu(z)", X, neurons, backend="numba")
    # the default CPU backend is numpy without numba: a fit still runs
    assert F._options.cpu_backend() == "numpy"
    m = F.RadonSplineRegressor("relu(z)", width=50, seed=0).fit(X, X[:, 0] ** 2)
    assert np.all(np.isfinite(m.predict(X)))


def test_make_analyze_and_export_run_without_the_heavy_extras(tmp_path):
    # the reason numba, finufft, matplotlib, torch and jax are extras, not core:
    # a closed form (table) and a numeric design, both exported, and an analysis
    run = _cli_without(EXTRAS, [["make", "--penalty", "exp(k)", "--out", "a",
                                 "--export", "torch,jax"],
                                ["make", "--penalty", "exp(k^4)", "--out", "b",
                                 "--export", "torch,jax"],
                                ["analyze", "--activation", "tanh(z)"]], tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(p.name for d in "ab" for p in (tmp_path / d).iterdir()) == [
        "exp_k.json", "exp_k_4.json", "exp_k_4_jax.py", "exp_k_4_torch.py", "exp_k_jax.py",
        "exp_k_torch.py"]
    assert "rho(k)" in run.stdout


@pytest.mark.parametrize("blocked,args,extra", [
    ("matplotlib", ["make", "--penalty", "exp(k)", "--out", "o", "--png"], "plot"),
    ("matplotlib", ["gallery", "build", "--out", "o", "--only", "relu"], "plot"),
    ("torch", ["adaptive", "--data", "d.csv"], "torch"),
])
def test_cli_without_an_extra_is_one_line_and_exit_2(tmp_path, blocked, args, extra):
    np.savetxt(tmp_path / "d.csv", np.c_[np.linspace(-1, 1, 20), np.linspace(-1, 1, 20) ** 2],
               delimiter=",", header="x,y", comments="")
    run = _cli_without([blocked], [args], tmp_path)
    assert run.returncode == 2, run.stderr[-2000:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actdesign: error: "), run.stderr
    assert f"needs {blocked}" in lines[0] and f"pip install 'actdesign[{extra}]'" in lines[0]
    assert not (tmp_path / "o").exists()  # nothing half-written
