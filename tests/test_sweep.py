"""actdesign sweep: grids from TOML, resumable JSON-lines results, per-task failures.

The resume tests count executions through a side-channel file: the task runners are
wrapped (the in-process cluster runs them in this process's threads) to append the
task's key to a log before running it.
"""

import json
import warnings

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign
from actdesign.sweep import SweepConfigError, load_config, read_results, run_sweep
from actdesign.sweep import _tasks as T
from actdesign.sweep._store import ResultWriter

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client

GRID = """
[sweep]
name = "t"
[fit]
data = "train.csv"
activations = ["relu(z)", "tanh(z)"]
widths = [20, 40, "inf"]
ridges = [0.0, 0.01]
"""


@pytest.fixture
def study(tmp_path):
    x = np.linspace(-1, 1, 25)
    np.savetxt(tmp_path / "train.csv", np.c_[x, np.cos(2 * x)], delimiter=",")
    cfg = tmp_path / "s.toml"
    cfg.write_text(GRID)
    return cfg


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """Wrap the fit runner: log each execution's key; fail tasks listed in a sentinel file."""
    log, sentinel = tmp_path / "executed.log", tmp_path / "fail.txt"
    real = T.RUNNERS["fit"]

    def runner(params, shared):
        key = actdesign.sweep.task_key("fit", params)
        with open(log, "a") as fh:
            fh.write(key + "\n")
        if sentinel.exists() and key in sentinel.read_text().split():
            raise RuntimeError("sentinel: planned failure")
        return real(params, shared)

    monkeypatch.setitem(T.RUNNERS, "fit", runner)
    return log, sentinel


def _lines(path):
    return path.read_text().split() if path.exists() else []


def test_grid_expands_to_stable_keys(study):
    a, b = load_config(study), load_config(study)
    assert len(a.tasks) == 2 * 3 * 2
    assert [t.key for t in a.tasks] == [t.key for t in b.tasks]
    assert len({t.key for t in a.tasks}) == len(a.tasks)
    # the key follows the data: another data file gives other tasks
    (study.parent / "train.csv").write_text("0,1\n1,2\n2,5\n")
    assert not {t.key for t in load_config(study).tasks} & {t.key for t in a.tasks}


def test_interrupted_sweep_resumes_without_redoing_tasks(study, client, counted, tmp_path):
    log, _ = counted
    out = tmp_path / "out"

    def stop_after_5(record, done, todo):
        if done == 5:
            raise KeyboardInterrupt  # the coordinator dies half-way

    with pytest.raises(KeyboardInterrupt):
        run_sweep(study, out, client=client, on_record=stop_after_5)
    first = read_results(out / "results.jsonl").records
    assert len(first) == 5 and all(r["status"] == "ok" for r in first.values())
    log.write_text("")
    s = run_sweep(study, out, client=client)
    redone = set(_lines(log))
    assert s.already == 5 and s.ran == 12 - 5 and s.ok == 7
    assert not redone & set(first)  # no finished task ran again
    assert redone == {t.key for t in load_config(study).tasks} - set(first)
    final = read_results(out / "results.jsonl")
    assert len(final.records) == 12 and not final.skipped
    # and the fits are the ones the estimator gives here
    rec = next(r for r in final.records.values()
               if r["params"] == {**r["params"], "activation": "relu(z)", "width": "inf",
                                  "ridge": 0.0})
    X, y = actdesign.fit.read_training_csv(study.parent / "train.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", actdesign.fit.LowRankWarning)
        m = actdesign.fit.RadonSplineRegressor("relu(z)", width="inf", seed=0).fit(X, y)
    assert abs(rec["result"]["train_rmse"] - m.train_rmse_) <= 1e-12 + 1e-9 * m.train_rmse_
    # a third run does nothing
    log.write_text("")
    s = run_sweep(study, out, client=client)
    assert s.ran == 0 and s.already == 12 and _lines(log) == []


def test_failures_are_recorded_per_task_and_retried_on_request(study, client, counted, tmp_path):
    log, sentinel = counted
    tasks = load_config(study).tasks
    bad = {tasks[1].key, tasks[6].key}
    sentinel.write_text("\n".join(bad))
    out = tmp_path / "out"
    s = run_sweep(study, out, client=client)
    assert (s.ok, s.failed) == (10, 2)
    recs = read_results(out / "results.jsonl").records
    assert {k for k, r in recs.items() if r["status"] == "error"} == bad
    assert all(recs[k]["error"] == "RuntimeError: sentinel: planned failure" for k in bad)
    log.write_text("")
    assert run_sweep(study, out, client=client).ran == 0  # recorded failures are skipped
    sentinel.write_text("")
    s = run_sweep(study, out, client=client, retry_failed=True)
    assert set(_lines(log)) == bad and s.ok == 2
    assert all(r["status"] == "ok" for r in read_results(out / "results.jsonl").records.values())


def test_torn_final_line_is_skipped_and_its_task_rerun(study, client, counted, tmp_path):
    log, _ = counted
    out = tmp_path / "out"
    run_sweep(study, out, client=client)
    path = out / "results.jsonl"
    lines = path.read_bytes().split(b"\n")[:-1]
    torn_key = json.loads(lines[-1])["key"]
    path.write_bytes(b"\n".join(lines[:-1]) + b"\n" + lines[-1][: len(lines[-1]) // 2])
    got = read_results(path)
    assert len(got.records) == 11 and got.skipped == [(12, "torn final line (no newline)")]
    log.write_text("")
    s = run_sweep(study, out, client=client)
    assert _lines(log) == [torn_key] and s.ran == 1
    again = read_results(path)
    assert len(again.records) == 12 and again.skipped == [(12, "not JSON")]


def test_writer_writes_whole_lines_and_cleans_values(tmp_path):
    p = tmp_path / "r.jsonl"
    with ResultWriter(p) as w:
        w.append({"key": "a", "x": np.float64(np.nan), "y": np.arange(2), "z": float("inf")})
    assert p.read_text() == '{"key": "a", "x": null, "y": [0, 1], "z": null}\n'


@pytest.mark.parametrize(
    "text,message",
    [
        ("[fit]\ndata='train.csv'\nactivations=['relu(z)']\nwidth=[3]\n", "unknown key 'width'"),
        ("[fits]\n", "unknown table [fits]"),
        ("[fit]\ndata='train.csv'\nactivations=['relu(z)']\nwidths=[0]\n", "positive integer"),
        ("[fit]\ndata='train.csv'\nactivations=['relu(z)']\nridges=-1.0\n", "non-empty list"),
        ("[fit]\ndata='nope.csv'\nactivations=['relu(z)']\n", "not found"),
        ("[fit]\ndata='train.csv'\n", "needs activations"),
        ("[fit]\ndata='train.csv'\nactivations=['__import__(1)']\n", "[fit]"),
        ("[design]\nshapes=['bump']\n", "needs the key 'penalties'"),
        ("[design]\npenalties=['exp(k)']\nshapes=['round']\n", "'bump', 'sigmoid', 'relu'"),
        ("[gallery]\nentries=['no-such-entry']\n", "not in the catalog"),
        ("[sweep]\nname='x'\n", "defines no work"),
        ("[design\npenalties=1\n", "not valid TOML"),
    ],
)
def test_bad_configs_exit_2_with_one_line(study, tmp_path, text, message):
    study.write_text(text)
    res = CliRunner().invoke(main, ["sweep", "--config", str(study), "--out",
                                    str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("actdesign: error:") and "\n" not in err and message in err
    assert not (tmp_path / "o").exists()  # nothing written
    with pytest.raises(SweepConfigError):
        load_config(study)


def test_missing_config_file_and_check_listing(study, tmp_path):
    res = CliRunner().invoke(main, ["sweep", "--config", str(tmp_path / "none.toml"),
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "not found" in res.stderr
    res = CliRunner().invoke(main, ["sweep", "--config", str(study), "--out",
                                    str(tmp_path / "o"), "--check", "--json"])
    assert res.exit_code == 0
    listed = json.loads(res.stdout)
    assert [t["key"] for t in listed["tasks"]] == [t.key for t in load_config(study).tasks]


@pytest.mark.slow
def test_cli_local_scheduler_end_to_end(study, tmp_path):
    # a real LocalCluster of worker processes, started and closed by the command
    study.write_text(GRID.replace('activations = ["relu(z)", "tanh(z)"]',
                                  'activations = ["relu(z)"]\npenalties = ["k^4"]'))
    out = tmp_path / "o"
    args = ["sweep", "--config", str(study), "--out", str(out), "--workers", "2", "--json"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["total"] == summary["ok"] == 12 and summary["failed_keys"] == []
    assert res.stderr.count("[") >= 12  # one progress line per task
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0 and json.loads(res.stdout)["already"] == 12


@pytest.mark.slow
def test_cli_unreachable_scheduler_is_one_line(study, tmp_path):
    res = CliRunner().invoke(main, ["sweep", "--config", str(study), "--out",
                                    str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2 and "cannot reach the dask scheduler" in res.stderr
    assert not (tmp_path / "o").exists()


def test_gallery_task_builds_its_entry_and_reports_problems(tmp_path):
    out = T.run_task("gallery", {"entry": "cauchy"}, {"out": str(tmp_path)})
    assert out["status"] == "ok", out["error"]
    res = out["result"]
    assert res["problems"] == [] and res["missing"] == []
    assert (tmp_path / "gallery" / "cauchy" / "index.html").is_file()
    bad = T.run_task("gallery", {"entry": "no_such_entry"}, {"out": str(tmp_path)})
    assert bad["status"] == "error" and "no_such_entry" in bad["error"]
