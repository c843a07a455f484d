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
