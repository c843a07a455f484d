"""GO initialisation: the loss and angle matrix, the no-optimisation table of init.md §3.2,
and calibration on a 16 x 256 tanh network."""

import math

import numpy as np
import pytest
import torch

import actdesign
from actdesign.init import go


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    # On a small shared CPU, torch's intra-op threads oversubscribe the cores (measured 20x
    # slower per GO step than one thread); restore the setting afterwards.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _data(n=2048, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
    return (X - X.mean(0)) / X.std(0)


def test_loss_against_direct_formula():
    # Eq. 3.2 written out with loops over pairs (an independent transcription), both exactly
    # and with the authors' code's guards (norm + 1e-7, clip to 1 - 1e-7, log(1e-7 + 1 - c^2))
    G = np.random.default_rng(3).normal(size=(50, 6)) + 0.5
    exact, guarded, cosines = 0.0, 0.0, []
    for i in range(6):
        for j in range(6):
            if i != j:
                n_i, n_j = np.linalg.norm(G[:, i]), np.linalg.norm(G[:, j])
                c = G[:, i] @ G[:, j] / (n_i * n_j)
                exact -= math.log(1 - c * c)
                cg = G[:, i] @ G[:, j] / ((n_i + 1e-7) * (n_j + 1e-7))
                cg = min(max(cg, -1 + 1e-7), 1 - 1e-7)
                guarded -= math.log(1e-7 + 1 - cg * cg)
                cosines.append(abs(c))
    Gt = torch.as_tensor(G)
    assert float(go.orthogonality_loss(Gt)) == pytest.approx(guarded / 30, rel=1e-12)
    assert float(go.orthogonality_loss(Gt)) == pytest.approx(exact / 30, rel=1e-5)
    # the code's normalisation: mean over all d^2 entries, the zeroed diagonal included
    diag = -math.log(1e-7 + 1)
    assert float(go.orthogonality_loss(Gt, "code")) == pytest.approx((guarded + 6 * diag) / 36,
                                                                     rel=1e-12)
    assert go.mean_abs_cos(Gt) == pytest.approx(np.mean(cosines), rel=1e-6)
    C = go.angle_matrix(Gt).numpy()
    assert np.allclose(np.diag(C), 1, atol=1e-6) and np.allclose(C, C.T)


def test_orthogonal_features_have_zero_loss():
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(40, 8)))
    assert float(go.orthogonality_loss(torch.as_tensor(Q))) < 1e-10


# init.md §3.2, measured: 16 x 256 tanh, b = 0, 2048 standardised points of U[-1,1]^2, 5 draws
LOSS_TABLE = {0.5: (1.054, 0.62), 1: (0.740, 0.56), 1.5: (0.263, 0.37), 2: (0.074, 0.21),
              3: (0.013, 0.09), 5: (0.0055, 0.06)}


def _table_check(c, draws):
    X = _data()
    loss, cos = [], []
    for d in range(draws):
        model = go.build_mlp(2, [256] * 16, 1, "tanh(z)", scales=c, seed=d, dtype=torch.float64)
        G = go.last_features(model, X)
        loss.append(float(go.orthogonality_loss(G)))
        cos.append(go.mean_abs_cos(G))
    ref_loss, ref_cos = LOSS_TABLE[c]
    # sampling error: the table is a mean of 5 draws, ours of `draws`; 3 sigma of the difference
    # with the spread estimated from our draws, plus half a unit of the printed value
    k = 3 * math.sqrt(1 / draws + 1 / 5)
    assert abs(np.mean(loss) - ref_loss) <= k * np.std(loss, ddof=1) + 5e-5
    assert abs(np.mean(cos) - ref_cos) <= k * np.std(cos, ddof=1) + 5e-3


@pytest.mark.parametrize("c", sorted(LOSS_TABLE))
def test_no_optimisation_loss_table(c):
    # 10 draws: the loss is skewed across draws, and 5 underestimate its spread
    _table_check(c, 10)


def test_loss_falls_as_c_grows():
    X = _data(512)
    losses = [float(go.orthogonality_loss(go.last_features(
        go.build_mlp(2, [128] * 8, 1, scales=c, seed=0, dtype=torch.float64), X)))
        for c in (0.5, 1.0, 2.0, 4.0)]
    assert all(a > b for a, b in zip(losses, losses[1:], strict=False))


def _calibrate(steps, lr, batch):
    X = _data(4096, seed=1)
    g = go.GOInit([256] * 16, 2, lam=1e-4, lr=lr, steps=steps, batch=batch, seed=0).fit(X)
    return g, X[:1024]


def _compare(g, X):
    go_cos, glorot_cos = [], []
    for s in range(3):
        go_cos.append(go.mean_abs_cos(go.last_features(g.build(1, seed=10 + s), X)))
        glorot = go.build_mlp(2, [256] * 16, 1, seed=10 + s)
        glorot_cos.append(go.mean_abs_cos(go.last_features(glorot, X)))
    return np.mean(go_cos), np.mean(glorot_cos)


def test_go_calibration_16x256_fast():
    g, X = _calibrate(steps=25, lr=0.02, batch=256)
    h = g.history_
    assert h.shape == (25,) and h[-5:].mean() < 0.8 * h[:5].mean()
    go_cos, glorot_cos = _compare(g, X)
    assert go_cos < 0.8 * glorot_cos


@pytest.mark.slow
def test_go_calibration_paper_settings():
    g, X = _calibrate(steps=300, lr=5e-3, batch=2048)
    assert g.history_[-20:].mean() < 0.5 * g.history_[:20].mean()
    go_cos, glorot_cos = _compare(g, X)
    assert go_cos < 0.6 * glorot_cos


def test_apply_scales_an_existing_model():
    g = go.GOInit([16, 16], 2, steps=3, batch=64, seed=0).fit(_data(256))
    model = go.build_mlp(2, [16, 16], 1, seed=5)
    before = [m.weight.detach().clone() for m in model if isinstance(m, torch.nn.Linear)]
    g.apply_(model)
    after = [m for m in model if isinstance(m, torch.nn.Linear)]
    for j in range(2):
        assert torch.allclose(after[j].weight, before[j] * float(g.scales_[j]))
        assert torch.allclose(after[j].bias, torch.full((16,), float(g.biases_[j])))
    assert torch.equal(after[2].weight, before[2])  # the output layer is untouched
    built = g.build(1, seed=5)
    x = torch.as_tensor(_data(10), dtype=torch.float32)
    assert torch.allclose(built(x), model(x), atol=1e-6)  # same draws, same scalars


def test_go_bad_input():
    with pytest.raises(actdesign.ActdesignError, match="must be"):
        go.GOInit([8], 2, steps=1).fit(np.ones((5, 3)))
    with pytest.raises(actdesign.ActdesignError, match="NaN"):
        go.GOInit([8], 2, steps=1).fit(np.full((5, 2), np.nan))
    with pytest.raises(actdesign.ActdesignError, match="not fitted"):
        go.GOInit([8], 2).build(1)
    with pytest.raises(actdesign.ActdesignError, match="loss_norm"):
        go.GOInit([8], 2, loss_norm="mine")


def test_adam_matches_torch_optim():
    from actdesign.init.go import _Adam

    p1 = torch.tensor([1.0, -2.0, 0.3], dtype=torch.float64, requires_grad=True)
    p2 = p1.detach().clone().requires_grad_(True)
    ref, ours = torch.optim.Adam([p1], lr=0.1), _Adam([p2], 0.1)
    for _ in range(30):
        loss = (p1**4).sum() + p1.prod()
        ref.zero_grad()
        loss.backward()
        ref.step()
        ours.step(torch.autograd.grad((p2**4).sum() + p2.prod(), [p2]))
    assert torch.allclose(p1, p2, rtol=1e-12, atol=1e-14)
