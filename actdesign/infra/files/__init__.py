"""Files: atomic writes (public as `actdesign.atomic`), strict CSV, size limits, output paths."""
