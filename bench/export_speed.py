"""Speed of exported activations against hand-written framework code, side by side.

Prints, for 10^7 float32 values, forward + backward times and their ratios:

1. a numeric-representation export (packed piecewise polynomials + tails) against
   ``torch.tanh``, eager (target <= 10x) and under ``torch.compile`` (target <= 3x);
2. the closed-form export of 1/(1+z^2) against the same formula written by hand in
   torch, eager (target <= 1.2x);
3. the numeric export for JAX against ``jnp.tanh`` under ``jax.jit`` (target <= 3x).

Run: ``python bench/export_speed.py [--n 10000000] [--repeat 7]``. Timings are the
minimum over repeats after a warm-up; both sides of a ratio are measured in the same
run, alternating, on the same input.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import actdesign
from actdesign.export import to_jax, to_torch

# numeric-only activations: Bessel K has no differentiable torch/JAX implementation, so
# K0(|z|)/pi (penalty 1 + k^2) is exported as the numeric representation
NUMERIC = "besselk(0, abs(z))/pi"
CLOSED = "1/(1+z^2)"


def best(fn, repeat):
    fn()  # warm-up (and compilation)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def pair(a, b, repeat):
    """Times of a and b, measured alternately so that machine load affects both alike."""
    a(), b()
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return min(ta), min(tb)


def torch_lines(n, repeat):
    import torch

    torch.manual_seed(0)
    z = (torch.randn(n) * 3).requires_grad_()
    ones = torch.ones(n)
    numeric = to_torch(actdesign.from_expression(NUMERIC, name="k0"), gain=False)
    closed = to_torch(actdesign.from_expression(CLOSED, name="cauchy"), gain=False)

    def fwd_bwd(f):
        def run():
            z.grad = None
            f(z).backward(ones)
        return run

    def by_hand(x):
        return 1 / (1 + x * x)

    ta, tb = pair(fwd_bwd(numeric), fwd_bwd(torch.tanh), repeat)
    report("torch eager: numeric export (K0) vs torch.tanh, fwd+bwd", ta, tb, 10)
    cn, ct = torch.compile(numeric), torch.compile(torch.tanh)
    ta, tb = pair(fwd_bwd(cn), fwd_bwd(ct), repeat)
    report("torch.compile: numeric export (K0) vs torch.tanh, fwd+bwd", ta, tb, 3)
    ta, tb = pair(fwd_bwd(closed), fwd_bwd(by_hand), repeat)
    report("torch eager: closed-form export 1/(1+z^2) vs by hand, fwd+bwd", ta, tb, 1.2)


def jax_lines(n, repeat):
    import jax
    import jax.numpy as jnp

    z = jnp.asarray(np.random.default_rng(0).standard_normal(n).astype(np.float32) * 3)
    cotangent = jnp.ones_like(z)
    numeric = to_jax(actdesign.from_expression(NUMERIC, name="k0"), gain=False)

    def fwd_bwd(f):
        # what backpropagation through a layer does: outputs, then the input cotangent
        def step(x):
            y, back = jax.vjp(f, x)
            return y, back(cotangent)[0]
        g = jax.jit(step)
        return lambda: jax.block_until_ready(g(z))

    def summed(f):
        g = jax.jit(jax.value_and_grad(lambda x: jnp.sum(f(x))))
        return lambda: jax.block_until_ready(g(z))

    ta, tb = pair(fwd_bwd(numeric), fwd_bwd(jnp.tanh), repeat)
    report("jax.jit: numeric export (K0) vs jnp.tanh, fwd+bwd (vjp)", ta, tb, 3)
    # For information: with sum() as the loss XLA fuses tanh into the reduction, which it
    # cannot do with gathers, so this ratio says more about that fusion than the export.
    ta, tb = pair(summed(numeric), summed(jnp.tanh), repeat)
    report("jax.jit: same, as value_and_grad of sum(phi(z))", ta, tb, None)


def report(what, ta, tb, target):
    ratio = ta / tb
    goal = "no target" if target is None else f"target <= {target}x, " + (
        "ok" if ratio <= target else "ABOVE TARGET")
    print(f"{what}: {ta * 1e3:8.1f} ms vs {tb * 1e3:8.1f} ms  ratio {ratio:5.2f}x ({goal})",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"n = {args.n} float32 values, min of {args.repeat} runs")
    torch_lines(args.n, args.repeat)
    jax_lines(args.n, args.repeat)


if __name__ == "__main__":
    main()
