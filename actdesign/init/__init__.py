"""Initialisation around any activation: variance flow and gains, SWIM, GO.

* `actdesign.init.varflow`: moments, forward/backward variance maps, fixed points,
  bifurcations and depth trajectories (numpy).
* `gain`: the second-moment gain with chi at its fixed point.
* `actdesign.init.swim`: sampled networks (SWIM) with per-layer scale schedules (numpy).
* `actdesign.init.go`: globally orthogonal (GO) initialisation (torch; imported on use).
"""

from . import varflow as varflow
from ._gain import Gain as Gain
from ._gain import gain as gain


def __getattr__(name):
    # swim needs nothing heavy, go needs torch: both load on first use only
    if name in ("swim", "go"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
