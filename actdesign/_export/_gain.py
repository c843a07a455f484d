"""The GAIN constant of exported modules: from actdesign.init.gain when it is available."""

import json
import warnings

import numpy as np

from ._names import clean

_GAINS: dict = {}  # spec text -> (gain, note): computed once per activation and process


def resolve_gain(act, gain, backend):
    """(gain or None, note) for the generated file.

    ``gain`` is None (compute it), False (leave it out) or a number (use it).
    """
    if backend == "numpy" or gain is False:
        return None, "not included"
    if gain is not None and gain is not True:
        g = float(gain)
        if not (np.isfinite(g) and g > 0):
            raise ValueError(f"gain must be a finite number > 0, got {gain!r}")
        return g, "given by the caller"
    key = json.dumps(act.to_dict(), sort_keys=True)
    if key not in _GAINS:
        _GAINS[key] = _computed(act)
    return _GAINS[key]


def _computed(act):
    """actdesign.init.gain when it is installed and succeeds without numerical warnings."""
    try:
        from ..init import gain as gain_of
    except ImportError:
        return None, "actdesign.init is not available"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a gain computed through warnings is not trusted
            g = float(gain_of(act))
    except (ArithmeticError, ValueError, RuntimeWarning, NotImplementedError) as err:
        return None, f"not available ({clean(err)[:120]})"
    if not (np.isfinite(g) and g > 0):
        return None, f"not available (it came out as {g})"
    return g, "actdesign.init.gain, second-moment rule"
