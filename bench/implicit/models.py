"""The competitors, each with its published initialisation, as data: a builder, the tuned
axis with its grid, and the count of trainable real numbers as a formula.

* SIREN (Sitzmann et al. 2020): sin(w (W x + b)); first layer U(-1/n, 1/n) with w = w0
  (tuned, 30 in the paper), later layers U(-sqrt(6/n)/30, sqrt(6/n)/30) with w = 30.
* FINER (Liu et al. 2024): sin(w (|z| + 1) z), z = W x + b, with |z| + 1 held out of the
  gradient (the authors' default) and SIREN's initialisation.
* Gauss (Ramasinghe & Lucey 2022, as coded in WIRE's repository): exp(-(s z)^2) with
  torch's default initialisation, the same s in every layer.
* WIRE (Saragadam et al. 2023): the complex Gabor wavelet exp(i w0 z - |s0 z|^2), a real
  first layer, complex later layers and output (its real part is the prediction);
  s0 = 10 and w0 tuned. A complex weight counts as two real numbers.
* FF-ReLU (Tancik et al. 2020): fixed Gaussian Fourier features [cos 2 pi B x,
  sin 2 pi B x], B ~ N(0, sigma^2) (2 x W/2, not trained), into a ReLU MLP.

Every model gets the same number of trainable real numbers as the designed network (an
MLP of the requested width and depth): its width is the one whose count is closest
(`width_for`); the table reports each row's count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


def _torch():
    import torch

    return torch


def mlp_params(w: int, depth: int) -> int:
    """A real MLP 2 -> w (x depth hidden layers) -> 1."""
    return 3 * w + (depth - 1) * (w * w + w) + w + 1


def wire_params(w: int, depth: int) -> int:
    """Real first layer; complex hidden layers and output count twice."""
    return 3 * w + 2 * (depth - 1) * (w * w + w) + 2 * (w + 1)


def ff_params(w: int, depth: int) -> int:
    """W/2 fixed frequencies (2 (W/2) encoded inputs) into a ReLU MLP of width w."""
    return 2 * (w // 2) * w + w + (depth - 1) * (w * w + w) + w + 1


def count(model) -> int:
    """Trainable real numbers of a torch module (a complex entry counts twice)."""
    return sum(p.numel() * (2 if p.is_complex() else 1)
               for p in model.parameters() if p.requires_grad)


def width_for(params: Callable, target: int, depth: int) -> int:
    """The width whose parameter count is closest to ``target`` (the smaller on a tie)."""
    best, w = 1, 1
    while params(w, depth) <= 2 * target:
        if abs(params(w, depth) - target) < abs(params(best, depth) - target):
            best = w
        w += 1
    return best


# --- layers -------------------------------------------------------------------------------
def _module(forward, **fields):
    """A parameter-free torch module whose forward is ``forward(self, z)``."""
    torch = _torch()
    cls = type("Act", (torch.nn.Module,), {"forward": forward,
                                           "extra_repr": lambda self: repr(fields)})
    m = cls()
    m.__dict__.update(fields)
    return m


def sine(omega):
    return _module(lambda self, z: _torch().sin(self.omega * z), omega=omega)


def finer(omega):
    def fwd(self, z):
        return _torch().sin(self.omega * (z.detach().abs() + 1) * z)

    return _module(fwd, omega=omega)


def gauss(scale):
    return _module(lambda self, z: _torch().exp(-(self.scale * z) ** 2), scale=scale)


def gabor(omega, sigma):
    def fwd(self, z):
        torch = _torch()
        return torch.exp(1j * self.omega * z - (self.sigma * z).abs().square())

    return _module(fwd, omega=omega, sigma=sigma)


def net(layers, acts, encode=None, real_part=False):
    """x -> encode -> (linear, act)* -> linear [-> real part] -> (n,) predictions."""
    torch = _torch()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encode = encode
            self.layers = torch.nn.ModuleList(layers)
            self.acts = torch.nn.ModuleList(acts)

        def features(self, x):
            h = x if self.encode is None else self.encode(x)
            for lin, act in zip(self.layers, self.acts, strict=False):  # not the output
                h = act(lin(h))
            return h

        def unit_features(self, x, units: slice):
            """``features(x)[:, units]`` of a one-hidden-layer net, computing only those
            units (a block of a layer too wide to hold for every pixel at once)."""
            assert len(self.layers) == 2, "one hidden layer only"
            h = x if self.encode is None else self.encode(x)
            lin = self.layers[0]
            return self.acts[0](torch.nn.functional.linear(h, lin.weight[units],
                                                           lin.bias[units]))

        def forward(self, x):
            out = self.layers[-1](self.features(x))
            return (out.real if real_part else out)[:, 0]

    return Net()


def _linears(sizes, dtype=None, first_real=True):
    torch = _torch()
    return [torch.nn.Linear(a, b, dtype=None if (i == 0 and first_real) else dtype)
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))]


def _siren_init(layers, omega_hidden=30.0):
    torch = _torch()
    with torch.no_grad():
        for i, lin in enumerate(layers):
            n = lin.in_features
            bound = 1.0 / n if i == 0 else math.sqrt(6.0 / n) / omega_hidden
            lin.weight.uniform_(-bound, bound)


# --- the competitors --------------------------------------------------------------------------
def build_siren(w, depth, omega0):
    layers = _linears([2] + [w] * depth + [1])
    _siren_init(layers)
    return net(layers, [sine(omega0)] + [sine(30.0) for _ in range(depth - 1)])


def build_finer(w, depth, omega0):
    layers = _linears([2] + [w] * depth + [1])
    _siren_init(layers)
    return net(layers, [finer(omega0)] + [finer(30.0) for _ in range(depth - 1)])


def build_gauss(w, depth, scale):
    return net(_linears([2] + [w] * depth + [1]), [gauss(scale) for _ in range(depth)])


def build_wire(w, depth, omega0, sigma0=10.0):
    torch = _torch()
    layers = _linears([2] + [w] * depth + [1], dtype=torch.cfloat)
    return net(layers, [gabor(omega0, sigma0) for _ in range(depth)], real_part=True)


def build_ff_relu(w, depth, sigma):
    torch = _torch()
    m = max(1, w // 2)
    B = torch.randn(2, m) * sigma

    def fwd(self, x):
        p = 2 * math.pi * x @ self.B
        return torch.cat([torch.cos(p), torch.sin(p)], 1)

    enc = _module(fwd)
    enc.register_buffer("B", B)  # moves with .to(device); not a parameter
    layers = _linears([2 * m] + [w] * depth + [1])
    return net(layers, [torch.nn.ReLU() for _ in range(depth)], encode=enc)


@dataclass(frozen=True)
class Competitor:
    """A model of the benchmark: its builder, tuned axis (3 values) and parameter count."""

    name: str
    build: Callable  # (width, depth, value) -> torch module; draws from torch's global RNG
    params: Callable  # (width, depth) -> trainable real numbers
    axis: str
    values: tuple  # the published value first: a grid of 1 (--quick) uses it alone


COMPETITORS = (
    Competitor("SIREN", build_siren, mlp_params, "w0", (30.0, 15.0, 60.0)),
    Competitor("Gauss", build_gauss, mlp_params, "s", (10.0, 20.0, 30.0)),
    Competitor("WIRE", build_wire, wire_params, "w0", (20.0, 10.0, 30.0)),
    Competitor("FINER", build_finer, mlp_params, "w0", (30.0, 15.0, 60.0)),
    Competitor("FF-ReLU", build_ff_relu, ff_params, "sigma", (5.0, 2.5, 10.0)),
)
