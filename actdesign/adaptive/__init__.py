"""actdesign.adaptive (work in progress)."""
