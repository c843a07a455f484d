"""design(): the activation that realises a target spectral penalty.

phi = F^-1[ |k|^((D-1)/2) rho(k)^(-1/2) ] (zero phase), optionally integrated once
(sigmoid) or twice (relu). Routes, in order: the curated ``table``, SymPy's
``symbolic`` transform, and the ``numeric`` inverse transform. A closed form from the
first two is handed back only after it agrees with the numeric route at points that
include negative and large |z|.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..formula._parse import parse_penalty
from ..infra._errors import PenaltyError, ShapeError
from ..infra._progress import progress
from ..infra._symbols import z as Z
from ..infra._timeout import capped, time_limit
from . import _numeric
from ._activation import SHAPES, Activation
from ._amplitude import SHAPE_ORDER, Amplitude, analyse, check_penalty
from ._singular import INFINITE_DECAY
from ._table import kappa, lookup

ROUTES = ("table", "symbolic", "numeric")
# verification points: both signs, small and large |z| (z = 0 is checked when phi is finite there)
CHECK_Z = np.array([-50.0, -23.5, -7.25, -2.0, -0.6, 0.0, 0.35, 1.0, 3.1, 11.0, 31.0, 50.0])
VERIFY_TOL = 1e-9
# a numeric design whose error estimate exceeds this share of |phi| is refused
NUMERIC_REFUSE = 1e-2


@capped("design")
def design(penalty: str, dim: int = 1, shape: str = "bump", *, name: str | None = None,
           routes=ROUTES, symbolic_timeout: float = 5.0) -> Activation:
    """Design the activation whose kernel-regime penalty is ``penalty``.

    Parameters
    ----------
    penalty : str
        rho(k) in the allow-list grammar (``"exp(k)"``, ``"(1+k^2)^2"``, ``"k^4"``); read as
        even in k. With ``dim=D`` it is the total penalty, |k|^(D-1) included.
    dim : int
        Input dimension D >= 1.
    shape : {"bump", "sigmoid", "relu"}
        Zero-phase phi, or its once / twice integrated representative (vanishing with its
        derivatives at -infinity).
    name : str, optional
        Name for files and exported objects (default: from the penalty).
    routes : tuple of str
        Routes to try, in order (subset of ``("table", "symbolic", "numeric")``).
    symbolic_timeout : float
        Seconds allowed for SymPy's transform and integration steps.

    Returns
    -------
    Activation
        With ``method`` the route used and ``max_abs_error`` its verified error estimate.

    Raises
    ------
    ParseError, PenaltyError, ShapeError
        For malformed strings, penalties no activation realises, impossible shapes.
    """
    _check_args(dim, shape, routes)
    text = penalty if isinstance(penalty, str) else str(penalty)
    rho = parse_penalty(text)
    try:
        check_penalty(rho, text)
        amp = analyse(rho, text, dim, shape)
    except NotImplementedError as err:
        raise PenaltyError(f"penalty {text!r} cannot be evaluated numerically ({err}); "
                           "rewrite it with elementary or listed special functions") from None
    s = SHAPE_ORDER[shape]
    base = dict(name=name or slug(text), penalty_text=text, rho=rho, dim=dim, shape=shape)
    with progress("make: design", total=len(routes), unit="route") as bar:
        for route in routes:
            bar.set_info(f"{route} route")
            found = _ROUTES[route](amp, s, symbolic_timeout)
            bar.update(1, info=f"{route} route {'done' if found is not None else 'found nothing'}")
            if found is not None:
                return Activation(method=route, **found, **base)
    raise PenaltyError(f"no route designed an activation for {text!r} (tried {', '.join(routes)})")


def _check_args(dim, shape, routes):
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or not 1 <= dim <= 64:
        raise PenaltyError(f"dim must be an integer between 1 and 64, got {dim!r}")
    if shape not in SHAPES:
        raise ShapeError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    bad = [r for r in routes if r not in ROUTES]
    if bad or not routes:
        raise PenaltyError(f"unknown route(s) {bad}; choose from {', '.join(ROUTES)}")


def slug(text: str) -> str:
    """A file- and identifier-safe name derived from a penalty string."""
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "activation"
    return ("rho_" + s if s[0].isdigit() else s)[:60]


# --- routes ---------------------------------------------------------------------------
def _table_route(amp: Amplitude, s: int, timeout: float):
    hit = lookup(amp.expr)
    if hit is None:
        return None
    phis, _pair, null_space = hit
    if phis[0].has(sp.DiracDelta) and s == 0:
        raise PenaltyError("this penalty grows like k^(D-1) only, so phi = c*delta(z), a distribution, "
                           "not a function; use shape 'sigmoid' (a step) or 'relu', or a penalty "
                           "that grows faster")
    if len(phis) > s:  # the table knows this integral in closed form
        return _finish(phis[s], amp, 0, timeout, null_space, s)
    return _finish(phis[-1], amp, s - len(phis) + 1, timeout, null_space, s)


def _symbolic_route(amp: Amplitude, s: int, timeout: float):
    if amp.singular:
        return None  # SymPy returns oo or nonsense for distributional transforms
    try:
        with time_limit(timeout):
            res = sp.cosine_transform(amp.expr, kappa, Z) / sp.sqrt(2 * sp.pi)
            res = sp.simplify(res)
    except Exception:  # noqa: BLE001 - SymPy raises many types; any failure means "no closed form"
        return None
    if res.has(sp.Integral, sp.integrals.transforms.IntegralTransform, sp.meijerg, sp.oo, sp.zoo):
        return None
    # SymPy drops |z| (sympy#18136): the zero-phase phi is even, so rebuild it from z >= 0
    res = res.xreplace({Z: sp.Abs(Z)}) if res.has(Z) else res
    return _finish(res, amp, s, timeout, 0, s)


def _numeric_route(amp: Amplitude, s: int, timeout: float):
    log0 = any(kind == "log0" for kind, _, _ in amp.explicit)
    if any(alpha == 1 for _, alpha in amp.singular) and amp.decay > 1.05 and not log0:
        # G = g/kappa + R with R ~ -g/kappa at large kappa: phi grows like log|z|, and
        # neither the remainder's transform nor the tail laws can carry that (bumps take
        # the log out as an explicit term, see _singular)
        raise PenaltyError(
            "rho^(-1/2) has a 1/|k| term at k = 0 but decays faster at large k, so phi grows "
            "like log|z|, which the numeric route cannot tabulate yet (rho = c*k^2 itself is in "
            "the table); try --shape sigmoid, or add a constant to the penalty")
    if amp.refusal:
        raise PenaltyError(amp.refusal)
    if s == 0 and amp.decay <= INFINITE_DECAY and not amp.explicit:
        raise PenaltyError(  # phi is infinite at 0 and nothing took that out of the table
            "rho^(-1/2) decays no faster than 1/|k|, so phi is infinite at z = 0 and a table "
            "cannot hold it; use a penalty that grows faster, or --shape sigmoid")
    tab, err, notes = _numeric.tabulate(amp, s)
    explicit = _numeric.explicit_form(amp)
    zz = np.linspace(-8.0, 8.0, 161)
    if explicit is not None:  # |phi| away from its singular point at 0
        zz = zz[np.abs(zz) >= 0.5]
    vals = np.abs(tab(zz) + (0.0 if explicit is None else evaluate(explicit, Z, zz)))
    scale = float(np.max(vals[np.isfinite(vals)], initial=0.0))
    if not err <= NUMERIC_REFUSE * max(scale, 1e-300):
        raise PenaltyError(
            f"the numeric inverse transform did not converge (estimated max abs error {err:.2g} "
            f"against |phi| up to {scale:.2g} on [-8, 8]); a penalty growing about as slowly "
            "as |k|^D, or a shape that integrates a slowly decaying bump, is ill-posed here")
    if explicit is not None:
        notes.append(_EXPLICIT_NOTE)
    return dict(phi=None, tabulation=tab, max_abs_error=err, null_space=_null(amp),
                notes=tuple(notes), explicit=explicit)


_EXPLICIT_NOTE = ("phi = explicit closed-form terms (singular at z = 0 or growing like log|z|, "
                  "read at max(|z|, 1e-12)) + a table of the smooth remainder; max_abs_error "
                  "holds for |z| >= 1e-6")


_ROUTES = {"table": _table_route, "symbolic": _symbolic_route, "numeric": _numeric_route}


def _null(amp):
    return max((int(np.ceil(alpha)) for _, alpha in amp.singular), default=0)


def _finish(expr: sp.Expr, amp: Amplitude, times: int, timeout: float, null_space: int, s: int):
    """Integrate ``expr`` ``times`` times, then verify the shape-s phi against the numeric route."""
    phi = _integrate(expr, times, timeout)
    if phi is None:
        return None
    err = _verify(phi, amp, s)
    if err is None:
        return None
    return dict(phi=phi, tabulation=None, max_abs_error=err, null_space=null_space)


def _integrate(expr: sp.Expr, s: int, timeout: float):
    t = sp.Symbol("t", real=True)
    try:
        with time_limit(timeout):
            for _ in range(s):
                expr = _antiderivative(expr, t)
                if expr is None:
                    return None
    except Exception:  # noqa: BLE001 - failure to integrate sends the shape to the numeric route
        return None
    if isinstance(expr, sp.Piecewise):
        return None
    return expr


def _antiderivative(expr, t):
    """int_{-inf}^z expr: definite first, else indefinite minus its limit at -infinity."""
    res = sp.integrate(expr.subs(Z, t), (t, -sp.oo, Z))
    if res.has(sp.Integral):
        F = sp.integrate(expr, Z)
        if F.has(sp.Integral):
            return None
        res = F - sp.limit(F, Z, -sp.oo)
    if res.has(sp.oo, sp.zoo, sp.nan, sp.Integral):
        return None
    return sp.simplify(res)


def _verify(phi: sp.Expr, amp: Amplitude, s: int):
    """Max |closed form - numeric| at CHECK_Z (None if they disagree or cannot be evaluated)."""
    zs = CHECK_Z if not (amp.singular or amp.explicit) else CHECK_Z[CHECK_Z != 0]
    try:
        closed = evaluate(phi, Z, zs)
    except NotImplementedError:
        return None
    if not np.all(np.isfinite(closed)):
        finite = np.isfinite(closed)
        if np.count_nonzero(~finite) > 1:
            return None
        zs, closed = zs[finite], closed[finite]
    numeric, qerr = _numeric.values(amp, s, zs)
    diff = np.abs(closed - numeric)
    scale = max(1.0, float(np.max(np.abs(numeric[np.abs(zs) <= 3]))))
    if np.max(diff) > VERIFY_TOL * scale + 10 * float(np.max(qerr)):
        return None
    return float(np.max(diff) + np.max(qerr))
