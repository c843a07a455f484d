"""The resource model of user formulas: how large the numbers a formula denotes may be.

SymPy evaluates constant subexpressions exactly and eagerly: ``((9^400)^400)^400`` is an
integer of 61 million digits, ``gamma(10^6)`` is 999999!, and ``sinc(cosh(1e30))`` asks
mpmath for sin of a number with 10^29 digits. None of these can be interrupted by the
time cap once they are inside a C routine or a big-integer multiplication, so they are
stopped here, on the syntax tree, before SymPy builds anything.

Every constant subtree gets a cheap proxy: its value in 53-bit mpmath arithmetic (whose
exponent is unbounded, so the proxy of 9^(400^3) costs nothing) and a bound on the
digits of its exact (rational) representation. The limits, all as data below:

- every constant has |x| <= MAX_MAGNITUDE (1e300, as for literals), is 0 or has
  |x| >= MIN_MAGNITUDE (SymPy decides the sign of csch(-1e300) ~ -10^(-4e299) by evalf at
  ever higher precision), and is real;
- an exact constant has at most MAX_DIGITS digits (gamma of an integer is a factorial);
- a power of a variable has |exponent| <= MAX_VAR_EXPONENT;
- the orders of Bessel functions and the parameters of ``hyper`` have
  |value| <= MAX_PARAMETER (scipy's and SymPy's series run in time growing with them);
- a constant mpmath cannot evaluate (erfc(-1e300), a divergent 3F0) is refused, since
  SymPy's evalf would call the same routine.

Nodes this module does not understand are passed on: the builder in ``_parse`` reports
them with its own messages.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import mpmath

from ..infra._errors import ParseError

MAX_MAGNITUDE = 1e300
MIN_MAGNITUDE = 1e-300  # nonzero constants below it need evalf at a precision of their exponent
MAX_DIGITS = 3000
MAX_VAR_EXPONENT = 4000
MAX_PARAMETER = 100
_BITS_PER_DIGIT = math.log2(10)
_MAX_BITS = MAX_DIGITS * _BITS_PER_DIGIT
_SYMBOLIC_BITS = 8  # pi, E, exp(2): SymPy keeps them symbolic, so they cost a few bits

# proxies of the functions the parser knows, in 53-bit mpmath arithmetic
_MP = {
    "exp": mpmath.exp, "log": mpmath.log, "ln": mpmath.log, "sqrt": mpmath.sqrt,
    "abs": abs, "Abs": abs, "sign": mpmath.sign, "sin": mpmath.sin, "cos": mpmath.cos,
    "tan": mpmath.tan, "atan": mpmath.atan, "arctan": mpmath.atan, "asin": mpmath.asin,
    "acos": mpmath.acos, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
    "asinh": mpmath.asinh, "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth,
    "erf": mpmath.erf, "erfc": mpmath.erfc, "gamma": mpmath.gamma,
    "loggamma": mpmath.loggamma, "besselk": mpmath.besselk, "besseli": mpmath.besseli,
    "besselj": mpmath.besselj, "sinc": mpmath.sinc, "floor": mpmath.floor,
    "ceiling": mpmath.ceil, "max": max, "Max": max, "min": min, "Min": min,
    "relu": lambda a: max(a, 0), "sigmoid": lambda a: 1 / (1 + mpmath.exp(-a)),
    "softplus": lambda a: mpmath.log1p(mpmath.exp(a)),
    "Heaviside": lambda a, h=0.5: mpmath.mpf(1 if a > 0 else 0 if a < 0 else h),
}
_MP["heaviside"] = _MP["Heaviside"]
# exact digits of f(x) for an exact constant x: gamma(n) and loggamma(n) = log(gamma(n))
# are factorials, SymPy computes them in full
_FACTORIAL = {"gamma", "loggamma"}
# argument positions that are orders or parameters, not points (bounded by MAX_PARAMETER)
_PARAMETERS = {"besselk": (0,), "besseli": (0,), "besselj": (0,), "hyper": (0, 1)}
# constant arguments mpmath (and so SymPy's evalf) cannot take: erfc(1e300) overflows inside
# mpmath, and SymPy rewrites erfc(-x) as 2 - erfc(x)
_ARGUMENT_LIMITS = {"erf": 1e150, "erfc": 1e150}
_CONSTANTS = {"pi": mpmath.pi, "E": mpmath.e, "e": mpmath.e, "EulerGamma": mpmath.euler,
              "oo": mpmath.inf, "inf": mpmath.inf}


@dataclass(frozen=True)
class _Const:
    """A constant subtree: its 53-bit proxy (None: unknown) and the bits of its exact form."""

    value: object
    bits: float


_VAR = "var"  # a subtree that depends on the variable
_OTHER = None  # a condition, a name the builder will reject, anything not a number


def check_sizes(node, variables, families=None) -> None:
    """Raise ParseError if a subtree of ``node`` denotes a number beyond the limits.

    Parameters
    ----------
    node : ast.AST
        The body of the parsed formula.
    variables : iterable of str
        The names that are variables (their subtrees are not constants).
    families : dict, optional
        Function name -> numpy callable for registry families (the proxy of f(c)).
    """
    with mpmath.workprec(53):
        _Sizer(set(variables), families or {}).size(node, 0)


class _Sizer:
    def __init__(self, variables, families):
        self.variables = variables
        self.families = families

    def size(self, node, depth):
        if depth > 200:  # the builder reports depth itself (with its own, lower limit)
            return _OTHER
        handler = getattr(self, "_" + type(node).__name__, None)
        return _OTHER if handler is None else handler(node, depth + 1)

    def _Constant(self, node, depth):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return _OTHER
        if isinstance(v, int):
            return self.checked(node, _Const(mpmath.mpf(v), max(v.bit_length(), 1)))
        if not math.isfinite(v):
            return _OTHER
        digits = len(repr(v))  # the builder makes short floats exact rationals
        bits = 2 * digits * _BITS_PER_DIGIT if digits < 20 else 53
        return self.checked(node, _Const(mpmath.mpf(v), bits))

    def _Name(self, node, depth):
        if node.id in self.variables:
            return _VAR
        if node.id in _CONSTANTS:
            return _Const(+_CONSTANTS[node.id], _SYMBOLIC_BITS)
        return _OTHER

    def _UnaryOp(self, node, depth):
        a = self.size(node.operand, depth)
        if isinstance(node.op, ast.USub) and isinstance(a, _Const):
            return _Const(None if a.value is None else -a.value, a.bits)
        return a if isinstance(node.op, (ast.USub, ast.UAdd)) else _OTHER

    def _BinOp(self, node, depth):
        a = self.size(node.left, depth)
        b = self.size(node.right, depth)
        if isinstance(node.op, ast.Pow) and a is _VAR and isinstance(b, _Const):
            self.exponent(node, b)
        if not (isinstance(a, _Const) and isinstance(b, _Const)):
            return _VAR if _VAR in (a, b) else _OTHER
        op = type(node.op)
        if op is ast.Pow:
            return self.checked(node, _power(node, a, b))
        fn = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y,
              ast.Mult: lambda x, y: x * y, ast.Div: lambda x, y: x / y}.get(op)
        if fn is None:
            return _OTHER
        return self.checked(node, _Const(_apply(node, fn, a.value, b.value), a.bits + b.bits + 1))

    def _Tuple(self, node, depth):
        return tuple(self.size(e, depth) for e in node.elts)

    def _Compare(self, node, depth):
        for sub in (node.left, *node.comparators):
            self.size(sub, depth)
        return _OTHER

    def _BoolOp(self, node, depth):
        for sub in node.values:
            self.size(sub, depth)
        return _OTHER

    def _Call(self, node, depth):
        if not isinstance(node.func, ast.Name) or node.keywords:
            return _OTHER
        name = node.func.id
        args = [self.size(a, depth) for a in node.args]
        for i in _PARAMETERS.get(name, ()):
            if i < len(args):
                self.parameters(node, name, node.args[i], args[i])
        if name == "hyper":
            return self.hyper(node, args)
        if any(a is _OTHER or isinstance(a, tuple) for a in args):
            return _VAR if _VAR in args else _OTHER
        if _VAR in args:
            return _VAR
        limit = _ARGUMENT_LIMITS.get(name, math.inf)
        if args and args[0].value is not None and abs(args[0].value) > limit:
            raise ParseError(f"the argument of {_label(node)} is too large (|x| <= {limit:g} "
                             f"for a constant argument of {name})")
        fn = _MP.get(name) or _family_proxy(self.families.get(name))
        if fn is None:
            return _OTHER
        bits = sum(a.bits for a in args) + _SYMBOLIC_BITS
        if name in _FACTORIAL and args and args[0].value is not None:
            bits = max(bits, _factorial_bits(args[0].value))
            self.checked(node, _Const(None, bits))  # before mpmath or SymPy touch it
        return self.checked(node, _Const(_apply(node, fn, *(a.value for a in args)), bits))

    def hyper(self, node, args):
        if len(args) != 3 or not all(isinstance(a, tuple) for a in args[:2]):
            return _OTHER  # the builder names the right form
        flat = [*args[0], *args[1], args[2]]
        if _VAR in flat:
            return _VAR
        if not all(isinstance(a, _Const) for a in flat):
            return _OTHER
        value = _apply(node, lambda x: mpmath.hyper([a.value for a in args[0]],
                                              [b.value for b in args[1]], x), args[2].value)
        return self.checked(node, _Const(value, sum(a.bits for a in flat) + _SYMBOLIC_BITS))

    # --- the limits -----------------------------------------------------------------------
    def checked(self, node, c: _Const) -> _Const:
        what = _label(node)
        if c.bits > _MAX_BITS:
            raise ParseError(f"number {what} is too large: its exact value has about "
                             f"{c.bits / _BITS_PER_DIGIT:.3g} digits (the limit is {MAX_DIGITS})")
        v = c.value
        if v is None or not mpmath.isfinite(v):
            return c
        if isinstance(v, mpmath.mpc):
            if abs(v.imag) > 1e-12 * abs(v):
                raise ParseError(f"constant {what} is not a real number (about "
                                 f"{mpmath.nstr(v, 3)}); formulas must be real")
            v = v.real
        if abs(v) > MAX_MAGNITUDE:
            raise ParseError(f"number {what} is too large: about {_order(v)} (constants must "
                             f"satisfy |x| <= {MAX_MAGNITUDE:g})")
        if 0 < abs(v) < MIN_MAGNITUDE:
            raise ParseError(f"number {what} is too small: about {_order(v)} (nonzero constants "
                             f"must satisfy |x| >= {MIN_MAGNITUDE:g})")
        return _Const(v, c.bits)

    def exponent(self, node, b: _Const):
        if b.value is not None and mpmath.isfinite(b.value) and abs(b.value) > MAX_VAR_EXPONENT:
            raise ParseError(f"exponent {_label(node.right)} is too large (|exponent| <= "
                             f"{MAX_VAR_EXPONENT} on a variable)")

    def parameters(self, node, name, arg_node, size):
        items = size if isinstance(size, tuple) else (size,)
        for item in items:
            if isinstance(item, _Const) and item.value is not None and (
                    not mpmath.isfinite(item.value) or abs(item.value) > MAX_PARAMETER):
                what = "parameter" if name == "hyper" else "order"
                raise ParseError(f"{name} {what} {_label(arg_node)} is too large (|{what}| <= "
                                 f"{MAX_PARAMETER}): its series would run for a very long time")


def _power(node, a: _Const, b: _Const) -> _Const:
    e = b.value
    if e is not None and mpmath.isfinite(e) and not isinstance(e, mpmath.mpc):
        # an exact base to the power e has about |e| times its digits (roots stay symbolic)
        bits = a.bits * max(float(abs(e)), 1.0) + b.bits
    else:
        bits = a.bits + b.bits
    return _Const(_apply(node, mpmath.power, a.value, b.value), bits)


def _apply(node, fn, *values):
    """fn(*values) in the proxy; None when unknown (a pole or 0/0, which SymPy reports as
    zoo or nan). SymPy evaluates constants with the same mpmath routines, so a constant
    mpmath cannot evaluate (erfc(-1e300) overflows inside it) is refused here."""
    if any(v is None for v in values):
        return None
    try:
        return fn(*values)
    except (ZeroDivisionError, ValueError, TypeError):  # TypeError: a wrong argument count,
        return None  # which the builder names
    except Exception as err:  # noqa: BLE001 - OverflowError, NoConvergence, ...
        raise ParseError(f"constant {_label(node)} cannot be evaluated ({type(err).__name__}); "
                         "keep the arguments of special functions moderate") from None


def _factorial_bits(x) -> float:
    x = abs(mpmath.re(x))
    return float(x * mpmath.log(x + 2, 2)) if x > 2 else 0.0


def _family_proxy(numpy_fn):
    if numpy_fn is None:
        return None

    def call(x, *params):
        import numpy as np

        with np.errstate(all="ignore"):
            out = numpy_fn(float(x), *[float(p) for p in params])
        return mpmath.mpf(float(out)) if math.isfinite(float(out)) else mpmath.inf

    return call


def _order(v) -> str:
    e = mpmath.floor(mpmath.log10(abs(v)))
    return f"1e{int(e)}" if abs(e) < 10**15 else f"10^({mpmath.nstr(e, 3)})"


def _label(node) -> str:
    try:
        text = ast.unparse(node).replace(" ** ", "^")
    except Exception:  # noqa: BLE001 - a best-effort label for an error message
        return type(node).__name__
    return text if len(text) <= 40 else text[:37] + "..."
