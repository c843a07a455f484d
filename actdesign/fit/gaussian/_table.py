"""A fast evaluator of the numeric Gaussian-law kernel: the dual activation, tabulated.

With s_i = sqrt(Var u_i), E(s) = E[phi(s Z)^2] and theta = atan2(sqrt(det), s12) the
angle between the pre-activations (rho = cos theta),

    K(x, x') = sqrt(E(s1) E(s2)) k(s1, s2, theta),   |k| <= 1 (Cauchy-Schwarz),

so an absolute error of k is the error relative to sqrt(K(x, x) K(x', x')), the
tolerance of issue 20 (1e-8). Tabulated, once per activation, law and scale range:

* log E as a Chebyshev series in lambda = log s;
* k at Chebyshev nodes in lambda1 and lambda2 (global: k is analytic in the scales)
  times a uniform grid in w = log(theta + eps) for theta <= pi/2, and in
  w = log(pi - theta + eps) beyond (two halves), interpolated locally (Lagrange, degree
  P) in w. Near rho = +-1 the kernel changes on the scale theta ~ 1/s (tanh(s z) tends
  to the sign, whose kernel 1 - 2 theta / pi is linear in theta but has a square-root
  kink in rho); the logarithmic spacing meets that scale at every s of the range, and
  eps = EPS_S / s_hi lies below the smallest of them.

The node values come from the exact route (`_kernel.numeric_entries`,
rtol NODE_RTOL); the table is then checked against the exact route on a validation set off
the nodes (random scales and angles) and its error is that maximum times SAFETY. A
table that misses TOL by less than RETRY times is rebuilt once with twice the nodes;
if it still misses, the caller uses the exact route (and says so). Evaluation (numba) costs
n_lam (P + 1) multiply-adds per entry after a per-row reduction over lambda1.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass

import numpy as np

TOL = 1e-8  # target error relative to sqrt(K(x,x) K(x',x'))
SAFETY = 2.0  # reported error = SAFETY * max validation error (+ the nodes' own)
RETRY = 1e3  # a table within RETRY * TOL is rebuilt finer; a worse one is given up at once
N_LAM = 24  # Chebyshev nodes per lambda (doubled on a failed validation)
N_W = 96  # w nodes per half
P = 9  # local Lagrange degree in w
EPS_S = 0.2  # eps = EPS_S / s_hi
N_E = 48  # Chebyshev nodes of log E
V_SCALES, V_ANGLES = 5, 24  # validation: scales (pairs of them) x angles per pair
ROWS = 256  # rows per reduction chunk (memory: ROWS * 2 * N_W * N_LAM doubles)
NODE_RTOL = 1e-9  # exact route at the nodes (10x below TOL; fewer quadrature fallbacks)


@dataclass
class Table:
    """A tabulated dual activation on the scale range [exp(lam[0]), exp(lam[1])]."""

    lam: tuple
    coef_e: np.ndarray  # Chebyshev coefficients of log E in x(lambda)
    C: np.ndarray  # (n_lam_a, 2, n_w, n_lam_b): coefficients in a, b; values at w nodes
    w0: float
    hw: float
    eps: float
    error: float  # validated error of k (relative to sqrt(K(x,x)K(x',x')))
    build_s: float  # wall seconds
    nodes: int
    ok: bool
    build_cpu: float = 0.0  # CPU seconds (all threads)

    def covers(self, lo, hi) -> bool:
        return self.lam[0] <= lo and hi <= self.lam[1]

    def note(self) -> str:
        lo, hi = np.exp(self.lam)
        return (f"tabulated dual activation (scales {lo:.3g}..{hi:.3g}, {self.nodes} exact "
                f"nodes, built in {self.build_s:.1f} s ({self.build_cpu:.1f} s CPU), "
                f"validated error {self.error:.1e} of "
                "sqrt(K(x,x)K(x',x')) against the exact route)")


def _x(table_lam, lam):
    lo, hi = table_lam
    return np.clip((2 * lam - lo - hi) / (hi - lo), -1.0, 1.0)


def _basis(x, n):
    """Chebyshev T_0..T_{n-1} at x (any shape): (..., n)."""
    return np.cos(np.arccos(x)[..., None] * np.arange(n))


def _cheb_nodes(n):
    return np.cos(np.pi * (np.arange(n) + 0.5) / n)


def _to_coef(values, axis):
    """Chebyshev coefficients from values at the first-kind nodes along ``axis``."""
    n = values.shape[axis]
    T = _basis(_cheb_nodes(n), n)  # (node, k)
    c = np.moveaxis(np.tensordot(T.T, np.moveaxis(values, axis, 0), axes=1), 0, axis) * (2 / n)
    idx = [slice(None)] * values.ndim
    idx[axis] = 0
    c[tuple(idx)] /= 2
    return c


def _w_grid(eps, n_w):
    w0, w1 = math.log(eps), math.log(math.pi / 2 + eps)
    return w0, (w1 - w0) / (n_w - 1)


def _exact_k(act, s1, s2, theta, root_e1, root_e2):
    """The exact k at (s1, s2, theta) (1-D arrays) and its error."""
    from ._kernel import numeric_entries

    c, sn = np.cos(theta), np.sin(theta)
    s11, s22 = s1 * s1, s2 * s2
    vals, errs = numeric_entries(act, s11, s22, s1 * s2 * c, (s1 * s2 * sn) ** 2, NODE_RTOL)
    return vals / (root_e1 * root_e2), errs / (root_e1 * root_e2)


def _second_moments(act, s):
    from ._kernel import _numeric_setup
    from ._mehler import _squares

    phi, kinks, centres, width = _numeric_setup(act)
    _, e2, _ = _squares(phi, np.asarray(s, float), kinks, centres, width)
    return e2


def build(act, lam_lo, lam_hi, n_lam=None, n_w=None, seed=0) -> Table:
    """Tabulate k over lambda in [lam_lo, lam_hi] and validate it (see the module doc);
    ``n_lam``, ``n_w`` default to N_LAM, N_W."""
    t0 = time.perf_counter()
    n_lam, n_w = n_lam or N_LAM, n_w or N_W
    half = (lam_hi - lam_lo) / 2
    lam_e = (lam_lo + lam_hi) / 2 + half * _cheb_nodes(N_E)
    e = _second_moments(act, np.exp(lam_e))
    if not np.all(np.isfinite(e) & (e > 0)):
        return Table((lam_lo, lam_hi), None, None, 0, 1, 1, np.inf, 0.0, 0, False)
    coef_e = _to_coef(np.log(e), 0)
    lam = (lam_lo + lam_hi) / 2 + half * _cheb_nodes(n_lam)
    s = np.exp(lam)
    root = np.exp(0.5 * np.polynomial.chebyshev.chebval(_x((lam_lo, lam_hi), lam), coef_e))
    eps = EPS_S / math.exp(lam_hi)
    w0, hw = _w_grid(eps, n_w)
    tp = np.maximum(np.exp(w0 + hw * np.arange(n_w)) - eps, 0.0)
    a, b = np.triu_indices(n_lam)
    A, H, W = (g.ravel() for g in np.meshgrid(a, np.arange(2), np.arange(n_w), indexing="ij"))
    B = np.repeat(b, 2 * n_w)
    theta = np.where(H == 0, tp[W], np.pi - tp[W])
    k, kerr = _exact_k(act, s[A], s[B], theta, root[A], root[B])
    V = np.empty((n_lam, n_lam, 2, n_w))
    V[A, B, H, W] = k
    V[B, A, H, W] = k
    C = _to_coef(_to_coef(V, 0), 1).transpose(0, 2, 3, 1).copy()  # (a, half, w, b)
    table = Table((lam_lo, lam_hi), coef_e, C, w0, hw, eps, np.inf, 0.0, k.size, False)
    verr = _validate(act, table, seed)
    table.error = SAFETY * verr + float(np.max(kerr, initial=0.0))
    table.ok = bool(np.isfinite(k).all()) and table.error <= TOL
    table.build_s = time.perf_counter() - t0
    return table


def _validate(act, table, seed):
    """max |k_table - k_exact| at random scales (all pairs) and random angles."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(*table.lam, V_SCALES)
    a, b = np.triu_indices(V_SCALES)
    A, B = np.repeat(a, V_ANGLES), np.repeat(b, V_ANGLES)
    theta = np.pi * rng.uniform(0, 1, A.size) ** 2  # denser near rho = 1
    theta[::2] = np.pi - theta[::2]  # and near rho = -1
    root = root_e(table, lam)
    ref, _ = _exact_k(act, np.exp(lam[A]), np.exp(lam[B]), theta, root[A], root[B])
    got = k_at(table, lam[A], lam[B], theta)
    return float(np.max(np.abs(got - ref)))


def root_e(table, lam):
    """sqrt(E(exp(lam))) from the tabulated log E."""
    return np.exp(0.5 * np.polynomial.chebyshev.chebval(_x(table.lam, lam), table.coef_e))


def k_at(table, lam1, lam2, theta):
    """k from the table at arrays (lambda1, lambda2, theta), in numpy (validation)."""
    n_lam, n_w = table.C.shape[0], table.C.shape[2]
    T1, T2 = _basis(_x(table.lam, lam1), n_lam), _basis(_x(table.lam, lam2), n_lam)
    h = (theta > np.pi / 2).astype(int)
    tp = np.where(h == 1, np.pi - theta, theta)
    t = (np.log(tp + table.eps) - table.w0) / table.hw
    c0 = np.clip(np.floor(t).astype(int) - P // 2, 0, n_w - P - 1)
    t = t - c0
    out = np.zeros(theta.size)
    for k in range(P + 1):
        lk = np.ones(theta.size) / _denominators()[k]
        for m in range(P + 1):
            if m != k:
                lk *= t - m
        vals = np.einsum("pa,pb,pab->p", T1, T2, table.C[:, h, c0 + k, :].transpose(1, 0, 2))
        out += lk * vals
    return out


def _denominators():
    k = np.arange(P + 1)
    return np.array([np.prod([i - m for m in k if m != i]) for i in k], dtype=float)


# --- evaluation and cache ------------------------------------------------------------------
_CACHE: dict = {}
_WEAK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _slot(act):
    """Per-activation cache: keyed by the formula where there is one, else by the object."""
    text = act.phi_text
    if text is not None:
        return _CACHE.setdefault(text, {})
    return _WEAK.setdefault(act, {})


def _range(s):
    """The scale range to tabulate: the data's, widened to powers of 2 (fewer rebuilds)."""
    lo, hi = float(np.min(s)), float(np.max(s))
    lo2, hi2 = 2.0 ** math.floor(math.log2(lo)), 2.0 ** math.ceil(math.log2(hi))
    if hi2 <= lo2 * 1.5:
        hi2 = 2 * lo2
    return math.log(lo2), math.log(hi2)


def cached(act, law, s) -> Table | None:
    """The cached validated table of (act, law) if it covers the scales s > 0, else None."""
    slot = _slot(act)
    table = slot.get((float(law.weight_std), float(law.bias_std)))
    if table is None or not table.ok or not np.all(s > 0):
        return None
    return table if table.covers(math.log(np.min(s)), math.log(np.max(s))) else None


def table_for(act, law, s) -> Table:
    """The cached table of (act, law) covering the scales s > 0, built if needed."""
    slot = _slot(act)
    key = (float(law.weight_std), float(law.bias_std))
    old = slot.get(key)
    lo, hi = _range(s)
    if old is not None and old.covers(math.log(np.min(s)), math.log(np.max(s))):
        return old
    if old is not None:  # widen to the union (one rebuild, not one per block)
        lo, hi = min(lo, old.lam[0]), max(hi, old.lam[1])
    t0, c0 = time.perf_counter(), time.process_time()
    table = build(act, lo, hi)
    if not table.ok and table.error <= RETRY * TOL:  # near miss: twice the nodes
        table = build(act, lo, hi, n_lam=2 * N_LAM, n_w=2 * N_W)
    table.build_s, table.build_cpu = time.perf_counter() - t0, time.process_time() - c0
    slot[key] = table
    return table


def table_kernel(table, X1, X2, law, sym):
    """K for all pairs of rows (X2 = X1 when ``sym``) from ``table`` (scales must be > 0),
    and max sqrt(K(x, x) K(x', x')) (the scale of the table's relative error)."""
    from ._table_numba import table_entries

    sw2, sb2 = float(law.weight_std) ** 2, float(law.bias_std) ** 2
    n1, n2 = np.einsum("pd,pd->p", X1, X1), np.einsum("pd,pd->p", X2, X2)
    lam1, lam2 = 0.5 * np.log(sw2 * n1 + sb2), 0.5 * np.log(sw2 * n2 + sb2)
    n_lam = table.C.shape[0]
    T2 = np.ascontiguousarray(_basis(_x(table.lam, lam2), n_lam))
    r1, r2 = root_e(table, lam1), root_e(table, lam2)
    out = np.empty((len(X1), len(X2)))
    Cm = table.C.reshape(n_lam, -1)
    den = _denominators()
    for i0 in range(0, len(X1), ROWS):
        rows = slice(i0, i0 + ROWS)
        R = (_basis(_x(table.lam, lam1[rows]), n_lam) @ Cm).reshape(-1, *table.C.shape[1:])
        block = out[rows, i0:] if sym else out[rows]
        Xb = X2[i0:] if sym else X2
        table_entries(X1[rows], Xb, n1[rows], r1[rows], r2[i0:] if sym else r2, R,
                      T2[i0:] if sym else T2, sw2, sb2, table.w0, table.hw, table.eps, den,
                      sym, block)
    if sym:
        iu = np.triu_indices(len(X1), 1)
        out[iu[1], iu[0]] = out[iu]
    return out, float(np.max(r1) * np.max(r2))
