"""The Nystrom passes on a dask.distributed cluster: workers hold the points, vectors travel.

`DaskBlocks` wraps a local `_blocks.Blocks`:

* the points (and targets) are cut into one contiguous row chunk per worker and
  scattered to that worker once per fit; the kernel object (centres, table or compiled
  activation code, a few MB) is broadcast once;
* each CG iteration broadcasts u (m numbers); every worker returns its
  ``K_chunk^T (K_chunk u)`` (m numbers), added in a fixed pairwise tree on the workers
  (`._dask.DaskFeatureOperator._reduce`'s order), so two fits on one cluster are
  bitwise identical and differ from the local fit by the order of sums only;
* K_mm, its factorisations and the CG recurrences stay in the calling process
  (O(m^2) there, O(M/P) per worker).
"""

from __future__ import annotations

import numpy as np

from .._errors import FitError
from ..compute._dask import _add, _writable, portable_map, worker_addresses


def _portable(blocks):
    """A copy of ``blocks`` that pickles small (no Activation object on feature kernels)."""
    import copy

    if not blocks.portable:
        raise FitError(
            "client= with solver='nystrom' needs a kernel the workers can evaluate (the "
            "radial table in 2-D or more, the Gaussian law's kernel, or numba feature "
            "kernels); fit without client="
        )
    lite = copy.copy(blocks)
    if hasattr(blocks, "fmap"):
        lite.fmap = portable_map(blocks.fmap)
    return lite


class DaskBlocks:
    """The passes of a Blocks object, map-reduced over the workers of ``client``."""

    def __init__(self, local, X, client):
        self.local = local
        self.client = client
        self.workers = worker_addresses(client)
        self.C, self.m, self.precision = local.C, local.m, local.precision
        self.error = 0.0
        P = len(self.workers)
        edges = [(X.shape[0] * i) // P for i in range(P + 1)]
        self.chunks = [(edges[i], edges[i + 1]) for i in range(P) if edges[i + 1] > edges[i]]
        self._kernel = client.scatter(_portable(local), broadcast=True, hash=False)
        self._X = [
            client.scatter(np.ascontiguousarray(X[a:b]), workers=[w], hash=False)
            for (a, b), w in zip(self.chunks, self.workers)
        ]

    def _map(self, fn, *args):
        return [
            self.client.submit(fn, self._kernel, Xc, *args, workers=[w],
                               allow_other_workers=True, pure=False)
            for Xc, w in zip(self._X, self.workers)
        ]

    def _reduce(self, futures):
        """Sum in a fixed pairwise tree on the workers (independent of task timing)."""
        while len(futures) > 1:
            pairs = zip(futures[0::2], futures[1::2])
            nxt = [self.client.submit(_add, a, b, pure=False) for a, b in pairs]
            futures = nxt + futures[len(futures) - len(futures) % 2 :]
        return futures[0].result()

    def gram(self):
        return self.local.gram()

    def moments(self, X, y, poly=None):
        ys = [self.client.scatter(np.ascontiguousarray(y[a:b]), workers=[w], hash=False)
              for (a, b), w in zip(self.chunks, self.workers)]
        futures = [
            self.client.submit(_moments_part, self._kernel, Xc, yc, poly, workers=[w],
                               allow_other_workers=True, pure=False)
            for Xc, yc, w in zip(self._X, ys, self.workers)
        ]
        parts = self.client.gather(futures)  # m + q(m + q + 1) numbers per worker
        out = []
        for k in range(4):
            vals = [p[k] for p in parts]
            out.append(None if vals[0] is None else _tree_sum(vals))
        return tuple(out)

    def pass_(self, X, u):
        ub = self.client.scatter(np.ascontiguousarray(u), broadcast=True, hash=False)
        return _writable(self._reduce(self._map(_pass_part, ub)))

    def apply(self, X, a):
        ab = self.client.scatter(np.ascontiguousarray(a), broadcast=True, hash=False)
        return np.concatenate(self.client.gather(self._map(_apply_part, ab)))

    def release(self):
        """Drop the scattered data on the cluster."""
        self._X, self._kernel = [], None


def _tree_sum(vals):
    """The same pairwise order as the workers' reduction."""
    while len(vals) > 1:
        nxt = [a + b for a, b in zip(vals[0::2], vals[1::2])]
        vals = nxt + vals[len(vals) - len(vals) % 2 :]
    return vals[0]


# --- task functions (module level: pickled by reference) ---------------------------------
def _pass_part(blocks, X, u):
    return blocks.pass_(X, u)


def _apply_part(blocks, X, a):
    return blocks.apply(X, a)


def _moments_part(blocks, X, y, poly):
    return blocks.moments(X, y, poly)
