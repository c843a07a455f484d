"""Errors and warnings of the fit (bad input -> ActdesignError subclasses, CLI exit 2)."""

from ..infra._errors import (
    ActdesignError,
)
from ..infra._errors import (
    DataError as DataError,  # one class for every reader (actdesign.infra.files._csv)
)
from ..infra._errors import (
    MemoryEstimateError as MemoryEstimateError,  # shared: actdesign.infra._memory
)


class DeviceError(ActdesignError):
    """The requested device cannot be used (no cupy, no CUDA device)."""


class FitError(ActdesignError):
    """The fit is ill-posed as requested (for example too few points for the null space)."""


class LowRankWarning(UserWarning):
    """The numerical rank of the features/kernel is far below the number of points."""
