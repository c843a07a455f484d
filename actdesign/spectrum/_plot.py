"""Figures: spectra and convergence heatmaps (matplotlib, imported here only).

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state, no backend switch) and
written atomically; every caption states the Fourier convention.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..infra._convention import SHORT
from ..infra._errors import ActdesignError
from ..infra._optional import require
from ..infra.files._atomic import atomic_path

METRIC_LABEL = {
    "abs": "|f̂_t(k) − ĝ(k)| (amplitude units)",
    "rel": "|f̂_t(k) − ĝ(k)| / |ĝ(k)|",
    "ratio": "|f̂_t(k)| / |ĝ(k)|",
}


def new_figure(width=6.4, height=4.0):
    """A pyplot-free figure (safe in scripts, tests and servers)."""
    Figure = require("matplotlib.figure", "plot", "plotting").Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig, path) -> Path:
    """Write ``fig`` to ``path`` through a temporary file and a rename (format from the suffix)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ActdesignError(
            f"directory {path.parent} does not exist; create it or choose another path"
        )
    with atomic_path(path, suffix=path.suffix or ".png") as tmp:
        fig.savefig(tmp, dpi=110)
    return path


def caption(fig, text=""):
    """Put the convention (and ``text``) under the figure."""
    fig.text(0.5, 0.0, (text + "   " if text else "") + SHORT, ha="center", va="top", fontsize=7)


def unit_label(unit):
    return "k (cycles per unit)" if unit == "cycles" else "k (rad per unit)"


BAND_ENERGY = 0.999  # the plotted band holds this much of the energy ...
BAND_MARGIN = 1.5  # ... times this margin, and every significant peak times it
FLOOR = 1e-6  # log plots stop this far below the largest amplitude


def display_band(spec) -> tuple:
    """(amplitude floor, k_hi) for a 1-D plot: up to BAND_MARGIN × the larger of the
    BAND_ENERGY bandwidth and the highest significant peak, never past the last bin
    (not the Nyquist frequency, where a box window's sidelobes make a solid band)."""
    from ._tracker import find_peaks

    peaks = find_peaks(spec, rel_height=0.01)
    top = max([spec.bandwidth(BAND_ENERGY)] + [float(spec.k[i]) for i in peaks])
    k_last = float(spec.k[-1]) if spec.k.size else 1.0
    hi = min(k_last, BAND_MARGIN * top) if top > 0 else k_last
    amax = float(np.max(spec.amplitude)) if spec.k.size else 0.0
    return FLOOR * amax, hi if hi > 0 else 1.0


def plot_spectrum(spec, ax=None, *, path=None, log=True, label=None, title=None):
    """Amplitude against frequency (1-D) or |F| image with its radial profile (2-D)."""
    from ._result import Spectrum2D

    fig = None
    if ax is None:
        fig = new_figure()
        ax = fig.add_subplot()
    if isinstance(spec, Spectrum2D):
        prof = spec.radial_profile()
        ax.plot(prof.k, prof.amplitude, label=label or "radial mean")
    else:
        ax.plot(spec.k, spec.amplitude, label=label)
        lo, hi = display_band(spec)
        ax.set_xlim(0.0, hi)
        if log and lo > 0:
            ax.set_ylim(bottom=lo)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(unit_label(spec.unit))
    ax.set_ylabel("amplitude 2|F|/∫w")
    ax.set_title(
        title or f"spectrum (window {spec.window}, bandwidth99 = {spec.bandwidth(0.99):.4g})",
        fontsize=9,
    )
    if fig is not None:
        caption(fig, f"window={spec.window}, pad={spec.pad}")
        if path is not None:
            save_figure(fig, path)
        return fig
    return ax


def heatmap(tracker, ax=None, *, path=None, predicted=None, clip=(0.0, 1.0), title=None):
    """Seed 002 Fig. 2: metric over (frequency, step); ``predicted`` overlaid as contours."""
    fig = None
    if ax is None:
        fig = new_figure()
        ax = fig.add_subplot()
    m = tracker.matrix
    steps = np.asarray(tracker.steps, dtype=float)
    cols = np.arange(tracker.k.size)
    img = ax.pcolormesh(
        cols, steps, np.clip(m, *clip), shading="nearest", cmap="magma", vmin=clip[0], vmax=clip[1]
    )
    (fig or ax.figure).colorbar(img, ax=ax, label=METRIC_LABEL[tracker.metric])
    if predicted is not None:
        p = np.asarray(predicted, dtype=float)
        if p.shape != m.shape:
            raise ActdesignError(
                f"predicted has shape {p.shape}; it must match the tracker matrix {m.shape}"
            )
        cs = ax.contour(cols, steps, p, levels=[0.1, 0.5, 0.9], colors="cyan", linewidths=1.0)
        ax.clabel(cs, fontsize=6, fmt="%.1f")
    ticks = cols if cols.size <= 12 else np.linspace(0, cols.size - 1, 12).round().astype(int)
    ax.set_xticks(ticks, [f"{tracker.k[i]:.3g}" for i in ticks], fontsize=7)
    ax.set_xlabel(unit_label(tracker.unit))
    ax.set_ylabel("step")
    ax.set_title(
        title
        or "frequency convergence" + (" (contours: prediction)" if predicted is not None else ""),
        fontsize=9,
    )
    if fig is not None:
        caption(fig)
        if path is not None:
            save_figure(fig, path)
        return fig
    return ax
