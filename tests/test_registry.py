"""Every registry record through every consumer, against independent references (issue 11).

One parametrised test runs each :class:`~actdesign.registry.Family` through the
numpy base, analyze, design, the exporters, fit (recognition, fused numba kernel,
tabulated route, uniform-law G) and the gain. References: the record's SymPy closed
form evaluated by ``sympy.lambdify`` on numpy/scipy (not actdesign's evaluator), scipy
quadrature (transforms, Gaussian moments) and the classical transforms of |t|^lambda
(Gel'fand-Shilov). analyze's numeric route (quadrature of phi^(m)) is the independent
reference for the penalty, since its table route reads the registry.
"""

from __future__ import annotations

import importlib
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from scipy import integrate

import actdesign
from actdesign import registry
from actdesign.activation._activation import classical
from actdesign.infra._symbols import k as K
from actdesign.infra._symbols import z as Z

Z_GRID = np.concatenate([np.linspace(-9.7, 9.7, 157), [-31.0, -17.5, 13.25, 29.0]])
K_GRID = np.array([0.07, 0.4, 1.0, 1.9, 3.3])
FAMILIES = registry.FAMILIES


def _ref(expr):
    """numpy callable of a SymPy expression in z through scipy (independent of actdesign)."""
    f = sp.lambdify(Z, expr, modules=["scipy", "numpy"])
    return lambda x: np.broadcast_to(np.asarray(f(np.asarray(x, dtype=float)), float), np.shape(x))


def _grid(fam):
    kinks = np.array(fam.kinks or [np.inf])
    keep = np.min(np.abs(Z_GRID[:, None] - kinks[None, :]), axis=1) > 1e-6
    return Z_GRID[keep]


def _act(fam):
    return actdesign.Activation(name=f"reg_{fam.name}", penalty_text=None, rho=None, phi=fam.phi0)


def _close(got, want, rtol, what):
    got, want = np.asarray(got, float), np.asarray(want, float)
    both_inf = np.isinf(got) & (got == want)  # forbidden frequencies agree
    assert not np.isinf(got[~both_inf]).any() and not np.isinf(want[~both_inf]).any(), (
        f"{what}: infinite on one side only: {got} vs {want}"
    )
    got, want = got[~both_inf], want[~both_inf]
    scale = 1.0 + np.abs(want)
    err = float(np.max(np.abs(got - want) / scale, initial=0.0))
    assert err <= rtol, f"{what}: max relative error {err:.3g} > {rtol}"


def _modulo_polynomials(got, want, z, degree, what, tol=1e-6):
    """got = +-want + a polynomial of degree < degree (the null space), on z."""
    basis = np.vander(z, degree, increasing=True) if degree else np.zeros((z.size, 0))
    best = math.inf
    for sign in (1.0, -1.0):
        r = got - sign * want
        if degree:
            r = r - basis @ np.linalg.lstsq(basis, r, rcond=None)[0]
        best = min(best, float(np.max(np.abs(r)) / (1 + np.max(np.abs(want)))))
    assert best <= tol, f"{what}: differs by {best:.3g} beyond the null space"


@pytest.fixture(scope="module")
def frameworks():
    torch = pytest.importorskip("torch")
    jnp = pytest.importorskip("jax.numpy")
    return torch, jnp


# --- the stages -----------------------------------------------------------------------------
def _check_numpy(fam, ref, z):
    _close(fam.numpy(z, fam.extra_values()), ref(z), 1e-13, f"{fam.name} numpy base")


def _check_analyze(fam, text):
    if fam.rho is None:  # a line spectrum: no tempered penalty, analyze must say so
        with pytest.raises(actdesign.ActdesignError):
            actdesign.analyze(text)
        return
    pen = actdesign.analyze(text)
    assert pen.method == "table", f"{fam.name}: analyze did not use the registry ({pen.method})"
    assert pen.null_space == fam.order_of(fam.extra_values())
    _close_finite(pen(K_GRID), pen.numeric(K_GRID), 10 * pen.rtol, f"{fam.name} rho")
    if fam.scalable:  # A*phi(s*z): the scaling rule s^2 rho(k/s)/A^2 against quadrature
        scaled = actdesign.analyze(str(3 * fam.phi0.xreplace({Z: 2 * Z})))
        values = {n: sp.nsimplify(v) for n, v in fam.params}
        rule = sp.lambdify(K, fam.rho_matched(values, 3, 2), modules=["scipy", "numpy"])
        _close_finite(rule(K_GRID), scaled.numeric(K_GRID), 10 * scaled.rtol, f"{fam.name} scaled")


def _close_finite(got, want, rtol, what):
    """Where the quadrature reference is trusted (finite): analyze marks the rest nan."""
    ok = np.isfinite(want)
    assert ok.sum() >= 3, f"{what}: the quadrature reference is trusted at {ok.sum()} points only"
    _close(np.asarray(got)[ok], np.asarray(want)[ok], rtol, what + " vs quadrature")


def _check_design(fam, ref, z):
    if fam.shape is None:
        return
    act = actdesign.design(str(fam.rho0), shape=fam.shape)
    m = fam.order_of(fam.extra_values()) or 0
    zz = z[np.abs(z) < 10]
    _modulo_polynomials(act(zz), ref(zz), zz, m, f"{fam.name} design")


def _check_export(fam, ref, z, frameworks):
    from actdesign.export import to_jax, to_numpy, to_torch

    torch, jnp = frameworks
    act = _act(fam)
    want = ref(z)
    _close(to_numpy(act)(z), want, 1e-9, f"{fam.name} numpy export")
    got = to_torch(act, gain=False)(torch.as_tensor(z, dtype=torch.float64)).detach().numpy()
    _close(got, want, 1e-9, f"{fam.name} torch export")
    from actdesign.init._export import jax_function, torch_function

    got = torch_function(act)(torch.as_tensor(z, dtype=torch.float64))
    _close(got.detach().numpy(), want, 1e-9, f"{fam.name} init's torch function")
    with _x64():
        _close(np.asarray(to_jax(act, gain=False)(jnp.asarray(z))), want, 1e-9,
               f"{fam.name} jax export")
        _close(np.asarray(jax_function(act)(jnp.asarray(z))), want, 1e-9,
               f"{fam.name} init's jax function")


def _x64():
    import jax

    return jax.enable_x64(True)


def _check_fit(fam, ref, z):
    from actdesign.fit._catalog import recognize
    from actdesign.fit.compute import _numba_kernels
    from actdesign.fit.compute._tabulate import tabulate

    act = _act(fam)
    rec = recognize(fam.phi0, act)
    fused = fam.name if fam.code is not None else fam.fused_as
    assert (rec.form.name if rec else None) == fused, f"{fam.name}: recognised as {rec}"
    if rec is not None:
        _close(rec(z), ref(z), 1e-12, f"{fam.name} recognised form")
        _close(_numba_kernels.evaluate(rec.form.code, rec.params(), z), ref(z), 1e-12,
               f"{fam.name} numba kernel")
        assert rec.kinks == fam.kinks
    if fam.rho is not None:  # the tabulated route, kinks found by actdesign.formula._kinks
        tab, _err = tabulate(act, 40.0)
        if _singular(fam):  # a pole of phi' (Bessel K0 at 0): no polynomial piece fits
            assert tab is None, f"{fam.name}: a table across a singular point"
            return
        assert tab is not None, f"{fam.name}: the fit tabulation failed"
        _close(tab(z), ref(z), 1e-9, f"{fam.name} fit tabulation")


def _singular(fam) -> bool:
    """phi' unbounded next to a kink (checked on the reference, not on actdesign)."""
    df = _ref(classical(sp.diff(fam.phi0, Z)))
    return any(abs(float(df(np.array(c + s)))) > 1e6 for c in fam.kinks for s in (-1e-9, 1e-9))


def _check_G(fam):
    """G against 1/rho: F[G] = |F[b]|^2 = 1/rho (theory.md §3), m = null-space order."""
    if fam.G is None or fam.G(np.ones(1), fam.extra_values()) is None:
        return
    e = fam.extra_values()
    m = fam.order_of(e)
    rho = sp.lambdify(K, fam.rho0, modules=["scipy", "numpy"])
    t = np.array([0.5, 1.0])
    G = np.array([float(fam.G(np.array([v]), e)[0]) for v in t])
    lam = math.log(abs(G[1] / G[0])) / math.log(2.0)
    if fam.kinks and m > 0:  # a power c|t|^lambda: F[|t|^l] = -2 Gamma(l+1) sin(pi l/2)/|k|^(l+1)
        c = G[1]
        for kk in K_GRID:
            ft = c * -2 * math.gamma(lam + 1) * math.sin(math.pi * lam / 2) / kk ** (lam + 1)
            assert ft == pytest.approx(1 / rho(kk), rel=1e-10), fam.name
        return
    h = 1e-2
    for tt in (0.7, 1.6):  # (-1)^m G^(2m)(t) = (1/pi) int_0^inf k^(2m)/rho cos(kt) dk
        s = np.array([-2, -1, 0, 1, 2]) * h + tt
        g = fam.G(s, e)
        d = {0: g[2], 1: (g[1] - 2 * g[2] + g[3]) / h**2}[m]
        want = _cosine_transform(lambda kk: kk ** (2 * m) / rho(kk), tt) / np.pi
        assert (-1) ** m * d == pytest.approx(want, rel=2e-4, abs=1e-8), f"{fam.name} G at {tt}"


def _cosine_transform(f, t):
    """int_0^inf f(k) cos(k t) dk by QUADPACK's Fourier rule (QAWF); an integrand that
    overflows to inf/inf far out is 0 there. The warning QAWF gives when it loses
    accuracy is left to the assertion's tolerance to judge."""
    def g(kk):
        with np.errstate(all="ignore"):
            v = float(f(kk))
        return v if math.isfinite(v) else 0.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return integrate.quad(g, 0, np.inf, weight="cos", wvar=t, limlst=200)[0]


def _expect(f, kinks):
    """E[f(Z)], Z ~ N(0, 1), by mpmath's tanh-sinh rule split at the kinks (handles the
    logarithmic endpoint singularity of Bessel K)."""
    import mpmath as mp

    pts = sorted({*kinks, -8.0, 8.0})
    dens = lambda x: mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
    return float(mp.quad(lambda x: float(f(np.array(float(x)))) * dens(x), [-40, *pts, 40]))


def _check_gain(fam):
    from actdesign.init import gain

    f = _ref(fam.phi0)
    second = _expect(lambda x: f(x) ** 2, fam.kinks)
    g = gain(_act(fam))
    assert float(g) == pytest.approx(1 / math.sqrt(second), rel=1e-8), f"{fam.name} gain"
    df = _ref(classical(sp.diff(fam.phi0, Z)))
    dsecond = _expect(lambda x: df(x) ** 2, fam.kinks)
    jumps = [abs(float(f(np.array(c + 1e-9))) - float(f(np.array(c - 1e-9)))) for c in fam.kinks]
    if max(jumps, default=0.0) > 1e-6 or _singular(fam):
        # phi' holds a delta (step) or a 1/|z| pole (Bessel K0): E[phi'^2] is infinite
        assert g.chi == math.inf, f"{fam.name} chi"
    else:
        assert g.chi == pytest.approx(dsecond / second, rel=1e-7), f"{fam.name} chi"


def _check_gaussian_key(fam):
    if fam.gaussian_kernel is not None:
        closed = importlib.import_module("actdesign.fit.gaussian._closed").CLOSED
        assert fam.gaussian_kernel in closed, f"{fam.name}: no kernel {fam.gaussian_kernel}"


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name for f in FAMILIES])
def test_every_record_through_every_consumer(fam, frameworks):
    ref, z = _ref(fam.phi0), _grid(fam)
    _check_numpy(fam, ref, z)
    _check_analyze(fam, str(fam.phi0))
    _check_design(fam, ref, z)
    _check_export(fam, ref, z, frameworks)
    _check_fit(fam, ref, z)
    _check_G(fam)
    _check_gain(fam)
    _check_gaussian_key(fam)


# --- the tables that hold codes and names agree with the records -------------------------------
def test_kernel_codes_native_names_and_extractors_cover_the_records(frameworks):
    from actdesign.fit._catalog import EXTRACTORS, FORMS
    from actdesign.fit.compute import _numba_kernels

    torch, jnp = frameworks
    cupy_source = (Path(_numba_kernels.__file__).parent / "_cupy_kernels.py").read_text()
    codes = {f.code for f in FAMILIES if f.code is not None}
    assert len(codes) == len([f for f in FAMILIES if f.code is not None])  # codes are unique
    assert codes == set(_numba_kernels.CLOSED_CODES) | set(_numba_kernels.SPECIAL_CODES)
    for code in codes - {12}:  # Bessel K has no CUDA routine: the cupy path tabulates it
        assert f"code == {code})" in cupy_source
    assert set(FORMS) == {name for name, _ in EXTRACTORS}
    z = np.linspace(-3, 3, 13)
    for fam in FAMILIES:
        want = _ref(fam.phi0)(z)
        for where, module in (("numpy", np), ("torch", torch), ("jax", jnp)):
            name = fam.native.get(where)
            if name is None:
                continue
            if where == "jax" and name.startswith("nn."):
                import jax

                fn = getattr(jax.nn, name[3:])
            else:
                fn = getattr(module, name)
            arg = torch.as_tensor(z) if where == "torch" else z
            with _x64():
                _close(np.asarray(fn(arg)), want, 1e-12, f"{fam.name} native {where}")


def test_export_tables_spell_the_native_names():
    """_export's per-backend function tables print a family f(z) with its native name."""
    from actdesign._export.backends._tables import BACKENDS

    prefix = {"numpy": "np.", "torch": "torch.", "jax": "jnp."}
    checked = 0
    for fam in FAMILIES:
        head = type(fam.phi0)
        if fam.phi0.args != (Z,) or not fam.native:
            continue
        for backend, name in fam.native.items():
            if name.startswith("nn."):
                continue
            assert BACKENDS[backend]["functions"][head] == f"{prefix[backend]}{name}({{0}})"
            checked += 1
    assert checked >= 10


def test_gallery_catalog_agrees_with_the_registry():
    """catalog.json entries whose phi a registry pattern matches state the registry's penalty."""
    from actdesign import catalog
    from actdesign.activation._analyze import _match_table

    checked = 0
    for entry in catalog.entries():
        if entry.phi == catalog.DESIGNED or entry.dim != 1:
            continue
        rho = _match_table(actdesign.parse_activation(entry.phi))
        if rho is None:
            continue
        stated = sp.lambdify(K, actdesign.parse_penalty(entry.penalty), modules=["scipy", "numpy"])
        registry_rho = sp.lambdify(K, rho, modules=["scipy", "numpy"])
        # off the band edge k = 1 of the band-limited entries: there F takes the midpoint of
        # its jump (rho = 4/pi^2 for sinc), a single point the stated Piecewise leaves out
        ks = K_GRID[K_GRID != 1.0]
        _close(stated(ks), registry_rho(ks), 1e-10, f"catalog entry {entry.name}")
        checked += 1
    assert checked >= 5


def test_no_module_over_500_lines():
    root = Path(actdesign.__file__).parent
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500
            and not re.match(r"fit/_regressor", str(p.relative_to(root)))}
    assert not long, f"modules over 500 lines: {long}"
