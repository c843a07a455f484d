"""`actdesign gallery` list / show / build / serve, and the `actdesign make` commands the
gallery pages print."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign
import actdesign.gallery
from actdesign import catalog


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_list_text_and_json():
    text = run("gallery", "list")
    assert text.exit_code == 0
    assert len(text.output.strip().splitlines()) == len(catalog.entries())
    res = run("gallery", "list", "--json")
    assert res.exit_code == 0
    records = json.loads(res.output)
    assert isinstance(records, list) and len(records) == len(catalog.entries())
    by = {r["name"]: r for r in records}
    assert by["relu"]["penalty"] == "k^4" and by["relu"]["phi"] == "max(0, z)"
    assert by["relu"]["family"] == "relu" and "integral phi(z)" in by["relu"]["convention"]
    assert all({"name", "family", "penalty", "phi"} <= set(r) for r in records)


def test_show_prints_the_entry():
    res = run("gallery", "show", "wavepacket")
    assert res.exit_code == 0
    for text in ("Wavepacket", "bandpass", "exp(-z^2/2)*cos(3*z)", "actdesign make --penalty",
                 "WIRE", "convention: F[phi](k)"):
        assert text in res.output


@pytest.mark.parametrize("args", [("gallery", "show", "nope"),
                                  ("gallery", "build", "--only", "relu,nope"),
                                  ("gallery", "build", "--only", ","),
                                  ("gallery", "build", "--jobs", "0")])
def test_bad_input_is_one_line_and_exit_2(args, tmp_path):
    res = run(*args, *(["--out", str(tmp_path / "s")] if "build" in args else []))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert not (tmp_path / "s").exists()


def _fake_build(calls, **fields):
    def fake(out_dir, names=None, jobs=2, progress=True, force=False):
        calls.append(dict(out_dir=out_dir, names=names, jobs=jobs, force=force))
        return actdesign.gallery.BuildResult(out_dir=Path(out_dir), **fields)
    return fake


def test_build_passes_options_and_reports(monkeypatch, tmp_path):
    calls = []
    fake = _fake_build(calls, built=["relu"], cached=["tanh"])
    monkeypatch.setattr(actdesign.gallery, "build", fake)
    res = run("gallery", "build", "--out", str(tmp_path), "--only", "relu,tanh", "--jobs", "3",
              "--force")
    assert res.exit_code == 0, res.output
    assert calls == [dict(out_dir=str(tmp_path), names=["relu", "tanh"], jobs=3, force=True)]
    assert "1 built, 1 cached, 0 failed" in res.output and "convention:" in res.output


def test_build_exit_1_when_a_section_failed(monkeypatch, tmp_path):
    monkeypatch.setattr(actdesign.gallery, "build",
                        _fake_build([], built=["step"], problems={"step": ["gain: boom"]}))
    res = run("gallery", "build", "--out", str(tmp_path))
    assert res.exit_code == 1
    assert "problem step: gain: boom" in res.output


def test_serve_binds_localhost_and_serves(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>hello gallery")
    with subprocess.Popen([sys.executable, "-m", "actdesign_cli.main", "gallery", "serve",
                           "--dir", str(tmp_path), "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            line = proc.stdout.readline()
            assert "http://127.0.0.1:" in line, line
            url = line.split()[3]
            deadline = time.time() + 20
            while True:
                try:
                    with urllib.request.urlopen(url + "index.html", timeout=5) as resp:
                        body = resp.read().decode()
                    break
                except OSError:
                    assert time.time() < deadline
                    time.sleep(0.2)
            assert "hello gallery" in body
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_serve_without_a_site_is_exit_2(tmp_path):
    res = run("gallery", "serve", "--dir", str(tmp_path / "none"))
    assert res.exit_code == 2 and "gallery build --out" in res.output


# --- the make commands printed on the pages ------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "logistic", "design_cauchy_2d", "sigmoid_gauss", "gelu"])
def test_page_make_command_reproduces_the_entry(name, tmp_path):
    entry = catalog.get(name)
    argv = shlex.split(entry.make_command())
    assert argv[:2] == ["actdesign", "make"]
    res = run(*argv[1:], "--out", str(tmp_path), "--json")
    assert res.exit_code == 0, res.output
    spec = json.loads(res.output.strip().splitlines()[-1])
    assert (tmp_path / f"{name}_torch.py").is_file() and (tmp_path / f"{name}_jax.py").is_file()
    made = actdesign.load(tmp_path / f"{name}.json")
    assert spec["penalty"] == entry.penalty and made.dim == entry.dim and made.shape == entry.shape
    # these entries' closed forms are exactly the representative `make` returns (a numeric
    # design, GELU's, is held to 1e-8 absolute: its error estimate is ~1e-9)
    z = np.linspace(-7.3, 9.1, 301)
    atol = 1e-12 if made.method == "table" else 1e-8
    expected = actdesign.from_expression(entry.phi)(z)
    np.testing.assert_allclose(made(z), expected, rtol=1e-9, atol=atol)


def test_gallery_import_is_light():
    code = ("import sys, json, actdesign.gallery, actdesign_cli._gallery; "
            "print(json.dumps([m for m in ('matplotlib', 'torch', 'jax', 'numba', 'selenium') "
            "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_build_reports_progress_on_stderr_in_a_log(monkeypatch, tmp_path, capsys):
    # issue 17: the build was silent when stderr is not a terminal (136 s in a CI log);
    # it now reports through actdesign.infra._progress (tests/test_progress.py tests the bar)
    from actdesign.gallery import _build
    from actdesign.infra import _progress

    clock = iter(float(t) for t in range(0, 1000, 3))  # each look at the clock: +3 s
    monkeypatch.setattr(_progress, "_clock", lambda: next(clock))
    monkeypatch.setattr(_build, "_work", lambda name, out: ({"name": name}, None))
    monkeypatch.setenv("ACTDESIGN_PROGRESS", "1")
    todo = [(catalog.get(n), "key") for n in ("relu", "softplus")]
    done = [name for name, *_ in _build._run(todo, tmp_path, 1, True)]
    cap = capsys.readouterr()
    assert done == ["relu", "softplus"] and cap.out == ""
    lines = cap.err.splitlines()
    assert lines[0].startswith("gallery: entries: 1/2 entry (50%)") and "- relu" in lines[0]
    assert lines[-1].startswith("gallery: entries: 2/2 entry (100%)") and ", done" in lines[-1]
    assert list(_build._run(todo, tmp_path, 1, False)) and capsys.readouterr().err == ""
