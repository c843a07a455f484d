"""SWIM sampled networks: the ordered scale schedule against original and reversed.

Seed 000 (Homma & Ohkubo) grows the SWIM scale s1 with depth (low frequencies early, high
late; s2 = s1/2). Left: test RMSE on the 1-D multi-frequency target of init.md §1.2
(sin 2πx + ½ sin 10πx + ¼ sin 40πx, 2000 grid points, 3 tanh layers). Right: test error
on scikit-learn's bundled digits (no download). Mean over seeds, bars: min..max.
No gradient training anywhere: hidden layers are sampled, the output is least squares.

Usage: python examples/init_swim.py [OUT_DIR]   (or ACTDESIGN_EXAMPLES_OUT; default examples/out)
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _out  # noqa: E402  (examples/_out.py: the one output-folder rule)
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

from actdesign.init import swim  # noqa: E402

KINDS = ("original", "ordered", "reversed")
SEEDS = range(3)


def out_dir() -> Path:
    return _out.out_dir(sys.argv[1] if len(sys.argv) > 1 else None)


def target(x):
    return np.sin(2 * np.pi * x) + 0.5 * np.sin(10 * np.pi * x) + 0.25 * np.sin(40 * np.pi * x)


def regression(widths):
    X = np.linspace(0, 1, 2000)[:, None]
    Xt = np.random.default_rng(0).uniform(0, 1, (5000, 1))
    res = {k: [] for k in KINDS}
    for w in widths:
        errs = swim.compare_schedules(X, target(X[:, 0]), Xt, target(Xt[:, 0]), [w] * 3,
                                      kinds=KINDS, seeds=SEEDS)
        for k in KINDS:
            res[k].append(errs[k])
    return res


def digits(widths):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    perm = np.random.default_rng(0).permutation(len(y))
    X, y = X[perm] / 16.0, y[perm]
    tr, te = slice(0, 1300), slice(1300, None)
    res = {k: [] for k in KINDS}
    for w in widths:
        for k in KINDS:
            res[k].append([np.mean(swim.SampledMLP([w] * 3, schedule=k, classifier=True, seed=s)
                                   .fit(X[tr], y[tr]).predict(X[te]) != y[te]) for s in SEEDS])
    return res


def panel(ax, widths, res, ylabel, title):
    for i, k in enumerate(KINDS):
        a = np.array(res[k])
        m = a.mean(axis=1)
        ax.errorbar(np.array(widths) * (1 + 0.04 * (i - 1)), m,
                    yerr=[m - a.min(axis=1), a.max(axis=1) - m], marker="o", capsize=3, label=k)
    ax.set(xscale="log", yscale="log", xlabel="hidden width (3 layers)", ylabel=ylabel,
           title=title)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.legend()


def main():
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    with threadpool_limits(1, user_api="blas"):  # small shared CPUs: no BLAS oversubscription
        wr = [32, 128, 512, 1024]
        reg = regression(wr)
        wd = [16, 64, 256, 512]
        cls = digits(wd)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    panel(ax[0], wr, reg, "test RMSE", "1-D regression (init.md §1.2 target)")
    panel(ax[1], wd, cls, "test error rate", "digits classification (one-hot, argmax)")
    fig.suptitle("SWIM schedules, s1 per layer: original [ln3]*3, ordered [ln3/2, ln3, 2 ln3], "
                 "reversed; s2 = s1/2", fontsize=9)
    fig.tight_layout()
    path = out_dir() / "init_swim.png"
    fig.savefig(path, dpi=110)
    for k in KINDS:
        print(f"{k:9s} regression RMSE {np.array(reg[k]).mean(axis=1)}  digits error "
              f"{np.array(cls[k]).mean(axis=1)}")
    print(path, f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
