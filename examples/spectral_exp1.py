"""Seed 002, Experiment 1: implicit networks are not implicitly regularised (its Fig. 1).

Eight equidistant samples of 3 sin(0.4 pi x) + 5 sin(0.2 pi x) on [0, 10] are fitted by
256-wide ReLU, Gaussian and sine networks of growing depth (Xavier initialisation). Reported
in the paper: ReLU interpolations stay smooth as depth grows; Gaussian and sine ones get
worse, and their *initial* spectra gain high-frequency energy with depth, while ReLU's stay
low-frequency. Left column: the fits; right column: the initial spectra (hann window,
cycles per unit, amplitude 2|F|/∫w).

Ambiguous settings (see spectral_common): domain [0, 10] (not stated), equidistant points,
Gaussian width a = 0.1, sine frequency w0 = 5 (w0 = 1 leaves a Xavier sine network almost
linear at every depth), Adam lr 1e-3 instead of SGD lr 1e-4 with an unknown step count.
"""

from __future__ import annotations

import numpy as np
import spectral_common as C


def main(argv=None):
    p = C.parser(__doc__)
    p.add_argument("--depths", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--gauss-a", type=float, default=0.1)
    p.add_argument("--sine-w0", type=float, default=5.0)
    p.add_argument("--domain", type=float, nargs=2, default=[0.0, 10.0])
    args = p.parse_args(argv)
    clock = C.Clock()

    import torch

    from actdesign import CONVENTION
    from actdesign import spectrum as sp
    from actdesign.spectrum._plot import new_figure, save_figure

    torch.set_num_threads(args.threads)
    a, b = args.domain
    g = lambda x: 3 * np.sin(0.4 * np.pi * x) + 5 * np.sin(0.2 * np.pi * x)  # noqa: E731
    xs = np.linspace(a, b, 8)
    xd = np.linspace(a, b, 1000)
    acts = ["relu", "gaussian", "sine"]
    fig = new_figure(10, 9)
    axes = fig.subplots(len(acts), 2)
    for row, act in zip(axes, acts, strict=True):
        row[0].plot(xd, g(xd), "k--", lw=1, label="ground truth")
        row[0].plot(xs, g(xs), "ko", ms=4)
        for depth in args.depths:
            net = C.mlp(act, depth, seed=args.seed, gauss_a=args.gauss_a, sine_w0=args.sine_w0)
            s0 = sp.spectrum(net, (a, b), n=2048, window="hann", unit="cycles")
            loss = C.fit(net, xs, g(xs), args.steps, args.lr, args.optimizer)
            row[0].plot(xd, C.predict(net, xd), lw=1.2, label=f"depth {depth} (loss {loss:.1e})")
            keep = s0.k <= 3.0
            row[1].semilogy(
                s0.k[keep],
                s0.amplitude[keep] + 1e-8,
                lw=1.2,
                label=f"depth {depth}: bandwidth99 {s0.bandwidth(0.99):.2f}",
            )
        row[0].set_title(f"{act}: interpolations after training", fontsize=9)
        row[0].set_ylim(-12, 12)
        row[0].legend(fontsize=6)
        row[1].set_title(f"{act}: spectrum at initialisation", fontsize=9)
        row[1].set_xlabel("k (cycles per unit)")
        row[1].legend(fontsize=6)
    fig.suptitle(
        "Seed 002 Exp. 1: 8 points of 3 sin(0.4πx) + 5 sin(0.2πx), 256-wide nets, Xavier init",
        fontsize=10,
    )
    fig.text(
        0.5,
        0.0,
        f"{args.optimizer} lr {args.lr}, {args.steps} steps; gaussian a={args.gauss_a}, "
        f"sine w0={args.sine_w0}; spectra: hann window on [{a:g}, {b:g}]. {CONVENTION[:60]}…",
        ha="center",
        va="top",
        fontsize=6,
    )
    path = save_figure(fig, C.out_dir(args.out) / "spectral_exp1.png")
    print(f"{path} ({clock})")


if __name__ == "__main__":
    main()
