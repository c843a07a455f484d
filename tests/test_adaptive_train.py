"""Training loop: settings, initial law, the exact kernel regime, drift ∝ width^(-1/2)."""

import numpy as np
import pytest

from actdesign import adaptive as A


def _data(dim, n=8, seed=0):
    if dim == 1:
        X = np.linspace(-1, 1, n)[:, None]
        return X, np.sin(3 * X[:, 0])
    X = np.random.default_rng(seed).uniform(-1, 1, (12, 2))
    return X, np.sin(2 * X[:, 0]) * X[:, 1]


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(width=0), "width"),
        (dict(epochs=2.5), "epochs"),
        (dict(lr=float("nan")), "lr"),
        (dict(regime=-1.0), "regime"),
        (dict(law="swim"), "law"),
        (dict(dtype="float16"), "dtype"),
        (dict(radius=0.0), "radius"),
        (dict(record_every=True), "record_every"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_settings_are_refused(bad, match):
    with pytest.raises(A.AdaptiveError, match=match):
        A.TrainConfig(**bad)


def test_initial_planes_follow_the_uniform_law_and_records_are_kept():
    X, y = _data(2)
    t = A.train(X, y, width=400, epochs=7, record_every=3, scale=2.0, radius=1.5, seed=3)
    assert t.epochs.tolist() == [0, 3, 6, 7] and t.loss.shape == (8,)
    mu, xi, gamma, omega = t.radon(0)
    assert np.allclose(omega, 2.0) and np.all(np.abs(gamma) <= 1.5)
    assert np.allclose(mu, 2.0 * t.v[0])  # mu = v omega for ReLU (s = 1)
    # loss recorded before each step equals the loss of the recorded parameters
    assert t.loss[3] == pytest.approx(0.5 * np.mean(t.residual(1) ** 2), rel=1e-12)
    with pytest.raises(A.AdaptiveError, match="not recorded"):
        t.index(4)
    # omega = 2: |mu| / omega^2 = |v| / 2 and <omega^2> = 4, so the ratio is regime <|v|> / 8
    assert A.rate_ratio(t) == pytest.approx(t.config.regime * np.mean(np.abs(t.v[0])) / 8)


def test_regime_zero_is_the_kernel_regime_and_converges_to_the_projection():
    # gradient descent on v alone keeps v - v0 in the row space of the features and tends
    # to the minimum-norm interpolant v0 + pinv(Phi) (y - Phi v0) (theory.md §2)
    X, y = _data(1, n=4)
    t = A.train(X, y, width=16, regime=0.0, epochs=8000, lr=3.0, record_every=8000, seed=1)
    assert np.array_equal(t.w[0], t.w[-1]) and np.array_equal(t.b[0], t.b[-1])
    phi = np.maximum(X @ t.w[0].T + t.b[0], 0.0)
    v0 = t.v[0]
    ref = v0 + np.linalg.pinv(phi) @ (y - phi @ v0)
    assert np.max(np.abs(t.v[-1] - ref)) < 1e-6


def test_divergence_is_reported():
    X, y = _data(1)
    with pytest.raises(A.AdaptiveError, match="diverged"):
        A.train(X, y, width=8, regime=0.0, lr=1e4, epochs=200)


def test_float32_runs():
    X, y = _data(1)
    t = A.train(X, y, width=32, epochs=50, dtype="float32")
    assert t.loss[-1] < t.loss[0]


@pytest.mark.parametrize("dim", [1, 2])
def test_drift_falls_like_inverse_sqrt_width(dim):
    X, y = _data(dim)
    r = A.drift_vs_width(X, y, widths=(64, 256, 1024), seeds=(0, 1, 2))
    assert np.all(np.diff(r.drift) < 0)
    assert abs(r.slope + 0.5) < 0.1, r


@pytest.mark.slow
@pytest.mark.parametrize("dim", [1, 2])
def test_drift_slope_up_to_width_4096(dim):
    X, y = _data(dim)
    r = A.drift_vs_width(X, y, widths=(64, 256, 1024, 4096), seeds=range(6))
    assert abs(r.slope + 0.5) < 0.04, r


def test_paired_initialisation_starts_from_zero():
    X, y = _data(2)
    t = A.train(X, y, width=10, epochs=1, paired=True, init_scale=1.0)
    assert np.array_equal(t.v[0][:5], -t.v[0][5:]) and np.array_equal(t.w[0][:5], t.w[0][5:])
    assert np.max(np.abs(t.residual(0) + y)) < 1e-15
    with pytest.raises(A.AdaptiveError, match="even width"):
        A.TrainConfig(width=7, paired=True)


def test_drift_check_refuses_bad_requests():
    X, y = _data(1)
    with pytest.raises(A.AdaptiveError, match="two distinct"):
        A.drift_vs_width(X, y, widths=(64,))
    with pytest.raises(A.AdaptiveError, match="did not move"):
        A.drift_vs_width(X, y, widths=(8, 16), regime=0.0, seeds=(0,))
