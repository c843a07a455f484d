"""Kernel regime: a designed activation's learned spectrum follows its penalty.

Three activations, each designed from its penalty by actdesign.design:

- ReLU (rho = k^4): a low-pass learner, slower by k^4;
- Gaussian (rho = e^{k^2}): a much sharper low-pass learner;
- a band-pass wavepacket, rho = 1/|F[e^{-z^2/2} cos 3z]|^2, which learns frequencies near
  |k| = 3 first and both lower and higher ones later.

Each is the feature map of a 1000-wide random-features network (only the output layer
trains: the kernel regime), fitted to the same sum of six sinusoids on [-10, 10].
Column 1: measured frequency convergence |f_t(k) - g(k)|/|g(k)| under gradient descent
(exact trajectory), with the prediction exp(-eta t lambda(k)), lambda = 2 K_hat / L,
K_hat = width / (2B rho), as contours. Column 2: steps to converge (residual e^-1), measured
against predicted. Column 3: the ridge solution's kept fraction |f_hat|/|g_hat| against the
prediction 1/(1 + lam_eff rho(k)), with rho itself (grey, right axis).
"""

from __future__ import annotations

import numpy as np
import spectral_common as C

WAVEPACKET = "2/(pi*(exp(-(k-3)^2/2) + exp(-(k+3)^2/2))^2)"  # = 1/|F[exp(-z^2/2) cos(3z)]|^2
ACTIVATIONS = [
    ("ReLU", "k^4", "relu", 1e-3),
    ("Gaussian", "exp(k^2)", "bump", 1e-3),
    ("band-pass wavepacket", WAVEPACKET, "bump", 1e-2),
]


def main(argv=None):
    p = C.parser(__doc__)
    p.add_argument("--width", type=int, default=1000)
    p.add_argument("--bias-range", type=float, default=15.0)
    p.add_argument("--n", type=int, default=512, help="dense training samples on [-10, 10]")
    p.add_argument("--lr-fraction", type=float, default=0.5, help="of the GD stability limit")
    args = p.parse_args(argv)
    clock = C.Clock()

    from scipy.stats import spearmanr

    import actdesign
    from actdesign import CONVENTION
    from actdesign import spectrum as sp
    from actdesign.spectrum._plot import new_figure, save_figure

    L = 20.0
    dom = (-L / 2, L / 2)
    freqs = np.arange(1, 7) * 3 * (2 * np.pi / L)  # angular, bin-centred: 0.94 ... 5.65
    target = lambda x: sum(np.sin(k * x + 0.3 * i) for i, k in enumerate(freqs))  # noqa: E731
    steps = np.unique(np.geomspace(1, 1e9, 160).astype(int))
    fig = new_figure(13, 10)
    axes = fig.subplots(len(ACTIVATIONS), 3)
    kk = np.linspace(0.05, 7, 300)
    for row, (name, penalty, shape, lam) in zip(axes, ACTIVATIONS, strict=True):
        act = actdesign.design(penalty, shape=shape)
        model = sp.RandomFeatureModel(
            act, width=args.width, bias_range=args.bias_range, seed=args.seed
        )
        tr = sp.FrequencyTracker(target, dom, n=args.n, peaks=list(freqs), metric="rel")
        lr = args.lr_fraction * model.max_stable_lr(tr.x)
        for t, f in zip(steps, model.gd_trajectory(tr.x, target(tr.x), steps, lr), strict=True):
            tr.update(int(t), values=f)
        rate = model.rate(tr.k, L)
        pred = sp.predicted_convergence(rate, tr.steps, lr)
        tr.plot(ax=row[0], predicted=pred, title=f"{name}: measured (colour), predicted (contours)")
        row[0].set_yscale("log")
        measured, predicted = tr.convergence_steps(), 1.0 / (lr * rate)
        rho_s = spearmanr(measured, predicted).statistic
        row[1].loglog(predicted, measured, "o")
        both = np.concatenate([predicted, measured])
        both = both[
            np.isfinite(both)
        ]  # frequencies that never converge within 1e9 steps are left out
        lo, hi = both.min() / 2, both.max() * 2
        row[1].plot([lo, hi], [lo, hi], "k:", lw=0.8)
        for k, x, y in zip(tr.k, predicted, measured, strict=True):
            row[1].annotate(
                f"{k:.2f}", (x, y), fontsize=6, xytext=(3, -3), textcoords="offset points"
            )
        row[1].set_title(f"steps to e^-1: Spearman {rho_s:.3f}", fontsize=8)
        row[1].set_xlabel("predicted 1/(η λ(k))")
        row[1].set_ylabel("measured")
        fit = model.ridge_fit(tr.x, target(tr.x), lam)
        ratio = sp.FrequencyTracker(target, dom, n=args.n, peaks=list(freqs), metric="ratio")
        ratio.update(0, fit)
        lam_eff = model.effective_ridge(lam, L)
        row[2].plot(kk, sp.ridge_shrinkage(act, kk, lam_eff), "C0-", lw=1, label="1/(1+λ_eff ρ(k))")
        row[2].plot(ratio.k, ratio.matrix[0], "C1o", label="ridge fit |f̂|/|ĝ|")
        row[2].set_ylim(0, 1.1)
        row[2].set_xlabel("k (rad per unit)")
        row[2].legend(fontsize=6, loc="lower left")
        twin = row[2].twinx()
        twin.semilogy(kk, act.penalty(kk), color="grey", lw=0.8)
        twin.set_ylabel("ρ(k)", fontsize=7)
        row[2].set_title(
            f"ridge λ={lam:g} (λ_eff={lam_eff:.3g}): learned spectrum follows ρ", fontsize=8
        )
        ridge_err = np.max(np.abs(ratio.matrix[0] - sp.ridge_shrinkage(act, ratio.k, lam_eff)))
        print(
            f"{name}: Spearman {rho_s:.3f}, "
            f"measured/predicted steps {np.round(measured / predicted, 2)}, "
            f"max |ridge - prediction| {ridge_err:.3f}"
        )
    fig.suptitle(
        f"Kernel regime: random features (width {args.width}, b ~ U[-{args.bias_range:g}, "
        f"{args.bias_range:g}], w = ±1), 6 sinusoids on [-10, 10]",
        fontsize=10,
    )
    fig.text(
        0.5,
        0.0,
        f"GD at {args.lr_fraction} x the stability limit; K̂ = width/(2B ρ), λ = 2K̂/L. "
        f"{CONVENTION[:60]}…",
        ha="center",
        va="top",
        fontsize=6,
    )
    path = save_figure(fig, C.out_dir(args.out) / "spectral_kernel.png")
    print(f"{path} ({clock})")


if __name__ == "__main__":
    main()
