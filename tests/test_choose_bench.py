"""bench/image_regression.py --quick: every method trains and beats the mean predictor."""

import importlib.util
import math
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("skimage")

BENCH = Path(__file__).resolve().parents[1] / "bench" / "image_regression.py"


def _load():
    spec = importlib.util.spec_from_file_location("image_regression", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_quick_benchmark_runs_all_methods_side_by_side(tmp_path, capsys):
    mod = _load()
    res = mod.main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    names = [r["name"] for r in res["rows"]]
    assert names == ["designed", "SIREN", "Gaussian", "ReLU+PE"]
    assert len({r["params"] for r in res["rows"] if r["name"] != "ReLU+PE"}) == 1  # equal width
    for r in res["rows"]:
        assert math.isfinite(r["psnr"]) and r["psnr"] > res["mean"] + 1.0, r
        assert f"{r['name']:9s} PSNR" in out
    assert all(math.isfinite(v) and v > res["mean"] for v in res["references"].values())
    assert "ranking:" in out and "designed - best other" in out and "convention:" in out
    assert (tmp_path / "image_regression.png").read_bytes()[:4] == b"\x89PNG"


def test_psnr_and_split_are_what_they_claim():
    import numpy as np

    mod = _load()
    y = np.linspace(0, 1, 50)
    assert mod.psnr(y + 0.1, y) == pytest.approx(20.0)  # 10 log10(1 / 0.01)
    train, test, fit, val = mod.split(100, 0.5, 0)
    assert sorted(np.concatenate([train, test])) == list(range(100))
    assert sorted(np.concatenate([fit, val])) == list(train) and val.size == 10
    assert np.ptp(val) > 50  # validation pixels are spread over the image, not one block
