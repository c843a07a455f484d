"""Rewrite a closed form into numerically stable pieces before printing it.

Each rule replaces a pattern that overflows, or whose gradient is NaN somewhere on the
real line, by an equivalent stable function (math as data: RULES is the list):

* log(1 + e^u)          -> softplus(u)        (e^u overflows for u > 710)
* (1 + e^u)^-n          -> sigmoid(-u)^n      (the gradient is inf * 0 for u -> inf)
* e^u sigmoid(-u)       -> sigmoid(u)
* cosh(u)^-n            -> sech(u)^n          (printed through a stable helper)
* sin(a z) / z          -> a sinc(a z)        (0/0 at z = 0)
* Heaviside(u, h)       -> Piecewise          (torch.heaviside has no autograd)
"""

from __future__ import annotations

import sympy as sp

from ..infra._symbols import z as Z


class Sigmoid(sp.Function):
    """The logistic function 1/(1 + e^-x) (printing only)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return Sigmoid(self.args[0]) * Sigmoid(-self.args[0])


class Softplus(sp.Function):
    """log(1 + e^x) (printing only)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return Sigmoid(self.args[0])


def _is_one_plus_exp(e):
    return e.is_Add and len(e.args) == 2 and sp.S.One in e.args and any(
        isinstance(a, sp.exp) for a in e.args)


def _exp_arg(e):
    return next(a for a in e.args if isinstance(a, sp.exp)).args[0]


def _softplus(e):
    if isinstance(e, sp.log) and _is_one_plus_exp(e.args[0]):
        return Softplus(_exp_arg(e.args[0]))
    return None


def _sigmoid(e):
    if e.is_Pow and _is_one_plus_exp(e.base) and e.exp.is_Integer and e.exp < 0:
        return Sigmoid(-_exp_arg(e.base)) ** (-e.exp)
    return None


def _exp_times_sigmoid(e):
    if not e.is_Mul:
        return None
    factors = list(e.args)
    for f in factors:
        if isinstance(f, sp.exp):
            u = f.args[0]
            for g in factors:
                base, n = g.as_base_exp()
                if base == Sigmoid(-u) and n.is_Integer and n > 0:
                    rest = [h for h in factors if h is not f and h is not g]
                    return sp.Mul(*rest) * Sigmoid(u) * Sigmoid(-u) ** (n - 1)
    return None


def _sech(e):
    if e.is_Pow and isinstance(e.base, sp.cosh) and e.exp.is_Integer and e.exp < 0:
        return sp.sech(e.base.args[0]) ** (-e.exp)
    return None


def _sinc(e):
    if not e.is_Mul or Z ** -1 not in e.args:
        return None
    for f in e.args:
        if isinstance(f, sp.sin):
            a = sp.simplify(f.args[0] / Z)
            if a.is_number and a != 0:
                rest = [h for h in e.args if h is not f and h != Z ** -1]
                return sp.Mul(*rest) * a * sp.sinc(f.args[0])
    return None


def _heaviside(e):
    if isinstance(e, sp.Heaviside):
        u = e.args[0]
        h = e.args[1] if len(e.args) > 1 else sp.S.Half
        return sp.Piecewise((0, u < 0), (h, sp.Eq(u, 0)), (1, True))
    return None


RULES = (_heaviside, _softplus, _sigmoid, _exp_times_sigmoid, _sech, _sinc)


def stabilize(expr: sp.Expr) -> sp.Expr:
    """Apply every rule, bottom-up, until nothing changes."""
    for _ in range(10):
        before = expr
        for rule in RULES:
            expr = expr.replace(lambda e, rule=rule: rule(e) is not None, rule)
        if expr == before:
            break
    return expr


def unstabilize(expr: sp.Expr) -> sp.Expr:
    """The inverse rewrite, so that `actdesign.formula._evaluate.evaluate` can evaluate it."""
    return expr.replace(Sigmoid, lambda x: 1 / (1 + sp.exp(-x))).replace(
        Softplus, lambda x: sp.log(1 + sp.exp(x)))
