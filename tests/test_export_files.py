"""Exported files: standalone in a fresh interpreter, atomic writes, usability of the objects."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy import special as sc

import actdesign
from actdesign import SpecError
from actdesign.export import export_path, export_source, to_jax, to_torch, write_exports

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

Z = [-1e30, -700.0, -3.0, -1e-300, 0.0, 0.5, 2.0, 40.0, 1e30]

# runs in a fresh interpreter with -I (no PYTHONPATH, no user site) and actdesign made
# unimportable, then imports the exported file and prints phi and phi' as JSON
RUNNER = textwrap.dedent("""
    import importlib, json, sys

    class NoActdesign:
        def find_spec(self, name, path=None, target=None):
            if name == "actdesign" or name.startswith("actdesign."):
                raise ImportError("actdesign is blocked in this test")

    sys.meta_path.insert(0, NoActdesign())
    try:
        import actdesign  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("actdesign should not be importable here")
    sys.path.insert(0, sys.argv[1])
    z = json.loads(sys.argv[2])
    results = {}
    for name in sys.argv[3:]:
        module = importlib.import_module(name)
        public = getattr(module, module.__all__[0])
        if name.endswith("_torch"):
            import torch
            x = torch.tensor(z, dtype=torch.float64, requires_grad=True)
            y = public()(x)
            y.sum().backward()
            results[name] = [y.tolist(), x.grad.tolist()]
        else:
            import jax
            with jax.enable_x64(True):
                x = jax.numpy.asarray(z)
                grad = jax.vmap(jax.grad(public))(x)
                results[name] = [jax.jit(public)(x).tolist(), grad.tolist()]
    results["loaded"] = sorted(sys.modules.keys() & {"torch", "jax", "actdesign"})
    print(json.dumps(results))
""")


def run_isolated(tmp_path, z, names):
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-I", str(script), str(tmp_path), json.dumps(z), *names],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


STANDALONE = {
    "k0": ("besselk(0, abs(z))/pi", lambda z: sc.k0(np.abs(z)) / np.pi,
           lambda z: -np.sign(z) * sc.k1(np.abs(z)) / np.pi),
    "elu": ("Piecewise((z, z > 0), (exp(z) - 1, True))",
            lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
}


@pytest.mark.parametrize("backend, other", [("torch", "jax"), ("jax", "torch")])
def test_standalone_files_run_where_actdesign_cannot_be_imported(tmp_path, backend, other):
    for name, (formula, _, _) in STANDALONE.items():
        paths = write_exports(actdesign.from_expression(formula, name=name), tmp_path, gain=1.5)
        assert [p.name for p in paths] == [f"{name}_torch.py", f"{name}_jax.py"]
    results = run_isolated(tmp_path, Z, [f"{name}_{backend}" for name in STANDALONE])
    assert results.pop("loaded") == [backend]  # neither actdesign nor the other framework
    z = np.array(Z)
    for name, (_, ref, dref) in STANDALONE.items():
        v, g = (np.array(a) for a in results[f"{name}_{backend}"])
        with np.errstate(all="ignore"):
            expected, dexpected = ref(z), dref(z)
        # K0 is log-singular at 0: the export holds it constant below |z| = 2^-40 (finite there)
        check = np.isfinite(expected) & (np.abs(z) > 1e-200)
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
        np.testing.assert_allclose(v[check], expected[check], rtol=1e-6, atol=1e-300)
        np.testing.assert_allclose(g[check], dexpected[check], rtol=1e-5, atol=1e-300)


def test_load_spec_then_to_torch_in_a_fresh_process(tmp_path):
    spec = actdesign.from_expression("besselk(0, abs(z))/pi", name="k0").save(tmp_path / "k0.json")
    code = ("import json, sys, torch, actdesign; m = actdesign.load(sys.argv[1]).to_torch(); "
            "x = torch.tensor([0.5, 2.0, -7.0], dtype=torch.float64); "
            "print(json.dumps(m(x).tolist()))")
    out = subprocess.run([sys.executable, "-c", code, str(spec)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(got, sc.k0([0.5, 2.0, 7.0]) / np.pi, rtol=1e-7)


# --- write_exports ---------------------------------------------------------------------
def test_write_exports_refuses_to_overwrite_without_force(tmp_path):
    act = actdesign.from_expression("tanh(z)", name="t")
    write_exports(act, tmp_path, gain=False)
    before = (tmp_path / "t_torch.py").read_text()
    other = actdesign.from_expression("erf(z)", name="t")
    with pytest.raises(SpecError, match="--force"):
        write_exports(other, tmp_path, gain=False)
    assert (tmp_path / "t_torch.py").read_text() == before
    write_exports(other, tmp_path, gain=False, force=True)
    assert "erf" in (tmp_path / "t_torch.py").read_text()


def test_write_exports_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    import actdesign._export as ex

    act = actdesign.from_expression("tanh(z)", name="t")
    real = ex.export_source

    def fail_for_jax(a, backend, **kw):
        if backend == "jax":
            raise RuntimeError("simulated failure")
        return real(a, backend, **kw)

    monkeypatch.setattr(ex, "export_source", fail_for_jax)
    with pytest.raises(RuntimeError, match="simulated"):
        ex.write_exports(act, tmp_path / "out", gain=False)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []

    monkeypatch.setattr(ex, "export_source", real)  # now the second rename fails
    original = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        ex.write_exports(act, tmp_path / "out2", gain=False)
    assert list((tmp_path / "out2").iterdir()) == []


def test_write_exports_rejects_unknown_backends(tmp_path):
    act = actdesign.from_expression("tanh(z)", name="t")
    with pytest.raises(ValueError, match="unknown backend"):
        write_exports(act, tmp_path, backends=("torch", "tensorflow"))
    assert list(tmp_path.iterdir()) == []


def test_export_path_names_files_after_the_activation():
    act = actdesign.from_expression("tanh(z)", name="exp(2*abs(k))")
    assert export_path(act, "d", "torch").name == "exp_2_abs_k_torch.py"


# --- the torch module and the JAX function ----------------------------------------------
@pytest.fixture(scope="module")
def modules():
    closed = to_torch(actdesign.from_expression("1/(1+z^2)", name="cauchy"), gain=False)
    numeric = to_torch(actdesign.from_expression("besselk(0, abs(z))/pi", name="k0"), gain=False)
    return closed, numeric


def test_torch_module_repr_sequential_pickle_and_copy(modules):
    closed, numeric = modules
    assert repr(closed) == "Cauchy(phi(z) = 1/(z**2 + 1))"
    assert repr(numeric).startswith("K0(numeric representation of k0:")
    assert list(closed.parameters()) == [] and closed.state_dict() == {}
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    for module in modules:
        net = torch.nn.Sequential(torch.nn.Linear(7, 7).double(), module)
        for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
            torch.testing.assert_close(clone(x), net(x))
        assert type(module)() is not None  # no required arguments


def test_jax_function_is_plain_and_vmaps():
    f = to_jax(actdesign.from_expression("besselk(0, abs(z))/pi", name="k0"), gain=False)
    assert callable(f) and not hasattr(f, "parameters")
    z = jnp.linspace(0.5, 3.0, 6)
    np.testing.assert_allclose(np.asarray(jax.vmap(f)(z)), sc.k0(np.asarray(z)) / np.pi, rtol=2e-6)
    np.testing.assert_allclose(np.asarray(f(z.reshape(2, 3))).ravel(), np.asarray(f(z)), rtol=1e-7)


def test_exported_file_docstring_records_the_design(tmp_path):
    act = actdesign.design("exp(2*k)", dim=1)
    text = export_source(act, "torch", gain=False)
    doc = text.split('"""')[1]
    for key in ("penalty", "dim", "shape", "closed form", "method", "representation",
                "error estimate", "convention", "actdesign"):
        assert f"\n{key:<16}" in doc, key
    assert "exp(2*k)" in doc and actdesign.__version__ in doc
    assert "angular frequency" in doc  # the convention, stated
    compile(text, "x.py", "exec")


# --- gain --------------------------------------------------------------------------------
def test_gain_and_initialiser_come_from_actdesign_init():
    init = pytest.importorskip("actdesign.init")
    act = actdesign.from_expression("tanh(z)", name="tanh_gain")
    expected = float(init.gain(act))
    module = to_torch(act)
    ns = sys.modules[type(module).__module__]
    assert ns.GAIN == pytest.approx(expected, rel=1e-12)
    torch.manual_seed(0)
    layer = ns.init_(torch.nn.Linear(400, 300))
    assert float(layer.weight.detach().std()) == pytest.approx(expected / np.sqrt(400), rel=0.02)
    assert float(layer.bias.detach().abs().max()) == 0.0
    jax_ns = sys.modules[to_jax(act).__module__]
    w = jax_ns.init_params(jax.random.PRNGKey(0), (400, 300))
    assert float(jnp.std(w)) == pytest.approx(expected / np.sqrt(400), rel=0.02)


def test_gain_is_omitted_when_actdesign_init_is_missing(monkeypatch):
    import actdesign.export as gain_module

    monkeypatch.setitem(sys.modules, "actdesign.init", None)  # import now raises ImportError
    monkeypatch.setattr(gain_module, "_GAINS", {})
    text = export_source(actdesign.from_expression("tanh(z)", name="t2"), "torch")
    assert "GAIN" not in text.split('"""', 2)[2] and "def init_" not in text
    assert "actdesign.init is not available" in text


# --- safety --------------------------------------------------------------------------------
def test_user_text_cannot_break_out_of_the_generated_source(tmp_path, monkeypatch):
    import ast

    evil = 'x"""\nimport os; os.system("touch PWNED") #\\'
    act = actdesign.Activation(name=evil, penalty_text='exp(k) #"""; raise SystemExit', rho=None,
                               phi=actdesign.parse_activation("tanh(z)"), notes=(evil,))
    allowed = {"math", "torch", "jax", "jax.numpy", "jax.scipy.special", "numpy", "scipy.special"}
    for backend in ("torch", "jax", "numpy"):
        tree = ast.parse(export_source(act, backend, gain=False))
        doc = ast.get_docstring(tree)
        # quotes, the newline and the backslash are replaced
        assert "x????import os; os.system(?touch PWNED?) #?" in doc
        imports = {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        assert imports <= allowed
    monkeypatch.chdir(tmp_path)
    module = to_torch(act, gain=False)
    assert module(torch.zeros(1)).item() == 0.0
    assert not (tmp_path / "PWNED").exists()


def test_importing_the_export_module_stays_light():
    code = ("import sys, actdesign.export; "
            "print(','.join(m for m in ('torch', 'jax') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
