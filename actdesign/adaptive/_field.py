"""The zero-plane velocity field V_t(xi, gamma), its sinks, and pinning at data points.

Under gradient flow of ``L = (1/2N) sum r_n^2`` in standard coordinates (v, w, b), a ReLU
neuron ``mu relu(xi . x - gamma)`` moves its zero-plane with (theory.md §1, §6)

    (xi', gamma') = (mu / omega^2) V_t(xi, gamma),
    V_t(xi, gamma) = (1/N) sum_n r_n 1[xi . x_n > gamma] (-P x_n, 1 + gamma xi . x_n),

where ``r_n = f(x_n) - y_n`` is the current residual and ``P = I - xi xi^T``. V_t depends
on (xi, gamma) and the residual only, so it is the velocity field of a test neuron with
unit rate mu / omega^2 = 1 placed anywhere; the sign of mu picks the direction. (With the
step sizes of `._train`, multiply by ``regime * lr`` for the step of one epoch.)

On grids the orientation is an angle: xi = cos(theta) in 1-D (theta in {0, pi}, i.e.
xi = +1 or -1) and xi = (cos theta, sin theta) in 2-D; ``v_theta`` is the component of
V_t along d xi / d theta.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._errors import AdaptiveError


def velocity(X, residual, xi, gamma):
    """V_t at the planes (xi, gamma).

    Parameters
    ----------
    X : array (N, D)
        Training inputs x_n.
    residual : array (N,)
        ``f(x_n) - y_n``.
    xi : array (m, D)
        Unit normals.
    gamma : array (m,)
        Offsets of the planes ``xi . x = gamma``.

    Returns
    -------
    v_xi : array (m, D)
        Velocity of the normals (orthogonal to each xi).
    v_gamma : array (m,)
        Velocity of the offsets.
    """
    X = np.asarray(X, dtype=float)
    xi = np.atleast_2d(np.asarray(xi, dtype=float))
    gamma = np.asarray(gamma, dtype=float).reshape(-1)
    s = X @ xi.T  # (N, m): xi . x_n
    ra = np.asarray(residual, dtype=float)[:, None] * (s > gamma[None, :]) / X.shape[0]
    ras = np.sum(ra * s, axis=0)
    v_xi = -(ra.T @ X) + xi * ras[:, None]  # sum r a (-x + xi (xi . x)) = -sum r a P x
    v_gamma = np.sum(ra, axis=0) + gamma * ras
    return v_xi, v_gamma


def neuron_velocity(mu, omega, xi, gamma, X, residual):
    """(xi', gamma') of actual neurons: ``(mu / omega^2) V_t(xi, gamma)``."""
    v_xi, v_gamma = velocity(X, residual, xi, gamma)
    rate = np.asarray(mu, dtype=float) / np.asarray(omega, dtype=float) ** 2
    return rate[:, None] * v_xi, rate * v_gamma


@dataclass(frozen=True, eq=False)
class VelocityField:
    """V_t sampled on a (theta, gamma) grid.

    Attributes
    ----------
    dim : int
        Input dimension D (1 or 2).
    theta : array (P,)
        Orientation angles ({0, pi} in 1-D).
    gamma : array (Q,)
        Offsets of the planes.
    v_theta, v_gamma : arrays (P, Q)
        Components of V_t (``v_theta`` is 0 in 1-D).
    """

    dim: int
    theta: np.ndarray
    gamma: np.ndarray
    v_theta: np.ndarray
    v_gamma: np.ndarray

    def attracting(self, sign: float = 1.0):
        """Grid cells that ``sign * V_t`` enters from both gamma sides, at each theta node.

        ``sign * v_gamma`` > 0 at the lower node and < 0 at the upper one: planes of that
        orientation are pushed onto a curve inside the cell (in 2-D they may still slide
        along it). Where a sinogram curve crosses the cell, planes get pinned to its data
        point. In 1-D these cells are the sinks. Returns an array (k, 2) of (theta, gamma).
        """
        vg = sign * self.v_gamma
        i, j = np.nonzero((vg[:, :-1] > 0) & (vg[:, 1:] < 0))
        return np.c_[self.theta[i], 0.5 * (self.gamma[j] + self.gamma[j + 1])]

    def sinks(self, sign: float = 1.0):
        """Grid cells that ``sign * V_t`` flows into from every side, as cell centres.

        A cell between gamma nodes j, j+1 is a sink when ``sign * v_gamma`` is > 0 at both
        its lower corners and < 0 at both upper ones, and (2-D) likewise for
        ``sign * v_theta`` across its angular sides (theta is periodic). ``sign`` is the
        sign of a neuron's mu. Returns an array (k, 2) of (theta, gamma).
        """
        vg = sign * self.v_gamma
        ok = (vg[:, :-1] > 0) & (vg[:, 1:] < 0)
        theta = self.theta
        if self.dim == 2:
            vt = sign * self.v_theta
            across = (vt > 0) & (np.roll(vt, -1, axis=0) < 0)
            ok = ok & np.roll(ok, -1, axis=0) & across[:, :-1] & across[:, 1:]
            step = 2 * np.pi / theta.size
            theta = np.mod(theta + step / 2, 2 * np.pi)
        i, j = np.nonzero(ok)
        return np.c_[theta[i], 0.5 * (self.gamma[j] + self.gamma[j + 1])]


def sinks_on_data(field: VelocityField, sinks, X, *, angular: bool = True):
    """Which cells (sinks or attracting cells) a sinogram curve ``gamma = xi . x_n`` crosses.

    Such a cell pins planes to data point n. The curve moves by at most ``|x_n| dtheta``
    across a cell, so a cell is crossed when ``|xi(theta_c) . x_n - gamma_c|`` is at most
    half its gamma height plus ``|x_n|`` times half its angular width (a cover);
    ``angular=False`` for cells at a theta node (`VelocityField.attracting`).
    """
    sinks = np.asarray(sinks, dtype=float).reshape(-1, 2)
    X = np.asarray(X, dtype=float)
    h_gamma = 0.5 * (field.gamma[1] - field.gamma[0])
    h_theta = np.pi / field.theta.size if field.dim == 2 and angular else 0.0
    s = unit_normals(sinks[:, 0], field.dim) @ X.T  # (k, N)
    reach = h_gamma + np.linalg.norm(X, axis=1) * h_theta
    return np.any(np.abs(s - sinks[:, 1:2]) <= reach[None, :], axis=1)


def unit_normals(theta, dim: int):
    """xi for angles theta: cos(theta) in 1-D, (cos, sin) in 2-D."""
    theta = np.asarray(theta, dtype=float)
    if dim == 1:
        return np.round(np.cos(theta))[:, None]
    return np.c_[np.cos(theta), np.sin(theta)]


def field_on_grid(X, residual, *, n_theta: int = 72, n_gamma: int = 101, gamma_max=None):
    """V_t on a grid of orientations and offsets (D = 1 or 2).

    ``gamma_max`` defaults to 1.2 max |x_n|; 1-D grids have the two orientations only.

    Parameters
    ----------
    X : array (N, 1) or (N, 2)
        Training inputs.
    residual : array (N,)
        ``f(x_n) - y_n``.
    n_theta : int
        Orientations, evenly spaced on [0, 2 pi) in 2-D (>= 3; ignored in 1-D).
    n_gamma : int
        Offsets, evenly spaced on [-gamma_max, gamma_max] (>= 3).
    gamma_max : float, optional
        Largest offset of the grid (default 1.2 max |x_n|).

    Returns
    -------
    VelocityField
        ``v_theta`` and ``v_gamma`` on the (theta, gamma) grid.
    """
    X = np.asarray(X, dtype=float)
    dim = X.shape[1]
    if dim not in (1, 2):
        raise AdaptiveError(f"the V_t grid is drawn for D = 1 or 2 inputs, got D = {dim}")
    if n_theta < 3 or n_gamma < 3:
        raise AdaptiveError("the grid needs n_theta >= 3 and n_gamma >= 3")
    g_max = 1.2 * max(float(np.max(np.linalg.norm(X, axis=1))), 1e-12)
    g_max = g_max if gamma_max is None else float(gamma_max)
    theta = np.array([0.0, np.pi]) if dim == 1 else 2 * np.pi * np.arange(n_theta) / n_theta
    gamma = np.linspace(-g_max, g_max, n_gamma)
    xi = unit_normals(theta, dim)
    XI = np.repeat(xi, gamma.size, axis=0)
    G = np.tile(gamma, theta.size)
    v_xi, v_gamma = velocity(X, residual, XI, G)
    tangent = np.c_[-np.sin(theta), np.cos(theta)] if dim == 2 else np.zeros((theta.size, 1))
    v_theta = np.sum(v_xi * np.repeat(tangent, gamma.size, axis=0), axis=1)
    shape = (theta.size, gamma.size)
    return VelocityField(dim, theta, gamma, v_theta.reshape(shape), v_gamma.reshape(shape))


def distance_to_data(X, xi, gamma):
    """min_n |xi . x_n - gamma| for each plane: how far it is from passing through a point."""
    s = np.asarray(X, dtype=float) @ np.atleast_2d(xi).T
    return np.min(np.abs(s - np.asarray(gamma, dtype=float)[None, :]), axis=0)


def pinned(X, xi, gamma, tol: float):
    """Planes within ``tol`` of some data point (``gamma`` within tol of ``xi . x_n``)."""
    if not tol > 0:
        raise AdaptiveError(f"pinning tolerance must be > 0, got {tol}")
    return distance_to_data(X, xi, gamma) <= tol
