"""Output paths (issues 17 and 18): every command that writes refuses a file in the way,
a name that is too long or collides after normalisation, and an existing file without
--force -- in one line, exit 2, before any work and with nothing written -- and `make`
succeeds when what it would write is already there, byte for byte."""

import os
from pathlib import Path

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner

from actdesign.atomic import write_atomic
from actdesign.infra.files._outputs import NAME_CHARS, check_name, check_outputs


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, [str(a) for a in args])
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


def refused(r, *words):
    """Exit 2 with one error line (no traceback) that holds ``words``."""
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actdesign: error:"), r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict:
    """Every entry under ``folder`` (hidden ones included) with its bytes."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def data(tmp_path):
    x = np.linspace(-1, 1, 24)
    path = tmp_path / "train.csv"
    path.write_text("".join(f"{a:.17g},{np.sin(3 * a):.17g}\n" for a in x))
    test = tmp_path / "test.csv"
    test.write_text("".join(f"{a:.17g}\n" for a in x[::5] + 0.01))
    return path, test


# --- make: the README's first command twice; identical files are fine ---------------------
def test_readme_make_twice_succeeds_and_leaves_the_file_alone(tmp_path):
    first = run("make", "--penalty", "exp(k)", cwd=tmp_path)
    assert first.exit_code == 0, first.output
    spec = tmp_path / "out" / "exp_k.json"
    before = (spec.read_bytes(), spec.stat().st_mtime_ns)
    again = run("make", "--penalty", "exp(k)", cwd=tmp_path)
    assert again.exit_code == 0, again.output  # today: "out/exp_k.json exist(s); pass --force"
    assert (spec.read_bytes(), spec.stat().st_mtime_ns) == before
    assert sorted(os.listdir(spec.parent)) == ["exp_k.json"]  # and no temporaries


def test_make_refuses_a_set_that_would_change_and_writes_nothing(tmp_path):
    assert run("make", "--penalty", "exp(k)", "--out", tmp_path, "--export", "torch").exit_code == 0
    spec = tmp_path / "exp_k.json"
    spec.write_text(spec.read_text().replace('"dim": 1', '"dim": 1 '))  # a hand edit
    before = snapshot(tmp_path)
    r = run("make", "--penalty", "exp(k)", "--out", tmp_path, "--export", "torch,jax")
    line = refused(r, str(spec), "--force")
    assert "exp_k_torch.py" not in line  # identical: not in the way
    assert snapshot(tmp_path) == before  # not even the new exp_k_jax.py
    assert run("make", "--penalty", "exp(k)", "--out", tmp_path, "--export", "torch,jax",
               "--force").exit_code == 0
    assert '"dim": 1 ' not in spec.read_text() and (tmp_path / "exp_k_jax.py").is_file()


# --- make: names --------------------------------------------------------------------------
def test_make_checks_the_export_path_it_really_writes(tmp_path):
    # --name Foo exports to the snake-cased foo_torch.py; today only Foo_torch.py is checked
    mine = tmp_path / "foo_torch.py"
    mine.write_text("# my own module\n")
    r = run("make", "--penalty", "exp(k)", "--name", "Foo", "--out", tmp_path, "--export", "torch")
    refused(r, str(mine), "--force")
    assert mine.read_text() == "# my own module\n"
    assert not (tmp_path / "Foo.json").exists()


def test_make_refuses_names_without_ascii_letters(tmp_path):
    # both would export to activation_torch.py, the second over the first
    for name in ("é", "ü"):
        r = run("make", "--penalty", "exp(k)", "--name", name, "--out", tmp_path / "o",
                "--export", "torch")
        refused(r, "--name", "activation")
    assert not (tmp_path / "o").exists()
    assert run("make", "--penalty", "exp(k)", "--name", "activation", "--out",
               tmp_path / "o").exit_code == 0  # said explicitly: allowed


def test_make_refuses_a_long_name_and_leaves_no_folder(tmp_path):
    r = run("make", "--penalty", "exp(k)", "--name", "a" * 300, "--out", tmp_path / "o")
    refused(r, "--name", str(NAME_CHARS))  # today: OSError (name too long), empty folder left
    assert not (tmp_path / "o").exists()
    assert check_name("a" * NAME_CHARS) == "a" * NAME_CHARS  # the limit itself is fine


def test_file_names_longer_than_the_filesystem_allows_are_refused(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")  # the filesystem's own NAME_MAX
    with pytest.raises(Exception, match="shorter name"):
        check_outputs([tmp_path / ("p" * limit + ".csv")])
    r = run("spectrum", "--function", "sin(x)", "--plot", tmp_path / ("p" * limit + ".png"))
    refused(r, "--plot", "shorter name")


# --- a regular file where a folder should be ------------------------------------------
def test_every_writer_refuses_a_file_in_the_way(tmp_path, data):
    train, test = data
    block = tmp_path / "block"
    block.write_text("a file\n")
    below = block / "sub"
    cases = [
        ("make", "--penalty", "exp(k)", "--out", below),
        ("choose", "--data", train, "--out", below, "--max-points", 8),
        ("gallery", "build", "--out", below, "--only", "relu"),
        ("fit", "--data", train, "--activation", "relu(z)", "--width", 8, "--predict", test,
         "--out", below / "p.csv"),
        ("swim", "--data", train, "--widths", 4, "--predict", test, "--out", below / "p.csv"),
        ("spectrum", "--function", "sin(x)", "--plot", below / "s.png"),
        ("adaptive", "--data", train, "--epochs", 1, "--width", 4, "--plot", below / "a.png"),
        ("sweep", "--config", tmp_path / "none.toml", "--out", below),
    ]
    (tmp_path / "none.toml").write_text('[sweep]\nname = "t"\n[design]\npenalties = ["exp(k)"]\n')
    for args in cases:
        refused(run(*args), str(block), "not a folder")
    assert block.read_text() == "a file\n"


# --- existing outputs need --force ------------------------------------------------------
def _writers(tmp_path, train, test):
    return {
        "fit": (["fit", "--data", train, "--activation", "relu(z)", "--width", 16, "--seed", 0,
                 "--predict", test, "--out"], tmp_path / "fit.csv"),
        "swim": (["swim", "--data", train, "--widths", 8, "--predict", test, "--out"],
                 tmp_path / "swim.csv"),
        "spectrum": (["spectrum", "--function", "sin(2*pi*5*x)", "--n", 256, "--plot"],
                     tmp_path / "spec.png"),
        "adaptive": (["adaptive", "--data", train, "--epochs", 2, "--width", 4,
                      "--record-every", 1, "--plot"], tmp_path / "adapt.png"),
    }


@pytest.mark.parametrize("command", ["fit", "swim", "spectrum", "adaptive"])
def test_existing_output_is_refused_without_force(tmp_path, data, command):
    args, target = _writers(tmp_path, *data)[command]
    target.write_bytes(b"precious\n")
    refused(run(*args, target), str(target), "--force")  # today: overwritten, exit 0
    assert target.read_bytes() == b"precious\n"
    r = run(*args, target, "--force")
    assert r.exit_code == 0, r.output
    assert target.read_bytes() != b"precious\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_gallery_refuses_a_folder_that_is_not_a_gallery(tmp_path, monkeypatch):
    import actdesign.gallery

    calls = []
    monkeypatch.setattr(actdesign.gallery, "build", lambda *a, **k: calls.append(a))
    (tmp_path / "index.html").write_text("my own site\n")
    refused(run("gallery", "build", "--out", tmp_path, "--only", "relu"), "no gallery", "--force")
    assert calls == [] and sorted(os.listdir(tmp_path)) == ["index.html"]


def test_outputs_of_one_call_must_differ(tmp_path):
    with pytest.raises(Exception, match="same file"):
        check_outputs([tmp_path / "a.json", tmp_path / "b.json", tmp_path / "A.json"])


def test_write_errors_name_the_target_not_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "spec.json"

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Exception) as err:
        write_atomic(target, "{}\n")
    assert str(target) in str(err.value) and ".tmp" not in str(err.value)
    assert "No space left" in str(err.value)
    assert os.listdir(tmp_path) == []  # the temporary is removed
