"""Asymptotic tail laws: how a tabulated activation continues outside its table.

One closed formula covers every law actdesign identifies (math as data, not branches):

    phi(z) ~ poly(z) + c * |z|**p * exp(-a*|z| - b*z**2) * cos(w*|z| + theta)

* algebraic decay (Cauchy-like):   c, p<0, a=b=w=0
* Matérn / Bessel-K tails:          c, p, a>0
* Gaussian tails:                   c, p, b>0
* polynomial growth (ReLU shapes):  poly, c=0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class TailLaw:
    """One side's asymptotic law; see the module docstring for the formula.

    Parameters
    ----------
    poly : tuple of float
        Polynomial coefficients in increasing degree (``poly[j] * z**j``).
    c, p, a, b, w, theta : float
        Amplitude, power, exponential rate, Gaussian rate, angular frequency and
        phase of the decaying part.
    """

    poly: tuple[float, ...] = field(default_factory=tuple)
    c: float = 0.0
    p: float = 0.0
    a: float = 0.0
    b: float = 0.0
    w: float = 0.0
    theta: float = 0.0

    def __call__(self, z):
        """Evaluate the law at ``z`` (numpy array or scalar).

        Parameters
        ----------
        z : float or array
            Points (in the tail the law describes).
        """
        z = np.asarray(z, dtype=float)
        out = np.zeros_like(z)
        for j, coef in enumerate(self.poly):
            out = out + coef * z**j
        if self.c != 0.0:
            az = np.abs(z)
            with np.errstate(over="ignore", under="ignore", divide="ignore"):
                # log-space so that huge |z|**p times a tiny exponential never overflows
                logmag = self.p * np.log(az) - self.a * az - self.b * az * az
                osc = np.cos(self.w * az + self.theta) if self.w else 1.0
                out = out + self.c * np.exp(logmag) * osc
        return out

    def to_dict(self) -> dict:
        """JSON-ready record."""
        d = asdict(self)
        d["poly"] = list(self.poly)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TailLaw:
        """Inverse of `to_dict`; rejects unknown keys and non-finite numbers.

        Parameters
        ----------
        d : dict
            A record with keys among ``poly``, ``c``, ``p``, ``a``, ``b``, ``w``, ``theta``.
        """
        allowed = {"poly", "c", "p", "a", "b", "w", "theta"}
        extra = set(d) - allowed
        if extra:
            raise ValueError(f"unknown tail-law keys {sorted(extra)}; allowed: {sorted(allowed)}")
        vals = {k: float(v) for k, v in d.items() if k != "poly"}
        poly = tuple(float(v) for v in d.get("poly", ()))
        if not all(np.isfinite(list(vals.values()) + list(poly))):
            raise ValueError("tail law has a non-finite number")
        return cls(poly=poly, **vals)

    def describe(self) -> str:
        """Human-readable form of the law."""
        parts = [f"{c:+.6g}*z^{j}" for j, c in enumerate(self.poly) if c]
        if self.c:
            s = f"{self.c:+.6g}*|z|^{self.p:.6g}"
            if self.a:
                s += f"*exp(-{self.a:.6g}|z|)"
            if self.b:
                s += f"*exp(-{self.b:.6g}z^2)"
            if self.w:
                s += f"*cos({self.w:.6g}|z|{self.theta:+.6g})"
            parts.append(s)
        return " ".join(parts) if parts else "0"
