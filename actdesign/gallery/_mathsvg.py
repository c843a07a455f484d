"""Formulas rendered offline to SVG with matplotlib's mathtext (no TeX, no network).

mathtext covers a subset of LaTeX, so the few constructs SymPy prints outside it
(``cases``, ``matrix``, ``\\text``) are printed differently here; anything mathtext still
rejects falls back to the formula's plain text, rendered in a monospace font.
"""

from __future__ import annotations

import io

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..infra._optional import require


class MathtextPrinter(LatexPrinter):
    """SymPy's LaTeX printer, restricted to what matplotlib's mathtext parses."""

    def _print_Piecewise(self, expr):
        parts = []
        for value, cond in expr.args:
            when = r"\mathrm{otherwise}" if cond == sp.true else self._print(cond)
            parts.append(rf"{self._print(value)}\ \ ({when})")
        return r"\{\ " + r";\ \ ".join(parts) + r"\ \}"

    def _print_hyper(self, expr):
        ap = ", ".join(self._print(a) for a in expr.ap)
        bq = ", ".join(self._print(b) for b in expr.bq)
        p, q = len(expr.ap), len(expr.bq)
        return rf"{{}}_{{{p}}}F_{{{q}}}\left({ap};\,{bq};\,{self._print(expr.argument)}\right)"

    def _print_Heaviside(self, expr, exp=None):
        tex = rf"H\left({self._print(expr.args[0])}\right)"
        return rf"{tex}^{{{exp}}}" if exp else tex


def latex(expr: sp.Expr) -> str:
    """LaTeX for ``expr`` that mathtext can render."""
    return MathtextPrinter({"mul_symbol": None}).doprint(expr)


def render(tex: str, fallback: str, fontsize: float = 16.0) -> str:
    """SVG text of ``$tex$``; the plain ``fallback`` text if mathtext cannot parse it."""
    require("matplotlib", "plot", "the gallery's formulas")
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    buf = io.StringIO()
    try:
        mathtext.math_to_image(f"${tex}$", buf, prop=prop, format="svg")
    except ValueError:
        buf = io.StringIO()
        mathtext.math_to_image(_escape(fallback), buf, prop=FontProperties(size=fontsize,
                               family="monospace"), format="svg")
    return buf.getvalue()


def _escape(text: str) -> str:
    # mathtext treats $ as math delimiters; everything else in plain text is literal
    return text.replace("$", r"\$")
