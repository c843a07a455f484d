"""Export a fitted SampledMLP as a plain torch or JAX Linear + activation stack.

Common closed forms map to the frameworks' own functions (exact and fast); any other
activation goes through ``Activation.to_torch()`` / ``to_jax()`` (actdesign's exporter).
"""

from __future__ import annotations

from functools import lru_cache

from ..infra import _symbols as S
from ..infra._errors import ActdesignError
from ..infra._optional import require
from ..registry import FAMILIES

# closed form -> name of the framework function (torch.<name>, jax.numpy/jax.nn.<name>),
# from the registry's records; the identity is the one entry that is no family
NATIVE = {f.phi0: (f.native["torch"], f.native["jax"])
          for f in FAMILIES if "torch" in f.native and "jax" in f.native}
NATIVE[S.z] = (None, None)


def _native(act, which: int):
    names = NATIVE.get(act.phi) if act.phi is not None else None
    return None if names is None else names[which] or "identity"


def _exported(act, framework: str):
    try:
        return act.to_torch() if framework == "torch" else act.to_jax()
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("actdesign"):
            raise ActdesignError(f"exporting {act.name} needs actdesign's {framework} exporter, "
                                 "which this build lacks; use tanh/relu/sigmoid/sin") from None
        raise


def torch_function(act):
    """A torch callable computing phi elementwise."""
    torch = require("torch", "torch", "a torch activation")

    name = _native(act, 0)
    if name == "identity":
        return lambda x: x
    if name is not None:
        return getattr(torch, name)
    return _exported(act, "torch")


def jax_function(act):
    """A JAX callable computing phi elementwise."""
    jax = require("jax", "jax", "a JAX activation")
    jnp = require("jax.numpy", "jax", "a JAX activation")

    name = _native(act, 1)
    if name == "identity":
        return lambda x: x
    if name is not None:
        return getattr(jax.nn, name[3:]) if name.startswith("nn.") else getattr(jnp, name)
    return _exported(act, "jax")


def to_torch(net, dtype=None):
    """``torch.nn.Sequential`` equal to ``net.decision_function`` (float64 unless ``dtype``)."""
    torch = require("torch", "torch", "to_torch()")

    dtype = dtype or torch.float64
    fn = torch_function(net.activation_)
    mods = []
    layers = net.layers()
    for i, (W, b) in enumerate(layers):
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(W.T, dtype=dtype))
            lin.bias.copy_(torch.as_tensor(b, dtype=dtype))
        mods.append(lin)
        if i < len(layers) - 1:
            mods.append(elementwise(fn))
    return torch.nn.Sequential(*mods)


def elementwise(fn):
    """``fn`` as a torch module (a module passes through unchanged)."""
    import torch

    return fn if isinstance(fn, torch.nn.Module) else _elementwise()(fn)


@lru_cache(maxsize=1)
def _elementwise():
    import torch

    class Elementwise(torch.nn.Module):
        """An elementwise function as a module."""

        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, x):
            return self.fn(x)

    return Elementwise


def to_jax(net):
    """``(params, apply)`` with ``apply(params, x) == net.decision_function(x)``."""
    jnp = require("jax.numpy", "jax", "to_jax()")

    fn = jax_function(net.activation_)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in net.layers()]

    def apply(params, x):
        h = x
        for W, b in params[:-1]:
            h = fn(h @ W + b)
        W, b = params[-1]
        return h @ W + b

    return params, apply
