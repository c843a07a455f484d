"""Packaging and the set-up scripts: a clean wheel with its data and licence, and a test
command that runs without root (tools/setup_browser.sh)."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP_BROWSER = ROOT / "tools" / "setup_browser.sh"


# --- the wheel --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build a wheel from a copy of the sources (nothing is written into the tree)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("actdesign", "cli"):
        shutil.copytree(ROOT / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    # -v: pip shows the build backend's own output (its warnings) only when verbose
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (path,) = out.glob("actdesign-*.whl")
    return path, run.stdout + run.stderr, src


def test_build_prints_no_backend_or_deprecation_warnings(wheel):
    _, log, _ = wheel
    pattern = r"(?i)deprecat|BuildBackendWarning|SetuptoolsWarning|is absent from|be ignored"
    bad = [line.strip() for line in log.splitlines() if re.search(pattern, line)]
    assert not bad, "\n".join(dict.fromkeys(bad))


def test_wheel_holds_every_module_the_data_and_the_licence(wheel):
    path, _, src = wheel
    names = set(zipfile.ZipFile(path).namelist())
    want = {f"actdesign/{p.relative_to(src / 'actdesign').as_posix()}"
            for p in (src / "actdesign").rglob("*.py")}
    want |= {f"actdesign_cli/{p.relative_to(src / 'cli').as_posix()}"
             for p in (src / "cli").rglob("*.py")}
    # the catalog is data; the gallery's CSS and JS are strings in _assets.py
    want |= {"actdesign/data/catalog.json", "actdesign/gallery/_assets.py"}
    assert not want - names, f"missing from the wheel: {sorted(want - names)}"
    licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert len(licence) == 1
    assert zipfile.ZipFile(path).read(licence[0]) == (ROOT / "LICENSE").read_bytes()


def test_metadata_licence_classifiers_and_light_core(wheel):
    path, _, _ = wheel
    zf = zipfile.ZipFile(path)
    (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
    msg = email.message_from_bytes(zf.read(meta))
    assert msg["License-Expression"] == "MIT"
    assert not any(c.startswith("License ::") for c in msg.get_all("Classifier"))  # PEP 639
    assert msg["Keywords"] and len(msg.get_all("Classifier")) >= 5
    core = [r.split(";")[0] for r in msg.get_all("Requires-Dist") if "extra ==" not in r]
    heavy = {"numba", "finufft", "matplotlib", "torch", "jax"}
    assert not {re.split(r"[<>=\[ ]", r)[0] for r in core} & heavy, core
    extras = set(msg.get_all("Provides-Extra"))
    assert {"fit", "spectrum", "plot", "torch", "jax", "all", "test"} <= extras


def test_licence_file_is_mit_with_the_copyright_line():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 actdesign developers" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


# --- tools/setup_browser.sh without root ------------------------------------------------------
def _fake_bin(tmp_path, uid, sudo=None, apt_rc=0, browser=False):
    """A PATH holding only fakes: id -u prints ``uid``; sudo (if given) exits with its
    status for ``-n true``; apt-get records that it ran."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    scripts = {"id": f"echo {uid}", "apt-get": f"echo \"$@\" >> {tmp_path}/apt.log; exit {apt_rc}"}
    if sudo is not None:
        scripts["sudo"] = f"[ \"$1 $2\" = '-n true' ] && exit {sudo}; shift; exec \"$@\""
    if browser:
        scripts["chromium"] = scripts["chromedriver"] = "exit 0"
    for name, body in scripts.items():
        (bin_ / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (bin_ / name).chmod(0o755)
    return bin_


def _run_setup(bin_):
    return subprocess.run([shutil.which("bash"), str(SETUP_BROWSER)], env={"PATH": str(bin_)},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("sudo", [None, 1], ids=["no-sudo", "sudo-needs-password"])
def test_setup_browser_without_root_exits_0_and_says_why(tmp_path, sudo):
    run = _run_setup(_fake_bin(tmp_path, uid=1000, sudo=sudo))
    assert run.returncode == 0, run.stderr
    assert "cannot install chromium" in run.stderr and "not root" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "apt.log").exists()  # nothing was attempted


def test_setup_browser_is_a_no_op_when_both_are_present(tmp_path):
    run = _run_setup(_fake_bin(tmp_path, uid=1000, browser=True))
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.parametrize("uid,sudo", [(0, None), (1000, 0)], ids=["root", "passwordless-sudo"])
def test_setup_browser_installs_when_it_can_and_a_failed_install_fails(tmp_path, uid, sudo):
    run = _run_setup(_fake_bin(tmp_path, uid=uid, sudo=sudo, apt_rc=100))
    assert run.returncode != 0  # a broken install where one was possible is not hidden
    assert (tmp_path / "apt.log").read_text().startswith("update")


def test_test_command_prints_skip_reasons():
    # the browser tests skip with the script's reason where chromium cannot be installed;
    # -rs puts that reason on pytest's summary line
    text = (ROOT / "tools" / "test.sh").read_text()
    (line,) = [ln for ln in text.splitlines() if "-m pytest" in ln]
    assert re.search(r"\s-r[a-zA-Z]*s", line), line
