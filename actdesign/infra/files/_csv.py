"""Strict numeric CSV tables: one reader and one column writer for every command.

A first row that does not parse as numbers is a header; blank lines and lines starting
with ``#`` are skipped. Every defect (missing or binary file, no rows, ragged row,
non-number, NaN, inf) is a `DataError` naming the file, the line and the fix.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from .._errors import DataError
from ._atomic import write_atomic


def read_table(path, *, hint: str = "") -> np.ndarray:
    """All numbers of a CSV file as a 2-D float array (rows x columns).

    Parameters
    ----------
    path : str or Path
    hint : str
        What the file should hold, appended to "not found" and "empty" messages
        (e.g. ``"columns x,f or x,y,f"``).
    """
    path, rows = _rows(Path(path), hint)
    if not _is_number_row(rows[0][1]):
        rows = rows[1:]
        if not rows:
            raise DataError(f"{path} has a header but no data rows" + _tail(hint))
    width = len(rows[0][1])
    out = np.empty((len(rows), width))
    for k, (line, row) in enumerate(rows):
        if len(row) != width:
            raise DataError(
                f"{path} line {line}: {len(row)} columns, expected {width} "
                "(every row needs the same number of columns)"
            )
        out[k] = [_cell(path, line, c, cell) for c, cell in enumerate(row)]
    return out


def write_column(path, values, header: str | None = None) -> Path:
    """One number per line (full precision, optional header), written atomically."""
    path = Path(path)
    values = np.asarray(values, dtype=float).ravel()
    head = f"{header}\n" if header else ""
    write_atomic(path, head + "".join(f"{v:.17g}\n" for v in values))
    return path


def _rows(path: Path, hint: str):
    if not path.is_file():
        raise DataError(f"data file {path} not found; check the path" + _tail(hint))
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a text CSV file" + _tail(hint)) from None
    lines = text.splitlines()
    rows = [
        (i + 1, r)
        for i, r in enumerate(csv.reader(lines))
        if any(c.strip() for c in r) and not lines[i].lstrip().startswith("#")
    ]
    if not rows:
        raise DataError(f"{path} is empty; it needs one row per point" + _tail(hint))
    return path, rows


def _cell(path, line, column, cell) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise DataError(
            f"{path} line {line} column {column + 1}: {cell.strip()!r} is not a number"
        ) from None
    if not math.isfinite(v):
        raise DataError(
            f"{path} line {line} column {column + 1}: {cell.strip()} is NaN or inf (not "
            "finite); remove or impute such rows"
        )
    return v


def _is_number_row(row) -> bool:
    try:
        [float(c) for c in row]
    except ValueError:
        return False
    return True


def _tail(hint: str) -> str:
    return f" ({hint})" if hint else ""
