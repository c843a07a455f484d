"""choose_penalty(): fit a penalty family to data, then design its activation."""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..fit._data import check_arrays
from ..infra._convention import CONVENTION
from ..infra._data_checks import check_training
from ..infra._errors import ActdesignError
from ..infra._progress import progress
from . import _objective as O
from ._families import FAMILIES
from ._optimise import fit_family

OBJECTIVES = {"ml": "log marginal likelihood (nats, larger is better)",
              "cv": "k-fold cross-validated mean squared error (smaller is better)"}
AUTO = ("exp", "matern", "gauss")  # "auto" compares these; exp_mix on request


class ChooseError(ActdesignError):
    """choose_penalty was called with an unknown family or objective, or too few points."""


@dataclass(frozen=True, eq=False)
class PenaltyChoice:
    """The chosen penalty, its designed activation and the evidence for the choice.

    Attributes
    ----------
    family : str
        The best-ranked family (BIC for "ml", CV error for "cv") whose activation could
        be designed; a better-ranked one that the design refuses is named in ``notes``.
    params : dict
        Its fitted parameters (in the data's units of x).
    penalty : str
        The total penalty with the fitted numbers, as passed to `actdesign.design`.
    activation : Activation or None
        ``actdesign.design(penalty, dim=D, shape=shape)`` (None with ``design=False``).
    fits : dict
        One `FamilyFit` per family tried.
    objective : {"ml", "cv"}
        The objective that ranked the families: marginal likelihood or CV error.
    dim : int
        Input dimension D of the data (the activation is designed for it).
    points : int
        Points used for the fit (after subsampling to ``max_points``).
    seconds : float
        Wall time of `choose_penalty`.
    notes : tuple of str
        Subsampling, parameters at a search bound, families skipped as not designable.
    """

    family: str
    params: dict
    penalty: str
    activation: object
    fits: dict
    objective: str
    dim: int
    points: int
    seconds: float
    notes: tuple = field(default_factory=tuple)

    def report(self) -> dict:
        """A JSON-able summary with the convention line."""
        act = self.activation
        fam = {
            name: {
                "summary": FAMILIES[name].summary,
                "penalty": FAMILIES[name].penalty(f.params),
                "params": f.params,
                "value": f.value,
                "bic": bic(f, self.points) if self.objective == "ml" else None,
                "noise_to_signal": f.eta,
                "at_bound": list(f.at_bound),
                "evaluations": f.evaluations,
                **f.extra,
            }
            for name, f in self.fits.items()
        }
        return {
            "family": self.family,
            "params": self.params,
            "penalty": self.penalty,
            "dim": self.dim,
            "objective": self.objective,
            "objective_meaning": OBJECTIVES[self.objective],
            "families": fam,
            "points": self.points,
            "seconds": self.seconds,
            "activation": None if act is None else {
                "name": act.name, "method": act.method, "phi": act.phi_text,
                "max_abs_error": act.max_abs_error, "shape": act.shape},
            "notes": list(self.notes),
            "convention": CONVENTION,
        }


def bic(fit, points: int) -> float:
    """Bayesian information criterion -2 log L + k log M (k: free parameters + mean + s^2)."""
    return -2.0 * fit.value + (fit.n_free + 2) * math.log(points)


def choose_penalty(X, y, family="auto", *, objective: str = "ml", fixed: dict | None = None,
                   folds: int = 5, max_points: int = 1000, seed: int = 0, shape: str = "bump",
                   design: bool = True) -> PenaltyChoice:
    """Fit the parameters of a penalty family to (X, y) and design the activation.

    The kernel regime with the uniform law is a Gaussian process whose covariance has
    Fourier transform ∝ 1/rho_total(|K|) (theory.md §3); each family's parameters, a
    noise-to-signal ratio, a constant mean and a signal variance are fitted by
    maximising the marginal likelihood (``objective="ml"``) or minimising the k-fold
    CV error of the posterior mean (``"cv"``). The best-ranked family is designed; if
    the design refuses its penalty (a Matern with p near (D+1)/2 has a nearly singular
    phi), the next one is, and a note says so.

    Parameters
    ----------
    X : array (M, D) or (M,)
        Inputs (a 1-D array is M points in 1-D); finite.
    y : array (M,)
        Targets; finite and not constant.
    family : str or sequence of str
        ``"exp"`` (exp(a|k|)), ``"matern"`` ((1 + a k^2)^p), ``"gauss"`` (exp(a k^2)),
        ``"exp_mix"`` (1/rho = exp(-a|k|) + c exp(-b|k|)), a list of these, or
        ``"auto"`` (exp, matern, gauss; the winner by BIC for "ml", by CV error for "cv").
    objective : {"ml", "cv"}
        ``"ml"`` (default): maximise the log marginal likelihood and rank families by BIC;
        ``"cv"``: minimise the ``folds``-fold CV error of the posterior mean.
    fixed : dict, optional
        Parameters held at given values, e.g. ``{"p": 2.0}`` for Matern.
    folds : int
        k of the k-fold CV (objective "cv").
    max_points : int
        A random subset of this many points is used when M is larger (O(M^3) per step):
        the objective is then the exact marginal likelihood (or CV error) of that subset,
        seeded by ``seed`` and named in ``notes``. It is an estimate of the full-data
        value, not the value: at M = 5000 with a 1000-point subset, the subset's log
        marginal likelihood scaled by M/1000 was 8 % below the exact one at the same
        parameters (1.39 against 1.51 nats per point; ``bench/million.py --choose``),
        since denser data pins the function down better per point.
    seed : int
        Seeds the subset and the CV folds.
    shape : {"bump", "sigmoid", "relu"}
        Shape of the designed activation.
    design : bool
        Design the activation (False: fit only).

    Returns
    -------
    PenaltyChoice
        The chosen family, its fitted penalty, the designed activation and every
        family's fit.

    Raises
    ------
    ChooseError
        An unknown family, objective or fixed parameter, a fixed value out of range,
        ``folds`` < 2, fewer than ``max(8, 2 * folds)`` points, or a constant y.
    DataError
        X or y malformed: empty, not finite, of mismatched lengths, with magnitudes
        that would overflow the fit, or all points at one x.
    PenaltyError
        ``design=True`` and no fitted family's penalty can be designed.
    """
    t0 = time.perf_counter()
    names = _families(family)
    if objective not in OBJECTIVES:
        raise ChooseError(f"unknown objective {objective!r}; choose 'ml' or 'cv'")
    X, y = check_training(*check_arrays(X, y), what="choose")
    fixed = _check_fixed(fixed or {}, names)
    X, y, notes = _subset(X, y, max_points, seed)
    if X.shape[0] < max(8, 2 * folds):
        raise ChooseError(f"{X.shape[0]} points are too few to fit a penalty; give at least "
                          f"{max(8, 2 * folds)}")
    if np.ptp(y) == 0:
        raise ChooseError("y is constant; a penalty cannot be fitted to a constant target")
    if not isinstance(folds, int) or folds < 2:
        raise ChooseError(f"folds must be an integer >= 2, got {folds!r}")
    dim = X.shape[1]
    _check_lower(fixed, names, dim)
    R = O.Distances(X)
    length = R.max or 1.0
    fold_sets = O.folds_of(X.shape[0], folds, seed)
    with _one_blas_thread(), progress("choose: objective", unit="eval") as bar:
        fits = {n: fit_family(FAMILIES[n], R, y, dim, objective=objective, length=length,
                              fixed={k: v for k, v in fixed.items() if k in _param_names(n)},
                              folds=fold_sets, bar=bar)
                for n in names}
    notes += [f"{n}: {', '.join(f.at_bound)} at a search bound" for n, f in fits.items()
              if f.at_bound]
    ranked = _ranked(fits, objective, X.shape[0])
    best, act = ranked[0], None
    if design:
        best, act = _design_first(ranked, dim, shape, notes)
    penalty = FAMILIES[best.family].penalty(best.params)
    return PenaltyChoice(family=best.family, params=best.params, penalty=penalty,
                         activation=act, fits=fits, objective=objective, dim=dim,
                         points=int(X.shape[0]), seconds=time.perf_counter() - t0,
                         notes=tuple(notes))


def _one_blas_thread():
    """Many small factorisations: one BLAS thread each is fastest, and on a busy machine
    a multi-threaded BLAS can be 100x slower (spin-waiting); threadpoolctl, which comes
    with scikit-learn, sets this when it is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _families(family):
    if isinstance(family, str):
        names = list(AUTO) if family == "auto" else [family]
    else:
        names = list(family)
    bad = [n for n in names if n not in FAMILIES]
    if bad or not names:
        raise ChooseError(f"unknown penalty family {bad or family!r}; choose from "
                          f"{', '.join(FAMILIES)} or 'auto'")
    return list(dict.fromkeys(names))


def _param_names(name):
    return {p.name for p in FAMILIES[name].params}


def _check_fixed(fixed, names):
    known = set().union(*(_param_names(n) for n in names))
    for k, v in fixed.items():
        if k not in known:
            raise ChooseError(f"fixed parameter {k!r} is not a parameter of {', '.join(names)}; "
                              f"known: {', '.join(sorted(known))}")
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ChooseError(f"fixed parameter {k} must be a positive number, got {v!r}")
    return {k: float(v) for k, v in fixed.items()}


def _check_lower(fixed, names, dim):
    for n in names:
        for k, low in FAMILIES[n].lower(dim).items():
            if k in fixed and not fixed[k] > low:
                raise ChooseError(f"fixed {k} = {fixed[k]:g} is too small for {n} in {dim}-D; "
                                  f"it needs {k} > {low:g} (point values must be finite)")


def _subset(X, y, max_points, seed):
    M = X.shape[0]
    if M <= max_points:
        return X, y, []
    keep = np.sort(np.random.default_rng(seed).choice(M, max_points, replace=False))
    return X[keep], y[keep], [f"fitted on a random subset of {max_points} of {M} points"]


def _ranked(fits, objective, points):
    """Families best first: lowest BIC ("ml") or lowest CV error ("cv")."""
    if objective == "ml":
        return sorted(fits.values(), key=lambda f: bic(f, points))
    return sorted(fits.values(), key=lambda f: f.value)


def _design_first(ranked, dim, shape, notes):
    """The best family whose activation can be designed (the design may refuse one, e.g.
    a penalty that grows slower than k^(D-1) over the frequencies the design probes)."""
    from ..activation._design import design
    from ..infra._errors import PenaltyError

    reasons = []
    for fit in ranked:
        penalty = FAMILIES[fit.family].penalty(fit.params)
        try:
            act = design(penalty, dim=dim, shape=shape)
        except PenaltyError as err:
            reasons.append(f"{fit.family} ({penalty}): {err}")
            continue
        notes += [f"ranked higher but not designable, so skipped: {r}" for r in reasons]
        return fit, act
    raise PenaltyError("no fitted penalty could be designed: " + "; ".join(reasons))
