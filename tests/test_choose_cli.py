"""`actdesign choose` through click's CliRunner."""

import json

import numpy as np
import pytest
from actdesign_cli.main import main
from click.testing import CliRunner
from scipy.spatial.distance import cdist

import actdesign
from actdesign.choose import poisson


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(11)
    X = rng.uniform(0, 15, (150, 1))
    C = poisson(cdist(X, X), 0.5, 1) / poisson(0.0, 0.5, 1)
    y = np.linalg.cholesky(C + 1e-12 * np.eye(150)) @ rng.standard_normal(150)
    y = y + 1e-2 * rng.standard_normal(150)
    path = tmp_path_factory.mktemp("choose") / "train.csv"
    path.write_text("x1,y\n" + "".join(f"{a:.17g},{b:.17g}\n" for a, b in zip(X[:, 0], y)))
    return path, X, y


def run(*args):
    return CliRunner().invoke(main, ["choose", *map(str, args)])


def test_json_matches_the_library_and_files_reload(data, tmp_path):
    path, X, y = data
    r = run("--data", path, "--family", "exp", "--out", tmp_path / "o", "--export", "torch",
            "--json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    lib = actdesign.choose_penalty(X, y, "exp")
    assert rec["penalty"] == lib.penalty and rec["family"] == "exp"
    assert abs(rec["params"]["a"] / 0.5 - 1) < 0.15
    assert rec["convention"] == actdesign.CONVENTION
    spec, torch_file, choice = map(tmp_path.joinpath, ["o/" + p for p in (
        f"{lib.activation.name}.json", f"{lib.activation.name}_torch.py", "choice.json")])
    assert sorted(rec["files"]) == sorted(map(str, (spec, torch_file, choice)))
    z = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(actdesign.load(spec)(z), lib.activation(z), rtol=1e-12)
    assert torch_file.is_file()
    assert json.loads(choice.read_text())["penalty"] == lib.penalty
    # a second run refuses to overwrite, in one line, exit status 2
    again = run("--data", path, "--family", "exp", "--out", tmp_path / "o")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_text_output_names_every_family_and_the_convention(data):
    path, _, _ = data
    r = run("--data", path, "--family", "exp", "--family", "gauss", "--max-points", "60")
    assert r.exit_code == 0, r.output
    for word in ("chosen", "exp", "gauss", "activation", "convention", "subset of 60"):
        assert word in r.output


@pytest.mark.parametrize("args,message", [
    (["--fix", "p"], "NAME=NUMBER"),
    (["--family", "exp", "--fix", "q=1"], "not a parameter"),
    (["--export", "torch"], "--export needs --out"),
    (["--export", "onnx", "--out", "x"], "unknown export backend"),
])
def test_bad_options_exit_2_in_one_line(data, args, message):
    path, _, _ = data
    r = run("--data", path, *args)
    assert r.exit_code == 2 and message in r.stderr, r.output


def test_bad_files_exit_2(tmp_path):
    r = run("--data", tmp_path / "missing.csv")
    assert r.exit_code == 2 and "not found" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n2,nan\n")
    r = run("--data", bad)
    assert r.exit_code == 2 and "not finite" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
