"""Kernel matrices of the kernel regime, finite or infinite width, as plain arrays."""

from __future__ import annotations

import math

import numpy as np

from ._catalog import recognize
from ._coords import homogeneity_degree
from ._infinite import NumericAutocorrelation, RadialKernel, null_order
from ._laws import GaussianLaw, UniformLaw
from .compute._features import FeatureMap, compile_activation, zbound
from .gaussian._kernel import gaussian_kernel


def feature_matrix(activation, X, neurons, *, train="mu", degree=None, backend="numba"):
    """Dense ``Psi[i, j] = c_j phi(w_j . x_i + b_j)`` (c_j = omega_j^-s for train="mu").

    For small problems and checks; fits never form this matrix.
    """
    from ._regressor import as_activation

    act = as_activation(activation)
    X = np.ascontiguousarray(X, dtype=float)
    s = (homogeneity_degree(act) or 0.0) if degree is None else degree
    omega = np.linalg.norm(neurons.w, axis=1)
    scale = omega ** (-s) if train == "mu" and s else np.ones(neurons.n)
    fmap = FeatureMap(
        compile_activation(act, zbound(X, neurons.w, neurons.b)),
        neurons.w,
        neurons.b,
        scale,
        backend,
    )
    return fmap.tile(X, 0, neurons.n)


def infinite_width_kernel(
    activation, X1, X2=None, *, law=None, train="mu", degree=None, quadrature=None
):
    """K(x, x') = E[psi(x) psi(x')] for the law of the hidden neurons.

    Parameters
    ----------
    activation : Activation or str
    X1, X2 : ndarray (M1, D), (M2, D)
    law : UniformLaw or GaussianLaw
        Default ``UniformLaw(radius=inf)``. For a finite radius, R must be given (the
        data-dependent default of the regressor is not used here).
    train, degree : as in RadonSplineRegressor (the coordinate the kernel belongs to).
    quadrature : dict or None
        Node counts for finite R, and for the Gaussian law with train="mu" and
        homogeneity s > 0 (see RadonSplineRegressor).

    Returns
    -------
    ndarray (M1, M2)
        For ``radius = inf`` this is ``kappa(|x - x'|) = E_xi G(xi.(x - x'))``, the
        conditionally positive definite part of ``2R K_R`` as R → ∞ (defined up to
        polynomials of degree < m in x and in x', which the fit's null space absorbs).
        Under the Gaussian law with train="v" (or s = 0) it is E[phi(u) phi(v)] over the
        pre-activations, in closed form or by accurate quadrature (`gaussian_kernel`).
    """
    from ._regressor import QUADRATURE, QUADRATURE_HIGH_D, as_activation

    act = as_activation(activation)
    X1 = np.atleast_2d(np.asarray(X1, dtype=float))
    X2 = X1 if X2 is None else np.atleast_2d(np.asarray(X2, dtype=float))
    law = UniformLaw(math.inf) if law is None else law
    s = (homogeneity_degree(act) or 0.0) if degree is None else degree
    if isinstance(law, UniformLaw) and law.radius is not None and math.isinf(law.radius):
        om = law.scale
        c = om ** (-s) if train == "mu" and s else 1.0
        rec = recognize(act.phi, act)
        rmax = float(
            np.linalg.norm(np.maximum(X1.max(0), X2.max(0)) - np.minimum(X1.min(0), X2.min(0)))
        )
        G0 = (
            rec.autocorrelation
            if rec is not None and rec.autocorrelation(np.zeros(1)) is not None
            else NumericAutocorrelation(act, null_order(act), om * max(rmax, 1e-9) * 1.01)
        )
        radial = RadialKernel(
            lambda t: c * c / om * G0(om * np.asarray(t)),
            X1.shape[1],
            max(rmax, 1e-9) * 1.01,
            exact_1d=rec is not None,
        )
        return radial.matrix(X1, X2)
    if isinstance(law, GaussianLaw) and not (train == "mu" and s > 0):
        law.resolve(X1)
        return gaussian_kernel(act, X1, None if X2 is X1 else X2, law).matrix
    if isinstance(law, UniformLaw) and law.radius is None:
        raise ValueError("give the uniform law a radius (or math.inf)")
    q = dict(QUADRATURE.get(X1.shape[1], QUADRATURE_HIGH_D))
    q.update(quadrature or {})
    both = np.concatenate([X1, X2])
    if isinstance(law, UniformLaw):
        rec = recognize(act.phi, act)
        nodes = law.nodes(
            both,
            n_sphere=q["n_sphere"],
            panel=2 * law.radius / q["panels"],
            kinks=rec.kinks if rec is not None else (),
        )
    elif isinstance(law, GaussianLaw):  # train="mu", s > 0: gamma ~ Student t, 1-D rules
        nodes = law.radon_nodes(both, n_sphere=q["n_sphere"], panels=q.get("panels", 128))
    else:
        raise ValueError(f"no width=inf kernel for the {type(law).__name__}; give a width")
    P1 = feature_matrix(act, X1, nodes, train=train, degree=s)
    P2 = P1 if X2 is X1 else feature_matrix(act, X2, nodes, train=train, degree=s)
    return (P1 * nodes.weights) @ P2.T
