"""Errors of the adaptive-regime tools (bad input -> ActdesignError, CLI exit 2)."""

from ..infra._errors import ActdesignError


class AdaptiveError(ActdesignError):
    """A training or analysis request is invalid (bad width, rate, epochs, grid or data)."""
