"""The photographs bundled with scikit-image (no download), the two tasks' pixel splits, PSNR.

An image is fitted as coordinates in [-1, 1]^2 -> grey level in [0, 1]: colour photographs
are turned grey (scikit-image's luminance weights), non-square ones are centre-cropped to
a square, and all are resized with anti-aliasing to the requested side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "rocket", "cat", "moon",
          "immunohistochemistry")
TASKS = {  # name -> fraction of the pixels that train (the rest is held out)
    "representation": 1.0,
    "generalisation": 0.25,
}
VALIDATION = 0.2  # the tuning grid trains on 80 % of the training pixels, validates on 20 %


@dataclass(frozen=True)
class Image:
    """One photograph at one side: coordinates X (n, 2), grey levels y (n,), the picture."""

    name: str
    size: int
    X: np.ndarray
    y: np.ndarray

    @property
    def label(self) -> str:
        return f"{self.name}@{self.size}"

    @property
    def picture(self) -> np.ndarray:
        return self.y.reshape(self.size, self.size)


def parse(spec: str, size: int) -> list[tuple[str, int]]:
    """``"camera,astronaut@512"`` -> [("camera", size), ("astronaut", 512)]."""
    out = []
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        name, _, side = item.partition("@")
        if name not in PHOTOS:
            raise SystemExit(f"unknown image {name!r}; choose from {', '.join(PHOTOS)} "
                             "(optionally NAME@SIDE, e.g. camera@512)")
        try:
            n = int(side) if side else size
        except ValueError:
            raise SystemExit(f"bad side in {item!r}: write NAME@SIDE with an integer "
                             "side") from None
        if n < 4:
            raise SystemExit(f"image side must be at least 4 pixels, got {n} in {item!r}")
        out.append((name, n))
    if not out:
        raise SystemExit("--images is empty; name at least one of " + ", ".join(PHOTOS))
    return out


def load(name: str, size: int) -> Image:
    from skimage import color, data, transform

    img = getattr(data, name)()
    if img.ndim == 3:
        img = color.rgb2gray(img[..., :3])  # floats in [0, 1]
    else:
        img = img.astype(float) / 255.0
    h, w = img.shape
    s = min(h, w)
    img = img[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    img = transform.resize(img, (size, size), anti_aliasing=True)
    g = np.linspace(-1.0, 1.0, size)
    xx, yy = np.meshgrid(g, g, indexing="xy")
    return Image(name, size, np.c_[xx.ravel(), yy.ravel()], np.clip(img.ravel(), 0.0, 1.0))


def split(n: int, task: str, seed: int = 0) -> dict:
    """Pixel indices of a task: ``train``, ``eval`` (held out; all pixels for
    representation), and the tuning split of the training pixels, ``fit`` / ``val``."""
    perm = np.random.default_rng(seed).permutation(n)
    k = int(round(TASKS[task] * n))
    train = perm[:k]
    held = perm[k:] if k < n else perm
    cut = int(round((1 - VALIDATION) * train.size))  # perm is random: val is spread out
    return dict(train=np.sort(train), eval=np.sort(held), fit=np.sort(train[:cut]),
                val=np.sort(train[cut:]))


def psnr(pred, y) -> float:
    """10 log10(1 / MSE) for grey levels in [0, 1]; -inf for a non-finite prediction."""
    pred = np.asarray(pred, dtype=float)
    if not np.all(np.isfinite(pred)):
        return -math.inf
    mse = float(np.mean((pred - np.asarray(y, dtype=float)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(1.0 / mse)
