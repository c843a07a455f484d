"""Cluster statistics by hand, and clusters/pinning in the adaptive vs the kernel regime."""

import numpy as np
import pytest

from actdesign import adaptive as A


def test_plane_distance_by_hand():
    xi = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    gamma = np.array([0.3, -0.3, 0.1])
    d = A.plane_distance(xi, gamma, scale=2.0)
    assert d[0, 1] == pytest.approx(0.0, abs=1e-15)  # (xi, gamma) and (-xi, -gamma): one plane
    assert d[0, 2] == pytest.approx(np.hypot(np.pi / 2, 0.2 / 2.0), rel=1e-14)
    assert np.allclose(d, d.T)


def test_pattern_similarity_by_hand():
    a = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0]], dtype=bool)
    s = A.pattern_similarity(a)
    assert s[0, 1] == 1.0 and s[0, 2] == 0.75 and s[1, 2] == 0.75 and np.all(np.diag(s) == 1)
    X = np.array([[-1.0], [0.0], [1.0]])
    assert A.activation_patterns(X, np.array([[1.0]]), np.array([0.5])).tolist() == [
        [False, False, True]
    ]
    assert A.cuts_data(X, np.array([[1.0], [1.0]]), np.array([0.5, 2.0])).tolist() == [True, False]


def test_cluster_count_of_separated_groups():
    rng = np.random.default_rng(0)
    centres = np.array([0.0, 1.0, 3.0])
    x = np.concatenate([c + 0.01 * rng.standard_normal(5) for c in centres])
    d = np.abs(x[:, None] - x[None, :])
    assert A.cluster_count(d, 0.2) == 3
    assert A.cluster_count(d, 1.5) == 2  # {0, 1} merge (average distance 1 < 1.5), 3 stays
    assert A.cluster_count(d, 1e-6) == 15
    with pytest.raises(A.AdaptiveError):
        A.cluster_count(d, 0.0)


def _data(dim):
    if dim == 1:
        X = np.linspace(-1, 1, 10)[:, None]
        return X, np.sin(3 * X[:, 0])
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (16, 2))
    return X, np.sin(2 * X[:, 0]) * X[:, 1] + 0.5 * X[:, 0]


# adaptive: the defaults (regime 30, small init); near-kernel: 4x the width and a step
# ratio 300x (2-D: 1000x) smaller, so planes move about as far as the data spacing / 100
SETTINGS = {1: dict(regime=30.0, epochs=2000), 2: dict(regime=100.0, epochs=1000, init_scale=0.05)}


@pytest.mark.parametrize("dim", [1, 2])
def test_clusters_form_and_planes_pin_in_the_adaptive_regime_only(dim):
    X, y = _data(dim)
    fast = A.train(X, y, width=128, record_every=500, **SETTINGS[dim])
    lazy = A.train(X, y, width=512, regime=0.1, epochs=SETTINGS[dim]["epochs"], record_every=500)
    sf, sl = A.summarize(fast), A.summarize(lazy)
    assert sf["final_loss"] < 0.01 * sf["initial_loss"]
    assert sl["final_loss"] < 0.1 * sl["initial_loss"]  # the kernel run learns too
    cf, cl = sf["cluster_counts"], sl["cluster_counts"]
    assert cf[-1] <= 0.6 * cf[0]  # clusters form
    assert abs(cl[-1] - cl[0]) <= 0.1 * cl[0]  # kernel: the plane layout stays
    assert sf["pinned_fraction_final"] >= 4 * sf["pinned_fraction_initial"]
    # (1-D planes within reach of a point pin even near the kernel regime, so only compare)
    assert sl["pinned_fraction_final"] < 0.5 * sf["pinned_fraction_final"]
    assert sf["drift"] > 10 * sl["drift"]
    # at the end V_t pushes planes onto the sinogram curves gamma = xi . x_n
    assert sf["sinks_final"]["attracting_on_data"] >= 0.9
