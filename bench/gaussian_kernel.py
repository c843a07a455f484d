"""Benchmark of the exact Gaussian-law width = inf kernels (issue 11, part 2).

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

Usage: ``.venv/bin/python bench/gaussian_kernel.py`` (a few minutes).
"""

from __future__ import annotations

import time

import numpy as np

SW, SB = 1.5, 0.5
M_CLOSED, M_QUAD = 400, 30
M_SIDE, M_BIG = 100, 1000


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def hermite_nodes_kernel(act, X, law):
    from actdesign.fit._kernel import feature_matrix

    nodes = law.nodes(X, n_weight=32, n_bias=64)
    P = feature_matrix(act, X, nodes, train="v", backend="numpy")
    return (P * nodes.weights) @ P.T


def quadrature_kernel(act, X, law):
    from actdesign.fit._gaussian_kernel import _numeric_setup
    from actdesign.fit._gaussian_quad import bivariate

    phi, kinks, centres, width = _numeric_setup(act)
    i, j = np.triu_indices(len(X))
    s11, s22, s12, det = law.covariances(X[i], X[j])
    v, e = bivariate(phi, s11, s22, s12, det=det, kinks=kinks, centres=centres, width=width)
    K = np.empty((len(X), len(X)))
    K[i, j] = v
    K[j, i] = v
    return K, float(e.max())


def main():
    from actdesign.fit._gaussian_kernel import gaussian_kernel
    from actdesign.fit._laws import GaussianLaw
    from actdesign.fit._options import as_activation

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
    from actdesign.fit._gaussian_kernel import _numeric_setup
    from actdesign.fit._gaussian_mehler import mehler
    from actdesign.fit._gaussian_quad import bivariate

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


if __name__ == "__main__":
    main()
