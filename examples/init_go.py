"""GO initialisation against "Glorot" on the 2-D synthetic target of seed 003 (App. C.3), reduced.

Target: f(x, y) = sum_i A_i0 sin(2 pi nu_i0 x) cos(2 pi nu_i1 y) + A_i1 sin(2 pi nu_i2 x)
sin(2 pi nu_i3 y), nu ~ U(0, M), A ~ U(0, 2) on [-1, 1]^2 (Eq. C.1). Reduced from the paper
(16 x 256, M = 18, 20k GO steps, ~100k training steps) to 8 x 128 tanh, M = 6, 150 GO steps
and 800 Adam steps, so that it runs in about a minute on a 2-core CPU. "Glorot" is the paper's
(fan-in normal, c = 1). GO learns per-layer (c_j, b_j) by the orthogonality loss (Eq. 3.2),
then both nets are trained identically from the same weight draw.

Usage: python examples/init_go.py [OUT_DIR]   (or ACTDESIGN_EXAMPLES_OUT; default examples/out)
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _out  # noqa: E402  (examples/_out.py: the one output-folder rule)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from actdesign.init import go  # noqa: E402

WIDTHS, M, GO_STEPS, TRAIN_STEPS, BATCH = [128] * 8, 6.0, 150, 800, 512


def out_dir() -> Path:
    return _out.out_dir(sys.argv[1] if len(sys.argv) > 1 else None)


def make_target(seed=0):
    rng = np.random.default_rng(seed)
    nu, A = rng.uniform(0, M, (4, 4)), rng.uniform(0, 2, (4, 2))

    def f(x, y):
        return sum(A[i, 0] * np.sin(2 * np.pi * nu[i, 0] * x) * np.cos(2 * np.pi * nu[i, 1] * y)
                   + A[i, 1] * np.sin(2 * np.pi * nu[i, 2] * x) * np.sin(2 * np.pi * nu[i, 3] * y)
                   for i in range(4))
    return f


def train(model, X, y, steps, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(steps):
        rows = torch.randint(0, X.shape[0], (BATCH,), generator=gen)
        loss = torch.mean((model(X[rows])[:, 0] - y[rows]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return np.array(losses)


def main():
    torch.set_num_threads(1)  # small shared CPUs: intra-op threads oversubscribe the cores
    t0 = time.perf_counter()
    f = make_target()
    rng = np.random.default_rng(1)
    P = rng.uniform(-1, 1, (8192, 2))
    mu, sd = P.mean(0), P.std(0)
    yv = f(P[:, 0], P[:, 1])
    ym, ys = yv.mean(), yv.std()
    X = torch.as_tensor((P - mu) / sd, dtype=torch.float32)
    y = torch.as_tensor((yv - ym) / ys, dtype=torch.float32)
    g = go.GOInit(WIDTHS, 2, lam=1e-4, lr=2e-2, steps=GO_STEPS, batch=1024, seed=0).fit(X.numpy())
    grid = np.linspace(-1, 1, 100)
    gx, gy = np.meshgrid(grid, grid)
    G = torch.as_tensor((np.column_stack([gx.ravel(), gy.ravel()]) - mu) / sd, dtype=torch.float32)
    truth = (f(gx, gy) - ym) / ys
    nets = {"Glorot (c = 1)": go.build_mlp(2, WIDTHS, 1, seed=7), "GO": g.build(1, seed=7)}
    res = {}
    for name, net in nets.items():
        cos0 = go.mean_abs_cos(go.last_features(net, G.numpy()))
        curve = train(net, X, y, TRAIN_STEPS, seed=3)
        with torch.no_grad():
            pred = net(G)[:, 0].numpy().reshape(gx.shape)
        rel = np.linalg.norm(pred - truth) / np.linalg.norm(truth)
        res[name] = (curve, pred, rel, cos0)
        print(f"{name:15s} mean|cos| at init {cos0:.3f}  test rel. L2 {rel:.3f}")

    fig, ax = plt.subplots(1, 6, figsize=(24, 4))
    ax[0].imshow(truth, extent=(-1, 1, -1, 1), origin="lower", cmap="RdBu_r")
    ax[0].set_title(f"target (Eq. C.1, M = {M:g})")
    for i, (name, (curve, pred, rel, cos0)) in enumerate(res.items()):
        ax[1 + i].imshow(pred, extent=(-1, 1, -1, 1), origin="lower", cmap="RdBu_r",
                         vmin=truth.min(), vmax=truth.max())
        ax[1 + i].set_title(f"{name}: test rel. L2 {rel:.3f}")
        ax[3].semilogy(curve, label=f"{name} (mean|cos| at init {cos0:.2f})")
    ax[3].set(xlabel="Adam step", ylabel="training MSE", title=f"{len(WIDTHS)} x {WIDTHS[0]} tanh")
    ax[3].legend(fontsize=8)
    ax[4].plot(g.history_)
    ax[4].set(xlabel="GO step", ylabel="orthogonality loss (Eq. 3.2)", title="GO calibration")
    ax[5].bar(np.arange(1, len(g.scales_) + 1), g.scales_, label="c_j")
    ax[5].bar(np.arange(1, len(g.biases_) + 1), g.biases_, label="b_j")
    ax[5].axhline(1, color="gray", lw=0.8, ls=":")
    ax[5].set(xlabel="hidden layer j", title="learned c_j, b_j (Glorot: 1, 0)")
    ax[5].legend(fontsize=8)
    fig.tight_layout()
    path = out_dir() / "init_go.png"
    fig.savefig(path, dpi=100)
    print(path, f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
