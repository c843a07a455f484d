"""Infinite-width kernels K(x, x') = E[phi(xi.x - gamma) phi(xi.x' - gamma)].

Uniform law, R → ∞ (this module). With gamma uniform on [-R, R] the kernel is
``(1/2R) * (E_xi G(xi.(x - x')) + polynomial terms)``: G is the generalised
autocorrelation of phi (its transform is |F[phi]|^2, theory.md §3 "kernel view") and
the polynomial terms have degree < m in x and in x', where m is the null-space order
of phi (0 for bumps, 1 for sigmoids, 2 for ReLU-like growth, ...). As R → ∞ the
minimum-norm interpolant tends to the solution of the seminorm problem with the
conditionally positive definite radial kernel ``kappa(|x - x'|) = E_xi G(|x - x'| xi_1)``
plus polynomials of degree < m, which is what is solved (exactly, not with a huge R).
For ReLU in 1-D, G(t) = |t|^3 / 12 and the fit is the natural cubic spline.

Uniform law with finite R and the Gaussian law: see ``nodes`` in `._laws`
(product quadrature rules used as weighted features).

G comes from `._catalog` in closed form when the activation is recognised, and
otherwise numerically from the activation itself:

* m = 0: ``G(t) = ∫ phi(u) phi(u + t) du``;
* m >= 1: ``V(t) = -1/2 ∫ (psi(u + t) - psi(u))^2 du`` with ``psi = phi^(m-1)`` (a
  convergent integral), and ``G = (-1)^(m-1) I^(2m-2) V`` (2m - 2 integrations from 0);
  the neglected constants are even polynomials of degree <= 2m - 2, annihilated.

The u-integrals use the trapezoid rule after u = sinh(tau) (double-exponential decay of
algebraic tails); G is represented by a Chebyshev series on [0, T].
"""

from __future__ import annotations

import math

import numpy as np

_TAU_MAX = math.asinh(1e6)


def null_order(act) -> int:
    """Null-space order m from the growth of phi at |z| → ∞ (|phi| ~ |z|^p)."""
    Z = np.array([100.0, 200.0, 400.0])  # far out for activations of unit scale, no exp overflow
    with np.errstate(all="ignore"):
        core = float(np.max(np.abs(np.asarray(act(np.linspace(-10, 10, 201)), dtype=float))))
        m = 0
        for side in (-1.0, 1.0):
            f = np.abs(np.asarray(act(side * Z), dtype=float))
            if not np.all(np.isfinite(f)):
                raise ValueError("the activation is not finite at large |z|")
            if f[-1] <= 1e-9 * max(core, 1e-300):
                continue
            p = math.log2(f[2] / f[1]) if f[1] > 0 else 0.0
            if p < -0.55:
                continue
            m = max(m, int(math.floor(p + 0.5)) + 1)
    return m


def _trapz_nodes(h):
    tau = np.arange(-_TAU_MAX, _TAU_MAX + h / 2, h)
    return np.sinh(tau), h * np.cosh(tau)


def _base_integral(f, t, m, h):
    """m = 0: ∫ f(u) f(u+t) du; m >= 1: -1/2 ∫ (f(u+t) - f(u))^2 du, for each t."""
    u, wu = _trapz_nodes(h)
    with np.errstate(all="ignore"):
        fu = f(u)
        out = np.empty(t.size)
        for i, ti in enumerate(t):
            ft = f(u + ti)
            g = fu * ft if m == 0 else -0.5 * (ft - fu) ** 2
            bad = ~np.isfinite(g)
            # closed forms can overflow far out (exp(z) at z > 709) where the integrand of a
            # saturating or decaying activation is negligible; elsewhere it is an error
            if np.any(bad & (np.abs(u) < 50.0)):
                raise ValueError("the activation is not finite where its autocorrelation needs it")
            out[i] = wu @ np.where(bad, 0.0, g)
    return out


class NumericAutocorrelation:
    """G(t) on [0, T] for an activation without a closed form (see module docstring).

    Attributes
    ----------
    order : int
    error : float
        Change of G between quadrature steps h and h/2 (relative to max |G|).
    """

    def __init__(self, act, order: int, T: float, *, h: float = 0.01, max_degree: int = 512):
        from numpy.polynomial import Chebyshev

        self.order, self.T = order, float(T)
        f = (
            (lambda z: np.asarray(act(z), dtype=float))
            if order <= 1
            else (lambda z: np.asarray(act.derivative(z, order - 1), dtype=float))
        )
        base = 0 if order == 0 else 1
        deg = 32
        while True:
            ser = Chebyshev.interpolate(
                lambda t: _base_integral(f, t, base, h), deg, domain=[0, self.T]
            )
            tail = np.max(np.abs(ser.coef[-4:]))
            if tail <= 1e-13 * np.max(np.abs(ser.coef)) or deg >= max_degree:
                break
            deg *= 2
        probe = np.linspace(0, self.T, 7)
        coarse = _base_integral(f, probe, base, 2 * h)
        self.error = float(
            np.max(np.abs(coarse - ser(probe))) / max(1e-300, np.max(np.abs(ser(probe))))
        )
        if order >= 2:
            ser = ser.integ(2 * order - 2, lbnd=0) * (-1) ** (order - 1)
        self.series = ser

    def __call__(self, t):
        t = np.abs(np.asarray(t, dtype=float))
        if np.any(t > self.T * (1 + 1e-12)):
            raise ValueError("autocorrelation evaluated beyond its range; rebuild with a larger T")
        return self.series(t)


def sphere_average(G, r, dim: int, n_theta: int = 96):
    """kappa(r) = E_xi G(r xi_1) for xi uniform on S^(dim-1)."""
    r = np.asarray(r, dtype=float)
    if dim == 1:
        return G(r)
    x, w = np.polynomial.legendre.leggauss(n_theta)
    th = (x + 1) * np.pi / 4  # [0, pi/2]; G is even, so half the circle suffices
    wt = w * np.sin(th) ** (dim - 2)
    wt = wt / wt.sum()
    vals = G(r[:, None] * np.cos(th)[None, :])
    return vals @ wt


class RadialKernel:
    """kappa(|x - x'|) tabulated on a uniform radial grid (4-point Lagrange, numba)."""

    def __init__(self, G, dim: int, rmax: float, *, exact_1d: bool = False, n: int = 8192):
        self.G, self.dim, self.exact = G, dim, exact_1d and dim == 1
        self.rmax = float(rmax)
        self.dr = max(self.rmax, 1e-12) / n
        r = self.dr * np.arange(-1, n + 3)  # one node below 0 (kappa is even) and two above rmax
        self.values = np.ascontiguousarray(sphere_average(G, np.abs(r), dim))
        self.r0 = -self.dr

    def matrix(self, X1, X2, backend: str = "numba"):
        X1 = np.ascontiguousarray(X1, dtype=float)
        X2 = np.ascontiguousarray(X2, dtype=float)
        if self.exact:
            return np.asarray(self.G(X1[:, 0][:, None] - X2[:, 0][None, :]), dtype=float)
        if backend == "numba":
            from .compute._numba_kernels import radial

            out = np.empty((X1.shape[0], X2.shape[0]))
            radial(X1, X2, self.r0, 1.0 / self.dr, self.values, out)
            return out
        d = np.sqrt(np.maximum(0.0, ((X1[:, None, :] - X2[None, :, :]) ** 2).sum(-1)))
        return np.interp(d, self.r0 + self.dr * np.arange(self.values.size), self.values)
