"""The table of activation families (math as data): one record a family.

Penalties follow theory.md section 5 (F[phi](k) = ∫ phi(z) e^{-ikz} dz): a family
whose phi grows is transformed through its m-th derivative, rho = k^(2m)/|F[phi^(m)]|^2.
The order of the records is the order in which analyze tries their patterns (ReLU
before ReLU^p: max(0, z) must not be read as a power). tests/test_registry.py runs every
record through every consumer against independent references.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..infra._symbols import k as K
from ..infra._symbols import z as Z
from . import _bases as b
from ._family import Family

_p = sp.Symbol("p", positive=True)  # ReLU power
_a = sp.Symbol("a", positive=True)  # leaky slope; width of the Gaussian and Cauchy bumps
_nu = sp.Symbol("nu", nonnegative=True)  # Bessel K order
_w = sp.Symbol("w", positive=True)  # wavepacket frequency
_k = sp.Abs(K)
_pi = sp.pi


def _real(*names):
    return lambda p: all(bool(p[n].is_real) for n in names)


FAMILIES: tuple[Family, ...] = (
    Family("relu", sp.Max(0, Z), K**4, b.relu, kinks=(0.0,), degree=1.0, order=2,
           G=lambda t, e: np.abs(t) ** 3 / 12, code=1,
           native={"torch": "relu", "jax": "nn.relu"}, gaussian_kernel="relu", shape="relu"),
    Family("leaky_relu", sp.Max(_a * Z, Z), K**4 / (1 - _a) ** 2, b.leaky_relu,
           params=(("a", 0.1),), extra=("a",), valid=lambda p: bool(p["a"] < 1),
           kinks=(0.0,), degree=1.0, order=2, fused_as="relu",
           gaussian_kernel="relu", shape="relu"),  # Gaussian law: relu + linear part
    Family("abs", sp.Abs(Z), K**4 / 4, lambda u, e: np.abs(u), kinks=(0.0,), degree=1.0,
           order=2, G=lambda t, e: np.abs(t) ** 3 / 3, code=3,
           native={"numpy": "abs", "torch": "abs", "jax": "abs"}, gaussian_kernel="abs",
           shape="relu"),
    Family("step", sp.Heaviside(Z), K**2, b.step, params=(("h0", 0.5),), extra=("h0",),
           kinks=(0.0,), degree=0.0, order=1, G=lambda t, e: -np.abs(t) / 2, code=4,
           gaussian_kernel="step", shape="sigmoid"),
    Family("relupow", sp.Max(0, Z) ** _p, _k ** (2 * _p + 2) / sp.gamma(_p + 1) ** 2,
           b.relupow, params=(("p", 2),), extra=("p",), valid=_real("p"), kinks=(0.0,),
           degree=lambda e: float(e[0]), order=lambda e: int(e[0]) + 1, G=b.relupow_G,
           code=2, gaussian_kernel="relupow"),
    Family("elu", sp.Piecewise((Z, Z > 0), (sp.exp(Z) - 1, True)), K**4 * (1 + K**2), b.elu,
           kinks=(0.0,), order=2),
    Family("softplus", sp.log(1 + sp.exp(Z)), K**2 * sp.sinh(_pi * K) ** 2 / _pi**2,
           b.softplus, order=2, code=10, shape="relu"),
    Family("logistic", 1 / (1 + sp.exp(-Z)), sp.sinh(_pi * K) ** 2 / _pi**2, b.logistic,
           order=1, G=lambda t, e: 1.0 - b.tcoth(np.asarray(t) / 2), code=9,
           native={"torch": "sigmoid", "jax": "nn.sigmoid"}, shape="sigmoid"),
    Family("tanh", sp.tanh(Z), sp.sinh(_pi * K / 2) ** 2 / _pi**2, lambda u, e: np.tanh(u),
           order=1, G=lambda t, e: 2.0 - 2.0 * b.tcoth(t), code=8,
           native={"numpy": "tanh", "torch": "tanh", "jax": "tanh"}, shape="sigmoid"),
    Family("erf", sp.erf(Z), K**2 * sp.exp(K**2 / 2) / 4, b.erf, order=1, G=b.erf_G, code=11,
           gaussian_kernel="erf", shape="sigmoid"),
    Family("gelu", Z * (1 + sp.erf(Z / sp.sqrt(2))) / 2, K**4 * sp.exp(K**2) / (1 + K**2) ** 2,
           b.gelu, scalable=False, order=2, code=13, gaussian_kernel="gelu", shape="relu"),
    # swish: its penalty overflows float64 beyond k ~ 100, which design refuses
    Family("swish", Z / (1 + sp.exp(-Z)),
           sp.sinh(_pi * K) ** 4 / (_pi**4 * sp.cosh(_pi * K) ** 2), b.swish, scalable=False,
           order=2),
    Family("gauss", sp.exp(-_a * Z**2), _a * sp.exp(K**2 / (2 * _a)) / _pi,
           lambda u, e: np.exp(-u * u), params=(("a", 1),), valid=_real("a"), scalable=False,
           G=lambda t, e: math.sqrt(np.pi / 2) * np.exp(-(np.asarray(t) ** 2) / 2), code=6,
           gaussian_kernel="gauss", shape="bump"),
    Family("cauchy", 1 / (_a + Z**2), _a * sp.exp(2 * sp.sqrt(_a) * _k) / _pi**2,
           lambda u, e: 1.0 / (1.0 + u * u), params=(("a", 1),), valid=_real("a"),
           scalable=False, G=lambda t, e: 2 * np.pi / (4.0 + np.asarray(t) ** 2), code=5,
           shape="bump"),
    Family("laplace", sp.exp(-sp.Abs(Z)), (1 + K**2) ** 2 / 4, lambda u, e: np.exp(-np.abs(u)),
           kinks=(0.0,), G=lambda t, e: (1 + np.abs(t)) * np.exp(-np.abs(t)), code=7,
           shape="bump"),
    Family("besselk", sp.besselk(_nu, sp.Abs(Z)), (1 + K**2) / _pi**2, b.besselk,
           params=(("nu", 0),), extra=("nu",), valid=lambda p: p["nu"] == 0, kinks=(0.0,),
           G=b.besselk_G, code=12, shape="bump"),
    Family("wavepacket", sp.exp(-(Z**2) / 2) * sp.cos(_w * Z),
           2 / (_pi * (sp.exp(-((K - _w) ** 2) / 2) + sp.exp(-((K + _w) ** 2) / 2)) ** 2),
           b.wavepacket, params=(("w", 3),), extra=("w",), valid=_real("w"), scalable=False,
           shape="bump"),
    Family("sech", sp.sech(Z), sp.cosh(_pi * K / 2) ** 2 / _pi**2, b.sech, shape="bump"),
    Family("sin", sp.sin(Z), None, lambda u, e: np.sin(u), order=None, code=14,
           native={"numpy": "sin", "torch": "sin", "jax": "sin"}, gaussian_kernel="sin"),
    Family("cos", sp.cos(Z), None, lambda u, e: np.cos(u), order=None, code=15,
           native={"numpy": "cos", "torch": "cos", "jax": "cos"}, gaussian_kernel="cos"),
)
