"""Values and gradients of a printed closed form at z = +-inf: its limits, never NaN.

A formula evaluated at +-inf meets inf/inf or 0*inf (1/(z^2+1) has gradient
-2z/(z^2+1)^2; z*(1+erf(z))/2 is -inf*0 at -inf). The generated code therefore reads z
through ``where(isinf(z), 0, z)`` and returns a tail expression T(z) at +-inf, chosen
from the limits L of phi and S of phi' (SymPy, at print time) so that T(+-inf) = L and
T'(+-inf) = S exactly, under autograd as well:

* S = 0: T = L (a constant: bumps, sigmoids, the flat side of a ReLU);
* S finite: T = S z (L = +-inf; linear growth, e.g. ReLU, GELU);
* S = +-inf: T = sign(S) z |z| (L = +-inf; faster growth).

A designed bump (shape "bump" from design: phi = F^-1 of an integrable spectrum) tends
to 0 with its slope (Riemann-Lebesgue; its tail decays), so SymPy is not asked (for some,
such as the 2-D Cauchy design, it needs far longer than the cap). Other formulas whose
limits SymPy cannot find within `SECONDS` (or that oscillate, such as sin) are
printed unguarded, as before. NaN still passes through (isnan(z) is never outer).

On a side where phi saturates (S = 0), |z| beyond `FAR` also counts as outer: a
finite z so large that z**2 overflows (3 z^2 e^-|z| at 1e30 in float32 is inf * 0)
already has phi at its limit to well below the dtype's resolution at phi's scale.
"""

from __future__ import annotations

import functools

import sympy as sp

from ..infra._symbols import z as Z
from ..infra._timeout import time_limit

SECONDS = 10.0  # per limit (four a formula); the catalogue's take 0.1 to 5 s on 2 busy cores
FAR = {"float64": "1e150", "other": "1e18"}  # below sqrt(max) of float64 / float32
BUMP = ((sp.S.Zero, sp.S.Zero), (sp.S.Zero, sp.S.Zero))


@functools.lru_cache(maxsize=256)
def tail_limits(phi: sp.Expr):
    """((L+, S+), (L-, S-)) as SymPy numbers, or None when a limit is unknown."""
    d = sp.diff(phi, Z).replace(sp.DiracDelta, lambda *_: sp.S.Zero)
    try:
        sides = tuple((_limit(phi, s), _limit(d, s)) for s in (1, -1))
    except (TimeoutError, NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    ok = all(_extended_real(v) for side in sides for v in side)
    return sides if ok else None


def _limit(f, s):
    with time_limit(SECONDS):
        return sp.limit(f, Z, s * sp.oo)


def _extended_real(v) -> bool:
    return v in (sp.oo, -sp.oo) or (v.is_number and v.is_real and v.is_finite is True)


def _tail(L, S, s: int, b) -> str | None:
    """T for one side (s = +1 or -1), or None when L and S are inconsistent."""
    if S == 0:
        return b["full_like"].format(_number(L))
    if S.is_finite and L == sp.sign(S) * s * sp.oo:
        return f"{float(S)!r} * z"
    if S in (sp.oo, -sp.oo) and L == sp.sign(S) * s * sp.oo:
        return f"{float(sp.sign(S))!r} * z * {b['functions'][sp.Abs].format('z')}"
    return None


def _number(v) -> str:
    return repr(float(v)) if v.is_finite else f'float("{"-" if v < 0 else ""}inf")'


def guard(phi: sp.Expr, b, *, bump: bool = False) -> tuple[list, str] | None:
    """(setup lines, wrapper of the result) for backend table ``b``, or None (no guard).

    The wrapper holds ``{}`` where the unguarded result goes.
    """
    limits = BUMP if bump else tail_limits(phi)
    if limits is None:
        return None
    (Lp, Sp), (Lm, Sm) = limits
    right, left = _tail(Lp, Sp, 1, b), _tail(Lm, Sm, -1, b)
    if right is None or left is None:
        return None
    outer = [b["isinf"].format("z")]
    outer += ["(z > far)"] if Sp == 0 else []
    outer += ["(z < -far)"] if Sm == 0 else []
    lines = [
        f"far = {FAR['float64']} if z.dtype == {b['float64']} else {FAR['other']}",
        "outer = " + " | ".join(outer),
        "tail = " + (right if right == left else b["where"].format("z > 0", right, left)),
        "z = " + b["where"].format("outer", "0.0", "z") + "  # the formula never sees +-inf",
    ]
    return lines, b["where"].format("outer", "tail", "{}")
