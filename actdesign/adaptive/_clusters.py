"""Cluster statistics of zero-planes: activation-pattern similarity, plane distance, counts.

Two ReLU zero-planes are close when their normals are nearly parallel and their offsets
agree (theory.md §6):

    d_ij = sqrt(arccos(|xi_i . xi_j|)^2 + (|gamma_i - sgn(xi_i . xi_j) gamma_j| / R)^2)

with R the data radius, so (xi, gamma) and (-xi, -gamma), the same plane, are at distance
0. Activation patterns ``a_i = 1[xi_i . x_n > gamma_i]`` on the training points give the
similarity ``S_ij = max(agree, 1 - agree)`` with ``agree = 1 - mean_n |a_in - a_jn|``
(orientation flipped where needed). Clusters are counted by average-linkage hierarchical
clustering (``scipy.cluster.hierarchy``) cut at a distance threshold, over the planes
that cut the data (a plane with a constant pattern has no gradient and no role).
"""

from __future__ import annotations

import numpy as np

from ._errors import AdaptiveError


def activation_patterns(X, xi, gamma):
    """Boolean array (n, N): neuron i is active on point n."""
    return (np.atleast_2d(xi) @ np.asarray(X, dtype=float).T) > np.asarray(gamma)[:, None]


def cuts_data(X, xi, gamma):
    """Planes whose activation pattern is not constant on the data."""
    a = activation_patterns(X, xi, gamma)
    return a.any(axis=1) & ~a.all(axis=1)


def pattern_similarity(patterns):
    """S_ij = max(agree, 1 - agree), agree = fraction of points with equal activation."""
    a = np.asarray(patterns, dtype=float)
    agree = (a @ a.T + (1 - a) @ (1 - a).T) / a.shape[1]
    return np.maximum(agree, 1 - agree)


def plane_distance(xi, gamma, scale: float = 1.0):
    """d_ij between zero-planes (see the module docstring); ``scale`` is R."""
    xi = np.atleast_2d(np.asarray(xi, dtype=float))
    gamma = np.asarray(gamma, dtype=float)
    c = np.clip(xi @ xi.T, -1.0, 1.0)
    angle = np.arccos(np.abs(c))
    dg = np.abs(gamma[:, None] - np.where(c < 0, -1.0, 1.0) * gamma[None, :]) / scale
    return np.sqrt(angle**2 + dg**2)


def cluster_count(distance, threshold: float, method: str = "average") -> int:
    """Number of clusters of hierarchical clustering of ``distance`` cut at ``threshold``.

    Parameters
    ----------
    distance : array (n, n)
        Pairwise distances, e.g. `plane_distance` or ``1 - pattern_similarity``
        (symmetrised, diagonal set to 0).
    threshold : float
        Distance (> 0) at which the dendrogram is cut.
    method : str
        Linkage of ``scipy.cluster.hierarchy.linkage`` (default ``"average"``; also
        ``"single"``, ``"complete"``, ...).

    Returns
    -------
    int
        Number of clusters (n for n <= 1 planes).
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if not threshold > 0:
        raise AdaptiveError(f"cluster threshold must be > 0, got {threshold}")
    d = np.asarray(distance, dtype=float)
    if d.shape[0] <= 1:
        return int(d.shape[0])
    d = 0.5 * (d + d.T)
    np.fill_diagonal(d, 0.0)
    z = linkage(squareform(d, checks=False), method=method)
    return int(np.max(fcluster(z, threshold, criterion="distance")))


def cluster_history(traj, *, threshold: float = 0.05, pattern_threshold: float = 0.05):
    """Cluster counts over the snapshots of a `Trajectory`.

    Returns
    -------
    dict
        ``planes``: count by plane distance; ``patterns``: count by pattern distance
        ``1 - S``; ``cutting``: number of planes that cut the data; one entry per snapshot.
    """
    xi_t, g_t = traj.planes()
    R = traj.radius()
    out = {"planes": [], "patterns": [], "cutting": []}
    for xi, g in zip(xi_t, g_t, strict=True):
        keep = cuts_data(traj.X, xi, g)
        out["cutting"].append(int(keep.sum()))
        out["planes"].append(cluster_count(plane_distance(xi[keep], g[keep], R), threshold))
        a = activation_patterns(traj.X, xi[keep], g[keep])
        out["patterns"].append(cluster_count(1 - pattern_similarity(a), pattern_threshold))
    return {k: np.asarray(v) for k, v in out.items()}
