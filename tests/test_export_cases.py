"""Activations for the export tests (no tests here), each with an independent numpy/scipy reference.

Closed forms come from formulas (parsed by actdesign) and are checked against
references written here with numpy/scipy, never through actdesign's evaluator or the
exporter. Numeric-only activations are Tabulations built here from closed forms on
graded knots, with hand-written tail laws; their reference is the Tabulation's own
numpy evaluation (``actdesign.Tabulation.__call__``, independent of the exporter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
from scipy import special as sc

import actdesign
from actdesign import Activation, Tabulation, TailLaw


@dataclass(frozen=True)
class Case:
    name: str
    make: object  # () -> Activation
    ref: object  # numpy reference phi (float64)
    kinks: tuple = (0.0,)  # points where phi' may jump (gradients are only checked for finiteness)
    fallback: tuple = ()  # backends expected to use the numeric representation
    grad_exclude: float = 1e-3  # no gradient comparison within this distance of a kink
    tags: tuple = field(default_factory=tuple)


def _formula(text, name):
    return lambda: actdesign.from_expression(text, name=name)


def _np(fn):
    def ref(z):
        with np.errstate(all="ignore"):
            return fn(np.asarray(z, dtype=float))
    return ref


SQRT2PI = np.sqrt(2 * np.pi)


def _closed(name, formula, ref, **options):
    return Case(name, _formula(formula, name), _np(ref), **options)


SMOOTH = {"kinks": ()}
NO_BESSEL_K = {"fallback": ("torch", "jax")}  # torch and JAX have no differentiable K_nu


def _matern_quarter(z):
    a = np.abs(z)
    return 2**0.75 * a**0.25 * sc.kv(0.25, a) / (2 * np.sqrt(np.pi) * sc.gamma(0.75))


CLOSED = [
    _closed("cauchy", "1/(pi*(1+z^2))", lambda z: 1 / (np.pi * (1 + z * z)), **SMOOTH),
    _closed("gaussian", "exp(-z^2/2)/sqrt(2*pi)", lambda z: np.exp(-z * z / 2) / SQRT2PI, **SMOOTH),
    _closed("laplace", "exp(-abs(z))/2", lambda z: np.exp(-np.abs(z)) / 2),
    _closed("bessel_k0", "besselk(0, abs(z))/pi", lambda z: sc.k0(np.abs(z)) / np.pi,
            **NO_BESSEL_K),
    _closed("relu", "max(0, z)", lambda z: np.maximum(z, 0)),
    _closed("leaky_relu", "max(z/100, z)", lambda z: np.where(z > 0, z, z / 100)),
    _closed("abs", "abs(z)", np.abs),
    _closed("relu2", "max(0, z)^2", lambda z: np.maximum(z, 0) ** 2),
    _closed("relu35", "max(0, z)^3.5", lambda z: np.maximum(z, 0) ** 3.5),
    _closed("step", "Heaviside(z)", lambda z: np.heaviside(z, 0.5)),
    _closed("elu", "Piecewise((z, z > 0), (exp(z) - 1, True))",
            lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0)))),
    _closed("softplus", "log(1 + exp(z))", lambda z: np.logaddexp(0, z), **SMOOTH),
    _closed("softplus_beta2", "log(1 + exp(2*z))/2", lambda z: np.logaddexp(0, 2 * z) / 2,
            **SMOOTH),
    _closed("logistic", "1/(1 + exp(-z))", sc.expit, **SMOOTH),
    _closed("tanh", "tanh(z)", np.tanh, **SMOOTH),
    _closed("erf", "erf(z)", sc.erf, **SMOOTH),
    _closed("gelu", "z*(1 + erf(z/sqrt(2)))/2", lambda z: z * sc.ndtr(z), **SMOOTH),
    _closed("silu", "z/(1 + exp(-z))", lambda z: z * sc.expit(z), **SMOOTH),
    _closed("wavepacket", "exp(-z^2/2)*cos(5*z)", lambda z: np.exp(-z * z / 2) * np.cos(5 * z),
            **SMOOTH),
    _closed("sinc", "sin(z)/z", lambda z: np.sinc(z / np.pi), **SMOOTH),
    _closed("sech", "sech(pi*z/2)", lambda z: 1 / np.cosh(np.pi * z / 2), **SMOOTH),
    # Matern nu = 1/4: the design of (1+k^2)^(3/2)
    _closed("matern_quarter", "2^(3/4)*abs(z)^(1/4)*besselk(1/4, abs(z))/(2*sqrt(pi)*gamma(3/4))",
            _matern_quarter, **NO_BESSEL_K),
    # F^-1[|k|^(1/2) e^(-k^2)] (dim 2 Gaussian row, theory.md section 4): a 1F1, which torch
    # lacks and JAX evaluates as NaN for large arguments
    _closed("hyp1f1_dim2", "gamma(3/4)*hyper((3/4,), (1/2,), -z^2/4)/(2*pi)",
            lambda z: sc.gamma(0.75) * sc.hyp1f1(0.75, 0.5, -z * z / 4) / (2 * np.pi),
            kinks=(), fallback=("torch", "jax")),
    # F^-1[|k|^(1/2) e^(-|k|)] (dim 2 Cauchy row)
    _closed("gamma_cos_dim2", "gamma(3/2)*cos(3*atan(z)/2)/(pi*(1+z^2)^(3/4))",
            lambda z: sc.gamma(1.5) * np.cos(1.5 * np.arctan(z)) / (np.pi * (1 + z * z) ** 0.75),
            **SMOOTH),
    _closed("exp_sqrt_cusp", "exp(-sqrt(abs(z)))", lambda z: np.exp(-np.sqrt(np.abs(z))),
            grad_exclude=1e-2),
]


# --- numeric-only activations ---------------------------------------------------------
def _knots(inner=64.0, h=0.02, outer=4096.0, near_zero=True):
    """A design-like grid: uniform inside, geometric outside, geometric towards 0."""
    pos = np.arange(0.0, inner + h / 2, h)
    pos = np.union1d(pos, np.geomspace(inner, outer, int(np.log(outer / inner) / np.log1p(0.01))))
    if near_zero:
        pos = np.union1d(pos, np.geomspace(1e-7, h, 40))
    return np.concatenate([-pos[:0:-1], pos])


def _tabulated(name, f, df, left, right, **knots):
    def make():
        x = _knots(**knots)
        tab = Tabulation.from_hermite(x, [f(x), df(x)], left, right)
        return Activation(name=name, penalty_text=None, rho=None, method="numeric", tabulation=tab)
    return make


def _own_reference(make):
    # the Tabulation evaluated by actdesign's numpy code: the representation itself
    return lambda z: make()(np.asarray(z, dtype=float))


def _numeric_case(name, f, df, left, right, closed, kinks=(), **knots):
    make = lru_cache(maxsize=1)(_tabulated(name, f, df, left, right, **knots))
    return Case(name, make, _own_reference(make), kinks=kinks, fallback=("torch", "jax"),
                tags=("numeric",)), closed


_NUMERIC = [
    _numeric_case("tab_cauchy", lambda z: 1 / (1 + z * z), lambda z: -2 * z / (1 + z * z) ** 2,
                  TailLaw(c=1.0, p=-2.0), TailLaw(c=1.0, p=-2.0), lambda z: 1 / (1 + z * z)),
    _numeric_case("tab_laplace", lambda z: np.exp(-np.abs(z)),
                  lambda z: -np.sign(z) * np.exp(-np.abs(z)), TailLaw(c=1.0, a=1.0),
                  TailLaw(c=1.0, a=1.0), lambda z: np.exp(-np.abs(z)), kinks=(0.0,),
                  inner=32.0, h=0.02, outer=700.0),
    _numeric_case("tab_softplus", lambda z: np.logaddexp(0, z), sc.expit,
                  TailLaw(c=1.0, a=1.0), TailLaw(poly=(0.0, 1.0), c=1.0, a=1.0),
                  lambda z: np.logaddexp(0, z), inner=40.0, h=0.02, outer=800.0, near_zero=False),
    _numeric_case("tab_tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2,
                  TailLaw(poly=(-1.0,), c=2.0, a=2.0), TailLaw(poly=(1.0,), c=-2.0, a=2.0), np.tanh,
                  inner=20.0, h=0.01, outer=400.0, near_zero=False),
    _numeric_case("tab_sinc", lambda z: np.sinc(z / np.pi), lambda z: np.where(
        z == 0, 0.0, (np.cos(z) * z - np.sin(z)) / np.where(z == 0, 1.0, z * z)),
        TailLaw(c=1.0, p=-1.0, w=1.0, theta=-np.pi / 2),
        TailLaw(c=1.0, p=-1.0, w=1.0, theta=-np.pi / 2),
        lambda z: np.sinc(z / np.pi), inner=64.0, h=0.02, outer=128.0, near_zero=False),
    _numeric_case("tab_gaussian", lambda z: np.exp(-z * z / 2), lambda z: -z * np.exp(-z * z / 2),
                  TailLaw(c=1.0, b=0.5), TailLaw(c=1.0, b=0.5), lambda z: np.exp(-z * z / 2),
                  inner=12.0, h=0.01, outer=40.0, near_zero=False),
]
NUMERIC = [case for case, _ in _NUMERIC]
NUMERIC_CLOSED = {case.name: closed for case, closed in _NUMERIC}
ALL = CLOSED + NUMERIC
BY_NAME = {c.name: c for c in ALL}


@cache
def activation(name):
    return BY_NAME[name].make()
