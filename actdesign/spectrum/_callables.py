"""Turn what users pass (numpy function, torch module, JAX function, samples) into float64 arrays.

torch and jax are never imported here: a torch module is recognised only if torch is
already loaded (it must be, for the user to hold one), and JAX arrays convert through
``numpy.asarray``.
"""

from __future__ import annotations

import sys

import numpy as np

from ..infra._errors import ActdesignError

CHUNK = 1 << 16  # rows per call when evaluating a torch module (bounded memory)


def _is_torch_module(f) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(f, torch.nn.Module)


def evaluate_callable(f, columns) -> np.ndarray:
    """Evaluate ``f`` at points given as a tuple of D coordinate arrays of equal shape.

    Conventions (one per kind of callable):

    - a ``torch.nn.Module`` receives a tensor of shape (N, D) in its own dtype and device
      and must return N values (shape (N,) or (N, 1));
    - any other callable (numpy or JAX function) receives the D coordinate arrays as
      positional arguments, ``f(x)`` or ``f(x, y)``, and must return an array of their shape.

    Returns
    -------
    ndarray
        float64 values, same shape as each coordinate array.

    Raises
    ------
    ActdesignError
        If the output has the wrong size, is complex, or is not finite somewhere.
    """
    shape = np.shape(columns[0])
    if _is_torch_module(f):
        out = _eval_torch(f, [np.ravel(c) for c in columns]).reshape(shape)
    else:
        with np.errstate(all="ignore"):  # non-finite results are reported below, in one line
            out = np.asarray(f(*columns))
        if np.iscomplexobj(out):
            raise ActdesignError(
                "the function returned complex values; "
                "pass its real part (spectra are of real functions)"
            )
        if out.size == 1 and np.prod(shape) != 1:
            out = np.broadcast_to(out.reshape(()), shape)  # a constant function
        if out.size != np.prod(shape):
            raise ActdesignError(
                f"the function returned {out.size} values for {int(np.prod(shape))} points; "
                "it must be vectorised (f(x) on an array returns an array of the same shape)"
            )
        out = np.asarray(out, dtype=float).reshape(shape)
    check_finite(out, columns)
    return out


def _eval_torch(module, flat):
    import torch

    param = next(iter(module.parameters()), None)
    dtype = param.dtype if param is not None else torch.get_default_dtype()
    device = param.device if param is not None else "cpu"
    pts = np.stack(flat, axis=1)
    outs = []
    with torch.no_grad():
        for start in range(0, pts.shape[0], CHUNK):
            t = torch.as_tensor(pts[start : start + CHUNK], dtype=dtype, device=device)
            outs.append(module(t).detach().to("cpu", torch.float64).numpy().reshape(-1))
    out = np.concatenate(outs)
    if out.size != pts.shape[0]:
        raise ActdesignError(
            f"the torch module returned {out.size} values for {pts.shape[0]} inputs; "
            "it must map (N, D) to N outputs"
        )
    return out


def check_finite(values, columns=None) -> None:
    """Raise a one-line error naming the first non-finite value (and its position)."""
    values = np.asarray(values)
    bad = ~np.isfinite(values)
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        where = ""
        if columns is not None:
            where = " at (" + ", ".join(f"{np.ravel(c)[i]:.6g}" for c in columns) + ")"
        raise ActdesignError(
            f"function values are not finite{where} ({int(bad.sum())} of {bad.size}); "
            "choose a domain where the function is defined and finite"
        )
