"""actdesign.choose: kernels of penalty families, objectives, parameter recovery."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import cdist

import actdesign
from actdesign.choose import (
    FAMILIES,
    ChooseError,
    cv_error,
    gaussian,
    hankel_kernel,
    log_marginal,
    matern,
    poisson,
)


# --- kernels: closed forms against an mpmath Hankel transform ----------------------------
def _mp_kernel(inv_rho, r, dim):
    """(2 pi)^-D ∫ exp(iK.x) / rho(|K|) dK by mpmath (oscillatory quadrature)."""
    with mp.workdps(20):
        d = mp.mpf(dim)
        if r == 0:
            area = 2 * mp.pi ** (d / 2) / mp.gamma(d / 2)
            return area * mp.quad(lambda k: k ** (dim - 1) * inv_rho(k), [0, 1, mp.inf]) / (
                2 * mp.pi) ** dim
        r = mp.mpf(r)
        f = lambda k: k ** (d / 2) * mp.besselj(d / 2 - 1, k * r) * inv_rho(k)  # noqa: E731
        if dim == 2:
            val = mp.quadosc(f, [0, mp.inf], zeros=lambda n: mp.besseljzero(0, n) / r)
        else:  # J_(-1/2), J_(1/2): cos and sin, period 2 pi / r
            val = mp.quadosc(f, [0, mp.inf], omega=r)
        return float((2 * mp.pi) ** (-d / 2) * r ** (1 - d / 2) * val)


CASES = [  # (closed form, mpmath 1/rho, numpy 1/rho)
    (lambda r, D: poisson(r, 0.7, D), lambda k: mp.exp(-0.7 * k), lambda k: np.exp(-0.7 * k)),
    (lambda r, D: gaussian(r, 0.3, D), lambda k: mp.exp(-0.3 * k * k),
     lambda k: np.exp(-0.3 * k * k)),
    (lambda r, D: matern(r, 0.5, D / 2 + 1.3, D), None, None),
]


@pytest.mark.parametrize("dim,r", [(1, 0.0), (1, 1.7), (2, 0.3), (2, 1.7), (3, 0.0), (3, 1.7)])
@pytest.mark.parametrize("case", range(3))
def test_closed_form_kernels_match_mpmath(case, dim, r):
    closed, inv_mp, _ = CASES[case]
    if inv_mp is None:  # Matern: the exponent depends on D
        p = dim / 2 + 1.3
        inv_mp = lambda k: (1 + 0.5 * k * k) ** (-p)  # noqa: E731
    ref = _mp_kernel(inv_mp, r, dim)
    assert closed(r, dim) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("dim", [1, 2, 3, 4])
def test_numeric_hankel_route_matches_closed_forms(dim):
    # accuracy: 1e-12 of kappa(0) absolute, including slowly decaying spectra (p near D/2)
    r = np.array([0.0, 0.05, 0.4, 2.5, 10.0])
    for inv, closed in [
        (lambda k: np.exp(-0.7 * k), lambda r: poisson(r, 0.7, dim)),
        (lambda k: np.exp(-0.3 * k * k), lambda r: gaussian(r, 0.3, dim)),
        (lambda k: (1 + 0.5 * k * k) ** -(dim / 2 + 0.3),
         lambda r: matern(r, 0.5, dim / 2 + 0.3, dim)),
    ]:
        ref = closed(r)
        np.testing.assert_allclose(hankel_kernel(inv, r, dim), ref, rtol=1e-9, atol=1e-12 * ref[0])


def test_matern_half_integer_is_the_textbook_form():
    # nu = 1/2 in 1-D (p = 1): kappa = exp(-r / sqrt(a)) / (2 sqrt(a)); an elementary reference
    r = np.array([0.0, 0.2, 3.0])
    np.testing.assert_allclose(matern(r, 0.36, 1.0, 1), np.exp(-r / 0.6) / 1.2, rtol=1e-13)


def test_matern_needs_p_above_half_the_dimension():
    with pytest.raises(ValueError, match="p > D/2"):
        matern(np.ones(2), 1.0, 1.0, 2)


def test_families_kernels_are_transforms_of_their_penalty_strings():
    # the kernel of each family is the transform of 1/rho of the penalty string it writes
    from actdesign.formula._evaluate import evaluate
    from actdesign.infra._symbols import k as K

    params = {"exp": {"a": 0.8}, "matern": {"a": 0.4, "p": 2.2}, "gauss": {"a": 0.3},
              "exp_mix": {"a": 0.3, "b": 1.1, "c": 0.5}}
    r = np.array([0.0, 0.9])
    for name, fam in FAMILIES.items():
        rho = actdesign.parse_penalty(fam.penalty(params[name]))
        ref = hankel_kernel(lambda q, rho=rho: 1.0 / evaluate(rho, K, q), r, 2)
        np.testing.assert_allclose(fam.kernel(r, params[name], 2), ref, rtol=1e-8)


# --- objectives against independent formulations ----------------------------------------
def _toy(seed=3, M=40):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 5, (M, 1))
    C = poisson(cdist(X, X), 0.6, 1) / poisson(0.0, 0.6, 1)
    return X, C, 1.5 + np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(M)


def test_log_marginal_is_the_gaussian_density_at_its_maximisers():
    _, C, y = _toy()
    eta = 0.05
    value, ex = log_marginal(C, y, eta)
    cov = ex["signal_var"] * (C + eta * np.eye(y.size))
    ref = stats.multivariate_normal(np.full(y.size, ex["mean"]), cov).logpdf(y)
    assert value == pytest.approx(ref, rel=1e-12)
    assert ex["noise_var"] == pytest.approx(eta * ex["signal_var"])
    for dm, fs in [(1e-3, 1.0), (-1e-3, 1.0), (0.0, 1.01), (0.0, 0.99)]:  # a maximum in both
        other = stats.multivariate_normal(np.full(y.size, ex["mean"] + dm), fs * cov).logpdf(y)
        assert other < ref


def test_cv_error_matches_kriging_equations_with_unknown_mean():
    _, C, y = _toy()
    eta, M = 0.02, y.size
    folds = [np.arange(i, M, 4) for i in range(4)]
    value, _ = cv_error(C, y, eta, folds)
    sq = 0.0
    for test in folds:  # ordinary kriging: [[A, 1], [1^T, 0]] [w; l] = [c; 1]
        train = np.setdiff1d(np.arange(M), test)
        A = C[np.ix_(train, train)] + eta * np.eye(train.size)
        one = np.ones((train.size, 1))
        big = np.block([[A, one], [one.T, np.zeros((1, 1))]])
        rhs = np.vstack([C[np.ix_(train, test)], np.ones((1, test.size))])
        w = np.linalg.solve(big, rhs)[:-1]
        sq += np.sum((y[test] - w.T @ y[train]) ** 2)
    assert value == pytest.approx(sq / M, rel=1e-10)


# --- recovery of the generating parameter ------------------------------------------------
def _draw(kernel, M, dim, seed, length, noise=1e-2):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, length, (M, dim))
    C = kernel(cdist(X, X)) / kernel(np.zeros(1))[0]
    f = np.linalg.cholesky(C + 1e-12 * np.eye(M)) @ rng.standard_normal(M)
    return X, f + noise * rng.standard_normal(M)


def test_recovers_exp_penalty_parameter_within_10_percent():
    fitted = []
    for seed in range(3):
        X, y = _draw(lambda r: poisson(r, 0.5, 1), 300, 1, seed, 20.0)
        fitted.append(actdesign.choose_penalty(X, y, "exp", design=False).params["a"])
    assert all(abs(a / 0.5 - 1) < 0.10 for a in fitted), fitted


def test_recovers_matern_parameter_within_10_percent_in_the_median():
    # fixed-p Matern: one draw's estimate scatters by ~25 % (finite domain), the median of
    # five independent draws is within 10 %
    fitted = []
    for seed in range(5):
        X, y = _draw(lambda r: matern(r, 0.25, 2.5, 1), 300, 1, seed, 40.0)
        ch = actdesign.choose_penalty(X, y, "matern", fixed={"p": 2.5}, design=False)
        assert ch.params["p"] == 2.5
        fitted.append(ch.params["a"])
    assert abs(np.median(fitted) / 0.25 - 1) < 0.10, fitted


@pytest.mark.slow
def test_recovery_in_two_dimensions_and_with_free_smoothness():
    # 2-D, M = 400 on [0, 6]^2: single draws of exp(a|k|) scatter by ~10 %, their median is
    # within 10 %; Matern with p free: p within 10 %, a (correlated with p) within 25 %
    fitted = []
    for seed in range(5):
        X, y = _draw(lambda r: poisson(r, 0.5, 2), 400, 2, seed, 6.0)
        fitted.append(actdesign.choose_penalty(X, y, "exp", design=False).params["a"])
    assert abs(np.median(fitted) / 0.5 - 1) < 0.10, fitted
    assert all(abs(a / 0.5 - 1) < 0.15 for a in fitted), fitted
    fitted = []
    for seed in range(5):
        X, y = _draw(lambda r: matern(r, 0.25, 3.0, 2), 400, 2, seed, 6.0)
        fitted.append(actdesign.choose_penalty(X, y, "matern", design=False).params)
    assert abs(np.median([f["a"] for f in fitted]) / 0.25 - 1) < 0.25, fitted
    assert abs(np.median([f["p"] for f in fitted]) / 3.0 - 1) < 0.10, fitted


def test_auto_prefers_the_generating_family_and_designs_its_activation():
    X, y = _draw(lambda r: gaussian(r, 0.4, 1), 200, 1, 7, 20.0, noise=1e-3)
    ch = actdesign.choose_penalty(X, y)
    rep = ch.report()
    assert ch.family == "gauss"
    assert ch.params["a"] == pytest.approx(0.4, rel=0.1)
    assert set(rep["families"]) == {"exp", "matern", "gauss"}
    assert rep["convention"] == actdesign.CONVENTION
    act = ch.activation
    assert act.penalty_text == ch.penalty and act.dim == 1
    # designed phi for rho = exp(a k^2) in 1-D: (s / sqrt(2 pi)) exp(-s^2 z^2 / 2), s^2 = 1/a
    a = float(ch.penalty.split("(")[1].split("*")[0])
    z = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(act(z), np.exp(-z * z / (2 * a)) / math.sqrt(2 * math.pi * a),
                               rtol=1e-10)


def test_a_winner_that_cannot_be_designed_gives_way_to_the_next_family(monkeypatch):
    from actdesign.activation import _design
    from actdesign.choose import FamilyFit
    from actdesign.choose._choose import _design_first

    def fit(family, params):
        return FamilyFit(family, params, 1e-3, 0.0, {}, 2, (), 1)

    # every fitted family designs now, so the design refuses the winner on purpose (the
    # Matern of camera at 64 x 64, which the design refused until the cusp terms)
    design = _design.design

    def refusing(penalty, **kw):
        if penalty.startswith("(1 + "):
            raise actdesign.PenaltyError(f"penalty {penalty!r}: refused for the test")
        return design(penalty, **kw)

    monkeypatch.setattr(_design, "design", refusing)
    ranked = [fit("matern", {"a": 0.155652, "p": 1.68238}), fit("exp", {"a": 0.22})]
    notes = []
    best, act = _design_first(ranked, 2, "bump", notes)
    assert best.family == "exp" and act.penalty_text == "exp(0.22*k)"
    assert len(notes) == 1 and "matern" in notes[0] and "not designable" in notes[0]


def test_cv_objective_runs_and_reports():
    X, y = _draw(lambda r: poisson(r, 0.5, 1), 120, 1, 1, 10.0)
    ch = actdesign.choose_penalty(X, y, ["exp", "gauss"], objective="cv", folds=4, design=False)
    rep = ch.report()
    assert ch.family == min(rep["families"], key=lambda n: rep["families"][n]["value"])
    assert 0 < rep["families"][ch.family]["value"] < np.var(y)
    assert rep["activation"] is None


# --- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    (dict(family="bessel"), "unknown penalty family"),
    (dict(objective="aic"), "unknown objective"),
    (dict(family="exp", fixed={"q": 1.0}), "not a parameter"),
    (dict(family="matern", fixed={"p": 0.4}), "too small"),
    (dict(family="exp", fixed={"a": float("nan")}), "positive number"),
    (dict(folds=1), "folds"),
])
def test_bad_arguments_raise_choose_errors(kwargs, match):
    X = np.linspace(0, 1, 30)
    with pytest.raises(ChooseError, match=match):
        actdesign.choose_penalty(X, np.sin(5 * X), **kwargs)


def test_bad_data_raise_actdesign_errors():
    X = np.linspace(0, 1, 30)
    with pytest.raises(actdesign.ActdesignError, match="NaN"):
        actdesign.choose_penalty(X, np.where(X > 0.5, np.nan, X))
    with pytest.raises(actdesign.ActdesignError, match="one target per point"):
        actdesign.choose_penalty(X, X[:-1])
    with pytest.raises(ChooseError, match="constant"):
        actdesign.choose_penalty(X, np.ones(30))
    with pytest.raises(ChooseError, match="too few"):
        actdesign.choose_penalty(X[:5], X[:5])
