"""Feature kernels, closed-form autocorrelations and infinite-width kernels of actdesign.fit.

References are independent: scipy.special, mpmath quadrature at raised precision,
scipy.integrate.quad, and published closed forms (Cho & Saul's arc-cosine kernel,
theory.md §8 case 13).
"""

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc
from scipy import integrate

import actdesign
from actdesign import fit as F
from actdesign.fit._catalog import FORMS, recognize
from actdesign.fit._infinite import NumericAutocorrelation, null_order

ZS = np.concatenate([np.linspace(-30, 30, 1201), [-1e3, -55.5, 0.0, 1e-9, 77.0, 2e3]])

# formula -> (catalog base, independent numpy/scipy reference)
CLOSED = {
    "relu(z)": ("relu", lambda z: np.maximum(z, 0)),
    "max(z, 0.1*z)": ("relu", lambda z: np.where(z > 0, z, 0.1 * z)),
    "max(0,z)^2": ("relupow", lambda z: np.maximum(z, 0) ** 2),
    "abs(z)/2": ("abs", lambda z: np.abs(z) / 2),
    "1/(1+z^2)": ("cauchy", lambda z: 1 / (1 + z * z)),
    "2/(pi*(4+(z-1)^2))": ("cauchy", lambda z: 2 / (np.pi * (4 + (z - 1) ** 2))),
    "exp(-z^2/2)": ("gauss", lambda z: np.exp(-z * z / 2)),
    "exp(-abs(z))/2": ("laplace", lambda z: np.exp(-np.abs(z)) / 2),
    "tanh(z)": ("tanh", np.tanh),
    "sigmoid(z)": ("logistic", sc.expit),
    "softplus(2*z)": ("softplus", lambda z: np.logaddexp(0, 2 * z)),
    "erf(z)": ("erf", sc.erf),
    "besselk(0, abs(z))/pi": ("besselk", lambda z: sc.k0(np.abs(z)) / np.pi),
    "3*tanh(2*z-1)+z": ("tanh", lambda z: 3 * np.tanh(2 * z - 1) + z),
}


@pytest.mark.parametrize("text", sorted(CLOSED))
def test_recognised_closed_forms_and_fused_kernel(text):
    name, ref = CLOSED[text]
    act = actdesign.from_expression(text)
    k = F.compile_activation(act)
    assert k.route == f"closed:{name}"
    from actdesign.fit.compute._numba_kernels import evaluate

    z = ZS[np.abs(ZS) > 1e-12] if name == "besselk" else ZS
    got, want = evaluate(k.code, k.params, z), ref(z)
    assert np.allclose(got, want, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(
    "text", ["z*tanh(z)", "exp(-z^2/2)*cos(3*z)", "log(cosh(z))", "z/sqrt(1+z^2)"]
)
def test_tabulation_route_reproduces_the_formula(text):
    act = actdesign.from_expression(text)
    k = F.compile_activation(act, zmax=40.0)
    assert k.route == "tabulation" and k.table_error <= 1e-10
    from actdesign.fit.compute._numba_kernels import evaluate

    z = np.linspace(-55, 55, 4001)
    want = act(z)
    assert np.max(np.abs(evaluate(k.code, k.params, z) - want) / np.maximum(1, np.abs(want))) < 1e-9


def test_activation_given_only_as_a_tabulation_uses_its_table():
    cauchy = actdesign.from_expression("1/(1+z^2)")
    x = np.linspace(-20, 20, 801)
    tab = actdesign.Tabulation.from_hermite(
        x,
        [cauchy.derivative(x, n) for n in range(3)],
        actdesign.TailLaw(c=1.0, p=-2.0),
        actdesign.TailLaw(c=1.0, p=-2.0),
    )
    act = actdesign.Activation("tab", None, None, phi=None, tabulation=tab, method="numeric")
    k = F.compile_activation(act)
    assert k.route == "tabulation"
    from actdesign.fit.compute._numba_kernels import evaluate

    z = np.linspace(-100, 100, 3001)
    assert np.allclose(evaluate(k.code, k.params, z), tab(z), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("text", ["relu(z)", "1/(1+z^2)", "tanh(z)", "z*tanh(z)"])
def test_numba_and_numpy_feature_tiles_agree(text):
    act = actdesign.from_expression(text)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((37, 3))
    W, b, s = rng.standard_normal((300, 3)), rng.standard_normal(300), rng.uniform(0.5, 2, 300)
    k = F.compile_activation(act, zmax=40)
    a = F.FeatureMap(k, W, b, s, "numba").tile(X, 10, 290)
    ref = act(X @ W[10:290].T + b[10:290]) * s[10:290]
    tol = 1e-12 if k.route.startswith("closed") else 1e-9  # tables are checked to 1e-10
    assert np.allclose(a, ref, rtol=tol, atol=tol)
    assert np.allclose(F.FeatureMap(k, W, b, s, "numpy").tile(X, 10, 290), ref, rtol=tol, atol=tol)


# --- generalised autocorrelations G ------------------------------------------------------
def _mp_phi(name):
    return {
        "cauchy": lambda u: 1 / (1 + u * u),
        "gauss": lambda u: mp.exp(-u * u),
        "laplace": lambda u: mp.exp(-abs(u)),
        "besselk": lambda u: mp.besselk(0, abs(u)),
        "tanh": mp.tanh,
        "logistic": lambda u: 1 / (1 + mp.exp(-u)),
        "erf": mp.erf,
        "step": lambda u: mp.mpf(1) if u > 0 else mp.mpf(0),
    }[name]


@pytest.mark.parametrize(
    "name", ["cauchy", "gauss", "laplace", "besselk", "tanh", "logistic", "erf", "step"]
)
def test_closed_autocorrelations_against_mpmath(name):
    form, f = FORMS[name], _mp_phi(name)
    mp.mp.dps = 25 if name != "besselk" else 15  # K0's log singularities make mpmath slow
    for t in (0.3, 1.7) if name != "besselk" else (0.8,):
        pts = [-mp.inf, -t, 0, mp.inf]
        if form.order == 0:
            ref = mp.quad(lambda u, t=t: f(u) * f(u + t), pts)
        else:  # order 1: G(t) - G(0) = -1/2 ∫ (phi(u+t) - phi(u))^2 du
            ref = -mp.quad(lambda u, t=t: (f(u + t) - f(u)) ** 2, pts) / 2
        assert abs(float(form.G(np.array(t), (0.0, 0.0))) - float(ref)) < 1e-12 * max(
            1, abs(float(ref))
        )


@pytest.mark.parametrize("text", ["relu(z)", "max(0,z)^2", "abs(z)"])
def test_growing_autocorrelations_through_finite_radius_limit(text):
    # For m >= 1 G is only defined modulo polynomials; what the fit uses is a^T G a with a
    # orthogonal to polynomials of degree < m, which must equal lim 2R a^T K_R a.
    act = actdesign.from_expression(text)
    rec = recognize(act.phi, act)
    x = np.array([-0.9, -0.4, 0.1, 0.35, 0.8, 1.0])
    P = np.vander(x, rec.order, increasing=True)
    a = np.linalg.svd(P.T)[2][-1]  # orthogonal to the null space
    R = 50.0
    phi = lambda z: float(act(np.array([z]))[0])  # noqa: E731

    def kR(xi, xj):  # (1/2) sum over xi = +-1 of ∫_{-R}^{R} phi(s x_i - g) phi(s x_j - g) dg
        tot = 0.0
        for s in (1.0, -1.0):
            brk = sorted({s * xi, s * xj})
            tot += integrate.quad(
                lambda g, s=s: phi(s * xi - g) * phi(s * xj - g),
                -R,
                R,
                points=brk,
                epsabs=1e-13,
                epsrel=1e-13,
                limit=200,
            )[0]
        return tot / 2

    KR = np.array([[kR(xi, xj) for xj in x] for xi in x])
    G = rec.autocorrelation(x[:, None] - x[None, :])
    assert np.isclose(a @ KR @ a, a @ G @ a, rtol=1e-8)


def test_numeric_autocorrelation_matches_closed_forms():
    tanh = actdesign.from_expression("tanh(z)")
    num = NumericAutocorrelation(tanh, 1, 6.0)
    t = np.linspace(0, 6, 25)
    assert np.allclose(num(t), FORMS["tanh"].G(t, (0, 0)), atol=1e-9)
    cauchy = actdesign.from_expression("1/(1+z^2)")
    num = NumericAutocorrelation(cauchy, 0, 6.0)
    assert np.allclose(num(t), FORMS["cauchy"].G(t, (0, 0)), atol=1e-9)


def test_numeric_autocorrelation_order_two_softplus():
    # reference: G_softplus(t) = -∫_0^t (t - s) G_logistic(s) ds (G'' = -G of phi'), by mpmath
    act = actdesign.from_expression("softplus(z)")
    assert null_order(act) == 2
    num = NumericAutocorrelation(act, 2, 5.0)
    mp.mp.dps = 20
    Gl = lambda s: 1 - (s / 2) / mp.tanh(s / 2) if s else mp.mpf(0)  # noqa: E731
    for t in (0.5, 2.0, 5.0):
        ref = -mp.quad(lambda s, t=t: (t - s) * Gl(s), [0, t])
        assert abs(num(np.array(t)) - float(ref)) < 1e-8


@pytest.mark.parametrize(
    "text, m",
    [
        ("relu(z)", 2),
        ("1/(1+z^2)", 0),
        ("tanh(z)", 1),
        ("z*tanh(z)", 2),
        ("max(0,z)^2", 3),
        ("exp(-abs(z))", 0),
        ("z/sqrt(1+z^2)", 1),
    ],
)
def test_null_order_from_growth(text, m):
    assert null_order(actdesign.from_expression(text)) == m


# --- infinite-width kernels -----------------------------------------------------------------
def test_radius_inf_kernel_cauchy_2d_closed_form():
    # E_theta[2 pi / (4 + r^2 cos^2 theta)] = pi / sqrt(4 + r^2)
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (40, 2))
    K = F.infinite_width_kernel("1/(1+z^2)", X)
    r = np.linalg.norm(X[:, None] - X[None], axis=-1)
    assert np.allclose(K, np.pi / np.sqrt(4 + r * r), rtol=1e-11)


def test_radius_inf_kernel_gaussian_2d_theory_case_13():
    # theory.md §8 case 13: with the unnormalised measure,
    # kappa = 2 pi sqrt(pi) e^{-r^2/8} I0(r^2/8);
    # actdesign averages over xi (probability), which divides by |S^1| = 2 pi.
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, (30, 2))
    K = F.infinite_width_kernel("exp(-z^2/2)", X)
    r2 = np.sum((X[:, None] - X[None]) ** 2, axis=-1)
    assert np.allclose(K, math.sqrt(math.pi) * sc.i0e(r2 / 8), rtol=1e-11)


def test_radius_inf_kernel_relu_is_cubic_in_distance():
    # E_xi |xi . d|^3 / 12 = |d|^3 Gamma(D/2) / (sqrt(pi) Gamma((D+3)/2)) / 12
    rng = np.random.default_rng(2)
    for D in (1, 2, 3):
        X = rng.standard_normal((15, D))
        r = np.linalg.norm(X[:, None] - X[None], axis=-1)
        c = math.gamma(D / 2) / (math.sqrt(math.pi) * math.gamma((D + 3) / 2)) / 12
        assert np.allclose(F.infinite_width_kernel("relu(z)", X), c * r**3, rtol=1e-10, atol=1e-14)


def test_finite_radius_kernel_against_quad():
    x = np.array([[-0.7], [0.2], [0.9]])
    R = 2.0
    K = F.infinite_width_kernel("relu(z)", x, law=F.UniformLaw(R))
    relu = lambda z: max(z, 0.0)  # noqa: E731
    for i in range(3):
        for j in range(3):
            ref = sum(
                integrate.quad(
                    lambda g, s=s, i=i, j=j: relu(s * x[i, 0] - g) * relu(s * x[j, 0] - g),
                    -R,
                    R,
                    points=[s * x[i, 0], s * x[j, 0]],
                )[0]
                for s in (1, -1)
            ) / (4 * R)
            assert np.isclose(K[i, j], ref, rtol=1e-12)


def test_gaussian_law_erf_kernel_is_williams_arcsine_kernel():
    # Williams (1997): E[erf(u) erf(v)] = (2/pi) asin(2 S12 / sqrt((1 + 2 S11)(1 + 2 S22)))
    rng = np.random.default_rng(4)
    X = 0.5 * rng.standard_normal((6, 2))
    sw, sb = 1.0, 0.5
    K = F.infinite_width_kernel(
        "erf(z)", X, law=F.GaussianLaw(sw, sb), train="v", quadrature=dict(n_weight=48, n_bias=96)
    )
    S = 2 * (sw**2 * X @ X.T + sb**2)
    d = 1 + np.diag(S)
    assert np.allclose(K, 2 / np.pi * np.arcsin(S / np.sqrt(np.outer(d, d))), rtol=0, atol=1e-12)


def test_gaussian_law_relu_kernel_is_the_arc_cosine_kernel():
    # Cho & Saul (2009): E[relu(u) relu(v)] = s1 s2 (sin t + (pi - t) cos t) / (2 pi); train="v"
    # under the Gaussian law is now exact (issue 11), whatever quadrature= says
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 2))
    sw, sb = 1.3, 0.6
    C = sw**2 * X @ X.T + sb**2
    s = np.sqrt(np.diag(C))
    cos = np.clip(C / np.outer(s, s), -1, 1)
    t = np.arccos(cos)
    ref = np.outer(s, s) * (np.sin(t) + (np.pi - t) * cos) / (2 * np.pi)
    errs = [
        np.max(
            np.abs(
                F.infinite_width_kernel(
                    "relu(z)",
                    X,
                    law=F.GaussianLaw(sw, sb),
                    train="v",
                    quadrature=dict(n_weight=n, n_bias=3 * n),
                )
                - ref
            )
            / ref
        )
        for n in (16, 64)
    ]
    assert max(errs) < 1e-12


def test_gaussian_law_mu_kernel_is_the_student_t_weighted_radon_form():
    # train mu: K = E_xi E_gamma[relu(xi.x - gamma) relu(xi.x' - gamma)], gamma = -b/|w| a scaled
    # Student t_3 (theory.md §2). For points on one axis in D = 3, xi_1 ~ U[-1, 1] (Archimedes).
    a = np.array([-0.9, 1.3])
    X = np.zeros((2, 3))
    X[:, 2] = a
    sw, sb = 1.0, 0.8
    K = F.infinite_width_kernel("relu(z)", X, law=F.GaussianLaw(sw, sb), train="mu")
    c = sb / (sw * math.sqrt(3))
    from scipy.stats import t as student

    for i in range(2):
        for j in range(i, 2):
            inner = lambda s, i=i, j=j: integrate.quad(  # noqa: E731
                lambda g: student.pdf(g / c, 3) / c * (a[i] * s - g) * (a[j] * s - g),
                -np.inf,
                min(a[i] * s, a[j] * s),
                epsabs=1e-10,
            )[0]
            ref = integrate.quad(inner, -1, 1, points=[0.0], epsabs=1e-9)[0] / 2
            assert np.isclose(K[i, j], ref, rtol=1e-4)


def test_gaussian_law_mu_kernel_refuses_infinite_moments():
    # D = 1: gamma ~ Cauchy, so E[relu(x - gamma)^2] diverges (theory.md §2)
    x = np.linspace(-1, 1, 5)[:, None]
    m = F.RadonSplineRegressor("relu(z)", width=math.inf, law="gaussian", train="mu")
    with pytest.raises(F.FitError, match="infinite"):
        m.fit(x, x[:, 0] ** 2)
