"""V_t against finite differences of the loss and hand-computed cases; sinks; pinning."""

import numpy as np
import pytest

from actdesign import adaptive as A


def _loss(v, w, b, X, y):
    # the loss written out by hand: (1/2N) sum (sum_i v_i max(0, w_i.x + b_i) - y)^2
    neurons = list(zip(v, w, b, strict=True))
    f = np.array([sum(vi * max(0.0, float(wi @ x) + bi) for vi, wi, bi in neurons) for x in X])
    return 0.5 * np.mean((f - y) ** 2)


def _fd_plane_velocity(v, w, b, X, y, j, h=1e-6, dt=1e-7):
    """(xi', gamma') of neuron j from a finite-difference gradient step of (w_j, b_j)."""
    gw = np.zeros_like(w[j])
    for k in range(w.shape[1]):
        e = np.zeros_like(w)
        e[j, k] = h
        gw[k] = (_loss(v, w + e, b, X, y) - _loss(v, w - e, b, X, y)) / (2 * h)
    e = np.zeros_like(b)
    e[j] = h
    gb = (_loss(v, w, b + e, X, y) - _loss(v, w, b - e, X, y)) / (2 * h)

    def plane(wj, bj):
        om = np.linalg.norm(wj)
        return wj / om, -bj / om

    xi0, g0 = plane(w[j], b[j])
    xi1, g1 = plane(w[j] - dt * gw, b[j] - dt * gb)
    return (xi1 - xi0) / dt, (g1 - g0) / dt


@pytest.mark.parametrize("dim", [1, 2])
def test_neuron_velocity_matches_finite_differences_of_the_loss(dim):
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (5, dim))
    y = rng.standard_normal(5)
    v, w, b = rng.standard_normal(3), rng.standard_normal((3, dim)), 0.3 * rng.standard_normal(3)
    mu, xi, gamma, omega = _traj(X, y, v, w, b).radon(0)
    r = A.predict(v, w, b, X) - y
    vxi, vg = A.neuron_velocity(mu, omega, xi, gamma, X, r)
    for j in range(3):
        fxi, fg = _fd_plane_velocity(v, w, b, X, y, j)
        assert np.max(np.abs(vxi[j] - fxi)) < 2e-5 * (1 + np.max(np.abs(fxi)))
        assert abs(vg[j] - fg) < 2e-5 * (1 + abs(fg))


def _traj(X, y, v, w, b):
    from actdesign.adaptive._train import TrainConfig

    return A.Trajectory(
        X, y, np.array([0]), v[None], w[None], b[None], np.zeros(1), TrainConfig(width=len(v)), 0.0
    )


def test_one_dimensional_field_by_hand_and_its_sinks():
    # points -0.5, 0.5 with residuals -1, +1. For xi = +1:
    # gamma < -0.5: V = (1/2)[-(1 - 0.5 g) + (1 + 0.5 g)] = g/2; -0.5 < gamma < 0.5: (1 + 0.5 g)/2
    X, r = np.array([[-0.5], [0.5]]), np.array([-1.0, 1.0])
    g = np.array([-0.9, -0.7, 0.0, 0.3, 0.8])
    _, vg = A.velocity(X, r, np.ones((5, 1)), g)
    assert np.allclose(vg, [-0.45, -0.35, 0.5, 0.575, 0.0], atol=1e-15)
    field = A.field_on_grid(X, r, n_gamma=24, gamma_max=1.2)
    step = field.gamma[1] - field.gamma[0]
    assert np.allclose(field.v_theta, 0)
    # mu < 0 reverses the flow: for xi = +1 planes slide onto gamma = -0.5 from both sides
    # (pinned at the point -0.5); for xi = -1 that plane is a source
    ((theta, g),) = field.sinks(-1.0)
    assert theta == 0.0 and abs(g + 0.5) < step
    # mu > 0: the xi = -1 row (xi . x = 0.5, -0.5 with residuals -1, +1) pins at -0.5
    ((theta, g),) = field.sinks(+1.0)
    assert theta == np.pi and abs(g + 0.5) < step


def test_attracting_cells_pin_to_the_data_in_two_dimensions():
    # the 1-D case above embedded in 2-D (points on the x1 axis): at theta = 0 the field is
    # the 1-D one, so mu < 0 planes with xi = (1, 0) are pushed onto gamma = -0.5
    X, r = np.array([[-0.5, 0.0], [0.5, 0.0]]), np.array([-1.0, 1.0])
    field = A.field_on_grid(X, r, n_theta=8, n_gamma=24, gamma_max=1.2)
    step = field.gamma[1] - field.gamma[0]
    cells = field.attracting(-1.0)
    row = cells[cells[:, 0] == 0.0]
    assert row.shape[0] == 1 and abs(row[0, 1] + 0.5) < step
    assert np.all(A.sinks_on_data(field, cells, X, angular=False))
    far = np.array([[0.0, 0.9], [np.pi / 2, 0.3]])  # no curve xi . x_n comes near these
    assert not np.any(A.sinks_on_data(field, far, X))


def test_two_dimensional_field_by_hand():
    # one point x = (1, 0), residual r: at xi = (cos t, sin t) with xi.x = cos t > gamma,
    # V_xi = -r (x - xi cos t), V_gamma = r (1 + gamma cos t), v_theta = r sin t
    X, r = np.array([[1.0, 0.0]]), np.array([0.7])
    vxi, vg = A.velocity(X, r, np.array([[0.0, 1.0]]), np.array([-0.5]))
    assert np.allclose(vxi, [[-0.7, 0.0]]) and np.allclose(vg, [0.7])
    field = A.field_on_grid(X, r, n_theta=8, n_gamma=5, gamma_max=2.0)
    T, G = np.meshgrid(field.theta, field.gamma, indexing="ij")
    active = np.cos(T) > G
    assert np.allclose(field.v_theta, np.where(active, 0.7 * np.sin(T), 0.0), atol=1e-15)
    assert np.allclose(field.v_gamma, np.where(active, 0.7 * (1 + G * np.cos(T)), 0.0))


def test_sinks_on_a_synthetic_two_dimensional_field():
    theta = 2 * np.pi * np.arange(12) / 12
    gamma = np.linspace(-1, 1, 11)
    T, G = np.meshgrid(theta, gamma, indexing="ij")
    # flow toward (theta, gamma) = (13 pi / 12, 0.3), the centre of one grid cell:
    # one sink for mu > 0, none for mu < 0
    t0 = 13 * np.pi / 12
    field = A.VelocityField(2, theta, gamma, -np.sin(T - t0), -(G - 0.3))
    assert np.allclose(field.sinks(+1.0), [[t0, 0.3]])
    assert field.sinks(-1.0).shape == (0, 2)


def test_training_step_moves_planes_by_the_field():
    # one epoch of the torch loop: (xi, gamma) change by regime*lr*(mu/omega^2) V_t (first order)
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (7, 2))
    y = np.sin(3 * X[:, 0])
    t = A.train(X, y, width=6, regime=1.0, lr=1e-6, epochs=1, record_every=1, init_scale=1.0)
    mu, xi, gamma, omega = t.radon(0)
    vxi, vg = A.neuron_velocity(mu, omega, xi, gamma, X, t.residual(0))
    xi_t, g_t = t.planes()
    assert np.allclose((g_t[1] - g_t[0]) / 1e-6, vg, rtol=1e-5, atol=1e-9)
    assert np.allclose((xi_t[1] - xi_t[0]) / 1e-6, vxi, rtol=1e-5, atol=1e-9)


def test_pinning_and_distance_by_hand():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    xi = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])
    gamma = np.array([0.003, 0.5, np.sqrt(2) - 0.01])
    assert np.allclose(A.distance_to_data(X, xi, gamma), [0.003, 0.5, 0.01])
    assert A.pinned(X, xi, gamma, 0.005).tolist() == [True, False, False]
    with pytest.raises(A.AdaptiveError):
        A.pinned(X, xi, gamma, 0.0)
    with pytest.raises(A.AdaptiveError, match="D = 1 or 2"):
        A.field_on_grid(np.zeros((3, 3)), np.zeros(3))
