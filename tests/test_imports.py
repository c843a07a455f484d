"""`import actdesign` stays light: heavy packages load only where used."""

import subprocess
import sys

HEAVY = ("numba", "matplotlib", "torch", "jax", "cupy")


def test_import_is_light():
    code = ("import sys, actdesign; a = actdesign.from_expression('tanh(z)'); "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_design_and_cli_make_do_not_load_heavy_packages():
    code = ("import sys, actdesign; actdesign.design('exp(k)'); import actdesign_cli._make; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
