"""Spec files: round trips, atomic writes, hand-edited and malicious specs."""

import json

import numpy as np
import pytest

import actdesign
from actdesign import SpecError


def test_closed_form_spec_round_trips(tmp_path):
    act = actdesign.design("exp(2*k)")
    path = act.save(tmp_path / "a.json")
    back = actdesign.load(path)
    z = np.linspace(-20, 20, 81)
    np.testing.assert_array_equal(back(z), act(z))
    d = json.loads(path.read_text())
    assert d["convention"] == actdesign.CONVENTION
    assert d["method"] == "table" and d["phi"] == str(act.phi)


def test_numeric_spec_round_trips(tmp_path):
    act = actdesign.design("1+k^4")
    back = actdesign.load(act.save(tmp_path / "n.json"))
    z = np.linspace(-200, 200, 1001)
    np.testing.assert_array_equal(back(z), act(z))
    assert back.method == "numeric" and back.tabulation is not None


def test_save_refuses_to_overwrite(tmp_path):
    act = actdesign.design("exp(2*k)")
    p = act.save(tmp_path / "a.json")
    before = p.read_text()
    with pytest.raises(SpecError, match="exists.*force"):
        act.save(p)
    assert p.read_text() == before
    act.save(p, force=True)


def _edit(tmp_path, **changes):
    act = actdesign.design("exp(2*k)")
    d = act.to_dict()
    d.update(changes)
    p = tmp_path / "edited.json"
    p.write_text(json.dumps(d))
    return p


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"phi": "__import__('os').system('touch /tmp/pwned')"}, "invalid spec"),
        ({"phi": "z.__class__"}, "invalid spec"),
        ({"rho": "exp(k); rm"}, "invalid spec"),
        ({"dim": "two"}, "dim"),
        ({"shape": "triangle"}, "invalid spec"),
        ({"format": 99}, "format"),
        ({"max_abs_error": -1}, "max_abs_error"),
    ],
)
def test_hand_edited_specs_are_rejected(tmp_path, changes, fragment):
    with pytest.raises(SpecError, match=fragment):
        actdesign.load(_edit(tmp_path, **changes))


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        actdesign.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SpecError, match="not valid JSON"):
        actdesign.load(bad)
    lacking = tmp_path / "lacking.json"
    lacking.write_text(json.dumps({"format": 1, "name": "x"}))
    with pytest.raises(SpecError, match="lacks fields"):
        actdesign.load(lacking)


def test_a_failed_write_leaves_the_old_spec_whole(tmp_path, monkeypatch):
    import os

    path = tmp_path / "a.json"
    actdesign.design("exp(2*k)").save(path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        actdesign.design("exp(k^2)").save(path, force=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]  # no temporary left
