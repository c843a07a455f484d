"""Export activations to PyTorch, JAX and numpy (public entry point).

Example::

    import actdesign
    from actdesign.export import to_torch, write_exports

    act = actdesign.design("exp(2*k)")
    module = to_torch(act)              # a torch.nn.Module, built from the generated text
    write_exports(act, "out")           # out/exp_2_k_torch.py and out/exp_2_k_jax.py

torch and jax are imported only by the generated code, never by this module.
"""

from ._export import export_path as export_path
from ._export import export_source as export_source
from ._export import to_jax as to_jax
from ._export import to_numpy as to_numpy
from ._export import to_torch as to_torch
from ._export import write_exports as write_exports
