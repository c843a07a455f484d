"""A small text plot, so `make` shows phi without loading matplotlib."""

from __future__ import annotations

import numpy as np


def sketch(x, y, height: int = 9) -> str:
    """Render y(x) as rows of characters, with the y range on the left."""
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    if not ok.any():
        return "(no finite values to sketch)"
    lo, hi = float(np.min(y[ok])), float(np.max(y[ok]))
    span = hi - lo or 1.0
    rows = [[" "] * len(x) for _ in range(height)]
    for j, v in enumerate(y):
        if ok[j]:
            rows[height - 1 - int(round((v - lo) / span * (height - 1)))][j] = "*"
    labels = [f"{hi:>10.3g} |"] + [" " * 10 + " |"] * (height - 2) + [f"{lo:>10.3g} |"]
    lines = [lab + "".join(r) for lab, r in zip(labels, rows, strict=True)]
    lines.append(" " * 11 + f"z from {x[0]:g} to {x[-1]:g}")
    return "\n".join(lines)
