"""Safe parsing of penalty (in k) and activation (in z) strings into SymPy.

User text is never evaluated as Python. It is parsed by `ast.parse` (which
only builds a syntax tree) and the tree is walked against an allow-list of node
types, names and functions; SymPy objects are then built directly. ``^`` means
power, as users expect from mathematics.

Before SymPy builds anything, the tree is checked against the resource model of
``_limits`` (how large the numbers it denotes may be), and the whole parse runs under a
time cap: every string ends in an expression or a one-line ParseError, quickly.
"""

from __future__ import annotations

import ast
import math

import sympy as sp

from ..infra._errors import ParseError
from ..infra._symbols import BY_NAME
from ..infra._symbols import z as _Z
from ..infra._timeout import time_limit
from ..registry import FAMILIES
from ._limits import check_sizes

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_INT_EXPONENT = 400
MAX_LITERAL = 1e300
PARSE_SECONDS = 5.0  # the time cap of one parse (a typical one takes milliseconds)
HYPER_KINDS = ((0, 1), (1, 1), (2, 1))  # pFq with a numpy evaluation (scipy hyp0f1/1f1/2f1)

# name -> (sympy callable, allowed argument counts)
FUNCTIONS: dict[str, tuple] = {
    "exp": (sp.exp, (1,)),
    "log": (sp.log, (1,)),
    "ln": (sp.log, (1,)),
    "sqrt": (sp.sqrt, (1,)),
    "abs": (sp.Abs, (1,)),
    "Abs": (sp.Abs, (1,)),
    "sign": (sp.sign, (1,)),
    "sin": (sp.sin, (1,)),
    "cos": (sp.cos, (1,)),
    "tan": (sp.tan, (1,)),
    "atan": (sp.atan, (1,)),
    "arctan": (sp.atan, (1,)),
    "asin": (sp.asin, (1,)),
    "acos": (sp.acos, (1,)),
    "sinh": (sp.sinh, (1,)),
    "cosh": (sp.cosh, (1,)),
    "tanh": (sp.tanh, (1,)),
    "asinh": (sp.asinh, (1,)),
    "sech": (sp.sech, (1,)),
    "csch": (sp.csch, (1,)),
    "coth": (sp.coth, (1,)),
    "erf": (sp.erf, (1,)),
    "erfc": (sp.erfc, (1,)),
    "gamma": (sp.gamma, (1,)),
    "loggamma": (sp.loggamma, (1,)),
    "besselk": (sp.besselk, (2,)),
    "besseli": (sp.besseli, (2,)),
    "besselj": (sp.besselj, (2,)),
    "sinc": (sp.sinc, (1,)),
    "Heaviside": (sp.Heaviside, (1, 2)),
    "heaviside": (sp.Heaviside, (1, 2)),
    "Max": (sp.Max, (2, 3, 4)),
    "max": (sp.Max, (2, 3, 4)),
    "Min": (sp.Min, (2, 3, 4)),
    "min": (sp.Min, (2, 3, 4)),
    "floor": (sp.floor, (1,)),
    "ceiling": (sp.ceiling, (1,)),
    "relu": (lambda a: sp.Max(0, a), (1,)),
    "sigmoid": (lambda a: 1 / (1 + sp.exp(-a)), (1,)),
    "softplus": (lambda a: sp.log(1 + sp.exp(a)), (1,)),
    "Piecewise": (None, None),  # arguments are (value, condition) tuples; handled below
    "hyper": (None, None),  # hyper((a,), (b,), x): generalised hypergeometric
}


def _family_function(fam):
    """name(u) or name(u, p1, ...): the registry family's phi at argument u, with its
    parameters (numbers) given in the order of ``fam.params`` or left at their defaults."""
    names = [n for n, _ in fam.params]

    def build(u, *params):
        for n, p in zip(names, params):
            if p.free_symbols:
                raise ParseError(f"{fam.name}: parameter {n} must be a number, got {p}")
        values = {**{n: sp.nsimplify(v) for n, v in fam.params}, **dict(zip(names, params))}
        subs = {sym: values[n] for n, sym in fam.symbols.items()}
        return fam.phi.xreplace(subs).xreplace({_Z: u})

    return build, tuple(range(1, len(names) + 2))


# every registry family is a function of the grammar (gelu(z), elu(z), leaky_relu(z, 0.2));
# names the grammar already has (abs, tanh, erf, besselk, sin, ...) keep their meaning
for _fam in FAMILIES:
    FUNCTIONS.setdefault(_fam.name, _family_function(_fam))
FUNCTIONS.setdefault("silu", FUNCTIONS["swish"])  # the gallery's (and PyTorch's) name


def _family_proxy(fam):
    """The resource model's proxy of a family call: phi at the default parameters (numpy)."""
    return lambda u, *params: fam.numpy(u, fam.extra_values())


_FAMILY_PROXIES = {f.name: _family_proxy(f) for f in FAMILIES}
_FAMILY_PROXIES["silu"] = _FAMILY_PROXIES["swish"]

_ORDER_FIRST = ("besselk", "besseli", "besselj")  # (order, argument)

CONSTANTS = {
    "pi": sp.pi,
    "E": sp.E,
    "e": sp.E,
    "EulerGamma": sp.EulerGamma,
    "oo": sp.oo,
    "inf": sp.oo,
    "True": sp.true,
    "true": sp.true,
}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}

_COMPARE = {
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
}


def allowed_names(variables=("k",)) -> str:
    """The allowed set, as printed in error messages."""
    return ", ".join(sorted(set(variables) | set(CONSTANTS) - {"True", "true"} | set(FUNCTIONS)))


def parse_expression(text: str, variables=("k",)) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the given variables.

    Parameters
    ----------
    text : str
        A formula such as ``"exp(2*abs(k))"`` or ``"1/(1+z^2)"``.
    variables : tuple of str
        The free variables allowed (from ``k, z, x, y``).

    Raises
    ------
    ParseError
        With a one-line message naming the bad token and the allowed set.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected a formula string, got {type(text).__name__}")
    try:
        with time_limit(PARSE_SECONDS):
            return _parse(text, variables)
    except TimeoutError:
        raise ParseError(f"formula {text[:60]!r} took longer than the parse time limit of "
                         f"{PARSE_SECONDS:g} s; simplify it") from None


def _parse(text: str, variables) -> sp.Expr:
    text = text.strip()
    if not text:
        raise ParseError("empty formula; write e.g. exp(k) or 1/(1+z^2)")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if any(ch in text for ch in "\n\r;\\"):
        raise ParseError("formula must be one expression on one line (no ';', newlines or '\\')")
    if _paren_depth(text) > MAX_DEPTH:
        raise ParseError(f"formula is nested deeper than {MAX_DEPTH} levels")
    try:
        # '^' is power in mathematics; rewriting it first also gives it power's precedence
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        where = f" near column {err.offset}" if getattr(err, "offset", None) else ""
        raise ParseError(f"cannot parse formula {text!r}{where}; use +-*/^, parentheses and "
                         f"functions like exp(k)") from None
    builder = _Builder({v: BY_NAME[v] for v in variables}, variables)
    try:
        check_sizes(tree.body, variables, _FAMILY_PROXIES)
        expr = builder.build(tree.body, 0)
    except RecursionError:
        raise ParseError("formula is nested too deeply") from None
    except ParseError:
        raise
    except (ValueError, TypeError, ArithmeticError) as err:  # SymPy refused to build a node
        why = " ".join(str(err).split())[:120]
        raise ParseError(f"formula {text[:60]!r} is not a real-valued formula SymPy can build "
                         f"({why}); check divisions by zero and comparisons") from None
    if isinstance(expr, (int, float)):
        expr = sp.sympify(expr)  # a plain Python number built by us, not user text
    if not isinstance(expr, sp.Expr):
        what = "tuple" if isinstance(expr, tuple) else "condition"
        raise ParseError(f"formula {text[:60]!r} is a {what}, not a number; write a formula "
                         "such as exp(k), or Piecewise((value, condition), ...)")
    if expr.has(sp.zoo, sp.nan):
        raise ParseError(f"formula {text!r} is undefined (division by zero or 0*oo)")
    return expr


def parse_penalty(text: str) -> sp.Expr:
    """Parse a penalty in ``k``; it is read as even (``exp(k)`` means exp(|k|)).

    Parameters
    ----------
    text : str
        The penalty rho(k), e.g. ``"exp(k)"`` or ``"(1 + k^2)^2"``; the only variable
        is k. Never evaluated as Python: only the allow-list grammar is read.

    Returns
    -------
    sympy.Expr
        rho with every k replaced by |k|.

    Raises
    ------
    ParseError
        With a one-line message naming the bad token and the allowed set.
    """
    expr = parse_expression(text, ("k",))
    k = BY_NAME["k"]
    return expr.xreplace({k: sp.Abs(k)}) if expr.has(k) else expr


def parse_activation(text: str) -> sp.Expr:
    """Parse an activation in ``z`` (``x`` is accepted as an alias).

    Parameters
    ----------
    text : str
        The activation phi, e.g. ``"tanh(z)"`` or ``"relu(x)"``. Never evaluated as
        Python: only the allow-list grammar is read.

    Returns
    -------
    sympy.Expr
        phi in the symbol z.

    Raises
    ------
    ParseError
        With a one-line message naming the bad token and the allowed set.
    """
    expr = parse_expression(text, ("z", "x"))
    return expr.xreplace({BY_NAME["x"]: BY_NAME["z"]})


class _Builder:
    def __init__(self, symbols, variables):
        self.symbols = symbols
        self.variables = variables

    def fail(self, what):
        raise ParseError(f"{what}; allowed names: {allowed_names(self.variables)}")

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            raise ParseError(f"formula is nested deeper than {MAX_DEPTH} levels")
        handler = getattr(self, "_" + type(node).__name__, None)
        if handler is None:
            self.fail(f"'{_token(node)}' is not allowed in a formula")
        return handler(node, depth + 1)

    def _Constant(self, node, depth):
        v = node.value
        if v is True:
            return sp.true  # only meaningful as a Piecewise condition
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(f"literal {v!r} is not a number")
        if isinstance(v, float) and not math.isfinite(v) or abs(v) > MAX_LITERAL:
            raise ParseError(f"number {v!r} is out of range (|x| <= {MAX_LITERAL:g})")
        if isinstance(v, int):
            return sp.Integer(v)
        return sp.Rational(str(v)) if len(repr(v)) < 20 else sp.Float(v)

    def _Name(self, node, depth):
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ParseError(f"function '{node.id}' needs arguments, e.g. {node.id}(k)")
        if node.id in BY_NAME:
            raise ParseError(f"variable '{node.id}' is not allowed here; use "
                             f"{' or '.join(self.variables)}")
        self.fail(f"unknown name '{node.id}'")

    def _UnaryOp(self, node, depth):
        a = self.build(node.operand, depth)
        if isinstance(node.op, ast.Not):
            return sp.Not(_condition(a, _token(node)))
        _arithmetic(a, _token(node))
        if isinstance(node.op, ast.USub):
            return -a
        if isinstance(node.op, ast.UAdd):
            return a
        self.fail(f"operator '{_token(node.op)}' is not allowed")

    def _BinOp(self, node, depth):
        op = _BINOPS.get(type(node.op))
        if op is None:
            self.fail(f"operator '{_token(node.op)}' is not allowed")
        a = self.build(node.left, depth)
        b = self.build(node.right, depth)
        _arithmetic(a, _token(node))
        _arithmetic(b, _token(node))
        if isinstance(node.op, ast.Pow):
            _check_power(a, b)
            return sp.Pow(a, b)
        return op(a, b)

    def _Compare(self, node, depth):
        left = self.build(node.left, depth)
        parts = []
        for cmp_op, right_node in zip(node.ops, node.comparators):
            rel = _COMPARE.get(type(cmp_op))
            if rel is None:
                self.fail(f"comparison '{_token(cmp_op)}' is not allowed")
            right = self.build(right_node, depth)
            _arithmetic(left, _token(node))
            _arithmetic(right, _token(node))
            parts.append(rel(left, right))
            left = right
        return sp.And(*parts) if len(parts) > 1 else parts[0]

    def _BoolOp(self, node, depth):
        vals = [_condition(self.build(v, depth), _token(node)) for v in node.values]
        return sp.And(*vals) if isinstance(node.op, ast.And) else sp.Or(*vals)

    def _Tuple(self, node, depth):
        return tuple(self.build(e, depth) for e in node.elts)

    def _Call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            self.fail("only plain function calls such as exp(k) are allowed (no attributes)")
        name = node.func.id
        if node.keywords:
            self.fail(f"keyword arguments are not allowed in {name}(...)")
        if name not in FUNCTIONS:
            self.fail(f"unknown function '{name}'")
        args = [self.build(a, depth) for a in node.args]
        if name == "Piecewise":
            return _piecewise(args)
        if name == "hyper":
            return _hyper(args)
        fn, counts = FUNCTIONS[name]
        if any(isinstance(a, tuple) for a in args):
            raise ParseError(f"{name}(...) takes numbers or formulas, not a tuple")
        if len(args) not in counts:
            raise ParseError(f"{name} takes {' or '.join(map(str, counts))} argument(s), "
                             f"got {len(args)}")
        for a in args:
            _arithmetic(a, f"{name}(...)")
        if name in _ORDER_FIRST and args[0].free_symbols:
            raise ParseError(f"the order of {name} must be a number, e.g. {name}(1/2, abs(z)); "
                             "a variable order has no numeric derivative")
        return fn(*args)


def _arithmetic(value, where: str) -> None:
    """Arithmetic, comparisons and functions take numbers or formulas, never a condition
    (True, z > 0) or a tuple: those belong in Piecewise((value, condition), ...)."""
    if not isinstance(value, sp.Expr):
        raise ParseError(f"{where!r} uses a condition or tuple as a number; conditions such "
                         "as True or z > 0 belong in Piecewise((value, condition), ...)")


def _condition(value, where: str):
    """'and', 'or', 'not' and Piecewise take conditions (z > 0, True), never numbers."""
    # (a SymPy Symbol is also a Boolean: a number is anything that is an Expr)
    if isinstance(value, sp.Expr) or not isinstance(value, sp.logic.boolalg.Boolean):
        raise ParseError(f"{where!r} uses a number where a condition is expected; write a "
                         "comparison such as z > 0 (combined with and, or, not)")
    return value


def _paren_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    return deepest


def _check_power(base, exponent):
    # Stop 10^10^10-style input before SymPy tries to build an astronomically large integer.
    if exponent.is_Number and base.is_Number:
        if abs(float(exponent)) > MAX_INT_EXPONENT and abs(float(base)) != 1:
            raise ParseError(f"exponent {exponent} is too large (|exponent| <= {MAX_INT_EXPONENT} "
                             "for numeric powers)")
    if exponent.is_Integer and abs(int(exponent)) > 10 * MAX_INT_EXPONENT:
        raise ParseError(f"exponent {exponent} is too large")


def _piecewise(args):
    pairs = []
    for a in args:
        if not (isinstance(a, tuple) and len(a) == 2):
            raise ParseError("Piecewise takes (value, condition) pairs, e.g. "
                             "Piecewise((z, z > 0), (0, True))")
        _arithmetic(a[0], "Piecewise value")
        pairs.append((a[0], _condition(a[1], "Piecewise condition")))
    try:
        return sp.Piecewise(*pairs)
    except (TypeError, ValueError) as err:
        raise ParseError(f"invalid Piecewise: {err}") from None


def _hyper(args):
    if len(args) != 3 or not all(isinstance(a, tuple) for a in args[:2]):
        raise ParseError("hyper takes ((a1, ...), (b1, ...), argument)")
    for a in (*args[0], *args[1], args[2]):
        _arithmetic(a, "hyper(...)")
    if any(a.free_symbols for a in (*args[0], *args[1])):
        raise ParseError("hyper's parameters (a1, ...), (b1, ...) must be numbers")
    if (len(args[0]), len(args[1])) not in HYPER_KINDS:
        kinds = ", ".join(f"{p}F{q}" for p, q in HYPER_KINDS)
        raise ParseError(f"hyper with {len(args[0])} upper and {len(args[1])} lower parameters "
                         f"has no numeric evaluation; use {kinds}")
    return sp.hyper(args[0], args[1], args[2])


def _token(node) -> str:
    try:
        return ast.unparse(node)[:40]
    except Exception:  # noqa: BLE001 - a best-effort label for an error message
        return type(node).__name__
