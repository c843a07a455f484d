"""The per-backend code of an export: torch, JAX and numpy source, and their tables."""
