"""RadonSplineRegressor against independent references (issue 8, "Done when").

References: scipy's natural cubic spline, numpy's dense pseudo-inverse, plain gradient
descent, and the spline energy ∫ f''^2 computed from the spline's own coefficients.
"""

import math
import warnings

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from actdesign import fit as F

# data on the lattice 0.05 Z, predictions on 0.01 Z: with gamma panels of width 0.01 every
# ReLU kink falls on a panel edge, so the finite-R quadrature is exact (theory.md §8 case 14)
X1 = np.array([-1.0, -0.6, -0.1, 0.3, 0.55, 1.0])
Y1 = np.array([0.2, -0.5, 0.8, 0.1, 0.4, -0.3])
GRID = np.round(np.linspace(-1, 1, 201), 12)


def _spline():
    return CubicSpline(X1, Y1, bc_type="natural")


def _energy(cs):
    """∫ f''^2 over the hull of a cubic spline (f'' is linear on each piece)."""
    tot = 0.0
    for i in range(len(cs.x) - 1):
        h = cs.x[i + 1] - cs.x[i]
        a = 2 * cs.c[1, i]
        b = a + 6 * cs.c[0, i] * h
        tot += h * (a * a + a * b + b * b) / 3
    return tot


def _inf_fit(R, **kw):
    q = None if math.isinf(R) else dict(panels=int(round(2 * R / 0.01)))
    return F.RadonSplineRegressor("relu(z)", width=math.inf, radius=R, quadrature=q, **kw).fit(
        X1[:, None], Y1
    )


def test_relu_radius_inf_is_the_natural_cubic_spline():
    m = _inf_fit(math.inf)
    assert m.null_order_ == 2 and m.rank_ == 6
    assert np.max(np.abs(m.predict(GRID[:, None]) - _spline()(GRID))) < 1e-8
    # and on other data, with a ridge path point of zero: still the spline
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 2, 25))
    y = np.cos(2 * x)
    p = F.RadonSplineRegressor("relu(z)", width="inf", radius=math.inf).fit(x[:, None], y)
    g = np.linspace(x[0], x[-1], 500)
    assert np.max(np.abs(p.predict(g[:, None]) - CubicSpline(x, y, bc_type="natural")(g))) < 1e-8


def test_finite_radius_gap_shrinks_like_one_over_R():
    Rs = np.array([2.0, 4.0, 8.0, 16.0, 32.0])
    cs = _spline()(GRID)
    gaps = [np.max(np.abs(_inf_fit(R).predict(GRID[:, None]) - cs)) for R in Rs]
    slope = np.polyfit(np.log(Rs), np.log(gaps), 1)[0]
    assert -1.1 < slope < -0.9


def test_finite_width_converges_to_infinite_width_like_inverse_sqrt_N():
    R = 4.0
    target = _inf_fit(R).predict(GRID[:, None])
    Ns = np.array([500, 2000, 8000, 32000])
    errs = []
    for N in Ns:
        e = [
            np.sqrt(
                np.mean(
                    (
                        F.RadonSplineRegressor("relu(z)", width=int(N), radius=R, seed=s)
                        .fit(X1[:, None], Y1)
                        .predict(GRID[:, None])
                        - target
                    )
                    ** 2
                )
            )
            for s in range(12)
        ]
        errs.append(np.mean(e))
    slope = np.polyfit(np.log(Ns), np.log(errs), 1)[0]
    assert -0.65 < slope < -0.35


def test_sum_mu_squared_is_the_spline_energy():
    # theory.md §2: sum mu^2 -> (2R/N) ∫ f''^2 (1-D ReLU, uniform law, R large next to the data)
    R, N = 8.0, 200_000
    ratios = []
    for s in range(3):
        m = F.RadonSplineRegressor("relu(z)", width=N, radius=R, seed=s).fit(X1[:, None], Y1)
        ratios.append(np.sum(m.mu_**2) / (2 * R / N * _energy(_spline())))
    assert abs(np.mean(ratios) - 1) < 0.01


def _problem(seed=0, M=8, N=300):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, M))
    return x[:, None], np.sin(3 * x) + 0.3 * x, N


def _dense(m, X):
    """Dense trained-coordinate features of a fitted network (numpy, no actdesign kernels)."""
    Z = X @ m.w_.T + m.b_
    psi = np.maximum(Z, 0)
    return psi / m.omega_ if m.train == "mu" else psi


def test_training_v_and_mu_match_their_own_closed_forms_and_differ():
    X, y, N = _problem()
    kw = dict(width=N, law="gaussian", weight_std=2.0, bias_std=1.0, seed=4, rcond=0.0)
    mv = F.RadonSplineRegressor("relu(z)", train="v", **kw).fit(X, y)
    mm = F.RadonSplineRegressor("relu(z)", train="mu", **kw).fit(X, y)
    assert np.array_equal(mv.w_, mm.w_)  # same neurons
    v_ref = np.linalg.pinv(_dense(mv, X)) @ y  # min sum v^2 subject to the fit
    mu_ref = np.linalg.pinv(_dense(mm, X)) @ y  # min sum mu^2 subject to the fit
    # the Gram squares the condition number (1e4 for the omega^-1 scaled mu features here)
    assert np.allclose(mv.v_, v_ref, rtol=0, atol=1e-8 * np.abs(v_ref).max())
    assert np.allclose(mm.mu_, mu_ref, rtol=0, atol=1e-7 * np.abs(mu_ref).max())
    assert np.allclose(mv.mu_, mv.v_ * mv.omega_) and np.allclose(mm.v_, mm.mu_ / mm.omega_)
    assert np.linalg.norm(mv.v_ - mm.v_) > 0.05 * np.linalg.norm(mv.v_)
    g = np.linspace(-1, 1, 50)[:, None]
    assert np.max(np.abs(mv.predict(g) - mm.predict(g))) > 1e-3


def test_gradient_descent_on_mu_converges_to_the_closed_form():
    X = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0]])  # well conditioned: GD converges quickly
    y = np.sin(3 * X[:, 0])
    N = 60
    mu0 = np.random.default_rng(2).standard_normal(N) * 0.1
    m = F.RadonSplineRegressor("relu(z)", width=N, radius=1.0, seed=3, rcond=0.0).fit(
        X, y, coef_init=mu0
    )
    Psi = _dense(m, X)
    mu = mu0.copy()
    step = 1.0 / np.linalg.norm(Psi, 2) ** 2
    for _ in range(50_000):
        mu -= step * Psi.T @ (Psi @ mu - y)
    assert np.linalg.norm(Psi @ mu - y) < 1e-10
    assert np.allclose(mu, m.mu_, rtol=0, atol=1e-9 * np.abs(mu).max())
    assert not np.allclose(m.mu_, np.linalg.pinv(Psi) @ y, atol=1e-3)  # mu0 matters


def test_ridge_matches_its_closed_form():
    X, y, N = _problem(seed=5)
    lam = 1e-3
    m = F.RadonSplineRegressor("relu(z)", width=N, radius=1.5, seed=1, ridge=lam).fit(X, y)
    Psi = _dense(m, X)
    theta = Psi.T @ np.linalg.solve(Psi @ Psi.T / N + lam * np.eye(len(y)), y) / N
    assert np.allclose(m.mu_, theta, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("act", ["relu(z)", "1/(1+z^2)", "tanh(z)"])
def test_radius_inf_fit_is_invariant_to_rotation_and_translation(act):
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (40, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    Xt = rng.uniform(-1, 1, (30, 2))
    Q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    t = np.array([3.0, -1.5])
    kw = dict(width=math.inf, radius=math.inf, ridge=1e-6)
    a = F.RadonSplineRegressor(act, **kw).fit(X, y).predict(Xt)
    b = F.RadonSplineRegressor(act, **kw).fit(X @ Q.T + t, y).predict(Xt @ Q.T + t)
    assert np.max(np.abs(a - b)) < 1e-8 * max(1, np.abs(a).max())


def test_solvers_agree_with_a_dense_svd():
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + 0.01 * rng.standard_normal(300)
    Xt = rng.uniform(-1, 1, (200, 2))
    preds = {}
    for solver in ("eigh", "lowrank", "direct"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", F.LowRankWarning)
            m = F.RadonSplineRegressor(
                "1/(1+z^2)", width=1500, seed=0, rcond=1e-5, solver=solver
            ).fit(X, y)
        preds[solver] = m.predict(Xt)
    A = np.asarray(
        F.feature_matrix("1/(1+z^2)", X, F.Neurons(m.w_, m.b_, m.neuron_weights_))
    ) / np.sqrt(1500)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    keep = s > 1e-5 * s[0]
    theta = Vt[keep].T @ ((U[:, keep].T @ y) / s[keep]) / np.sqrt(1500)
    ref = F.feature_matrix("1/(1+z^2)", Xt, F.Neurons(m.w_, m.b_, m.neuron_weights_)) @ theta
    for solver, p in preds.items():
        assert np.max(np.abs(p - ref)) < 1e-6, solver


def test_low_rank_is_reported_and_warned():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (300, 2))
    with pytest.warns(F.LowRankWarning, match="far below"):
        m = F.RadonSplineRegressor("exp(-z^2)", width=2000, seed=0).fit(X, X[:, 0])
    assert m.rank_ < 75 and any("far below" in n for n in m.notes_)


def test_tabulated_activation_fits_like_its_closed_form():
    import actdesign

    cauchy = actdesign.from_expression("1/(1+z^2)")
    x = np.linspace(-30, 30, 1201)
    tab = actdesign.Tabulation.from_hermite(
        x,
        [cauchy.derivative(x, n) for n in range(3)],
        actdesign.TailLaw(c=1.0, p=-2.0),
        actdesign.TailLaw(c=1.0, p=-2.0),
    )
    numeric = actdesign.Activation("tab", None, None, phi=None, tabulation=tab, method="numeric")
    X, y, _ = _problem(seed=8, M=12)
    g = np.linspace(-1, 1, 40)[:, None]
    for kw in (
        dict(width=500, seed=1, ridge=1e-4),
        dict(width=math.inf, radius=math.inf, ridge=1e-4),
    ):
        a = F.RadonSplineRegressor(cauchy, **kw).fit(X, y)
        b = F.RadonSplineRegressor(numeric, **kw).fit(X, y)
        assert b.route_ in ("tabulation", "numeric")
        assert np.max(np.abs(a.predict(g) - b.predict(g))) < 1e-6


def test_swim_law_fits():
    X, y, _ = _problem(seed=9, M=30)
    m = F.RadonSplineRegressor("relu(z)", width=200, law="swim", seed=0, rcond=1e-10).fit(X, y)
    assert m.train_rmse_ < 1e-6


def test_scikit_learn_protocol():
    from sklearn.base import clone

    m = F.RadonSplineRegressor("tanh(z)", width=50, ridge=1e-3, seed=1)
    assert m.get_params()["width"] == 50 and m.get_params()["ridge"] == 1e-3
    c = clone(m)
    assert c.get_params() == m.get_params() and c is not m
    X, y, _ = _problem(seed=2)
    assert m.fit(X, y) is m
    learned = [k for k in vars(m) if k.endswith("_") and not k.startswith("_")]
    assert {"coef_", "mu_", "v_", "w_", "b_", "rank_", "train_rmse_", "coef_norm_"} <= set(learned)
    assert not hasattr(c, "coef_")
    with pytest.raises(ValueError, match="not fitted"):
        c.predict(X)
    assert m.set_params(ridge=0.5) is m and m.ridge == 0.5
    assert m.score(X, y) > 0.5


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(X=np.array([[np.nan]]), y=[1.0]), "NaN"),
        (dict(X=np.ones((3, 1)), y=[1.0, 2.0]), "one target per point"),
        (dict(X=np.ones((3, 1)), y=[1.0, np.inf, 2.0]), "NaN or inf"),
    ],
)
def test_bad_data_is_rejected(bad, match):
    with pytest.raises(F.DataError, match=match):
        F.RadonSplineRegressor("relu(z)", width=10).fit(bad["X"], bad["y"])


def test_memory_estimate_refuses_up_front():
    X, y, _ = _problem()
    with pytest.raises(F.MemoryEstimateError, match="estimated peak memory .* max_memory"):
        F.RadonSplineRegressor("relu(z)", width=10_000_000, max_memory="10MB").fit(X, y)
    with pytest.raises(F.MemoryEstimateError, match="cannot read memory size"):
        F.RadonSplineRegressor("relu(z)", width=10, max_memory="lots").fit(X, y)


def test_bad_hyperparameters_are_rejected():
    X, y, _ = _problem()
    for kw, match in (
        (dict(train="w"), "train"),
        (dict(solver="qr"), "solver"),
        (dict(width=0), "width"),
        (dict(ridge=-1), "ridge"),
        (dict(law="cauchy"), "law"),
        (dict(radius=math.inf), "width=inf"),
    ):
        with pytest.raises(F.FitError, match=match):
            F.RadonSplineRegressor("relu(z)", **{"width": 10, **kw}).fit(X, y)
    with pytest.raises(F.DeviceError, match="cupy|CUDA"):
        F.RadonSplineRegressor("relu(z)", width=10, device="gpu").fit(X, y)


@pytest.mark.gpu
def test_gpu_path_matches_cpu():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.sin(3 * X[:, 0])
    for act in ("1/(1+z^2)", "relu(z)", "z*tanh(z)"):
        for solver in ("eigh", "lowrank"):
            kw = dict(width=2000, seed=0, rcond=1e-5, solver=solver)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", F.LowRankWarning)
                a = F.RadonSplineRegressor(act, **kw).fit(X, y)
                b = F.RadonSplineRegressor(act, device="gpu", **kw).fit(X, y)
            assert np.allclose(a.predict(X), b.predict(X), atol=1e-6)


@pytest.mark.parametrize(
    "kw",
    [dict(width=400, seed=2, solver="eigh"), dict(width=math.inf, radius=math.inf, solver="eigh")],
)
def test_refit_walks_a_regularisation_path_without_refactorising(kw):
    X, y, _ = _problem(seed=3, M=40)
    g = np.linspace(-1, 1, 30)[:, None]
    m = F.RadonSplineRegressor("relu(z)", ridge=1e-2, **kw).fit(X, y)
    for ridge, rcond in ((1e-4, 1e-6), (0.0, 1e-3), (1.0, 1e-6)):
        fresh = F.RadonSplineRegressor("relu(z)", ridge=ridge, rcond=rcond, **kw).fit(X, y)
        m.refit(ridge=ridge, rcond=rcond)
        assert m.rank_ == fresh.rank_
        assert np.allclose(m.predict(g), fresh.predict(g), rtol=1e-9, atol=1e-9)


def test_lowrank_refit_refuses_smaller_cutoffs_and_direct_refuses_refit():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (300, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", F.LowRankWarning)
        m = F.RadonSplineRegressor(
            "1/(1+z^2)", width=1000, seed=0, solver="lowrank", rcond=1e-4
        ).fit(X, X[:, 0])
        m.refit(rcond=1e-3, ridge=1e-6)
        with pytest.raises(F.FitError, match="resolves rcond"):
            m.refit(rcond=1e-6)
    d = F.RadonSplineRegressor("relu(z)", width=500, seed=0, solver="direct").fit(X, X[:, 0])
    with pytest.raises(F.FitError, match="spectral factorisation"):
        d.refit(ridge=1.0)


def test_fit_does_not_depend_on_the_tile_size():
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.sin(3 * X[:, 0])
    preds = []
    for tile in (None, 77):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", F.LowRankWarning)
            m = F.RadonSplineRegressor(
                "1/(1+z^2)", width=3000, seed=0, solver="lowrank", tile=tile
            ).fit(X, y)
        preds.append(m.predict(X[:50]))
    assert np.allclose(preds[0], preds[1], atol=1e-10)
