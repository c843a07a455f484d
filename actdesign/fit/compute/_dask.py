"""Neuron tiles on a dask.distributed cluster: the passes of the fit, reduced across workers.

`DaskFeatureOperator` is a `._linalg.FeatureOperator` whose passes over
the feature tiles (Gram accumulation, randomized sketches, subspace iteration, TSQR,
the final adjoint) run on the workers of a ``dask.distributed.Client``:

* the small inputs (points X, neurons W and b, column scales, the activation's kernel
  code and parameters) are scattered to every worker once per fit;
* the N feature columns are cut into one contiguous chunk per worker, aligned to the
  local tile size, so every worker evaluates exactly the tiles a local fit evaluates,
  with the same numba kernel;
* each worker accumulates its chunk (syrk into one M x M Gram, or the M x k sketch);
  the partial sums are added in a fixed pairwise tree on the workers, so a result does
  not depend on task timing (it is reproducible for a given number of workers and
  differs from the local fit only by the order of floating-point additions).

Only the coordinating process forms spectra and solves; the M x M solve is not
distributed (see docs/howto/scale-out.md).
"""

from __future__ import annotations

from itertools import cycle

import numpy as np

from .._errors import FitError
from ._backend import qr_r, symmetrize_upper, syrk_update
from ._features import ActivationKernel, FeatureMap
from ._linalg import FeatureOperator, _omega, streamed_qr_r


def worker_addresses(client) -> list:
    """The sorted worker addresses of a dask.distributed Client (FitError if none)."""
    if not all(hasattr(client, a) for a in ("submit", "scatter", "scheduler_info")):
        raise FitError(
            f"client must be a dask.distributed.Client, got {type(client).__name__}; "
            "pass client=None to fit in this process"
        )
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise FitError("the dask client has no workers; start some or pass client=None")
    return workers


def split_columns(N: int, nb: int, parts: int) -> list:
    """Contiguous column ranges (j0, j1), aligned to tiles of nb columns, one per part
    (fewer when there are fewer tiles than parts); tile counts differ by at most one."""
    tiles = -(-N // nb)
    parts = max(1, min(parts, tiles))
    edges = [(tiles * i) // parts for i in range(parts + 1)]
    return [(edges[i] * nb, min(N, edges[i + 1] * nb)) for i in range(parts)]


def portable_map(fmap: FeatureMap) -> FeatureMap:
    """A copy of ``fmap`` that pickles small: the kernel code and parameters, no Activation.

    Raises FitError on the numpy route (no compiled kernel to ship).
    """
    k = fmap.kernel
    if fmap.backend != "numba" or k.code < 0:
        raise FitError(
            f"client= needs the numba feature kernels, but this activation runs on the "
            f"{fmap.backend} route ({k.route}); fit without client= or use an activation "
            "with a closed form or a table"
        )
    lite = ActivationKernel(None, k.route, k.code, np.asarray(k.params), zmax=k.zmax)
    return FeatureMap(lite, fmap.W, fmap.b, fmap.scale, "numba")


class DaskFeatureOperator(FeatureOperator):
    """``A = Psi diag(sqrt(weights))`` whose tile passes run on a dask cluster."""

    def __init__(self, fmap, X, weights, tile_cols: int, client):
        self.workers = worker_addresses(client)
        self.client = client
        self._lite = portable_map(fmap)
        super().__init__(fmap, np.asarray(X), weights, np, tile_cols)
        self.chunks = split_columns(self.N, self.nb, len(self.workers))
        self._shared = None

    # --- plumbing ---------------------------------------------------------------------
    def _data(self):
        """The scattered inputs of every task (sent once, kept until release())."""
        if self._shared is None:
            payload = (self._lite, self.X, self.sqrtw, self.nb)
            self._shared = self.client.scatter(payload, broadcast=True, hash=False)
        return self._shared

    def _map(self, fn, *args):
        """Futures of ``fn(shared, j0, j1, *args)``, chunk i pinned to worker i."""
        data = self._data()
        return [
            self.client.submit(
                fn, data, j0, j1, *args, workers=[w], allow_other_workers=True, pure=False
            )
            for (j0, j1), w in zip(self.chunks, cycle(self.workers))
        ]

    def _broadcast(self, a):
        return self.client.scatter(np.ascontiguousarray(a), broadcast=True, hash=False)

    def _reduce(self, futures):
        """Sum of the futures' arrays in a fixed pairwise tree, added on the workers."""
        while len(futures) > 1:
            pairs = zip(futures[0::2], futures[1::2])
            nxt = [self.client.submit(_add, a, b, pure=False) for a, b in pairs]
            futures = nxt + futures[len(futures) - len(futures) % 2 :]
        return _writable(futures[0].result())

    # --- the passes of FeatureOperator -------------------------------------------------
    def tiles(self):
        raise NotImplementedError("DaskFeatureOperator evaluates its tiles on the workers")

    def gram(self):
        """K = A A^T: one syrk-accumulated upper triangle per worker, summed, symmetrised."""
        G = np.asfortranarray(self._reduce(self._map(_gram_part)))
        return symmetrize_upper(G, np)

    def sketch(self, k: int, seed):
        return self._reduce(self._map(_sketch_part, int(k), tuple(seed)))

    def power(self, Q):
        return self._reduce(self._map(_power_part, self._broadcast(Q)))

    def tsqr(self, Q, rows: int = 16384):
        parts = self.client.gather(self._map(_tsqr_part, self._broadcast(Q), rows))
        return qr_r(np.concatenate(parts), np)

    def adjoint_and_apply(self, a):
        parts = self._map(_adjoint_part, self._broadcast(a))
        fits = [self.client.submit(_second, p, pure=False) for p in parts]
        fit = self._reduce(fits)
        firsts = self.client.gather([self.client.submit(_first, p, pure=False) for p in parts])
        return np.concatenate(firsts), fit

    def release(self) -> None:
        """Drop the scattered inputs on the cluster (scattered again if used later)."""
        self._shared = None


# --- task functions (module level: they are pickled by reference) -----------------------
def _tiles(shared, j0, j1):
    fmap, X, sqrtw, nb = shared
    buf = None
    for a in range(j0, j1, nb):
        b = min(j1, a + nb)
        buf = fmap.tile(X, a, b, buf, extra_scale=sqrtw)
        yield a, b, buf


def _gram_part(shared, j0, j1):
    M = shared[1].shape[0]
    G = np.zeros((M, M), order="F")
    for _, _, T in _tiles(shared, j0, j1):
        syrk_update(G, T, np)
    return G


def _sketch_part(shared, j0, j1, k, seed):
    Y = np.zeros((shared[1].shape[0], k))
    for a, b, T in _tiles(shared, j0, j1):
        Y += T @ _omega(seed, a, b, k)
    return Y


def _power_part(shared, j0, j1, Q):
    Y = np.zeros_like(Q)
    for _, _, T in _tiles(shared, j0, j1):
        Y += T @ (T.T @ Q)
    return Y


def _tsqr_part(shared, j0, j1, Q, rows):
    """R of this chunk's rows of A^T Q, streamed as in FeatureOperator.tsqr."""
    return streamed_qr_r((T.T @ Q for _, _, T in _tiles(shared, j0, j1)), rows, np)


def _adjoint_part(shared, j0, j1, a):
    out = np.empty(j1 - j0)
    fit = np.zeros(shared[1].shape[0])
    for c0, c1, T in _tiles(shared, j0, j1):
        t = T.T @ a
        out[c0 - j0 : c1 - j0] = t
        fit += T @ t
    return out, fit


def _add(a, b):
    return a + b


def _first(pair):
    return pair[0]


def _second(pair):
    return pair[1]


def _writable(a):
    """The array itself, or a copy when deserialisation handed over read-only memory."""
    return a if a.flags.writeable else np.array(a)
