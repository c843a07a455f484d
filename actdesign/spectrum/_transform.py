"""Spectra of callables and of samples, in 1-D (interval) and 2-D (box).

Uniform samples go through numpy's FFT; samples at arbitrary points and requests for
arbitrary frequencies go through the NUFFT (``_nufft``). Both compute the same midpoint
sum dx * sum_j w_j f_j exp(-i k x_j) (see ``_result`` for the normalisation).
"""

from __future__ import annotations

import numpy as np

from ..infra._errors import ActdesignError
from . import _nufft
from ._budget import check_spectrum, count, sample_dim
from ._callables import check_finite, evaluate_callable
from ._result import Spectrum, Spectrum2D
from ._units import unit_factor
from ._windows import window_function, window_name

DEFAULT_N = {1: 4096, 2: 256}


# --- argument checks ----------------------------------------------------------------
def _interval(d, what="domain"):
    try:
        a, b = (float(v) for v in d)
    except (TypeError, ValueError):
        raise ActdesignError(f"{what} must be a pair (a, b) of numbers, got {d!r}") from None
    if not (np.isfinite(a) and np.isfinite(b) and a < b):
        raise ActdesignError(f"{what} must satisfy a < b with finite ends, got ({a}, {b})")
    return a, b


def parse_domain(domain):
    """((a, b),) for an interval or ((a, b), (c, d)) for a box."""
    if domain is None:
        raise ActdesignError("a domain is needed: (a, b) for 1-D or ((a, b), (c, d)) for 2-D")
    if len(domain) == 2 and all(np.ndim(v) == 0 for v in domain):
        return (_interval(domain),)
    if len(domain) == 2:
        return (_interval(domain[0], "x-domain"), _interval(domain[1], "y-domain"))
    raise ActdesignError(f"domain must be (a, b) or ((a, b), (c, d)), got {domain!r}")


def _check_pad(pad):
    if isinstance(pad, bool) or int(pad) != pad or pad < 1:
        raise ActdesignError(f"pad must be an integer >= 1 (zero-padding factor), got {pad!r}")
    return int(pad)


def _sizes(n, dim):
    n = DEFAULT_N[dim] if n is None else n
    ns = (n,) * dim if np.ndim(n) == 0 else tuple(n)
    if len(ns) != dim or any(isinstance(v, bool) or int(v) != v or v < 2 for v in ns):
        raise ActdesignError(f"n must be an integer >= 2 (or one per axis), got {n!r}")
    return tuple(int(v) for v in ns)


def cell_centres(a, b, n):
    """The n cell-centred sample points a + (j + 1/2)(b - a)/n."""
    return a + (np.arange(n) + 0.5) * ((b - a) / n)


# --- public entry points --------------------------------------------------------------
def spectrum(f, domain, *, n=None, window="box", pad=None, unit="angular", k=None):
    """Fourier spectrum of a function on an interval or a box.

    Parameters
    ----------
    f : callable
        A numpy function ``f(x)`` (or ``f(x, y)`` in 2-D), a JAX function (same calling
        convention), an `actdesign.Activation`, or a ``torch.nn.Module`` mapping
        (N, D) inputs to N outputs.
    domain : (a, b) or ((a, b), (c, d))
        The interval or box; outside it the function is taken as zero (after the window).
    n : int or (int, int), optional
        Samples per axis, cell-centred (default 4096 in 1-D, 256 per axis in 2-D). Take
        n >= 8 x (highest frequency of interest in cycles) x (b - a).
    window : {"box", "tukey", "hann"} or callable
        ``box`` is the literal extension by zero; callables map u in [0, 1] to w(u).
    pad : int, optional
        Zero-padding factor (default 4 in 1-D, 2 in 2-D): bins are 1/(pad (b - a)) cycles apart.
    unit : {"angular", "cycles"}
        Unit of the returned frequency axis; transform values do not depend on it.
    k : array, optional
        Evaluate at these frequencies (in ``unit``, 1-D only) instead of the FFT grid.

    Returns
    -------
    Spectrum or Spectrum2D
        `Spectrum` (one-sided, k >= 0) for an interval; `Spectrum2D` (full plane) for a
        box.
    """
    boxes = parse_domain(domain)
    ns = _sizes(n, len(boxes))
    check_spectrum(count(ns), len(ns), pad)  # before the grid: --n 1e11 ends in one line
    axes = [cell_centres(a, b, m) for (a, b), m in zip(boxes, ns, strict=True)]
    grids = np.meshgrid(*axes, indexing="ij")
    values = evaluate_callable(f, tuple(grids))
    return sample_spectrum(values, domain=domain, window=window, pad=pad, unit=unit, k=k)


def sample_spectrum(
    values,
    *,
    domain=None,
    x=None,
    window="box",
    pad=None,
    unit="angular",
    k=None,
    eps=_nufft.DEFAULT_EPS,
    backend="finufft",
):
    """Fourier spectrum of samples: on a uniform grid, or at arbitrary points through the NUFFT.

    Parameters
    ----------
    values : array
        Real samples. Without ``x``: a uniform cell-centred grid over ``domain``, shape (n,)
        or (nx, ny). With ``x``: one value per point.
    domain : (a, b) or ((a, b), (c, d)), optional
        Needed without ``x``. With ``x`` it defaults to the samples' extent.
    x : array of shape (N,) or (N, 2), optional
        Sample positions (any order, non-uniform). In 1-D each sample is weighted by its
        Voronoi cell length inside the domain (uniform cell-centred points give exactly the
        FFT's weights); in 2-D by area / N (a sample-mean estimate).
    window, pad, unit, k
        As in `spectrum`.
    eps : float
        NUFFT relative tolerance.
    backend : {"finufft", "cufinufft"}
        cufinufft runs on a CUDA GPU (needs cupy).

    Returns
    -------
    Spectrum or Spectrum2D
        `Spectrum` (one-sided, k >= 0) for an interval; `Spectrum2D` (full plane) for a
        box.
    """
    values = np.asarray(values)
    if np.iscomplexobj(values):
        raise ActdesignError("samples must be real; pass the real part")
    values = values.astype(float)
    check_finite(values)
    if k is None:  # the padded FFT grid is the large allocation (pad can be anything)
        check_spectrum(values.size, sample_dim(values, x), pad)
    w = window_function(window)
    fac = unit_factor(unit)
    if x is None:
        boxes = parse_domain(domain)
        if values.ndim != len(boxes) or min(values.shape) < 2:
            raise ActdesignError(
                f"samples of shape {values.shape} do not match a {len(boxes)}-D domain"
            )
        if len(boxes) == 1:
            return _uniform_1d(values, boxes[0], w, window, pad, fac, unit, k, eps, backend)
        return _uniform_2d(values, boxes, w, window, pad, fac, unit)
    x = np.asarray(x, dtype=float)
    check_finite(x)
    if x.ndim == 1 or (x.ndim == 2 and x.shape[1] == 1):
        return _scattered_1d(
            values, x.reshape(-1), domain, w, window, pad, fac, unit, k, eps, backend
        )
    if x.ndim == 2 and x.shape[1] == 2:
        return _scattered_2d(values, x, domain, w, window, pad, fac, unit, eps, backend)
    raise ActdesignError(f"x must have shape (N,) or (N, 2), got {x.shape}")


# --- 1-D --------------------------------------------------------------------------------
def _make_1d(k_ang, F, fac, unit, window, dom, wint, n, pad, method):
    return Spectrum(
        k=k_ang * fac,
        values=F,
        unit=unit,
        window=window_name(window),
        domain=dom,
        window_integral=float(wint),
        n=int(n),
        pad=int(pad),
        method=method,
    )


def _uniform_1d(values, dom, w, window, pad, fac, unit, k, eps, backend):
    a, b = dom
    n = values.size
    dx = (b - a) / n
    x = cell_centres(a, b, n)
    s = values * w((x - a) / (b - a))
    wint = dx * np.sum(w((x - a) / (b - a)))
    if k is not None:
        k_ang = _requested(k, fac)
        F = dx * _nufft.points_1d(x, s, (a + b) / 2, k_ang, eps=eps, backend=backend)
        return _make_1d(k_ang, F, fac, unit, window, dom, wint, n, 0, "nufft")
    pad = _check_pad(4 if pad is None else pad)
    m = pad * n
    F = np.fft.rfft(s, m) * dx
    k_ang = 2 * np.pi * np.arange(F.size) / (m * dx)
    F *= np.exp(-1j * k_ang * (a + dx / 2))  # phase relative to x = 0
    return _make_1d(k_ang, F, fac, unit, window, dom, wint, n, pad, "fft")


def _requested(k, fac):
    k = np.atleast_1d(np.asarray(k, dtype=float))
    if k.ndim != 1 or not np.all(np.isfinite(k)) or np.any(k < 0):
        raise ActdesignError("requested frequencies k must be a 1-D list of finite numbers >= 0")
    return k / fac


def voronoi_weights(x, a, b):
    """Length of each point's Voronoi cell inside [a, b] (the 1-D quadrature weights)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    if xs[0] < a or xs[-1] > b:
        raise ActdesignError(
            f"samples span [{xs[0]:.6g}, {xs[-1]:.6g}], outside the domain ({a}, {b}); widen it"
        )
    if np.any(np.diff(xs) == 0):
        raise ActdesignError("samples contain repeated x values; average or drop duplicates first")
    edges = np.concatenate([[a], (xs[1:] + xs[:-1]) / 2, [b]])
    out = np.empty_like(xs)
    out[order] = np.diff(edges)
    return out


def _scattered_1d(values, x, domain, w, window, pad, fac, unit, k, eps, backend):
    if values.shape != x.shape:
        raise ActdesignError(f"{values.size} values for {x.size} points; give one value per point")
    if x.size < 2:
        raise ActdesignError("need at least 2 samples")
    a, b = _interval(domain) if domain is not None else (float(x.min()), float(x.max()))
    if domain is None and a == b:
        raise ActdesignError("all samples share one x; give more distinct points")
    q = voronoi_weights(x, a, b)
    wx = w((x - a) / (b - a))
    c = values * wx * q
    wint = np.sum(wx * q)
    if k is not None:
        k_ang = _requested(k, fac)
        F = _nufft.points_1d(x, c, (a + b) / 2, k_ang, eps=eps, backend=backend)
        return _make_1d(k_ang, F, fac, unit, window, (a, b), wint, x.size, 0, "nufft")
    pad = _check_pad(4 if pad is None else pad)
    dk = 2 * np.pi / (pad * (b - a))
    m = (pad * x.size) // 2  # the same highest bin an FFT of x.size uniform samples would give
    F = _nufft.grid_1d(x, c, (a + b) / 2, dk, m, eps=eps, backend=backend)
    return _make_1d(dk * np.arange(m + 1), F, fac, unit, window, (a, b), wint, x.size, pad, "nufft")


# --- 2-D --------------------------------------------------------------------------------
def _uniform_2d(values, boxes, w, window, pad, fac, unit):
    pad = _check_pad(2 if pad is None else pad)
    (a, b), (c, d) = boxes
    nx, ny = values.shape
    dx, dy = (b - a) / nx, (d - c) / ny
    wx = w((cell_centres(a, b, nx) - a) / (b - a))
    wy = w((cell_centres(c, d, ny) - c) / (d - c))
    F = np.fft.fftshift(np.fft.fft2(values * np.outer(wx, wy), (pad * nx, pad * ny))) * (dx * dy)
    kx = 2 * np.pi * np.fft.fftshift(np.fft.fftfreq(pad * nx, dx))
    ky = 2 * np.pi * np.fft.fftshift(np.fft.fftfreq(pad * ny, dy))
    F *= np.exp(-1j * (kx[:, None] * (a + dx / 2) + ky[None, :] * (c + dy / 2)))
    wint = dx * dy * wx.sum() * wy.sum()
    return Spectrum2D(
        kx=kx * fac,
        ky=ky * fac,
        values=F,
        unit=unit,
        window=window_name(window),
        domain=tuple(boxes),
        window_integral=float(wint),
        n=(nx, ny),
        pad=pad,
        method="fft",
    )


def _scattered_2d(values, pts, domain, w, window, pad, fac, unit, eps, backend):
    if values.shape != (pts.shape[0],):
        raise ActdesignError(
            f"{values.size} values for {pts.shape[0]} points; give one value per point"
        )
    if domain is None:
        domain = ((pts[:, 0].min(), pts[:, 0].max()), (pts[:, 1].min(), pts[:, 1].max()))
    (a, b), (c, d) = parse_domain(domain)
    inside = (pts[:, 0] >= a) & (pts[:, 0] <= b) & (pts[:, 1] >= c) & (pts[:, 1] <= d)
    if not inside.all():
        raise ActdesignError("some samples lie outside the domain box; widen it")
    pad = _check_pad(2 if pad is None else pad)
    n = pts.shape[0]
    q = (b - a) * (d - c) / n
    wv = w((pts[:, 0] - a) / (b - a)) * w((pts[:, 1] - c) / (d - c))
    side = max(2, int(np.sqrt(n)))
    dk = (2 * np.pi / (pad * (b - a)), 2 * np.pi / (pad * (d - c)))
    m = ((pad * side) // 2, (pad * side) // 2)
    F = _nufft.grid_2d(
        pts[:, 0],
        pts[:, 1],
        values * wv * q,
        ((a + b) / 2, (c + d) / 2),
        dk,
        m,
        eps=eps,
        backend=backend,
    )
    kx = dk[0] * np.arange(-m[0], m[0] + 1)
    ky = dk[1] * np.arange(-m[1], m[1] + 1)
    return Spectrum2D(
        kx=kx * fac,
        ky=ky * fac,
        values=F,
        unit=unit,
        window=window_name(window),
        domain=((a, b), (c, d)),
        window_integral=float(q * wv.sum()),
        n=(n, 1),
        pad=pad,
        method="nufft",
    )
