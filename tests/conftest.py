"""Shared test fixtures."""

import os

import pytest


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path):
    # keep matplotlib and caches out of the user's home during tests
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    yield


def pytest_collection_modifyitems(config, items):
    try:
        import cupy  # noqa: F401

        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no cupy or no driver means no GPU
        has_gpu = False
    skip = pytest.mark.skip(reason="needs cupy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords and not has_gpu:
            item.add_marker(skip)


os.environ.setdefault("ACTDESIGN_TESTING", "1")
