"""analyze(): the penalty rho_phi(k) = |F[phi](k)|^(-2) that an activation imposes.

Routes: a ``table`` of known activation -> penalty pairs (matched with amplitude and
scale wildcards, using rho[A phi(s z)](k) = s^2 rho(k/s) / A^2), then SymPy's
``symbolic`` transform, then ``numeric`` quadrature. A closed form is returned only
after it agrees with the numeric route. Growing activations are transformed through
their m-th derivative, F[phi](k) = F[phi^(m)](k) / (ik)^m for k != 0; phi is then
determined by its penalty only up to polynomials of degree < m (the null space).

Oscillating activations (sinc, sin(z)/(1+z^2), ...) are transformed by carrier splitting
(actdesign.activation._oscillating). Their penalty may be +inf: sinc(z) has F = pi on |k| < 1 and 0
outside, so rho = |k|^(D-1)/pi^2 there and +inf beyond (those frequencies are forbidden).
A bounded activation that oscillates without decaying (sin, cos) has a Dirac transform: it
is refused with the frequencies its spectrum is supported on. No Penalty leaves
`analyze` with a NaN trust range or a NaN in its closed form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..formula._kinks import breakpoints
from ..infra._convention import CONVENTION
from ..infra._errors import ActdesignError
from ..infra._symbols import k as K
from ..infra._symbols import z as Z
from ..infra._timeout import capped, time_limit
from ..registry import FAMILIES
from . import _oscillating as osc
from ._activation import Activation, from_expression

DEFAULT_K = (0.3, 1.0, 2.5, 5.0)
VERIFY_K = np.array([0.05, 0.3, 0.77, 1.0, 1.9, 2.5, 3.7, 5.0])
VERIFY_RTOL = 1e-8
BREAK_LIMIT = 1000.0  # |z| searched for break points
SLOW_TAIL_RTOL = 1e-3  # numeric accuracy when phi^(m) decays slower than 1/|z| (see Penalty)

_A = sp.Wild("A", exclude=[Z, 0])
_s = sp.Wild("s", exclude=[Z, 0])
_k = sp.Abs(K)


def _pattern_row(fam):
    wilds = {n: sp.Wild(n, exclude=[Z]) for n in fam.symbols}
    return fam, fam.pattern(wilds, _A, _s), wilds


# pattern in z -> rho(k), one row per registry family with a penalty (theory.md section 5)
PAIRS: tuple = tuple(_pattern_row(f) for f in FAMILIES if f.rho is not None)


def _band_rho(c, edge):
    """rho of a spectrum c * 1_{|k| < edge} (half height c/2 at the edge, +inf beyond)."""
    return sp.Piecewise((1 / c**2, _k < edge), (4 / c**2, _k <= edge), (sp.oo, True))


# band-limited pairs: F[A sinc(s z)](k) = (A pi / s) 1_{|k| < s}; A sin(s z)/z = A s sinc(s z)
BAND_PAIRS: tuple = (
    (_A * sp.sinc(_s * Z), lambda A, s: _band_rho(A * sp.pi / s, s)),
    (_A * sp.sin(_s * Z) / Z, lambda A, s: _band_rho(A * sp.pi, s)),
)


@dataclass(frozen=True, eq=False)
class Penalty:
    """The penalty an activation imposes, under `actdesign.CONVENTION`.

    Attributes
    ----------
    activation : str
        The activation analysed.
    rho : sympy.Expr or None
        Verified closed form of the total penalty |k|^(D-1) rho_phi(k), or None.
    method : {"table", "symbolic", "numeric"}
        Route that produced ``rho``.
    dim : int
        Input dimension D.
    null_space : int
        phi is determined by rho only up to polynomials of degree < null_space.
    trust : tuple of float
        (k_min, k_max) where numeric values are accurate to ``rtol``; outside it
        numeric-only values are returned as nan rather than garbage, except beyond the
        band edge W of a band-limited activation (entire, of exponential type W, e.g.
        sinc(z)^2 with W = 2), where F[phi] = 0 by Paley-Wiener and rho = +inf.
        Closed forms may be +inf too (sinc: rho = |k|^(D-1)/pi^2 for |k| < 1,
        4|k|^(D-1)/pi^2 at |k| = 1, +inf beyond): those frequencies are forbidden.
    rtol : float
        Relative accuracy of the numeric values inside ``trust``: 1e-8, or 1e-3 when the
        decaying derivative phi^(m) falls off slower than 1/|z| (e.g. ReLU^3.5), whose
        conditionally convergent oscillatory tail quadrature resolves only that far.
        Closed forms (``rho`` not None) are exact.
    numeric : callable
        k -> rho(k) computed numerically (nan outside ``trust``); `__call__` uses it
        when ``rho`` is None.
    convention : str
        `actdesign.CONVENTION`, recorded with every result.
    """

    activation: str
    rho: sp.Expr | None
    method: str
    dim: int
    null_space: int
    trust: tuple
    numeric: Callable = field(repr=False)
    rtol: float = 1e-8
    convention: str = CONVENTION

    def __call__(self, k):
        """rho(k) (closed form where available, else numeric inside the trust range).

        Parameters
        ----------
        k : float or array
            Angular frequencies (rho is even).
        """
        k = np.abs(np.asarray(k, dtype=float))
        if self.rho is not None:
            return _closed_values(self.rho, k)
        return self.numeric(k)

    @property
    def rho_text(self) -> str | None:
        """The closed form as a string, or None."""
        return None if self.rho is None else str(self.rho)


@capped("analyze")
def analyze(activation, dim: int | None = None, *, timeout: float = 5.0) -> Penalty:
    """The penalty imposed by ``activation`` (a formula in z, or an Activation).

    Parameters
    ----------
    activation : str or Activation
        E.g. ``"tanh(z)"``, ``"max(0, z)"``, or a designed Activation.
    dim : int, optional
        Input dimension (default: the Activation's, else 1); the result is the total
        penalty |k|^(D-1) / |F[phi](k)|^2.
    timeout : float
        Seconds allowed for SymPy steps.
    """
    act = from_expression(activation) if isinstance(activation, str) else activation
    if not isinstance(act, Activation):
        raise ActdesignError("analyze takes a formula string or an Activation")
    label = activation if isinstance(activation, str) else (act.phi_text or act.name)
    D = int(dim or act.dim)
    num = _numeric_rho(act, label, timeout)
    numeric, m, trust, slow = num.rho, num.m, num.trust, num.slow
    arch = lambda k: np.abs(k) ** (D - 1)  # noqa: E731 - the architectural factor
    num_total = lambda k: arch(k) * numeric(k)  # noqa: E731
    rtol = SLOW_TAIL_RTOL if slow else VERIFY_RTOL
    for method, finder in (("table", _table), ("symbolic", _symbolic)):
        if act.phi is None:
            break
        rho1 = finder(act.phi, timeout)
        if rho1 is not None and _agrees(rho1, num, max(rtol, VERIFY_RTOL * 10)):
            total = sp.Abs(K) ** (D - 1) * rho1 if D > 1 else rho1
            return _checked(Penalty(label, total, method, D, m, trust, num_total, rtol))
    return _checked(Penalty(label, None, "numeric", D, m, trust, num_total, rtol))


def _closed_values(rho, k):
    """rho(k) in float64; where that gives NaN (inf/inf or 0*inf from an overflowing
    intermediate, e.g. exp(k^2/2)/(exp(|k|)+1)^2 at k = 1000), at 30 digits instead."""
    out = evaluate(rho, K, k)
    for i in zip(*np.nonzero(np.isnan(out) & np.isfinite(k))):
        try:
            out[i] = float(sp.N(rho.subs(K, sp.Float(float(k[i]), 30)), 30))
        except (TypeError, ValueError):  # not a real number there: stays NaN (refused)
            pass
    return out


def _checked(pen: Penalty) -> Penalty:
    """The guard on analyze's way out: a finite trust range, and a closed form that is a
    number (possibly +inf, a forbidden frequency) at every k, never NaN."""
    if not np.all(np.isfinite(pen.trust)):
        raise ActdesignError(
            f"analyze {pen.activation}: the numeric Fourier transform is not accurate at any "
            "k in 1e-3 .. 1e3 (the activation may be too rough, too slowly decaying or "
            "oscillating in a way actdesign cannot split); no penalty is returned")
    if pen.rho is not None:
        ks = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 61), VERIFY_K])
        if np.any(np.isnan(pen(ks))):
            raise ActdesignError(f"analyze {pen.activation}: the closed form {pen.rho} is "
                                 "undefined at some k; no penalty is returned")
    return pen


def _table(phi, timeout):
    # SymPy's matcher can be slow on shifted or nested expressions: cap it
    try:
        with time_limit(timeout):
            return _match_table(phi)
    except TimeoutError:
        return None


def _match_table(phi):
    for pattern, rho_of in BAND_PAIRS:
        p = phi.match(pattern)
        if p:
            A, s = p.get(_A, sp.Integer(1)), p.get(_s, sp.Integer(1))
            if s.is_positive and A.is_real and not A.has(Z):
                return rho_of(A, s)
    for fam, pattern, wilds in PAIRS:
        p = phi.match(pattern)
        if not p:
            continue
        A, s = p.get(_A, sp.Integer(1)), p.get(_s, sp.Integer(1))
        defaults = dict(fam.params)
        values = {n: p.get(w, sp.nsimplify(defaults[n])) for n, w in wilds.items()}
        if not (s.is_positive and A.is_real) or not _holds(fam, values):
            continue
        return sp.simplify(fam.rho_matched(values, A, s).xreplace({K: _k}))
    return None


def _holds(fam, values) -> bool:
    try:
        return bool(fam.valid(values))
    except TypeError:  # a relational SymPy cannot decide (symbolic match): not this family
        return False


def _symbolic(phi, timeout):
    try:
        with time_limit(timeout):
            F = sp.fourier_transform(phi, Z, K / (2 * sp.pi))  # SymPy's e^{-2 pi i x k} convention
            if F.has(sp.integrals.transforms.FourierTransform, sp.Integral, sp.meijerg):
                return None
            return sp.simplify(1 / sp.Abs(F) ** 2)
    except Exception:  # noqa: BLE001 - any SymPy failure means "no symbolic answer"
        return None


def _agrees(rho1, num, rtol):
    """rho1 matches the numeric route inside the trust range; where rho1 = +inf (the
    spectrum vanishes), the numeric |F| + its error must be below rtol * max|F|."""
    trust = num.trust
    ks = VERIFY_K[(VERIFY_K >= trust[0]) & (VERIFY_K <= trust[1])]
    try:
        closed = _closed_values(rho1.xreplace({K: _k}), VERIFY_K)
    except NotImplementedError:
        return False
    if np.any(np.isnan(closed)):
        return False
    inside = np.isin(VERIFY_K, ks)
    ref = num.rho(ks)
    ok = np.isfinite(ref) & np.isfinite(closed[inside])
    if not np.any(ok):
        return False
    if not np.all(np.abs(closed[inside][ok] - ref[ok]) <= rtol * np.abs(ref[ok])):
        return False
    forbidden = np.isposinf(closed)
    if not np.any(forbidden):
        return True
    amp, err = num.amplitude(VERIFY_K)
    top = np.max(amp[~forbidden]) if np.any(~forbidden) else 0.0
    return bool(top > 0 and np.all(amp[forbidden] + err[forbidden] <= rtol * top))


# --- numeric route -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Numeric:
    rho: Callable  # k -> rho_phi(k), nan where the quadrature is not accurate to 1e-8
    amplitude: Callable  # k -> (|F[phi](k)|, its error estimate)
    m: int  # derivative order transformed
    trust: tuple
    slow: bool


def _numeric_rho(act: Activation, label: str = "", timeout: float = 5.0) -> _Numeric:
    """The numeric route: carrier splitting for oscillating activations whose envelopes
    decay, else quadrature of the first decaying derivative phi^(m)."""
    parts, lines, decaying = _carriers(act, timeout)
    if lines:
        raise ActdesignError(_line_message(label or str(act.phi), lines, parts))
    if decaying:
        try:
            transform = osc.modulated_transform(act, parts)
            amplitude = lambda k: _amplitude(transform, k, 0)  # noqa: E731
            rho = _rho_from(amplitude, _band_edge(parts, amplitude, timeout))
            return _Numeric(rho, amplitude, 0, _trust_range(rho), False)
        except (ActdesignError, NotImplementedError):  # an envelope the rules cannot take
            pass
    return _derivative_route(act)


def _carriers(act, timeout):
    """(carrier parts, non-decaying carrier frequencies, all envelopes decay); the
    decomposition is only a faster, surer route, so any failure just skips it."""
    if act.phi is None:
        return None, (), False
    try:
        with time_limit(timeout):
            parts = osc.decompose(act.phi)
            if parts is None or not osc.tempered(parts):  # sin(z) e^z: the order test says
                return None, (), False
            lines = osc.line_frequencies(parts)
            return parts, lines, not lines and all(osc.decays_all(h) for h in parts.values())
    except (TimeoutError, NotImplementedError, TypeError, ValueError, ZeroDivisionError):
        return None, (), False


def _band_edge(parts, amplitude, timeout):
    """The Paley-Wiener edge W (F[phi] = 0 for |k| > W, see osc.band_edge), kept only if
    the quadrature agrees: |F| + its error below 1e-8 max|F| at 1.5 W and 3 W."""
    try:
        with time_limit(timeout):
            edge = osc.band_edge(parts)
    except (TimeoutError, NotImplementedError, TypeError, ValueError, ArithmeticError):
        return None
    if edge is None:
        return None
    amp, err = amplitude(np.array([0.25, 0.5, 0.75, 1.5, 3.0]) * edge)
    return edge if np.all(amp[3:] + err[3:] <= 1e-8 * np.max(amp[:3])) else None


def _line_message(label, lines, parts) -> str:
    freqs = ", ".join(f"{w:g}" for w in lines)
    if osc.polynomial_envelopes(parts):  # then the constant part is a line at k = 0 too
        freqs = ", ".join(f"{w:g}" for w in sorted({abs(w) for w in parts}))
    where = (f"is made of Dirac deltas (or their derivatives) at |k| = {freqs}: the spectrum "
             f"is supported on |k| = {freqs}, so no penalty function exists (rho is "
             "infinite at every other k)" if osc.polynomial_envelopes(parts)
             else f"has Dirac deltas and other singular parts at |k| = {freqs}, so no "
             "penalty function exists")
    return (f"{label} oscillates without decaying: its Fourier transform {where}; analyze "
            f"a decaying activation, e.g. ({label})*exp(-z**2/100)")


def _amplitude(transform, k, m):
    k = np.abs(np.asarray(k, dtype=float))
    F, err = transform(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = k**m if m else 1.0
        return np.abs(F) / scale, err / scale


def _rho_from(amplitude, edge=None):
    """rho = 1/|F|^2, nan where not accurate to 1e-8; +inf beyond a band edge."""
    def rho(k):
        amp, err = amplitude(k)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            out = 1.0 / amp**2
        bad = (err > 1e-8 * amp) | ~np.isfinite(out)  # trust: 1e-8 relative
        out = np.where(bad, np.nan, out)
        if edge is not None:
            out = np.where(np.abs(np.asarray(k, dtype=float)) > edge, np.inf, out)
        return out
    return rho


def _derivative_route(act: Activation) -> _Numeric:
    """Quadrature of the first decaying derivative phi^(m)."""
    m = _decaying_order(act)
    breaks = _breakpoints(act)
    jumps = [(b, [_jump(act, b, j) for j in range(m)]) for b in breaks]
    def deriv(zz):
        with np.errstate(all="ignore"):
            v = act.derivative(zz, m) if m else act(zz)
        # nan here is 0*inf (a Heaviside factor times a branch evaluated off its side, or
        # an overflowing exponential ratio in a decaying tail): the function is 0 there
        return np.where(np.isnan(v), 0.0, v)

    sing = _singular_power(deriv, breaks)

    def transform(k):
        F, err = _fourier().forward_transform(deriv, k, breakpoints=tuple(breaks),
                                              singular_power=sing)
        for b, J in jumps:  # delta terms that phi^(m) carries at kinks and jumps
            for j, Jj in enumerate(J):
                F = F + Jj * (1j * k) ** (m - 1 - j) * np.exp(-1j * k * b)
        return F, err

    amplitude = lambda k: _amplitude(transform, k, m)  # noqa: E731
    rho = _rho_from(amplitude)
    return _Numeric(rho, amplitude, m, _trust_range(rho), _slow_tail(deriv))


def _slow_tail(deriv) -> bool:
    """phi^(m) not absolutely integrable (decays slower than 1/|z|): quadrature of the
    conditionally convergent oscillatory tail is then accurate to ~1e-4 only."""
    far = np.array([-400.0, -200.0, 200.0, 400.0])
    v = np.abs(deriv(far))
    ratios = [v[0] / v[1] if v[1] > 0 else 0.0, v[3] / v[2] if v[2] > 0 else 0.0]
    return max(ratios) > 0.5


def _decaying_order(act: Activation, max_order: int = 6) -> int:
    """Smallest m such that phi^(m) decays at both ends (at least like |z|^-0.3)."""
    far = np.array([-400.0, -200.0, 200.0, 400.0])
    for m in range(max_order + 1):
        with np.errstate(all="ignore"):
            v = np.abs(act.derivative(far, m) if m else act(far))
        v = np.where(np.isnan(v), 0.0, v)  # 0*inf off a one-sided branch
        if not np.all(np.isfinite(v)):
            continue
        tiny = 1e-12 * max(1.0, float(np.abs(act(np.array([1.0])))[0]))
        left = v[0] <= tiny or v[0] <= 0.81 * v[1]
        right = v[3] <= tiny or v[3] <= 0.81 * v[2]
        if left and right:
            return m
    raise ActdesignError("activation grows faster than a polynomial of degree "
                         f"{max_order}; its Fourier transform is not a tempered distribution")


def _singular_power(deriv, breaks):
    """a in |phi^(m)| ~ |z - b|^-a at a break point (0 when bounded)."""
    worst = 0.0
    for b in breaks:
        for side in (1.0, -1.0):
            with np.errstate(all="ignore"):
                v = np.abs(deriv(b + side * np.array([1e-9, 1e-7])))
            if np.all(np.isfinite(v)) and v[1] > 0 and v[0] > v[1]:
                worst = max(worst, float(np.log(v[0] / v[1]) / np.log(100.0)))
    return min(worst, 0.95) if worst > 0.02 else 0.0


def _breakpoints(act: Activation):
    """Break points of phi (actdesign.formula._kinks), within the range the quadrature resolves;
    [0.0] when there are none (a split point the rules start from)."""
    if act.phi is None:
        return [0.0]
    return [float(p) for p in breakpoints(act.phi, BREAK_LIMIT)] or [0.0]


def _jump(act: Activation, b: float, j: int) -> float:
    """phi^(j)(b+) - phi^(j)(b-), Richardson-extrapolated one-sided limits."""
    def one(eps):
        zz = np.array([b + eps, b - eps])
        v = act.derivative(zz, j) if j else act(zz)
        return v[0] - v[1]
    return float(2 * one(1e-7) - one(2e-7))


def _trust_range(rho):
    ks = np.geomspace(1e-3, 1e3, 121)
    try:
        vals = rho(ks)
    except ActdesignError:  # the quadrature rules refuse the integrand: trusted nowhere
        return (np.nan, np.nan)
    ok = np.isfinite(vals)
    if not np.any(ok):
        return (np.nan, np.nan)
    idx = np.nonzero(ok)[0]
    return (float(ks[idx[0]]), float(ks[idx[-1]]))


def _fourier():
    # imported on first use: the quadrature module is only needed when computing
    from ..fourier import _transform as module

    return module
