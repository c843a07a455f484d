"""Explicit singular and logarithmic terms of a bump phi, in closed form.

Two behaviours of the amplitude G(kappa) make phi unbounded or give it a cusp, which no
table of polynomial pieces can hold to the design's accuracy:

* G ~ c kappa^(-e) at kappa -> inf with 0 < e < 1.95: phi ~ |z|^(e-1) at z -> 0,
  infinite (e < 1), -log|z| (e = 1) or a cusp of infinite slope (1 < e < 1.95; a table
  of such a phi converges like a power of its spacing, and the Matern penalties
  (1 + a k^2)^p of D = 2 with 3/2 < p < 2.45 are of this kind). The term
  ``("inf", c, e)`` takes the kappa-function c kappa^(-e) (1 - e^(-kappa)) out of G: it
  has exactly that tail, is integrable at 0, and its inverse transform is elementary,

      e != 1:  c Gamma(1-e)/pi [sin(pi e/2) |z|^(e-1) - (1+z^2)^((e-1)/2) cos((1-e) atan|z|)]
      e = 1:   c/(2 pi) log(1 + 1/z^2)

  (for 1 < e < 2 by analytic continuation in e). Every term of the expansion with
  e < 1.95 is taken out the same way. When G has no such expansion, an infinite phi is
  refused and a cusp is left to the table.

* G ~ g/kappa at kappa -> 0 while G decays faster than 1/kappa: phi grows like
  -(g/pi) log|z|. The term ``("log0", g, 1)`` replaces the finite-part inverse of
  g/kappa (``-(g/pi) log|z|``, the table's convention for rho = c k^2, which fixes the
  free constant of phi) by that of g e^(-kappa)/kappa, ``-(g/(2 pi)) log(1 + z^2)``:
  smooth at 0 and with the same growth.

phi is then the sum of these closed forms and the inverse transform of the remainder
R = G - (the subtracted kappa-functions), which is bounded with a faster-decaying
spectrum: the table holds only R's transform. All formulas are checked against mpmath
in tests/test_singular_designs.py.

The closed forms read |z| through ``max(|z|, Z_FLOOR)``: at |z| < Z_FLOOR (1e-12) phi is
held at its value at |z| = Z_FLOOR, so it and its gradient are finite everywhere in
float64 and float32 (phi there is at most about Z_FLOOR^(e-1), its slope Z_FLOOR^(e-2)).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..infra._errors import PenaltyError
from ..infra._symbols import z as Z
from ..infra._timeout import time_limit
from ._table import kappa

Z_FLOOR = 1e-12  # |z| below this reads as Z_FLOOR in the explicit terms (finite at 0)
MAX_EXPONENT = 1.0  # G decaying like kappa^(-e), e <= this: phi is infinite at 0
INFINITE_DECAY = MAX_EXPONENT + 0.05  # a measured decay at or below: phi infinite (fit noise)
CUSP_BELOW = 1.95  # every term with e below this (phi infinite, or a |z|^(e-1) cusp) goes


def large_k_terms(G: sp.Expr, text: str) -> tuple[list, list]:
    """The terms (c, e) of G ~ sum c kappa^(-e) at kappa -> inf (e < 4): those taken out
    (e < CUSP_BELOW: phi infinite or with an infinite slope at 0), and the others;
    PenaltyError if there is no expansion or nothing to take out."""
    t = sp.Symbol("t", positive=True)
    try:
        with time_limit(5.0):
            ser = sp.series(G.xreplace({kappa: 1 / t}), t, 0, 4).removeO()
    except (TimeoutError, NotImplementedError, ValueError, TypeError, AttributeError,
            ArithmeticError, sp.PoleError) as err:
        raise _refuse(text, f"no expansion at k -> infinity ({type(err).__name__})") from None
    terms, rest = [], []
    for term in sp.Add.make_args(sp.expand(ser)):
        coeff, power = term.as_coeff_exponent(t)
        if coeff.has(t) or not power.is_number or not coeff.is_number \
                or complex(coeff).imag or complex(power).imag:
            raise _refuse(text, f"its expansion at k -> infinity has a non-power term {term}")
        e = float(power)
        if e <= 0:
            raise _refuse(text, "rho^(-1/2) does not decay at k -> infinity")
        if e < CUSP_BELOW:
            terms.append((float(coeff), e))
        else:
            rest.append((float(coeff), e))
    if not terms:
        raise _refuse(text, "no power-law term found at k -> infinity")
    return terms, rest


def _refuse(text, why):
    return PenaltyError(f"penalty {text!r}: phi is infinite at z = 0 and the design cannot take "
                        f"its singular part out in closed form: {why}; use a penalty whose "
                        "rho^(-1/2) is a power series in 1/k at large k, or --shape sigmoid")


def correction(terms, kap):
    """The kappa-functions the explicit terms take out of G, beyond the singular
    power-law terms that `Amplitude.regular` already subtracts (numpy, kappa > 0)."""
    kap = np.asarray(kap, dtype=float)
    out = np.zeros_like(kap)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for kind, c, e in terms:
            smooth = -np.expm1(-kap)  # 1 - e^(-kappa), exact near 0
            if kind == "inf":
                out = out + c * kap ** (-e) * smooth
            else:  # log0: g e^(-kappa)/kappa = g/kappa - g (1 - e^(-kappa))/kappa
                out = out - c * smooth / kap
    return np.where(np.isfinite(out), out, 0.0)


def _num(x) -> sp.Float:
    # 17 significant digits: the spec's text form reads back to the same doubles
    return sp.Float(float(x), 17)


def closed_form(terms) -> sp.Expr:
    """The inverse transforms of the explicit terms, as one SymPy expression in z."""
    w = sp.Max(sp.Abs(Z), _num(Z_FLOOR))
    u = 1 / w  # in (0, 1e12]: no overflow for any float z
    out = sp.Integer(0)
    for kind, c, e in terms:
        if kind == "log0":
            # log(1+z^2)/2, written as log(w) + log(1 + 1/w^2)/2 for w >= 1: no overflow
            half = sp.Piecewise((sp.log(1 + w**2) / 2, w < 1),
                                (sp.log(w) + sp.log(1 + u**2) / 2, True))
            out += _num(-c / math.pi) * half
        elif abs(e - 1) < 1e-12:
            out += _num(c / (2 * math.pi)) * sp.log(1 + u**2)
        else:
            # (1+z^2)^((e-1)/2) cos((1-e) atan w)
            #     = w^(e-1) (1+u^2)^((e-1)/2) cos((1-e)(pi/2 - atan u)): no overflow
            a = _num(e - 1)
            bracket = (_num(math.sin(math.pi * e / 2))
                       - (1 + u**2) ** (a / 2) * sp.cos(-a * (sp.pi / 2 - sp.atan(u))))
            out += _num(c * math.gamma(1 - e) / math.pi) * w**a * bracket
    return out


def explicit_terms(G: sp.Expr, singular, decay: float, text: str):
    """The explicit terms of a bump's amplitude, the decay exponent of the remainder and
    the remainder's expansion at kappa -> inf (``((), decay, ())`` when phi needs none)."""
    terms, rest, far = [], decay, ()
    if any(alpha == 1 for _, alpha in singular) and decay > 1.05:
        g = next(g for g, alpha in singular if alpha == 1)
        terms.append(("log0", g, 1.0))
    if 0 < decay <= CUSP_BELOW:
        try:
            inf_terms, far = large_k_terms(G, text)
        except PenaltyError:
            if decay <= INFINITE_DECAY:
                raise  # phi is infinite at 0: no table can hold it
            return tuple(terms), rest, far  # a bounded cusp: the table may still do
        terms += [("inf", c, e) for c, e in inf_terms]
        rest = min((e for _, e in far), default=np.inf)
        far = tuple(far)
    return tuple(terms), rest, far


def remainder_far(far, singular, kap):
    """The remainder R at kappa >= FAR when "inf" terms were subtracted (G minus terms
    of nearly its size would cancel catastrophically there): G's expansion beyond those
    terms, minus the singular power-law terms at 0 (the e^(-kappa) parts vanish)."""
    out = np.zeros_like(kap)
    for c, e in far:
        out = out + c * kap ** (-e)
    for g, alpha in singular:
        out = out - g * kap ** (-alpha)
    return out


FAR = 1e4  # kappa beyond which `remainder_far` is used: truncation ~FAR^-4, rounding ~eps
