"""How the designed random-features network approaches the width = inf kernel fit.

The theory behind the designed activation describes a one-hidden-layer network in the
kernel regime: width much larger than the number of training pixels. This script measures
how far from that limit a given width is, on the generalisation task of
bench/implicit.py (25 % of the pixels train, the other 75 % score): for each width W, the
designed network with its first layer drawn from the theory's law and frozen, and its
output layer the kernel-regime (ridge) fit — no Adam steps — against the kernel fit itself.
Two ridges: the width = inf penalty fit's noise ratio ("kernel eta"), and the one fitted
by marginal likelihood at the width ("evidence eta", what bench/implicit.py uses).

Prints two lines per image: PSNR (dB) on the held-out pixels, mean ± sample std over
seeds, per width, then the kernel's; the widths are also shown as multiples of the
training pixels N (the double-descent peak sits near W = N).

Usage: python bench/implicit_width.py [--images camera,astronaut,coffee,chelsea]
       [--size 48] [--widths 48,192,576,1224,4896] [--seeds 3] [--draw lattice|iid]
Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

_HERE = str(Path(__file__).resolve().parent)
sys.path.insert(0, _HERE)  # the helpers in bench/implicit/
try:
    from implicit import designed as D
    from implicit import images as IM
    from implicit import training as T
finally:
    sys.path.remove(_HERE)


def parser():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", default="camera,astronaut,coffee,chelsea")
    ap.add_argument("--size", type=int, default=48)
    ap.add_argument("--widths", default="48,192,576,1224,4896")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--draw", choices=list(D.DRAWS), default="lattice")
    ap.add_argument("--max-points", type=int, default=1000)
    return ap


def main(argv=None):
    import actdesign

    args = parser().parse_args(argv)
    widths = [int(w) for w in args.widths.split(",") if w.strip()]
    print(f"held-out PSNR (dB) of the designed random-features network (ridge fit, no Adam) "
          f"against the width = inf kernel fit; {args.size} x {args.size}, {args.seeds} seeds, "
          f"{args.draw} draws")
    rows = {}
    for name, size in IM.parse(args.images, args.size):
        img = IM.load(name, size)
        sp = IM.split(img.y.size, "generalisation")
        train, test = (T.pixels(img.X[sp[k]], img.y[sp[k]], "cpu") for k in ("train", "eval"))
        designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], args.max_points)
        design = designs.chosen
        if design is None:
            print(f"{img.label}: the chosen family is refused by the design")
            continue
        ref = D.kernel_reference(designs.choice, img.X[sp["train"]], img.y[sp["train"]],
                                 img.X[sp["eval"]])
        kernel = IM.psnr(ref, img.y[sp["eval"]])
        n = sp["train"].size
        rows[img.label] = dict(kernel=kernel, n=int(n))
        for ridge, eta in (("kernel eta", design.eta), ("evidence eta", None)):
            cells = [_cell(args, design, w, eta, train, test) for w in widths]
            rows[img.label][ridge] = cells
            text = "  ".join(f"W={w} ({w / n:.2g}N) {m:.2f}±{s:.2f}" for w, m, s in cells)
            print(f"{img.label} {design.family} {ridge}: {text}  kernel {kernel:.2f}")
    print(f"convention: {actdesign.CONVENTION}")
    return rows


def _cell(args, design, width, eta, train, test):
    """(width, mean, sample std) of the held-out PSNR over the seeds."""
    import torch

    scores = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        model = D.build_rf(design, width, train.X_cpu, draw=args.draw)
        D.warm_start(model, train.X, train.y, eta)
        scores.append(IM.psnr(T.predict(model, test.X), test.y_np))
    std = float(np.std(scores, ddof=1)) if len(scores) > 1 else float("nan")
    return width, float(np.mean(scores)), std


if __name__ == "__main__":
    main()
