"""Penalty families as data: template, parameters with bounds, and the kernel of 1/rho.

Every family is strictly positive definite (1/rho integrable against k^(D-1), no null
space), so the Gaussian-process marginal likelihood is proper. A parameter's bounds are
given in powers of the data's length scale L: ``("a", 1)`` means a length, ``("a", 2)``
an area, ``("c", 0)`` a pure number; the optimiser searches log-parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import _kernels as K


@dataclass(frozen=True)
class Param:
    """One parameter of a family: name, power of the length scale, dimensionless bounds."""

    name: str
    power: int
    low: float
    high: float
    start: tuple = (1.0,)  # starting values (times L^power) of the multistart


@dataclass(frozen=True)
class Family:
    """A penalty family rho_theta(k) and its width = inf kernel.

    Attributes
    ----------
    name : str
        Key of the family in ``FAMILIES`` (``"exp"``, ``"matern"``, ``"gauss"``,
        ``"exp_mix"``).
    template : str
        The total penalty in the allow-list grammar with ``{a}``-style slots.
    params : tuple of Param
        The fitted parameters: name, power of the length scale in their units and
        search bounds.
    kernel : callable (r, params: dict, dim) -> kappa(r)
        ``(2 pi)^-D ∫ exp(iK.x) / rho(|K|) dK`` exactly.
    lower : callable (dim) -> dict
        Extra lower bounds that depend on D (Matern needs p > D/2).
    summary : str
        One line naming rho and its kernel, for reports.
    """

    name: str
    template: str
    params: tuple
    kernel: Callable
    lower: Callable = lambda dim: {}
    summary: str = ""

    def penalty(self, values: dict) -> str:
        """The penalty string with numbers filled in (6 significant digits).

        Parameters
        ----------
        values : dict
            Parameter name -> value, one per entry of ``params``.
        """
        return self.template.format(**{k: _number(v) for k, v in values.items()})


def _number(v: float) -> str:
    # the allow-list parser reads decimals (and 1.5e-05) exactly, as rationals
    return f"{float(v):.6g}"


def _mixture(r, p, dim):
    return K.poisson(r, p["a"], dim) + p["c"] * K.poisson(r, p["b"], dim)


FAMILIES = {
    f.name: f
    for f in (
        Family(
            "exp",
            "exp({a}*k)",
            (Param("a", 1, 1e-3, 1e2, (0.03, 0.3)),),
            lambda r, p, dim: K.poisson(r, p["a"], dim),
            summary="rho = exp(a|k|); Poisson (Cauchy-type) kernel",
        ),
        Family(
            "matern",
            "(1 + {a}*k^2)^{p}",
            (Param("a", 2, 1e-6, 1e4, (1e-3, 1e-1)), Param("p", 0, 0.0, 12.0, (2.0,))),
            lambda r, p, dim: K.matern(r, p["a"], p["p"], dim),
            lower=lambda dim: {"p": dim / 2 + 0.05},
            summary="rho = (1 + a k^2)^p; Matern kernel, smoothness nu = p - D/2",
        ),
        Family(
            "gauss",
            "exp({a}*k^2)",
            (Param("a", 2, 1e-6, 1e4, (1e-3, 1e-1)),),
            lambda r, p, dim: K.gaussian(r, p["a"], dim),
            summary="rho = exp(a k^2); Gaussian kernel",
        ),
        Family(
            "exp_mix",
            "1/(exp(-{a}*k) + {c}*exp(-{b}*k))",
            (
                Param("a", 1, 1e-3, 1e2, (0.03,)),
                Param("b", 1, 1e-3, 1e2, (0.3,)),
                Param("c", 0, 1e-4, 1e4, (1.0,)),
            ),
            _mixture,
            summary="1/rho = exp(-a|k|) + c exp(-b|k|); sum of two Poisson kernels",
        ),
    )
}
