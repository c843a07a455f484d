"""Numeric Fourier transforms under actdesign's convention F[phi](k) = int phi(z) e^{-ikz} dz.

* ``inverse_cosine(G, z)`` = (1/pi) int_0^inf G(k) cos(kz) dk: the even phi with
  F[phi] = G(|k|) (design: G = rho^{-1/2}).
* ``inverse_sine(G, z)``   = (1/pi) int_0^inf G(k) sin(kz) dk (derivatives:
  phi'(z) = -inverse_sine(lambda k: k*G(k), z)).
* ``forward_transform(phi, k)`` = F[phi](k), complex, from the even and odd parts of phi.
* ``asymptotic_power(G)``: log-log slopes of G at k -> 0 and k -> inf.
* ``mp_inverse_cosine`` / ``mp_inverse_sine``: mpmath references (quadosc's scheme; slow).

Method: double-exponential quadrature throughout (``_quad`` and
``_rules``): Ooura-Mori's robust DE formula for the oscillatory half line,
exp-sinh at zero frequency, tanh-sinh on finite pieces (bands, kinks, a declared k^-a
singularity).  Every function returns ``(values, errors)``; ``errors`` is the difference
of the last two step sizes, plus a rounding floor 8 eps sum|terms|, plus an estimate of
the mass beyond the outermost nodes (inf when the integral diverges), and was >= the
true error in every test case.

Measured accuracy (float64, |z| from 1e-9 to 1e3 and 0): absolute error <= 3e-16 for
e^-0.7k, e^-k^2/2, 1/(1+k^2), 1/(1+k^4), sech, the band-limited sinc and the triangle
(max|phi| ~ 0.4); <= 4e-15 for (1+k^2)^-1/2, whose phi = K0(|z|)/pi has a log
singularity at 0 (values ~2-7 near it); <= 1.4e-14 for k^-0.99 e^-k with
singular_power=0.99 (max|phi| = 32).  Values far below eps * int|G| (e.g. K0(40)/pi =
1e-18) carry only that absolute accuracy, and the error estimate reports it.  Cost: ~450
integrand evaluations per point when the first two levels agree (typical), up to ~5000
at the level cap; 8-27 us of CPU per point on 4000-point grids (2-core test machine).
"""

from __future__ import annotations

import numpy as np

from ..infra._errors import ActdesignError
from . import _quad as Q

PARITIES = (None, "even", "odd")


def _check(z, name):
    z = np.asarray(z, dtype=float)
    if not np.all(np.isfinite(z)):
        raise ActdesignError(f"{name} contains NaN or inf; pass finite numbers")
    return z


def _segments(band, breakpoints, singular_power, limit, scale):
    """Keyword segments for ``_quad.transform``; validates the user's choices."""
    lo, hi = (float(v) for v in band)
    if not (0.0 <= lo < hi):
        raise ActdesignError(f"band {band!r} must satisfy 0 <= lo < hi (hi may be inf)")
    if not (0.0 <= singular_power < limit):
        raise ActdesignError(
            f"singular_power={singular_power} must lie in [0, {limit}) for this transform"
        )
    if not (np.isfinite(scale) and scale > 0):
        raise ActdesignError(f"scale={scale} must be a positive number (typical k-scale of G)")
    power = 1.0 / (limit - singular_power) if singular_power > 0 else 1.0
    breaks = tuple(abs(float(b)) for b in breakpoints)
    return dict(lo=lo, hi=hi, breaks=breaks, power=power, scale=float(scale))


def inverse_cosine(
    G,
    z,
    *,
    singular_power: float = 0.0,
    band=(0.0, np.inf),
    breakpoints=(),
    scale: float = 1.0,
    rtol: float = 1e-12,
    atol: float = 0.0,
    max_level: int = 4,
):
    """(1/pi) int_0^inf G(k) cos(kz) dk: the even phi whose transform is G(|k|).

    Parameters
    ----------
    G : callable
        Vectorised (called with 1-D float arrays), real, finite for k in the open range
        (never called at k = 0 or at a band edge; NaN/inf there raise ActdesignError,
        except beyond k = 1e30 * scale, where they are read as the 0 of inf*0 in a
        decaying G); may be singular at k = band[0] like k^-a with a < 1.
    z : array_like
        Any sign, including 0 (then the plain integral int G dk / pi by exp-sinh).
    singular_power : float in [0, 1)
        Declare G ~ (k - band[0])^-a: the first quarter period is integrated after the
        substitution k = c u^(1/(1-a)), which removes the singularity.  Without it, a <= 0.9
        is still resolved (nodes reach k ~ 1e-290).
    band : (lo, hi)
        G vanishes outside [lo, hi]; hi = inf by default.  A finite band uses tanh-sinh on
        panels of <= 2 periods (cost grows like (hi - lo) |z|).
    breakpoints : sequence of float
        k where G has a kink or jump; the integral is split there.  Undeclared, a kink
        costs accuracy (4e-6 for max(0, 1-k)) and the error estimate, then only a
        level difference, was measured up to 2x short at 2 of 301 points.
    scale : float
        Typical k-scale of G's features (sets where the rule for small |z| keeps its
        nodes dense); results do not depend on it when converged.
    rtol, atol : float
        Refinement stops when two successive step sizes agree to max(rtol |value|, atol)
        or to rounding level.
    max_level : int
        At most this many halvings of the step (level 4 = 2600 nodes per point).

    Returns
    -------
    values, errors : ndarray
        Shaped like z; ``errors`` estimates |values - exact| (pessimistically).

    Notes
    -----
    Accuracy (measured, see the module docstring): absolute error <= 1e-15 max|phi|
    for smooth or algebraically decaying G at |z| in [1e-12, 1e3] (typically 3e-16);
    relative accuracy is lost where phi(z) falls below ~eps int|G| dk (exponentially
    small tails), and the error estimate says so.  At z = 0 an integral that diverges
    (G ~ 1/k) returns a finite truncated value with error inf.
    """
    z = _check(z, "z")
    seg = _segments(band, breakpoints, singular_power, 1.0, scale)
    val, err = Q.transform(G, np.abs(z).ravel(), "cos", rtol=rtol, atol=atol,
                           max_level=max_level, **seg)
    return (val / np.pi).reshape(z.shape), (err / np.pi).reshape(z.shape)


def inverse_sine(
    G,
    z,
    *,
    singular_power: float = 0.0,
    band=(0.0, np.inf),
    breakpoints=(),
    scale: float = 1.0,
    rtol: float = 1e-12,
    atol: float = 0.0,
    max_level: int = 4,
):
    """(1/pi) int_0^inf G(k) sin(kz) dk (odd in z; 0 at z = 0).

    Same parameters and accuracy as `inverse_cosine`, except that
    ``singular_power`` may lie in [0, 2) (sin(kz) ~ kz tames one power), e.g. G = 1/k
    gives sign(z)/2.  Derivative of a designed phi: ``-inverse_sine(lambda k: k*G(k), z)``.
    """
    z = _check(z, "z")
    seg = _segments(band, breakpoints, singular_power, 2.0, scale)
    val, err = Q.transform(G, np.abs(z).ravel(), "sin", rtol=rtol, atol=atol,
                           max_level=max_level, **seg)
    sgn = np.sign(z).ravel()
    return (sgn * val / np.pi).reshape(z.shape), (err / np.pi).reshape(z.shape)


def forward_transform(
    phi,
    k,
    *,
    parity=None,
    breakpoints=(0.0,),
    singular_power: float = 0.0,
    scale: float = 1.0,
    rtol: float = 1e-12,
    atol: float = 0.0,
    max_level: int = 4,
):
    """F[phi](k) = int phi(z) e^{-ikz} dz for an integrable, vectorised, real phi.

    phi = E + O (even and odd parts); F = 2 int_0^inf E cos(kz) dz - 2i int_0^inf O sin(kz) dz.

    Parameters
    ----------
    phi : callable
        Real, finite away from the breakpoints, integrable (decay like |z|^-2 is fine).
    k : array_like
        Frequencies of any sign, including 0.
    parity : {None, "even", "odd"}
        Skip the part known to vanish (halves the cost).
    breakpoints : sequence of float
        z where phi has a kink or jump (either sign; +-b both split at |b|).
    singular_power : float in [0, 1)
        Declare an integrable singularity |z|^-a at z = 0.
    scale, rtol, atol, max_level
        As in `inverse_cosine` (scale: typical z-scale of phi's features).

    Returns
    -------
    values : complex ndarray
    errors : float ndarray
        Estimated |values - exact|.  Measured: relative error <= 1e-11 where
        |F| >= 1e-6 max|F| (Cauchy, Laplace, Gaussians, sigmoid', wavepacket, k <= 5);
        absolute accuracy ~eps int|phi| everywhere, so the relative accuracy of
        exponentially small values (Gaussian at k = 10: 5e-22) is lost, and ``errors``
        then exceeds |values|.
    """
    if parity not in PARITIES:
        raise ActdesignError(f"parity={parity!r}; use one of {PARITIES}")
    k = _check(k, "k")
    seg = _segments((0.0, np.inf), breakpoints, singular_power, 1.0, scale)
    om = np.abs(k).ravel()
    opts = dict(rtol=rtol, atol=atol, max_level=max_level, **seg)
    val = np.zeros(om.shape, dtype=complex)
    err = np.zeros(om.shape)
    if parity != "odd":
        c, ec = Q.transform(lambda x: 0.5 * (phi(x) + phi(-x)), om, "cos", **opts)
        val += 2.0 * c
        err += 2.0 * ec
    if parity != "even":
        s, es = Q.transform(lambda x: 0.5 * (phi(x) - phi(-x)), om, "sin", **opts)
        val += -2j * np.sign(k).ravel() * s
        err += 2.0 * es
    return val.reshape(k.shape), err.reshape(k.shape)


def asymptotic_power(G, k0: float = 1e-6, k1: float = 1e6) -> tuple[float, float]:
    """Local log-log slopes p of |G| ~ k^p at k0 (-> 0) and at k1 (-> inf).

    Central differences over [k/2, 2k].  Where G has underflowed to 0 at 2 k1 the slope at
    infinity is -inf (exponential decay); where G is 0 at k0/2 the slope at 0 is +inf.
    """
    if not (0 < k0 < k1 and np.isfinite(k1)):
        raise ActdesignError(f"need 0 < k0 < k1 < inf, got k0={k0}, k1={k1}")
    vals = np.abs(Q.call(G, np.array([k0 / 2.0, 2.0 * k0, k1 / 2.0, 2.0 * k1])))
    lo, hi = vals[:2], vals[2:]
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = np.inf if lo[0] == 0 else float(np.log(lo[1] / lo[0]) / np.log(4.0))
        p1 = -np.inf if hi[1] == 0 else float(np.log(hi[1] / hi[0]) / np.log(4.0))
    return float(p0), float(p1)


def _mp_transform(G_mp, z, dps, kind):
    """(1/pi) int_0^inf G(k) trig(kz) dk in mpmath: mpmath.quadosc's scheme (integrals
    between consecutive zeros of trig(kz), summed by nsum's extrapolation), except that
    the first interval uses tanh-sinh (mp.quad) instead of Gauss-Legendre, so that
    endpoint singularities of G at k = 0 (k^-a, sqrt(k)) keep full accuracy."""
    import mpmath as mp

    trig = mp.cos if kind == "cos" else mp.sin
    shift = mp.mpf(1) / 2 if kind == "cos" else 0
    out = []
    with mp.workdps(dps):
        for zz in np.asarray(z, dtype=float).ravel():
            w = abs(mp.mpf(float(zz)))
            sign = -1 if (zz < 0 and kind == "sin") else 1
            if w == 0 and kind == "sin":
                v = mp.mpf(0)
            elif w == 0:
                # tanh-sinh stops ~10^-dps from an endpoint, which loses the tail beyond
                # k ~ 10^dps: 1e-10 of int (1+k^2)^-3/4 at 20 digits; hence 2 dps + 5
                with mp.workdps(2 * dps + 5):
                    v = mp.quad(G_mp, [0, 1, mp.inf])
            else:
                def f(k, w=w):
                    return G_mp(k) * trig(k * w)

                def zero(n, w=w):
                    return (n + 1 - shift) * mp.pi / w

                v = mp.quad(f, [0, zero(0)]) + _mp_sum_periods(f, zero)
            out.append(sign * v / mp.pi)
    return out


def _mp_sum_periods(f, zero, direct: int = 12):
    """sum_n int_{zero(n)}^{zero(n+1)} f; nsum extrapolates unless the terms die out
    within ``direct`` periods (nsum spends seconds on terms that are already negligible)."""
    import mpmath as mp

    total, small = mp.mpf(0), 0
    for n in range(direct):
        term = mp.quadgl(f, [zero(n), zero(n + 1)])
        total += term
        small = small + 1 if abs(term) <= mp.eps * abs(total) else 0
        if small == 3:
            return total
    return total + mp.nsum(lambda m: mp.quadgl(f, [zero(m), zero(m + 1)]), [direct, mp.inf])


def mp_inverse_cosine(G_mp, z, dps: int = 30, *, as_mpf: bool = False):
    """Reference (1/pi) int_0^inf G(k) cos(kz) dk in mpmath at ``dps`` digits.

    The scheme of ``mpmath.quadosc`` (integrals between zeros of cos(kz), extrapolated
    by ``nsum``) with a tanh-sinh first interval: plain ``quadosc`` uses Gauss-Legendre
    there and was measured 4e-7 off for G = exp(-sqrt(k)).  ``G_mp`` takes and returns
    mpmath numbers.  Slow (0.2-5 s per point); for tests and for exponentially small
    tails.  Returns a float array shaped like z (a list of mpf with ``as_mpf``).
    """
    vals = _mp_transform(G_mp, z, dps, "cos")
    return vals if as_mpf else np.array([float(v) for v in vals]).reshape(np.shape(z))


def mp_inverse_sine(G_mp, z, dps: int = 30, *, as_mpf: bool = False):
    """Reference (1/pi) int_0^inf G(k) sin(kz) dk in mpmath (see mp_inverse_cosine)."""
    vals = _mp_transform(G_mp, z, dps, "sin")
    return vals if as_mpf else np.array([float(v) for v in vals]).reshape(np.shape(z))
