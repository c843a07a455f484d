"""Training with an equal budget: full-batch Adam for the same number of steps for every
model, and the same tuning grid size (one axis x the learning rates), chosen on the
validation pixels; the winner is retrained on all training pixels for each seed."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .images import psnr

PREDICT_ENTRIES = 1 << 26  # activations per forward pass when predicting (256 MB float32)


@dataclass(frozen=True)
class Pixels:
    """Coordinates and grey levels of a pixel set, on the device (X_cpu builds models)."""

    X: object
    y: object
    X_cpu: object
    y_np: np.ndarray


def pixels(X, y, device) -> Pixels:
    import torch

    Xc = torch.as_tensor(X, dtype=torch.float32)
    return Pixels(Xc.to(device), torch.as_tensor(y, dtype=torch.float32).to(device), Xc,
                  np.asarray(y, dtype=float))


def free_bytes(device) -> int:
    """Memory free for new tensors: the GPU's free memory, or on the CPU, where Linux
    kills a process that takes more, actdesign's own estimate (MemAvailable capped by a
    cgroup limit, the one its fits budget with)."""
    import torch

    if torch.device(device).type == "cuda":
        return int(torch.cuda.mem_get_info(torch.device(device))[0])
    from actdesign.infra._memory import available_bytes

    return available_bytes()


def out_of_memory(err: BaseException) -> bool:
    """Whether ``err`` is an allocation failure (torch's CUDA or CPU allocator, or a
    MemoryError such as `designed.warm_start`'s own check)."""
    import torch

    if isinstance(err, (MemoryError, getattr(torch, "OutOfMemoryError", MemoryError))):
        return True
    text = str(err)
    return isinstance(err, RuntimeError) and ("out of memory" in text
                                              or "can't allocate memory" in text)


def adam(model, data: Pixels, steps: int, lr: float) -> bool:
    """Full-batch Adam on the mean squared error, plus ``model.penalty()`` where a model
    defines one (the designed network's ridge term); False if the loss stops being finite."""
    import torch

    penalty = getattr(model, "penalty", None)

    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((model(data.X) - data.y) ** 2)
        if penalty is not None:
            loss = loss + penalty()
        if not torch.isfinite(loss):
            return False
        loss.backward()
        opt.step()
    return True


def predict(model, X) -> np.ndarray:
    """The model at every row of X, in blocks of pixels that keep each layer's activations
    under PREDICT_ENTRIES (a wide layer at 512 x 512 would need 35 GB at once)."""
    import torch

    widest = max((max(p.shape) for p in model.parameters() if p.dim()), default=1)
    rows = max(1, PREDICT_ENTRIES // widest)
    with torch.no_grad():
        return np.concatenate([model(X[i:i + rows]).float().cpu().numpy()
                               for i in range(0, X.shape[0], rows)]).astype(float)


def run(make, value, lr, steps, seed, train: Pixels, test: Pixels, device, warm=None):
    """Build (seeded), optionally warm-start, train, and score on ``test``.

    Returns (PSNR on test, model, seconds)."""
    import torch

    t0 = time.perf_counter()
    torch.manual_seed(seed)
    model = make(value, train.X_cpu).to(device)
    if warm is not None:
        warm(model, value, train)
    ok = adam(model, train, steps if lr > 0 else 0, lr)  # lr 0: the warm start alone
    score = psnr(predict(model, test.X), test.y_np) if ok else -math.inf
    return score, model, time.perf_counter() - t0


def tune(make, values, lrs, steps, seed, fit: Pixels, val: Pixels, device, warm=None):
    """The grid values x lrs on (fit, val): the best (value, lr) and every point's PSNR.

    A one-point grid is returned without training (nothing to choose)."""
    grid = [(v, lr) for v in values for lr in lrs]
    if len(grid) == 1:
        return grid[0], []
    scores = []
    for v, lr in grid:
        s, _, _ = run(make, v, lr, steps, seed, fit, val, device, warm)
        scores.append(s)
    best = int(np.argmax(scores))  # the first of equals: the grid's order is fixed
    points = [dict(value=v, lr=lr, val_psnr=s)
              for (v, lr), s in zip(grid, scores, strict=True)]
    return grid[best], points
