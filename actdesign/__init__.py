"""actdesign: design activation functions from spectral penalties, and measure spectral bias.

Convention (everywhere): F[phi](k) = ∫ phi(z) e^{-ikz} dz, angular frequency, non-unitary;
penalties are even in k; rho_total(k) = |k|^(D-1) / |F[phi](k)|^2.

``import actdesign`` loads numpy and sympy only; heavier packages load where used.
"""

__version__ = "0.1.0"

# conventions and errors
# value objects
from ._activation import Activation as Activation
from ._activation import from_expression as from_expression
from ._activation import load as load
from ._analyze import Penalty as Penalty
from ._analyze import analyze as analyze
from ._convention import CONVENTION as CONVENTION

# design and analysis
from ._design import design as design
from ._errors import ActdesignError as ActdesignError
from ._errors import ParseError as ParseError
from ._errors import PenaltyError as PenaltyError
from ._errors import ShapeError as ShapeError
from ._errors import SpecError as SpecError

# parsing
from ._parse import parse_activation as parse_activation
from ._parse import parse_penalty as parse_penalty
from ._tabulation import Tabulation as Tabulation
from ._tail import TailLaw as TailLaw


def __getattr__(name):
    # lazy public entry points: their modules load scipy parts only when first used
    if name == "choose_penalty":
        from .choose import choose_penalty

        return choose_penalty
    raise AttributeError(f"module 'actdesign' has no attribute {name!r}")
