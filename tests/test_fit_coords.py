"""Radon-spline coordinates, sampling laws and quadrature rules of actdesign.fit."""

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import actdesign
from actdesign import fit as F


def test_import_fit_does_not_load_numba_or_gpu_packages():
    code = (
        "import sys, actdesign.fit; "
        "print(','.join(m for m in ('numba', 'cupy', 'torch', 'jax', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_radon_map_round_trip():
    rng = np.random.default_rng(0)
    v, w, b = rng.standard_normal(50), rng.standard_normal((50, 3)), rng.standard_normal(50)
    mu, xi, gamma, omega = F.to_radon(v, w, b, degree=1.0)
    assert np.allclose(np.linalg.norm(xi, axis=1), 1.0)
    v2, w2, b2 = F.from_radon(mu, xi, gamma, omega, degree=1.0)
    assert np.allclose(v2, v) and np.allclose(w2, w) and np.allclose(b2, b)


def test_relu_neuron_is_mu_phi_of_xi_x_minus_gamma_and_rescaling_invariant():
    rng = np.random.default_rng(1)
    v, w, b = rng.standard_normal(20), rng.standard_normal((20, 2)), rng.standard_normal(20)
    x = rng.standard_normal((30, 2))
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    f = relu(x @ w.T + b) @ v
    mu, xi, gamma, _ = F.to_radon(v, w, b)
    assert np.allclose(relu(x @ xi.T - gamma) @ mu, f)
    a = 3.7  # (v, w, b) -> (v/a, a w, a b) leaves f and (mu, xi, gamma) unchanged
    assert np.allclose(relu(x @ (a * w).T + a * b) @ (v / a), f)
    mu2, xi2, gamma2, omega2 = F.to_radon(v / a, a * w, a * b)
    assert (
        np.allclose(mu2, mu)
        and np.allclose(gamma2, gamma)
        and np.allclose(omega2, a * np.linalg.norm(w, axis=1))
    )


def test_zero_weight_is_rejected():
    with pytest.raises(F.FitError, match="w = 0"):
        F.to_radon([1.0], [[0.0, 0.0]], [1.0])


@pytest.mark.parametrize(
    "text, s",
    [
        ("relu(z)", 1.0),
        ("abs(z)", 1.0),
        ("max(z, 0.1*z)", 1.0),
        ("max(0,z)^2", 2.0),
        ("Heaviside(z)", 0.0),
        ("tanh(z)", None),
        ("1/(1+z^2)", None),
        ("softplus(z)", None),
    ],
)
def test_homogeneity_degree(text, s):
    assert F.homogeneity_degree(actdesign.from_expression(text)) == s


@pytest.mark.parametrize("D", [1, 2, 10])
def test_gaussian_law_bias_over_norm_is_scaled_student_t(D):
    # theory.md §2: gamma = -b/|w| ~ (sigma_b / (sigma_w sqrt(D))) t_D
    sw, sb = 0.7, 1.9
    nr = F.GaussianLaw(sw, sb).sample(20000, np.zeros((1, D)), None, np.random.default_rng(D))
    _, gamma, omega = nr.radon()
    t = gamma * sw * math.sqrt(D) / sb
    assert stats.kstest(t, stats.t(D).cdf).pvalue > 1e-3
    assert stats.kstest(omega / sw, stats.chi(D).cdf).pvalue > 1e-3


def test_uniform_law_samples_sphere_and_interval():
    X = np.array([[3.0, 4.0], [0.0, 1.0]])
    nr = F.UniformLaw(scale=2.0).sample(20000, X, None, np.random.default_rng(3))
    xi, gamma, omega = nr.radon()
    assert np.allclose(omega, 2.0)
    assert gamma.min() >= -5.0 and gamma.max() <= 5.0  # default R = max |x| = 5
    assert stats.kstest(gamma, stats.uniform(-5, 10).cdf).pvalue > 1e-3
    ang = np.arctan2(xi[:, 1], xi[:, 0])
    assert stats.kstest(ang, stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-3


def test_swim_relu_pairs_map_to_zero_and_one():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 3))
    y = np.sin(X[:, 0])
    law = F.SwimLaw("relu")
    nr = law.sample(100, X, y, np.random.default_rng(5))
    pre = X @ nr.w.T + nr.b  # each neuron has some pair with pre-activations 0 and 1
    zeros = np.isclose(pre, 0.0, atol=1e-9).any(axis=0)
    ones = np.isclose(pre, 1.0, atol=1e-9).any(axis=0)
    assert zeros.all() and ones.all()


def test_swim_is_invariant_to_rigid_motion_and_scaling():
    # init.md §1.1: x -> a Q x + t gives the same pairs and the same features
    rng = np.random.default_rng(6)
    X = rng.standard_normal((30, 2))
    y = X[:, 0] ** 2
    Q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    X2 = 7.3 * X @ Q.T + np.array([1.0, -2.0])
    a = F.SwimLaw("tanh").sample(50, X, y, np.random.default_rng(7))
    b = F.SwimLaw("tanh").sample(50, X2, y, np.random.default_rng(7))
    assert np.allclose(X @ a.w.T + a.b, X2 @ b.w.T + b.b, atol=1e-12)


@pytest.mark.parametrize("D", [1, 2, 3, 4])
def test_sphere_rule_moments(D):
    nodes, wts = F.sphere_rule(D, 16)
    assert np.isclose(wts.sum(), 1.0)
    assert np.allclose(np.linalg.norm(nodes, axis=1), 1.0)
    # E[xi_1^2] = 1/D and E[xi_1^4] = 3/(D(D+2)) for the uniform law on S^(D-1)
    assert np.isclose(wts @ nodes[:, 0] ** 2, 1.0 / D)
    assert np.isclose(wts @ nodes[:, -1] ** 4, 3.0 / (D * (D + 2)))
