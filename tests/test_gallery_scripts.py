"""The gallery/ scripts run end to end and write their figures (each well under two minutes).

Their wall times are measured by running them (see the closing line each prints), not
asserted here: a timed test on a shared 2-core machine is noise.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[1] / "gallery"
SCRIPTS = sorted(p.name for p in GALLERY.glob("*.py") if p.name != "spectral_common.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs_and_writes_its_figure(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run([sys.executable, str(GALLERY / script), str(tmp_path / "out")],
                          cwd=GALLERY, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = list((tmp_path / "out").glob("*.png"))
    assert figures and all(f.stat().st_size > 10_000 for f in figures), proc.stdout[-2000:]
