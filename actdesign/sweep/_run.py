"""Run a sweep's tasks on dask.distributed, recording each as it finishes (resumable)."""

from __future__ import annotations

import datetime
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..infra._errors import ActdesignError
from ._config import SweepConfig, load_config
from ._store import RESULTS, ResultWriter, read_results
from ._tasks import run_task


class SweepError(ActdesignError):
    """The sweep cannot run: no dask, an unreachable scheduler, an unusable output folder."""


@dataclass
class SweepSummary:
    """What a run did: tasks in the grid, already recorded, run now (ok / failed)."""

    name: str
    results: str
    total: int
    already: int
    ran: int = 0
    ok: int = 0
    failed: int = 0
    lost: int = 0  # cancelled by the cluster (not recorded: a rerun runs them)
    skipped_lines: list = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def run_sweep(config, out, *, scheduler="local", workers=None, client=None,
              retry_failed=False, on_record=None) -> SweepSummary:
    """Run the tasks of ``config`` not yet recorded in ``out/results.jsonl``.

    Parameters
    ----------
    config : SweepConfig or path of a TOML file
        The grid of tasks: a configuration from `load_config`, or the path of its TOML
        file (read and checked here).
    out : path
        Output folder; ``results.jsonl`` there gets one JSON line per finished task.
    scheduler : "local" or a scheduler address (``tcp://host:8786``)
        "local" starts a LocalCluster of ``workers`` processes for this run.
    workers : int or None
        Workers of the local cluster (default: the number of CPUs, at most 8).
    client : dask.distributed.Client or None
        Use this client instead of ``scheduler`` (it is not closed here).
    retry_failed : bool
        Run again the tasks recorded as failed (recorded successes are never redone).
    on_record : callable(record, done, todo) or None
        Called after each record is on disk (progress reports).

    Returns
    -------
    SweepSummary
        Tasks in the grid, already recorded, run now (ok, failed, lost), lines of the
        results file that could not be read, and the wall time.
    """
    t0 = time.perf_counter()
    cfg = config if isinstance(config, SweepConfig) else load_config(config)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out} is a file; give a folder for the results")
    path = out / RESULTS
    recorded = read_results(path)
    todo = [t for t in cfg.tasks if not _done(recorded.records.get(t.key), retry_failed)]
    summary = SweepSummary(cfg.name, str(path), len(cfg.tasks), len(cfg.tasks) - len(todo),
                           skipped_lines=recorded.skipped)
    if todo:
        shared = _shared_inputs(cfg, out)
        with _connect(client, scheduler, workers) as c, ResultWriter(path) as writer:
            _execute(c, todo, shared, writer, summary, on_record)
    summary.seconds = time.perf_counter() - t0
    return summary


def _done(rec, retry_failed: bool) -> bool:
    return rec is not None and (rec.get("status") == "ok" or not retry_failed)


def _shared_inputs(cfg: SweepConfig, out: Path) -> dict:
    """The inputs every task may read: the data arrays (read once, here) and the folder."""
    shared = {"out": str(out.resolve())}
    if cfg.data:
        from ..fit import read_training_csv

        for role, p in cfg.data.items():
            shared[role] = read_training_csv(p)
    return shared


def _execute(client, todo, shared, writer, summary, on_record) -> None:
    from distributed import as_completed

    data = {k: client.scatter(v, broadcast=True, hash=False)
            for k, v in shared.items() if k != "out"}
    data["out"] = shared["out"]
    futures = {client.submit(run_task, t.kind, t.params, data, pure=False): t for t in todo}
    try:
        for fut in as_completed(list(futures)):
            task = futures[fut]
            if fut.status == "cancelled":  # not the task's doing: left unrecorded, rerun later
                summary.lost += 1
                continue
            try:
                outcome = fut.result()
            except Exception as err:  # noqa: BLE001 - e.g. the task killed its worker
                outcome = {"status": "error", "result": None, "warnings": [], "seconds": None,
                           "error": f"{type(err).__name__}: {' '.join(str(err).split())}"}
            record = {"key": task.key, "kind": task.kind, "params": task.params, **outcome,
                      "finished": datetime.datetime.now(datetime.timezone.utc).isoformat()}
            writer.append(record)
            summary.ran += 1
            summary.ok += outcome["status"] == "ok"
            summary.failed += outcome["status"] != "ok"
            if on_record is not None:
                on_record(record, summary.ran, len(todo))
    finally:
        client.cancel(list(futures))


class _connect:
    """The client to run on: the one given, a new LocalCluster, or a remote scheduler."""

    def __init__(self, client, scheduler, workers):
        self.given, self.scheduler, self.workers = client, scheduler, workers
        self.cluster = self.client = None

    def __enter__(self):
        if self.given is not None:
            return self.given
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SweepError(
                "sweeps run on dask.distributed: pip install 'actdesign[dask]'"
            ) from None
        if self.scheduler == "local":
            n = self.workers or min(8, os.cpu_count() or 1)
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as err:
                raise SweepError(
                    f"cannot reach the dask scheduler at {self.scheduler!r} ({err}); start "
                    "it with `dask scheduler` or use --scheduler local"
                ) from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
