"""Shared pieces of the spectral_* example scripts (a helper module, not a figure script).

Networks follow seed 002 (Ramasinghe et al., ICML 2023): fully connected, 1-D input, hidden
layers 256 wide, ReLU / Gaussian / sine activations, Xavier or N(0, s) initialisation. The
paper leaves several settings open; they are parameters here (../shared/notes/init.md §2.3):

- Gaussian activation exp(-z^2 / (2 a^2)): ``a`` is not stated (default 0.1).
- Sine activation sin(w0 z): ``w0`` is not stated (default 1).
- "N(0, 0.03)": read as a standard deviation, applied to weights and biases.
- Xavier: normal Xavier weights; biases keep PyTorch's default U(-1/sqrt(fan_in), +) unless
  ``bias_init="zeros"`` (zero biases make a ReLU network positively homogeneous, i.e. linear
  on each side of x = 0, which no experiment in the paper shows).
- Optimiser: the paper names SGD with lr 1e-4 (Exp. 1) without a step count; the scripts
  default to Adam with lr 1e-3 so that each figure renders in under two minutes on two cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _out import out_dir as out_dir  # re-exported: the one output-folder rule (examples/_out.py)


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with the common ``out`` argument."""
    p = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "out",
        nargs="?",
        default=None,
        help="output directory (default: $ACTDESIGN_EXAMPLES_OUT or examples/out/)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (1 is fastest for these small nets)",
    )
    return p


class Clock:
    """Wall and CPU time since creation, for the scripts' closing line."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __str__(self):
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return f"{wall:.1f} s wall, {cpu:.1f} s CPU"


# --- torch networks ----------------------------------------------------------------------
def activation_module(name, gauss_a=0.1, sine_w0=1.0):
    import torch

    class Gaussian(torch.nn.Module):
        def forward(self, z):
            return torch.exp(-(z**2) / (2 * gauss_a**2))

    class Sine(torch.nn.Module):
        def forward(self, z):
            return torch.sin(sine_w0 * z)

    return {"relu": torch.nn.ReLU, "gaussian": Gaussian, "sine": Sine}[name]()


def mlp(
    activation="relu",
    depth=4,
    width=256,
    init="xavier",
    normal_std=0.03,
    bias_init="default",
    seed=0,
    gauss_a=0.1,
    sine_w0=1.0,
):
    """1 -> width (x depth hidden layers) -> 1, with the initialisations of seed 002."""
    import torch

    torch.manual_seed(seed)
    layers, d = [], 1
    for i in range(depth + 1):
        last = i == depth
        lin = torch.nn.Linear(d, 1 if last else width)
        with torch.no_grad():
            if init == "xavier":
                torch.nn.init.xavier_normal_(lin.weight)
                if bias_init == "zeros":
                    lin.bias.zero_()
            elif init == "normal":
                lin.weight.normal_(0.0, normal_std)
                lin.bias.normal_(0.0, normal_std)
            else:
                raise ValueError(f"init must be 'xavier' or 'normal', got {init!r}")
        layers.append(lin)
        if not last:
            layers.append(activation_module(activation, gauss_a, sine_w0))
        d = width
    return torch.nn.Sequential(*layers)


def fit(net, x, y, steps, lr=1e-3, optimizer="adam", tracker=None, every=50):
    """Full-batch training on the mean squared error; returns the final loss."""
    import torch

    X = torch.tensor(np.asarray(x), dtype=torch.float32)[:, None]
    Y = torch.tensor(np.asarray(y), dtype=torch.float32)[:, None]
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(net.parameters(), lr=lr)
    loss = None
    for step in range(steps):
        opt.zero_grad()
        loss = ((net(X) - Y) ** 2).mean()
        if not torch.isfinite(loss):
            return float("nan")  # diverged; fit_stable retries with a smaller lr
        loss.backward()
        opt.step()
        if tracker is not None and step % every == 0:
            tracker.update(step, net)
    if tracker is not None:
        tracker.update(steps, net)
    return float(loss.item())


def ntk_lr(net, x, fraction=0.3):
    """``fraction`` x 2 / (largest eigenvalue of the tangent kernel of the MSE on ``x``).

    Gradient descent is stable below 2 / lambda_max, which differs by orders of magnitude
    between a fresh and a pretrained network; a fixed fraction of it puts every experiment in
    the same regime (the gradient-flow regime of seed 002's Theorem 5.1 as fraction -> 0).
    """
    import torch

    X = torch.tensor(np.asarray(x), dtype=torch.float32)[:, None]
    rows = []
    for i in range(X.shape[0]):
        net.zero_grad()
        net(X[i : i + 1]).sum().backward()
        rows.append(torch.cat([p.grad.flatten() for p in net.parameters()]).double().numpy())
    net.zero_grad()
    jac = np.array(rows)
    lam = np.linalg.eigvalsh(2.0 / len(rows) * jac @ jac.T)[-1]
    return fraction * 2.0 / lam


def predict(net, x):
    import torch

    with torch.no_grad():
        return net(torch.tensor(np.asarray(x), dtype=torch.float32)[:, None])[:, 0].double().numpy()
