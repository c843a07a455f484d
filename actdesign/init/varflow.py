"""Variance flow through a deep network at initialisation, for any activation.

With fan-in weights of std ``c/sqrt(d_in)`` and bias ``b``, the pre-activation of a wide
layer is N(b, c^2 s^2), where s is the RMS of the previous layer's outputs, so the
RMS evolves by the forward map (seed 003, Eq. 2.1; ``b != 0`` extends it)

    s_{l+1} = F(s_l) = sqrt(E[phi(c s_l Z + b)^2]),      Z ~ N(0, 1),

and the gradient scale by the backward map (seed 003, Eq. B.3)

    s^T = B(s^T) = sqrt(E[phi'(c s^T Z + b)^2]).

Moments E[phi], E[phi^2], E[phi'^2] come from Gauss–Hermite quadrature where phi is
smooth (checked against a rule of twice the order), adaptive panels split at the kinks
(closed forms with Abs/Max/Piecewise) and graded towards singular points, or, on
request, the spectrum alone (zero-phase "bump" designs). Nothing here depends on the
Fourier convention except the spectral route, which uses `actdesign.CONVENTION`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from ..activation._activation import Activation
from ..formula._roots import bracketed_root
from ..infra._errors import ActdesignError
from . import _fourier
from . import _quadrature as Q
from ._act import as_activation, evaluators

METHODS = ("auto", "gauss_hermite", "quad", "fourier")
KINDS = ("forward", "backward")
NEUTRAL_RTOL = 1e-11  # |F(s) - s| <= NEUTRAL_RTOL * s on a run of grid points: a fixed line
SCAN_PER_DECADE = 10
SCAN_MIN = 1e-4
SCAN_RTOL = 1e-9  # the scan only brackets roots; refinement uses full accuracy

__all__ = [
    "Moments", "FixedPoint", "VarianceMap", "moments", "forward_map", "backward_map",
    "fixed_points", "bifurcation", "trajectory", "METHODS",
]


class Moments(NamedTuple):
    """E[phi(X)], E[phi(X)^2], E[phi'(X)^2] for X ~ N(bias, sigma^2).

    Attributes
    ----------
    mean : ndarray or float
        E[phi(X)], one value per sigma.
    second : ndarray or float
        E[phi(X)^2].
    deriv_second : ndarray or float
        E[phi'(X)^2] (inf when phi jumps).
    """

    mean: np.ndarray
    second: np.ndarray
    deriv_second: np.ndarray


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point s* = F(s*) of a variance map.

    Attributes
    ----------
    s : float
        The fixed point (for a line of fixed points, its lower end).
    slope : float
        F'(s*) (one-sided at s* = 0).
    stable : bool
        ``|slope| < 1``; a line of neutral fixed points (slope 1) is not stable.
    chi : float or None
        Forward maps: c^2 E[phi'(c s* Z + b)^2], the order/chaos multiplier at s*.
    kind : {"point", "line"}
        "line": every s in [s, s_hi] is fixed (homogeneous phi such as ReLU at c = sqrt 2).
    s_hi : float or None
        Upper end of a line of fixed points within the scanned range.
    """

    s: float
    slope: float
    stable: bool
    chi: float | None = None
    kind: str = "point"
    s_hi: float | None = None

    def to_dict(self) -> dict:
        """JSON-ready record (``s_hi`` only for lines)."""
        d = asdict(self)
        if self.kind == "point":
            d.pop("s_hi")
        return d


def moments(activation, sigma=1.0, bias=0.0, method: str = "auto") -> Moments:
    """E[phi], E[phi^2] and E[phi'^2] under N(bias, sigma^2), vectorised over sigma.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    sigma : float or array_like
        Pre-activation standard deviation(s).
    bias : float
        Pre-activation mean.
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        "auto" picks Gauss–Hermite for smooth closed forms (verified against a rule of
        twice the order, else panels) and adaptive panels split at kinks otherwise
        (tabulated designs included: their pieces join smoothly). "fourier" computes the
        moments of a zero-phase bump design from its spectrum alone (phi never formed);
        it agrees with the tabulation to ~1e-13 but is ~15x slower, so "auto" leaves it
        as a cross-check.
    """
    act = as_activation(activation)
    sig = np.asarray(sigma, dtype=float)
    _check_sigma(sig)
    route = _route(act, method)
    if route == "fourier":
        out = _fourier.moments(act.spectrum, sig.ravel(), float(bias))
    else:
        ev = evaluators(act)

        def fn(x, _t):
            with np.errstate(over="ignore", invalid="ignore"):  # inf is detected downstream
                p, d = ev.phi(x), ev.dphi(x)
                return np.stack([p, p * p, d * d])

        out = np.array(_expect(fn, ev, sig.ravel(), bias, route), dtype=float)
        if ev.jumps:
            out[2] = np.inf  # E[delta^2]: phi' of a jump is not square-integrable
    vals = [np.reshape(v, sig.shape)[()] for v in out]
    return Moments(*vals)


def _check_sigma(sig):
    if not np.all(np.isfinite(sig)) or np.any(sig < 0):
        raise ActdesignError(f"sigma must be finite and >= 0, got {sig}")


def _route(act: Activation, method: str) -> str:
    if method not in METHODS:
        raise ActdesignError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "fourier" and not _spectral_ok(act):
        raise ActdesignError(f"{act.name}: the spectral route needs a zero-phase bump with a "
                             "penalty (shape 'bump', rho set); use method='quad'")
    if method != "auto":
        return method
    return "smooth" if evaluators(act).smooth else "quad"


def _spectral_ok(act: Activation) -> bool:
    return act.rho is not None and act.shape == "bump"


def _expect(fn, ev, sigma, bias, route, rtol=Q.RTOL):
    if route == "gauss_hermite":
        return Q._gauss_hermite(fn, *np.broadcast_arrays(sigma, float(bias)), 192)
    return Q.expect(fn, sigma, bias, breaks=ev.breaks, smooth=(route == "smooth"),
                    rtol=max(rtol, ev.rtol), singular=ev.singular)


# --- the maps ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VarianceMap:
    """s -> sqrt(E[f(c s Z + b)^2]) with f = phi (forward) or phi' (backward).

    Call it on floats or arrays; see `forward_map` and `backward_map`.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float
        Weight scale (> 0): fan-in weights have standard deviation ``c / sqrt(d_in)``.
    bias : float
        Bias b, the pre-activation mean (default 0).
    kind : {"forward", "backward"}
        The map of phi (forward, default) or of phi' (backward).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").
    """

    activation: Activation
    c: float
    bias: float = 0.0
    kind: str = "forward"
    method: str = "auto"

    def __post_init__(self):
        object.__setattr__(self, "activation", as_activation(self.activation))
        if self.kind not in KINDS:
            raise ActdesignError(f"kind must be 'forward' or 'backward', got {self.kind!r}")
        if not (np.isfinite(self.c) and self.c > 0):
            raise ActdesignError(f"the weight scale c must be a finite number > 0, got {self.c}")

    def __call__(self, s):
        return self._eval(s)

    def _eval(self, s, rtol=Q.RTOL, strict=True):
        s = np.asarray(s, dtype=float)
        _check_sigma(s)
        return np.sqrt(self._second(self.c * s.ravel(), rtol, strict)).reshape(s.shape)[()]

    def _second(self, sigma, rtol=Q.RTOL, strict=True):
        act = self.activation
        route = _route(act, self.method)
        idx = 1 if self.kind == "forward" else 2
        if route == "fourier":
            out = _fourier.moments(act.spectrum, sigma, self.bias)[idx]
        else:
            ev = evaluators(act)
            f = ev.phi if self.kind == "forward" else ev.dphi
            if ev.jumps and self.kind == "backward":
                out = np.full(sigma.shape, np.inf)  # E[delta^2]: no quadrature needed
            else:
                out = _expect(lambda x, _t: _square(f, x), ev, sigma, self.bias, route, rtol)[0]
        if strict and not np.all(np.isfinite(out)):
            what = "phi" if self.kind == "forward" else "phi'"
            raise ActdesignError(f"E[{what}(X)^2] is not finite for {act.name}; the variance "
                                 "map needs a square-integrable activation under a Gaussian")
        return np.real(out)

    def slope(self, s: float) -> float:
        """F'(s) by a central difference (one-sided F(h)/h at s = 0, where F(0) = 0).

        Parameters
        ----------
        s : float
            Input RMS s >= 0.
        """
        if s == 0:
            h = 1e-7
            return float((self(h) - self(0.0)) / h)
        h = 1e-5 * s
        return float((self(s + h) - self(s - h)) / (2 * h))

    def chi(self, s: float) -> float | None:
        """c^2 E[phi'(c s Z + b)^2] for forward maps (None for backward ones).

        Parameters
        ----------
        s : float
            Input RMS s >= 0.
        """
        if self.kind != "forward":
            return None
        m = VarianceMap(self.activation, self.c, self.bias, "backward", self.method)
        try:
            return float(self.c**2 * m(s) ** 2)
        except ActdesignError:  # E[phi'^2] diverges (a jump, or phi' ~ 1/|z|): chi is infinite
            return math.inf

    def fixed_points(self, s_max: float = 1e3) -> list[FixedPoint]:
        """Fixed points in [0, s_max], with their slopes and stability.

        Roots of F(s) - s are bracketed on a log grid (10 points per decade from 1e-4;
        s = 0 is checked separately) and refined. The grid stops at twice the largest
        |f| seen on a wide sample of z when that bound is smaller (F(s) <= sup|f|), so
        bounded activations are not scanned where no fixed point can be. Pairs of roots
        closer than one grid step (near a saddle-node) are not reported.

        Parameters
        ----------
        s_max : float
            Upper end of the scanned range [0, s_max] (default 1e3).
        """
        top = min(float(s_max), 2 * self._sup_f())
        n = max(2, int(np.ceil(SCAN_PER_DECADE * np.log10(top / SCAN_MIN))) + 1)
        grid = np.geomspace(SCAN_MIN, top, n) if top > SCAN_MIN else np.array([])
        g = self._eval(grid, SCAN_RTOL, strict=False) - grid
        # a growing map can leave float64 (E[exp(c s Z)^2] = exp(2 c^2 s^2)): fixed points
        # are looked for where F is finite, up to the first s where it is not
        finite = np.isfinite(g)
        if not finite.all():
            stop = int(np.argmin(finite))
            if stop == 0:
                raise ActdesignError(f"E[phi(X)^2] is not finite for {self.activation.name} "
                                     f"even at s = {grid[0]:g}; no variance map to analyse")
            grid, g = grid[:stop], g[:stop]
        neutral = np.zeros(grid.size, bool)
        # non-strict: F(0) = |f(b)| may be infinite (K0's log singularity), then not fixed
        zero_fixed = abs(float(self._eval(0.0, strict=False))) <= 1e-14
        out = []
        for lo, hi in _runs(np.abs(g) <= NEUTRAL_RTOL * grid, min_len=3):
            neutral[lo:hi + 1] = True
            start = 0.0 if (lo == 0 and zero_fixed) else grid[lo]
            out.append(FixedPoint(float(start), 1.0, False, self.chi(grid[lo]), "line",
                                  float(grid[hi])))
        if zero_fixed and not (out and out[0].s == 0.0):
            out.append(self._point(0.0))
        for i in range(grid.size - 1):
            if neutral[i] or neutral[i + 1]:
                continue
            if g[i] == 0 or np.sign(g[i]) * np.sign(g[i + 1]) < 0:
                r = bracketed_root(lambda s: float(self(s)) - s, grid[i], grid[i + 1])
                out.append(self._point(r))
        return sorted(out, key=lambda p: p.s)

    def _sup_f(self) -> float:
        """max |f| on a dense grid of |z| <= 60 and a log grid out to 1e6 (inf if unbounded)."""
        ev = evaluators(self.activation)
        f = ev.phi if self.kind == "forward" else ev.dphi
        z = np.concatenate([np.linspace(-60, 60, 24001), np.geomspace(60, 1e6, 200),
                            -np.geomspace(60, 1e6, 200)]) + self.bias
        v = np.abs(f(z))
        return float(np.max(v)) if np.all(np.isfinite(v)) else np.inf

    def _point(self, s: float) -> FixedPoint:
        slope = self.slope(s)
        return FixedPoint(float(s), slope, bool(abs(slope) < 1 - 1e-9), self.chi(s))

    def trajectory(self, depth: int, s0: float = 1.0) -> np.ndarray:
        """s_0 = s0, s_{l+1} = F(s_l) for l < depth; an array of depth + 1 values.

        Parameters
        ----------
        depth : int
            Number of layers.
        s0 : float
            RMS of the input layer (default 1).
        """
        s = [float(s0)]
        for _ in range(int(depth)):
            s.append(float(self(s[-1])))
        return np.array(s)


def _square(f, x):
    with np.errstate(over="ignore", invalid="ignore"):  # inf is detected downstream
        return (f(x) ** 2)[None]


def _runs(mask, min_len):
    """(first, last) index pairs of runs of True at least ``min_len`` long."""
    runs, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start >= min_len:
                runs.append((start, i - 1))
            start = None
    return runs


def forward_map(activation, c: float, bias: float = 0.0, method: str = "auto") -> VarianceMap:
    """The forward map s -> sqrt(E[phi(c s Z + b)^2]) (seed 003, Eq. 2.1).

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float
        Weight scale (> 0): fan-in weights have standard deviation ``c / sqrt(d_in)``.
    bias : float
        Bias b, the pre-activation mean (default 0).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").
    """
    return VarianceMap(activation, float(c), float(bias), "forward", method)


def backward_map(activation, c: float, bias: float = 0.0, method: str = "auto") -> VarianceMap:
    """The backward map s -> sqrt(E[phi'(c s Z + b)^2]) (seed 003, Eq. B.3).

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float
        Weight scale (> 0): fan-in weights have standard deviation ``c / sqrt(d_in)``.
    bias : float
        Bias b, the pre-activation mean (default 0).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").
    """
    return VarianceMap(activation, float(c), float(bias), "backward", method)


def fixed_points(activation, c: float, bias: float = 0.0, kind: str = "forward",
                 s_max: float = 1e3, method: str = "auto") -> list[FixedPoint]:
    """Fixed points of the forward or backward map at scale ``c``.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float
        Weight scale (> 0): fan-in weights have standard deviation ``c / sqrt(d_in)``.
    bias : float
        Bias b, the pre-activation mean (default 0).
    kind : {"forward", "backward"}
        The map of phi (forward, default) or of phi' (backward).
    s_max : float
        Upper end of the scanned range [0, s_max] (default 1e3).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").

    Returns
    -------
    list of FixedPoint
        See `VarianceMap.fixed_points`.
    """
    return VarianceMap(activation, float(c), float(bias), kind, method).fixed_points(s_max)


def bifurcation(activation, c_values, bias: float = 0.0, kind: str = "forward",
                s_max: float = 1e3, method: str = "auto") -> list[tuple[float, list[FixedPoint]]]:
    """Fixed points over a range of scales: ``[(c, [FixedPoint, ...]), ...]``.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c_values : iterable of float
        Weight scales (> 0), as ``c`` in `fixed_points`.
    bias : float
        Bias b, the pre-activation mean (default 0).
    kind : {"forward", "backward"}
        The map of phi (forward, default) or of phi' (backward).
    s_max : float
        Upper end of the scanned range [0, s_max] (default 1e3).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").
    """
    act = as_activation(activation)
    return [(float(c), fixed_points(act, c, bias, kind, s_max, method)) for c in c_values]


def trajectory(activation, c: float, depth: int, s0: float = 1.0, bias: float = 0.0,
               kind: str = "forward", method: str = "auto") -> np.ndarray:
    """RMS of layers 0..depth under the forward (or backward) map, starting from ``s0``.

    Parameters
    ----------
    activation : Activation or str
        An activation, or a formula in ``z`` such as ``"tanh(z)"``.
    c : float
        Weight scale (> 0): fan-in weights have standard deviation ``c / sqrt(d_in)``.
    bias : float
        Bias b, the pre-activation mean (default 0).
    depth : int
        Number of layers.
    s0 : float
        RMS of the input layer (default 1).
    kind : {"forward", "backward"}
        The map of phi (forward, default) or of phi' (backward).
    method : {"auto", "gauss_hermite", "quad", "fourier"}
        Quadrature route, as in `moments` (default "auto").

    Returns
    -------
    ndarray (depth + 1,)
        s_0, ..., s_depth.
    """
    return VarianceMap(activation, float(c), float(bias), kind, method).trajectory(depth, s0)
