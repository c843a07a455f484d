"""From a penalty to the one-sided amplitude G(kappa) = |k|^((D-1)/2) rho(k)^(-1/2), and its checks.

Everything the design routes need to know about G lives here: its SymPy form, a fast
numpy callable, its behaviour at kappa -> 0 (singular power-law terms, the value
G(0)) and at kappa -> inf (decay exponent), and the guards that reject penalties for
which no activation exists.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..infra import _symbols as S
from ..infra._errors import PenaltyError, ShapeError
from ..infra._timeout import time_limit
from ._singular import FAR, correction, explicit_terms, remainder_far
from ._table import kappa

SHAPE_ORDER = {"bump": 0, "sigmoid": 1, "relu": 2}

# probe points: log-spaced, so both ends and the middle of the spectrum are checked
_PROBE = np.geomspace(1e-6, 1e3, 181)


class BedOfNailsWarning(UserWarning):
    """The total penalty grows no faster than k^D: interpolants degenerate into spikes."""


@dataclass(frozen=True)
class Amplitude:
    """G for one (penalty, dim, shape): expression, numeric callable and asymptotics.

    Attributes
    ----------
    expr : sympy.Expr
        G_s(kappa) = kappa^s * |k|^((D-1)/2) / sqrt(rho), s the shape order.
    singular : tuple of (float, float)
        Terms (g, alpha) with g * kappa^(-alpha), alpha >= 1, subtracted before quadrature.
    series : tuple of (float, float)
        The remaining terms (g, power) of the expansion at 0, used below ``series_below``
        where subtracting the singular terms would cancel catastrophically.
    g0 : float
        G_s(0) when finite (nan otherwise).
    decay : float
        beta with G_s ~ kappa^(-beta) at large kappa (inf for faster than any power).
    explicit : tuple of (str, float, float)
        Terms of a bump taken out of G and added back to phi in closed form (singular
        at z = 0, or growing like log|z|); see `actdesign.activation._singular`.
    rest_decay : float
        The decay exponent of what remains of G once ``explicit`` is taken out.
    far : tuple of (float, float)
        That remainder's expansion (c, e), c kappa^(-e), at kappa -> inf.
    refusal : str
        Why the numeric route must refuse this bump (its singular part could not be
        taken out), or "".
    """

    expr: sp.Expr
    singular: tuple
    g0: float
    decay: float
    series: tuple | None = None
    series_below: float = 0.0
    explicit: tuple = ()
    rest_decay: float = np.nan
    far: tuple = ()
    refusal: str = ""

    def __call__(self, kap):
        """G_s at positive ``kap`` (numpy)."""
        return evaluate(self.expr, kappa, kap)

    def regular(self, kap):
        """G_s minus its singular power-law terms (integrable at 0) and the explicit terms."""
        out = self._near_zero(kap, lambda k: self(k) - _powers(self.singular, k, -1.0), 0)
        if not self.explicit:
            return out
        kap = np.asarray(kap, dtype=float)
        far = (kap >= FAR) & bool(self.far)  # G minus terms of nearly its size: R's expansion
        out = np.array(np.broadcast_to(out - correction(self.explicit, kap), kap.shape))
        if far.any():
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                out[far] = remainder_far(self.far, self.singular, kap[far])
        return out  # NaN stays NaN: the quadrature names a penalty undefined somewhere

    @property
    def table_decay(self) -> float:
        """The decay exponent of the part of G whose transform is tabulated."""
        return self.rest_decay if self.explicit else self.decay

    def integrand(self, order: int):
        """The integrand of a shape formula: (G - G(0))/kappa (1) or (G(0) - G)/kappa^2 (2)."""
        sign = 1.0 if order == 1 else -1.0
        return lambda kap: self._near_zero(
            kap, lambda k: sign * (self(k) - self.g0) / k**order, order)

    def _near_zero(self, kap, direct, drop):
        # Direct subtraction cancels catastrophically near 0 (eps * G / kappa^order);
        # below ``series_below`` the expansion at 0 gives the same function exactly.
        kap = np.asarray(kap, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = direct(np.maximum(kap, 1e-300))
            if self.series is None:
                return np.where(np.isfinite(out), out, 0.0)
            near = kap < self.series_below
            if not near.any():
                return out
            terms = [(g, p - drop) for g, p in self.series if p != 0 or drop == 0]
            sign = 1.0 if drop != 2 else -1.0
            out = np.array(np.broadcast_to(out, kap.shape), dtype=float)
            out[near] = sign * _powers(terms, np.maximum(kap[near], 1e-300), 1.0)
        return out


def _powers(terms, k, sign):
    out = np.zeros_like(k)
    for g, p in terms:
        out = out + g * k ** (sign * p)
    return out


def amplitude_expr(rho: sp.Expr, dim: int, shape_order: int) -> sp.Expr:
    """SymPy G_s(kappa) for the total penalty ``rho`` (even in k)."""
    r = rho.xreplace({sp.Abs(S.k): kappa}).xreplace({S.k: kappa})
    G = kappa ** (sp.Rational(dim - 1, 2) + shape_order) / sp.sqrt(r)
    G = sp.powsimp(sp.powdenest(G, force=True), force=True)
    return _simplify_quick(G)


def _simplify_quick(G):
    try:
        with time_limit(2.0):
            H = sp.simplify(G)
        return H if sp.count_ops(H) <= sp.count_ops(G) else G
    except (TimeoutError, ArithmeticError, ValueError, TypeError, RecursionError):
        return G  # simplification is optional (fu's trig rules overflow on cos(1000)^(2^81/k))


def check_penalty(rho: sp.Expr, text: str) -> None:
    """Reject penalties that are not real, positive functions of k (one-line errors)."""
    free = rho.free_symbols - {S.k}
    if free:
        raise PenaltyError(f"penalty {text!r} has unknown symbols {sorted(map(str, free))}; use k only")
    if not rho.has(S.k):
        if not (rho.is_number and rho.is_finite and bool(rho > 0)):
            raise PenaltyError(f"penalty {text!r} is the constant {rho}; a penalty must be a "
                               "positive function of k, e.g. exp(k) or 1+k^2")
        return
    vals = evaluate(rho, S.k, _PROBE)
    finite = np.isfinite(vals)
    if np.any(np.isnan(vals)):
        bad = _PROBE[np.isnan(vals)][0]
        raise PenaltyError(f"penalty {text!r} is undefined at k = {bad:.3g}; it must be a real "
                           "function of k for all k != 0")
    if np.any(vals[finite] < 0):
        bad = _PROBE[finite][vals[finite] < 0][0]
        raise PenaltyError(f"penalty {text!r} is negative at k = {bad:.3g}; a penalty must be >= 0")
    zero = vals == 0
    if zero[-1] and np.all(np.diff(vals[finite]) <= 0):
        raise PenaltyError(f"penalty {text!r} decays at high k (it underflows to 0), so "
                           "rho^(-1/2) grows and F^-1 does not exist; the penalty must not "
                           "vanish as k -> infinity")
    if np.count_nonzero(zero) >= 3:
        raise PenaltyError(f"penalty {text!r} vanishes on an interval near k = "
                           f"{_PROBE[zero][0]:.3g}; those frequencies would cost nothing and no "
                           "activation realises that (add a positive floor, e.g. + 1e-6)")


def analyse(rho: sp.Expr, text: str, dim: int, shape: str) -> Amplitude:
    """Build and check the amplitude; raise PenaltyError / ShapeError with the reason."""
    s = SHAPE_ORDER[shape]
    G = amplitude_expr(rho, dim, s)
    probe = evaluate(G, kappa, _PROBE)
    if np.any(np.isinf(probe)) or np.any(probe < 0):
        bad = _PROBE[np.isinf(probe) | (probe < 0)][0]
        raise PenaltyError(f"penalty {text!r} vanishes at k = {bad:.3g}, so rho^(-1/2) is "
                           "infinite there; no activation realises it")
    singular, series = _expansion(G, probe)
    g0 = np.nan if singular else _value_at_zero(G)
    decay = _decay_exponent(probe)
    beta = decay + s  # decay of |F[phi]| = G_s / kappa^s itself
    if beta < 0 and not np.isinf(decay):
        raise PenaltyError(_growth_refusal(text, 2 * beta + dim - 1, dim))
    if s == 0 and not G.has(kappa):
        raise PenaltyError("this penalty grows like k^(D-1) only, so phi = c*delta(z), a "
                           "distribution, not a function; use shape 'sigmoid' (a step) or 'relu', "
                           "or a penalty that grows faster")
    if s:
        _check_shape(shape, text, G, singular, g0)
    # below this kappa, eps * G / kappa^power exceeds ~1e-11: use the expansion instead
    powers = [alpha for _, alpha in singular] + [float(s)]
    below = min(0.2, max((1e-11 / 2.2e-16) ** (-1 / p) for p in powers if p > 0)) if max(powers) > 0 else 0.0
    explicit, rest, far, refusal = (), decay, (), ""
    if s == 0:
        try:
            explicit, rest, far = explicit_terms(G, singular, decay, text)
        except PenaltyError as err:  # the table or SymPy may still know phi: refuse later
            refusal = str(err)
    amp = Amplitude(G, tuple(singular), g0, decay,
                    None if series is None else tuple(series), 0.0 if series is None else below,
                    explicit, rest, far, refusal)
    _warn_bed_of_nails(amp, text, dim, s)
    return amp


def _growth_refusal(text: str, power: float, dim: int) -> str:
    """Why a penalty rho ~ k^power at the top of the probe (power < D - 1) has no phi."""
    top = f"{_PROBE[-1]:.0e}"
    if power < 0:
        return (f"penalty {text!r} decays at high k (like k^{power:.2g}), so rho^(-1/2) grows "
                "and F^-1 does not exist; the penalty must not vanish as k -> infinity")
    return (f"penalty {text!r} grows like k^{power:.2g} up to k = {top}, slower than "
            f"k^(D-1) = k^{dim - 1}, so |F[phi]| = k^((D-1)/2)/sqrt(rho) grows and F^-1 does "
            f"not exist there; if it grows faster only beyond k = {top} (a length scale "
            f"below {1 / _PROBE[-1]:.0e}), rescale z so that it does so by then")


def _expansion(G, probe):
    """The expansion of G at 0, split into singular terms g*kappa^(-alpha), alpha >= 1
    (not integrable, subtracted analytically) and the rest (g, power)."""
    small = _PROBE < 1e-3
    slope = np.polyfit(np.log(_PROBE[small]), np.log(np.abs(probe[small]) + 1e-300), 1)[0]
    needed = slope <= -1 + 1e-6
    try:
        with time_limit(5.0 if needed else 2.0):
            ser = sp.series(G, kappa, 0, 14).removeO()
    except (TimeoutError, NotImplementedError, ValueError, TypeError, AttributeError,
            ArithmeticError, sp.PoleError) as err:  # (SymPy's nseries: AttributeError on erf(k^E))
        if not needed:
            return [], None  # bounded near 0: quadrature copes with plain evaluation
        raise PenaltyError("cannot expand rho^(-1/2) at k = 0 to regularise its singularity "
                           f"({type(err).__name__}); supply a penalty of the form k^(2m) * f(k)") from None
    terms, rest = [], []
    for term in sp.Add.make_args(sp.expand(ser)):
        coeff, power = term.as_coeff_exponent(kappa)
        if coeff.has(kappa) or not power.is_number or not coeff.is_number:
            continue
        if complex(coeff).imag or complex(power).imag:  # e.g. |k| + sinc(1e300), below 0 at k ~ 0
            raise PenaltyError("rho^(-1/2) is not real near k = 0 (the penalty is negative or "
                               "complex there); a penalty must be positive")
        if float(power) <= -1:
            terms.append((float(coeff), -float(power)))
        else:
            rest.append((float(coeff), float(power)))
    if needed and not terms:
        raise PenaltyError("rho^(-1/2) is not integrable at k = 0 and has no power-law expansion "
                           "there; no activation realises this penalty")
    return terms, rest


def _value_at_zero(G):
    try:
        with time_limit(3.0):
            v = sp.limit(G, kappa, 0, "+")
        if v.is_finite and v.is_real:
            return float(v)
    except (TimeoutError, NotImplementedError, ValueError, TypeError, AttributeError,
            ArithmeticError):
        pass
    tiny = evaluate(G, kappa, np.array([1e-12, 1e-10]))
    return float(tiny[0]) if np.all(np.isfinite(tiny)) else np.inf


def _decay_exponent(probe):
    """beta in G ~ kappa^(-beta) from the last decade of the probe (inf: super-algebraic)."""
    tail = slice(-20, None)
    vals = np.abs(probe[tail])
    if np.all(vals < 1e-280) or vals[-1] < 1e-12 * vals[0] * 1e-30:
        return np.inf
    pos = vals > 0
    if np.count_nonzero(pos) < 2:
        return np.inf
    slope = np.polyfit(np.log(_PROBE[tail][pos]), np.log(vals[pos]), 1)[0]
    if slope < -60:
        return np.inf
    return -slope


def _check_shape(shape, text, G, singular, g0):
    s = SHAPE_ORDER[shape]
    if singular or not np.isfinite(g0):
        raise ShapeError(
            f"shape {shape!r} is impossible for {text!r}: the bump for rho(k)/k^{2 * s} is not "
            f"integrable (k^{s}/sqrt(rho) diverges at k -> 0), so it has no {shape}-type "
            "integral; use shape='bump'" + (" or 'sigmoid'" if s == 2 else ""))
    if s == 2:
        eps = np.array([1e-4, 1e-3])
        h = (g0 - evaluate(G, kappa, eps)) / eps**2
        if abs(h[0]) > 5 * abs(h[1]) + 1e-8:
            raise ShapeError(
                f"shape 'relu' is impossible for {text!r}: the sigmoid-shaped integral decays "
                "too slowly at -infinity to be integrated again (k/sqrt(rho) has a kink at "
                "k = 0, i.e. the bump has no first moment); use shape='sigmoid' or 'bump'")


def _warn_bed_of_nails(amp: Amplitude, text: str, dim: int, s: int):
    # kappa^(D-1)/rho_total = (G_s / kappa^s)^2 must be integrable at infinity
    beta = amp.decay + s
    if beta <= 0.5:
        warnings.warn(
            f"penalty {text!r} grows no faster than k^{dim} at high k (the 'bed of nails' regime): "
            "the integral of k^(D-1)/rho diverges, so minimum-norm interpolants in dimension "
            f"{dim} degenerate into spikes at the data points and do not generalise",
            BedOfNailsWarning,
            stacklevel=3,
        )
