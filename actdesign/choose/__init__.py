"""actdesign.choose (work in progress)."""
