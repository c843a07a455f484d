"""Functions given as formulas in x (1-D) or x and y (2-D), parsed by the allow-list parser.

User text is never evaluated as Python: it is parsed into SymPy by
``actdesign.formula._parse.parse_expression`` and evaluated by the tree walk of
``actdesign.formula._evaluate.evaluate``. That walk binds one symbol, so a 2-D formula is evaluated
row by row with y substituted by each grid value (one substitution per distinct y).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..formula._parse import parse_expression
from ..infra import _symbols as S
from ..infra._errors import ActdesignError
from ..infra._timeout import capped


def expression_function(text: str):
    """(f, dim): a vectorised numpy function of the formula and its dimension (1 or 2).

    ``f(x)`` in 1-D; ``f(x, y)`` in 2-D (arrays of equal shape).

    Raises
    ------
    actdesign.ParseError
        If the formula is not in the allowed grammar.
    """
    expr = parse_expression(text, ("x", "y"))
    cap = capped(f"evaluating {text[:60]!r}")  # each evaluation ends within the time limit
    if S.y not in expr.free_symbols:
        return cap(lambda x: evaluate(expr, S.x, x)), 1

    def f(x, y):
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        out = np.empty(x.shape)
        for value in np.unique(y):
            rows = y == value
            try:  # SymPy re-evaluates the formula at each y and may refuse (nan > 0)
                row = expr.xreplace({S.y: sp.Float(float(value), 17)})
            except (TypeError, ValueError, ArithmeticError) as err:
                raise ActdesignError(f"formula {text[:60]!r} cannot be evaluated at y = {value:g} "
                                     f"({' '.join(str(err).split())[:80]})") from None
            out[rows] = evaluate(row, S.x, x[rows])
        return out

    return cap(f), 2
