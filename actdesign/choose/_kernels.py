"""Width = inf kernels of penalty families: kappa = F_D^-1[1 / rho_total(|K|)].

With the uniform law, the kernel of the kernel regime has F_D[kappa](K) proportional to
1 / rho_total(|K|) (theory.md §3, "kernel view"). The functions here return

    kappa(r) = (2 pi)^-D  ∫_{R^D} exp(i K.x) / rho(|K|) dK,   r = |x|,

exactly (the constant included); the radial form is the Hankel transform

    kappa(r) = (2 pi)^(-D/2) r^(1 - D/2) ∫_0^∞ k^(D/2) J_(D/2-1)(k r) / rho(k) dk.

Closed forms (all strictly positive definite):

* rho = exp(a|k|)      -> Poisson kernel   Gamma((D+1)/2) pi^-((D+1)/2) a / (a^2 + r^2)^((D+1)/2)
* rho = exp(a k^2)     -> Gaussian         (4 pi a)^(-D/2) exp(-r^2 / (4a))
* rho = (1 + a k^2)^p  -> Matern (p > D/2) a^(-D/2) 2^(1-p) / ((2 pi)^(D/2) Gamma(p)) u^nu K_nu(u),
  u = r / sqrt(a), nu = p - D/2

`hankel_kernel` is the numeric route for any penalty (used as a cross-check and
for penalties without a closed form).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special


def poisson(r, a: float, dim: int):
    """Kernel of rho = exp(a|k|) in ``dim`` dimensions."""
    r = np.asarray(r, dtype=float)
    h = (dim + 1) / 2
    return math.gamma(h) / math.pi**h * a / (a * a + r * r) ** h


def gaussian(r, a: float, dim: int):
    """Kernel of rho = exp(a k^2) in ``dim`` dimensions."""
    r = np.asarray(r, dtype=float)
    return (4 * math.pi * a) ** (-dim / 2) * np.exp(-r * r / (4 * a))


def matern(r, a: float, p: float, dim: int):
    """Kernel of rho = (1 + a k^2)^p in ``dim`` dimensions (needs p > dim/2)."""
    nu = p - dim / 2
    if not nu > 0:
        raise ValueError(f"the Matern kernel needs p > D/2 = {dim / 2}, got p = {p}")
    r = np.asarray(r, dtype=float)
    u = r / math.sqrt(a)
    # u^nu K_nu(u) with the scaled Bessel function (no overflow or underflow at large u);
    # at u = 0 its limit Gamma(nu) 2^(nu-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(u > 1e-12, u**nu * special.kve(nu, u) * np.exp(-u), 0.0)
    shape = np.where(u > 1e-12, shape, math.gamma(nu) * 2 ** (nu - 1))
    const = a ** (-dim / 2) * 2 ** (1 - p) / ((2 * math.pi) ** (dim / 2) * math.gamma(p))
    return const * shape


def hankel_kernel(inv_rho, r, dim: int, *, kmax: float | None = None):
    """kappa(r) for any radial spectrum ``inv_rho(k) = 1 / rho(k)``, numerically.

    The Hankel transform is split at the zeros of the Bessel function (scipy's adaptive
    quadrature between consecutive zeros, at most 600 pieces), and the alternating
    partial sums are averaged repeatedly to take their limit. The absolute error is about
    1e-13 of the first lobe's integral: where kappa(r) is far smaller than that (a
    Gaussian far out), the relative error is large. ``inv_rho`` must be integrable against
    k^(D-1) (point evaluation bounded) and vectorised over numpy arrays.

    Parameters
    ----------
    inv_rho : callable
        ``1 / rho(k)`` for k >= 0, vectorised over numpy arrays.
    r : float or array
        Distances |x| >= 0 at which kappa is evaluated.
    dim : int
        Input dimension D.
    kmax : float, optional
        Cut the k-integral at ``kmax`` (default: no cutoff).

    Returns
    -------
    ndarray
        ``kappa(r) = (2 pi)^-D ∫ exp(iK.x) / rho(|K|) dK`` at each r (at least 1-D).
    """
    from scipy import integrate

    r = np.atleast_1d(np.asarray(r, dtype=float))
    out = np.empty(r.shape)
    order = dim / 2 - 1
    cutoff = kmax if kmax is not None else np.inf
    for i, ri in enumerate(r.flat):
        if ri == 0.0:
            f = lambda k: k ** (dim - 1) * inv_rho(k)  # noqa: E731
            val, _ = integrate.quad(f, 0, cutoff, limit=400, epsabs=0, epsrel=1e-12)
            area = 2 * math.pi ** (dim / 2) / math.gamma(dim / 2)
            out.flat[i] = area * val / (2 * math.pi) ** dim
            continue
        out.flat[i] = _hankel_at(inv_rho, ri, dim, order, cutoff)
    return out


def _hankel_at(inv_rho, r, dim, order, cutoff):
    from scipy import integrate

    def f(k):
        return k ** (dim / 2) * special.jv(order, k * r) * inv_rho(k)

    n_max = 600
    zeros = (special.jn_zeros(int(order), n_max) if float(order).is_integer()
             else np.array([_jv_zero(order, n) for n in range(1, n_max + 1)])) / r
    edges = np.concatenate([[0.0], zeros])
    sums, total, tol = [], 0.0, 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo >= cutoff:
            break
        piece, _ = integrate.quad(f, lo, min(hi, cutoff), limit=200, epsabs=tol, epsrel=1e-13)
        tol = tol or 1e-16 * abs(piece)  # absolute accuracy set by the first (largest) piece
        total += piece
        sums.append(total)
        if len(sums) > 40 and abs(piece) <= 1e-16 * abs(total):
            break
    total = _average_alternating(np.array(sums[-40:]))
    return (2 * math.pi) ** (-dim / 2) * r ** (1 - dim / 2) * total


def _average_alternating(sums):
    """Limit of the partial sums of an alternating series with smoothly decaying terms.

    Between consecutive Bessel zeros the pieces alternate in sign; repeated averaging of
    neighbouring partial sums (the Euler transform's core) cancels the oscillation, so an
    algebraically decaying 1/rho converges as fast as an exponentially decaying one.
    """
    for _ in range(min(20, sums.size - 1)):
        sums = 0.5 * (sums[:-1] + sums[1:])
    return float(sums[-1])


def _jv_zero(order, n):
    """n-th positive zero of J_order (McMahon start, Newton refinement)."""
    beta = (n + order / 2 - 0.25) * math.pi
    mu = 4 * order * order
    x = beta - (mu - 1) / (8 * beta)
    for _ in range(50):
        step = special.jv(order, x) / special.jvp(order, x)
        x -= step
        if abs(step) < 1e-14 * x:
            break
    return x
