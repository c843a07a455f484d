"""One validation layer for spec files, sweep configs and gallery caches (issue 18): a schema
as data, size and depth checked before json/tomllib recurse; every bad file is a one-line
error (exit 2 in the CLI), never AttributeError, OverflowError or RecursionError."""

import json

import pytest
from click.testing import CliRunner

import actdesign
from actdesign.gallery._build import _read_cache
from actdesign.infra._errors import ActdesignError, SpecError
from actdesign.infra.files import _filelimits
from actdesign.sweep import SweepConfigError, load_config
from cli.main import main

SPEC = {
    "format": 1, "name": "cauchy", "penalty": "exp(2*k)", "rho": "exp(2*Abs(k))", "dim": 1,
    "shape": "bump", "method": "table", "phi": "1/(pi*(z**2 + 1))", "tabulation": None,
    "max_abs_error": 0.0, "null_space": 0, "notes": [],
}
TAB = {"knots": [0.0, 1.0], "coeffs": [[0.0, 1.0], [0.0, 1.0]],
       "left": {"c": 0.0}, "right": {"c": 0.0}}


def _write(tmp_path, record=None, text=None):
    path = tmp_path / "spec.json"
    path.write_text(text if text is not None else json.dumps(record))
    return path


def test_valid_spec_still_loads(tmp_path):
    act = actdesign.load(_write(tmp_path, SPEC))
    assert act.name == "cauchy" and act.null_space == 0


@pytest.mark.parametrize("field, value, words", [
    ("tabulation", {**TAB, "left": "abc"}, "tabulation"),  # AttributeError before
    ("null_space", None, "null_space"),  # 1e999 -> inf: OverflowError before (text below)
    ("dim", 10**6, "dim"),
    ("shape", "zigzag", "shape"),
    ("notes", "not a list", "notes"),
    ("name", ["x"], "name"),
])
def test_bad_field_is_a_spec_error_naming_it(tmp_path, field, value, words):
    if field == "null_space":
        path = _write(tmp_path, text=json.dumps(SPEC).replace('"null_space": 0',
                                                              '"null_space": 1e999'))
    else:
        path = _write(tmp_path, {**SPEC, field: value})
    with pytest.raises(SpecError, match=words) as info:
        actdesign.load(path)
    assert "\n" not in str(info.value)


def test_deeply_nested_spec_is_refused_before_parsing(tmp_path):
    deep = 100_000  # json.loads raises RecursionError at this depth
    path = _write(tmp_path, text='{"format": 1, "notes": ' + "[" * deep + "]" * deep + "}")
    with pytest.raises(SpecError, match=f"nests {deep + 1} levels"):
        actdesign.load(path)


def test_brackets_inside_strings_do_not_count(tmp_path):
    text = json.dumps({**SPEC, "notes": ["[" * 500 + '\\"{'], "name": "]]]]"})
    assert _filelimits.nesting_depth(text, "json") == 2
    assert actdesign.load(_write(tmp_path, text=text)).name == "]]]]"


def test_oversized_file_is_refused_by_its_size(tmp_path, monkeypatch):
    monkeypatch.setitem(_filelimits.LIMITS, "spec", _filelimits.Limits(100, 32))
    path = _write(tmp_path, {**SPEC, "notes": ["x" * 200]})
    with pytest.raises(SpecError, match="over the 100-byte limit"):
        actdesign.load(path)


def test_cli_bad_spec_exits_2_with_one_line(tmp_path):
    path = _write(tmp_path, {**SPEC, "tabulation": {**TAB, "right": "abc"}})
    res = CliRunner().invoke(main, ["analyze", "--spec", str(path)])
    assert res.exit_code == 2, res.output
    assert len(res.output.strip().splitlines()) == 1 and "tabulation" in res.output


def test_sweep_toml_nested_50000_deep_is_one_line(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('[sweep]\nname = "x"\n[design]\npenalties = ' + "[" * 50_000 + "]" * 50_000)
    with pytest.raises(SweepConfigError, match="nests 50000 levels") as info:
        load_config(path)
    assert "\n" not in str(info.value)
    res = CliRunner().invoke(main, ["sweep", "--config", str(path), "--check"])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output


def test_toml_comments_and_literal_strings_do_not_count():
    text = "a = '[[[[' # [[[[[[\nb = \"\"\"\n[[[[\n\"\"\"\nc = [[1], [2]]\n[t]\n"
    assert _filelimits.nesting_depth(text, "toml") == 2


@pytest.mark.parametrize("content", ["[]", "3", '{"format": 1, "key": "K", "data": []}',
                                     '{"format": 1, "key": "K", "data": {"files": 5}}',
                                     "[" * 100_000])
def test_malformed_gallery_cache_is_recomputed_not_a_crash(tmp_path, content):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "relu.json").write_text(content)
    assert _read_cache(tmp_path, "relu", "K") is None


def test_errors_are_the_project_class():
    assert issubclass(SweepConfigError, ActdesignError) and issubclass(SpecError, ActdesignError)
