"""analyze(): the penalty rho_phi(k) = |F[phi](k)|^(-2) that an activation imposes.

Routes: a ``table`` of known activation -> penalty pairs (matched with amplitude and
scale wildcards, using rho[A phi(s z)](k) = s^2 rho(k/s) / A^2), then SymPy's
``symbolic`` transform, then ``numeric`` quadrature. A closed form is returned only
after it agrees with the numeric route. Growing activations are transformed through
their m-th derivative, F[phi](k) = F[phi^(m)](k) / (ik)^m for k != 0; phi is then
determined by its penalty only up to polynomials of degree < m (the null space).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from ._activation import Activation, from_expression
from ._convention import CONVENTION
from ._errors import ActdesignError
from ._evaluate import evaluate
from ._symbols import k as K
from ._symbols import z as Z
from ._timeout import time_limit

DEFAULT_K = (0.3, 1.0, 2.5, 5.0)
VERIFY_K = np.array([0.05, 0.3, 0.77, 1.0, 1.9, 2.5, 3.7, 5.0])
VERIFY_RTOL = 1e-8
SLOW_TAIL_RTOL = 1e-3  # numeric accuracy when phi^(m) decays slower than 1/|z| (see Penalty)

_A = sp.Wild("A", exclude=[Z, 0])
_s = sp.Wild("s", exclude=[Z, 0])
_a = sp.Wild("a", exclude=[Z])
_k = sp.Abs(K)


def _rho_scaled(base):
    """rho for A * f(s z) from rho_f: s^2 rho_f(k/s) / A^2 (s > 0)."""
    return lambda p: p[_s] ** 2 * base(p).xreplace({K: K / p[_s]}) / p[_A] ** 2


# pattern in z  ->  rho(k) for the matched parameters (theory.md section 5)
PAIRS: tuple[tuple[sp.Expr, Callable], ...] = (
    (_A * sp.Max(0, _s * Z), _rho_scaled(lambda p: K**4)),
    (_A * sp.Max(_a * _s * Z, _s * Z), lambda p: _rho_scaled(lambda q: K**4)(p) / (1 - p[_a]) ** 2),
    (_A * sp.Abs(_s * Z), _rho_scaled(lambda p: K**4 / 4)),
    (_A * sp.Heaviside(_s * Z), _rho_scaled(lambda p: K**2)),
    (_A * sp.Max(0, _s * Z) ** _a,
     _rho_scaled(lambda p: _k ** (2 * p[_a] + 2) / sp.gamma(p[_a] + 1) ** 2)),
    (_A * sp.Piecewise((_s * Z, _s * Z > 0), (sp.exp(_s * Z) - 1, True)),
     _rho_scaled(lambda p: K**4 * (1 + K**2))),
    (_A * sp.log(1 + sp.exp(_s * Z)), _rho_scaled(lambda p: K**2 * sp.sinh(sp.pi * K) ** 2 / sp.pi**2)),
    (_A / (1 + sp.exp(-_s * Z)), _rho_scaled(lambda p: sp.sinh(sp.pi * K) ** 2 / sp.pi**2)),
    (_A * sp.tanh(_s * Z), _rho_scaled(lambda p: sp.sinh(sp.pi * K / 2) ** 2 / sp.pi**2)),
    (_A * sp.erf(_s * Z), _rho_scaled(lambda p: K**2 * sp.exp(K**2 / 2) / 4)),
    (_A * Z * (1 + sp.erf(Z / sp.sqrt(2))),
     lambda p: K**4 * sp.exp(K**2) / (1 + K**2) ** 2 / (2 * p[_A]) ** 2),
    (_A * Z / (1 + sp.exp(-Z)),
     lambda p: sp.sinh(sp.pi * K) ** 4 / (sp.pi**4 * sp.cosh(sp.pi * K) ** 2) / p[_A] ** 2),
    (_A * sp.exp(-_a * Z**2), lambda p: sp.exp(K**2 / (2 * p[_a])) * p[_a] / (sp.pi * p[_A] ** 2)),
    (_A / (_a + Z**2),
     lambda p: p[_a] * sp.exp(2 * sp.sqrt(p[_a]) * _k) / (sp.pi**2 * p[_A] ** 2)),
    (_A * sp.exp(-_s * sp.Abs(Z)), lambda p: (p[_s] ** 2 + K**2) ** 2 / (4 * p[_A] ** 2)),
    (_A * sp.besselk(0, _s * sp.Abs(Z)), lambda p: (p[_s] ** 2 + K**2) / (sp.pi**2 * p[_A] ** 2)),
    (_A * sp.exp(-(Z**2) / 2) * sp.cos(_s * Z),
     lambda p: 2 / (sp.pi * p[_A] ** 2 * (sp.exp(-((K - p[_s]) ** 2) / 2)
                                           + sp.exp(-((K + p[_s]) ** 2) / 2)) ** 2)),
    (_A * sp.sech(_s * Z), _rho_scaled(lambda p: sp.cosh(sp.pi * K / 2) ** 2 / sp.pi**2)),
)


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
    for pattern, rho in PAIRS:
        p = phi.match(pattern)
        if not p:
            continue
        p = {w: p.get(w, sp.Integer(1)) for w in (_A, _s, _a)}
        if not (p[_s].is_positive and p[_A].is_real):
            continue
        return sp.simplify(rho(p).xreplace({K: _k}))
    return None


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
    if act.phi is None:
        return [0.0]
    pts = set()
    for node in sp.preorder_traversal(act.phi):
        args = []
        if isinstance(node, (sp.Abs, sp.Heaviside, sp.sign)):
            args = [node.args[0]]
        elif isinstance(node, (sp.Max, sp.Min)):
            args = [node.args[0] - node.args[1]] if len(node.args) == 2 else []
        elif isinstance(node, sp.Piecewise):
            args = [c.lhs - c.rhs for _, c in node.args if isinstance(c, sp.core.relational.Relational)]
        for a in args:
            pts.update(_roots(a))
    return sorted(pts) or [0.0]


def _roots(expr):
    try:
        with time_limit(2.0):
            sols = sp.solve(sp.Eq(expr, 0), Z)
        return {float(s) for s in sols if s.is_real}
    except Exception:  # noqa: BLE001 - an unsolvable kink location just loses that split point
        return set()


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
