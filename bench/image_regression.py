"""Image regression: a designed activation against SIREN, Gaussian and ReLU + positional encoding.

The camera image bundled with scikit-image (no download), downsampled, is fitted as
coordinates in [-1, 1]^2 -> intensity in [0, 1] by one-hidden-layer networks of the same
width with the same training budget: full-batch Adam for the same number of steps and a
grid of the same size per method (3 values of one axis x 3 learning rates). A random
part of the pixels trains; a random fifth of those validates the grid; the selected
configuration is retrained on all training pixels, and PSNR is measured on the held-out
pixels (which nothing else sees).

* designed: ``actdesign.choose_penalty`` fits the exp, Matern and Gaussian penalty
  families to the training pixels by marginal likelihood; ``actdesign.design`` turns
  each fitted penalty into phi in D = 2, exported to torch. The first layer is the
  uniform law of the theory (unit directions, offsets uniform on [-sqrt 2, sqrt 2]): the
  fitted penalty already carries the frequency scale, so the grid axis is the family
  (``--designed-axis family``, default) or, for the best designable family by BIC
  (a family whose phi the design refuses drops out of the grid), the first-layer scale
  {0.5, 1, 2} (``--designed-axis scale``).
* SIREN: sin(w0 (W x + b)) with the SIREN initialisation, w0 in {15, 30, 60}.
* Gaussian: exp(-(W x + b)^2 / (2 s^2)), default torch initialisation.
* ReLU + PE: Gaussian Fourier features [sin 2 pi B x, cos 2 pi B x] (B ~ N(0, sigma^2),
  fixed) into a ReLU layer; the only method with W x W trainable hidden weights.

Also printed as references (not ranked): the width = inf kernel fit of each fitted penalty
(the GP posterior mean) and the mean predictor. Writes a figure of the reconstructions.

Usage: python bench/image_regression.py [--quick] [--size 64] [--width 256] [--steps 600]
       [--train-fraction 0.5] [--threads 1] [--readout] [--designed-axis family|scale]
       [--out out/bench]
Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np


def image(size):
    from skimage import data, transform

    img = transform.resize(data.camera().astype(float) / 255.0, (size, size), anti_aliasing=True)
    g = np.linspace(-1.0, 1.0, size)
    xx, yy = np.meshgrid(g, g, indexing="xy")
    return np.c_[xx.ravel(), yy.ravel()], img.ravel(), img


def split(n, fraction, seed):
    """Train / held-out pixel indices, and the train set cut into fit / validation (4:1)."""
    perm = np.random.default_rng(seed).permutation(n)
    train, test = perm[: int(fraction * n)], perm[int(fraction * n):]
    cut = int(0.8 * train.size)  # a random fifth of the training pixels (perm is random)
    return np.sort(train), np.sort(test), np.sort(train[:cut]), np.sort(train[cut:])


def psnr(pred, y):
    return float(10 * math.log10(1.0 / np.mean((np.asarray(pred) - y) ** 2)))


# --- models --------------------------------------------------------------------------------
def _torch():
    import torch

    return torch


def designed(act_module, width, scale, gen, X):
    torch = _torch()
    theta = torch.rand(width, generator=gen) * 2 * math.pi
    gamma = (torch.rand(width, generator=gen) * 2 - 1) * math.sqrt(2.0)
    first = torch.nn.Linear(2, width)
    with torch.no_grad():
        first.weight.copy_(scale * torch.stack([torch.cos(theta), torch.sin(theta)], 1))
        first.bias.copy_(-scale * gamma)
        # phi * c with unit second moment at initialisation (rho[c phi] = rho / c^2: the
        # penalty's shape is unchanged)
        c = 1.0 / float(act_module(first(X)).pow(2).mean().sqrt())
    return torch.nn.Sequential(first, _Mul(act_module, c), torch.nn.Linear(width, 1))


def siren(width, w0, gen, X):
    torch = _torch()
    first = torch.nn.Linear(2, width)
    with torch.no_grad():  # SIREN's first layer: U(-1/fan_in, 1/fan_in), then times w0
        first.weight.uniform_(-0.5, 0.5, generator=gen)
        first.bias.uniform_(-0.5, 0.5, generator=gen)
    return torch.nn.Sequential(first, _Fn(lambda z: torch.sin(w0 * z)), torch.nn.Linear(width, 1))


def gaussian(width, s, gen, X):
    torch = _torch()
    first = torch.nn.Linear(2, width)
    return torch.nn.Sequential(first, _Fn(lambda z: torch.exp(-z * z / (2 * s * s))),
                               torch.nn.Linear(width, 1))


def relu_pe(width, sigma, gen, X):
    torch = _torch()
    B = torch.randn(2, width // 2, generator=gen) * sigma
    enc = _Fn(lambda x: torch.cat([torch.sin(2 * math.pi * x @ B),
                                   torch.cos(2 * math.pi * x @ B)], 1))
    return torch.nn.Sequential(enc, torch.nn.Linear(2 * (width // 2), width), torch.nn.ReLU(),
                               torch.nn.Linear(width, 1))


def _Fn(f):
    torch = _torch()

    class Fn(torch.nn.Module):
        def forward(self, z):
            return f(z)

    return Fn()


def _Mul(module, c):
    return _Fn(lambda z: c * module(z))


# --- training --------------------------------------------------------------------------------
def train(build, scale, lr, steps, X, y, seed, readout=False):
    torch = _torch()
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = build(scale, gen, X)
    if readout:
        _lstsq_readout(model, X, y)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.mean((model(X)[:, 0] - y) ** 2)
        loss.backward()
        opt.step()
    return model


def _lstsq_readout(model, X, y, ridge=1e-6):
    """Output layer = ridge least squares on the features at initialisation (all methods)."""
    torch = _torch()
    with torch.no_grad():
        H = model[:-1](X).double()
        H = torch.cat([H, torch.ones(H.shape[0], 1, dtype=H.dtype)], 1)
        G = H.T @ H
        lam = ridge * torch.trace(G) / G.shape[0]
        w = torch.linalg.solve(G + lam * torch.eye(G.shape[0], dtype=G.dtype), H.T @ y.double())
        model[-1].weight.copy_(w[:-1][None, :].float())
        model[-1].bias.copy_(w[-1:].float())


def predict(model, X):
    torch = _torch()
    with torch.no_grad():
        return model(X)[:, 0].numpy().astype(float)


def run_method(name, build, scales, lrs, steps, data, seed, readout=False):
    """Grid on fit/validation, retrain the best on all training pixels, held-out PSNR."""
    Xf, yf, Xv, yv, Xt, yt, Xte, yte = data
    t0 = time.perf_counter()
    grid = []
    for s in scales:
        for lr in lrs:
            pred = predict(train(build, s, lr, steps, Xf, yf, seed, readout), Xv)
            grid.append((psnr(pred, yv.numpy()) if np.all(np.isfinite(pred)) else -np.inf, s, lr))
    val, s, lr = max(grid)
    model = train(build, s, lr, steps, Xt, yt, seed, readout)
    seconds = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    return dict(name=name, scale=s, lr=lr, val=val, psnr=psnr(predict(model, Xte), yte.numpy()),
                seconds=seconds, params=params, model=model)


def kernel_reference(fam, fit, X, y, Xte):
    """The width = inf fit: GP posterior mean with a fitted kernel (GLS constant mean)."""
    from scipy import linalg
    from scipy.spatial.distance import cdist

    k0 = float(fam.kernel(np.zeros(1), fit.params, 2)[0])
    A = fam.kernel(cdist(X, X), fit.params, 2) / k0 + fit.eta * np.eye(len(y))
    L = linalg.cho_factor(A, lower=True)
    one = np.ones_like(y)
    a1, ay = linalg.cho_solve(L, one), linalg.cho_solve(L, y)
    m = one @ ay / (one @ a1)
    return m + fam.kernel(cdist(Xte, X), fit.params, 2) / k0 @ (ay - m * a1)


# --- main ------------------------------------------------------------------------------------
GRIDS = {  # first-layer scale grids, 3 values each (learning rates are shared)
    "designed": (0.5, 1.0, 2.0),  # with --designed-axis scale; else the three families
    "SIREN": (15.0, 30.0, 60.0),
    "Gaussian": (0.05, 0.1, 0.2),
    "ReLU+PE": (2.5, 5.0, 10.0),
}
LRS = (1e-3, 3e-3, 1e-2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run (10-20 s): size 32, width 64, 200 steps, one grid point each")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--train-fraction", type=float, default=0.5)
    ap.add_argument("--max-points", type=int, default=600, help="pixels for choose_penalty")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--readout", action=argparse.BooleanOptionalAction, default=False,
                    help="start every method's output layer at ridge least squares")
    ap.add_argument("--family", default="auto", help="penalty family for choose_penalty")
    ap.add_argument("--designed-axis", choices=["family", "scale"], default="family",
                    help="the designed method's 3-value grid axis: the penalty family (each "
                    "fitted by marginal likelihood, first-layer scale 1) or the first-layer "
                    "scale of the best designable family by BIC")
    ap.add_argument("--methods", default=",".join(GRIDS), help="comma list of methods to run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="out/bench",
                    help="directory for the figure ('' for none)")
    args = ap.parse_args(argv)
    if args.quick:
        args.size, args.width, args.steps, args.max_points = 32, 64, 200, 200
    return bench(args)


def bench(args):
    import torch

    import actdesign
    from actdesign.choose import FAMILIES
    from actdesign.choose._choose import bic

    torch.set_num_threads(args.threads)
    X, y, img = image(args.size)
    train_idx, test_idx, fit_idx, val_idx = split(y.size, args.train_fraction, args.seed)
    t0 = time.perf_counter()
    choice = actdesign.choose_penalty(X[train_idx], y[train_idx], args.family, design=False,
                                      max_points=args.max_points, seed=args.seed)
    acts, refused = {}, {}
    for f, fit in choice.fits.items():
        try:
            acts[f] = actdesign.design(FAMILIES[f].penalty(fit.params), dim=2)
        except actdesign.PenaltyError as err:  # reported below; the grid loses that value
            refused[f] = str(err)
    t_choose = time.perf_counter() - t0
    modules = {f: a.to_torch() for f, a in acts.items()}
    top = min(modules, key=lambda f: bic(choice.fits[f], choice.points))  # best designable
    T = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    data = tuple(T(a) for a in (X[fit_idx], y[fit_idx], X[val_idx], y[val_idx], X[train_idx],
                                y[train_idx], X[test_idx], y[test_idx]))
    by_family = args.designed_axis == "family"
    grids = dict(GRIDS, designed=tuple(modules) if by_family else GRIDS["designed"])
    builds = {
        "designed": (lambda f, g, Xs: designed(modules[f], args.width, 1.0, g, Xs)) if by_family
        else (lambda s, g, Xs: designed(modules[top], args.width, s, g, Xs)),
        "SIREN": lambda s, g, Xs: siren(args.width, s, g, Xs),
        "Gaussian": lambda s, g, Xs: gaussian(args.width, s, g, Xs),
        "ReLU+PE": lambda s, g, Xs: relu_pe(args.width, s, g, Xs),
    }
    lrs = LRS if not args.quick else (3e-3,)
    print(f"image regression: camera {args.size}x{args.size}, {train_idx.size} training / "
          f"{test_idx.size} held-out pixels, width {args.width}, {args.steps} Adam steps, "
          f"grid {1 if args.quick else 3} x {len(lrs)} learning rate(s) per method "
          f"(designed: {'penalty family at scale 1' if by_family else 'first-layer scale'}), "
          f"readout {'least squares' if args.readout else 'default init'}, "
          f"{args.threads} thread(s)")
    refs = {}
    for f, fit in choice.fits.items():
        ref = kernel_reference(FAMILIES[f], fit, X[train_idx], y[train_idx], X[test_idx])
        refs[f] = psnr(ref, y[test_idx])
        how = acts[f].method if f in acts else "REFUSED"
        print(f"penalty {f:7s} rho(k) = {FAMILIES[f].penalty(fit.params):32s} log ML "
              f"{fit.value:9.2f}  phi by {how:8s} width=inf kernel fit PSNR {refs[f]:6.2f} dB")
        if f in refused:
            print(f"  design refused, so the designed grid has no {f} value: {refused[f]}")
    print(f"marginal likelihood (BIC) prefers {choice.family} (best designable: {top}); "
          f"fitted on {choice.points} pixels, fitted and designed in {t_choose:.1f} s")
    rows = []
    for name, build in builds.items():
        if name not in args.methods.split(","):
            continue
        scales = grids[name] if not args.quick else grids[name][:1]
        row = run_method(name, build, scales, lrs, args.steps, data, args.seed, args.readout)
        rows.append(row)
        print(f"  {name:9s} PSNR {row['psnr']:6.2f} dB  (val {row['val']:6.2f})  "
              f"{'family' if name == 'designed' and by_family else 'scale'} {row['scale']}  "
              f"lr {row['lr']:g}  params {row['params']:6d}  time {row['seconds']:6.1f} s")
    mean = psnr(np.full(test_idx.size, y[train_idx].mean()), y[test_idx])
    print(f"  reference: mean predictor {mean:6.2f} dB")
    ranked = sorted(rows, key=lambda r: -r["psnr"])
    print("ranking: " + " > ".join(f"{r['name']} ({r['psnr']:.2f})" for r in ranked))
    sizes = {r["name"]: r["params"] for r in rows}
    if "ReLU+PE" in sizes and len(sizes) > 1:
        other = min(sizes.values())
        print(f"note: equal width, not equal size: ReLU+PE trains {sizes['ReLU+PE']} "
              f"parameters (a W x W hidden layer), the others {other}")
    des = [r["psnr"] for r in rows if r["name"] == "designed"]
    others = [r["psnr"] for r in rows if r["name"] != "designed"]
    if des and others:
        gap = des[0] - max(others)
        print(f"designed - best other: {gap:+.2f} dB "
              f"({'designed wins' if gap > 0 else 'designed does not win'})")
    print(f"convention: {actdesign.CONVENTION}")
    if args.out:
        print(f"figure: {figure(rows, X, img, train_idx, Path(args.out), args.size)}")
    return dict(rows=rows, mean=mean, choice=choice, references=refs)


def figure(rows, X, img, train_idx, out, size):
    torch = _torch()
    from actdesign.spectrum import new_figure, save_figure

    out.mkdir(parents=True, exist_ok=True)
    fig = new_figure(2.2 * (len(rows) + 2), 2.6)
    axes = fig.subplots(1, len(rows) + 2)
    mask = np.zeros(size * size)
    mask[train_idx] = 1
    panels = [("target", img), ("training pixels", (img.ravel() * mask).reshape(size, size))]
    for r in rows:
        pred = predict(r["model"], torch.as_tensor(X, dtype=torch.float32)).reshape(size, size)
        panels.append((f"{r['name']} {r['psnr']:.2f} dB", pred))
    for ax, (title, im) in zip(axes, panels):
        ax.imshow(np.clip(im, 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    return save_figure(fig, out / "image_regression.png")


if __name__ == "__main__":
    main()
