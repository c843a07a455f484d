"""Globally orthogonal (GO) initialisation (seed 003, Wang, Crawford-Eng & Perdikaris 2021), torch.

Each hidden layer j draws W_j with std c_j/sqrt(d_in) and bias b_j·1. GO learns the
scalars (c_j, b_j) by minimising the orthogonality loss of the last hidden layer's
features g on data X (Eq. 3.2)

    L = -sum_{i != j} log(1 - cos^2 theta_ij) / (d (d-1)) + lam ||c||^2,

with a fresh weight draw at every step, so the scalars fit the distribution of draws;
they are then applied to new draws. Details follow the authors' code (init.md §3.2):
initial c_j = exp(0.25 N(0,1)), b_j = 0.05 N(0,1); only c is regularised; features are
normalised with +1e-7 and cosines clipped to 1 - 1e-7. ``loss_norm="code"`` averages over
all d^2 entries instead of the d(d-1) off-diagonal ones. "Glorot" here is the paper's:
fan-in normal with c = 1 (LeCun normal), not torch's fan-average ``xavier_normal_``.

This module imports torch; ``actdesign.init.go`` loads only on use.
"""

from __future__ import annotations

import math

import numpy as np

from ..infra._errors import ActdesignError
from ..infra._optional import require
from ._act import as_activation
from ._export import elementwise, torch_function

torch = require("torch", "torch", "actdesign.init.go")

EPS = 1e-7
LOSS_NORMS = ("paper", "code")
WEIGHT_DISTS = ("normal", "uniform_sqrt6")

__all__ = ["GOInit", "orthogonality_loss", "angle_matrix", "mean_abs_cos", "build_mlp",
           "last_features"]


def angle_matrix(G) -> torch.Tensor:
    """cos theta_ij between the columns (features) of G over its rows (data), Eq. 3.1."""
    G = torch.as_tensor(G)
    Gn = G / (torch.linalg.vector_norm(G, dim=0, keepdim=True) + EPS)
    return Gn.T @ Gn


def orthogonality_loss(G, norm: str = "paper") -> torch.Tensor:
    """-mean log(1 - cos^2) over feature pairs (Eq. 3.2 without the penalty)."""
    if norm not in LOSS_NORMS:
        raise ActdesignError(f"loss_norm must be one of {LOSS_NORMS}, got {norm!r}")
    C = angle_matrix(G)
    d = C.shape[0]
    off = ~torch.eye(d, dtype=torch.bool, device=C.device)
    C = torch.where(off, C, torch.zeros_like(C)).clamp(-1 + EPS, 1 - EPS)
    terms = -torch.log(EPS + 1 - C * C)
    return terms[off].sum() / (d * (d - 1)) if norm == "paper" else terms.mean()


def mean_abs_cos(G) -> float:
    """Mean |cos theta_ij| over i != j: how far the features are from orthogonal."""
    C = angle_matrix(G)
    d = C.shape[0]
    off = ~torch.eye(d, dtype=torch.bool, device=C.device)
    return float(C.abs()[off].mean())


def _draws(in_dim, widths, gen, dist, dtype):
    dims = [in_dim] + list(widths)
    out = []
    for a, b in zip(dims[:-1], dims[1:], strict=True):
        if dist == "normal":
            Z = torch.randn(a, b, generator=gen, dtype=dtype)
        else:
            Z = (torch.rand(a, b, generator=gen, dtype=dtype) * 2 - 1) * math.sqrt(6)
        out.append(Z / math.sqrt(a))
    return out


class _Adam:
    """Adam with torch's defaults (betas 0.9, 0.999, eps 1e-8) for a few tensors.

    Written out because importing ``torch.optim`` pulls in torch's compiler stack
    (seconds of import for a two-vector optimisation)."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    @torch.no_grad()
    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v / (1 - b2**self.t)).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1**self.t))


def _forward(X, Ws, scales, biases, fn):
    h = X
    for j, W in enumerate(Ws):
        h = fn(scales[j] * (h @ W) + biases[j])
    return h


class GOInit:
    """Learn per-layer weight scales and biases that make last-layer features orthogonal.

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths (m hidden layers).
    in_dim : int
        Input dimension.
    activation : Activation or str
        Activation; tanh/relu/sigmoid/sin use torch's own functions.
    lam : float
        Penalty on ||c||^2 (1e-4 in the paper's §4, 1e-3 in Fig. 4).
    lr, steps, batch : float, int, int
        Adam learning rate, number of steps, minibatch size (paper: 5e-3, 20 000, 2048).
    resample_weights : bool
        A fresh weight draw at every step (paper) or one fixed draw (cheaper, App. A).
    scale_init_logstd, bias_init_std : float
        Initial c_j = exp(scale_init_logstd N(0,1)), b_j = bias_init_std N(0,1) (code: 0.25, 0.05).
    weight_dist : {"normal", "uniform_sqrt6"}
        Base draws N(0,1)/sqrt(d_in) or U(-sqrt6, sqrt6)/sqrt(d_in) (the SIREN variant).
    loss_norm : {"paper", "code"}
        Off-diagonal mean (Eq. 3.2) or mean over all d^2 entries (the authors' code).
    seed : int
        Seeds the initial scalars, draws and minibatches.
    dtype : torch.dtype
        Computation dtype.
    """

    def __init__(self, widths, in_dim, activation="tanh(z)", lam=1e-4, lr=5e-3, steps=20_000,
                 batch=2048, resample_weights=True, scale_init_logstd=0.25, bias_init_std=0.05,
                 weight_dist="normal", loss_norm="paper", seed=0, dtype=torch.float32):
        if weight_dist not in WEIGHT_DISTS:
            raise ActdesignError(f"weight_dist must be one of {WEIGHT_DISTS}, got {weight_dist!r}")
        if loss_norm not in LOSS_NORMS:
            raise ActdesignError(f"loss_norm must be one of {LOSS_NORMS}, got {loss_norm!r}")
        self.widths = [int(w) for w in widths]
        self.in_dim = int(in_dim)
        self.activation = as_activation(activation)
        self.lam, self.lr, self.steps, self.batch = float(lam), float(lr), int(steps), int(batch)
        self.resample_weights = bool(resample_weights)
        self.scale_init_logstd, self.bias_init_std = scale_init_logstd, bias_init_std
        self.weight_dist, self.loss_norm = weight_dist, loss_norm
        self.seed, self.dtype = int(seed), dtype
        self._fn = torch_function(self.activation)

    def fit(self, X) -> GOInit:
        """Calibrate the scales and biases on data X (n x in_dim); records ``history_``."""
        X = _as_tensor(X, self.in_dim, self.dtype)
        gen = torch.Generator().manual_seed(self.seed)
        m = len(self.widths)
        scales = torch.exp(self.scale_init_logstd * torch.randn(m, generator=gen, dtype=self.dtype))
        biases = self.bias_init_std * torch.randn(m, generator=gen, dtype=self.dtype)
        params = [scales.requires_grad_(True), biases.requires_grad_(True)]
        adam = _Adam(params, self.lr)
        Ws = _draws(self.in_dim, self.widths, gen, self.weight_dist, self.dtype)
        history = []
        for _ in range(self.steps):
            if self.resample_weights:
                Ws = _draws(self.in_dim, self.widths, gen, self.weight_dist, self.dtype)
            rows = torch.randint(0, X.shape[0], (min(self.batch, X.shape[0]),), generator=gen)
            G = _forward(X[rows], Ws, scales, biases, self._fn)
            orth = orthogonality_loss(G, self.loss_norm)
            loss = orth + self.lam * (scales * scales).sum()
            adam.step(torch.autograd.grad(loss, params))
            history.append(float(orth.detach()))
        self.history_ = np.array(history)
        self.scales_ = scales.detach().numpy().astype(float)
        self.biases_ = biases.detach().numpy().astype(float)
        return self

    def build(self, out_dim: int, seed: int = 0) -> torch.nn.Sequential:
        """A fresh network: hidden layers scaled by the learned (c_j, b_j), output untouched."""
        self._check_fitted()
        return build_mlp(self.in_dim, self.widths, out_dim, self.activation, self.scales_,
                         self.biases_, seed, self.weight_dist, self.dtype)

    def apply_(self, model: torch.nn.Sequential) -> torch.nn.Sequential:
        """Scale the hidden Linear layers of ``model`` in place: W *= c_j, b += b_j."""
        self._check_fitted()
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        if len(linears) != len(self.widths) + 1:
            raise ActdesignError(f"model has {len(linears)} Linear layers; GO was fitted for "
                                 f"{len(self.widths)} hidden + 1 output")
        with torch.no_grad():
            for lin, c, b in zip(linears[:-1], self.scales_, self.biases_, strict=True):
                lin.weight.mul_(float(c))
                lin.bias.add_(float(b))
        return model

    def _check_fitted(self):
        if not hasattr(self, "scales_"):
            raise ActdesignError("GOInit is not fitted yet; call fit(X) first")


def build_mlp(in_dim, widths, out_dim, activation="tanh(z)", scales=1.0, biases=0.0, seed=0,
              weight_dist="normal", dtype=torch.float32) -> torch.nn.Sequential:
    """Linear + activation stack with W ~ c_j/sqrt(d_in) base draws and bias b_j.

    ``scales=1, biases=0`` is the paper's "Glorot" (fan-in normal, c = 1). The output
    layer is always a plain c = 1 draw with zero bias.
    """
    widths = [int(w) for w in widths]
    m = len(widths)
    scales = np.broadcast_to(np.asarray(scales, dtype=float), (m,))
    biases = np.broadcast_to(np.asarray(biases, dtype=float), (m,))
    gen = torch.Generator().manual_seed(int(seed))
    Ws = _draws(in_dim, widths, gen, weight_dist, dtype)
    Ws.append(torch.randn(widths[-1], out_dim, generator=gen, dtype=dtype) / math.sqrt(widths[-1]))
    fn = torch_function(as_activation(activation))
    mods = []
    for j, W in enumerate(Ws):
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            hidden = j < m
            lin.weight.copy_((float(scales[j]) if hidden else 1.0) * W.T)
            lin.bias.fill_(float(biases[j]) if hidden else 0.0)
        mods.append(lin)
        if j < m:
            mods.append(elementwise(fn))
    return torch.nn.Sequential(*mods)


def last_features(model: torch.nn.Sequential, X) -> torch.Tensor:
    """Features of the last hidden layer (everything but the final Linear)."""
    first = next(iter(model.parameters()))
    X = torch.as_tensor(np.asarray(X), dtype=first.dtype)
    with torch.no_grad():
        return model[:-1](X)


def _as_tensor(X, in_dim, dtype):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != in_dim or X.shape[0] < 2:
        raise ActdesignError(f"X must be (n >= 2) x {in_dim}, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ActdesignError("X contains NaN or infinite values; remove them first")
    return torch.as_tensor(X, dtype=dtype)
