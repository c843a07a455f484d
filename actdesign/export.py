"""Export activations to PyTorch, JAX and numpy (public entry point).

Example::

    import actdesign
    from actdesign.export import to_torch, write_exports

    act = actdesign.design("exp(2*k)")
    module = to_torch(act)              # a torch.nn.Module, built from the generated text
    write_exports(act, "out")           # out/exp_2_k_torch.py and out/exp_2_k_jax.py

torch and jax are imported only by the generated code, never by this module. This module
is the one place that asks `actdesign.init.gain` for the ``GAIN`` of a file and
hands it to the exporter (`actdesign._export`) as a number, so the exporter never
imports init and init, which exports through ``Activation.to_torch``, never forms an
import circle with it.
"""

import json
import warnings

import numpy as np

from . import _export
from ._export import export_path as export_path
from ._export import to_numpy as to_numpy
from .infra._names import clean

_GAINS: dict = {}  # spec text -> (gain, note): computed once per activation and process


def gain_for(act, gain=None):
    """(gain or False, note): the caller's number, False, or (None) actdesign.init.gain.

    Parameters
    ----------
    act : Activation
        The activation whose gain is wanted.
    gain : None, True, False or float
        None or True: `actdesign.init.gain` of ``act`` (computed once per activation and
        process; False with the reason in the note when it is unavailable or raises
        numerical warnings); False: no gain; a float: used as it is.

    Returns
    -------
    (float or False, str)
        The gain, and a note saying where it came from (written into exported files).
    """
    if gain is False:
        return False, "not included"
    if gain is not None and gain is not True:
        return gain, "given by the caller"
    key = json.dumps(act.to_dict(), sort_keys=True)
    if key not in _GAINS:
        _GAINS[key] = _computed(act)
    return _GAINS[key]


def _computed(act):
    """actdesign.init.gain when it is installed and succeeds without numerical warnings."""
    try:
        from .init import gain as gain_of
    except ImportError:
        return False, "actdesign.init is not available"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a gain computed through warnings is not trusted
            g = float(gain_of(act))
    except (ArithmeticError, ValueError, RuntimeWarning, NotImplementedError) as err:
        return False, f"not available ({clean(err)[:120]})"
    if not (np.isfinite(g) and g > 0):
        return False, f"not available (it came out as {g})"
    return g, "actdesign.init.gain, second-moment rule"


def export_source(act, backend: str, *, gain=None) -> str:
    """The text of a standalone module computing ``act`` with ``backend``.

    Parameters
    ----------
    act : Activation
        The activation to export.
    backend : {"torch", "jax", "numpy"}
        Target framework. The torch file defines an ``nn.Module`` class, the JAX and
        numpy files an elementwise function; ``__all__`` names it.
    gain : None, False or float, keyword-only
        ``None`` computes the second-moment gain with `actdesign.init.gain` (when
        available) and adds ``GAIN`` and an initialiser; ``False`` leaves them out; a
        float is used as the gain. The numpy file has no gain.

    Returns
    -------
    str
        Python source; its docstring records penalty, dim, shape, closed form, method,
        representation, error estimate, gain, convention and actdesign version.
    """
    g, note = gain_for(act, gain) if backend != "numpy" else (False, None)
    return _export.export_source(act, backend, gain=g, gain_note=note)


def to_torch(act, *, gain=None):
    """A ``torch.nn.Module`` instance computing ``act`` (see `export_source`).

    Parameters
    ----------
    act : Activation
        The activation to export.
    gain : None, True, False or float, keyword-only
        As in `export_source`: None or True computes the gain, False leaves it out, a
        float is used as it is.
    """
    g, note = gain_for(act, gain)
    return _export.to_torch(act, gain=g, gain_note=note)


def to_jax(act, *, gain=None):
    """A pure JAX function computing ``act`` (jit, grad and vmap work).

    Parameters
    ----------
    act : Activation
        The activation to export.
    gain : None, True, False or float, keyword-only
        As in `export_source`: None or True computes the gain, False leaves it out, a
        float is used as it is.
    """
    g, note = gain_for(act, gain)
    return _export.to_jax(act, gain=g, gain_note=note)


def write_exports(act, out_dir, backends=("torch", "jax"), force: bool = False, *,
                  gain=None):
    """Write ``OUT_DIR/NAME_torch.py`` and ``OUT_DIR/NAME_jax.py`` (or the chosen backends),
    atomically; ``gain`` as in `export_source`.

    All texts are generated before anything is written.

    Parameters
    ----------
    act : Activation
        The activation to export.
    out_dir : str or Path
        Folder of the files (NAME is the activation's name in snake case).
    backends : sequence of {"torch", "jax", "numpy"}
        Files to write (default torch and JAX).
    force : bool
        Overwrite existing files (default False: an existing target is an error).
    gain : None, True, False or float, keyword-only
        As in `export_source`: None or True computes the gain, False leaves it out, a
        float is used as it is.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        For an unknown backend.
    actdesign.SpecError
        If a target exists and ``force`` is false (the message names ``--force``).
    """
    needs = any(b != "numpy" for b in backends)
    g, note = gain_for(act, gain) if needs else (False, None)
    return _export.write_exports(act, out_dir, backends, force, gain=g, gain_note=note)
