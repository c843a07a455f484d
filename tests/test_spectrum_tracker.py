"""FrequencyTracker: closed-form convergence, torch and JAX loops, heatmap, seed 002 Exp. 3a/3b."""

import numpy as np
import pytest

import actdesign
from actdesign import spectrum as sp

FREQS = [1.0, 2.0, 4.0]  # cycles per unit on [0, 2]: bin-centred
TAUS = [3.0, 10.0, 40.0]


def target(x):
    return sum(np.sin(2 * np.pi * nu * x + nu) for nu in FREQS)


def model_at(t):
    # component i converged to within exp(-t / tau_i): the rel metric is exactly that
    return lambda x: sum(
        (1 - np.exp(-t / tau)) * np.sin(2 * np.pi * nu * x + nu)
        for nu, tau in zip(FREQS, TAUS, strict=True)
    )


def test_relative_metric_closed_form_and_convergence_steps():
    tr = sp.FrequencyTracker(target, (0.0, 2.0), n=256, unit="cycles", metric="rel")
    np.testing.assert_allclose(tr.k, FREQS)  # "auto" finds the target's peaks
    steps = np.arange(0, 200, 5)
    for t in steps:
        tr.update(int(t), model_at(t))
    expected = np.exp(-steps[:, None] / np.array(TAUS)[None, :])
    np.testing.assert_allclose(tr.matrix, expected, rtol=1e-9, atol=1e-12)
    # exp(-t/tau) reaches e^-1 at t = tau (log-linear interpolation is exact here)
    np.testing.assert_allclose(tr.convergence_steps(), TAUS, rtol=1e-9)


def test_abs_and_ratio_metrics():
    tr_abs = sp.FrequencyTracker(
        target, (0.0, 2.0), n=256, unit="cycles", metric="abs", peaks=[1, 3, 4]
    )
    tr_ratio = sp.FrequencyTracker(
        target, (0.0, 2.0), n=256, unit="cycles", metric="ratio", peaks=[1, 4]
    )
    f = lambda x: 0.25 * np.sin(2 * np.pi * x + 1) + 0.5 * np.sin(2 * np.pi * 3 * x)  # noqa: E731
    np.testing.assert_allclose(tr_abs.update(0, f), [0.75, 0.5, 1.0], atol=1e-10)  # amplitude units
    np.testing.assert_allclose(tr_ratio.update(0, f), [0.25, 0.0], atol=1e-10)


def test_torch_and_jax_loops_record_the_same_rows():
    torch = pytest.importorskip("torch")
    jnp = pytest.importorskip("jax.numpy")
    tr_t = sp.FrequencyTracker(target, (0.0, 2.0), n=128, unit="cycles")
    tr_j = sp.FrequencyTracker(target, (0.0, 2.0), n=128, unit="cycles")
    lin = torch.nn.Linear(1, 1).double()
    net = torch.nn.Sequential(lin, torch.nn.Tanh())
    cb_t, cb_j = tr_t.every(2), tr_j.every(2)
    for step in range(5):  # the same "training" seen from a torch loop and a JAX loop
        w, b = 3.0 * step, 0.2
        with torch.no_grad():
            lin.weight.fill_(w)
            lin.bias.fill_(b)
        cb_t(step, net)
        cb_j(step, lambda x, w=w, b=b: jnp.tanh(w * x + b))
    assert tr_t.steps == tr_j.steps == [0, 2, 4]
    np.testing.assert_allclose(tr_t.matrix, tr_j.matrix, rtol=1e-4, atol=1e-5)  # JAX is float32
    ref = sp.FrequencyTracker(target, (0.0, 2.0), n=128, unit="cycles")
    ref.update(4, lambda x: np.tanh(12.0 * x + 0.2))
    np.testing.assert_allclose(tr_t.matrix[-1], ref.matrix[0], rtol=1e-12)


def test_heatmap_png(tmp_path):
    tr = sp.FrequencyTracker(target, (0.0, 2.0), n=256, unit="cycles")
    for t in range(0, 60, 3):
        tr.update(t, model_at(t))
    pred = np.exp(-np.array(tr.steps)[:, None] / np.array(TAUS)[None, :])
    out = tr.plot(path=tmp_path / "h.png", predicted=pred)
    assert out is not None
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(actdesign.ActdesignError, match="must match"):
        tr.plot(predicted=pred[:, :2])
    with pytest.raises(actdesign.ActdesignError, match="does not exist"):
        tr.plot(path=tmp_path / "missing" / "h.png")


def test_bad_tracker_input():
    with pytest.raises(actdesign.ActdesignError, match="metric"):
        sp.FrequencyTracker(target, (0.0, 2.0), metric="mse")
    tr = sp.FrequencyTracker(target, (0.0, 2.0), n=64)
    with pytest.raises(actdesign.ActdesignError, match="64 points"):
        tr.update(0, values=np.zeros(10))
    with pytest.raises(actdesign.ActdesignError, match="exactly one"):
        tr.update(0)


# --- seed 002, Experiments 3a and 3b in a small fast form ------------------------------------
def _relu_net(torch, width, depth, seed):
    torch.manual_seed(seed)
    layers, d = [], 1
    for _ in range(depth):
        lin = torch.nn.Linear(d, width)
        torch.nn.init.xavier_normal_(lin.weight)  # Xavier weights, PyTorch's default biases
        layers += [lin, torch.nn.ReLU()]
        d = width
    out = torch.nn.Linear(d, 1)
    torch.nn.init.xavier_normal_(out.weight)
    return torch.nn.Sequential(*layers, out)


def _fit(torch, net, x, y, steps, lr, tracker=None, every=50):
    X = torch.tensor(x, dtype=torch.float32)[:, None]
    Y = torch.tensor(y, dtype=torch.float32)[:, None]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for step in range(steps):
        opt.zero_grad()
        loss = ((net(X) - Y) ** 2).mean()
        loss.backward()
        opt.step()
        if tracker is not None and step % every == 0:
            tracker.update(step, net)
    return loss.item()


def _experiment_3(pretrain, seed=0):
    torch = pytest.importorskip("torch")
    # domain [-1, 1]; training points x = n + 1/2, where sin(pi x) = ±1 and sin(10 pi x) = 0
    half = 1.0
    net = _relu_net(torch, 64, 3, seed)
    if pretrain:  # Exp. 3b: fit sin(10 pi x) (a spike at k = 5 cycles) first
        xd = sp.cell_centres(-half, half, 80)
        _fit(torch, net, xd, np.sin(10 * np.pi * xd), 1500, 3e-3)
    # hann window: the interpolant does not vanish at the ends, and box leakage would mask k = 5
    tr = sp.FrequencyTracker(
        lambda x: np.sin(np.pi * x),
        (-half, half),
        n=512,
        peaks=[0.5, 5],
        metric="abs",
        unit="cycles",
        window="hann",
    )
    xs = np.arange(-half, half) + 0.5
    loss = _fit(torch, net, xs, np.sin(np.pi * xs), 301, 1e-3, tracker=tr, every=50)
    return tr, loss


def test_seed002_exp3_pretrained_spike_survives():
    # the retained fraction of the spike varies with the seed (0.62..0.95 over seeds 0-5,
    # and float32 sums differ across machines), so the claim is checked over three seeds
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks: one thread is faster and immune to oversubscription
    kept = []
    try:
        for seed in (0, 1, 2):
            tr_a, loss_a = _experiment_3(pretrain=False, seed=seed)
            tr_b, loss_b = _experiment_3(pretrain=True, seed=seed)
            assert loss_a < 1e-6 and loss_b < 1e-6  # both interpolate the training points
            np.testing.assert_allclose(tr_b.k, [0.5, 5.0])
            k5_a, k5_b = tr_a.matrix[:, 1], tr_b.matrix[:, 1]
            assert k5_b[0] > 0.15  # pretraining put a spike at k = 5
            assert k5_a.max() < 0.02  # Xavier ReLU has no k = 5 content, before or after (3a)
            assert k5_b[-1] > 20 * k5_a.max()  # training on the points left the spike (3b)
            kept.append(k5_b[-1] / k5_b[0])
    finally:
        torch.set_num_threads(threads)
    assert min(kept) > 0.5 and np.median(kept) > 0.7, kept