"""Print a closed form phi(z) as backend source text, through the tables in ``_tables``.

The printer is strict: any node it cannot print faithfully for the backend raises
`Unsupported`, and the exporter then uses the numeric representation instead.
Three things make the printed code safe for autograd on all of R:

* every Piecewise branch that is non-finite (or has a non-finite derivative) somewhere
  reads its input through ``where(active, z, safe_point)`` (the "double where"), so an
  inactive branch can never send NaN into the gradient;
* the base of a fractional or negative power that may be exactly 0 (``|z|**0.25``), and
  the argument of a function singular at 0, are clamped to the dtype's smallest normal
  number, so values and gradients stay finite at z = 0;
* constants (gamma(3/4), sqrt(pi), ...) are evaluated to floats at print time.
"""

from __future__ import annotations

import math
import re

import numpy as np
import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..formula._evaluate import evaluate
from ..infra._symbols import z as Z
from ._rewrite import stabilize, unstabilize
from .backends._tables import BACKENDS

# probe points for "is this branch finite everywhere?": both signs, tiny, huge, zero
PROBE = np.array([-1e30, -1e3, -30.0, -1.0, -0.5, -1e-300, 0.0, 1e-300, 0.5, 1.0, 30.0, 1e3, 1e30])
# argument positions where a function is singular at 0 (clamped when the argument is >= 0)
SINGULAR_AT_ZERO = {sp.besselk: (1,), sp.log: (0,)}
_HELPER = re.compile(r"\b(_[a-z0-9]+)\(")


class Unsupported(Exception):
    """The backend has no faithful spelling for a node of the closed form."""


class Printed:
    """A printed closed form: setup lines, the result expression, helpers it needs."""

    def __init__(self, lines, expr, helpers, needs_tiny):
        self.lines = lines
        self.expr = expr
        self.helpers = helpers
        self.needs_tiny = needs_tiny


def print_closed_form(phi: sp.Expr, backend: str) -> Printed:
    """Print ``phi`` for ``backend`` ("torch", "jax" or "numpy").

    Raises
    ------
    Unsupported
        If some node of ``phi`` has no faithful spelling in the backend.
    """
    printer = _Printer(backend)
    expr = stabilize(phi)
    text = printer.doprint(expr)
    if not expr.has(Z):
        text = printer.b["full_like"].format(text)
    if _piecewise_constant(expr):
        text = printer.b["connect"].format(text)
    return Printed(printer.lines, text, sorted(printer.helpers), printer.needs_tiny)


class _Printer(StrPrinter):
    def __init__(self, backend):
        super().__init__()
        self.b = BACKENDS[backend]
        self.backend = backend
        self.helpers = set()
        self.needs_tiny = False
        self.lines = []
        self.names = {Z: "z"}

    # --- dispatch: a whitelist of node types ----------------------------------------
    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Expr) and expr.is_number:
            return self._number(expr)
        special = {sp.Piecewise: self._piecewise, sp.Max: self._max, sp.Min: self._min,
                   sp.hyper: self._hyper}
        for cls, handler in special.items():
            if isinstance(expr, cls):
                return handler(expr)
        if isinstance(expr, sp.Function):
            return self._function(expr)
        allowed = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Rel, sp.And, sp.Or, sp.Not)
        if not isinstance(expr, allowed):
            raise Unsupported(f"cannot print {type(expr).__name__}")
        return super()._print(expr, **kwargs)

    def _number(self, expr):
        if expr == sp.pi:
            return "math.pi"
        if expr == sp.E:
            return "math.e"
        if expr.is_Integer and abs(int(expr)) < 2**53:
            return str(int(expr))
        try:
            value = complex(expr.evalf(30))
        except (TypeError, ValueError) as err:
            raise Unsupported(f"constant {expr} is not a number") from err
        if value.imag != 0 or not math.isfinite(value.real):
            raise Unsupported(f"constant {expr} is not a finite real number")
        return repr(value.real)

    def _print_Symbol(self, expr):
        if expr not in self.names:
            raise Unsupported(f"free symbol {expr}")
        return self.names[expr]

    # --- functions ------------------------------------------------------------------
    def _function(self, expr):
        template = self.b["functions"].get(expr.func)
        if template is None:
            raise Unsupported(f"{self.backend} has no {expr.func.__name__} (with gradients)")
        args = [self._guarded(a) if i in SINGULAR_AT_ZERO.get(expr.func, ()) else self._print(a)
                for i, a in enumerate(expr.args)]
        self.helpers.update(_HELPER.findall(template))
        return template.format(*args)

    def _hyper(self, expr):
        ap, bq, arg = expr.args
        template = self.b["hyp1f1"]
        is_1f1 = len(ap) == 1 and len(bq) == 1 and ap[0].is_number and bq[0].is_number
        if template is None or not is_1f1:
            raise Unsupported(f"{self.backend} has no hypergeometric function (accurate on R)")
        return template.format(self._number(ap[0]), self._number(bq[0]), self._print(arg))

    def _guarded(self, arg):
        """``arg`` clamped to the smallest normal number when it may be exactly 0."""
        text = self._print(arg)
        if arg.is_nonnegative and not arg.is_positive:
            self.needs_tiny = True
            return self.b["clamp_min"].format(text, "tiny")
        return text

    def _print_Mul(self, expr):
        # fold constant factors such as sqrt(2)/(2*sqrt(pi)) into one float; keep z/2 as is
        numbers = [a for a in expr.args if a.is_number]
        if len(numbers) > 1 or any(not a.is_Rational for a in numbers):
            others = [a for a in expr.args if not a.is_number]
            expr = sp.Mul(sp.Float(self._number(sp.Mul(*numbers)), 20), *others)
            if not expr.is_Mul:
                return self._print(expr)
        return super()._print_Mul(expr)

    def _print_Pow(self, expr, rational=False):
        base, e = expr.as_base_exp()
        if not e.is_number:
            raise Unsupported("power with a variable exponent")
        fractional = not e.is_Integer
        if (fractional and e < 1) or e.is_negative:
            b = self._guarded(base)
        else:
            b = self._print(base)
        if b == self._print(base):
            b = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if e == sp.S.Half:
            return self.b["sqrt"].format(b)
        if e == -sp.S.Half:
            return "1 / " + self.b["sqrt"].format(b)
        if e == -1:
            return "1 / " + b
        if e.is_Integer:
            return f"{b}**{int(e)}" if e > 0 else f"1 / {b}**{-int(e)}"
        return f"{b}**{float(e)!r}"

    # --- lattice and branches -------------------------------------------------------
    def _max(self, expr):
        return self._lattice(expr, "maximum", "clamp_min", max)

    def _min(self, expr):
        return self._lattice(expr, "minimum", "clamp_max", min)

    def _lattice(self, expr, both, clamp, pick):
        consts = [a for a in expr.args if a.is_number]
        terms = [self._print(a) for a in expr.args if not a.is_number]
        text = terms[0]
        for t in terms[1:]:
            text = self.b[both].format(text, t)
        if consts:
            text = self.b[clamp].format(text, self._number(pick(consts, key=float)))
        return text

    def _piecewise(self, expr):
        branches, covered = [], sp.false
        for value, cond in expr.args:
            active = sp.And(cond, sp.Not(covered))
            covered = sp.Or(covered, cond)
            branches.append((value, cond, active))
        text, text_is_const = "math.nan", True  # sympy's value outside every condition
        for value, cond, active in reversed(branches):
            v, const = self._branch(value, active)
            if cond is sp.true:
                text, text_is_const = v, const
                continue
            if const and text_is_const:
                v = self.b["full_like"].format(v)
            text = self.b["where"].format(self._print(cond), v, text)
            text_is_const = False
        return text

    def _branch(self, value, active):
        """Print one branch; read z through a safe point when the branch is not finite on R."""
        if not value.has(Z):
            return self._print(value), True
        if _finite_everywhere(value):
            return self._print(value), False
        point = _safe_point(active, value)
        name = f"z{len(self.lines) + 1}"
        sym = sp.Symbol(name, real=True)
        where = self.b["where"].format(self._print(active), "z", repr(point))
        self.lines.append(f"{name} = {where}")
        self.names[sym] = name
        return self._print(value.xreplace({Z: sym})), False

    def _print_Relational(self, expr):
        ops = {"==": "==", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
        return f"{self._print(expr.lhs)} {ops[expr.rel_op]} {self._print(expr.rhs)}"

    # & | ~ bind tighter than comparisons in Python, so their operands get parentheses
    def _print_And(self, expr):
        return " & ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " | ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Not(self, expr):
        return f"~({self._print(expr.args[0])})"


def _piecewise_constant(expr) -> bool:
    """True if z enters only through conditions (a step function, or a constant)."""
    if isinstance(expr, sp.Piecewise):
        return all(not value.has(Z) or _piecewise_constant(value) for value, _ in expr.args)
    return not expr.has(Z)


def _finite_everywhere(value) -> bool:
    """Value and first derivative finite at the probe points (evaluated without codegen)."""
    plain = unstabilize(value)
    try:
        v = evaluate(plain, Z, PROBE)
        d = evaluate(sp.diff(plain, Z), Z, PROBE)
    except (NotImplementedError, TypeError, ValueError):
        return False
    return bool(np.all(np.isfinite(v)) and np.all(np.isfinite(d)))


def _safe_point(active, value) -> float:
    """A point where ``active`` holds and the branch and its derivative are finite."""
    plain = unstabilize(value)
    deriv = sp.diff(plain, Z)
    try:
        region = sp.S.Reals if active is sp.true else active.as_set()
    except (NotImplementedError, TypeError, ValueError) as err:
        raise Unsupported(f"cannot solve the branch condition {active}") from err
    for c in _candidates(region):
        try:
            ok = all(np.all(np.isfinite(evaluate(e, Z, [c]))) for e in (plain, deriv))
        except (NotImplementedError, TypeError, ValueError):
            ok = False
        if ok:
            return float(c)
    raise Unsupported(f"no point where the branch {value} is finite")


def _candidates(region):
    parts = region.args if isinstance(region, sp.Union) else (region,)
    out = []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            out += [float(p) for p in part if p.is_real]
        elif isinstance(part, sp.Interval):
            lo, hi = part.inf, part.sup
            if lo.is_finite and hi.is_finite:
                out.append(float((lo + hi) / 2))
            elif lo.is_finite:
                out.append(float(lo) + 1.0)
            elif hi.is_finite:
                out.append(float(hi) - 1.0)
    out += [c for c in (1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 0.0) if region.contains(c) is sp.true]
    return out
