"""actdesign.sweep (work in progress)."""
