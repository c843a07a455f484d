"""analyze(): the penalty rho_phi(k) = |F[phi](k)|^(-2) that an activation imposes.

Routes: a ``table`` of known activation -> penalty pairs (matched with amplitude and
scale wildcards, using rho[A phi(s z)](k) = s^2 rho(k/s) / A^2), then SymPy's
``symbolic`` transform, then ``numeric`` quadrature. A closed form is returned only
after it agrees with the numeric route. Growing activations are transformed through
their m-th derivative, F[phi](k) = F[phi^(m)](k) / (ik)^m for k != 0; phi is then
determined by its penalty only up to polynomials of degree < m (the null space).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ._activation import Activation, from_expression
from ._convention import CONVENTION
from ._errors import ActdesignError
from ._evaluate import evaluate
from ._kinks import breakpoints
from ._symbols import k as K
from ._symbols import z as Z
from ._timeout import time_limit
from .registry import FAMILIES

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


@dataclass(frozen=True, eq=False)
class Penalty:
    """The penalty an activation imposes, under :data:`actdesign.CONVENTION`.

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
        numeric-only values are returned as nan rather than garbage.
    rtol : float
        Relative accuracy of the numeric values inside ``trust``: 1e-8, or 1e-3 when the
        decaying derivative phi^(m) falls off slower than 1/|z| (e.g. ReLU^3.5), whose
        conditionally convergent oscillatory tail quadrature resolves only that far.
        Closed forms (``rho`` not None) are exact.
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
        """rho(k) (closed form where available, else numeric inside the trust range)."""
        k = np.abs(np.asarray(k, dtype=float))
        if self.rho is not None:
            return evaluate(self.rho, K, k)
        return self.numeric(k)

    @property
    def rho_text(self) -> str | None:
        """The closed form as a string, or None."""
        return None if self.rho is None else str(self.rho)


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
    numeric, m, trust, slow = _numeric_rho(act)
    arch = lambda k: np.abs(k) ** (D - 1)  # noqa: E731 - the architectural factor
    num_total = lambda k: arch(k) * numeric(k)  # noqa: E731
    rtol = SLOW_TAIL_RTOL if slow else VERIFY_RTOL
    for method, finder in (("table", _table), ("symbolic", _symbolic)):
        if act.phi is None:
            break
        rho1 = finder(act.phi, timeout)
        if rho1 is not None and _agrees(rho1, numeric, trust, max(rtol, VERIFY_RTOL * 10)):
            total = sp.Abs(K) ** (D - 1) * rho1 if D > 1 else rho1
            return Penalty(label, total, method, D, m, trust, num_total, rtol)
    return Penalty(label, None, "numeric", D, m, trust, num_total, rtol)


def _table(phi, timeout):
    # SymPy's matcher can be slow on shifted or nested expressions: cap it
    try:
        with time_limit(timeout):
            return _match_table(phi)
    except TimeoutError:
        return None


def _match_table(phi):
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


def _agrees(rho1, numeric, trust, rtol):
    ks = VERIFY_K[(VERIFY_K >= trust[0]) & (VERIFY_K <= trust[1])]
    try:
        closed = evaluate(rho1.xreplace({K: _k}), K, ks)
    except NotImplementedError:
        return False
    ref = numeric(ks)
    ok = np.isfinite(ref)
    if not np.any(ok):
        return False
    return bool(np.all(np.abs(closed[ok] - ref[ok]) <= rtol * np.abs(ref[ok])))


# --- numeric route -----------------------------------------------------------------------
def _numeric_rho(act: Activation):
    """(rho_phi callable, derivative order m, trust range) by quadrature of phi^(m)."""
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

    def rho(k):
        k = np.abs(np.asarray(k, dtype=float))
        F, err = _fourier().forward_transform(deriv, k, breakpoints=tuple(breaks),
                                              singular_power=sing)
        for b, J in jumps:  # delta terms that phi^(m) carries at kinks and jumps
            for j, Jj in enumerate(J):
                F = F + Jj * (1j * k) ** (m - 1 - j) * np.exp(-1j * k * b)
        amp = np.abs(F) / k**m if m else np.abs(F)
        with np.errstate(divide="ignore", over="ignore"):
            out = 1.0 / amp**2
        bad = (err > 1e-8 * np.abs(F)) | ~np.isfinite(out)  # trust: 1e-8 relative
        return np.where(bad, np.nan, out)

    trust = _trust_range(rho)
    return rho, m, trust, _slow_tail(deriv)


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
    """Break points of phi (actdesign._kinks), within the range the quadrature resolves;
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
    vals = rho(ks)
    ok = np.isfinite(vals)
    if not np.any(ok):
        return (np.nan, np.nan)
    idx = np.nonzero(ok)[0]
    return (float(ks[idx[0]]), float(ks[idx[-1]]))


def _fourier():
    # imported on first use: the quadrature module is only needed when computing
    from . import _fourier as module

    return module
