"""Shared test fixtures."""

import os
import warnings

import pytest


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path):
    # keep matplotlib and caches out of the user's home during tests
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    # CliRunner mixes stderr into .output: progress lines of a slow run must not land in
    # output a test parses (tests/test_progress.py turns reports on where it tests them)
    monkeypatch.setenv("ACTDESIGN_PROGRESS", "0")
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


@pytest.fixture(scope="session")
def dask_client():
    """An in-process dask.distributed cluster of 2 single-threaded workers (one per test
    session: starting one costs seconds)."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        # the in-process cluster's own start-up and shutdown chatter is not under test
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


os.environ.setdefault("ACTDESIGN_TESTING", "1")
