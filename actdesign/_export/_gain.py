"""The GAIN constant of exported modules: a number the caller gives (export never
computes it; `actdesign.export` asks `actdesign.init.gain` for it)."""

import numpy as np


def resolve_gain(gain, backend, note=None):
    """(gain or None, note) for the generated file.

    ``gain`` is None or False (leave it out) or a number (use it); ``note`` says where the
    number came from (default: the caller).
    """
    if backend == "numpy" or gain is None or gain is False:
        return None, note or "not included"
    if gain is True:
        raise ValueError("gain=True: pass the gain as a number (actdesign.export computes it)")
    g = float(gain)
    if not (np.isfinite(g) and g > 0):
        raise ValueError(f"gain must be a finite number > 0, got {gain!r}")
    return g, note or "given by the caller"
