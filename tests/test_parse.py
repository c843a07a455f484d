"""The allow-list parser: grammar, errors, and fuzzing with injection attempts."""

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actdesign
from actdesign import ParseError
from actdesign.formula._parse import parse_expression

k = sp.Symbol("k", real=True)
z = sp.Symbol("z", real=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("exp(k)", sp.exp(sp.Abs(k))),
        ("(1+k^2)^2", (1 + k**2) ** 2),
        ("1+k^2", 1 + k**2),
        ("k**4", k**4),
        ("exp(2*abs(k))", sp.exp(2 * sp.Abs(k))),
        ("sinh(pi*k)^2/pi^2", sp.sinh(sp.pi * sp.Abs(k)) ** 2 / sp.pi**2),
        ("2^-1", sp.Rational(1, 2)),
        ("Piecewise((1, k < 1), (oo, True))", sp.Piecewise((1, sp.Abs(k) < 1), (sp.oo, True))),
    ],
)
def test_penalties_parse_to_even_functions(text, expected):
    assert sp.simplify(actdesign.parse_penalty(text) - expected) == 0


def test_activation_accepts_x_as_alias_and_round_trips_sympy_printing():
    phi = actdesign.parse_activation("x*(1+erf(x/sqrt(2)))/2")
    assert phi.free_symbols == {z}
    for expr in [sp.besselk(sp.Rational(1, 4), sp.Abs(z)) * sp.Abs(z) ** sp.Rational(1, 4),
                 sp.hyper([sp.Rational(3, 4)], [sp.Rational(1, 2)], -z**2 / 3),
                 sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)), sp.Max(0, z) ** sp.Rational(7, 2)]:
        assert actdesign.parse_activation(str(expr)) == expr


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os').system('true')", "no attributes"),
        ("__import__('os')", "unknown function '__import__'"),
        ("k.real", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("exp(k); import os", "one expression"),
        ("[k for k in range(9)]", "not allowed"),
        ("'k'", "not a number"),
        ("foo(k)", "unknown function 'foo'"),
        ("q + k", "unknown name 'q'"),
        ("z + k", "variable 'z' is not allowed here"),
        ("10**10**10", "too large"),
        ("exp(k", "cannot parse"),
        ("", "empty"),
        ("k" * 3000, "limit"),
        ("(" * 200 + "k" + ")" * 200, "nested"),
        ("besselk(k)", "takes 2"),
        ("k^True", "condition or tuple as a number"),
        ("k + True", "condition or tuple as a number"),
        ("exp(k > 1)", "condition or tuple as a number"),
        ("(1, 2) * k", "condition or tuple as a number"),
        ("exp(x=k)", "keyword"),
        ("1/0", "undefined"),
    ],
)
def test_bad_strings_raise_one_line_errors_naming_the_problem(text, fragment):
    with pytest.raises(ParseError) as info:
        actdesign.parse_penalty(text)
    msg = str(info.value)
    assert fragment in msg and "\n" not in msg


def test_error_lists_the_allowed_names():
    with pytest.raises(ParseError, match="allowed names: .*exp.*sqrt"):
        actdesign.parse_penalty("open(k)")


TOKENS = ["k", "z", "x", "1", "2", "0.5", "3e2", "pi", "+", "-", "*", "/", "^", "**", "(", ")", ",",
          "exp", "log", "sqrt", "abs", "sinh", "cosh", "besselk", "gamma", "Piecewise", "True", "<",
          ">", " ", ".", "__import__", "lambda", ":", "'", '"', "[", "]", "{", "}", "os", "system",
          "__class__", "__subclasses__", "eval", "exec", "getattr", "open", ";", "\n", "\\", "@",
          "9" * 40, "oo", "inf", "nan", "#", "=", "if", "else", "not", "and", "%", "~", "&", "|"]

injections = st.sampled_from([
    "__import__('os').system('echo pwned')", "().__class__.__bases__[0].__subclasses__()",
    "exec('print(1)')", "eval('1+1')", "(lambda: k)()", "k.__class__", "getattr(k, 'func')",
    "[x for x in ()]", "{'a': 1}", "open('/etc/passwd').read()", "globals()", "k if k else k",
    "exp(" * 80 + "k" + ")" * 80, "9" * 5000, "k" + "+k" * 3000,
])
fuzz = st.one_of(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map("".join),
                 injections, st.text(max_size=60))


@pytest.mark.parametrize("variables", [("k",), ("z", "x")], ids=["penalty", "activation"])
@settings(max_examples=2200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz)
def test_fuzzed_strings_parse_or_raise_parse_error(variables, text):
    try:
        expr = parse_expression(text, variables)
    except ParseError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert isinstance(expr, sp.Basic)
        assert {str(v) for v in expr.free_symbols} <= set(variables)
