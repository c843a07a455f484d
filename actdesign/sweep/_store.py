"""The results of a sweep: one JSON line per finished task, appended whole.

Every record is written with a single ``os.write`` of the complete line, then flushed
to disk (fsync) before the next task is recorded, so a crash can lose at most the line
being written. On reading, a final line without its newline (torn by a crash) or one
that is not a JSON object is skipped and reported, never fatal: its task simply runs
again. The latest record of a key wins.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..infra.files._atomic import ordinary_mode

RESULTS = "results.jsonl"


@dataclass
class Recorded:
    """What a results file holds: records by key, and the lines that were skipped."""

    records: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # (line number, why)


def read_results(path) -> Recorded:
    """The records of a results file (empty if it does not exist).

    Parameters
    ----------
    path : str or Path
        A ``results.jsonl`` written by `run_sweep`.

    Returns
    -------
    Recorded
        ``records``: key -> the last record with that key; ``skipped``: (line number,
        why) for lines that are torn, not JSON or not a task record.
    """
    out = Recorded()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return out
    lines = data.split(b"\n")
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if n == len(lines):  # no newline after it: the write was cut short
            out.skipped.append((n, "torn final line (no newline)"))
            continue
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: a line nested too deep
            out.skipped.append((n, "not JSON"))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("key"), str):
            out.skipped.append((n, "not a task record"))
            continue
        out.records[rec["key"]] = rec
    return out


class ResultWriter:
    """Appends records to a results file; each line reaches the disk before append returns."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, ordinary_mode())
        self._end_torn_line()

    def _end_torn_line(self) -> None:
        """Start on a fresh line if a crash left the file without its final newline."""
        size = os.fstat(self._fd).st_size
        if size:
            with open(self.path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    os.write(self._fd, b"\n")

    def append(self, record: dict) -> None:
        line = json.dumps(_clean(record), sort_keys=True, allow_nan=False) + "\n"
        data = line.encode("utf-8")
        written = os.write(self._fd, data)
        if written != len(data):  # a short write (disk full): leave no torn line behind
            os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
            raise OSError(f"could not write a whole record to {self.path} (disk full?)")
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _clean(v):
    """JSON-ready copy: numpy values become Python ones, NaN and inf become null."""
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if v is None or isinstance(v, (str, int, bool)):
        return v
    return str(v)
