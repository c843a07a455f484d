"""Progress reports for long steps, on stderr, silent unless switched on.

A library stays quiet by default: a caller's own logs and stdout are never touched. The
CLI switches reports on (``enable_progress(True)``) for every command; the environment
variable ``ACTDESIGN_PROGRESS`` overrides both ways (``1`` on, ``0`` off).

Nothing is written for a step that ends within ``delay`` seconds (2 s), so quick runs stay
quiet. Past that, on a terminal one line is redrawn in place; elsewhere (a CI log, a file,
a pipe) plain lines are written, at most one per ``interval`` seconds (2 s; the gap grows
to 1/20 of the elapsed time in long steps), plus a final line, so a log shows that a long
step is alive without filling up.

Examples
--------
>>> from actdesign.infra._progress import progress
>>> with progress("fit: CG", total=50, unit="it") as bar:
...     for i in range(50):
...         bar.update(1, info="residual 1.2e-05")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time

__all__ = ["enable_progress", "progress", "progress_enabled"]

ENV = "ACTDESIGN_PROGRESS"
DELAY = 2.0  # seconds before the first report: quick steps stay silent
INTERVAL = 2.0  # seconds between plain lines (a terminal redraws at most 10 times a second)
_TTY_INTERVAL = 0.1

_state = {"enabled": False}
_lock = threading.RLock()
_clock = time.monotonic  # a module attribute so tests can drive time
# the bar that owns the in-place terminal line: another bar starting a line ends it first
_inplace = {"owner": None}


def enable_progress(flag: bool = True) -> None:
    """Switch progress reports on or off for this process (the env variable still wins)."""
    _state["enabled"] = bool(flag)


def progress_enabled() -> bool:
    """Whether reports are on: ``ACTDESIGN_PROGRESS`` if set, else ``enable_progress``."""
    env = os.environ.get(ENV, "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    return _state["enabled"]


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 04 min``: short, and readable in a log."""
    s = int(round(max(seconds, 0.0)))
    if s < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class _Silent:
    """The bar handed out while reports are off: counts, writes nothing."""

    def __init__(self) -> None:
        self.n = 0

    def update(self, n: int = 1, info=None) -> None:
        self.n += n

    def set_info(self, info) -> None:
        pass


class Bar:
    """One step's progress: ``update(n, info=...)`` after each unit of work.

    Parameters
    ----------
    label : str
        What runs, e.g. ``"fit: CG"``.
    total : int or None
        Units expected; None when unknown (no percentage or ETA then).
    unit : str
        Name of one unit (``"it"``, ``"tile"``, ``"entry"``).
    stream : file-like, optional
        Where to write; stderr (looked up when the bar starts) by default.
    delay, interval : float
        Seconds of silence at the start; seconds between plain lines.
    """

    def __init__(
        self, label, total=None, unit="it", *, stream=None, delay=DELAY, interval=INTERVAL
    ):
        self.label = str(label)
        self.total = None if total is None else max(int(total), 0)
        self.unit = unit
        self.n = 0
        self.info = None
        self._stream = stream if stream is not None else sys.stderr
        self._tty = _isatty(self._stream)
        self._delay = float(delay)
        self._interval = _TTY_INTERVAL if self._tty else float(interval)
        self._start = _clock()
        self._last = None  # time of the last line written; None: nothing shown yet
        self._width = 0

    # -- public -------------------------------------------------------------------------
    def update(self, n: int = 1, info=None) -> None:
        """Count ``n`` more units done; ``info`` is short text shown after the counts, or
        a callable returning it (called only when a line is written: cheap in hot loops)."""
        with _lock:
            self.n += n
            if info is not None:
                self.info = info
            now = _clock()
            if now - self._start < self._delay or (self.total and self.n >= self.total):
                return  # too early, or the last unit: the final line reports it
            if self._last is not None and now - self._last < self._gap(now):
                return
            self._write(self._line(now), now)

    def set_info(self, info) -> None:
        """Replace the text (or callable) shown after the counts with the next line."""
        self.info = info

    # -- internals ----------------------------------------------------------------------
    def _gap(self, now: float) -> float:
        """Seconds between lines: ``interval``, growing to 1/20 of the elapsed time off a
        terminal, so an hour-long step writes some 60 lines to a log, not 1800."""
        return self._interval if self._tty else max(self._interval, (now - self._start) / 20)

    def _line(self, now: float, final: str | None = None) -> str:
        elapsed = now - self._start
        if self.total:
            pct = 100.0 * min(self.n, self.total) / self.total
            counts = f"{self.n}/{self.total} {self.unit} ({pct:.0f}%)"
        else:
            counts = f"{self.n} {self.unit}"
        parts = [f"{self.label}: {counts}", f"elapsed {_duration(elapsed)}"]
        if final is not None:
            parts.append(final)
        elif self.total and 0 < self.n < self.total:
            parts.append(f"ETA {_duration(elapsed / self.n * (self.total - self.n))}")
        line = ", ".join(parts)
        info = self.info
        if callable(info):
            try:
                info = info()
            except Exception:  # noqa: BLE001 - a report must never stop the computation
                info = None
        return f"{line} - {info}" if info else line

    def _write(self, line: str, now: float, *, end: bool = False) -> None:
        try:
            if self._tty:
                # a line wider than the terminal wraps, and "\r" then redraws only its tail
                line = line[: max(shutil.get_terminal_size().columns - 1, 20)]
                owner = _inplace["owner"]
                if owner is not None and owner is not self:
                    self._stream.write("\n")  # leave the other bar's line as it stands
                pad = " " * max(self._width - len(line), 0)
                self._stream.write("\r" + line + pad + ("\n" if end else ""))
                self._width = len(line)
                _inplace["owner"] = None if end else self
            else:
                self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must never stop the computation
        self._last = now

    def _close(self, failed: bool) -> None:
        with _lock:
            now = _clock()
            if self._last is None and now - self._start < self._delay:
                return  # a quick step: stay silent to the end
            self._write(self._line(now, final="stopped" if failed else "done"), now, end=True)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress(label, total=None, unit="it", **options):
    """A progress bar for one step, written to stderr when reports are on.

    Parameters
    ----------
    label : str
        What runs, e.g. ``"gallery: entries"``.
    total : int or None
        Units expected (None if unknown).
    unit : str
        Name of one unit.
    **options
        ``stream``, ``delay``, ``interval`` (see `Bar`).

    Yields
    ------
    Bar
        Call ``bar.update(n, info=...)``; with reports off the bar only counts.
    """
    if not progress_enabled():
        yield _Silent()
        return
    bar = Bar(label, total, unit, **options)
    failed = True
    try:
        yield bar
        failed = False
    finally:
        bar._close(failed)


def echo_note(message: str) -> None:
    """One line on stderr (a warning-like note) that does not tear a bar's in-place line."""
    import click  # here: `import actdesign` stays light

    with _lock:
        if _inplace["owner"] is not None:
            click.echo("", err=True)
            _inplace["owner"] = None
        click.echo(message, err=True)
