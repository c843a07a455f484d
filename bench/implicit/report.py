"""The benchmark's outputs: one PSNR table (mean +- spread over images and seeds), the
crops figure and results.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

SHORT = {"representation": "repr", "generalisation": "gen"}
REFERENCES = ("kernel (w=inf)", "mean predictor")


def summary(values) -> tuple[float, float, int]:
    """(mean, sample std, diverged count) of the finite values; std is nan for one value."""
    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    if ok.size == 0:
        return math.nan, math.nan, v.size
    return float(ok.mean()), float(ok.std(ddof=1)) if ok.size > 1 else math.nan, v.size - ok.size


def cell(values) -> str:
    mean, std, bad = summary(values)
    if not values:
        return f"{'':>14s}"
    text = f"{mean:6.2f} ± {std:5.2f}" if math.isfinite(std) else f"{mean:6.2f} ±   -  "
    return text + (f" ({bad} div.)" if bad else "")


def table(records, models, tasks, depths) -> str:
    """Rows: models, then the references; columns: parameters per depth, then PSNR per
    (task, depth) as mean ± sample std over images and seeds ("-": one value)."""
    cols = [(t, d) for t in tasks for d in depths]
    head = (f"{'model':16s}" + "".join(f"{f'params d={d}':>12s}" for d in depths) + "  "
            + "".join(f"{f'{SHORT[t]} d={d}':>17s}" for t, d in cols))
    lines = [head, "-" * len(head)]
    for name in list(models) + list(REFERENCES):
        rows = [r for r in records if r["model"] == name]
        if not rows:
            continue
        params = []
        for d in depths:
            ps = sorted({r["params"] for r in rows if r.get("depth") == d})
            params.append("-" if not ps else str(ps[0]) if len(ps) == 1 else f"{ps[0]}..{ps[-1]}")
        cells = []
        for t, d in cols:  # the references have no depth: the same value under each
            vals = [r["psnr"] for r in rows if r["task"] == t and r.get("depth") in (d, None)]
            cells.append(f"{cell(vals):>17s}")
        lines.append(f"{name:16s}" + "".join(f"{p:>12s}" for p in params) + "  " + "".join(cells))
    return "\n".join(lines)


def margins(records, task, depth, rivals) -> list[str]:
    """Each designed row's mean PSNR minus the best mean among its rivals, in one column.

    ``rivals``: designed row name -> competitor row names it is ranked against."""
    def mean(name):
        vals = [r["psnr"] for r in records
                if r["model"] == name and r["task"] == task and r.get("depth") == depth]
        return summary(vals)[0] if vals else math.nan

    out = []
    for row, names in rivals.items():
        best = max(((mean(n), n) for n in names if math.isfinite(mean(n))), default=None)
        if math.isfinite(mean(row)) and best:
            out.append(f"{row} {mean(row) - best[0]:+.2f} dB (best rival {best[1]})")
    return out


def write_json(path: Path, meta: dict, records) -> Path:
    path.write_text(json.dumps(dict(meta, records=records), indent=1, default=_plain) + "\n")
    return path


def _plain(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(f"not JSON-able: {type(x).__name__}")


def window(size: int) -> slice:
    """The crop the figure shows: the central half of a side (rows and columns)."""
    return slice(size // 4, size // 4 + max(size // 2, 1))


def figure(panels: dict, target, mask, path: Path) -> Path:
    """Crops (`window`: the central half of the image) of each reconstruction: one row per
    (task, depth), columns target, training pixels, then the models and the kernel, whose
    ``panels`` hold the crops already."""
    from actdesign.spectrum import new_figure, save_figure

    sl = window(target.shape[0])
    rows = list(panels)
    ncol = 2 + max(len(v) for v in panels.values())
    fig = new_figure(1.7 * ncol, 1.9 * len(rows))
    axes = np.atleast_2d(fig.subplots(len(rows), ncol, squeeze=False))
    for i, key in enumerate(rows):
        task, depth = key
        shown = mask[task] * target
        items = [("target", target[sl, sl]),
                 (f"{SHORT[task]}: training px", shown[sl, sl])] + panels[key]
        for j, ax in enumerate(axes[i]):
            ax.axis("off")
            if j < len(items):
                title, im = items[j]
                ax.imshow(np.clip(im, 0, 1), cmap="gray", vmin=0, vmax=1,
                          interpolation="nearest")
                ax.set_title(title if j >= 2 else f"{title} (d={depth})", fontsize=7)
    return save_figure(fig, path)
