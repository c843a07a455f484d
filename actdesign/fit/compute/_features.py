"""Random (or quadrature) features phi(w.x + b), evaluated tile by tile.

`compile_activation` picks the evaluation route of an activation once:

* ``closed:<base>``: a hand-fused closed form from `._catalog`;
* ``tabulation``: a packed `Tabulation` (the activation's own, or
  one built here from its closed form and checked against it);
* ``numpy``: the activation's own numpy evaluation (slow; used only when neither
  of the above reproduces it to 1e-10).

A `FeatureMap` then evaluates column blocks ``scale[j] * phi(X @ W[j] + b[j])``
with the numba kernel (CPU), the cupy kernel (GPU) or plain numpy (reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._catalog import TABULATION_CODE, Recognized, recognize
from ._tabulate import pack, tabulate

CLOSED, TABLE, NUMPY = "closed", "tabulation", "numpy"


@dataclass(eq=False)
class ActivationKernel:
    """How the kernels evaluate one activation.

    Attributes
    ----------
    act : Activation
    route : str
        ``"closed:<base>"``, ``"tabulation"`` or ``"numpy"``.
    code : int
        Kernel selector (0: packed table); -1 for the numpy route.
    params : ndarray
        Flat parameters read by the kernels.
    recognized : Recognized or None
    table : Tabulation or None
        The table used on the tabulation route.
    zmax : float
        |z| up to which the table is checked (inf for closed forms).
    table_error : float
        Largest relative error of the table against ``act`` at its check points.
    """

    act: object
    route: str
    code: int
    params: np.ndarray
    recognized: Recognized | None = None
    table: object = None
    zmax: float = math.inf
    table_error: float = 0.0
    notes: list = field(default_factory=list)

    def covers(self, zmax: float) -> bool:
        return self.route != TABLE or zmax <= self.zmax or self.table is self.act.tabulation

    def reference(self, z):
        """numpy evaluation along the same route (closed form, table or act)."""
        if self.recognized is not None:
            return self.recognized(z)
        if self.table is not None:
            return self.table(np.asarray(z, dtype=float))
        return np.asarray(self.act(np.asarray(z, dtype=float)), dtype=float)


def compile_activation(act, zmax: float = 64.0) -> ActivationKernel:
    """Choose the evaluation route of ``act`` for pre-activations with |z| <= zmax."""
    rec = recognize(act.phi, act) if act.phi is not None else None
    if rec is not None:
        return ActivationKernel(act, f"{CLOSED}:{rec.form.name}", rec.form.code, rec.params(), rec)
    zmax = max(float(zmax), 64.0)
    # (a design with an explicit singular/log part is more than its table: generic route)
    if act.table_only:
        own = act.tabulation
        tab, err = tabulate(act, max(zmax, abs(own.knots[0]), abs(own.knots[-1])), tol=1e-12)
        tab = tab if tab is not None else own
        packed = pack(tab)
        if packed is not None:
            return ActivationKernel(
                act,
                TABLE,
                TABULATION_CODE,
                packed,
                table=tab,
                zmax=math.inf,
                table_error=0.0 if tab is own else err,
            )
        return ActivationKernel(
            act,
            NUMPY,
            -1,
            np.zeros(1),
            notes=["the activation's tail law cannot be packed; numpy route"],
        )
    tab, err = tabulate(act, 1.5 * zmax)
    if tab is not None:
        packed = pack(tab)
        if packed is not None:
            return ActivationKernel(
                act, TABLE, TABULATION_CODE, packed, table=tab, zmax=1.5 * zmax, table_error=err
            )
    return ActivationKernel(
        act,
        NUMPY,
        -1,
        np.zeros(1),
        notes=[
            f"no fused kernel reproduces the activation (table error {err:.2g});"
            " features are evaluated with numpy (slow)"
        ],
    )


def zbound(X, W, b) -> float:
    """An upper bound of |w.x + b| over the points X and the neurons (W, b)."""
    if W.shape[0] == 0:
        return 0.0
    xn = float(np.max(np.linalg.norm(X, axis=1))) if X.shape[0] else 0.0
    return xn * float(np.max(np.linalg.norm(W, axis=1))) + float(np.max(np.abs(b)))


class FeatureMap:
    """Column blocks of the feature matrix ``Psi[i, j] = scale[j] * phi(X[i] . W[j] + b[j])``.

    Parameters
    ----------
    kernel : ActivationKernel
    W : ndarray (N, D)
    b : ndarray (N,)
    scale : ndarray (N,)
    backend : {"numba", "numpy", "cupy"}
    """

    def __init__(self, kernel: ActivationKernel, W, b, scale, backend: str = "numba"):
        self.kernel = kernel
        self.W = np.ascontiguousarray(W, dtype=float)
        self.b = np.ascontiguousarray(b, dtype=float)
        self.scale = np.ascontiguousarray(scale, dtype=float)
        self.backend = "numpy" if kernel.route == NUMPY and backend == "numba" else backend
        self.Wt = np.ascontiguousarray(self.W.T)
        self._gpu = None

    @property
    def n_features(self) -> int:
        return self.W.shape[0]

    def ensure_covers(self, X) -> None:
        """Re-tabulate if the points X reach pre-activations beyond the table's range."""
        zb = zbound(np.asarray(X, dtype=float), self.W, self.b)
        if not self.kernel.covers(zb):
            self.kernel = compile_activation(self.kernel.act, zb)
            if self.kernel.route == NUMPY and self.backend == "numba":
                self.backend = "numpy"
            self._gpu = None

    def tile(self, X, j0: int, j1: int, out=None, extra_scale=None):
        """``Psi[:, j0:j1]`` (times ``extra_scale[j0:j1]`` if given) for the points X."""
        s = self.scale[j0:j1] if extra_scale is None else self.scale[j0:j1] * extra_scale[j0:j1]
        if self.backend == "numba":
            from ._numba_kernels import tile

            out = _buffer(out, X.shape[0], j1 - j0, np)
            return tile(
                X,
                np.ascontiguousarray(self.Wt[:, j0:j1]),
                self.b[j0:j1],
                np.ascontiguousarray(s),
                self.kernel.code,
                self.kernel.params,
                out,
            )
        if self.backend == "cupy":
            return self._cupy().tile(X, j0, j1, s, out)
        Z = X @ self.Wt[:, j0:j1] + self.b[j0:j1]
        return self.kernel.reference(Z) * s

    def _cupy(self):
        if self._gpu is None:
            from ._cupy_kernels import GpuFeatures

            self._gpu = GpuFeatures(self.kernel, self.Wt, self.b)
        return self._gpu


def _buffer(out, m, n, xp):
    """A C-contiguous (m, n) array, reusing the memory of ``out`` when it is large enough."""
    if out is not None and out.size >= m * n:
        return out.reshape(-1)[: m * n].reshape(m, n)
    return xp.empty((m, n))
