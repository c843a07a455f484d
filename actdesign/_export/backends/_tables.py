"""Per-backend function tables: how each SymPy function is spelled in generated code.

Math as data: a backend is a dict, and adding one is adding a table. A function that
is missing from a backend's table (or whose entry is ``None``) is not printable there;
the exporter then falls back to the numeric representation instead of emitting code
that fails or differentiates wrongly. Entries were chosen by measurement (torch 2.13,
jax 0.10): ``torch.special.modified_bessel_k0/k1`` have no autograd, JAX has no Bessel
K at all, and ``jax.scipy.special.hyp1f1`` returns NaN for arguments below about -100,
so Bessel K and 1F1 are absent from both.
"""

from __future__ import annotations

import sympy as sp

from .._rewrite import Sigmoid, Softplus

# Templates use {0}, {1}, ... for the printed arguments. A name starting with "_" is a
# helper defined in the generated file (see HELPERS).
_TORCH = {
    sp.exp: "torch.exp({0})",
    sp.log: "torch.log({0})",
    sp.sin: "torch.sin({0})",
    sp.cos: "torch.cos({0})",
    sp.tan: "torch.tan({0})",
    sp.atan: "torch.atan({0})",
    sp.asin: "torch.asin({0})",
    sp.acos: "torch.acos({0})",
    sp.sinh: "torch.sinh({0})",
    sp.cosh: "torch.cosh({0})",
    sp.tanh: "torch.tanh({0})",
    sp.asinh: "torch.asinh({0})",
    sp.coth: "1 / torch.tanh({0})",
    sp.sech: "_sech({0})",
    sp.Abs: "torch.abs({0})",
    sp.sign: "torch.sign({0})",
    sp.erf: "torch.special.erf({0})",
    sp.erfc: "torch.special.erfc({0})",
    sp.loggamma: "torch.lgamma({0})",
    sp.sinc: "_sinc({0})",
    sp.floor: "torch.floor({0})",
    sp.ceiling: "torch.ceil({0})",
    Sigmoid: "torch.sigmoid({0})",
    Softplus: "torch.nn.functional.softplus({0})",
}

_JAX = {
    sp.exp: "jnp.exp({0})",
    sp.log: "jnp.log({0})",
    sp.sin: "jnp.sin({0})",
    sp.cos: "jnp.cos({0})",
    sp.tan: "jnp.tan({0})",
    sp.atan: "jnp.arctan({0})",
    sp.asin: "jnp.arcsin({0})",
    sp.acos: "jnp.arccos({0})",
    sp.sinh: "jnp.sinh({0})",
    sp.cosh: "jnp.cosh({0})",
    sp.tanh: "jnp.tanh({0})",
    sp.asinh: "jnp.arcsinh({0})",
    sp.coth: "1 / jnp.tanh({0})",
    sp.sech: "_sech({0})",
    sp.Abs: "jnp.abs({0})",
    sp.sign: "jnp.sign({0})",
    sp.erf: "jax.scipy.special.erf({0})",
    sp.erfc: "jax.scipy.special.erfc({0})",
    sp.gamma: "jax.scipy.special.gamma({0})",
    sp.loggamma: "jax.scipy.special.gammaln({0})",
    sp.sinc: "_sinc({0})",
    sp.floor: "jnp.floor({0})",
    sp.ceiling: "jnp.ceil({0})",
    Sigmoid: "jax.nn.sigmoid({0})",
    Softplus: "jax.nn.softplus({0})",
}

_NUMPY = {
    sp.exp: "np.exp({0})",
    sp.log: "np.log({0})",
    sp.sin: "np.sin({0})",
    sp.cos: "np.cos({0})",
    sp.tan: "np.tan({0})",
    sp.atan: "np.arctan({0})",
    sp.asin: "np.arcsin({0})",
    sp.acos: "np.arccos({0})",
    sp.sinh: "np.sinh({0})",
    sp.cosh: "np.cosh({0})",
    sp.tanh: "np.tanh({0})",
    sp.asinh: "np.arcsinh({0})",
    sp.coth: "1 / np.tanh({0})",
    sp.sech: "_sech({0})",
    sp.Abs: "np.abs({0})",
    sp.sign: "np.sign({0})",
    sp.erf: "scipy.special.erf({0})",
    sp.erfc: "scipy.special.erfc({0})",
    sp.gamma: "scipy.special.gamma({0})",
    sp.loggamma: "scipy.special.gammaln({0})",
    sp.besselk: "scipy.special.kv({0}, {1})",
    sp.besseli: "scipy.special.iv({0}, {1})",
    sp.besselj: "scipy.special.jv({0}, {1})",
    sp.sinc: "np.sinc({0} / math.pi)",
    sp.floor: "np.floor({0})",
    sp.ceiling: "np.ceil({0})",
    Sigmoid: "scipy.special.expit({0})",
    Softplus: "np.logaddexp(0.0, {0})",
}

# Stable helpers, emitted into a generated file only when its formula uses them.
# sech(x) = 2 e^-|x| / (1 + e^-2|x|) never overflows, so neither it nor its gradient is NaN.
# sin(x)/x uses its Taylor series near 0 (the frameworks' sinc gradients are inf or
# wrong for tiny nonzero x), reading x through a double where.
_SINC = ("def _sinc(x):\n"
         "    small = {abs}(x) < 1e-3\n"
         "    near, far = {where}(small, x, 0.0), {where}(small, 1.0, x)\n"
         "    return {where}(small, 1 - near * near / 6 + near**4 / 120, {sin}(far) / far)\n")
HELPERS = {
    "torch": {"_sech": ("def _sech(x):\n"
                        "    e = torch.exp(-torch.abs(x))\n"
                        "    return 2 * e / (1 + e * e)\n"),
              "_sinc": _SINC.format(abs="torch.abs", where="torch.where", sin="torch.sin")},
    "jax": {"_sech": ("def _sech(x):\n"
                      "    e = jnp.exp(-jnp.abs(x))\n"
                      "    return 2 * e / (1 + e * e)\n"),
            "_sinc": _SINC.format(abs="jnp.abs", where="jnp.where", sin="jnp.sin")},
    "numpy": {"_sech": ("def _sech(x):\n"
                        "    e = np.exp(-np.abs(x))\n"
                        "    return 2 * e / (1 + e * e)\n")},
}

# Everything else a printer needs, per backend.
BACKENDS = {
    "torch": {
        "functions": _TORCH,
        "imports": ("import math", "import torch"),
        "where": "torch.where({0}, {1}, {2})",
        "maximum": "torch.maximum({0}, {1})",
        "minimum": "torch.minimum({0}, {1})",
        "clamp_min": "torch.clamp({0}, min={1})",
        "clamp_max": "torch.clamp({0}, max={1})",
        "full_like": "torch.full_like(z, {0})",
        "isinf": "torch.isinf({0})",
        "isnan": "torch.isnan({0})",
        "float64": "torch.float64",
        "sqrt": "torch.sqrt({0})",
        # the dtype's smallest normal number; not torch.finfo, which TorchScript lacks
        "tiny": ("(2.2250738585072014e-308 if z.dtype == torch.float64 else "
                 "(6.103515625e-05 if z.dtype == torch.float16 else 1.1754943508222875e-38))"),
        "hyp1f1": None,
        # a piecewise-constant phi still has to be part of the autograd graph (gradient 0)
        # (z * 0 where z is not +-inf: NaN passes through, +-inf does not turn into NaN)
        "connect": "{0} + torch.where(torch.isinf(z), 0.0, z) * 0",
    },
    "jax": {
        "functions": _JAX,
        "imports": ("import math", "import jax", "import jax.numpy as jnp",
                    "import jax.scipy.special"),
        "where": "jnp.where({0}, {1}, {2})",
        "maximum": "jnp.maximum({0}, {1})",
        "minimum": "jnp.minimum({0}, {1})",
        "clamp_min": "jnp.maximum({0}, {1})",
        "clamp_max": "jnp.minimum({0}, {1})",
        "full_like": "jnp.full_like(z, {0})",
        "isinf": "jnp.isinf({0})",
        "isnan": "jnp.isnan({0})",
        "float64": "jnp.float64",
        "sqrt": "jnp.sqrt({0})",
        "tiny": "jnp.finfo(z.dtype).tiny",
        "hyp1f1": None,
        "connect": "{0} + jnp.where(jnp.isinf(z), 0.0, z) * 0",
    },
    "numpy": {
        "functions": _NUMPY,
        "imports": ("import math", "import numpy as np", "import scipy.special"),
        "where": "np.where({0}, {1}, {2})",
        "maximum": "np.maximum({0}, {1})",
        "minimum": "np.minimum({0}, {1})",
        "clamp_min": "np.maximum({0}, {1})",
        "clamp_max": "np.minimum({0}, {1})",
        "full_like": "np.full_like(z, {0})",
        "isinf": "np.isinf({0})",
        "isnan": "np.isnan({0})",
        "float64": "np.float64",
        "sqrt": "np.sqrt({0})",
        "tiny": "np.finfo(z.dtype).tiny",
        "hyp1f1": "scipy.special.hyp1f1({0}, {1}, {2})",
        "connect": "{0} + np.where(np.isinf(z), 0.0, z) * 0",
    },
}
