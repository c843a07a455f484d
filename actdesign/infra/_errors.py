"""Exceptions with one-line messages that name the problem and the fix."""


class ActdesignError(ValueError):
    """Base class: bad user input (the CLI turns it into exit status 2)."""


class ParseError(ActdesignError):
    """A penalty or activation string is not in the allowed grammar."""


class PenaltyError(ActdesignError):
    """A penalty is invalid: negative, vanishing on an interval, or phi does not exist."""


class ShapeError(ActdesignError):
    """The requested shape (sigmoid, relu) is impossible for this penalty."""


class SpecError(ActdesignError):
    """A spec file is missing, malformed, or was edited into an inconsistent state."""


class DataError(ActdesignError):
    """Data are malformed (missing file, NaN, inf, ragged rows, wrong column count)."""


class MemoryEstimateError(ActdesignError):
    """A run's estimated peak memory exceeds the budget; refused before allocating."""


class OutputError(ActdesignError):
    """An output path cannot be written: its parent is a file, its name is too long or
    collides with another output, or the file exists and --force was not given."""


class WriteError(OutputError, OSError):
    """Writing an output failed (disk full, permissions): names the target, never the
    temporary file; an OSError too, for callers that catch those."""


class TimeLimitError(ActdesignError, TimeoutError):
    """A call ran past its time limit (actdesign.infra._timeout.capped) and was stopped; a
    TimeoutError too, for callers that catch those."""
