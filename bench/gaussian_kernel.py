"""Benchmark of the Gaussian-law width = inf kernels (issue 11 part 2, issue 20 item 2).

Side by side in one run, on M points uniform in [-10, 10] (D = 1), sw = 1.5, sb = 0.5:

* erf: the closed form (arcsine kernel) against the old route, a Gauss-Hermite tensor
  rule in (w, b) (``GaussianLaw.nodes``, 32 x 64 nodes), and against the quadrature
  route; time per kernel entry and max error against the closed form;
* tanh (no closed form): the quadrature route, time per entry and its reported error
  estimate, and the Gauss-Hermite node route's distance from it.

* tanh, numeric route before (``bivariate`` on every entry) and after (Mehler series,
  ``bivariate`` only where its bound misses the tolerance) on the same M_SIDE points,
  side by side with the ratio and their max difference; then the new route alone at
  M_BIG = 1000 points, |x| <= 3, in 1-D and 3-D: time and fraction of fallbacks.

* tanh, the table route (the dual activation tabulated once per activation, law and
  scale range, evaluated in numba) against the exact route, |x| <= 10, D = 1 and D = 3:
  entries per CPU second of each (numba on one thread; CPU time, so that other load on
  a shared host does not count), the table's build time, and its max error relative to
  sqrt(K(x,x) K(x',x')) against the exact route on M_VAL points (targets: at least 1e6
  entries per second per core, error at most 1e-8).

Usage: ``.venv/bin/python bench/gaussian_kernel.py`` (several minutes);
``.venv/bin/python bench/gaussian_kernel.py table`` runs the table lines only.
"""

from __future__ import annotations

import time

import numpy as np

SW, SB = 1.5, 0.5
M_CLOSED, M_QUAD = 400, 30
M_SIDE, M_BIG = 100, 1000
M_VAL, M_FAST = 120, 3000  # table route: points checked against the exact route; timed


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def cpu_timed(f):
    """(result, CPU seconds of this process, all threads): per-core cost on a shared host."""
    t = time.process_time()
    out = f()
    return out, time.process_time() - t


def hermite_nodes_kernel(act, X, law):
    from actdesign.fit._kernel import feature_matrix

    nodes = law.nodes(X, n_weight=32, n_bias=64)
    P = feature_matrix(act, X, nodes, train="v", backend="numpy")
    return (P * nodes.weights) @ P.T


def quadrature_kernel(act, X, law):
    from actdesign.fit.gaussian._kernel import _numeric_setup
    from actdesign.fit.gaussian._quad import bivariate

    phi, kinks, centres, width = _numeric_setup(act)
    i, j = np.triu_indices(len(X))
    s11, s22, s12, det = law.covariances(X[i], X[j])
    v, e = bivariate(phi, s11, s22, s12, det=det, kinks=kinks, centres=centres, width=width)
    K = np.empty((len(X), len(X)))
    K[i, j] = v
    K[j, i] = v
    return K, float(e.max())


def main():
    from actdesign.fit._laws import GaussianLaw
    from actdesign.fit._options import as_activation
    from actdesign.fit.gaussian._kernel import gaussian_kernel

    law = GaussianLaw(SW, SB)
    rng = np.random.default_rng(0)
    X = rng.uniform(-10, 10, (M_CLOSED, 1))
    erf = as_activation("erf(z)")
    K, t_closed = timed(lambda: gaussian_kernel(erf, X, None, law).matrix)
    H, t_herm = timed(lambda: hermite_nodes_kernel(erf, X, law))
    entries = M_CLOSED * (M_CLOSED + 1) / 2
    print(f"erf, M={M_CLOSED}: closed form {t_closed / entries * 1e6:.2f} us/entry; "
          f"Gauss-Hermite nodes {t_herm / entries * 1e6:.2f} us/entry "
          f"(ratio {t_herm / t_closed:.1f}), its max error {np.abs(H - K).max():.2e}")
    Xq = X[:M_QUAD]
    (Q, est), t_quad = timed(lambda: quadrature_kernel(erf, Xq, law))
    eq = M_QUAD * (M_QUAD + 1) / 2
    print(f"erf, M={M_QUAD}: quadrature route {t_quad / eq * 1e3:.2f} ms/entry "
          f"(ratio to closed {t_quad / eq / (t_closed / entries):.0f}), max error "
          f"{np.abs(Q - K[:M_QUAD, :M_QUAD]).max():.2e}, reported <= {est:.1e}")
    tanh = as_activation("tanh(z)")
    (T, est), t_tanh = timed(lambda: quadrature_kernel(tanh, Xq, law))
    HT = hermite_nodes_kernel(tanh, Xq, law)
    print(f"tanh, M={M_QUAD}: quadrature route {t_tanh / eq * 1e3:.2f} ms/entry, reported "
          f"error <= {est:.1e}; Gauss-Hermite nodes differ by {np.abs(HT - T).max():.2e}")
    numeric_route()


def _points(rng, m, d, radius=3.0):
    """m points uniform in the ball |x| <= radius of R^d."""
    x = rng.normal(size=(m, d))
    r = radius * rng.uniform(0, 1, (m, 1)) ** (1 / d)
    return r * x / np.linalg.norm(x, axis=1, keepdims=True)


def mehler_kernel(act, X, law):
    """The new numeric route, with the fraction of entries left to ``bivariate``."""
    from actdesign.fit.gaussian._kernel import _numeric_setup
    from actdesign.fit.gaussian._mehler import mehler
    from actdesign.fit.gaussian._quad import bivariate

    phi, kinks, centres, width = _numeric_setup(act)
    opts = dict(kinks=kinks, centres=centres, width=width)
    i, j = np.triu_indices(len(X))
    s11, s22, s12, det = law.covariances(X[i], X[j])
    v, e, ok = mehler(phi, s11, s22, s12, **opts)
    v[~ok], e[~ok] = bivariate(phi, s11[~ok], s22[~ok], s12[~ok], det=det[~ok], **opts)
    K = np.empty((len(X), len(X)))
    K[i, j] = v
    K[j, i] = v
    return K, float(e.max()), 1 - ok.mean()


def numeric_route():
    from actdesign.fit._laws import GaussianLaw
    from actdesign.fit._options import as_activation

    law = GaussianLaw(SW, SB)
    rng = np.random.default_rng(1)
    tanh = as_activation("tanh(z)")
    for d in (1, 3):
        X = _points(rng, M_SIDE, d)
        (B, eb), t_before = timed(lambda: quadrature_kernel(tanh, X, law))
        (A, ea, fb), t_after = timed(lambda: mehler_kernel(tanh, X, law))
        print(f"tanh, D={d}, M={M_SIDE}: numeric route before {t_before:.2f} s, after "
              f"{t_after:.2f} s (ratio {t_before / t_after:.1f}), max difference "
              f"{np.abs(A - B).max():.1e}, reported <= {eb:.1e} / {ea:.1e}, "
              f"fallback {fb:.1%}")
    for d in (1, 3):
        X = _points(rng, M_BIG, d)
        (A, ea, fb), t_after = timed(lambda: mehler_kernel(tanh, X, law))
        print(f"tanh, D={d}, M={M_BIG}: numeric route {t_after:.1f} s, reported error "
              f"<= {ea:.1e}, fallback to bivariate {fb:.2%} of the entries")


def table_route():
    import numba

    from actdesign.fit._laws import GaussianLaw
    from actdesign.fit._options import as_activation
    from actdesign.fit.gaussian._kernel import gaussian_kernel

    numba.set_num_threads(1)  # entries per second per core
    law = GaussianLaw(SW, SB)
    tanh = as_activation("tanh(z)")
    rng = np.random.default_rng(2)
    for d in (1, 3):
        X = _points(rng, M_VAL, d, radius=10.0)
        X[-1] = X[0] + 1e-6  # a near-diagonal pair (rho -> 1) and an antipodal one
        X[-2] = -X[1]
        X[-3] = 10.0 * X[2] / np.linalg.norm(X[2])  # |x| = 10 exactly
        fast, t_first = timed(lambda: gaussian_kernel(tanh, X, None, law, fast=True))
        exact, t_exact = cpu_timed(lambda: gaussian_kernel(tanh, X, None, law, fast=False))
        dg = np.sqrt(np.diag(exact.matrix))
        err = np.max(np.abs(fast.matrix - exact.matrix) / np.outer(dg, dg))
        Y = _points(rng, M_FAST, d, radius=10.0)
        gaussian_kernel(tanh, Y[:5], Y[:5], law, fast=True)  # compiled, cached
        _, t_fast = cpu_timed(lambda: gaussian_kernel(tanh, Y, Y, law, fast=True))
        r_fast = M_FAST**2 / t_fast
        r_exact = M_VAL * (M_VAL + 1) / 2 / t_exact
        print(f"tanh, D={d}, |x|<=10: table route {r_fast:.2e} entries/s/core (M={M_FAST}), "
              f"exact route {r_exact:.2e} entries/s/core (M={M_VAL}), ratio "
              f"{r_fast / r_exact:.0f}; max error {err:.1e} of sqrt(K(x,x)K(x',x')) against "
              f"the exact route (M={M_VAL}), reported <= {fast.error:.1e}; first call "
              f"{t_first:.1f} s wall ({fast.detail})")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["table"]:
        table_route()
    else:
        main()
        table_route()
