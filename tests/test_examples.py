"""The examples/ scripts run end to end and write their figures (each well under two minutes).

Their wall times are measured by running them (see the closing line each prints), not
asserted here: a timed test on a shared 2-core machine is noise.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# spectral_common.py and _out.py are helpers the scripts import, not scripts
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py")
                 if p.name != "spectral_common.py" and not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs_and_writes_its_figure(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), str(tmp_path / "out")],
                          cwd=EXAMPLES, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = list((tmp_path / "out").glob("*.png"))
    assert figures and all(f.stat().st_size > 10_000 for f in figures), proc.stdout[-2000:]


# the scripts whose output folder is chosen by an `out_dir` function; init_* read sys.argv
OUT_DIR_ARG = {"adaptive_clusters.py": True, "image_nystrom.py": True,
               "spectral_common.py": True, "init_go.py": False, "init_swim.py": False,
               "init_varflow.py": False}


@pytest.mark.parametrize("script", sorted(OUT_DIR_ARG))
def test_output_folder_env_vars_and_default(script, tmp_path, monkeypatch):
    # a copy under tmp_path/examples/, so that the default folder (next to the script) is
    # created there and not in the repository
    import importlib.util
    import shutil

    here = tmp_path / "examples"
    here.mkdir()
    shutil.copy(EXAMPLES / script, here / script)
    shutil.copy(EXAMPLES / "_out.py", here / "_out.py")  # the one rule every script imports
    monkeypatch.syspath_prepend(str(here))
    monkeypatch.delitem(sys.modules, "_out", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    spec = importlib.util.spec_from_file_location(f"example_{script[:-3]}", here / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", [script])
    monkeypatch.chdir(tmp_path)

    def out_dir():
        return module.out_dir(None) if OUT_DIR_ARG[script] else module.out_dir()

    monkeypatch.setenv("ACTDESIGN_EXAMPLES_OUT", str(tmp_path / "new"))
    monkeypatch.setenv("ACTDESIGN_GALLERY_OUT", str(tmp_path / "old"))
    assert out_dir() == tmp_path / "new" and (tmp_path / "new").is_dir()
    monkeypatch.delenv("ACTDESIGN_EXAMPLES_OUT")  # the name from before the move still works
    assert out_dir() == tmp_path / "old" and (tmp_path / "old").is_dir()
    monkeypatch.delenv("ACTDESIGN_GALLERY_OUT")
    assert out_dir().resolve() == (here / "out").resolve() and (here / "out").is_dir()
    assert not (tmp_path / "gallery").exists()
