"""Kernel-regime predictions (K_hat ∝ 1/rho, exp(-eta t K_hat), 1/(1 + lam rho)) vs measurement.

Measurement: a random-features network trained by exact gradient descent (eigendecomposition of
the step matrix) or by ridge, with its residual spectrum read by the FrequencyTracker. Prediction:
the penalty rho of the activation only. The two share no code beyond the activation itself.
"""

import numpy as np
import pytest
from scipy.stats import spearmanr

import actdesign
from actdesign import spectrum as sp

L = 20.0  # data interval [-10, 10], 512 dense uniform samples
N = 512
BIN = 2 * np.pi / L  # angular bin spacing


@pytest.fixture(scope="module")
def activations():
    return {
        "relu": (actdesign.design("k^4", shape="relu"), None, 4),
        # the design of e^{k^2} is the Gaussian exp(-z^2/2)/sqrt(2 pi)
        "gaussian": (actdesign.design("exp(k^2)"), None, 1),
        # a band-pass wavepacket: its convergence order is not monotone in k
        "wavepacket": (actdesign.from_expression("exp(-z^2/2)*cos(3*z)"), None, 2),
    }


def _target(freqs):
    return lambda x: sum(np.sin(k * x + 0.3 * i) for i, k in enumerate(freqs))


@pytest.mark.parametrize("name", ["relu", "gaussian", "wavepacket"])
def test_gd_per_frequency_convergence_matches_prediction(activations, name):
    act, penalty, spacing = activations[name]
    freqs = np.arange(1, 9) * BIN * spacing
    target = _target(freqs)
    model = sp.RandomFeatureModel(act, penalty=penalty, width=1000, bias_range=15.0, seed=1)
    tr = sp.FrequencyTracker(target, (-L / 2, L / 2), n=N, peaks=list(freqs), metric="rel")
    lr = 0.5 * model.max_stable_lr(tr.x)
    steps = np.unique(np.geomspace(1, 1e9, 120).astype(int))
    for t, f in zip(steps, model.gd_trajectory(tr.x, target(tr.x), steps, lr), strict=True):
        tr.update(int(t), values=f)
    measured = tr.convergence_steps()  # steps to reach e^-1 of the initial residual
    predicted = 1.0 / (lr * model.rate(tr.k, L))  # exp(-lr t lambda(k)) = e^-1
    assert np.all(np.isfinite(measured))
    assert spearmanr(measured, predicted).statistic >= 0.9
    ratio = measured / predicted
    assert np.all((ratio > 1 / 3) & (ratio < 3)), ratio  # magnitudes too, not just the order
    # the same prediction as a heatmap (gradient flow) lies close to the measured one
    pred = sp.predicted_convergence(model.rate(tr.k, L), tr.steps, lr)
    assert pred.shape == tr.matrix.shape


@pytest.mark.parametrize("name,lam", [("relu", 1e-3), ("gaussian", 1e-3), ("wavepacket", 1e-2)])
def test_ridge_shrinkage_matches_prediction(activations, name, lam):
    act, penalty, spacing = activations[name]
    freqs = np.arange(1, 9) * BIN * spacing
    target = _target(freqs)
    model = sp.RandomFeatureModel(act, penalty=penalty, width=1000, bias_range=15.0, seed=1)
    tr = sp.FrequencyTracker(target, (-L / 2, L / 2), n=N, peaks=list(freqs), metric="ratio")
    tr.update(0, model.ridge_fit(tr.x, target(tr.x), lam))
    kept = tr.matrix[0]  # |f_hat(k)| / |g_hat(k)|
    rho = act if penalty is None else penalty
    predicted = sp.ridge_shrinkage(
        rho, tr.k, model.effective_ridge(lam, L)
    )  # 1 / (1 + lam_eff rho)
    assert np.max(np.abs(kept - predicted)) < 0.05
    assert kept.min() < 0.8  # the test is not vacuous: some frequency is visibly shrunk


def test_kernel_spectrum_against_empirical_kernel():
    # Gaussian phi = e^{-z^2/2}/sqrt(2 pi): (phi * phi)(d) = e^{-d^2/4}/(2 sqrt(pi)), whose
    # transform is e^{-k^2}, so K(x, x') = width/(2B) e^{-(x-x')^2/4}/(2 sqrt(pi)) and
    # K_hat = width/(2B) e^{-k^2}
    act = actdesign.from_expression("exp(-z^2/2)/sqrt(2*pi)")
    width, B = 40000, 8.0
    model = sp.RandomFeatureModel(act, penalty="exp(k^2)", width=width, bias_range=B, seed=3)
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    phi = model.features(x)
    emp = phi @ phi[1]  # K(x, 0)
    exact = width / (2 * B) * np.exp(-(x**2) / 4) / (2 * np.sqrt(np.pi))
    np.testing.assert_allclose(emp, exact, rtol=0.05)  # Monte Carlo over 40000 biases
    k = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(
        model.kernel_spectrum(k), width / (2 * B) * np.exp(-(k**2)), rtol=1e-12
    )


def test_weight_laws_average_the_scaled_spectrum():
    # w ~ N(0, s^2), ReLU (rho = k^4): 1/(|w| rho(k/w)) = |w|^3/k^4, so K_hat = sum|w_i|^3/(2B k^4)
    relu = actdesign.design("k^4", shape="relu")
    m = sp.RandomFeatureModel(
        relu, width=500, bias_range=5.0, weight_law="normal", weight_scale=2.0, seed=0
    )
    k = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(
        m.kernel_spectrum(k), np.sum(np.abs(m.w) ** 3) / (2 * 5.0 * k**4), rtol=1e-12
    )


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"weight_law": "cauchy"}, "weight_law"),
        ({"loss": "l1"}, "loss"),
        ({"width": 0}, "width"),
    ],
)
def test_bad_model_arguments(kwargs, words):
    with pytest.raises(actdesign.ActdesignError, match=words):
        sp.RandomFeatureModel(np.tanh, **kwargs)
