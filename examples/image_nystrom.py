"""A photograph as a function of the pixel position, fitted by a designed kernel (Nystrom).

scikit-image's astronaut (512 x 512, RGB), pixel coordinates scaled to [-1, 1]^2; 25 % of
the pixels (drawn at random) are held out. Each colour channel is fitted by the
width = inf, R = inf kernel of an activation designed from the penalty exp(a|k|) in 2-D
(the uniform law; its kernel's spectrum is ~ 1/rho) with ``solver="nystrom"``: m centres
among the training pixels, FALKON-preconditioned CG, the kernel never stored. The figure
shows the image with the held-out pixels blacked out, the reconstruction, and the error;
the PSNR on the held-out pixels is printed.

By default a 128 x 128 crop (the face, top-left corner (30, 180)) keeps the run under
two minutes on two cores (held-out PSNR 27.4 dB at m = 3000, 59 CG iterations per
channel); ``--size 512`` fits the full image (786 432 pixels, 590 000 training points per
channel; its cost is that of bench/million.py's M = 1e6 line, three times over).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from _out import out_dir  # examples/_out.py: the one output-folder rule


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", default=None, help="output directory")
    p.add_argument("--size", type=int, default=128, help="crop side in pixels (512: full)")
    p.add_argument("--centres", type=int, default=3000)
    p.add_argument("--ridge", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    t0 = time.perf_counter()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skimage import data as skdata

    import actdesign
    from actdesign.fit import RadonSplineRegressor

    img = skdata.astronaut().astype(float) / 255.0
    n = min(args.size, 512)
    r0, c0 = (0, 0) if n == 512 else (30, 180)
    img = img[r0 : r0 + n, c0 : c0 + n]
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    X = np.c_[rows.ravel(), cols.ravel()] * (2.0 / (n - 1)) - 1.0
    rng = np.random.default_rng(args.seed)
    held = rng.random(n * n) < 0.25
    act = actdesign.design("exp(k)", dim=2)  # designed activation; its kernel is ~ Poisson
    # the kernel's width in [-1, 1] coordinates: a few pixels (omega = |w| of the neurons)
    scale = n / 10.0
    recon = np.empty_like(img)
    report = []
    for ch in range(3):
        y = img[..., ch].ravel()
        model = RadonSplineRegressor(act, width=math.inf, radius=math.inf, scale=scale,
                                     ridge=args.ridge, solver="nystrom", centres=args.centres,
                                     seed=args.seed)
        model.fit(X[~held], y[~held])
        recon[..., ch] = model.predict(X).reshape(n, n)
        report.append(model.nystrom_["iterations"])
    recon = np.clip(recon, 0.0, 1.0)
    mse = float(np.mean((recon.reshape(-1, 3)[held] - img.reshape(-1, 3)[held]) ** 2))
    psnr = 10 * math.log10(1.0 / mse)

    out = out_dir(args.out)
    shown = img.copy().reshape(-1, 3)
    shown[held] = 0.0
    err = np.abs(recon - img).mean(axis=2)
    fig, ax = plt.subplots(1, 3, figsize=(12, 4.3))
    ax[0].imshow(shown.reshape(n, n, 3))
    ax[0].set_title("training pixels (25 % held out)")
    ax[1].imshow(recon)
    ax[1].set_title(f"Nystrom fit, m = {args.centres}")
    im = ax[2].imshow(err, cmap="magma")
    ax[2].set_title(f"|error|, held-out PSNR {psnr:.1f} dB")
    fig.colorbar(im, ax=ax[2], fraction=0.046)
    for a in ax:
        a.set_axis_off()
    fig.suptitle(f"astronaut {n}x{n}: width=inf kernel of design('exp(k)', dim=2), "
                 f"ridge {args.ridge:g}")
    fig.tight_layout()
    path = out / "image_nystrom.png"
    fig.savefig(path, dpi=110)
    print(f"held-out PSNR {psnr:.2f} dB on {int(held.sum())} pixels x 3 channels; "
          f"CG iterations per channel {report}")
    print(f"wrote {path}; {time.perf_counter() - t0:.1f} s wall")


if __name__ == "__main__":
    main()
