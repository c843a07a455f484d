"""actdesign: design activation functions from spectral penalties, and measure spectral bias.

Convention (everywhere): F[phi](k) = ∫ phi(z) e^{-ikz} dz, angular frequency, non-unitary;
penalties are even in k; rho_total(k) = |k|^(D-1) / |F[phi](k)|^2.

``import actdesign`` loads only the convention and the error classes; every other public
name (and every submodule, e.g. ``actdesign.registry``) loads on first use, with numpy
and sympy, so a command pays only for what it runs. Heavier packages load where used.
"""

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# conventions and errors: light, and needed by every caller that catches them
from ._convention import CONVENTION as CONVENTION
from ._errors import ActdesignError as ActdesignError
from ._errors import ParseError as ParseError
from ._errors import PenaltyError as PenaltyError
from ._errors import ShapeError as ShapeError
from ._errors import SpecError as SpecError
from ._optional import MissingDependencyError as MissingDependencyError

# public name -> the module that defines it (loaded on first access, PEP 562)
_LAZY = {
    # value objects
    "Activation": "._activation",
    "from_expression": "._activation",
    "load": "._activation",
    "Tabulation": "._tabulation",
    "TailLaw": "._tail",
    # design and analysis
    "design": "._design",
    "analyze": "._analyze",
    "Penalty": "._analyze",
    "choose_penalty": ".choose",
    # parsing
    "parse_activation": "._parse",
    "parse_penalty": "._parse",
}

if TYPE_CHECKING:  # the same names, statically: for type checkers and the API docs (griffe)
    from ._activation import Activation as Activation
    from ._activation import from_expression as from_expression
    from ._activation import load as load
    from ._analyze import Penalty as Penalty
    from ._analyze import analyze as analyze
    from ._design import design as design
    from ._parse import parse_activation as parse_activation
    from ._parse import parse_penalty as parse_penalty
    from ._tabulation import Tabulation as Tabulation
    from ._tail import TailLaw as TailLaw
    from .choose import choose_penalty as choose_penalty

__all__ = [
    "CONVENTION", "ActdesignError", "ParseError", "PenaltyError", "ShapeError", "SpecError",
    "MissingDependencyError", *_LAZY, "atomic", "registry",
]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later lookups skip this hook
        return value
    if not name.startswith("__"):
        # a submodule not imported yet (e.g. actdesign.registry, actdesign._parse), which an
        # eager import used to make an attribute as a side effect
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
