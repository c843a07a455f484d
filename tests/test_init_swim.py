"""SWIM sampled networks: pair identities, invariance, agreement with swimnetworks, schedules."""

import math

import numpy as np
import pytest

import actdesign
from actdesign.init import swim


def target(x):
    """The 1-D multi-frequency target of init.md §1.2."""
    return np.sin(2 * np.pi * x) + 0.5 * np.sin(10 * np.pi * x) + 0.25 * np.sin(40 * np.pi * x)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # Multi-threaded LAPACK on a small shared CPU was measured 10-30x slower for these
    # least-squares solves than one thread (threadpoolctl comes with scikit-learn).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def data_1d():
    X = np.linspace(0, 1, 2000)[:, None]
    Xt = np.random.default_rng(0).uniform(0, 1, (5000, 1))
    return X, target(X[:, 0]), Xt, target(Xt[:, 0])


@pytest.fixture(scope="module")
def data_5d():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 5))
    return X, np.sin(X @ rng.normal(size=5)) + X[:, 0] ** 2


@pytest.mark.parametrize("activation", ["tanh(z)", "sigmoid(z)", "erf(z)", "relu(z)"])
@pytest.mark.parametrize("schedule", ["original", "ordered", [0.3, 2.0, 5.0]])
def test_preactivations_at_pair_points(data_5d, activation, schedule):
    X, y = data_5d
    net = swim.SampledMLP([40, 30, 20], activation=activation, schedule=schedule, seed=2).fit(X, y)
    for layer in range(3):
        P = net.preactivations(X, layer)
        a, b = net.pairs_[layer]
        j = np.arange(P.shape[1])
        s1, s2 = net.s1_[layer], net.s2_[layer]
        assert np.allclose(P[a, j], -s2, rtol=0, atol=1e-11)
        assert np.allclose(P[b, j], s1 - s2, rtol=0, atol=1e-11)


def test_original_constants_match_swimnetworks_table():
    # init.md §1.1: tanh s2 = artanh(1/2) = 0.5493061443, s1 = ln 3; relu (1, 0)
    s1, s2 = swim.base_scales("tanh(z)")
    assert s1 == pytest.approx(math.log(3), abs=1e-12)
    assert s2 == pytest.approx(0.5493061443, abs=1e-10)
    assert swim.base_scales("relu(z)") == (1.0, 0.0)
    s1, s2 = swim.base_scales("sigmoid(z)")  # 1/4 and 3/4 of (0, 1): z = -ln 3, ln 3
    assert (s1, s2) == pytest.approx((2 * math.log(3), math.log(3)), abs=1e-12)


def test_schedules():
    b = math.log(3)
    assert swim.scale_schedule("ordered", 3) == pytest.approx([b / 2, b, 2 * b], rel=1e-14)
    assert swim.scale_schedule("reversed", 3) == pytest.approx([2 * b, b, b / 2], rel=1e-14)
    assert swim.scale_schedule("original", 4) == pytest.approx([b] * 4)
    assert swim.scale_schedule("ordered", 1) == pytest.approx([b])
    assert swim.scale_schedule([1, 2], 2) == pytest.approx([1, 2])
    with pytest.raises(actdesign.ActdesignError, match="one per hidden layer"):
        swim.scale_schedule([1, 2], 3)
    with pytest.raises(actdesign.ActdesignError, match="unknown schedule"):
        swim.scale_schedule("sideways", 3)


def test_default_s2_is_half_s1_for_tanh(data_5d):
    X, y = data_5d
    net = swim.SampledMLP([10, 10], schedule="ordered").fit(X, y)
    assert net.s2_ == pytest.approx(net.s1_ / 2, rel=1e-12)


def test_invariant_under_similarity_transforms(data_5d):
    X, y = data_5d
    rng = np.random.default_rng(7)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    X2 = 7.3 * X @ Q.T + rng.normal(size=5)
    kw = dict(widths=[50, 40], schedule="ordered", seed=11)
    n1, n2 = swim.SampledMLP(**kw).fit(X, y), swim.SampledMLP(**kw).fit(X2, y)
    for layer in range(2):
        assert np.array_equal(n1.pairs_[layer][0], n2.pairs_[layer][0])
        assert np.array_equal(n1.pairs_[layer][1], n2.pairs_[layer][1])
    assert np.max(np.abs(n1.features(X) - n2.features(X2))) < 1e-12


def test_identical_to_swimnetworks(data_1d):
    # the reference implementation (swimnetworks 0.0.2, MIT) with the same per-layer seeds
    from sklearn.pipeline import Pipeline
    from swimnetworks import Dense, Linear

    X, y, Xt, _ = data_1d
    seeds = swim.layer_seeds(3, 2)
    steps = [(f"d{i}", Dense(layer_width=128, activation="tanh", parameter_sampler="tanh",
                             random_seed=s)) for i, s in enumerate(seeds)]
    ref = Pipeline(steps + [("out", Linear(regularization_scale=1e-10))]).fit(X, y)
    net = swim.SampledMLP([128, 128], seed=3, rcond=1e-10).fit(X, y)
    for i in range(2):
        assert np.array_equal(ref.steps[i][1].idx_from, net.pairs_[i][0])
        assert np.array_equal(ref.steps[i][1].idx_to, net.pairs_[i][1])
        assert np.allclose(ref.steps[i][1].weights, net.weights_[i], rtol=1e-12, atol=1e-12)
    assert np.max(np.abs(ref.predict(Xt)[:, 0] - net.predict(Xt))) < 1e-7


def test_classifier_matches_swimnetworks_on_digits():
    from sklearn.datasets import load_digits
    from sklearn.pipeline import Pipeline
    from swimnetworks import Dense, Linear

    X, y = load_digits(return_X_y=True)
    Xtr, ytr, Xte, yte = X[:1200], y[:1200], X[1200:], y[1200:]
    (seed,) = swim.layer_seeds(5, 1)
    ref = Pipeline([("d", Dense(layer_width=256, activation="tanh", parameter_sampler="tanh",
                                random_seed=seed, is_classifier=True)),
                    ("o", Linear(regularization_scale=1e-10, is_classifier=True))]).fit(Xtr, ytr)
    net = swim.SampledMLP([256], classifier=True, seed=5).fit(Xtr, ytr)
    assert np.array_equal(ref.steps[0][1].idx_from, net.pairs_[0][0])
    pred = net.predict(Xte)
    assert np.mean(pred == ref.predict(Xte)[:, 0]) > 0.99
    assert np.mean(pred == yte) > 0.85
    assert set(np.unique(pred)) <= set(np.unique(y))


def test_ridge_output_matches_sklearn(data_5d):
    from sklearn.linear_model import Ridge

    X, y = data_5d
    net = swim.SampledMLP([60], ridge=0.3, seed=4).fit(X, y)
    ref = Ridge(alpha=0.3).fit(net.features(X), y)
    assert net.coef_[:, 0] == pytest.approx(ref.coef_, rel=1e-8, abs=1e-10)
    assert float(net.intercept_[0]) == pytest.approx(ref.intercept_, rel=1e-8)


def test_non_monotone_activation_needs_explicit_scales(data_5d):
    X, y = data_5d
    bump = "exp(-z^2/2)"
    with pytest.raises(actdesign.ActdesignError, match="not monotone.*explicit"):
        swim.SampledMLP([10], activation=bump).fit(X, y)
    net = swim.SampledMLP([10, 10], activation=bump, schedule=[1.0, 2.0], seed=0).fit(X, y)
    assert net.s2_ == pytest.approx([0.5, 1.0])
    P = net.preactivations(X, 1)
    a, b = net.pairs_[1]
    assert np.allclose(P[a, np.arange(10)], -1.0, atol=1e-11)
    with pytest.raises(actdesign.ActdesignError, match="not saturating"):
        swim.base_scales("softplus(z)")


def test_designed_activation_with_explicit_scales(data_5d):
    X, y = data_5d
    act = actdesign.design("(1+k^2)^2")  # exp(-|z|)/2, a bump
    net = swim.SampledMLP([30], activation=act, schedule=[2.0], s2=[0.5], seed=0).fit(X, y)
    P = net.preactivations(X, 0)
    a, b = net.pairs_[0]
    assert np.allclose(P[b, np.arange(30)], 1.5, atol=1e-11)
    assert np.all(np.isfinite(net.predict(X)))


@pytest.mark.parametrize("bad, match", [
    (lambda X, y: swim.SampledMLP([5]).fit(np.where(X > 2, np.nan, X), y), "NaN"),
    (lambda X, y: swim.SampledMLP([5]).fit(X, y[:-1]), "rows"),
    (lambda X, y: swim.SampledMLP([5]).predict(X), "not fitted"),
    (lambda X, y: swim.SampledMLP([5]).fit(X, y).predict(X[:, :3]), "features"),
    (lambda X, y: swim.SampledMLP([0]).fit(X, y), "positive"),
    (lambda X, y: swim.SampledMLP([5], sampling="best").fit(X, y), "sampling"),
    (lambda X, y: swim.SampledMLP([5], ridge=-1.0).fit(X, y), "ridge"),
    (lambda X, y: swim.SampledMLP([5], activation="sin(").fit(X, y), "parse"),
])
def test_bad_input(data_5d, bad, match):
    X, y = data_5d
    with pytest.raises(actdesign.ActdesignError, match=match):
        bad(X, y)


@pytest.mark.parametrize("activation", ["tanh(z)", "relu(z)"])
def test_export_to_torch_and_jax(data_5d, activation):
    import jax.numpy as jnp
    import torch

    X, y = data_5d
    net = swim.SampledMLP([32, 16], activation=activation, seed=1).fit(X, y)
    ref = net.decision_function(X)
    model = net.to_torch()
    with torch.no_grad():
        out = model(torch.as_tensor(X)).numpy()
    assert np.max(np.abs(out - ref)) < 1e-9 * max(1.0, np.max(np.abs(ref)))
    params, apply = net.to_jax()
    out = np.asarray(apply(params, jnp.asarray(X, dtype=jnp.float32)))
    assert np.max(np.abs(out - ref)) < 2e-3 * max(1.0, np.max(np.abs(ref)))  # float32


def _mean_rmse(data, width, seeds):
    X, y, Xt, yt = data
    return {k: float(np.mean(v)) for k, v in
            swim.compare_schedules(X, y, Xt, yt, [width] * 3, seeds=seeds).items()}


def test_ordered_schedule_wins_over_ten_seeds(data_1d):
    # init.md §1.2 (regression baseline, not S0's numbers): at width 512 the ordered
    # schedule's mean test RMSE over 10 seeds is below both others
    err = _mean_rmse(data_1d, 512, range(10))
    assert err["ordered"] < err["original"] and err["ordered"] < err["reversed"]


@pytest.mark.slow
@pytest.mark.parametrize("width", [1024])
def test_ordered_schedule_wins_over_ten_seeds_wider(data_1d, width):
    err = _mean_rmse(data_1d, width, range(10))
    assert err["ordered"] < err["original"] and err["ordered"] < err["reversed"]
