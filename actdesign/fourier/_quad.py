"""Vectorised half-line Fourier integrals: the engine behind actdesign.fourier._transform.

``half_line(f, omega, kind, level, ...)`` computes, for every omega >= 0 at once,

    I(omega) = int_lo^hi f(x) trig(omega x) dx,   trig = cos or sin,

at one refinement level, as a sum of pieces, each with its own rule:

* a *head* [lo, c] when f ~ (x - lo)^-a is declared: tanh-sinh after
  x = lo + (c - lo) u^p, p = 1/(1-a) (cos) or 1/(2-a) (sin), which makes the integrand
  regular at u = 0 (c <= a quarter period, so it does not oscillate);
* finite segments between breakpoints: tanh-sinh on equal panels of <= 2 periods;
* the tail [s, inf): Ooura-Mori for omega > 0 (shifted by s through
  cos(w(s+x)) = cos(ws)cos(wx) - sin(ws)sin(wx)), exp-sinh for omega = 0.

Each piece returns ``(I, A, T)``: the integral, sum |terms| (rounding floor) and an
estimate of the mass the rule cannot reach beyond its outermost nodes (1e-290 from an
endpoint, or e^690 for exp-sinh), from the local power law of |f| there (infinite when
that law is not integrable: a divergent integral is flagged, not hidden).

``transform`` drives the levels: levels 0 and 1 everywhere, then further halvings only
for the points whose last two levels disagree; error = |I_L - I_(L-1)| + 8 eps A + T.
"""

from __future__ import annotations

import numpy as np

from ..infra._errors import ActdesignError
from . import _rules as R

EPS = float(np.finfo(float).eps)
CHUNK = 1 << 19  # elements per (points x nodes) block: bounds memory at a few MB
ROUNDING = 8.0  # rounding floor = ROUNDING * eps * sum |terms|
HEAD_MIN = 1e-120  # head nodes closer than this (relative) to the endpoint reuse the nearest
# usable value: the substituted integrand is constant + O(x - lo) there
FAR = 1e30  # beyond FAR * scale, NaN/inf from the integrand count as 0 (see call)
TRIG = {"cos": np.cos, "sin": np.sin}


def call(f, x: np.ndarray, lo=None, hi=None, far=np.inf) -> np.ndarray:
    """``f(x)`` as a float array of x's shape; f is called on ``x.ravel()``, and
    over/underflow inside f is allowed.

    With bounds ``lo``/``hi`` (broadcastable to x), nodes that rounded onto an endpoint
    are not evaluated and count as 0: the rules put nodes within 1e-290 of the ends,
    where an integrable singularity of f may be infinite.  Non-finite values at
    x > ``far`` count as 0 too: there they come from inf*0 in a decaying f such as
    k**2*exp(-k**2) evaluated at k = 1e200 (a growing f still shows in the sum).

    Raises
    ------
    ActdesignError
        If f returns NaN or an infinity (the message names the first such point).
    """
    if lo is not None:
        inside = (x > lo) & (x < (np.inf if hi is None else hi))
        if not inside.all():
            y = np.zeros(x.shape)
            # ``far`` may be an array of x's shape: take the same nodes from it
            far_in = np.broadcast_to(far, x.shape)[inside] if np.ndim(far) else far
            y[inside] = call(f, x[inside], far=far_in)
            return y
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        y = np.asarray(f(x.ravel()))  # callables see 1-D arrays only
    if np.iscomplexobj(y):
        raise ActdesignError("the integrand returned complex values; pass a real function")
    y = np.asarray(y, dtype=float)
    y = np.broadcast_to(y, x.shape) if y.ndim == 0 else y.reshape(x.shape)
    bad = ~np.isfinite(y)
    if bad.any() and np.any(np.isfinite(far)):
        y = np.where(bad & (x > far), 0.0, y)
        bad = ~np.isfinite(y)
    if bad.any():
        raise ActdesignError(
            f"the integrand is {float(y[bad].flat[0])} at {float(x[bad].flat[0]):.6g}; it must "
            "be finite inside the integration range: rewrite it so that it does not overflow "
            "(k**2*exp(-k), not k**2/exp(k)), or declare an endpoint singularity k^-a with "
            "singular_power=a"
        )
    return y


def end_mass(d, y, outward: bool, factor=None):
    """Estimated int |f| beyond the outermost usable node of each row.

    ``d`` holds distances from the endpoint (ascending along axis 1; 0 marks nodes that
    rounded onto it), ``y`` the values of f, times ``factor`` (one per column) when given;
    outward, the fit uses the last nonzero values.  With |f| ~ d^-p fitted through the
    two outermost nodes: toward the endpoint the mass is d0 |f0| / (1 - p), outward (to
    infinity) it is d0 |f0| / (p - 1); a non-integrable p gives inf.
    """
    rows = np.arange(d.shape[0])
    if outward:  # last nonzero value: a decaying f written as 1/sqrt(1+k^2) hits 0 by overflow
        j0 = d.shape[1] - 1 - np.argmax((y != 0)[:, ::-1], axis=1)
        j1 = np.maximum(j0 - 1, 0)
    else:
        j0 = np.argmax(d > 0, axis=1)
        j1 = np.minimum(j0 + 1, d.shape[1] - 1)
    d0, d1, f0, f1 = d[rows, j0], d[rows, j1], np.abs(y[rows, j0]), np.abs(y[rows, j1])
    if factor is not None:
        f0, f1 = f0 * np.abs(factor[j0]), f1 * np.abs(factor[j1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = np.log(f0 / f1) / np.log(d1 / d0)
        p = np.where(np.isfinite(p), p, 0.0)
        room = (p - 1.0) if outward else (1.0 - p)
        mass = np.where(room > 0, d0 * f0 / room, np.inf)
    return np.where(f0 == 0.0, 0.0, mass)


def _blocks(npts: int, nnodes: int):
    """Slices of the point axis so that one block holds <= CHUNK elements."""
    step = max(1, CHUNK // max(nnodes, 1))
    return [slice(i, min(i + step, npts)) for i in range(0, npts, step)]


def _zeros(n):
    return np.zeros(n), np.zeros(n), np.zeros(n)


def _alpha_level(omega: np.ndarray, scale: float) -> np.ndarray:
    """Ooura alpha level: alpha ~ sqrt(omega*scale) below omega*scale = 1, quantised."""
    ws = np.clip(omega * scale, 1e-300, 1.0)
    return np.clip(np.ceil(-0.5 * np.log2(ws) - 1e-9), 0, 60).astype(int)


def osc(f, omega, kind, level, start, scale):
    """Ooura-Mori sums of int_0^inf f(start + x) trig(omega x) dx for omega > 0."""
    out = _zeros(omega.size)
    jl = _alpha_level(omega, scale)
    for j in np.unique(jl):
        nu, w = R.ooura(level, kind, int(j))
        idx = np.flatnonzero(jl == j)
        for b in _blocks(idx.size, nu.size):
            ii = idx[b]
            om, st = omega[ii][:, None], start[ii][:, None]
            x = st + nu / om
            y = call(f, x, st, far=st + FAR * scale)
            terms = y * w
            out[0][ii] = terms.sum(axis=1) / om[:, 0]
            out[1][ii] = np.abs(terms).sum(axis=1) / om[:, 0]
            out[2][ii] = end_mass(x - st, y, outward=False, factor=TRIG[kind](nu))
    return out


def plain(f, level, start, scale):
    """Exp-sinh sums of int_0^inf f(start + x) dx (x = scale * exp(pi/2 sinh t))."""
    x, w = R.exp_sinh(level)
    out = _zeros(start.size)
    for b in _blocks(start.size, x.size):
        st = start[b][:, None]
        xx = st + scale * x
        y = call(f, xx, st, far=st + FAR * scale)
        terms = y * (scale * w)
        out[0][b] = terms.sum(axis=1)
        out[1][b] = np.abs(terms).sum(axis=1)
        out[2][b] = end_mass(xx - st, y, outward=False) + end_mass(xx - st, y, outward=True)
    return out


def _head_values(f, x, lo, hi):
    """f at head nodes; nodes within HEAD_MIN of lo take the value of the nearest usable
    node (the substituted integrand tends to a constant there)."""
    d = x - lo
    ok = (d > HEAD_MIN * np.maximum(1.0, np.abs(lo))) & (x < hi)
    y = np.zeros(x.shape)
    y[ok] = call(f, x[ok])
    return y, ok


def finite(f, a, b, omega, kind, level, power=1.0):
    """Tanh-sinh sums of int_a^b f(x) trig(omega x) dx on equal panels of <= 2 periods.

    With ``power`` p != 1: one panel, x = a + (b - a) u^p (the head; the caller keeps
    (b - a) omega <= pi/2).
    """
    u, dist, w = R.tanh_sinh(level)
    length = b - a
    if power == 1.0:
        periods = length * omega / (2.0 * np.pi)
        npan = 2.0 ** np.ceil(np.log2(np.maximum(periods / 2.0, 1.0)))
    else:
        npan = np.ones_like(length)
    out = _zeros(omega.size)
    left = u < 0.5
    for pn in np.unique(npan):
        idx = np.flatnonzero((npan == pn) & (length > 0))
        p = np.arange(int(pn))[:, None]
        for blk in _blocks(idx.size, int(pn) * u.size):
            ii = idx[blk]
            lo, hi = a[ii][:, None, None], b[ii][:, None, None]
            ln = (length[ii] / pn)[:, None, None]
            if power == 1.0:
                # node = panel start + ln*dist (left half) or panel end - ln*dist (right half)
                x = lo + ln * np.where(left, p + dist, p + 1.0 - dist)
                y = call(f, x, lo, hi)
                jac = ln
            else:
                x = lo + ln * u**power
                y, ok = _head_values(f, x, lo, hi)
                jac = ln * power * u ** (power - 1.0)
            g = y * TRIG[kind](omega[ii][:, None, None] * x) * jac  # integrand in t
            if power != 1.0:
                first = np.argmax(ok[:, 0, :], axis=1)
                fill = g[np.arange(ii.size), 0, first][:, None, None]
                g = np.where(ok, g, fill)
            terms = (g * w).reshape(ii.size, -1)
            out[0][ii] = terms.sum(axis=1)
            out[1][ii] = np.abs(terms).sum(axis=1)
            if power == 1.0:
                fx = g / jac  # f(x) trig(omega x)
                out[2][ii] = (end_mass((x - lo)[:, 0, :], fx[:, 0, :], outward=False)
                              + end_mass((hi - x)[:, -1, ::-1], fx[:, -1, ::-1], outward=False))
    return out


def _tail(f, omega, kind, level, start, scale):
    """int_start^inf f(x) trig(omega x) dx for omega >= 0 (start: array)."""
    out = _zeros(omega.size)
    zero = omega == 0.0
    if zero.any() and kind == "cos":
        for o, v in zip(out, plain(f, level, start[zero], scale)):
            o[zero] = v
    pos = ~zero
    if not pos.any():
        return out
    om, st = omega[pos], start[pos]
    if not st.any():
        for o, v in zip(out, osc(f, om, kind, level, st, scale)):
            o[pos] = v
        return out
    ci, ca, ct = osc(f, om, "cos", level, st, scale)
    si, sa, stt = osc(f, om, "sin", level, st, scale)
    c, s = np.cos(om * st), np.sin(om * st)
    out[0][pos] = c * ci - s * si if kind == "cos" else s * ci + c * si
    out[1][pos] = np.abs(c) * ca + np.abs(s) * sa
    out[2][pos] = np.abs(c) * ct + np.abs(s) * stt
    return out


def edges(omega, lo, hi, breaks, singular, scale):
    """Segment edges per point, shape (npts, nedges); the head end included if singular."""
    inner = sorted(b for b in set(breaks) if lo < b < hi)
    cols = [np.full(omega.shape, float(lo))]
    if singular:
        first = inner[0] if inner else hi
        quarter = np.where(omega > 0, np.pi / (2.0 * np.where(omega > 0, omega, 1.0)), np.inf)
        cols.append(np.minimum(lo + np.minimum(scale, quarter), first))
    cols += [np.full(omega.shape, float(b)) for b in inner]
    if np.isfinite(hi):
        cols.append(np.full(omega.shape, float(hi)))
    return np.stack(cols, axis=1)


def half_line(f, omega, kind, level, *, lo=0.0, hi=np.inf, breaks=(), power=1.0, scale=1.0):
    """``(I, A, T)`` of int_lo^hi f(x) trig(omega x) dx at one level (module docstring)."""
    e = edges(omega, lo, hi, breaks, power != 1.0, scale)
    total = _zeros(omega.size)
    pieces = [
        finite(f, e[:, j], e[:, j + 1], omega, kind, level, power if j == 0 else 1.0)
        for j in range(e.shape[1] - 1)
    ]
    if not np.isfinite(hi):
        pieces.append(_tail(f, omega, kind, level, e[:, -1], scale))
    for piece in pieces:
        for acc, v in zip(total, piece):
            acc += v
    return total


def transform(f, omega, kind, *, rtol, atol, max_level, **segments):
    """Adaptive ``half_line``: returns ``(I, err)``; err estimates |I - exact| from above.

    A point stops refining when its last two levels agree to max(rtol |I|, atol) or to
    within the rounding floor; ``max_level`` caps the work (the error then stays large).
    Overflow in a divergent integrand shows up as an infinite ``err``, not as a warning.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return _transform(f, omega, kind, rtol=rtol, atol=atol, max_level=max_level, **segments)


def _transform(f, omega, kind, *, rtol, atol, max_level, **segments):
    def unsettled(diff, value, absum):
        floor = 2 * ROUNDING * EPS * absum  # agreement below this is rounding noise
        return diff > np.maximum(np.maximum(rtol * np.abs(value), atol), floor)

    omega = np.asarray(omega, dtype=float)
    prev = half_line(f, omega, kind, 0, **segments)[0]
    val, absum, trunc = half_line(f, omega, kind, 1, **segments)
    diff = np.abs(val - prev)
    err = diff + ROUNDING * EPS * absum + trunc
    todo = unsettled(diff, val, absum)
    level = 1
    while todo.any() and level < max_level:
        level += 1
        idx = np.flatnonzero(todo)
        new, a, t = half_line(f, omega[idx], kind, level, **segments)
        new_diff = np.abs(new - val[idx])
        todo[idx] = unsettled(new_diff, new, a)
        # unsettled at the cap: an undeclared kink or jump, whose errors oscillate from
        # level to level; the larger of the last two differences bounds them
        cap = todo[idx] & (level == max_level)
        worst = np.where(cap, np.maximum(new_diff, diff[idx]), new_diff)
        val[idx], diff[idx] = new, new_diff
        err[idx] = worst + ROUNDING * EPS * a + t
    return val, err
