"""A TailLaw as straight-line code returning (value, derivative), printing only its terms.

The law poly(z) + c |z|^p exp(-a|z| - b z^2) cos(w|z| + theta) is evaluated in log
space (|z|^p times the exponential never overflows on its own), and its derivative is
written out analytically.
"""

import sympy as sp

from ._names import clean
from ._tables import BACKENDS


def tail_code(name, law, backend, where) -> str:
    """Source of ``def name(z)`` for the law used where ``where`` holds."""
    b = BACKENDS[backend]
    fn = b["functions"]
    lines = [f"def {name}(z):", f'    """The tail law for {where}: {clean(law.describe())}."""']
    value, slope = [], []
    if law.poly:
        value.append(_horner([float(c) for c in law.poly]))
        deriv = [j * float(c) for j, c in enumerate(law.poly)][1:]
        if any(deriv):
            slope.append(_horner(deriv))
    if law.c != 0.0:
        lines += _decaying(law, b, fn, value, slope)
    zero = b["full_like"].format("0.0")
    val = " + ".join(value) if value else zero
    if value and not law.c and len(law.poly) == 1:
        val = b["full_like"].format(val)  # a constant still has to be an array
    lines.append(f"    return {val}, {' + '.join(slope) if slope else zero}")
    return "\n".join(lines) + "\n\n\n"


def _decaying(law, b, fn, value, slope):
    """Lines computing e = c |z|^p exp(...); appends the value and slope terms."""
    absz = fn[sp.Abs].format("z")
    lines = ["    a = " + (b["clamp_min"].format(absz, b["tiny"]) if law.p else absz)]
    terms = [f"{law.p!r} * {fn[sp.log].format('a')}" if law.p else "",
             f"{-law.a!r} * a" if law.a else "", f"{-law.b!r} * a * a" if law.b else ""]
    exponent = " + ".join(t for t in terms if t)
    scale = fn[sp.exp].format(exponent) if exponent else b["full_like"].format("1.0")
    lines.append(f"    e = {law.c!r} * {scale}")
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
