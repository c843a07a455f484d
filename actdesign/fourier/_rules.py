"""Node/weight tables of the double-exponential (DE) rules behind actdesign.fourier._transform.

Three rules, each a cached function of a refinement ``level`` (step h halves per level):

* ``ooura(level, kind, alpha_level)``: Ooura & Mori's robust DE formula for Fourier
  integrals (J. Comput. Appl. Math. 112 (1999) 229-241),

      int_0^inf f(x) trig(w x) dx  ~  (1/w) * sum_n weight_n * f(node_n / w),

  with x = M phi(t)/w, M = pi/h, phi(t) = t / (1 - exp(-eta(t))),
  eta(t) = 2t + alpha (1 - e^-t) + (e^t - 1)/4, t_n = n h (sin) or (n - 1/2) h (cos).
  The nodes approach the zeros of trig double-exponentially, so the weights vanish there
  and a slowly decaying f needs no extrapolation.  ``alpha_level`` j divides the robust
  alpha = 1/sqrt(16 + 4 log(1 + pi/h)/h) by 2**j: a smaller alpha delays the
  double-exponential crowding of nodes towards x = 0, which keeps features of f at
  x ~ 1 resolved when w is tiny (alpha proportional to sqrt(w) was measured to keep the
  error at rounding level down to w = 1e-12).
* ``exp_sinh(level)``: int_0^inf f(x) dx with x = exp(pi/2 sinh t).
* ``tanh_sinh(level)``: int_0^1 f(u) du with u = 1/(1 + exp(-pi sinh t)); the distance
  to the nearer end is returned separately so that endpoints are resolved to ~1e-300.

All tables are computed in float64 with cancellation-free formulas (``_phi_prime``:
phi and phi' are 0/0 forms at t = 0), except the Ooura phases trig(nu) for |t| <= 3,
where nu reaches ~1e3 and is evaluated in extended precision (``_central_trig``).  The
tests compare nodes and weights with the defining formulas in mpmath at 40 digits
(agreement 4e-15 relative to pi phi').
"""

from __future__ import annotations

from functools import cache
from math import factorial

import numpy as np

OOURA_H0 = 0.1  # Ooura step at level 0
DE_H0 = 0.125  # exp-sinh / tanh-sinh step at level 0
TINY_NODE = 1e-290  # nodes below this contribute nothing representable
TINY_WEIGHT = 1e-40  # right-hand Ooura weights below this (relative to O(1)) are dropped
MAX_LOG = 690.0  # exp-sinh covers x in [e^-690, e^690]
MP_T = 3.0  # Ooura phases for |t| <= MP_T are evaluated in extended precision

_R1_COEF = np.array([n / factorial(n + 1) for n in range(1, 24)])


def _r(s):
    """r(s) = expm1(s)/s, with r(0) = 1."""
    s = np.asarray(s, dtype=float)
    safe = np.where(s == 0.0, 1.0, s)
    return np.where(s == 0.0, 1.0, np.expm1(safe) / safe)


def _r1(s):
    """r'(s) = ((s-1) e^s + 1)/s^2, by its power series for |s| < 1/2 (no cancellation)."""
    s = np.asarray(s, dtype=float)
    small = np.abs(s) < 0.5
    ss = np.where(small, s, 0.0)
    series = np.polynomial.polynomial.polyval(ss, _R1_COEF)
    big = np.where(small, 1.0, s)
    with np.errstate(over="ignore", invalid="ignore"):
        direct = ((big - 1.0) * np.exp(big) + 1.0) / (big * big)
    return np.where(small, series, direct)


def ooura_alpha(h: float, alpha_level: int = 0) -> float:
    """Robust alpha of Ooura & Mori (1999), divided by 2**alpha_level."""
    return 1.0 / np.sqrt(16.0 + 4.0 * np.log1p(np.pi / h) / h) / 2.0**alpha_level


def _phi_prime(t, alpha):
    """eta(t), phi(t) and phi'(t) of the Ooura transformation, accurate to a few ulp.

    Near t = 0 both phi and phi' are 0/0 forms; writing eta = t g(t) and
    1 - e^-eta = eta q(eta) with g, q built from r(s) = expm1(s)/s removes the
    cancellation (and gives phi(0) = 1/eta'(0) without a special case).  Far from 0
    the direct forms are used (rescaled by e^eta for t < 0 so that nothing overflows).
    """
    t = np.asarray(t, dtype=float)
    et = np.exp(t)
    eta = 2.0 * t + alpha * (-np.expm1(-t)) + np.expm1(t) / 4.0
    deta = 2.0 + alpha / et + et / 4.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        # central form (only used for |t| < 1/2; elsewhere it may overflow harmlessly)
        g = 2.0 + alpha * _r(-t) + _r(t) / 4.0
        dg = -alpha * _r1(-t) + _r1(t) / 4.0
        q = _r(-eta)
        dq = -_r1(-eta)
        gq = g * q
        phi_c = 1.0 / gq
        dphi_c = -(dg * q + g * dq * deta) / (gq * gq)
        # t > 0 form
        d = -np.expm1(-eta)
        phi_p = t / d
        dphi_p = (d - t * deta * np.exp(-eta)) / (d * d)
        # t < 0 form, multiplied through by e^eta
        e = np.exp(eta)
        m = np.expm1(eta)
        phi_m = t * e / m
        dphi_m = e * (m - t * deta) / (m * m)
    central = np.abs(t) < 0.5
    phi = np.where(central, phi_c, np.where(t > 0, phi_p, phi_m))
    dphi = np.where(central, dphi_c, np.where(t > 0, dphi_p, dphi_m))
    return eta, phi, dphi


def _trig_factor(n, m, eta, nu, kind):
    """trig(nu) without the rounding of nu ~ m*pi: reduce by the exact multiple of pi."""
    sign = np.where(n % 2 == 0, 1.0, -1.0)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        near = sign * np.sin(np.pi * m / np.expm1(eta))  # nu = m pi + m pi/(e^eta - 1)
    far = np.sin(nu) if kind == "sin" else np.cos(nu)
    return np.where(eta >= -1.0, near, far)


def ooura_terms(n, h, alpha, kind):
    """``(t, node, weight)`` of the Ooura-Mori rule for integer indices ``n`` (uncached)."""
    n = np.asarray(n)
    off = 0.0 if kind == "sin" else 0.5
    m = n - off
    t = m * h
    eta, phi, dphi = _phi_prime(t, alpha)
    nu = (np.pi / h) * phi
    trig = np.where(np.abs(t) <= MP_T, _central_trig(m, h, alpha, kind),
                    _trig_factor(n, m, eta, nu, kind))
    return t, nu, np.pi * dphi * trig


def _central_trig(m, h, alpha, kind):
    """trig(nu(t)) for t = m h exactly, |t| <= MP_T, to ~1e-19 (zeros elsewhere).

    There nu = (pi/h) phi(t) is up to ~1e3, and float64 would leave trig(nu) an absolute
    error ~ nu * 1e-16; with the exact node's phase, only the error of f at a node rounded
    by one ulp remains, and it is not amplified by nu.  Extended precision comes from
    numpy's longdouble where it has a 64-bit mantissa (x86-64 Linux), else from mpmath.
    """
    m = np.asarray(m, dtype=float)
    sel = np.abs(m * h) <= MP_T
    out = np.zeros_like(m)
    if np.finfo(np.longdouble).eps < 1e-18:
        out[sel] = _trig_longdouble(m[sel], h, alpha, kind)
    else:  # pragma: no cover - platforms without 80-bit long double
        out[sel] = _trig_mp(m[sel], h, alpha, kind)
    return out


def _nu_formula(t, h, alpha, one, pi, expm1):
    """nu(t) = (pi/h) t / (1 - exp(-eta(t))) for t != 0 (any number type)."""
    eta = 2 * t - alpha * expm1(-t) + expm1(t) / 4
    return pi / h * t / -expm1(-eta)


def _trig_longdouble(m, h, alpha, kind):
    ld = np.longdouble
    pi, hl, al, one = ld("3.14159265358979323846264338327950288"), ld(h), ld(alpha), ld(1)
    t = m.astype(ld) * hl
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = _nu_formula(t, hl, al, one, pi, np.expm1)
    nu = np.where(t == 0, pi / (hl * (2 + al + one / 4)), nu)  # nu(0) = pi/(h eta'(0))
    return (np.sin(nu) if kind == "sin" else np.cos(nu)).astype(float)


def _trig_mp(m, h, alpha, kind):
    import mpmath as mp

    out = []
    with mp.workdps(30):
        trig = mp.sin if kind == "sin" else mp.cos
        one, hm, am = mp.mpf(1), mp.mpf(float(h)), mp.mpf(float(alpha))
        for mi in m:
            t = mp.mpf(float(mi)) * hm
            nu = mp.pi / (hm * (2 + am + one / 4)) if t == 0 else _nu_formula(
                t, hm, am, one, mp.pi, mp.expm1)
            out.append(float(trig(nu)))
    return np.array(out)


@cache
def ooura(level: int, kind: str, alpha_level: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the Ooura-Mori rule; see the module docstring.

    Returns read-only float arrays ``(nodes, weights)``, nodes > TINY_NODE, such that
    ``int_0^inf f(x) trig(w x) dx ~ sum(weights * f(nodes / w)) / w`` for w > 0.
    """
    if kind not in ("sin", "cos"):
        raise ValueError(f"kind must be 'sin' or 'cos', not {kind!r}")
    h = OOURA_H0 / 2.0**level
    alpha = ooura_alpha(h, alpha_level)
    # right end: eta ~ e^t/4 and the weights fall like exp(-e^t/4); t = 6.5 is far past 1e-40
    n_hi = int(np.ceil(6.5 / h)) + 1
    # left end: eta ~ -alpha e^-t; nodes ~ exp(eta) fall below TINY_NODE by t = -log(700/alpha)
    n_lo = -int(np.ceil(np.log(720.0 / alpha) / h)) - 1
    n = np.arange(n_lo, n_hi + 1)
    t, nu, w = ooura_terms(n, h, alpha, kind)
    keep = (nu > TINY_NODE) & ((t < 0) | (np.abs(w) > TINY_WEIGHT)) & np.isfinite(w)
    return _frozen(nu[keep]), _frozen(w[keep])


@cache
def exp_sinh(level: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes x and weights of ``int_0^inf f(x) dx ~ sum(w f(x))`` (x = exp(pi/2 sinh t))."""
    h = DE_H0 / 2.0**level
    tmax = np.arcsinh(MAX_LOG * 2.0 / np.pi)
    t = np.arange(-np.ceil(tmax / h), np.ceil(tmax / h) + 1) * h
    s = 0.5 * np.pi * np.sinh(t)
    keep = np.abs(s) <= MAX_LOG
    t, s = t[keep], s[keep]
    x = np.exp(s)
    w = h * 0.5 * np.pi * np.cosh(t) * x
    return _frozen(x), _frozen(w)


@cache
def tanh_sinh(level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tanh-sinh rule on [0, 1]: ``(u, dist, w)`` with ``int_0^1 f ~ sum(w f(u))``.

    ``dist`` is min(u, 1-u) computed without rounding (``u = dist`` for the left half and
    ``1 - dist`` for the right half), so singular endpoints are resolved.
    """
    h = DE_H0 / 2.0**level
    tmax = np.arcsinh(MAX_LOG / np.pi)
    t = np.arange(-np.ceil(tmax / h), np.ceil(tmax / h) + 1) * h
    s = np.pi * np.sinh(t)
    with np.errstate(over="ignore"):
        dist = 1.0 / (1.0 + np.exp(np.abs(s)))
    w = h * 0.5 * np.pi * np.cosh(t) * dist * (1.0 - dist) * 2.0
    keep = (dist > TINY_NODE) & (w > 0)
    u = np.where(t < 0, dist, 1.0 - dist)
    return _frozen(u[keep]), _frozen(dist[keep]), _frozen(w[keep])


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=float)
    a.setflags(write=False)
    return a
