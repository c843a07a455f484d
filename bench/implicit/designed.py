"""The designed network: the activation `actdesign.choose_penalty` fits to the training
pixels, the first layer drawn from the law the theory assumes, the variance-flow gain for
deeper layers, the kernel-regime warm start, and the width = inf kernel reference.

* Penalties: every family of ``choose_penalty`` (exp, matern, gauss) is fitted by marginal
  likelihood on the tuning pixels (``fit``: the validation pixels stay unseen); the winner
  by BIC among the designable ones is "the chosen penalty", and the designed model's
  tuning axis is the family (each carries its fitted frequency scale, so the first-layer
  scale stays 1, as the theory has it).
* First layer: the uniform law, xi uniform on the unit circle and gamma uniform on
  [-sqrt 2, sqrt 2] (the data's radius), pre-activation xi.x - gamma, drawn as a randomly
  shifted rank-1 lattice (angle j/W, offset frac(j / golden ratio)): every (xi, gamma) is
  still uniform, but the width-W average that approximates the kernel has a smaller error
  than W independent draws. Its output is scaled to RMS s/g on the training pixels (a
  constant factor: rho[c phi] = rho / c^2 keeps the penalty's shape).
* Later layers (three-layer network): weights N(0, g^2 / n), bias 0. The pre-activation
  scale s is the edge of chaos of phi, chi(s) = s^2 E[phi'(sZ)^2] / E[phi(sZ)^2] = 1
  (variance-flow moments, `actdesign.init.varflow.moments`), and g = s / sqrt(E[phi(sZ)^2])
  makes s^2 a fixed point of the variance map. The designed phi are narrow bumps in the
  units of their fitted frequency scale, so at s = 1 chi is 50 to 2000 (chaotic); where
  no scale reaches chi <= 1 (phi' not square-integrable: the Matern designs with a
  singular phi) s = 1, the second-moment gain, and the note says so.
* Random features (``build_rf``, the row "designed RF"): the same one-layer network with
  its first layer frozen, the theory's own model; at equal trainable parameters it has
  about four times the units of the fully trained one-layer network.
* Warm start: the output layer is the kernel-regime fit at this width (ridge least squares
  on the features at initialisation; eta by the marginal likelihood of the features' own
  kernel, or the penalty fit's; in the dual when the width exceeds the pixels), then Adam
  trains all parameters on the same ridge objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .models import mlp_params, net
from .training import free_bytes

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
    scale: float = 1.0
    deep: str = "edge"  # the later layers' pre-activation scale: "edge" of chaos or "unit"
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


def choose(X, y, max_points: int, seed: int = 0, deep: str = "edge",
           pixels: str = "patches") -> Designs:
    """Fit every family to (X, y) and design each one's activation (D = 2); ``deep``:
    how deeper layers set their scale (`gain`). Above ``max_points`` pixels the fit sees
    ``pixels``: "patches" (`patches`, at the training pixels' own density) or "random"
    (choose_penalty's own uniform subsample, sparser than the training pixels)."""
    import actdesign
    from actdesign.choose import FAMILIES

    if pixels == "patches" and len(y) > max_points:
        keep = patches(X, max_points, seed=seed)
        X, y = X[keep], y[keep]

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
        designs[fam] = Design(fam, penalty, float(fit.eta), act, act.to_torch(), deep=deep)
    return Designs(choice, designs, refused)


PATCHES = 4  # patches for the penalty fit: a few, so that one region does not decide


def patches(X, m: int, k: int = PATCHES, seed: int = 0) -> np.ndarray:
    """Indices of about ``m`` pixels: ``k`` square patches of m/k pixels, each the pixels
    nearest (max-norm) to a random one. A uniform subsample of m pixels is sparser than
    the training pixels, and the marginal likelihood fitted to it cannot see the
    frequencies between its spacing and theirs: at camera 256 x 256 it picked a prior
    8 times smoother (Matern length 0.72 against 0.09), whose exact width = inf fit
    scores 25.97 dB on the held-out pixels against 26.30 for the patches' prior."""
    rng = np.random.default_rng(seed)
    m, k = min(m, len(X)), min(k, m, len(X))
    taken = np.zeros(len(X), dtype=bool)
    for i, c in enumerate(rng.choice(len(X), size=k, replace=False)):
        d = np.max(np.abs(X - X[c]), axis=1)
        d[taken] = np.inf  # patches that meet do not share pixels: m in all
        want = m // k if i < k - 1 else m - int(taken.sum())
        taken[np.argsort(d, kind="stable")[:want]] = True
    return np.flatnonzero(taken)


def gain(design: Design) -> float:
    """The gain g of the later layers (cached, with ``design.scale`` = s): at the edge of
    chaos s, g = s / sqrt(E[phi(sZ)^2]), Z ~ N(0, 1); ``gain_note`` states s, g and chi.
    Moments by `actdesign.init.varflow.moments` (quadrature; a divergent E[phi'^2] comes
    back huge or refused: no edge, s = 1, the second-moment gain). ``design.deep`` "unit"
    skips the search: s = 1."""
    if design.gain is None:
        chi = _chi(design.activation)
        lo, hi = CHAOS_SCALES
        if design.deep == "unit":  # the --deep-scale unit ablation
            s, how = hi, "unit scale (second-moment gain)"
        elif chi(hi) <= 1.0:  # ordered up to s = 1: stay at unit variance
            s, how = hi, "ordered at s = 1"
        elif not chi(lo) < 1.0:
            s, how = hi, "no edge of chaos (chi > 1 at every scale)"
        else:
            for _ in range(40):  # bisection in log s: chi grows with s across the edge
                mid = math.sqrt(lo * hi)
                lo, hi = (mid, hi) if chi(mid) < 1.0 else (lo, mid)
            s, how = hi, "edge of chaos"
        design.scale = s
        design.gain = s / math.sqrt(_second(design.activation, s))
        design.gain_note = (f"{how}: pre-activation scale {s:.3g}, gain {design.gain:.4g}, "
                            f"chi {chi(s):.3g}")
    return design.gain


CHAOS_SCALES = (1e-3, 1.0)  # pre-activation standard deviations searched for chi = 1


def _second(act, s):
    from actdesign.init import varflow

    return float(varflow.moments(act, s, 0.0).second)


def _chi(act):
    """chi(s) = s^2 E[phi'(sZ)^2] / E[phi(sZ)^2]; inf where the moments are refused."""
    import actdesign
    from actdesign.init import varflow

    def chi(s):
        try:
            m = varflow.moments(act, s, 0.0)
            return s * s * float(m.deriv_second) / float(m.second)
        except actdesign.ActdesignError:
            return math.inf

    return chi


def lattice(width: int):
    """(theta, gamma) of the first layer: a rank-1 lattice in [0, 1)^2 with a uniform
    random shift (torch's global RNG), mapped to the angle in [0, 2 pi) and the offset in
    [-RADIUS, RADIUS]."""
    import torch

    j = torch.arange(width, dtype=torch.float64)
    u = torch.rand(2, dtype=torch.float64)
    a = torch.remainder(j / width + u[0], 1.0)
    b = torch.remainder(j * GOLDEN + u[1], 1.0)
    return (2 * math.pi * a).float(), ((2 * b - 1) * RADIUS).float()


GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0  # the lattice's second generator: 1 / golden ratio


def independent(width: int):
    """(theta, gamma) as ``width`` independent uniform draws (the ``--draw iid`` ablation)."""
    import torch

    return torch.rand(width) * 2 * math.pi, (torch.rand(width) * 2 - 1) * RADIUS


DRAWS = {"lattice": lattice, "iid": independent}  # how the first layer samples its law


def build(design: Design, width: int, depth: int, X, scale: float = 1.0,
          draw: str = "lattice"):
    """The designed MLP 2 -> width (x depth) -> 1; ``X`` (training pixels, on the CPU)
    sets the first layer's output scale. Draws from torch's global RNG."""
    import torch

    g, s = (gain(design), design.scale) if depth > 1 else (1.0, 1.0)
    layers = [torch.nn.Linear(2, width)] + [torch.nn.Linear(width, width)
                                            for _ in range(depth - 1)]
    layers.append(torch.nn.Linear(width, 1))
    phi = design.module
    with torch.no_grad():
        theta, gamma = DRAWS[draw](width)
        layers[0].weight.copy_(scale * torch.stack([torch.cos(theta), torch.sin(theta)], 1))
        layers[0].bias.copy_(-scale * gamma)
        # phi is shared by the models of one design: it sits where the last one was moved
        where = next(iter(phi.buffers()), torch.empty(0)).device
        Xs = X[::max(1, X.shape[0] // 8192)]  # an RMS: 8192 pixels estimate it to ~1 %
        c = s / (g * math.sqrt(_mean_square(phi, layers[0], Xs.to(where))))
        for lin in layers[1:-1]:
            lin.weight.normal_(0.0, g / math.sqrt(width))
            lin.bias.zero_()
    first = _scaled(phi, c)
    model = net(layers, [first] + [phi] * (depth - 1))
    assert sum(p.numel() for p in model.parameters()) == mlp_params(width, depth)
    return model


def _mean_square(phi, lin, X) -> float:
    """Mean of phi(lin(X))^2 over pixels and units, a block of units at a time (132 000
    units x 8192 pixels would be 4 GB at once, and phi's temporaries several times that)."""
    W, b = (t.to(X.device) for t in (lin.weight, lin.bias))
    step = max(1, HOLD // X.shape[0])
    total = sum(float(phi(X @ W[i:i + step].T + b[i:i + step]).double().square().sum())
                for i in range(0, W.shape[0], step))
    return total / (X.shape[0] * W.shape[0])


def build_rf(design: Design, width: int, X, draw: str = "lattice"):
    """The kernel-regime network itself: one hidden layer of ``width`` units drawn as in
    `build`, the first layer frozen (in the kernel regime it does not move), so the
    trainable numbers are the output layer's width + 1. Its features are computed once per
    input tensor (the last one is kept, up to HOLD entries), so Adam on it costs a linear
    model's steps."""
    model = build(design, width, 1, X, draw=draw)
    model.layers[0].requires_grad_(False)
    return _cached_features(model)


def _cached_features(model):
    """Memoise ``model.features`` on its last input tensor (frozen features only; up to
    HOLD entries: larger ones are recomputed, not held); the memo holds that tensor, so an
    identity match cannot be a reused address."""
    compute, memo = model.features, {}

    def features(x):
        if memo.get("x") is x:
            return memo["value"]
        memo.clear()  # the previous block's features go before this one's are made
        value = compute(x).detach()
        if value.numel() <= HOLD:
            memo.update(x=x, value=value)
        return value

    model.features = features
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


def warm_start(model, X, y, eta: float | None = None) -> float:
    """Output layer <- ridge least squares on the last features (float64); Adam then
    trains on the same ridge objective (``model.penalty``, the output weights' ridge term
    per pixel), the one whose minimiser the kernel-regime theory describes. Returns eta.

    Ridge lam = eta * s, s the mean squared (centred) feature norm: with the kernel
    K = H H^T / s (unit mean diagonal), H (H^T H + lam I)^-1 H^T y = K (K + eta I)^-1 y,
    the Gaussian-process posterior mean with kernel K and noise ratio eta. The intercept
    is fitted unpenalised (centred features).

    The features are never held whole at full resolution (16384 pixels x 132 000 units
    is 8.6 GB in float32): the primal form (width <= pixels) sums G = Hc^T Hc over blocks
    of pixels, the dual over blocks of units (computed one block at a time in a
    one-hidden-layer net), each block at most BLOCK float64 entries.

    ``eta`` None: the noise ratio that maximises the marginal likelihood of this
    finite-width kernel K (`evidence_eta`). The penalty fit's eta belongs to K at
    width = inf; at a width near the pixel count a rank-W kernel with that tiny eta is
    the double-descent peak (bench/implicit_width.py measures both).
    """
    import torch

    with torch.no_grad():
        n, width = X.shape[0], model.layers[-1].in_features
        _check_memory(min(n, width), X.device)
        mu_y = y.double().mean()
        yc = y.double() - mu_y
        primal = width <= n
        if primal:
            (G, b), mu_h, columns = _primal_gram(model, X, yc)
        else:
            (G, mu_h, columns), b = _dual_gram(model, X, yc), yc
        scale = max(float(torch.trace(G)) / n, 1e-300)  # mean squared centred feature norm
        lam, V = torch.linalg.eigh(G)  # K's eigenvalues are lam / s in both forms
        lam = lam.clamp(min=0.0)
        vb = V.T @ b
        if eta is None:
            eta = evidence_eta(lam / scale, _projections(lam, vb, primal), float(yc @ yc), n)
        eta = max(eta, ETA_FLOOR)
        x = V @ (vb / (lam + eta * scale))  # (G + lam_ridge I)^-1 b
        w = x if primal else torch.cat([(h - mu_h[c]).T @ x for c, h in columns()])
        out = model.layers[-1]
        out.weight.copy_(w[None, :].to(out.weight.dtype))
        out.bias.copy_((mu_y - mu_h @ w).reshape(1).to(out.bias.dtype))
    ridge = eta * scale / n  # the same objective per pixel: Adam's loss adds this penalty

    def penalty():
        return ridge * model.layers[-1].weight.square().sum()

    model.penalty = penalty
    return eta


def _check_memory(m: int, device):
    """MemoryError, before any work, where the m x m float64 Gram matrix, its eigenvectors
    and the eigensolver's workspace (about 3 m^2 doubles) exceed the free memory."""
    need, free = 3 * 8 * m * m, free_bytes(device)
    if need > free:
        raise MemoryError(f"the ridge solve holds {m} x {m} float64 matrices, about "
                          f"{need / 2**30:.1f} GB, and {free / 2**30:.1f} GB are free")


def _primal_gram(model, X, yc):
    """((Hc^T Hc, Hc^T yc), mean feature, None), summed over blocks of pixels (features of
    each block computed from its pixels alone: any depth)."""
    import torch

    n, width = X.shape[0], model.layers[-1].in_features
    G = torch.zeros(width, width, dtype=torch.float64, device=X.device)
    b, total = (torch.zeros(width, dtype=torch.float64, device=X.device) for _ in range(2))
    for r in _blocks(n, width):
        Hr = model.features(X[r]).double()
        G += Hr.T @ Hr
        b += Hr.T @ yc[r]  # yc sums to 0: the centring of H drops out of b
        total += Hr.sum(0)
    mu = total / n
    return (G - n * torch.outer(mu, mu), b), mu, None


def _dual_gram(model, X, yc):
    """(Hc Hc^T, mean feature, columns), summed over blocks of units; ``columns()``
    yields (slice, H[:, slice] in float64) again, for the output weights."""
    import torch

    n, width = X.shape[0], model.layers[-1].in_features
    cols = _blocks(width, n)
    if len(model.layers) == 2 and n * width > HOLD:  # one wide layer: unit blocks
        def columns():
            return ((c, model.unit_features(X, c).double()) for c in cols)
    else:
        H = model.features(X)  # deep nets are narrow: their features fit

        def columns():
            return ((c, H[:, c].double()) for c in cols)

    G = torch.zeros(n, n, dtype=torch.float64, device=X.device)
    means = []
    for _, h in columns():
        means.append(h.mean(0))
        hc = h - means[-1]
        G += hc @ hc.T
    return G, torch.cat(means), columns


HOLD = 1 << 26  # feature entries (256 MB in float32) held whole; beyond, blocks of units


ETA_FLOOR = 1e-8  # keeps the solve well posed (the penalty fit's own floor is 1e-7)
ETA_GRID = np.geomspace(ETA_FLOOR, 1e2, 101)  # 1/10 decade: ample for a smooth evidence


def _projections(lam, vb, primal: bool):
    """Squared coordinates of y on K's eigenvectors: (v^T Hc^T y)^2 / lam in the primal
    form (u = Hc v / sqrt(lam)), (v^T y)^2 in the dual; 0 on round-off eigenvalues."""
    if not primal:
        return vb.square()
    live = lam > 1e-12 * float(lam.max())
    return (vb.square() / lam.clamp(min=1e-300)) * live


def evidence_eta(kappa, p2, yy: float, n: int, grid=ETA_GRID) -> float:
    """The noise ratio eta on ``grid`` that maximises the marginal likelihood of y (centred,
    |y|^2 = ``yy``) under N(0, a (K + eta I)), the amplitude a profiled out:
    -n/2 log(y^T (K + eta I)^-1 y) - 1/2 log det(K + eta I), from K's eigenvalues
    ``kappa`` and y's squared coordinates ``p2`` on their eigenvectors (n - len(kappa)
    zero eigenvalues hold the rest of |y|^2)."""
    kappa, p2 = (np.asarray(t.cpu(), dtype=float) for t in (kappa, p2))
    rest, null = max(yy - float(p2.sum()), 0.0), n - kappa.size
    best, arg = -np.inf, float(grid[0])
    for eta in grid:
        quad = float(np.sum(p2 / (kappa + eta))) + rest / eta
        ll = -0.5 * n * np.log(quad) - 0.5 * (np.sum(np.log(kappa + eta)) + null * np.log(eta))
        if ll > best:
            best, arg = ll, float(eta)
    return arg


BLOCK = 1 << 24  # float64 entries per block of features (128 MB)


def _blocks(length: int, other: int) -> list:
    """Slices of ``range(length)`` whose blocks against ``other`` hold <= BLOCK entries."""
    step = max(1, BLOCK // max(other, 1))
    return [slice(i, min(i + step, length)) for i in range(0, length, step)]


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
    from actdesign.fit.compute._backend import factor_threads

    fam, fit = FAMILIES[choice.family], choice.fits[choice.family]
    k0 = float(fam.kernel(np.zeros(1), fit.params, 2)[0])

    def kern(A, B):
        return fam.kernel(cdist(A, B), fit.params, 2) / k0

    if len(y) <= centres:
        with factor_threads(len(y)):  # threaded OpenBLAS potrf crashes from ~16 000
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
