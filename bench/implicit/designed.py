"""The designed network: the activation `actdesign.choose_penalty` fits to the training
pixels, the first layer drawn from the law the theory assumes, the variance-flow gain for
deeper layers, the kernel-regime warm start, and the width = inf kernel reference.

* Penalties: every family of ``choose_penalty`` (exp, matern, gauss) is fitted by marginal
  likelihood on the tuning pixels (``fit``: the validation pixels stay unseen); the winner
  by BIC among the designable ones is "the chosen penalty", and the designed model's
  tuning axis is the family (each carries its fitted frequency scale, so the first-layer
  scale stays 1, as the theory has it).
* First layer: the uniform law, xi uniform on the unit circle and gamma uniform on
  [-sqrt 2, sqrt 2] (the data's radius), pre-activation xi.x - gamma; its output is scaled
  to RMS 1/g on the training pixels (a constant factor: rho[c phi] = rho / c^2 keeps the
  penalty's shape).
* Later layers (three-layer network): weights N(0, g^2 / n), bias 0, with g the
  second-moment gain of phi (as `actdesign.init.gain`), so unit pre-activation variance
  is a fixed point of the variance map.
* Warm start: the output layer is the kernel-regime fit at this width (ridge least squares
  on the features at initialisation, ridge eta from the penalty fit), then Adam trains all
  parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .models import mlp_params, net

RADIUS = math.sqrt(2.0)  # the data's radius: coordinates in [-1, 1]^2


@dataclass
class Design:
    """One fitted penalty family and its activation (``module``: phi in torch)."""

    family: str
    penalty: str
    eta: float
    activation: object
    module: object
    gain: float | None = None
    gain_note: str = ""


@dataclass
class Designs:
    """The penalties fitted to one image's tuning pixels: ``chosen`` is the BIC winner."""

    choice: object
    designs: dict
    refused: dict = field(default_factory=dict)

    @property
    def chosen(self) -> Design | None:
        return self.designs.get(self.choice.family)


def choose(X, y, max_points: int, seed: int = 0) -> Designs:
    """Fit every family to (X, y) and design each one's activation (D = 2)."""
    import actdesign
    from actdesign.choose import FAMILIES

    try:
        choice = actdesign.choose_penalty(X, y, max_points=max_points, seed=seed)
    except actdesign.PenaltyError as err:  # no fitted family could be designed
        return Designs(actdesign.choose_penalty(X, y, max_points=max_points, seed=seed,
                                                design=False), {}, {"all": str(err)})
    designs, refused = {}, {}
    for fam, fit in choice.fits.items():
        penalty = FAMILIES[fam].penalty(fit.params)
        try:
            act = (choice.activation if fam == choice.family
                   else actdesign.design(penalty, dim=2))
        except actdesign.PenaltyError as err:  # the grid loses that family; reported
            refused[fam] = str(err)
            continue
        designs[fam] = Design(fam, penalty, float(fit.eta), act, act.to_torch())
    return Designs(choice, designs, refused)


def gain(design: Design) -> float:
    """The second-moment gain g = 1/sqrt(E[phi(Z)^2]), Z ~ N(0, 1) (cached), by
    `actdesign.init.varflow.moments`: the number `actdesign.init.gain` returns, without its
    fixed-point search (seconds per activation). ``gain_note`` states chi = g^2 E[phi'(Z)^2]
    (1 is the edge of chaos); if the moments are refused, a Monte Carlo g on 2^20 draws."""
    if design.gain is None:
        import actdesign
        from actdesign.init import varflow

        try:
            m = varflow.moments(design.activation, 1.0, 0.0)
            design.gain = 1.0 / math.sqrt(float(m.second))
            chi = design.gain ** 2 * float(m.deriv_second)
            design.gain_note = f"variance-flow gain {design.gain:.4g}, chi {chi:.3g}"
        except actdesign.ActdesignError as err:
            z = np.random.default_rng(0).standard_normal(1 << 20)
            design.gain = 1.0 / math.sqrt(float(np.mean(design.activation(z) ** 2)))
            design.gain_note = f"gain {design.gain:.4g} by Monte Carlo ({err})"
    return design.gain


def build(design: Design, width: int, depth: int, X, scale: float = 1.0):
    """The designed MLP 2 -> width (x depth) -> 1; ``X`` (training pixels, on the CPU)
    sets the first layer's output scale. Draws from torch's global RNG."""
    import torch

    g = gain(design) if depth > 1 else 1.0
    layers = [torch.nn.Linear(2, width)] + [torch.nn.Linear(width, width)
                                            for _ in range(depth - 1)]
    layers.append(torch.nn.Linear(width, 1))
    phi = design.module
    with torch.no_grad():
        theta = torch.rand(width) * 2 * math.pi
        gamma = (torch.rand(width) * 2 - 1) * RADIUS
        layers[0].weight.copy_(scale * torch.stack([torch.cos(theta), torch.sin(theta)], 1))
        layers[0].bias.copy_(-scale * gamma)
        # phi is shared by the models of one design: it sits where the last one was moved
        where = next(iter(phi.buffers()), torch.empty(0)).device
        Xs = X[::max(1, X.shape[0] // 8192)]  # an RMS: 8192 pixels estimate it to ~1 %
        c = 1.0 / (g * float(phi(layers[0](Xs).to(where)).pow(2).mean().sqrt()))
        for lin in layers[1:-1]:
            lin.weight.normal_(0.0, g / math.sqrt(width))
            lin.bias.zero_()
    first = _scaled(phi, c)
    model = net(layers, [first] + [phi] * (depth - 1))
    assert sum(p.numel() for p in model.parameters()) == mlp_params(width, depth)
    return model


def _scaled(phi, c):
    import torch

    class Scaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.phi, self.c = phi, c

        def forward(self, z):
            return self.c * self.phi(z)

    return Scaled()


def warm_start(model, X, y, eta: float) -> None:
    """Output layer <- ridge least squares on the last features (float64).

    Ridge lam = eta * s, s the mean squared (centred) feature norm: with the kernel
    K = H H^T / s (unit mean diagonal), H (H^T H + lam I)^-1 H^T y = K (K + eta I)^-1 y,
    the Gaussian-process posterior mean of the penalty fit at this width. The intercept
    is fitted unpenalised (centred features).
    """
    import torch

    with torch.no_grad():
        H = model.features(X).double()
        mu_h, mu_y = H.mean(0), y.double().mean()
        Hc = H - mu_h
        G = Hc.T @ Hc
        scale = float(torch.trace(G)) / H.shape[0]
        lam = max(eta, 1e-8) * max(scale, 1e-300)  # 1e-8: keeps the solve well posed
        eye = torch.eye(G.shape[0], dtype=G.dtype, device=G.device)
        w = torch.linalg.solve(G + lam * eye, Hc.T @ (y.double() - mu_y))
        out = model.layers[-1]
        out.weight.copy_(w[None, :].to(out.weight.dtype))
        out.bias.copy_((mu_y - mu_h @ w).reshape(1).to(out.bias.dtype))


def kernel_reference(choice, X, y, Xev, centres: int = 2048, seed: int = 0,
                     block: int = 8192) -> np.ndarray:
    """The width = inf fit of the chosen penalty: the Gaussian-process posterior mean with
    the fitted kernel and noise ratio eta, at ``Xev``.

    Exact (constant mean by generalised least squares) up to ``centres`` training pixels;
    above, the subset-of-regressors (Nystrom) mean on ``centres`` random training pixels:
    K_ez (K_zx K_xz + eta K_zz)^-1 K_zx (y - mean y), accumulated in blocks.
    """
    from scipy import linalg
    from scipy.spatial.distance import cdist

    from actdesign.choose import FAMILIES

    fam, fit = FAMILIES[choice.family], choice.fits[choice.family]
    k0 = float(fam.kernel(np.zeros(1), fit.params, 2)[0])

    def kern(A, B):
        return fam.kernel(cdist(A, B), fit.params, 2) / k0

    if len(y) <= centres:
        L = linalg.cho_factor(kern(X, X) + fit.eta * np.eye(len(y)), lower=True)
        one = np.ones_like(y)
        a1, ay = linalg.cho_solve(L, one), linalg.cho_solve(L, y)
        m = one @ ay / (one @ a1)
        return np.concatenate([m + kern(Xev[i:i + block], X) @ (ay - m * a1)
                               for i in range(0, len(Xev), block)])
    Z = X[np.sort(np.random.default_rng(seed).choice(len(y), centres, replace=False))]
    m = float(np.mean(y))
    A = fit.eta * kern(Z, Z)
    b = np.zeros(centres)
    for i in range(0, len(y), block):
        Kzb = kern(Z, X[i:i + block])
        A += Kzb @ Kzb.T
        b += Kzb @ (y[i:i + block] - m)
    A[np.diag_indices_from(A)] += 1e-10 * np.trace(A) / centres  # round-off guard
    alpha = linalg.solve(A, b, assume_a="pos")
    return np.concatenate([m + kern(Xev[i:i + block], Z) @ alpha
                           for i in range(0, len(Xev), block)])
