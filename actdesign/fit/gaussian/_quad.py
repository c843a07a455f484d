"""E[phi(u) phi(v)] for a bivariate normal (u, v), accurately, for any activation.

Write u = s1 z and v = m(z) + sigma t with z, t independent N(0, 1),
m(z) = (s12 / s1) z and sigma^2 = s22 - s12^2 / s11 (the law of v given u). Then

    E[phi(u) phi(v)] = E_z[ phi(s1 z) E_t[phi(m(z) + sigma t)] ].

Both integrals run over a window [lo, hi] per integral that follows the integrand
(`window`: where |f|^2 times the normal density is within e^-CUT of its largest
value, never narrower than the normal's own |z| <= sqrt(2 CUT)), by adaptive composite
Gauss-Legendre, vectorised over all integrals at once (one row per integral). A growing
activation moves the mass out (exp(a z) through the scale s: to z ~ 2 a s), and the
window moves with it; the truncation (bounded by Cauchy-Schwarz from the integrand at
the window's ends) is part of the error estimate. An integrand whose log-magnitude
still grows at |z| = Z_LIMITS[-1] (exp(z^2) with s^2 >= 1/4) is divergent: inf.
The panels break exactly at the activation's kinks mapped into z and t (z = k/s1,
t = (k - m)/sigma), and are graded geometrically towards the places where the
integrand changes on a small scale: the activation's centres seen through a large s1
or sigma, and z = k s1/s12, where the inner integral has a kink smoothed over the
width sigma (rho -> 1, near the diagonal).
Without that grading the halving test could miss a feature far narrower than its panel.
A panel is accepted when its Gauss rules of orders 16 and 12 agree to its share of
the tolerance, otherwise halved; the sum of those differences is the error estimate
(conservative: the order-16 value is far more accurate than the order-12 one).

Cost: about 6e4 evaluations of phi per kernel entry (a few ms), against about 1e-6 s
for a closed form; ``bench/gaussian_kernel.py`` measures both.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...infra._progress import progress

CUT = 80.0  # window: |f|^2 N(z) >= e^-CUT of its maximum (truncation <~ e^-40 relative)
T_MIN = float(np.sqrt(2 * CUT))  # the normal's own window, 12.6
Z_LIMITS = (16.0, 64.0, 256.0)  # scan ranges tried in turn for the window
OUTSIDE = 4 * Z_LIMITS[-1]  # a break point that lies outside every window
Z_STEP = 0.25  # scan step (the window is widened by one step on each side)
N_START = 4  # initial panels on each window
GL_ORDER = 16
GL_LOW = 12  # the error estimate is |GL_ORDER - GL_LOW| (conservative)
MAX_LEVEL = 40
RATIO = 4.0  # geometric grading ratio towards narrow features
GRADE = 20  # graded breaks p +- w RATIO^j, j <= GRADE: features down to 2T / 4^20
CHUNK = 64  # integrals per vectorised batch (memory: CHUNK * outer nodes * inner nodes)
INV_SQ2PI = 1.0 / np.sqrt(2 * np.pi)


@lru_cache(maxsize=4)
def _gl(q: int):
    return np.polynomial.legendre.leggauss(q)


def _rule(f, lo, hi, row):
    """Gauss-Legendre of orders GL_ORDER and GL_LOW on every panel, in one evaluation.

    Returns (value, lower-order value, aux), each of shape (P,).
    """
    x, w = _gl(GL_ORDER)
    xl, wl = _gl(GL_LOW)
    half = (hi - lo) / 2
    pts = (lo + hi)[:, None] / 2 + half[:, None] * np.r_[x, xl]
    val, aux = f(pts, row)
    q = x.size
    return (val[:, :q] @ w) * half, (val[:, q:] @ wl) * half, (aux[:, :q] @ w) * half


def adaptive(f, lo, hi, row, nrow, rtol, atol):
    """Per-row integrals of f over the union of panels [lo, hi] (all 1-D arrays).

    ``f(x, row) -> (value, aux)`` with x of shape (P, q) and row (P,) the row of each
    panel; ``aux`` is a second integrand summed alongside (used for propagated error).
    A panel is accepted when its two Gauss rules agree to its share of the tolerance,
    otherwise halved. Returns (integral, aux integral, error estimate), each (nrow,).
    """
    keep = hi > lo
    lo, hi, row = lo[keep], hi[keep], row[keep]
    width0 = np.bincount(row, hi - lo, nrow)
    total, total_aux, err = np.zeros(nrow), np.zeros(nrow), np.zeros(nrow)
    tol = None
    for level in range(MAX_LEVEL + 1):
        if lo.size == 0:
            break
        val, low, aux = _rule(f, lo, hi, row)
        if tol is None:  # relative to the first pass's sum of |panel integrals|
            tol = rtol * np.bincount(row, np.abs(val), nrow) + np.broadcast_to(atol, (nrow,))
        diff = np.abs(val - low)
        ok = (diff <= tol[row] * (hi - lo) / width0[row]) | (level == MAX_LEVEL)
        ok |= ~np.isfinite(diff)  # a non-finite integrand is reported, not refined forever
        total += np.bincount(row[ok], val[ok], nrow)
        total_aux += np.bincount(row[ok], aux[ok], nrow)
        err += np.bincount(row[ok], diff[ok], nrow)
        bad = ~ok
        mid = (lo[bad] + hi[bad]) / 2
        lo, hi, row = np.r_[lo[bad], mid], np.r_[mid, hi[bad]], np.r_[row[bad], row[bad]]
    return total, total_aux, err


def window(f, m, sigma, power=2):
    """Per-row integration window [lo, hi] of f(m + sigma z) N(z) dz, and its truncation.

    The window holds every scan point where power * log|f| - z^2 / 2 is within CUT of
    its largest value (widened by one scan step), and at least [-T_MIN, T_MIN]. With
    power 2 (a signed f), Cauchy-Schwarz bounds the part cut off by the square root of
    the cut-off mass of f^2 N; with power 1 (f >= 0, e.g. phi^2) by that mass itself.
    Returns (lo, hi, tail): ``tail`` estimates that bound from the integrand at the two
    ends (beyond them it falls faster than over one unit of z); rows whose integrand
    still grows at the last scan range get lo = hi = 0 and tail = inf (divergent).
    """
    m, sigma = np.ravel(m), np.ravel(sigma)
    lo, hi = np.full(m.size, -T_MIN), np.full(m.size, T_MIN)
    tail = np.full(m.size, np.inf)
    todo = np.arange(m.size)
    for zl in Z_LIMITS:
        if todo.size == 0:
            break
        z = np.arange(-zl, zl + Z_STEP / 2, Z_STEP)
        with np.errstate(all="ignore"):
            L = power * np.log(np.abs(f(m[todo, None] + sigma[todo, None] * z))) - z * z / 2
        L = np.where(np.isnan(L), -np.inf, L)
        top = L.max(axis=1)
        keep = L >= top[:, None] - CUT
        first, last = np.argmax(keep, axis=1), z.size - 1 - np.argmax(keep[:, ::-1], axis=1)
        zero = np.isneginf(top)  # f = 0 on the whole scan: the default window
        inside = (first > 0) & (last < z.size - 1) & ~np.isposinf(L).any(axis=1) | zero
        r, live = todo[inside], inside & ~zero
        lo[todo[live]] = np.minimum(lo[todo[live]], z[first[live] - 1])
        hi[todo[live]] = np.maximum(hi[todo[live]], z[last[live] + 1])
        with np.errstate(all="ignore"):
            ends = sum(np.abs(f(m[r] + sigma[r] * e[r])) ** power * _normal(e[r]) for e in (lo, hi))
        ends = np.nan_to_num(ends, nan=0.0)
        tail[r] = np.sqrt(ends) if power == 2 else ends
        todo = todo[~inside]
    lo[todo] = hi[todo] = 0.0
    return lo, hi, tail


def _normal(z):
    return np.exp(-z * z / 2) * INV_SQ2PI


def _panels(breaks, lo, hi):
    """Initial panels of the per-row windows [lo, hi] split at per-row breaks (rows, nb)."""
    rows = breaks.shape[0]
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, N_START + 1)
    edges = np.sort(np.concatenate([grid, np.clip(breaks, lo[:, None], hi[:, None])], 1), 1)
    row = np.repeat(np.arange(rows), edges.shape[1] - 1)
    return edges[:, :-1].ravel(), edges[:, 1:].ravel(), row


def _ratio(num, den):
    """num / den with 0/0 and k/0 sent outside the window (no break there)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = num / den
    return np.where(np.isfinite(out), out, OUTSIDE)


def _graded(p, w):
    """Breaks p and p +- w RATIO^j (j = 0..GRADE), per row; columns (rows, 2 GRADE + 3).

    A feature of width w at p (a smoothed kink, or a smooth activation's transition
    seen through a large scale) is then met by panels of its own size, which the
    halving test alone would miss inside a wide panel. ``w`` inf or nan: p only.
    """
    steps = RATIO ** np.arange(GRADE + 1)
    with np.errstate(invalid="ignore", over="ignore"):
        off = np.where(np.isfinite(w) & (w > 0), w, OUTSIDE)[:, None] * steps
    return np.concatenate([p[:, None], p[:, None] + off, p[:, None] - off], axis=1)


def _merged(points, widths):
    """Graded breaks for features at ``points`` with ``widths`` (lists of (rows,) arrays).

    Features at the same place share one graded set from the smallest width (a
    geometric mesh from w up resolves every wider feature there too).
    """
    P, W = np.stack(points, axis=1), np.stack(widths, axis=1)
    W = np.where(np.isfinite(W) & (W > 0), W, np.inf)
    same = P[:, :, None] == P[:, None, :]
    W = np.where(same, W[:, None, :], np.inf).min(axis=2)
    first = np.argmax(same, axis=2) == np.arange(P.shape[1])  # first column of its group
    P = np.where(first, P, OUTSIDE)
    return np.concatenate([_graded(P[:, c], W[:, c]) for c in range(P.shape[1])], axis=1)


def _inner_breaks(m, sigma, kinks, centres, width):
    """Breaks in t of E_t[phi(m + sigma t)]: kinks exactly, centres graded by width/sigma."""
    cols = [_ratio(k - m, sigma)[:, None] for k in kinks]
    if centres:
        pts = [_ratio(c - m, sigma) for c in centres]
        cols.append(_merged(pts, [_ratio(np.full_like(m, width), sigma)] * len(pts)))
    return np.concatenate(cols, axis=1) if cols else np.zeros((m.size, 0))


def smoothed(phi, m, sigma, kinks=(), centres=(0.0,), width=1.0, rtol=1e-13, atol=0.0,
             power=2):
    """E[phi(m + sigma t)], t ~ N(0, 1), for arrays m, sigma of one shape: (value, error).

    ``kinks`` are exact break points of phi; ``centres`` the places where it changes on
    the scale ``width`` (panels are graded there). ``atol`` (broadcast to m) is the
    absolute tolerance of each integral: an integral that is 0 up to rounding never
    meets a relative one. ``power`` 1 for phi >= 0 (see `window`). The error
    includes the truncation to the window; a divergent integral is inf (error inf).
    """
    shape = np.shape(m)
    m, sigma = np.ravel(m), np.ravel(np.broadcast_to(sigma, shape))
    atol = np.ravel(np.broadcast_to(atol, shape))
    wlo, whi, tail = window(phi, m, sigma, power)
    lo, hi, row = _panels(_inner_breaks(m, sigma, kinks, centres, width), wlo, whi)

    def f(t, r):
        g = np.exp(-t * t / 2) * INV_SQ2PI
        return phi(m[r, None] + sigma[r, None] * t) * g, np.zeros_like(t)

    val, _, err = adaptive(f, lo, hi, row, m.size, rtol, atol)
    val = np.where(np.isinf(tail), np.inf, val)
    return val.reshape(shape), (err + tail).reshape(shape)


def bivariate(phi, s11, s22, s12, *, det=None, kinks=(), centres=(0.0,), width=1.0, rtol=1e-10):
    """E[phi(u) phi(v)] for zero-mean normal (u, v) with the given (co)variances.

    Parameters
    ----------
    phi : callable on float arrays (numpy, vectorised)
    s11, s22, s12 : array_like, broadcast together
    det : array_like or None
        s11 s22 - s12^2 if known more accurately than by that difference (near the
        diagonal it is a small difference of large numbers).
    kinks : sequence of float
        Points where phi is not smooth (kinks or jumps).
    centres, width : sequence of float, float
        Where, and on what scale, phi changes (panels are graded there).
    rtol : float
        Tolerance relative to sqrt(E[phi(u)^2] E[phi(v)^2]) (the Cauchy-Schwarz bound
        of the result); the inner integrals get rtol / 10.

    Returns
    -------
    (values, errors) : ndarrays of the broadcast shape
        ``errors`` estimates |value - exact| (outer estimate plus the propagated
        inner one); it is an overestimate by design.
    """
    s11, s22, s12 = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(s11, s22, s12))
    shape = s11.shape
    a, b, c = s11.ravel(), s22.ravel(), s12.ravel()
    d = a * b - c * c if det is None else np.ravel(np.broadcast_to(det, shape)).astype(float)
    swap = b > a  # the outer variable gets the larger variance
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    val, err = np.zeros(a.size), np.zeros(a.size)
    zero = a <= 0
    phi0 = float(np.asarray(phi(np.zeros(1)))[0])
    val[zero] = phi0 * phi0
    live = np.flatnonzero(~zero)
    opts = (tuple(kinks), tuple(centres), float(width), rtol)
    chunks = np.array_split(live, max(1, live.size // CHUNK))
    with progress("fit: Gaussian-law kernel quadrature", total=len(chunks), unit="chunk") as bar:
        for chunk in chunks:
            if chunk.size:
                val[chunk], err[chunk] = _bivariate(
                    phi, a[chunk], b[chunk], c[chunk], d[chunk], *opts
                )
            bar.update(1)
    return val.reshape(shape), err.reshape(shape)


def _rms(phi, s, kinks, centres, width):
    """sqrt(E[phi(sqrt(s) Z)^2]) (a scale; 1e-8 relative is plenty)."""
    sq, _ = smoothed(
        lambda x: phi(x) ** 2, np.zeros(s.size), np.sqrt(s), kinks, centres, width, 1e-8, 1e-300,
        power=1,
    )
    return np.sqrt(sq) + 1e-300


def _bivariate(phi, a, b, c, d, kinks, centres, width, rtol):
    rms_u, rms_v = (_rms(phi, s, kinks, centres, width) for s in (a, b))
    s1 = np.sqrt(a)
    slope = c / s1  # m(z) = slope * z
    sigma = np.sqrt(np.maximum(d, 0.0) / a)
    pts = [_ratio(k, slope) for k in kinks] + [_ratio(x, s1) for x in centres]
    pts += [_ratio(x, slope) for x in centres]
    widths = [_ratio(sigma, np.abs(slope))] * len(kinks) + [_ratio(width, s1)] * len(centres)
    widths += [_ratio(width + sigma, np.abs(slope))] * len(centres)
    cols = [_ratio(k, s1)[:, None] for k in kinks]
    if pts:
        cols.append(_merged(pts, widths))
    # outer window from phi(u)^2 alone: by Cauchy-Schwarz the cut-off part is at most
    # sqrt(cut-off mass of phi(u)^2) * rms_v, whatever the inner integral does there
    wlo, whi, tail = window(phi, np.zeros(a.size), s1)
    breaks = np.concatenate(cols, axis=1) if cols else np.zeros((a.size, 0))
    lo, hi, row = _panels(breaks, wlo, whi)

    def f(z, r):
        inner, ierr = smoothed(
            phi, slope[r, None] * z, sigma[r, None], kinks, centres, width,
            rtol / 10, rtol / 10 * rms_v[r, None],
        )
        w = phi(s1[r, None] * z) * np.exp(-z * z / 2) * INV_SQ2PI
        return w * inner, np.abs(w) * ierr

    val, aux, err = adaptive(f, lo, hi, row, a.size, rtol, rtol * rms_u * rms_v)
    return np.where(np.isinf(tail), np.inf, val), err + aux + tail * rms_v
