"""The gallery's figures (matplotlib, Agg backend, PNG), one function per figure.

Every function takes plain arrays and returns nothing but the file it writes, so the
numbers drawn are exactly the numbers stored in the page data.
"""

from __future__ import annotations

import numpy as np

from ..infra._convention import SHORT
from ..infra._optional import require

PHI_COLOURS = ("#1f5fa8", "#d2691e", "#3a8a3a")
DPI = 100


def _plt():
    matplotlib = require("matplotlib", "plot", "the gallery's plots")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path, dpi=DPI):
    fig.savefig(path, dpi=dpi, metadata={"Software": None})  # no timestamps: stable bytes
    _plt().close(fig)


def _finite(y):
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y), y, np.nan)


def phi_plot(path, z, curves, title):
    """phi, phi' (and phi'') on one axis; ``curves`` maps a label to values or None."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.9)
    for (label, y), colour in zip(curves.items(), PHI_COLOURS, strict=False):
        if y is not None:
            ax.plot(z, _finite(y), color=colour, lw=1.6, label=label)
    ax.axhline(0, color="#999", lw=0.6)
    ax.axvline(0, color="#999", lw=0.6)
    ax.set_xlabel("z")
    ax.set_title(title, fontsize=10)
    _clip(ax, curves)
    ax.legend(fontsize=8, loc="best")
    _save(fig, path)


def _clip(ax, curves):
    # singular activations (K0 at 0) would flatten the plot: clip to robust quantiles
    ys = np.concatenate([_finite(y)[np.isfinite(_finite(y))] for y in curves.values()
                         if y is not None] or [np.zeros(1)])
    lo, hi = np.quantile(ys, [0.005, 0.995])
    pad = 0.08 * max(hi - lo, 1e-12)
    ax.set_ylim(lo - pad, hi + pad)


def rho_plot(path, k, rho, amp, asymptotes):
    """Log-log rho(k) and |F[phi](k)| with the asymptotic exponents as text."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.24, top=0.9, wspace=0.28)
    a1.loglog(k, _positive(rho), color=PHI_COLOURS[0], lw=1.6)
    a1.set_title(r"penalty $\rho(k)$", fontsize=10)
    a2.loglog(k, _positive(amp), color=PHI_COLOURS[1], lw=1.6)
    a2.set_title(r"$|F[\phi](k)| = |k|^{(D-1)/2}\rho^{-1/2}$", fontsize=10)
    for ax in (a1, a2):
        ax.set_xlabel("k (angular)")
        ax.grid(True, which="major", lw=0.4, alpha=0.5)
    _limit_decades(a1, rho)
    _limit_decades(a2, amp)
    _few_log_ticks(a1)
    _few_log_ticks(a2)
    a1.text(0.03, 0.97, asymptotes, transform=a1.transAxes, va="top", fontsize=8,
            bbox=dict(fc="white", ec="#ccc", alpha=0.9))
    fig.text(0.5, 0.015, SHORT, ha="center", va="bottom", fontsize=7, color="#555")
    _save(fig, path)


def _few_log_ticks(ax):
    # default log ticks over 40 decades mean hundreds of minor ticks and mathtext labels
    from matplotlib.ticker import LogLocator, NullLocator

    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_locator(LogLocator(numticks=6))
            axis.set_minor_locator(NullLocator())


def _positive(y):
    y = _finite(y)
    return np.where(y > 0, y, np.nan)


def _limit_decades(ax, y, decades=40, top=1e40):
    # at most `decades` decades, and nothing above `top`: e^{k^2} would otherwise reach
    # 1e300 and squeeze the informative low-k part of the curve into a line
    y = _positive(y)
    if np.any(np.isfinite(y)):
        hi = min(np.nanmax(y) * 3, top)
        lo = max(np.nanmin(y) / 3, hi / 10.0**decades)
        ax.set_ylim(lo, hi)


def fit_plot(path, x, y, grid, target, learned, spec_k, spec_target, spec_learned):
    """The kernel-regime fit (left) and its spectrum against the target's (right)."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.24, top=0.9, wspace=0.28)
    a1.plot(grid, target, color="#999", lw=1.2, label="target")
    a1.plot(grid, _finite(learned), color=PHI_COLOURS[0], lw=1.5, label="kernel-regime fit")
    a1.plot(x, y, "o", ms=3.5, color="#222", label="data")
    a1.set_xlabel("x")
    a1.legend(fontsize=7, loc="lower right")
    a1.set_title("fit of step + sinusoids", fontsize=10)
    a2.semilogy(spec_k, _positive(spec_target), color="#999", lw=1.2, label="target")
    a2.semilogy(spec_k, _positive(spec_learned), color=PHI_COLOURS[0], lw=1.4, label="learned")
    a2.set_xlabel("k (angular)")
    a2.set_title(r"spectrum $|F[f]|$ on the data interval", fontsize=10)
    a2.legend(fontsize=7)
    _limit_decades(a2, np.concatenate([spec_target, spec_learned]), decades=8)
    _few_log_ticks(a2)
    fig.text(0.5, 0.015, SHORT + "; Hann window on [-3, 3]", ha="center", va="bottom",
             fontsize=7, color="#555")
    _save(fig, path)


def thumbnail(path, x, y, log=False):
    """A small axis-free curve for the index cards."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.8, 1.1))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.97)
    if log:
        ax.loglog(x, _positive(y), color=PHI_COLOURS[1], lw=1.4)
        yp = _positive(y)
        if np.any(np.isfinite(yp)):  # 12 decades up from the minimum: dips stay visible
            lo = np.nanmin(yp)
            ax.set_ylim(lo / 3, min(np.nanmax(yp) * 3, lo * 1e12))
    else:
        ax.plot(x, _finite(y), color=PHI_COLOURS[0], lw=1.4)
        _clip(ax, {"": y})
        ax.axhline(0, color="#bbb", lw=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_color("#ccc")
    _save(fig, path, dpi=90)
