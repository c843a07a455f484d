"""bench/implicit.py: every model builds, trains a few steps on an 8 x 8 image and scores a
finite PSNR; parameter counts and the warm start are what they claim. No benchmark
number is asserted."""

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skimage")

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        from implicit import designed, images, models, training
    finally:
        sys.path.remove(str(BENCH))
    return dict(D=designed, I=images, M=models, T=training)


@pytest.fixture(scope="module")
def tiny(bench):
    IM, T = bench["I"], bench["T"]
    img = IM.load("camera", 8)
    sp = IM.split(img.y.size, "generalisation")
    return img, sp, {k: T.pixels(img.X[v], img.y[v], "cpu") for k, v in sp.items()}


@pytest.mark.parametrize("depth", [1, 3])
def test_each_competitor_trains_to_a_finite_psnr_at_its_counted_size(bench, tiny, depth):
    M, T = bench["M"], bench["T"]
    _, _, px = tiny
    target = M.mlp_params(8, depth)
    for comp in M.COMPETITORS:
        width = M.width_for(comp.params, target, depth)
        def make(v, X, comp=comp, width=width):
            return comp.build(width, depth, v)

        score, model, _ = T.run(make, comp.values[0], 1e-3, 3, 0, px["train"], px["eval"], "cpu")
        assert math.isfinite(score), comp.name
        # the formula the benchmark matches sizes with is the module's real count
        assert M.count(model) == comp.params(width, depth), comp.name
        # the closest width: one step either way is no closer to the designed count
        gap = abs(comp.params(width, depth) - target)
        assert all(abs(comp.params(w, depth) - target) >= gap for w in (width - 1, width + 1)
                   if w >= 1)


@pytest.mark.parametrize("depth", [1, 3])
def test_designed_network_trains_to_a_finite_psnr(bench, tiny, depth):
    D, T, M = bench["D"], bench["T"], bench["M"]
    img, sp, px = tiny
    designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200)
    assert designs.designs, designs.refused
    for fam, design in designs.designs.items():
        def warm(model, f, data):
            D.warm_start(model, data.X, data.y, designs.designs[f].eta)

        score, model, _ = T.run(lambda f, X: D.build(designs.designs[f], 8, depth, X), fam,
                                1e-3, 3, 0, px["train"], px["eval"], "cpu", warm)
        assert math.isfinite(score), fam
        assert M.count(model) == M.mlp_params(8, depth)
        if depth > 1:
            assert math.isfinite(design.gain) and design.gain > 0
    ref = D.kernel_reference(designs.choice, img.X[sp["train"]], img.y[sp["train"]],
                             img.X[sp["eval"]])
    assert np.all(np.isfinite(ref)) and ref.shape == (sp["eval"].size,)


def test_warm_start_is_the_kernel_regime_posterior_mean(bench, tiny):
    """Primal ridge (the code) against the dual form mu + K (K + eta I)^-1 (y - mu), with
    K = Hc Hc^T / mean |Hc|^2 from the centred features (numpy, float64)."""
    D = bench["D"]
    img, sp, px = tiny
    designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200)
    design = designs.chosen
    torch.manual_seed(0)
    model = D.build(design, 6, 1, px["train"].X_cpu)
    eta = 0.05
    D.warm_start(model, px["train"].X, px["train"].y, eta)
    with torch.no_grad():
        H = model.features(px["train"].X).double().numpy()
        got = model(px["train"].X).double().numpy()
    y = px["train"].y.double().numpy()
    Hc = H - H.mean(0)
    K = Hc @ Hc.T / np.mean(np.sum(Hc ** 2, 1))
    want = y.mean() + K @ np.linalg.solve(K + eta * np.eye(len(y)), y - y.mean())
    # float32 output layer: rounding of w, b and of the width-term sum, ~eps32 per term
    w = model.layers[-1].weight.detach().double().numpy()[0]
    b = float(model.layers[-1].bias.detach()[0])
    bound = 4 * H.shape[1] * np.finfo(np.float32).eps * (np.abs(H) @ np.abs(w) + abs(b))
    assert np.all(np.abs(got - want) <= bound), np.max(np.abs(got - want) / bound)


def test_psnr_and_splits(bench):
    IM = bench["I"]
    y = np.linspace(0, 1, 50)
    assert IM.psnr(y + 0.1, y) == pytest.approx(20.0)  # 10 log10(1 / 0.01)
    assert IM.psnr(np.full(50, np.nan), y) == -math.inf
    n = 400
    gen, rep = IM.split(n, "generalisation"), IM.split(n, "representation")
    assert gen["train"].size == 100 and sorted(np.r_[gen["train"], gen["eval"]]) == list(range(n))
    assert list(rep["train"]) == list(rep["eval"]) == list(range(n))
    for sp in (gen, rep):
        assert sorted(np.r_[sp["fit"], sp["val"]]) == list(sp["train"])
        assert sp["val"].size == round(0.2 * sp["train"].size)


def test_command_prints_the_table_and_writes_figure_and_json(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("implicit_cli", BENCH / "implicit.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    res = cli.main(["--quick", "--images", "camera@8", "--width", "6", "--steps", "2",
                    "--lrs", "1e-3", "--tasks", "generalisation", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    for name in cli.MODELS + ("kernel (w=inf)", "mean predictor"):
        assert any(line.startswith(name) for line in out.splitlines()), name
    runs = [r for r in res["records"] if r.get("depth") is not None]
    assert len(runs) == len(cli.MODELS) * 2  # models x depths (one task, one seed)
    assert all(math.isfinite(r["psnr"]) for r in runs)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert len(saved["records"]) == len(res["records"])
    assert (tmp_path / "implicit_crops.png").read_bytes()[:4] == b"\x89PNG"
