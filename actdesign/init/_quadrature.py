"""Gaussian expectations E[g(b + sigma*Z)], Z ~ N(0, 1), for many sigma at once.

Two rules, both vectorised over sigma:

* Gauss–Hermite (probabilists' weight), for smooth integrands; `expect`
  checks it against a rule of twice the order and falls back to panels when the
  two disagree (tanh at large sigma is smooth but nearly a step, and converges slowly).
* Adaptive composite Gauss–Legendre on panels of the standard-normal variable t,
  with the integrand's break points (kinks, jumps, table knots) as panel edges, so
  that every panel is smooth; the panels are halved until two levels agree.

Integrands are given as ``fn(x, t) -> array (m, *x.shape)``: ``m`` integrands
evaluated at the pre-activations ``x = b + sigma*t`` (``t`` is passed so that
moments such as E[phi(x) phi'(x) Z] need no second evaluation).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

T_MAX = 12.0  # N(0,1) mass beyond 12 is ~4e-33: negligible next to double rounding
GL_ORDER = 16
MAX_LEVEL = 9  # panel width 1 -> 1/512 in units of t
RTOL = 1e-12
ATOL = 1e-15


@lru_cache(maxsize=8)
def hermite_rule(n: int):
    """Nodes and weights of the n-point rule for E[g(Z)], Z ~ N(0, 1) (n <= 200)."""
    from numpy.polynomial.hermite_e import hermegauss  # numpy: no scipy import on this path

    t, w = hermegauss(n)
    return t, w / np.sqrt(2 * np.pi)


@lru_cache(maxsize=2)
def _legendre(p: int):
    return np.polynomial.legendre.leggauss(p)


def expect(fn, sigma, bias=0.0, breaks=(), smooth=False, rtol=RTOL, atol=ATOL, singular=(),
           tails=True):
    """E[fn(b + sigma Z)] for every sigma; returns an array (m, len(sigma)).

    Parameters
    ----------
    fn : callable
        ``fn(x, t)`` with ``x = bias + sigma*t``, returning ``m`` integrands.
    sigma, bias : array_like
        Standard deviations (>= 0) and means of the pre-activation; broadcast together.
    breaks : sequence of float
        Points in x where the integrand is not smooth (used by the panel rule).
    singular : sequence of float
        Break points where the integrand may be unbounded: panels are graded
        geometrically towards them, so integrable singularities converge, and an
        integrand that diverges like 1/|x - B| or worse there gives +inf.
    smooth : bool
        Try Gauss–Hermite first (accepted only if it agrees with the doubled rule).
    tails : bool
        Report +inf where the integrand still matters at |t| = T_MAX (divergent or
        beyond the window); off for inner integrals whose totals may be negligibly small.
    """
    sigma, bias = (np.ravel(v) for v in np.broadcast_arrays(np.asarray(sigma, dtype=float),
                                                           np.asarray(bias, dtype=float)))
    if smooth:
        lo, out = (_gauss_hermite(fn, sigma, bias, n) for n in (96, 192))
        bad = ~_close(lo, out, rtol, atol).all(axis=0)
        if bad.any():
            out[:, bad] = _panels(fn, sigma[bad], bias[bad], breaks, rtol, atol, singular)
    else:
        out = _panels(fn, sigma, bias, breaks, rtol, atol, singular)
    if tails:
        out[_heavy_tails(fn, sigma, bias, out)] = np.inf
    return out


def _heavy_tails(fn, sigma, bias, total):
    """(m, rows) mask: the integrand still matters at |t| = T_MAX (e.g. exp(z^2), or exp(a z)
    with a large), so the expectation is infinite or beyond the window; reported as inf."""
    t = np.array([-T_MAX, T_MAX, -1.0, 0.0, 1.0])
    x = bias[:, None] + sigma[:, None] * t
    with np.errstate(all="ignore"):
        v = np.abs(np.asarray(fn(x, np.broadcast_to(t, x.shape)))) * np.exp(-t * t / 2)
        scale = np.abs(total) + v[..., 2:].mean(axis=-1)  # ~E|f| when the signed total is 0
        bad = ~np.isfinite(v[..., :2]) | (v[..., :2] > 1e-14 * scale[..., None] + 1e-300)
    return bad.any(axis=-1)


def _close(a, b, rtol, atol):
    with np.errstate(invalid="ignore"):  # inf - inf: a divergent integrand is never "close"
        return np.abs(a - b) <= rtol * np.abs(b) + atol


def _gauss_hermite(fn, sigma, bias, n):
    t, w = hermite_rule(n)
    x = bias[:, None] + sigma[:, None] * t[None, :]
    vals = np.asarray(fn(x, np.broadcast_to(t, x.shape)))
    return vals @ w


def _panels(fn, sigma, bias, breaks, rtol, atol, singular=()):
    """Adaptive composite Gauss–Legendre in t, panel edges at the break points."""
    singular = np.asarray(singular, dtype=float).ravel()
    edges = np.concatenate([np.asarray(breaks, dtype=float).ravel(), _graded(singular)])
    out = _panels_adaptive(fn, sigma, bias, edges, rtol, atol)
    if singular.size:
        out[_divergent(fn, sigma, bias, singular)] = np.inf
    return out


def _divergent(fn, sigma, bias, breaks):
    """(m, rows) mask: the integrand grows like |x - B|^-p, p >= 1, at some break B.

    Compares |f| * delta at delta = 2^-40 and 2^-20 from each break: the ratio is
    2^(20 (p - 1)) for |x - B|^-p, so >= 1/2 flags p >= 1 (a non-integrable singularity).
    Breaks farther than T_MAX sigma from the mean carry no weight and are skipped.
    """
    d = np.array([2.0**-40, 2.0**-20])
    x = breaks[None, :, None, None] + np.array([-1.0, 1.0])[None, None, :, None] * d
    x = np.broadcast_to(x, (sigma.size,) + x.shape[1:])
    with np.errstate(all="ignore"):
        t = (x - bias[:, None, None, None]) / sigma[:, None, None, None]
        v = np.abs(np.asarray(fn(x, np.nan_to_num(t)))) * d
    inside = np.abs(np.nan_to_num(t[..., 0], nan=np.inf)) < T_MAX
    bad = ~np.isfinite(v[..., 0]) | (v[..., 0] >= 0.5 * v[..., 1]) & (v[..., 0] > 1e-300)
    return (bad & inside).any(axis=(-2, -1))


def _panels_adaptive(fn, sigma, bias, breaks, rtol, atol):
    out = None
    prev = None
    todo = np.arange(sigma.size)
    for level in range(MAX_LEVEL + 1):
        cur = _panel_sum(fn, sigma[todo], bias[todo], breaks, 2.0**-level)
        if out is None:
            out = np.empty((cur.shape[0], sigma.size), dtype=cur.dtype)
        out[:, todo] = cur
        if prev is not None:
            done = _close(prev, cur, rtol, atol).all(axis=0)
            todo, cur = todo[~done], cur[:, ~done]
            if todo.size == 0:
                return out
        prev = cur
    return out  # best effort: the finest level (callers check finiteness)


def _panel_sum(fn, sigma, bias, breaks, width):
    # Panel edges per row: a uniform grid in t (resolves the Gaussian), geometric edges
    # +-2^j in x (resolve phi's own structure when sigma >> 1), and the break points;
    # everything is mapped to t and clipped onto [-T_MAX, T_MAX] (clipped edges give
    # empty panels), so all rows have the same number of panels and one sort suffices.
    xg, wg = _legendre(GL_ORDER)
    grid = np.arange(-T_MAX, T_MAX + width / 2, width)
    xe = np.concatenate([breaks, _x_edges(width)])
    inv = np.divide(1.0, sigma, out=np.zeros_like(sigma), where=sigma > 0)  # sigma = 0: t unused
    tb = np.clip((xe[None, :] - bias[:, None]) * inv[:, None], -T_MAX, T_MAX)
    edges = np.sort(np.concatenate([np.broadcast_to(grid, (sigma.size, grid.size)), tb], axis=1),
                    axis=1)
    a, b = edges[:, :-1, None], edges[:, 1:, None]
    half = (b - a) / 2
    t = (a + b) / 2 + half * xg  # (rows, panels, order)
    w = half * wg * np.exp(-t * t / 2) / np.sqrt(2 * np.pi)
    x = bias[:, None, None] + sigma[:, None, None] * t
    vals = np.asarray(fn(x, t))  # (m, rows, panels, order)
    # empty panels (clipped edges) may sit on a singular point: their weight is 0, so drop them
    return (np.where(w > 0, vals, 0.0) * w).sum(axis=(-2, -1))


@lru_cache(maxsize=16)
def _x_edges(width):
    """+-2^j for j = -5..16, each octave split like the t grid (width 1 -> 1 piece)."""
    n = max(1, int(round(1 / width)))
    octaves = [np.linspace(2.0**j, 2.0 ** (j + 1), n + 1)[:-1] for j in range(-5, 17)]
    pos = np.concatenate(octaves + [np.array([2.0**17])])
    return np.concatenate([-pos[::-1], [0.0], pos])


def _graded(points):
    """B +- 2^j (j = -40..-1) around each singular point: geometric (hp) grading."""
    off = 2.0 ** np.arange(-40, 0)
    return (points[:, None] + np.concatenate([-off, off])[None, :]).ravel()
