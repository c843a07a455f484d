"""A TailLaw as straight-line code returning (value, derivative), printing only its terms.

The law poly(z) + c |z|^p exp(-a|z| - b z^2) cos(w|z| + theta) is evaluated in log
space (|z|^p times the exponential never overflows on its own), and its derivative is
written out analytically.
"""

import sympy as sp

from ...infra._names import clean
from ._tables import BACKENDS


def tail_code(name, law, backend, where) -> str:
    """Source of ``def name(z)`` for the law used where ``where`` holds."""
    b = BACKENDS[backend]
    fn = b["functions"]
    lines = [f"def {name}(z):", f'    """The tail law for {where}: {clean(law.describe())}."""']
    value, slope = [], []
    # zero leading coefficients are dropped: Horner's 0.0 * inf would be NaN at z = +-inf,
    # while with a nonzero leading one it gives the polynomial's limit
    poly = _trim([float(c) for c in law.poly])
    if poly:
        value.append(_as_array(_horner(poly), len(poly), b))
        deriv = _trim([j * c for j, c in enumerate(poly)][1:])
        if deriv:
            slope.append(_as_array(_horner(deriv), len(deriv), b))
    if law.c != 0.0:
        lines += _decaying(law, b, fn, value, slope)
    zero = b["full_like"].format("0.0")
    val = " + ".join(value) if value else zero
    lines.append(f"    return {val}, {' + '.join(slope) if slope else zero}")
    return "\n".join(lines) + "\n\n\n"


def _trim(coefs):
    while coefs and coefs[-1] == 0.0:
        coefs = coefs[:-1]
    return coefs


def _as_array(text, n, b):
    """A constant still has to be an array (of z's dtype and shape)."""
    return b["full_like"].format(text) if n == 1 else text


def _decaying(law, b, fn, value, slope):
    """Lines computing e = c |z|^p exp(...); appends the value and slope terms."""
    # at z = +-inf a decaying term is 0 with slope 0, but log space would give inf - inf:
    # the law reads a finite a there (double where) and is masked to 0
    decays = law.a > 0 or law.b > 0 or law.p < 0
    absz = fn[sp.Abs].format("z")
    lines = []
    if decays:
        lines.append("    outer = " + b["isinf"].format("z"))
        absz = b["where"].format("outer", "1.0", absz)
    lines.append("    a = " + (b["clamp_min"].format(absz, b["tiny"]) if law.p else absz))
    terms = [f"{law.p!r} * {fn[sp.log].format('a')}" if law.p else "",
             f"{-law.a!r} * a" if law.a else "", f"{-law.b!r} * a * a" if law.b else ""]
    exponent = " + ".join(t for t in terms if t)
    scale = fn[sp.exp].format(exponent) if exponent else b["full_like"].format("1.0")
    e = f"{law.c!r} * {scale}"
    lines.append("    e = " + (b["where"].format("outer", "0.0", e) if decays else e))
    rates = [f"{law.p!r} / a" if law.p else "", f"{-law.a!r}" if law.a else "",
             f"{-2 * law.b!r} * a" if law.b else ""]
    rate = " + ".join(t for t in rates if t) or "0.0"
    sign = fn[sp.sign].format("z")  # d|z|/dz
    if law.w:
        lines.append(f"    phase = {law.w!r} * a + {law.theta!r}")
        cos, sin = fn[sp.cos].format("phase"), fn[sp.sin].format("phase")
        value.append(f"e * {cos}")
        slope.append(f"{sign} * e * (({rate}) * {cos} - {law.w!r} * {sin})")
    else:
        value.append("e")
        slope.append(f"{sign} * e * ({rate})")
    return lines


def _horner(coefs) -> str:
    text = repr(coefs[-1])
    for c in reversed(coefs[:-1]):
        text = f"{c!r} + z * ({text})"
    return text
