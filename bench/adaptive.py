"""Benchmark of actdesign.adaptive.train against a plain torch loop (issue 12).

Both run the same optimisation side by side in one process, alternating, best of a few
repeats: full-batch gradient descent of a shallow ReLU network (v, w, b all trained; v
with step lr/width, (w, b) with regime*lr), N = 200 points in D = 2, widths 128 and 1024,
float64, one torch thread. The plain loop is ``torch.optim.SGD`` with two parameter groups
and no recording; ``train`` records a snapshot every 50 epochs and the loss every epoch.
Printed: seconds per epoch of each and their ratio (target <= 1.3).

Usage: ``.venv/bin/python bench/adaptive.py``
"""

from __future__ import annotations

import time

import numpy as np


def plain_loop(X, y, v0, w0, b0, lr_v, lr_h, epochs):
    import torch

    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    v, w, b = (torch.tensor(a, requires_grad=True) for a in (v0, w0, b0))
    opt = torch.optim.SGD([{"params": [v], "lr": lr_v}, {"params": [w, b], "lr": lr_h}], lr=lr_v)
    for _ in range(epochs):
        opt.zero_grad()
        loss = 0.5 * torch.mean((torch.relu(Xt @ w.T + b) @ v - yt) ** 2)
        loss.backward()
        opt.step()
    return float(loss.detach())


def main():
    import torch

    from actdesign import adaptive as A
    from actdesign.adaptive._train import initial_parameters, step_sizes

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    epochs = 1000
    print(f"train vs plain torch loop, N = 200 points in 2-D, {epochs} epochs, float64")
    for width in (128, 1024):
        cfg = A.TrainConfig(width=width, epochs=epochs, record_every=50)
        v0, w0, b0 = initial_parameters(X, y, cfg)
        lr_v, lr_h = step_sizes(cfg)
        ours, plain = [], []
        for _ in range(3):
            t = time.perf_counter()
            A.train(X, y, cfg)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            plain_loop(X, y, v0, w0, b0, lr_v, lr_h, epochs)
            plain.append(time.perf_counter() - t)
        a, b = min(ours) / epochs, min(plain) / epochs
        print(
            f"width {width:5d}: train {a * 1e6:8.1f} us/epoch, plain torch {b * 1e6:8.1f} "
            f"us/epoch, ratio {a / b:.2f} (target <= 1.3)"
        )


if __name__ == "__main__":
    main()
