"""Numeric designs (no closed form) through every export path, against mpmath (issue 7).

The chain is checked link by link: the exported torch / JAX / numpy callables reproduce the
designed representation within 1e-6 relative on z in [-1e3, 1e3]; the exports themselves
agree with phi computed independently by mpmath quadrature within the design's stated
error; gradients agree with mpmath's phi' (a second, independent quadrature).
"""

from __future__ import annotations

from functools import cache

import mpmath as mp
import numpy as np
import pytest
from test_design import _mp_phi

import actdesign

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

# amplitudes rho^{-1/2}(kappa), written independently in mpmath
DESIGNS = {
    "1+k^4": lambda t: 1 / mp.sqrt(1 + t**4),
    "exp(k)*(1+k^2)": lambda t: mp.exp(-t / 2) / mp.sqrt(1 + t**2),
    "exp(sqrt(1+k^2))": lambda t: mp.exp(-mp.sqrt(1 + t**2) / 2),
    "cosh(k)*(1+k^2)": lambda t: 1 / mp.sqrt(mp.cosh(t) * (1 + t**2)),
    "exp(abs(k)^1.5)": lambda t: mp.exp(-t**1.5 / 2),
}
Z = np.unique(np.concatenate([np.linspace(-1e3, 1e3, 2001), np.linspace(-10, 10, 401)]))
Z_MP = np.array([-700.0, -31.0, -4.5, -1.2, 0.0, 0.3, 2.0, 7.7, 55.0, 999.0])


@cache
def designed(penalty):
    act = actdesign.design(penalty, routes=("numeric",))
    assert act.method == "numeric" and act.phi is None and act.tabulation is not None
    return act


def _mp_dphi(G, z):
    """phi'(z) = -(1/pi) int_0^inf k G sin(kz) dk (phi itself: test_design._mp_phi)."""
    if z == 0:
        return 0.0  # phi is even
    with mp.workdps(25):
        w = abs(z)
        val = -mp.quadosc(lambda t: t * G(t) * mp.sin(t * w), [0, mp.inf], omega=w) / mp.pi
    return float(val * np.sign(z))


def _torch_values(act, z, grad=False):
    module = act.to_torch()
    x = torch.tensor(z, dtype=torch.float64, requires_grad=grad)
    y = module(x)
    if not grad:
        return y.detach().numpy()
    y.sum().backward()
    return x.grad.numpy()


def _jax_values(act, z, grad=False):
    f = act.to_jax()
    with jax.enable_x64(True):
        x = jnp.asarray(z, dtype=jnp.float64)
        if grad:
            return np.asarray(jax.jit(jax.vmap(jax.grad(f)))(x))
        return np.asarray(jax.jit(f)(x))


@pytest.mark.parametrize("penalty", list(DESIGNS))
def test_exports_reproduce_the_design_on_the_whole_range(penalty):
    act = designed(penalty)
    ref = act(Z)
    size = float(np.max(np.abs(ref)))
    for name, got in (("numpy", act.to_numpy()(Z)), ("torch", _torch_values(act, Z)),
                      ("jax", _jax_values(act, Z))):
        assert np.all(np.isfinite(got)), name
        err = np.abs(got - ref)
        assert np.all(err <= 1e-6 * np.abs(ref) + 1e-12 * size), (name, penalty, float(err.max()))


@pytest.mark.parametrize("penalty", list(DESIGNS))
def test_exported_values_and_gradients_against_mpmath(penalty):
    act, G = designed(penalty), DESIGNS[penalty]
    ref = np.array([_mp_phi(G)(z) for z in Z_MP])
    dref = np.array([_mp_dphi(G, z) for z in Z_MP])
    tol = max(act.max_abs_error, 1e-9)
    for name, got in (("torch", _torch_values(act, Z_MP)), ("jax", _jax_values(act, Z_MP))):
        assert np.max(np.abs(got - ref)) <= tol, (name, penalty)
    dsize = float(np.max(np.abs(dref)))
    for name, got in (("torch", _torch_values(act, Z_MP, grad=True)),
                      ("jax", _jax_values(act, Z_MP, grad=True))):
        err = np.abs(got - dref)
        assert np.all(err <= 1e-5 * np.abs(dref) + 1e-7 * dsize), (name, penalty, float(err.max()))


def test_spec_of_a_numeric_design_reloads_and_exports_without_redesign(tmp_path, monkeypatch):
    act = designed("exp(abs(k)^1.5)")
    path = tmp_path / "d.json"
    act.save(str(path))

    def refuse(*a, **k):  # loading must not run the design again
        raise AssertionError("design() called while loading a spec")

    monkeypatch.setattr(actdesign, "design", refuse)
    monkeypatch.setattr(actdesign.activation._design, "design", refuse)
    loaded = actdesign.load(str(path))
    np.testing.assert_array_equal(_torch_values(loaded, Z), _torch_values(act, Z))
