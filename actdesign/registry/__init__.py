"""actdesign.registry (work in progress)."""
