"""The SymPy time cap: it must stop code that swallows exceptions, and keep nested caps."""

import gc
import signal
import time
import weakref

import pytest

from actdesign.infra._timeout import time_limit


def _swallowing_loop(seconds):
    # the shape of SymPy's series code: broad excepts inside a long computation
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sum(i * i for i in range(2000))
        except Exception:  # noqa: BLE001
            pass


def test_cap_stops_code_that_catches_exception():
    t = time.monotonic()
    with pytest.raises(TimeoutError, match="0.2 s"):
        with time_limit(0.2):
            _swallowing_loop(10.0)
    assert time.monotonic() - t < 5.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_cap_stops_code_with_a_bare_except():
    # SymPy's assumption and series code has bare excepts, which catch BaseException too
    def stubborn():
        end = time.monotonic() + 10.0
        while time.monotonic() < end:
            try:  # most of the time is spent here, so the first alarm lands here
                sum(i * i for i in range(20000))
            except:  # noqa: E722
                pass
            sum(i * i for i in range(2000))  # a little work outside the bare except

    t = time.monotonic()
    with pytest.raises(TimeoutError):
        with time_limit(0.2):
            stubborn()
    assert time.monotonic() - t < 5.0


def test_alarm_in_a_gc_callback_is_retried_not_lost():
    calls = []

    def callback(phase, info):
        calls.append(phase)
        time.sleep(0.001)

    gc.callbacks.append(callback)
    try:
        with pytest.raises(TimeoutError):
            with time_limit(0.1):
                end = time.monotonic() + 10.0
                while time.monotonic() < end:
                    [object() for _ in range(500)]
                    gc.collect(0)
    finally:
        gc.callbacks.remove(callback)
    assert calls


def test_nested_caps_keep_the_outer_one():
    t = time.monotonic()
    with pytest.raises(TimeoutError, match="0.3 s"):
        with time_limit(0.3):
            with time_limit(0.05):
                pass
            _swallowing_loop(10.0)  # the outer cap must still fire after the inner one ended
    assert time.monotonic() - t < 5.0


def test_inner_cap_longer_than_outer_defers_to_outer():
    with pytest.raises(TimeoutError, match="0.1 s"):
        with time_limit(0.1):
            with time_limit(30.0):
                _swallowing_loop(10.0)


def test_block_that_finishes_leaves_no_alarm():
    with time_limit(5.0):
        x = sum(range(100))
    assert x == 4950
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_alarm_in_a_weakref_callback_is_not_reported_as_unraisable(monkeypatch):
    seen = []
    monkeypatch.setattr("sys.unraisablehook", seen.append)

    class Obj:
        pass

    def callback(_ref):
        sum(i * i for i in range(500))  # part of the time is spent in callbacks

    with pytest.raises(TimeoutError):
        with time_limit(0.1):
            end = time.monotonic() + 10.0
            while time.monotonic() < end:
                o = Obj()
                r = weakref.ref(o, callback)  # noqa: F841
                del o  # the callback runs here, as an unraisable context
    assert seen == []


class _Diagnosis:
    """A gc callback as a bound method that calls further Python code (distributed's shape)."""

    def __init__(self):
        self.raised_inside = []

    def _busy(self):
        end = time.monotonic() + 0.002
        while time.monotonic() < end:
            sum(i for i in range(50))

    def callback(self, phase, info):
        try:
            self._busy()
        except BaseException as exc:  # what the interpreter would report as unraisable
            self.raised_inside.append(type(exc).__name__)
            raise


def test_alarm_is_never_raised_in_code_a_bound_method_gc_callback_calls():
    diag = _Diagnosis()
    gc.callbacks.append(diag.callback)
    try:
        with pytest.raises(TimeoutError):
            with time_limit(0.2):
                end = time.monotonic() + 10.0
                while time.monotonic() < end:
                    [object() for _ in range(500)]
                    gc.collect(0)
    finally:
        gc.callbacks.remove(diag.callback)
    assert diag.raised_inside == []
