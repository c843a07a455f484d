"""Memory estimates before large allocations (issue 18): swim, spectrum, adaptive and the
gallery refuse a run that cannot fit in one line naming the estimate and the budget,
through the budget logic fit already had (actdesign.infra._memory)."""

from __future__ import annotations

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

from actdesign.infra import _memory
from actdesign.infra._errors import MemoryEstimateError


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _refused(r):
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith("actdesign: error: estimated peak memory"), line
    assert "GiB available" in line and "ACTDESIGN_MAX_MEMORY" in line, line
    return line


@pytest.fixture
def data_csv(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x,y\n0,0\n0.25,1\n0.5,0\n1,1\n")
    return str(p)


# --- the reproductions of issue 18 (MemoryError tracebacks before) ------------------------
def test_swim_huge_widths_refused(data_csv):
    line = _refused(_cli("swim", "--data", data_csv, "--widths", "200000,200000"))
    assert "SWIM widths [200000, 200000]" in line and "smaller --widths" in line


def test_spectrum_huge_n_refused():
    line = _refused(_cli("spectrum", "--function", "sin(x)", "--n", "100000000000"))
    assert "100,000,000,000 samples" in line and "--n or --pad" in line


def test_spectrum_huge_pad_refused():
    _refused(_cli("spectrum", "--function", "sin(x)", "--n", "1000", "--pad", "1000000000"))


def test_adaptive_huge_width_refused(data_csv):
    line = _refused(_cli("adaptive", "--data", data_csv, "--width", "1000000000"))
    assert "width 1000000000" in line


def test_gallery_build_refused_before_any_entry_is_computed(monkeypatch, tmp_path):
    from actdesign.gallery import _build

    def never(*_):
        raise AssertionError("an entry was computed despite the refusal")

    monkeypatch.setattr(_build, "_work", never)
    monkeypatch.setenv("ACTDESIGN_MAX_MEMORY", "600MB")  # below parent + one worker
    with pytest.raises(MemoryEstimateError, match=r"1 gallery worker .* exceeds the 0\.59 GiB"):
        _build.build(tmp_path / "site", names=["relu"], jobs=4, progress=False)
    monkeypatch.setenv("ACTDESIGN_MAX_MEMORY", "1GB")
    with pytest.raises(MemoryEstimateError, match="use fewer --jobs"):
        _build.build(tmp_path / "site", names=["relu", "softplus"], jobs=2, progress=False)


# --- the shared budget -----------------------------------------------------------------------
def test_budget_precedence_and_parsing(monkeypatch):
    monkeypatch.setenv("ACTDESIGN_MAX_MEMORY", "2GB")
    assert _memory.budget() == 2 * 2**30
    assert _memory.budget("512MB") == 512 * 2**20  # an explicit budget wins
    monkeypatch.setenv("ACTDESIGN_MAX_MEMORY", "lots")
    with pytest.raises(MemoryEstimateError, match="cannot read memory size 'lots'"):
        _memory.budget()
    monkeypatch.delenv("ACTDESIGN_MAX_MEMORY")
    assert _memory.budget() == _memory.available_bytes()


def test_cgroup_limit_caps_the_available_memory(monkeypatch, tmp_path):
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    limit.write_text("1073741824\n")
    usage.write_text("268435456\n")
    monkeypatch.setattr(_memory, "_CGROUP", ((str(limit), str(usage)),))
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: 64 * 2**30)
    assert _memory.available_bytes() == 2**30 - 2**28
    limit.write_text("max\n")  # no limit set: the host's MemAvailable
    assert _memory.available_bytes() == 64 * 2**30


def test_fit_keeps_its_message_and_option():
    import actdesign.fit as F

    X = np.linspace(0, 1, 10)[:, None]
    with pytest.raises(F.MemoryEstimateError, match=r"estimated peak memory .* max_memory"):
        F.RadonSplineRegressor("relu(z)", width=10_000_000, max_memory="10MB").fit(X, X[:, 0])
    assert F.MemoryEstimateError is MemoryEstimateError  # one class for every command


def test_swim_library_budget_argument():
    from actdesign.init.swim import SampledMLP

    X = np.linspace(0, 1, 10)[:, None]
    with pytest.raises(MemoryEstimateError, match="SWIM widths"):
        SampledMLP([5000], max_memory="1MB").fit(X, X[:, 0])
    SampledMLP([50], max_memory="1GB").fit(X, X[:, 0])


# --- the estimates are upper bounds of what the runs use --------------------------------------
def _traced_peak(run) -> int:
    """Peak bytes allocated while ``run`` runs (numpy reports its buffers to tracemalloc)."""
    import tracemalloc

    run()  # warm up: imports, caches, FFT plans
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_spectrum_estimate_bounds_the_measured_peak():
    import actdesign.spectrum as sp
    from actdesign.spectrum._budget import estimate

    n = 400_000
    used = _traced_peak(lambda: sp.spectrum(lambda x: np.sin(30 * x), (0, 1), n=n).to_dict(0.99))
    # an upper bound, and not so loose that it refuses runs that would fit (within 4x)
    assert used <= estimate(n, 1, None) <= 4 * used, (used, estimate(n, 1, None))


def test_swim_estimate_bounds_the_measured_peak():
    from actdesign.init.swim import SampledMLP, memory_estimate

    X = np.random.default_rng(0).uniform(-1, 1, (600, 2))
    y = np.sin(3 * X[:, 0])
    used = _traced_peak(lambda: SampledMLP([1000, 1000]).fit(X, y))
    est = memory_estimate(600, 2, [1000, 1000])
    assert used <= est <= 4 * used, (used, est)
