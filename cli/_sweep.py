"""`actdesign sweep`: run design / fit / gallery grids from a TOML file on dask (resumable)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from actdesign.infra._progress import echo_note, progress

from ._common import emit_json, json_option, user_errors

_HIDDEN = ("data", "test", "solver")  # in every fit task: not worth a progress line


@click.command()
@click.option("--config", "config_path", required=True, metavar="FILE.toml",
              type=click.Path(dir_okay=False), help="Sweep configuration (TOML).")
@click.option("--out", "out_dir", required=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder for results.jsonl.")
@click.option("--scheduler", default="local", show_default=True, metavar="local|ADDRESS",
              help="'local' starts a LocalCluster for this run; or a dask scheduler address "
                   "such as tcp://host:8786.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes of the local cluster (default: CPUs, at most 8).")
@click.option("--retry-failed", is_flag=True, help="Run recorded failures again.")
@click.option("--check", is_flag=True, help="Check the configuration, list the tasks, run nothing.")
@json_option
@user_errors
def sweep(config_path, out_dir, scheduler, workers, retry_failed, check, as_json):
    """Run the grids of a sweep configuration as dask tasks, one JSON line per task in DIR.

    Tables: [design] penalties x shapes x dims; [fit] (activations or penalties) x widths
    x ridges x laws x train x seeds on a data CSV; [gallery] entries. A rerun skips the
    tasks already recorded, so an interrupted sweep resumes where it stopped. Progress
    goes to stderr. Exit status 1 when a task of the grid has failed (see its record).
    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
    """
    from actdesign.sweep import load_config, read_results, run_sweep

    cfg = load_config(config_path)
    if not check:  # results.jsonl is appended to (a rerun resumes), never overwritten
        from actdesign.infra.files._outputs import check_file
        from actdesign.sweep._store import RESULTS

        check_file(Path(out_dir) / RESULTS, "--out")
    if check:
        tasks = [{"key": t.key, "kind": t.kind, "params": t.params} for t in cfg.tasks]
        if as_json:
            emit_json({"name": cfg.name, "tasks": tasks})
        else:
            for t in tasks:
                click.echo(f"{t['key']} {t['kind']} {_label(t['params'])}")
        return
    _say(f"sweep {cfg.name}: {len(cfg.tasks)} tasks on {scheduler}")
    with progress("sweep: tasks", unit="task") as bar:
        summary = run_sweep(cfg, out_dir, scheduler=scheduler, workers=workers,
                            retry_failed=retry_failed,
                            on_record=lambda rec, done, todo: _progress(bar, rec, done, todo))
    for n, why in summary.skipped_lines:
        _say(f"results line {n} skipped: {why} (its task is run again)")
    records = read_results(summary.results).records
    failed = sorted(t.key for t in cfg.tasks if records.get(t.key, {}).get("status") != "ok")
    rec = summary.to_dict() | {"failed_keys": failed}
    rec["skipped_lines"] = [list(x) for x in summary.skipped_lines]
    if as_json:
        emit_json(rec)
    else:
        click.echo(f"sweep {cfg.name}: {summary.total} tasks, {summary.already} already "
                   f"recorded, {summary.ok} ran ok, {summary.failed} failed in "
                   f"{summary.seconds:.1f} s -> {summary.results}"
                   + (f" ({summary.lost} lost with their worker: rerun)" if summary.lost else ""))
    if failed:
        sys.exit(1)


def _progress(bar, record, done, todo):
    """Each recorded task advances the bar (actdesign.infra._progress: throttled, silenced by
    --quiet); a failure is always reported on its own line."""
    status = record["status"] if record["status"] == "ok" else f"FAILED {record['error']}"
    secs = record.get("seconds")
    took = f" {secs:.1f}s" if isinstance(secs, float) else ""
    line = f"{record['kind']} {_label(record['params'])}: {status}{took}"
    bar.total = todo
    bar.update(done - bar.n, info=line)
    if record["status"] != "ok":
        echo_note(f"[{done}/{todo}] {line}")


def _label(params) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k not in _HIDDEN)


def _say(text) -> None:
    click.echo(text, err=True)
