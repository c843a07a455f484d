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


@pytest.mark.parametrize("hold", [None, 1])  # features held whole; made a block at a time
@pytest.mark.parametrize("block", [None, 7])  # one block; blocks of 7 entries (ragged)
@pytest.mark.parametrize("width", [6, 40])  # fewer features than the 16 pixels, and more
def test_warm_start_is_the_kernel_regime_posterior_mean(bench, tiny, width, block, hold,
                                                        monkeypatch):
    """Ridge (primal or dual, in blocks, in the code) against mu + K (K + eta I)^-1 (y - mu),
    with K = Hc Hc^T / mean |Hc|^2 from the centred features (numpy, float64)."""
    D = bench["D"]
    if block:
        monkeypatch.setattr(D, "BLOCK", block)
    if hold:
        monkeypatch.setattr(D, "HOLD", hold)
    img, sp, px = tiny
    designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200)
    design = designs.chosen
    torch.manual_seed(0)
    model = D.build(design, width, 1, px["train"].X_cpu)
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


@pytest.mark.parametrize("entries", [1, 100])  # a pixel per pass; a few pixels per pass
def test_prediction_in_blocks_is_the_whole_forward_pass(bench, tiny, entries, monkeypatch):
    """T.predict caps the activations per pass (PREDICT_ENTRIES / widest layer pixels):
    the blocks give the one-pass forward to float32 round-off of the output layer's sum.
    For the random-features net, unit_features over two slices is its features."""
    D, T = bench["D"], bench["T"]
    img, sp, px = tiny
    design = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200).chosen
    torch.manual_seed(2)
    model = D.build_rf(design, 40, px["train"].X_cpu)
    D.warm_start(model, px["train"].X, px["train"].y, design.eta)
    X = px["eval"].X
    with torch.no_grad():
        whole = model(X).double().numpy()
        H = model.features(X)
        halves = torch.cat([model.unit_features(X, slice(0, 17)),
                            model.unit_features(X, slice(17, 40))], 1)
    monkeypatch.setattr(T, "PREDICT_ENTRIES", entries)
    got = T.predict(model, X)
    w = model.layers[-1].weight.detach().double().numpy()[0]
    b = abs(float(model.layers[-1].bias.detach()[0]))
    bound = 4 * w.size * np.finfo(np.float32).eps * (np.abs(H.double().numpy()) @ np.abs(w) + b)
    assert np.all(np.abs(got - whole) <= bound)
    assert torch.allclose(halves, H, rtol=8 * np.finfo(np.float32).eps, atol=0)


def test_random_features_model_trains_only_its_output_and_keeps_the_ridge_fit(bench, tiny):
    """designed RF: the first layer does not move under Adam; from the warm start, Adam on
    the ridge objective starts at its minimiser (float32 gradient ~ round-off), and the
    features are the trainable network's at the same draw."""
    D, T, M = bench["D"], bench["T"], bench["M"]
    img, sp, px = tiny
    designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200)
    design = designs.chosen
    torch.manual_seed(1)
    model = D.build_rf(design, 40, px["train"].X_cpu)
    torch.manual_seed(1)
    twin = D.build(design, 40, 1, px["train"].X_cpu)
    with torch.no_grad():
        assert torch.equal(model.features(px["eval"].X), twin.features(px["eval"].X))
    assert M.count(model) == 41
    first = model.layers[0].weight.detach().clone()
    D.warm_start(model, px["train"].X, px["train"].y, design.eta)
    out = model.layers[-1]

    def gradient():
        model.zero_grad()
        loss = torch.mean((model(px["train"].X) - px["train"].y) ** 2) + model.penalty()
        loss.backward()
        return float(out.weight.grad.abs().max())

    at_fit = gradient()
    saved = out.weight.detach().clone()
    with torch.no_grad():
        out.weight.zero_()
    # float32 round-off of 40-term sums: a few 40 eps of the gradient's size away from it
    assert at_fit <= 40 * np.finfo(np.float32).eps * gradient()
    with torch.no_grad():
        out.weight.copy_(saved)
    assert T.adam(model, px["train"], 3, 1e-3)
    assert torch.equal(model.layers[0].weight, first)


@pytest.mark.parametrize("width", [6, 40])  # primal (fewer features than pixels) and dual
def test_warm_start_fits_eta_by_the_evidence_of_its_own_width(bench, tiny, width):
    """eta None: the grid point maximising log N(y; 0, a (K + eta I)) with the amplitude a
    profiled out, brute force with numpy (slogdet, solve) on K from the features."""
    D = bench["D"]
    img, sp, px = tiny
    design = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], max_points=200).chosen
    torch.manual_seed(2)
    model = D.build(design, width, 1, px["train"].X_cpu)
    got = D.warm_start(model, px["train"].X, px["train"].y)
    with torch.no_grad():
        H = model.features(px["train"].X).double().numpy()
    y = px["train"].y.double().numpy()
    y = y - y.mean()
    Hc = H - H.mean(0)
    K = Hc @ Hc.T / np.mean(np.sum(Hc ** 2, 1))
    n = len(y)

    def loglik(eta):
        A = K + eta * np.eye(n)
        return -0.5 * n * np.log(y @ np.linalg.solve(A, y)) - 0.5 * np.linalg.slogdet(A)[1]

    ll = np.array([loglik(e) for e in D.ETA_GRID])
    assert got == pytest.approx(D.ETA_GRID[np.argmax(ll)], rel=1e-12)
    # and the fit uses it: the output is the posterior mean with that eta
    want = px["train"].y.double().mean().item() + K @ np.linalg.solve(K + got * np.eye(n), y)
    with torch.no_grad():
        out = model(px["train"].X).double().numpy()
    w = model.layers[-1].weight.detach().double().numpy()[0]
    b = float(model.layers[-1].bias.detach()[0])
    bound = 4 * width * np.finfo(np.float32).eps * (np.abs(H) @ np.abs(w) + abs(b))
    assert np.all(np.abs(out - want) <= bound), np.max(np.abs(out - want) / bound)


def test_first_layer_lattice_is_stratified_in_angle_and_offset(bench):
    """Each of W equal angle bins, and each of W equal offset bins up to the golden
    lattice's three-gap spread, holds the expected share of units."""
    D = bench["D"]
    W = 89  # a Fibonacci number: j / golden ratio is then equidistributed to one unit
    torch.manual_seed(3)
    theta, gamma = D.lattice(W)
    assert theta.min() >= 0 and theta.max() < 2 * math.pi
    assert gamma.abs().max() <= D.RADIUS
    a = np.floor(theta.double().numpy() / (2 * math.pi) * W).astype(int)
    assert sorted(a) == list(range(W))  # exactly one angle per bin
    b = np.floor((gamma.double().numpy() / D.RADIUS + 1) / 2 * 8).astype(int)
    assert np.all(np.abs(np.bincount(b, minlength=8) - W / 8) <= 2)  # iid: std ~ 3.3


def test_edge_of_chaos_scale_has_unit_chi(bench):
    """The scale s that `gain` settles on gives chi = s^2 E[phi'(sZ)^2] / E[phi(sZ)^2] = 1
    and g^2 E[phi(sZ)^2] = s^2, with the expectations by scipy quad (not varflow)."""
    from scipy import integrate

    import actdesign

    D = bench["D"]
    act = actdesign.design("exp(0.2*k)", dim=2)
    design = D.Design("exp", "exp(0.2*k)", 0.1, act, None)
    g = D.gain(design)
    s = design.scale
    assert D.CHAOS_SCALES[0] < s < D.CHAOS_SCALES[1], design.gain_note

    def mean(f):
        def dens(z):
            return f(s * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

        return integrate.quad(dens, -12, 12, points=[0.0], limit=400, epsabs=0,
                              epsrel=1e-10)[0]

    second = mean(lambda z: float(act(z)) ** 2)
    chi = s * s * mean(lambda z: float(act.derivative(z)) ** 2) / second
    # the bisection stops within a relative 2^-40 of the scale, and chi ~ s^2 near it
    assert chi == pytest.approx(1.0, rel=1e-6)
    assert g * g * second == pytest.approx(s * s, rel=1e-8)


def test_margins_rank_each_designed_row_against_its_best_rival():
    sys.path.insert(0, str(BENCH))
    try:
        from implicit import report
    finally:
        sys.path.remove(str(BENCH))
    rec = [dict(model=m, task="generalisation", depth=3, psnr=v) for m, v in
           [("d", 20.0), ("d", 22.0), ("A", 19.0), ("A", 20.0), ("B", 20.9), ("B", -math.inf),
            ("C", 30.0)]]
    rec.append(dict(model="C", task="generalisation", depth=1, psnr=40.0))  # other column
    got = report.margins(rec, "generalisation", 3, {"d": ["A", "B"], "e": ["A"]})
    # d: mean 21; A: 19.5; B: 20.9 (the diverged run left out); "e" has no runs: no line
    assert got == ["d +0.10 dB (best rival B)"]


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
    assert any(line.startswith("margin gen d=3") for line in out.splitlines())
    shaped = [m for m in cli.MODELS if m != cli.DESIGNED_RF]  # RF: one layer already
    for name in shaped:  # the wide shape, under d = 3
        assert any(line.startswith(name + cli.WIDE) for line in out.splitlines()), name
    runs = [r for r in res["records"] if r.get("depth") is not None]
    assert len(runs) == len(cli.MODELS) * 2 + len(shaped)  # d = 1, d = 3, wide at d = 3
    rf = [r for r in runs if r["model"] == cli.DESIGNED_RF]
    assert [r["params"] for r in rf] == [r["width"] + 1 for r in rf]  # trainable: output
    wide = [r for r in runs if r["model"].endswith(cli.WIDE)]
    assert {r["layers"] for r in wide} == {1} and {r["depth"] for r in wide} == {3}
    assert all(math.isfinite(r["psnr"]) for r in runs)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert len(saved["records"]) == len(res["records"])
    assert (tmp_path / "implicit_crops.png").read_bytes()[:4] == b"\x89PNG"
    cli.main(["--table-from", str(tmp_path / "results.json")])  # the same table, reprinted
    again = capsys.readouterr().out.splitlines()
    table = [line for line in out.splitlines() if line.startswith(("model ", "margin "))
             or any(line.startswith(m) for m in cli.MODELS)]
    assert table and all(line in again for line in table)


def test_bad_options_and_a_missing_results_file_exit_2_with_one_line(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("implicit_cli2", BENCH / "implicit.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    for argv in (["--models", "nope"], ["--table-from", str(tmp_path / "none.json")]):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("bench/implicit.py: error: ") and "\n" not in err


def test_width_sweep_runs_and_its_widest_fit_is_finite(capsys):
    spec = importlib.util.spec_from_file_location("implicit_width", BENCH / "implicit_width.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    rows = cli.main(["--images", "camera@8", "--widths", "4,40", "--seeds", "2",
                     "--max-points", "200"])
    (row,) = rows.values()
    assert row["n"] == 16 and math.isfinite(row["kernel"])
    for ridge in ("kernel eta", "evidence eta"):
        assert [w for w, _, _ in row[ridge]] == [4, 40]
        assert all(math.isfinite(m) for _, m, _ in row[ridge])
    assert "kernel" in capsys.readouterr().out


def test_a_row_without_the_memory_it_needs_is_skipped_with_a_note(tmp_path, capsys,
                                                                  monkeypatch):
    """The random-features row checks its ridge solve's memory before any work; with none
    free it is left out, the note says why and what to do, the other rows still run."""
    spec = importlib.util.spec_from_file_location("implicit_cli", BENCH / "implicit.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    monkeypatch.setattr(cli.D, "free_bytes", lambda device: 0)
    res = cli.main(["--quick", "--images", "camera@8", "--width", "6", "--steps", "2",
                    "--lrs", "1e-3", "--tasks", "generalisation", "--depths", "3",
                    "--models", "designed RF,SIREN", "--no-wide", "--out", ""])
    out = capsys.readouterr().out
    assert not any(r["model"] == cli.DESIGNED_RF for r in res["records"])
    assert any(r["model"] == "SIREN" and math.isfinite(r["psnr"]) for r in res["records"])
    note = [line for line in out.splitlines() if "designed RF d=3 skipped" in line]
    assert len(note) == 1 and "out of memory" in note[0] and "--models" in note[0]


def test_only_allocation_failures_count_as_out_of_memory(bench):
    T = bench["T"]
    assert T.out_of_memory(MemoryError("x"))
    assert T.out_of_memory(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert T.out_of_memory(RuntimeError("DefaultCPUAllocator: can't allocate memory: you "
                                        "tried to allocate 8 bytes"))
    assert not T.out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))
    assert not T.out_of_memory(ValueError("out of memory"))


def test_penalty_patches_keep_the_training_pixels_density(bench):
    """D.patches: m distinct pixels in PATCHES square patches, and every picked pixel
    has a picked neighbour at the training pixels' own spacing (a uniform subsample of m
    of them would be sparser: that is what the patches are for)."""
    from scipy.spatial import cKDTree

    D, IM = bench["D"], bench["I"]
    img = IM.load("camera", 64)
    sp = IM.split(img.y.size, "generalisation")
    X = img.X[sp["fit"]]
    m = 200
    keep = D.patches(X, m, seed=3)
    assert len(keep) == len(set(keep.tolist())) == m
    near = np.median(cKDTree(X).query(X, k=2)[0][:, 1])  # the training pixels' spacing
    picked = np.median(cKDTree(X[keep]).query(X[keep], k=2)[0][:, 1])
    rng = np.random.default_rng(0)
    sparse = X[rng.choice(len(X), m, replace=False)]
    uniform = np.median(cKDTree(sparse).query(sparse, k=2)[0][:, 1])
    assert picked == pytest.approx(near) and uniform > 1.5 * near
