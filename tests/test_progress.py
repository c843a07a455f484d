"""Progress reports (issue 17): silent by default and for quick steps, plain lines off a
terminal (throttled, with an ETA), in-place on a terminal, on stderr only."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from actdesign.infra import _progress
from actdesign.infra._progress import enable_progress, progress, progress_enabled


class _Clock:
    """A clock the test advances by hand: throttling and ETA are checked exactly."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    c = _Clock()
    monkeypatch.setattr(_progress, "_clock", c)
    return c


@pytest.fixture(autouse=True)
def _restore_switch(monkeypatch):
    monkeypatch.delenv("ACTDESIGN_PROGRESS", raising=False)
    before = _progress._state["enabled"]
    yield
    _progress._state["enabled"] = before


def _run(clock, n, step, stream, **kw):
    with progress("fit: CG", total=n, unit="it", stream=stream, **kw) as bar:
        for i in range(n):
            clock.t += step
            bar.update(1, info=f"residual {i}")


def test_plain_lines_are_throttled_with_eta_and_a_final_line(clock):
    enable_progress(True)
    out = io.StringIO()
    _run(clock, 80, 0.125, out)  # 10 s in all, one update each 1/8 s (exact in binary)
    lines = out.getvalue().splitlines()
    # first line once 2 s have passed, then one per 2 s: t = 2, 4, 6, 8 (t = 10 is the
    # last unit, reported by the final line)
    counts = [ln.split(": ")[2].split()[0] for ln in lines]
    assert counts == ["16/80", "32/80", "48/80", "64/80", "80/80"]
    # at 16 of 80 after 2 s the remaining 64 take 8 s at the same rate
    assert "ETA 8.0 s" in lines[0] and lines[0].endswith("- residual 15")
    assert lines[-1] == "fit: CG: 80/80 it (100%), elapsed 10 s, done - residual 79"
    assert "\r" not in out.getvalue()


def test_quick_step_writes_nothing(clock):
    enable_progress(True)
    out = io.StringIO()
    _run(clock, 50, 0.03, out)  # 1.5 s < the 2 s delay
    assert out.getvalue() == ""


def test_quick_step_with_the_real_clock_writes_nothing(capsys):
    enable_progress(True)
    with progress("quick", total=3) as bar:
        for _ in range(3):
            bar.update(1)
    assert capsys.readouterr().err == ""


def test_disabled_writes_nothing_however_long(clock):
    enable_progress(False)
    out = io.StringIO()
    _run(clock, 20, 5.0, out)
    assert out.getvalue() == ""


def test_library_default_is_silent_and_env_overrides(monkeypatch):
    _progress._state["enabled"] = False
    assert not progress_enabled()
    monkeypatch.setenv("ACTDESIGN_PROGRESS", "1")
    assert progress_enabled()
    enable_progress(True)
    monkeypatch.setenv("ACTDESIGN_PROGRESS", "0")
    assert not progress_enabled()


def test_reports_go_to_stderr_only(clock, capsys):
    enable_progress(True)
    with progress("gallery: entries", total=None, unit="entry") as bar:
        for _ in range(3):
            clock.t += 3.0
            bar.update(1)
    cap = capsys.readouterr()
    assert cap.out == ""
    lines = cap.err.splitlines()
    assert lines[0] == "gallery: entries: 1 entry, elapsed 3.0 s"  # no total: no ETA
    assert lines[-1] == "gallery: entries: 3 entry, elapsed 9.0 s, done"


def test_terminal_redraws_one_line_in_place(clock):
    enable_progress(True)
    out = _Tty()
    _run(clock, 10, 1.0, out)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # one line, ended at the close
    assert text.count("\r") == 9  # updates at t = 2..9 (8 of them) plus the final line


def test_failure_ends_with_stopped_and_propagates(clock):
    enable_progress(True)
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        with progress("sweep", total=4, stream=out) as bar:
            clock.t += 3
            bar.update(1)
            raise RuntimeError("boom")
    assert out.getvalue().splitlines()[-1] == "sweep: 1/4 it (25%), elapsed 3.0 s, stopped"


def test_cli_turns_reports_on_and_quiet_off():
    from actdesign_cli.main import main

    enable_progress(False)
    r = CliRunner().invoke(main, ["analyze", "--activation", "tanh(z)"])
    assert r.exit_code == 0, r.output
    assert progress_enabled()
    r = CliRunner().invoke(main, ["--quiet", "analyze", "--activation", "tanh(z)"])
    assert r.exit_code == 0, r.output
    assert not progress_enabled()


def test_long_steps_space_their_lines_out(clock):
    # a 1000 s step updated every second: 2 s apart at first, then 1/20 of the elapsed
    # time, so a CI log gets some 90 lines, not 500
    enable_progress(True)
    out = io.StringIO()
    _run(clock, 1000, 1.0, out)
    elapsed = [float(ln.split("elapsed ")[1].split(" s")[0].split()[-1]) if "min" not in ln
               else None for ln in out.getvalue().splitlines()]
    assert 60 <= len(elapsed) <= 100
    secs = [e for e in elapsed if e is not None]  # lines before the first minute
    assert all(b - a >= 2 for a, b in zip(secs, secs[1:], strict=False))
    assert out.getvalue().splitlines()[-1].startswith("fit: CG: 1000/1000 it (100%)")


def test_info_may_be_a_callable_evaluated_only_when_written(clock):
    enable_progress(True)
    out, calls = io.StringIO(), []

    def info():
        calls.append(1)
        return "loss 0.5"

    with progress("adaptive", total=100, stream=out) as bar:
        for _ in range(100):
            clock.t += 0.5
            bar.update(1, info=info)
    lines = out.getvalue().splitlines()
    assert len(calls) == len(lines) and lines[0].endswith("- loss 0.5")
