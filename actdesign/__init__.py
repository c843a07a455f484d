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
from .infra._convention import CONVENTION
from .infra._errors import ActdesignError, ParseError, PenaltyError, ShapeError, SpecError
from .infra._optional import MissingDependencyError

# public name -> the module that defines it (loaded on first access, PEP 562)
_LAZY = {
    # value objects
    "Activation": ".activation._activation",
    "from_expression": ".activation._activation",
    "load": ".activation._activation",
    "Tabulation": ".tabulate._tabulation",
    "TailLaw": ".tabulate._tail",
    # design and analysis
    "design": ".activation._design",
    "analyze": ".activation._analyze",
    "Penalty": ".activation._analyze",
    "choose_penalty": ".choose",
    # parsing
    "parse_activation": ".formula._parse",
    "parse_penalty": ".formula._parse",
}

if TYPE_CHECKING:  # the same names, statically: for type checkers and the API docs (griffe)
    from .activation._activation import Activation as Activation
    from .activation._activation import from_expression as from_expression
    from .activation._activation import load as load
    from .activation._analyze import Penalty as Penalty
    from .activation._analyze import analyze as analyze
    from .activation._design import design as design
    from .choose import choose_penalty as choose_penalty
    from .formula._parse import parse_activation as parse_activation
    from .formula._parse import parse_penalty as parse_penalty
    from .tabulate._tabulation import Tabulation as Tabulation
    from .tabulate._tail import TailLaw as TailLaw

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
        # a submodule not imported yet (e.g. actdesign.registry, actdesign.formula._parse), which an
        # eager import used to make an attribute as a side effect
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
