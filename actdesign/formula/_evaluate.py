"""Evaluate a SymPy expression on numpy arrays by walking its tree.

No code is generated or executed: each node type maps, through one table, to a
numpy/scipy callable. Expressions reaching here come from the allow-list parser or
from actdesign's own transform table, so the table below is also the list of
functions a closed form may use.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..infra._errors import ActdesignError

# beyond this |x|, scipy's hyp1f1 sums its series for up to a second per value: the
# asymptotic expansion (DLMF 13.7.2 with Kummer's transformation) takes over
HYP1F1_ASYMPTOTIC = 1e5


class EvaluationError(ActdesignError, NotImplementedError):
    """A formula holds a function with no numpy evaluation (a one-line refusal; also a
    NotImplementedError, which the design and analyze routes read as "not this route")."""


def _special(name):
    def call(*args):
        import scipy.special as sc

        return getattr(sc, name)(*args)

    return call


def _hyp1f1(a, b, x):
    import scipy.special as sc

    x = np.asarray(x, dtype=float)
    # the expansion in 1/x needs its terms to fall fast: |a| and |a - b| small against |x|
    big = (np.abs(x) > HYP1F1_ASYMPTOTIC) & ((abs(a) + 1) * (abs(a - b) + 1) < 1e-2 * np.abs(x))
    if (a <= 0 and a == int(a)) or not big.any():  # a polynomial when -a is an integer
        return sc.hyp1f1(a, b, x)
    out = np.empty(x.shape)
    out[~big] = sc.hyp1f1(a, b, x[~big])
    out[big] = _hyp1f1_large(a, b, x[big])
    return out


def _hyp1f1_large(a, b, x):
    """1F1(a; b; x) for |x| >> 1 (a not a non-positive integer).

    x -> -inf: Gamma(b)/Gamma(b-a) t^-a 2F0(a, a-b+1;; 1/t), t = -x (DLMF 13.7.2; the part of
    order e^-t underflows for t > 1e5); x -> +inf: Gamma(b)/Gamma(a) e^x x^(a-b), which overflows
    to an infinity of that sign.
    """
    import scipy.special as sc

    out = np.empty(x.shape)
    pos = x > 0
    with np.errstate(all="ignore"):
        out[pos] = np.sign(sc.gamma(b) * sc.rgamma(a)) * np.inf
        t = -x[~pos]
        total, term = np.ones(t.shape), np.ones(t.shape)
        for s in range(1, 60):
            term = term * (a + s - 1) * (a - b + s) / s / t
            total = total + term
            if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
                break
        out[~pos] = sc.gamma(b) * sc.rgamma(b - a) * t ** (-a) * total
    return out


def _hyper(ap, bq, x):
    """pFq for the kinds the parser accepts (0F1, 1F1, 2F1), through scipy."""
    import scipy.special as sc

    kind = (len(ap), len(bq))
    if kind == (1, 1):
        return _hyp1f1(ap[0], bq[0], x)
    if kind == (0, 1):
        return sc.hyp0f1(bq[0], x)
    if kind == (2, 1):
        return sc.hyp2f1(ap[0], ap[1], bq[0], x)
    raise EvaluationError(f"no numpy evaluation for the hypergeometric {kind[0]}F{kind[1]}; "
                          "use 0F1, 1F1 or 2F1")


def _polygamma(n, x):
    import scipy.special as sc

    return sc.polygamma(np.asarray(n).astype(int), x)


def _piecewise(*pairs):
    # pairs are evaluated (value, condition) tuples; first true condition wins
    out = None
    taken = None
    for val, cond in pairs:
        val = np.asarray(val, dtype=float)
        cond = np.broadcast_to(np.asarray(cond, dtype=bool), np.broadcast(val, cond).shape)
        if out is None:
            out = np.full(cond.shape, np.nan)
            taken = np.zeros(cond.shape, dtype=bool)
        pick = cond & ~taken
        out = np.where(pick, np.broadcast_to(val, cond.shape), out)
        taken |= pick
    return out


FUNCTIONS = {
    sp.exp: np.exp,
    sp.log: np.log,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.atan: np.arctan,
    sp.asin: np.arcsin,
    sp.acos: np.arccos,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.tanh: np.tanh,
    sp.asinh: np.arcsinh,
    sp.sech: lambda x: 1.0 / np.cosh(x),
    sp.csch: lambda x: 1.0 / np.sinh(x),
    sp.coth: lambda x: 1.0 / np.tanh(x),
    sp.Abs: np.abs,
    sp.sign: np.sign,
    sp.Heaviside: lambda x, *h: np.heaviside(x, h[0] if h else 0.5),
    sp.erf: _special("erf"),
    sp.erfc: _special("erfc"),
    sp.gamma: _special("gamma"),
    sp.loggamma: _special("gammaln"),
    sp.besselk: _special("kv"),
    sp.besseli: _special("iv"),
    sp.besselj: _special("jv"),
    sp.polygamma: _polygamma,
    sp.sinc: lambda x: np.sinc(np.asarray(x) / np.pi),
    sp.Max: lambda *a: np.maximum.reduce(np.broadcast_arrays(*a)),
    sp.Min: lambda *a: np.minimum.reduce(np.broadcast_arrays(*a)),
    sp.floor: np.floor,
    sp.ceiling: np.ceil,
}

_RELATIONS = {
    sp.StrictGreaterThan: np.greater,
    sp.GreaterThan: np.greater_equal,
    sp.StrictLessThan: np.less,
    sp.LessThan: np.less_equal,
    sp.Equality: np.equal,
    sp.Unequality: np.not_equal,
}


def evaluate(expr: sp.Expr, symbol: sp.Symbol, values) -> np.ndarray:
    """Evaluate ``expr`` with ``symbol`` bound to the float array ``values``.

    Raises
    ------
    EvaluationError
        A NotImplementedError too: the tree holds a node that has no numpy counterpart.
    """
    x = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        out = _walk(expr, symbol, x)
    if (isinstance(out, np.ndarray) and out is not x and out.base is None
            and out.dtype == np.float64 and out.shape == x.shape):
        return out  # a fresh array that nothing else holds: no copy needed
    return np.broadcast_to(np.asarray(out, dtype=float), x.shape).copy()


def evaluate_continuous(expr: sp.Expr, symbol: sp.Symbol, values) -> np.ndarray:
    """`evaluate`, with 0*inf holes at isolated points (z K1(z) or z/sinh(z) at 0)
    filled by the mean of the two one-sided limits."""
    out = evaluate(expr, symbol, values)
    nan = np.isnan(out)
    if not nan.any():
        return out
    x = np.asarray(values, dtype=float)
    hole = nan & np.isfinite(x)
    if hole.any():
        xh = x[hole]
        out[hole] = 0.5 * (evaluate(expr, symbol, xh + 1e-30) + evaluate(expr, symbol, xh - 1e-30))
    return out


def _softplus_argument(e):
    """u when ``e`` is log(1 + exp(u)), else None."""
    if not (isinstance(e, sp.log) and e.args[0].is_Add and len(e.args[0].args) == 2):
        return None
    one, other = sorted(e.args[0].args, key=lambda a: not a.is_Number)
    return other.args[0] if one == 1 and isinstance(other, sp.exp) else None


def _erfc_argument(e):
    """u when ``e`` is 1 + erf(u), else None."""
    if not (e.is_Add and len(e.args) == 2 and sp.S.One in e.args):
        return None
    other = e.args[0] if e.args[1] == 1 else e.args[1]
    return other.args[0] if isinstance(other, sp.erf) else None


def _steps_derivative(e) -> bool:
    """Whether ``e`` is a derivative of floor or ceiling (also as Subs(Derivative(...)))."""
    if isinstance(e, sp.Subs):
        e = e.args[0]
    return isinstance(e, sp.Derivative) and isinstance(e.expr, (sp.floor, sp.ceiling))


def _walk(e, s, x):
    if e == s:
        return x
    if e.is_Number or e.is_NumberSymbol:
        return float(e)
    u = _erfc_argument(e)
    if u is not None:  # 1 + erf(u) cancels for u << 0 (gelu's tail); erfc(-u) does not
        return _special("erfc")(-_walk(u, s, x))
    if e.is_Add:
        return sum(_walk(a, s, x) for a in e.args)
    if e.is_Mul:
        out = 1.0
        for a in e.args:
            out = out * _walk(a, s, x)
        return out
    if e.is_Pow:
        base, ex = e.args
        b = _walk(base, s, x)
        if ex.is_Integer:
            return np.power(b, int(ex)) if int(ex) >= 0 else 1.0 / np.power(b, -int(ex))
        return np.power(b, _walk(ex, s, x))
    if isinstance(e, sp.Piecewise):
        return _piecewise(*[(_walk(v, s, x), _walk(c, s, x)) for v, c in e.args])
    if e is sp.true:
        return True
    if e is sp.false:
        return False
    if isinstance(e, (sp.And, sp.Or)):
        op = np.logical_and if isinstance(e, sp.And) else np.logical_or
        return op.reduce([np.asarray(_walk(a, s, x)) for a in e.args])
    if isinstance(e, sp.Not):
        return np.logical_not(_walk(e.args[0], s, x))
    if type(e) in _RELATIONS:
        return _RELATIONS[type(e)](_walk(e.args[0], s, x), _walk(e.args[1], s, x))
    soft = _softplus_argument(e)
    if soft is not None:  # log(1 + exp(u)) overflows for u > 709; logaddexp does not
        return np.logaddexp(0.0, _walk(soft, s, x))
    if isinstance(e, sp.hyper):
        ap, bq, arg = e.args
        if all(p.is_number for p in (*ap, *bq)):
            return _hyper([float(p) for p in ap], [float(q) for q in bq], _walk(arg, s, x))
    if _steps_derivative(e):
        return 0.0  # floor, ceiling: flat between their jumps (deltas dropped, as DiracDelta)
    fn = FUNCTIONS.get(e.func)
    if fn is None:
        raise EvaluationError(f"no numpy evaluation for {e.func.__name__} (in "
                              f"{str(e)[:60]}); write the formula with the listed functions")
    return fn(*[_walk(a, s, x) for a in e.args])
