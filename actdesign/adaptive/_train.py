"""Full-batch gradient descent of a shallow ReLU network with every layer trained.

The network is ``f(x) = sum_i v_i relu(w_i . x + b_i)`` (standard coordinates), the loss
``L = (1/2N) sum_n (f(x_n) - y_n)^2``. The hidden layer starts from a sampling law of
`actdesign.fit` (uniform planes or Gaussian weights); output weights start as
``v_i ~ init_scale * N(0, 1) / sqrt(width)``.

Step sizes (the regime parameter)
---------------------------------
``v`` takes steps ``lr / width`` and ``(w, b)`` takes steps ``regime * lr``. With
``lr / width`` the amplitude (kernel) part of the dynamics runs on a clock that does not
depend on the width. In Radon-spline coordinates (theory.md §1) a zero-plane then moves
with ``(xi, gamma)' = regime * lr * (mu / omega^2) * V_t(xi, gamma)`` while each amplitude
moves at ``(lr / width) * omega^2`` and the function at ``width`` times that. The ratio of
the plane rate to this amplitude clock at initialisation,
``regime * <|mu| / omega^2> / <omega^2>``, is reported as ``rate_ratio``.

* ``regime = 0``: planes frozen, the exact kernel regime (only v trained, theory.md §2).
* ``regime = 1``: the NTK parameterisation ``f = width^(-1/2) sum a_i relu(...)`` with one
  step size for all layers; planes move by O(width^(-1/2)) (the kernel limit).
* ``regime >> 1`` (of order sqrt(width) and more): planes travel O(1), the adaptive regime.

torch is imported inside the functions (``import actdesign.adaptive`` stays light).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..fit._data import check_arrays
from ..fit._laws import GaussianLaw, UniformLaw
from ..infra._data_checks import check_training
from ..infra._memory import check as check_memory
from ..infra._memory import env_fix
from ..infra._optional import require
from ..infra._progress import progress
from ._errors import AdaptiveError
from ._record import Trajectory

LAWS = {"uniform": UniformLaw, "gaussian": GaussianLaw}
DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one run (validated on creation); the defaults are an adaptive run.

    Parameters
    ----------
    width : int
        Hidden neurons.
    regime : float
        Step-size ratio of (w, b) to ``width * (step of v)``; see the module docstring.
    epochs : int
        Full-batch gradient steps.
    lr : float
        Base step size.
    law : {"uniform", "gaussian"}
        Initial law of (w, b): uniform planes (``|w| = scale``, gamma uniform on
        [-radius, radius], radius = max |x| by default) or ``w ~ N(0, scale^2 I)``,
        ``b ~ N(0, bias_std^2)``.
    scale, bias_std, radius : float
        Parameters of the law (``radius=None``: the data radius).
    init_scale : float
        Standard deviation of ``sqrt(width) * v`` at initialisation.
    record_every : int
        Epochs between recorded snapshots (the first and last epochs are always kept).
    seed : int
        Seed (>= 0) of the numpy generator that draws the initial (w, b) and v; equal
        seeds give equal initial networks.
    dtype : {"float64", "float32"}
        Torch precision of the training loop; the recorded snapshots and loss are
        float64 numpy arrays either way.
    paired : bool
        Draw width/2 neurons and repeat them with opposite v (width must be even), so
        that the initial function is exactly 0 and runs differ only by their features.
    """

    width: int = 128
    regime: float = 30.0
    epochs: int = 2000
    lr: float = 0.5
    law: str = "uniform"
    scale: float = 1.0
    bias_std: float = 1.0
    radius: float | None = None
    init_scale: float = 0.1
    record_every: int = 50
    seed: int = 0
    dtype: str = "float64"
    paired: bool = False

    def __post_init__(self):
        for name in ("width", "epochs", "record_every"):
            val = getattr(self, name)
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
                raise AdaptiveError(f"{name} must be a positive integer, got {val!r}")
        for name in ("lr", "scale", "init_scale"):
            _finite(name, getattr(self, name), positive=True)
        seed_ok = isinstance(self.seed, (int, np.integer)) and not isinstance(self.seed, bool)
        if not seed_ok or self.seed < 0:
            raise AdaptiveError(f"seed must be an integer >= 0, got {self.seed!r}")
        _finite("regime", self.regime, positive=False)
        _finite("bias_std", self.bias_std, positive=False)
        if self.radius is not None:
            _finite("radius", self.radius, positive=True)
        if self.law not in LAWS:
            raise AdaptiveError(f"unknown law {self.law!r}; use one of {sorted(LAWS)}")
        if self.paired and self.width % 2:
            raise AdaptiveError(f"paired initialisation needs an even width, got {self.width}")
        if self.dtype not in DTYPES:
            raise AdaptiveError(f"unknown dtype {self.dtype!r}; use one of {list(DTYPES)}")

    def sampler(self):
        """The `actdesign.fit` law that draws the initial (w, b)."""
        if self.law == "uniform":
            return UniformLaw(self.radius, self.scale)
        return GaussianLaw(self.scale, self.bias_std)


def _finite(name, value, *, positive):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or (value <= 0 if positive else value < 0):
        need = "a positive number" if positive else "a number >= 0"
        raise AdaptiveError(f"{name} must be {need}, got {value!r}")


def initial_parameters(X, y, cfg: TrainConfig):
    """(v, w, b) at initialisation as float64 numpy arrays (seeded by ``cfg.seed``)."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.width // 2 if cfg.paired else cfg.width
    neurons = cfg.sampler().sample(n, X, y, rng)
    if np.any(np.linalg.norm(neurons.w, axis=1) == 0):
        raise AdaptiveError("a neuron was drawn with w = 0; change the seed or the law")
    v = cfg.init_scale * rng.standard_normal(n) / math.sqrt(cfg.width)
    if cfg.paired:  # neuron i + n is neuron i with -v: the initial function is exactly 0
        return np.r_[v, -v], np.r_[neurons.w, neurons.w], np.r_[neurons.b, neurons.b]
    return v, neurons.w.copy(), neurons.b.copy()


def step_sizes(cfg: TrainConfig):
    """(step of v, step of (w, b))."""
    return cfg.lr / cfg.width, cfg.regime * cfg.lr


def train(X, y, config: TrainConfig | None = None, **settings) -> Trajectory:
    """Train the network by full-batch gradient descent and record its zero-planes.

    Parameters
    ----------
    X : array (N, D)
        Training inputs.
    y : array (N,)
        Targets.
    config : TrainConfig, optional
        Settings; keyword ``settings`` build one (``train(X, y, width=64, regime=50)``).
    **settings
        `TrainConfig` fields, used when ``config`` is None (not both).

    Returns
    -------
    Trajectory
        Snapshots of (v, w, b) every ``record_every`` epochs and the loss at every epoch.
    """
    torch = require("torch", "torch", "adaptive training")

    if config is None:
        config = TrainConfig(**settings)
    elif settings:
        raise AdaptiveError("give either a TrainConfig or keyword settings, not both")
    X, y = check_training(*check_arrays(X, y), what="adaptive training")
    check_run_memory(X.shape[0], X.shape[1], config, summary=False)
    v0, w0, b0 = initial_parameters(X, y, config)
    dtype = getattr(torch, config.dtype)
    lr_v, lr_h = step_sizes(config)
    Xt, yt = torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=dtype)
    params = [torch.tensor(a, dtype=dtype, requires_grad=True) for a in (v0, w0, b0)]
    v, w, b = params
    keep = record_epochs(config.epochs, config.record_every)
    snaps = {"v": [], "w": [], "b": []}
    losses = torch.empty(config.epochs + 1, dtype=dtype)
    nxt = 0  # index of the next epoch to record
    start = time.perf_counter()
    bar_ctx = progress("adaptive: training", total=config.epochs, unit="epoch")
    with bar_ctx as bar:
        for epoch in range(config.epochs + 1):
            loss = 0.5 * torch.mean((torch.relu(Xt @ w.T + b) @ v - yt) ** 2)
            losses[epoch] = loss.detach()
            if nxt < len(keep) and epoch == keep[nxt]:
                nxt += 1
                for name, p in zip("vwb", params, strict=True):
                    snaps[name].append(p.detach().clone())
            if epoch == config.epochs:
                break
            gv, gw, gb = torch.autograd.grad(loss, params)
            with torch.no_grad():
                v.sub_(lr_v * gv)
                w.sub_(lr_h * gw)
                b.sub_(lr_h * gb)
            bar.update(1, info=lambda e=epoch: f"loss {float(losses[e]):.4g}")
    seconds = time.perf_counter() - start
    loss_np = losses.numpy().astype(float)
    if not np.all(np.isfinite(loss_np)):
        raise AdaptiveError(
            f"training diverged (loss became {loss_np[~np.isfinite(loss_np)][0]}); "
            "lower lr or regime"
        )
    return Trajectory(
        X=X,
        y=y,
        epochs=np.asarray(keep),
        v=np.stack([s.numpy() for s in snaps["v"]]).astype(float),
        w=np.stack([s.numpy() for s in snaps["w"]]).astype(float),
        b=np.stack([s.numpy() for s in snaps["b"]]).astype(float),
        loss=loss_np,
        config=config,
        seconds=seconds,
    )


def run_estimate(points: int, dim: int, cfg: TrainConfig, *, summary: bool = False) -> int:
    """Peak bytes of `train` (and, with ``summary``, of ``summarize`` after it).

    Training holds the (points x width) pre-activations, their ReLU, autograd's saved copy
    and two gradients; the snapshots hold (v, w, b) per recorded epoch, as torch tensors
    and again as stacked numpy arrays. The summary clusters the planes of one snapshot at
    a time through dense width x width distance and similarity matrices (eight counted:
    width 3000 on 500 points peaked at 475 MiB, where six gave a 493 MiB estimate).
    """
    width, item = int(cfg.width), 8
    snaps = len(range(0, cfg.epochs + 1, cfg.record_every)) + 1
    est = item * (5 * points * width + 3 * (snaps + 2) * width * (dim + 2) + points * (dim + 4))
    if summary:
        est += item * (8 * width * width + 2 * width * points)
    return est


def check_run_memory(points: int, dim: int, cfg: TrainConfig, *, summary: bool = True) -> None:
    """Refuse (MemoryEstimateError) a run whose `run_estimate` exceeds the budget."""
    what = f"adaptive training of width {cfg.width} on {points} points"
    check_memory(
        run_estimate(points, dim, cfg, summary=summary),
        what=what + (" and its summary" if summary else ""),
        fix=env_fix("use a smaller --width, fewer --epochs or a larger --record-every"),
    )


def record_epochs(epochs: int, every: int) -> list[int]:
    """The recorded epochs: 0, every, 2 every, ..., and always the last one."""
    keep = list(range(0, epochs + 1, every))
    return keep if keep[-1] == epochs else keep + [epochs]
