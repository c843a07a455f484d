"""Exact width = inf kernels under the Gaussian law (issue 11, part 2).

References, all independent of actdesign.fit._gaussian_*:
* 2-D mpmath quadrature of E[phi(u) phi(v)] over (z, t) with the normal density,
  split at the kinks (10 to 100 s a point here, so all but one are marked slow);
* a 2-D Gauss-Hermite product rule in numpy for smooth activations at moderate |x|
  (exponentially accurate there; the default run's quick independent reference);
* the closed forms against the quadrature route and vice versa (two algorithms);
* the arcsine kernel of Williams 1997 written out here, for the fit;
* Monte-Carlo kernels of finite networks, for the N^{-1/2} rate.
"""

import json
import math

import mpmath as mp
import numpy as np
import pytest
from click.testing import CliRunner
from scipy.special import erf

import actdesign
from actdesign.fit import RadonSplineRegressor
from actdesign.fit._kernel import feature_matrix, infinite_width_kernel
from actdesign.fit._laws import GaussianLaw
from actdesign.fit._options import as_activation
from actdesign.fit.gaussian._kernel import NUMERIC_ROUTE, _numeric_setup, gaussian_kernel, match
from actdesign.fit.gaussian._quad import bivariate

SW, SB = 1.5, 0.5
LAW = GaussianLaw(SW, SB)
GELU = "z*(1+erf(z/sqrt(2)))/2"

# name -> (formula, mpmath function, kinks, expected closed-form base)
FAMILIES = {
    "erf": ("erf(z)", mp.erf, (), "erf"),
    "relu": ("max(z, 0)", lambda x: max(x, 0), (0,), "relu"),
    "leaky_relu": ("max(z, z/10)", lambda x: max(x, x / 10), (0,), "relu"),
    "sin": ("sin(z)", mp.sin, (), "sin"),
    "gauss": ("exp(-z**2)", lambda x: mp.exp(-x * x), (), "gauss"),
    "gelu": (GELU, lambda x: x * (1 + mp.erf(x / mp.sqrt(2))) / 2, (), "gelu"),
    "step": ("Heaviside(z)", lambda x: 1 if x > 0 else 0, (0,), "step"),
    "abs": ("abs(z)", abs, (0,), "abs"),
    "relu3": ("max(z, 0)**3", lambda x: max(x, 0) ** 3, (0,), "relupow"),
    "cos_poly": ("2*cos(3*z) + 1 - z/4", lambda x: 2 * mp.cos(3 * x) + 1 - x / 4, (), "cos"),
}
# pairs (x, x') with |x| up to 10, D = 1 and D = 3 (the second ones are near-diagonal)
PAIRS_1D = [([10.0], [-3.0]), ([10.0], [9.5])]
PAIRS_3D = [([6.0, -8.0, 0.0], [1.0, 2.0, -2.0]), ([3.0, 4.0, 5.0], [3.0, 4.2, 4.9])]


def _cov(x1, x2):
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    return SW**2 * x1 @ x1 + SB**2, SW**2 * x2 @ x2 + SB**2, SW**2 * x1 @ x2 + SB**2


def _pieces(points, T=12):
    inner = sorted({mp.mpf(p) for p in points if -T < p < T} | {mp.mpf(0)})
    return [-T, *inner, T]


def mp_kernel(f, s11, s22, s12, kinks=(), dps=15):
    """E[f(u) f(v)] by 2-D mpmath quadrature: u = s1 z, v = a z + sigma t, split at kinks."""
    with mp.workdps(dps):
        s11, s22, s12 = mp.mpf(s11), mp.mpf(s22), mp.mpf(s12)
        s1 = mp.sqrt(s11)
        a = s12 / s1
        sig = mp.sqrt(max(s22 - a * a, mp.mpf(0)))
        ks = [mp.mpf(k) for k in kinks] or [mp.mpf(0)]

        def inner(z):
            m = a * z
            if sig == 0:
                return f(m)
            pts = [(k - m) / sig for k in ks]
            return mp.quad(lambda t: f(m + sig * t) * mp.npdf(t), _pieces(pts))

        zp = [k / s1 for k in ks] + ([k / a for k in ks] if a != 0 else [])
        return float(mp.quad(lambda z: f(s1 * z) * mp.npdf(z) * inner(z), _pieces(zp)))


def _kernel_at(act, x1, x2):
    return gaussian_kernel(act, np.atleast_2d(x1), np.atleast_2d(x2), LAW)


# --- closed forms ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_closed_form_is_dispatched(name):
    text, _, _, base = FAMILIES[name]
    assert match(as_activation(text)).name == base


def test_relu_matches_mpmath_default():
    x1, x2 = PAIRS_1D[0]
    K = _kernel_at(as_activation("max(z, 0)"), x1, x2)
    assert "closed form" in K.route
    ref = mp_kernel(FAMILIES["relu"][1], *_cov(x1, x2), (0,))
    assert abs(K.matrix[0, 0] - ref) <= 1e-8 * max(1.0, abs(ref))


def gh_kernel(f, s11, s22, s12, n=200):
    """E[f(u) f(v)] by an n x n Gauss-Hermite product rule in (z, t) (smooth f only)."""
    t, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / math.sqrt(2 * math.pi)
    s1 = math.sqrt(s11)
    a = s12 / s1
    sig = math.sqrt(max(s22 - a * a, 0.0))
    u = s1 * t[:, None]
    v = a * t[:, None] + sig * t[None, :]
    return float(w @ (f(u) * f(v)) @ w)


SMOOTH = {
    "erf": erf,
    "sin": np.sin,
    "gauss": lambda x: np.exp(-x * x),
    "gelu": lambda x: x * (1 + erf(x / math.sqrt(2))) / 2,
    "cos_poly": lambda x: 2 * np.cos(3 * x) + 1 - x / 4,
}
MODERATE = [([0.3], [-0.7]), ([1.0], [0.9]), ([0.5, -0.2, 0.4], [-0.3, 0.6, 0.1])]


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_closed_forms_match_gauss_hermite(name):
    act = as_activation(FAMILIES[name][0])
    for pair in MODERATE:
        ref = gh_kernel(SMOOTH[name], *_cov(*pair))
        assert abs(_kernel_at(act, *pair).matrix[0, 0] - ref) <= 1e-10 * max(1.0, abs(ref))


REQUIRED = ["erf", "relu", "leaky_relu", "sin", "gauss", "gelu"]
# cos(3z) at |x| = 10 oscillates ~135 times per unit of z: beyond mpmath's tanh-sinh
# (it is off by 0.2 there), so that family is checked at |x| = 2
MP_CASES = [(n, p) for n in REQUIRED for p in PAIRS_1D + PAIRS_3D] + [
    (n, ([2.0], [1.5]) if n == "cos_poly" else PAIRS_1D[1])
    for n in sorted(set(FAMILIES) - set(REQUIRED))
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "pair"), MP_CASES)
def test_closed_forms_match_mpmath(name, pair):
    text, f, kinks, _ = FAMILIES[name]
    K = _kernel_at(as_activation(text), *pair)
    ref = mp_kernel(f, *_cov(*pair), kinks)
    assert abs(K.matrix[0, 0] - ref) <= 1e-8 * max(1.0, abs(ref))


def _numeric(act, X1, X2):
    """The quadrature route for any activation (bypassing the closed forms)."""
    phi, kinks, centres, width = _numeric_setup(act)
    i, j = np.indices((len(X1), len(X2))).reshape(2, -1)
    s11, s22, s12, det = LAW.covariances(X1[i], X2[j])
    v, e = bivariate(phi, s11, s22, s12, det=det, kinks=kinks, centres=centres, width=width)
    return v.reshape(len(X1), len(X2)), e.reshape(len(X1), len(X2))


@pytest.mark.parametrize("name", ["erf", "relu", "leaky_relu", "sin", "gauss", "gelu", "step"])
def test_closed_forms_and_quadrature_agree_on_many_points(name):
    act = as_activation(FAMILIES[name][0])
    X1 = np.array([[-10.0], [-7.3], [-2.0], [0.0], [0.4], [3.1], [9.0], [10.0]])
    X3 = np.array([[6.0, -8.0, 0.0], [1.0, 2.0, -2.0], [-3.0, 0.5, 9.0], [1.0, 2.0, -2.001]])
    for X in (X1, X3):
        K = gaussian_kernel(act, X, None, LAW).matrix
        num, err = _numeric(act, X, X)
        scale = np.sqrt(np.outer(np.diag(K), np.diag(K)))
        assert np.max(np.abs(K - num) / np.maximum(scale, 1.0)) < 1e-9
        assert np.max(err) < 1e-8  # the reported estimate is small, too
        assert np.allclose(K, K.T, rtol=0, atol=1e-14)


@pytest.mark.parametrize("D", [1, 3])
def test_trig_kernels_by_product_to_sum(D):
    # E[sin U sin V] = (E cos(U - V) - E cos(U + V)) / 2 = (e^{-Var(U-V)/2} - e^{-Var(U+V)/2}) / 2
    X = np.random.default_rng(D).uniform(-10, 10, (6, D)) / math.sqrt(D)
    G = SW**2 * X @ X.T + SB**2
    d = np.diag(G)
    minus = np.exp(-(d[:, None] + d[None, :] - 2 * G) / 2)
    plus = np.exp(-(d[:, None] + d[None, :] + 2 * G) / 2)
    for text, ref in [("sin(z)", (minus - plus) / 2), ("cos(z)", (minus + plus) / 2)]:
        K = gaussian_kernel(as_activation(text), X, None, LAW).matrix
        assert np.max(np.abs(K - ref)) <= 1e-13


def test_relu_kernel_is_the_arc_cosine_kernel_in_3d():
    # Cho & Saul's n = 1 formula, with the bias as a constant input coordinate
    rng = np.random.default_rng(3)
    X = rng.uniform(-10, 10, (5, 3))
    Xa = np.c_[SW * X, np.full(5, SB)]
    nrm = np.linalg.norm(Xa, axis=1)
    cos = np.clip(Xa @ Xa.T / np.outer(nrm, nrm), -1, 1)
    th = np.arccos(cos)
    ref = np.outer(nrm, nrm) * (np.sin(th) + (np.pi - th) * cos) / (2 * np.pi)
    K = gaussian_kernel(as_activation("max(z, 0)"), X, None, LAW).matrix
    assert np.max(np.abs(K - ref)) <= 1e-12 * np.max(ref)


# --- designed activations: the quadrature route ---------------------------------------------
@pytest.fixture(scope="module")
def designed():
    closed = actdesign.design("exp(k)")  # a closed form (Cauchy) without a Gaussian one
    numeric = actdesign.design("exp(k^4)")  # tabulated
    assert closed.phi is not None and numeric.method == "numeric" and numeric.phi is None
    return closed, numeric


def _mp_of(act):
    return lambda x: mp.mpf(float(act(np.array([float(x)]))[0]))


def quadpack_kernel(f, s11, s22, s12):
    """E[f(u) f(v)] by nested scipy.integrate.quad (QUADPACK), for f analytic on R."""
    from scipy.integrate import quad

    s1 = math.sqrt(s11)
    a = s12 / s1
    sig = math.sqrt(max(s22 - a * a, 0.0))
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731

    def inner(z):
        g = lambda t: float(f(np.array([a * z + sig * t]))[0]) * pdf(t)  # noqa: E731
        return quad(g, -12, 12, points=[0.0, -a * z / sig], epsabs=1e-14, limit=200)[0]

    outer = lambda z: float(f(np.array([s1 * z]))[0]) * pdf(z) * inner(z)  # noqa: E731
    return quad(outer, -12, 12, points=[0.0], epsabs=1e-13, limit=200)[0]


def test_designed_activations_match_independent_quadratures(designed):
    closed, numeric = designed
    for pair in MODERATE[::2]:
        K = _kernel_at(closed, *pair)  # Cauchy: poles near R, so QUADPACK, not Gauss-Hermite
        assert K.route == NUMERIC_ROUTE and K.error < 1e-8
        assert abs(K.matrix[0, 0] - quadpack_kernel(closed, *_cov(*pair))) <= 1e-9
        K = _kernel_at(numeric, *pair)
        assert K.route == NUMERIC_ROUTE and K.error < 1e-8
        assert abs(K.matrix[0, 0] - gh_kernel(numeric, *_cov(*pair))) <= 1e-9


@pytest.mark.slow
@pytest.mark.parametrize(
    ("which", "pair"), [(0, p) for p in PAIRS_1D + PAIRS_3D] + [(1, PAIRS_1D[0]), (1, PAIRS_3D[1])]
)
def test_designed_activations_match_mpmath_everywhere(designed, which, pair):
    act = designed[which]
    K = _kernel_at(act, *pair)
    ref = mp_kernel(_mp_of(act), *_cov(*pair), ())
    assert abs(K.matrix[0, 0] - ref) <= 1e-8 * max(1.0, abs(ref))


def test_shifted_and_unknown_activations_take_the_quadrature_route():
    for text, f in [("tanh(z)", np.tanh), ("exp(-(z-1)**2)", lambda x: np.exp(-((x - 1) ** 2)))]:
        for pair in MODERATE:
            K = _kernel_at(as_activation(text), *pair)
            assert K.route == NUMERIC_ROUTE
            ref = gh_kernel(f, *_cov(*pair))
            assert abs(K.matrix[0, 0] - ref) <= 1e-9 * max(1.0, abs(ref))


@pytest.mark.slow
@pytest.mark.parametrize("text", ["tanh(z)", "exp(-(z-1)**2)"])
@pytest.mark.parametrize("pair", PAIRS_1D + PAIRS_3D)
def test_quadrature_route_matches_mpmath(text, pair):
    f = {"tanh(z)": mp.tanh, "exp(-(z-1)**2)": lambda x: mp.exp(-((x - 1) ** 2))}[text]
    K = _kernel_at(as_activation(text), *pair)
    ref = mp_kernel(f, *_cov(*pair), ())
    assert abs(K.matrix[0, 0] - ref) <= 1e-8 * max(1.0, abs(ref))


def test_zero_bias_std_at_the_origin():
    # u = 0 surely: K(0, x) = phi(0) E[phi(v)] = E[exp(-v^2)] = 1/sqrt(1 + 2 Var v)
    law = GaussianLaw(SW, 0.0)
    X = np.array([[0.0], [2.0]])
    K = gaussian_kernel(as_activation("exp(-z**2)"), X, None, law)
    assert K.route == NUMERIC_ROUTE
    assert abs(K.matrix[0, 1] - 1 / math.sqrt(1 + 2 * SW**2 * 4)) < 1e-12
    assert K.matrix[0, 0] == 1.0


def test_divergent_kernel_is_a_clear_error():
    from actdesign.fit import FitError

    with pytest.raises(FitError, match="not finite"):
        gaussian_kernel(as_activation("exp(z**2)"), np.array([[1.0], [2.0]]), None, LAW)


# --- finite width converges like N^{-1/2} ---------------------------------------------------
@pytest.mark.parametrize("D", [1, 3])
def test_finite_width_converges_like_inverse_sqrt_n(D):
    # E|K_N - K|^2 = Var/N exactly (an average of N iid terms): average the squared
    # error over seeds, then take the root, and fit the log-log slope
    act = as_activation("erf(z)")
    X = np.random.default_rng(D).uniform(-10, 10, (8, D)) / math.sqrt(D)
    exact = infinite_width_kernel(act, X, law=LAW, train="v")
    Ns = np.array([1000, 3000, 10000, 30000, 100000])
    errs = []
    for N in Ns:
        mse = []
        for seed in range(12):
            nrn = LAW.sample(int(N), X, None, np.random.default_rng(seed))
            P = feature_matrix(act, X, nrn, train="v", backend="numpy")
            mse.append(np.mean((P @ P.T / N - exact) ** 2))
        errs.append(math.sqrt(np.mean(mse)))
    slope = np.polyfit(np.log(Ns), np.log(errs), 1)[0]
    assert -0.6 <= slope <= -0.4, (slope, errs)


# --- the fit ------------------------------------------------------------------------------------
def _arcsine(A, B):
    s11 = SW**2 * np.sum(A * A, 1)[:, None] + SB**2
    s22 = SW**2 * np.sum(B * B, 1)[None, :] + SB**2
    s12 = SW**2 * A @ B.T + SB**2
    return 2 / np.pi * np.arcsin(2 * s12 / np.sqrt((1 + 2 * s11) * (1 + 2 * s22)))


def _fit(width, X, y, **kw):
    return RadonSplineRegressor(
        "erf(z)", width=width, law="gaussian", weight_std=SW, bias_std=SB, train="v",
        ridge=1e-3, rcond=0.0, solver="eigh", **kw,
    ).fit(X, y)


def test_fit_is_the_kernel_interpolant():
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, (12, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    Xt = rng.uniform(-4, 4, (40, 2))
    m = _fit(math.inf, X, y)
    alpha = np.linalg.solve(_arcsine(X, X) + 1e-3 * np.eye(12), y)
    ref = _arcsine(Xt, X) @ alpha
    assert np.max(np.abs(m.predict(Xt) - ref)) <= 1e-8 * np.max(np.abs(ref))
    assert m.route_ == "the closed form of 'erf'"
    assert any("Gaussian-law kernel" in n for n in m.notes_)
    # refit reuses the factorisation for another ridge
    alpha2 = np.linalg.solve(_arcsine(X, X) + 1e-2 * np.eye(12), y)
    ref2 = _arcsine(Xt, X) @ alpha2
    assert np.max(np.abs(m.refit(ridge=1e-2).predict(Xt) - ref2)) <= 1e-8 * np.max(np.abs(ref2))
    # a wide finite network approaches it
    gaps = [np.max(np.abs(_fit(n, X, y, seed=0).predict(Xt) - ref)) for n in (300, 30000)]
    assert gaps[1] < 0.3 * gaps[0] and gaps[1] < 0.05 * np.max(np.abs(ref))


def test_fit_with_the_quadrature_route_reports_its_error():
    X = np.linspace(-2, 2, 6)[:, None]
    m = RadonSplineRegressor(
        "tanh(z)", width=math.inf, law="gaussian", weight_std=SW, bias_std=SB, train="v",
        ridge=1e-3,
    ).fit(X, np.cos(X[:, 0]))
    assert m.route_ == NUMERIC_ROUTE and m.kernel_error_ < 1e-8
    assert any("error <=" in n for n in m.notes_)


def test_cli_fit_width_inf_gaussian(tmp_path):
    from actdesign_cli.main import main

    X = np.linspace(-3, 3, 10)
    data = tmp_path / "d.csv"
    np.savetxt(data, np.c_[X, np.sin(X)], delimiter=",")
    args = ["fit", "--data", data, "--activation", "erf(z)", "--width", "inf", "--sampling",
            "gaussian", "--weight-std", SW, "--bias-std", SB, "--train", "v", "--json"]
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["route"] == "the closed form of 'erf'"
    assert any("Gaussian-law kernel" in n for n in rec["notes"])


# --- growing activations and near-diagonal closed forms (issue 17) -------------------------
def _mp_cov(x1, x2):
    """(s11, s22, s12, det) of the pre-activations in mpmath at 40 digits, from the points."""
    with mp.workdps(40):
        x1, x2 = [mp.mpf(float(v)) for v in x1], [mp.mpf(float(v)) for v in x2]
        sw2, sb2 = mp.mpf(SW) ** 2, mp.mpf(SB) ** 2
        dot = lambda a, b: mp.fsum(p * q for p, q in zip(a, b))  # noqa: E731
        s11, s22, s12 = sw2 * dot(x1, x1) + sb2, sw2 * dot(x2, x2) + sb2, sw2 * dot(x1, x2) + sb2
        return s11, s22, s12, s11 * s22 - s12 * s12


GROWING_PAIRS = [([10.0], [-3.0]), ([10.0], [9.5]), ([10.0], [10.0]),
                 ([6.0, -8.0, 0.0], [1.0, 2.0, -2.0]), ([6.0, -8.0, 0.0], [6.0, -8.0, 0.0])]


@pytest.mark.parametrize("a", ["8.2", "4"])
def test_exponential_activations_match_the_closed_form(a):
    # E[e^{u/a} e^{v/a}] = exp((s11 + s22 + 2 s12) / (2 a^2)) exactly; the old route
    # integrated |z| <= 9 only: off by 4.7e-8 (a = 8.2, reported 1.5e-10), refused (a = 4)
    act = as_activation(f"exp(z/{a})")
    for x1, x2 in GROWING_PAIRS:
        K = _kernel_at(act, x1, x2)
        with mp.workdps(40):
            s11, s22, s12, _ = _mp_cov(x1, x2)
            A = mp.mpf(a)
            ref = mp.exp((s11 + s22 + 2 * s12) / (2 * A * A))
            scale = float(mp.sqrt(mp.exp(2 * s11 / A**2) * mp.exp(2 * s22 / A**2)))
            err = abs(K.matrix[0, 0] - ref)
        assert err <= 1e-10 * scale, (x1, x2, float(err) / scale)
        assert err <= K.error, (x1, x2, float(err), K.error)  # the estimate covers it


def test_growth_beyond_the_normal_window_is_finite():
    # exp(z/4) at |x| = 10: E[phi(u)^2] = e^{s11/8} = 1.69e12, finite (the old route: inf)
    K = gaussian_kernel(as_activation("exp(z/4)"), np.array([[10.0]]), None, LAW)
    ref = math.exp((SW**2 * 100 + SB**2) / 8)
    assert abs(K.matrix[0, 0] - ref) <= 1e-12 * ref and K.error <= 1e-10 * ref


ABS_NEAR = [([0.3], [0.3001]), ([1.0], [1.001]), ([3.0], [3.01]), ([3.0], [3.000001]),
            ([1.0, 1.0, 1.0], [1.0, 1.0, 1.0001]), ([6.0, 6.0, 6.0], [6.0, 6.0, 6.001])]


@pytest.mark.parametrize(("x1", "x2"), ABS_NEAR)
def test_abs_closed_form_keeps_its_digits_near_the_diagonal(x1, x2):
    # rho -> 1: the old form sqrt(1 - rho^2) from rho lost up to 6e-14 relative (36 times
    # its own estimate); the reference is the same formula in mpmath at 40 digits
    K = _kernel_at(as_activation("abs(z)"), x1, x2)
    assert K.route == "the closed form of 'abs'"
    with mp.workdps(40):
        s11, s22, s12, det = _mp_cov(x1, x2)
        r = s12 / mp.sqrt(s11 * s22)
        ref = 2 / mp.pi * mp.sqrt(s11 * s22) * (mp.sqrt(det / (s11 * s22)) + r * mp.asin(r))
        err = float(abs(K.matrix[0, 0] - ref))
    assert err <= K.error, (err, K.error)


def test_bivariate_quadrature_follows_a_growing_integrand():
    # the adaptive route by itself (the Mehler series takes these entries in
    # gaussian_kernel): windows in z and t that move out with exp(u/4), checked against
    # E[e^{(u+v)/4}] = exp((s11 + s22 + 2 s12)/32); the old |z| <= 9 window was off by
    # 6.6e-2 relative at s11 = s22 = 225.25 (reported 6e-12)
    s11 = np.array([225.25, 225.25, 100.0, 0.5])
    s22 = np.array([225.25, 200.0, 64.0, 300.0])
    s12 = np.array([225.0, -150.0, 79.9, 12.0])
    phi = lambda x: np.exp(x / 4)  # noqa: E731
    val, err = bivariate(phi, s11, s22, s12)
    ref = np.exp((s11 + s22 + 2 * s12) / 32)
    scale = np.exp((s11 + s22) / 16)  # sqrt(E[phi(u)^2] E[phi(v)^2])
    assert np.all(np.abs(val - ref) <= 1e-10 * scale)
    assert np.all(np.abs(val - ref) <= err)
