"""`make` writes its set (spec, exports, plot) all at once (issue 18): a process killed at
any moment leaves the old set or the new set -- never new exports beside an old spec --
and, once the folder is next used (a later `make`, `actdesign.load`), no temporaries.

Kills are injected two ways: deterministically, by a forked child that dies with
``os._exit`` right after its N-th rename (every step of the switch-over, N = 0, 1, ...),
and at random times with SIGKILL on a real ``actdesign make`` subprocess.
"""

import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from actdesign_cli._make import write_make_set

import actdesign
from actdesign import atomic

OLD, NEW = "exp(k)", "exp(2*k)"  # two designs written under one name: same files, new bytes
ARGS = ["--name", "act", "--export", "torch,jax", "--png"]


def visible(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def hidden(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """The old and the new set's files, as `make` writes them into an empty folder."""
    out = {}
    for key, penalty in (("old", OLD), ("new", NEW)):
        folder = tmp_path_factory.mktemp(key)
        act = actdesign.design(penalty, name="act")
        write_make_set(act, folder, ["torch", "jax"], True, force=False)
        out[key] = visible(folder)
    assert out["old"].keys() == out["new"].keys() and len(out["old"]) == 4
    assert all(out["old"][n] != out["new"][n] for n in out["old"])  # every file changes
    return out


def with_old_set(folder: Path, sets) -> Path:
    folder.mkdir()
    for name, data in sets["old"].items():
        (folder / name).write_bytes(data)
    return folder


def which(folder: Path, sets) -> str:
    now = visible(folder)
    for key in ("old", "new"):
        if now == sets[key]:
            return key
    mixed = sorted(n for n in now if now[n] != sets["old"].get(n))
    raise AssertionError(f"a mix of old and new files (new: {mixed})")


def _crash_after(n: int, folder: Path) -> int:
    """Fork a child that writes the new set and dies (like kill -9: no cleanup) right
    after its n-th rename; return the child's exit status (0: it finished first)."""
    act = actdesign.design(NEW, name="act")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
        # JAX, when an earlier test in this worker imported it, warns at every fork; the
        # child only writes files and never calls JAX
        warnings.simplefilter("ignore", RuntimeWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        calls = [0]
        real_replace, real_rename = os.replace, os.rename

        def counted(real):
            def op(*a, **k):
                real(*a, **k)
                calls[0] += 1
                if calls[0] > n:
                    os._exit(9)
            return op

        os.replace, os.rename = counted(real_replace), counted(real_rename)
        try:
            write_make_set(act, folder, ["torch", "jax"], True, force=True)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)  # a child stuck on a lock inherited from a thread
    os.waitpid(pid, 0)
    raise AssertionError(f"the forked writer (crash after rename {n}) did not finish in 120 s")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_kill_after_every_rename_leaves_old_or_new(tmp_path, sets):
    seen, n = [], 0
    while True:
        folder = with_old_set(tmp_path / f"t{n}", sets)
        status = _crash_after(n, folder)
        before = which(folder, sets) if not any(h.startswith(".actdesign-commit-")
                                                for h in hidden(folder)) else "committed"
        atomic.recover(folder)  # what the next make or load does first
        after = which(folder, sets)
        assert hidden(folder) == [], (n, hidden(folder))
        assert after == ("new" if before == "committed" else before)
        seen.append(after)
        if status == 0:
            break
        n += 1
    # the kills covered staging (old set kept) and the switch-over (new set completed)
    assert seen[0] == "old" and seen[-1] == "new" and n >= 8, seen
    assert sum(s == "new" for s in seen) >= 5  # the commit and each move of the 4 files


def test_a_failure_while_staging_leaves_the_old_set_and_no_temporaries(tmp_path, sets,
                                                                        monkeypatch):
    folder = with_old_set(tmp_path / "f", sets)
    import actdesign_cli._make as make_cli

    def broken_plot(act, path):
        path.write_bytes(b"half a png")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(make_cli, "_plot", broken_plot)
    act = actdesign.design(NEW, name="act")
    with pytest.raises(actdesign.ActdesignError) as err:
        write_make_set(act, folder, ["torch", "jax"], True, force=True)
    assert str(folder) in str(err.value) and "No space left" in str(err.value)
    assert ".actdesign" not in str(err.value) and ".tmp" not in str(err.value)
    assert which(folder, sets) == "old" and hidden(folder) == []


def test_load_completes_a_committed_set(tmp_path, sets):
    folder = with_old_set(tmp_path / "f", sets)
    commit = folder / ".actdesign-commit-999999999-abc"  # a dead writer's commit
    commit.mkdir()
    for name in ("act.json", "act_torch.py"):
        (folder / name).write_bytes(sets["new"][name])  # already moved
    for name in ("act_jax.py", "act.png"):
        (commit / name).write_bytes(sets["new"][name])
    (folder / ".act.json.actdesign-999999999-x.tmp").write_text("stale")
    act = actdesign.load(folder / "act.json")
    assert act.penalty_text == NEW and which(folder, sets) == "new" and hidden(folder) == []


def test_recover_leaves_a_live_writer_alone(tmp_path):
    live = tmp_path / f".actdesign-stage-{os.getpid()}-abc"
    live.mkdir()
    assert atomic.recover(tmp_path) == [] and live.is_dir()


# --- kill -9 of a real `actdesign make` at random times -----------------------------------
def _cli():
    return [sys.executable, "-c", "import sys; from actdesign_cli.main import main; "
            "sys.argv[0] = 'actdesign'; main()"]


def _writing(folder: Path, proc, old: dict, limit=120.0) -> None:
    """Wait until ``proc`` starts writing in ``folder`` (a new hidden entry, or a file
    that changed), or ends."""
    t0 = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - t0 < limit:
        if hidden(folder) or visible(folder) != old:
            return
        time.sleep(0.001)


def _kill_trials(tmp_path, sets, trials, seed, *, span=None):
    """Kill ``trials`` runs of `actdesign make` with SIGKILL: at a random fraction of a
    whole run's time ``span`` (measured here first) or, without it, at a random moment
    of up to 0.5 s after the run starts writing its files."""
    rng = random.Random(seed)
    env = {**os.environ, "ACTDESIGN_PROGRESS": "0"}
    cmd = _cli() + ["make", "--penalty", NEW, *ARGS, "--force", "--out"]
    if span is not None:
        folder = with_old_set(tmp_path / "timing", sets)
        t0 = time.perf_counter()
        subprocess.run(cmd + [str(folder)], env=env, check=True, capture_output=True,
                       timeout=300)
        span = time.perf_counter() - t0  # one whole run, on this machine as loaded as now
    outcomes = []
    for i in range(trials):
        folder = with_old_set(tmp_path / f"k{i}", sets)
        proc = subprocess.Popen(cmd + [str(folder)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if span is None:
            _writing(folder, proc, sets["old"])
            time.sleep(rng.uniform(0.0, 0.5))
        else:
            time.sleep(rng.uniform(0.2, 1.0) * span)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        left = hidden(folder)
        if not any(h.startswith(".actdesign-commit-") for h in left):
            assert which(folder, sets) in ("old", "new")  # before any recovery
        atomic.recover(folder)  # what the next make or load does first
        when = " (had finished)" if finished else " (killed while writing)" if left else ""
        outcomes.append(which(folder, sets) + when)
        assert hidden(folder) == [], hidden(folder)
    return outcomes


def test_kill_9_during_make_a_few_trials(tmp_path, sets):
    _kill_trials(tmp_path, sets, trials=2, seed=1)  # each trial asserts old-or-new


@pytest.mark.slow
def test_kill_9_during_make_50_trials(tmp_path, sets):
    outcomes = _kill_trials(tmp_path, sets, trials=50, seed=2026, span=True)
    counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
    print(f"kill -9 outcomes over 50 trials: {counts}")
    # the random times reached both sides of the switch-over
    assert {o.split()[0] for o in outcomes} == {"old", "new"}, counts


def test_a_killed_single_file_write_is_cleaned_by_the_next_write(tmp_path):
    target = tmp_path / "pred.csv"
    stale = tmp_path / ".pred.csv.actdesign-999999999-abcd.tmp"  # a dead writer's temporary
    stale.write_text("half")
    atomic.write_atomic(target, "1\n")
    assert sorted(os.listdir(tmp_path)) == ["pred.csv"]
