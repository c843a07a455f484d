"""Oscillating activations: phi(z) = sum_w h_w(z) e^{iwz} with non-oscillating envelopes h_w.

The double-exponential Fourier rule assumes its integrand does not oscillate by itself, so
F[phi](k) of sinc(z) or sin(z)/(1+z^2) cannot be taken directly (the product with e^{-ikz}
beats at |k - w|). Splitting off the carriers turns each piece into a plain transform:

    F[phi](k) = F[W phi](k) + sum_w F[(1 - W) h_w](k - w),
    1 - W(z) = prod_p (1 - exp(-((z - p)/L)^2))^r_p,

where the window W keeps the envelopes' real poles p (z = 0 in sin(z)/z = (e^{iz} -
e^{-iz})/(2iz)) out of the quadrature: W phi decays like a Gaussian, (1 - W) h_w vanishes
to order 2 r_p >= the pole's order at each p. Near a removable singularity phi itself is
evaluated by a bridging polynomial (the formula cancels digits there).
When an envelope h_w (w != 0) does not decay, phi has a periodic part and F[phi] has Dirac
deltas at k = +-w: no penalty function exists (`line_frequencies` names them).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate
from ..formula._kinks import breakpoints
from ..infra._symbols import z as Z

FAR = np.array([-400.0, -200.0, 200.0, 400.0])


def decompose(phi: sp.Expr) -> dict | None:
    """{w: h_w} with phi = sum_w h_w(z) e^{iwz}, or None (no sin/cos carrier, or a
    carrier whose phase is not linear in z, e.g. sin(z^2) or sin(sin(z)))."""
    expr = phi.replace(sp.sinc, lambda a: sp.sin(a) / a)
    if not expr.has(sp.sin, sp.cos):
        return None
    expr = expr.replace(sp.sin, lambda a: (sp.exp(sp.I * a) - sp.exp(-sp.I * a)) / (2 * sp.I))
    expr = expr.replace(sp.cos, lambda a: (sp.exp(sp.I * a) + sp.exp(-sp.I * a)) / 2)
    parts: dict = {}
    for term in sp.Add.make_args(sp.expand_mul(sp.expand_multinomial(expr))):
        num, den = term.as_numer_denom()  # pull e^{iwz} out of sums like z^3 e^{iz} + z e^{iz}
        term = sp.powsimp(sp.factor_terms(num) / sp.factor_terms(den), combine="exp")
        w = _carrier(term)
        if w is None:
            return None
        envelope = sp.powsimp(term * sp.exp(-sp.I * w * Z), combine="exp")
        envelope = envelope.replace(sp.exp, lambda a: sp.exp(sp.expand(a)))
        parts[w] = parts.get(w, 0) + envelope
    if set(parts) <= {0}:
        return None
    return {float(w): h for w, h in parts.items()}


def _carrier(term):
    """w with term = h(z) e^{iwz}, h free of oscillating exponentials; None if none such."""
    w = sp.Integer(0)
    for f in sp.Mul.make_args(term):
        if isinstance(f, sp.exp):
            arg = sp.expand(f.args[0])
        elif f.is_Pow and isinstance(f.base, sp.exp) and f.exp.is_Integer:
            arg = sp.expand(f.base.args[0] * f.exp)
        elif f.has(sp.I) and f.has(Z):
            return None  # an oscillation buried inside another function
        else:
            continue
        phase = sp.expand(sp.im(arg))
        slope = sp.diff(phase, Z)
        if slope.has(Z) or not slope.is_real:
            return None
        w += slope
    return sp.nsimplify(w)


@functools.lru_cache(maxsize=128)
def _real_imag(h):
    return tuple(sp.simplify(p) for p in h.as_real_imag())


def _parts(h, keep_zero: bool = False):
    """Real and imaginary parts of an envelope as (expr, numpy callable of z) pairs."""
    return [(p, (lambda zz, p=p: evaluate(p, Z, zz))) for p in _real_imag(h)
            if keep_zero or p != 0]


def _decays(f) -> bool:
    """|f| falls off at both ends, at least like |z|^-0.3 (as analyze's order test)."""
    with np.errstate(all="ignore"):
        v = np.abs(np.asarray(f(FAR), dtype=float))
    v = np.where(np.isnan(v), 0.0, v)
    if not np.all(np.isfinite(v)):
        return False
    return bool((v[0] <= 0.81 * v[1] or v[0] == 0) and (v[3] <= 0.81 * v[2] or v[3] == 0))


def tempered(parts: dict) -> bool:
    """Every envelope grows at most like a polynomial (|h(400)| <= 2^7 |h(200)|): else
    phi (e.g. sin(z) e^z) is not a tempered distribution and has no transform at all."""
    for h in parts.values():
        for _, f in _parts(h):
            with np.errstate(all="ignore"):
                v = np.abs(np.asarray(f(FAR), dtype=float))
            v = np.where(np.isnan(v), 0.0, v)
            if not np.all(np.isfinite(v)) or v[0] > 128 * v[1] or v[3] > 128 * v[2]:
                return False
    return True


def polynomial_envelopes(parts: dict) -> bool:
    """phi is a trigonometric polynomial times polynomials: F[phi] is exactly a sum of
    Dirac deltas and their derivatives at k = w."""
    return all(h.is_polynomial(Z) for h in parts.values())


def line_frequencies(parts: dict) -> tuple:
    """The carriers w != 0 whose envelope does not decay: F[phi] has deltas at +-w."""
    bad = set()
    for w, h in parts.items():
        if w != 0 and not all(_decays(f) for _, f in _parts(h)):
            bad.add(abs(w))
    return tuple(sorted(bad))


def _window_scale(parts) -> float:
    """L: a few carrier periods, so W phi is smooth on the scale the rule resolves."""
    top = max(abs(w) for w in parts)
    return 4.0 / top


def modulated_transform(act, parts: dict):
    """(F, err) callable: F[phi](k) by carrier splitting (see module docstring)."""
    from ..fourier import _transform as _fourier

    L = _window_scale(parts)
    phi_breaks = _breaks(act.phi)
    poles = _real_poles(parts)
    phi = _patched(act, parts, poles)
    poles = poles or [(0.0, 1)]  # a window is still needed around the origin

    def outside(zz):  # 1 - W: a zero of order 2r at each real pole p of order <= 2r
        out = 1.0
        for p, order in poles:
            out = out * (-np.expm1(-(((zz - p) / L) ** 2))) ** -(-order // 2)
        return out

    def windowed(zz):
        with np.errstate(all="ignore"):
            v = (1.0 - outside(zz)) * phi(zz)
        return np.where(np.isfinite(v), v, 0.0)

    def outer(f):
        def g(zz):
            with np.errstate(all="ignore"):
                v = outside(zz) * f(zz)
            return np.where(np.isfinite(v), v, 0.0)  # 0 * pole: the window's zero
        return g

    # (carrier w, 1 or 1j, (1 - W) times the real or imaginary part of h_w, its breaks)
    pieces = [(w, unit, outer(f), _breaks(expr))
              for w, h in parts.items()
              for unit, (expr, f) in zip((1.0, 1j), _parts(h, keep_zero=True), strict=True)
              if expr != 0]

    def transform(k):
        k = np.asarray(k, dtype=float)
        F, err = _fourier.forward_transform(windowed, k, breakpoints=phi_breaks)
        for w, unit, g, br in pieces:
            G, e = _fourier.forward_transform(g, k - w, breakpoints=br)
            F = F + unit * G
            err = err + e
        return F, err

    return transform


PATCH_DEGREE = 12  # polynomial bridging a removable singularity


def _patched(act, parts, poles):
    """phi, bridged by a polynomial within delta of each real point where the envelopes
    have (cancelling) poles: there the formula loses digits (sin z - z cos z for z^3/3:
    eps/|z|^3 relative), which the quadrature would take as noise. The polynomial is a
    least-squares fit to phi on delta <= |z - p| <= 3 delta, where phi is analytic."""
    top = max(abs(w) for w in parts)
    delta = min(0.05, 0.5 / top)
    side = np.linspace(delta, 3 * delta, 24)
    patches = []
    for p, _ in poles:
        x = np.concatenate([p - side[::-1], p + side])
        with np.errstate(all="ignore"):
            y = act(x)
        if not np.all(np.isfinite(y)):
            continue
        fit = np.polynomial.Chebyshev.fit(x, y, PATCH_DEGREE,
                                          domain=[p - 3 * delta, p + 3 * delta])
        if np.max(np.abs(fit(x) - y)) <= 1e-10 * np.max(np.abs(y)):
            patches.append((p, fit))  # else a true pole (sin(z)/z^2) or a kink: leave it

    def phi(zz):
        zz = np.asarray(zz, dtype=float)
        v = act(zz)
        for p, fit in patches:
            near = np.abs(zz - p) < delta
            if near.any():
                v = np.where(near, fit(zz), v)
        return v
    return phi


def _real_poles(parts) -> list:
    """[(p, order)]: real roots of the envelopes' polynomial denominators, highest order."""
    found: dict = {}
    for h in parts.values():
        den = sp.together(h).as_numer_denom()[1]
        if not (den.has(Z) and den.is_polynomial(Z)):
            continue
        try:
            for factor, order in sp.Poly(den, Z).sqf_list()[1]:
                for r in factor.nroots(n=30, maxsteps=200):
                    r = complex(r)
                    if abs(r.imag) <= 1e-12:
                        key = round(r.real, 12)
                        found[key] = max(found.get(key, 0), order)
        except (sp.PolynomialError, ArithmeticError, ValueError):
            continue
    return sorted(found.items())


def _breaks(expr) -> tuple:
    return tuple(float(b) for b in breakpoints(expr, 1000.0)) or (0.0,)


def decays_all(h) -> bool:
    """Both the real and the imaginary part of envelope ``h`` decay (see `_decays`)."""
    return all(_decays(f) for _, f in _parts(h))


def band_edge(parts: dict) -> float | None:
    """W = max|w| when phi = sum_w r_w(z) e^{iwz} is entire with rational envelopes r_w:
    then phi has exponential type W and grows at most polynomially on the real line, so by
    Paley-Wiener-Schwartz F[phi] vanishes for |k| > W (sinc: W = 1, sinc^2: W = 2).
    None otherwise (an envelope that is not rational, or a pole the carriers do not
    cancel, as in sin(z)/(1 + z^2) or sin(z)/z^2)."""
    poles = set()
    for h in parts.values():
        if not h.is_rational_function(Z):
            return None
        den = sp.together(h).as_numer_denom()[1]
        if den.has(Z):
            try:  # square-free part: nroots converges on simple roots
                poles |= set(sp.Poly(den, Z).sqf_part().nroots(n=30, maxsteps=200))
            except (sp.PolynomialError, ArithmeticError, ValueError):
                return None
    total = sum(h * sp.exp(sp.I * sp.nsimplify(w) * Z) for w, h in parts.items())
    for p in poles:  # exact inputs: 50 digits absorb the cancelling 1/eps^n terms
        p = sp.nsimplify(p, rational=True)
        near = [abs(complex(sp.N(total.subs(Z, p + eps), 50)))
                for eps in (sp.Rational(1, 10**6), sp.Rational(1, 10**9))]
        if near[1] > 10 * near[0] + 1e-12:  # grows like a pole as z -> p
            return None
    return float(max(abs(w) for w in parts))
