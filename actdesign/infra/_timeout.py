"""Time caps: ``time_limit`` for one SymPy step, ``capped`` for a whole public call.

Both use SIGALRM, which interrupts pure Python (SymPy) between bytecodes; a C routine
runs to its end first, which is why ``_limits`` bounds the parameters that make those
slow. ``capped`` is the one decorator the entry points (design, analyze, spectrum of a
formula, spec loading, sweep checking) use: every call ends in its result or in a
one-line TimeLimitError naming the limit and how to change it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import os
import signal
import sys
import threading
import time
import weakref

from ._errors import ActdesignError, TimeLimitError

DEFAULT_SECONDS = 120.0  # the limit of a public call; the slowest numeric design takes ~15 s
ENV = "ACTDESIGN_TIME_LIMIT"

# Once the cap has passed the alarm repeats at this interval until the block has ended:
# an alarm that lands where raising is swallowed is simply tried again.
_RETRY = 0.02
# our own exit path (the first alarm is being turned into TimeoutError there) and the
# weakref module's callbacks, which run wherever an object dies
# (and the signal module's Python wrapper, which the exit path calls to restore the handler:
# an alarm delivered just before the timer was disarmed runs its handler there)
_SKIP_FILES = frozenset({__file__, contextlib.__file__, weakref.__file__, signal.__file__})


class _Expired(BaseException):
    """Raised inside the capped block. A BaseException, so that the broad
    ``except Exception`` clauses in SymPy's series and simplification code cannot swallow
    it and run on uncapped; ``time_limit`` turns it into ``TimeoutError`` at its edge."""


def _interruptible(frame) -> bool:
    """Whether raising in ``frame`` reaches the capped block instead of being lost.

    An exception raised inside a garbage-collector callback or a finaliser becomes an
    "unraisable" warning and the capped step runs on, so those frames are skipped; so is
    the cap's own exit path, where the first alarm is already being turned into
    TimeoutError.
    """
    if frame is None:
        return True
    code = frame.f_code
    if code.co_name == "__del__" or code.co_filename in _SKIP_FILES:
        return False
    # gc callbacks of other libraries (hypothesis registers a function, distributed a bound
    # method) run inside any allocation; what they call is inside them too, so the whole
    # stack is searched, not only the innermost frame
    callbacks = {getattr(getattr(cb, "__func__", cb), "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return False
        frame = frame.f_back
    return True


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError if the block runs longer than ``seconds``.

    Uses SIGALRM in the main thread; elsewhere (worker threads) it cannot interrupt, so
    the block runs uncapped. Nested caps keep the tighter one.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left < seconds:
        yield  # an enclosing cap is tighter: let it fire
        return

    def _raise(signum, frame):
        # the alarm keeps repeating until the block has ended: a bare ``except:`` in the
        # capped code (SymPy has some) can swallow one _Expired, not all of them
        if _interruptible(frame):
            raise _Expired

    prev_hook = sys.unraisablehook

    def _hook(unraisable):
        # an alarm that landed in a finaliser or weakref callback is lost, not an error:
        # the next one fires a few milliseconds later
        if not isinstance(unraisable.exc_value, _Expired):
            prev_hook(unraisable)

    old = signal.signal(signal.SIGALRM, _raise)
    sys.unraisablehook = _hook
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds, _RETRY)
    try:
        yield
    except _Expired:
        raise TimeoutError(f"step exceeded {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.unraisablehook = prev_hook
        if outer_left:  # re-arm an enclosing cap with what is left of it
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), _RETRY)


def call_limit() -> float:
    """The time limit of a public call in seconds: ``$ACTDESIGN_TIME_LIMIT`` or 120."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ActdesignError(f"{ENV}={text!r} must be a number of seconds > 0, e.g. 120")
    return seconds


def capped(what: str):
    """Decorator: run the call under `call_limit`; past it, raise TimeLimitError.

    ``what`` names the call in the message (its first argument is added when it is a
    string, e.g. the formula). Nested capped calls keep the tighter limit.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            seconds = call_limit()
            try:
                with time_limit(seconds):
                    return fn(*args, **kwargs)
            except TimeLimitError:
                raise
            except TimeoutError as err:
                subject = f" {args[0][:60]!r}" if args and isinstance(args[0], str) else ""
                raise TimeLimitError(
                    f"{what}{subject} stopped: {err} (the time limit; set {ENV}=SECONDS to "
                    "change it, or simplify the formula)") from None

        return wrapper

    return decorate
