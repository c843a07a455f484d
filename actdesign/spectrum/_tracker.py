"""Frequency-convergence tracking during training (seed 002, Fig. 2).

At each logged step t the tracker takes the spectrum of the model on a fixed grid and
records, at the tracked frequencies k_i, Delta(k_i, t) = |f_hat_t(k_i) - g_hat(k_i)|:
``abs`` in amplitude units (2|Delta F| / ∫w), ``rel`` divided by |g_hat(k_i)| (the
F-Principle's Delta_F), or ``ratio`` = |f_hat_t(k_i)| / |g_hat(k_i)| (Rahaman et al.).
It is a plain object with an ``update(step, model)`` method, so torch and JAX loops call it
the same way; it never imports either.
"""

from __future__ import annotations

import numpy as np

from ..infra._convention import CONVENTION
from ..infra._errors import ActdesignError
from ._callables import evaluate_callable
from ._transform import _sizes, cell_centres, parse_domain, sample_spectrum
from ._units import unit_factor
from ._windows import leakage_envelope

METRICS = ("abs", "rel", "ratio")
E_FOLD = float(np.exp(-1.0))  # default convergence level: residual down to 1/e


LEAK_MARGIN = 2.0  # a peak must stand this far above the worst-case leakage into its bin


def find_peaks(spec, *, rel_height=0.1, k_max=None):
    """Indices of local maxima of ``spec.amplitude`` above ``rel_height`` × its maximum that
    are not window sidelobes.

    Candidates are taken from the largest down; one is kept when its amplitude exceeds
    LEAK_MARGIN × the leakage the kept peaks (and their mirror images at -k) can put into
    its bin, summed in phase, by the window's sidelobe envelope
    (`leakage_envelope`). A box-window sidelobe (22 % of
    its peak, more where two peaks' sidelobes add) is therefore never reported as a peak.
    """
    amp = spec.amplitude
    ok = np.ones(amp.size, bool) if k_max is None else spec.k <= k_max
    a = np.where(ok, amp, 0.0)
    left = np.concatenate([[-np.inf], a[:-1]])
    right = np.concatenate([a[1:], [-np.inf]])
    cand = np.flatnonzero((a > left) & (a >= right) & (a >= rel_height * a.max()) & (a > 0))
    return _not_leakage(spec, cand, a)


def _not_leakage(spec, cand, a):
    if cand.size < 2:
        return cand
    d_env, env = leakage_envelope(spec.window)
    length = spec.domain[1] - spec.domain[0]
    nu = spec.k * unit_factor("cycles") / unit_factor(spec.unit) * length  # k in bins
    kept = []
    for i in cand[np.argsort(a[cand])[::-1]]:
        leak = sum(a[j] * (np.interp(abs(nu[i] - nu[j]), d_env, env, right=0.0)
                           + np.interp(nu[i] + nu[j], d_env, env, right=0.0)) for j in kept)
        if a[i] > LEAK_MARGIN * leak:
            kept.append(i)
    return np.sort(np.array(kept, dtype=int))


class FrequencyTracker:
    """Record how each frequency of a model converges to a target's during training.

    Parameters
    ----------
    target : callable or array
        The ground truth g: a callable (as for `spectrum`) or its samples on
        `x` (n cell-centred points of ``domain``).
    domain : (a, b)
        Interval on which spectra are taken (1-D).
    n : int
        Grid size (default 4096).
    peaks : "auto", "all" or list of float
        Tracked frequencies: the target's spectral peaks, every bin up to ``k_max``, or the
        bins nearest to the given frequencies (in ``unit``).
    k_max : float, optional
        Highest frequency for ``peaks="all"``/``"auto"`` (in ``unit``).
    metric : {"abs", "rel", "ratio"}
        What is recorded per tracked frequency (default ``"rel"``): ``"abs"``, the
        amplitude of the error ``2|f^ - g^| / ∫w`` in the units of f; ``"rel"``,
        ``|f^ - g^| / |g^|``; ``"ratio"``, ``|f^| / |g^|``.
    window, pad, unit
        As in `actdesign.spectrum.spectrum` (pad defaults to 1: one bin per
        1/(b - a) cycles, so bin-centred targets have isolated peaks).

    Examples
    --------
    >>> tr = FrequencyTracker(lambda x: np.sin(np.pi * x), (0, 10), peaks=[0.5, 5], unit="cycles")
    >>> for step in range(steps):                      # a torch loop
    ...     ...; tr.update(step, model)                 # model: torch.nn.Module (N,1) -> (N,1)
    >>> tr.update(step, lambda x: net.apply(params, x[:, None])[:, 0])   # a JAX loop
    """

    def __init__(
        self,
        target,
        domain,
        *,
        n=None,
        peaks="auto",
        k_max=None,
        metric="rel",
        window="box",
        pad=1,
        unit="angular",
    ):
        boxes = parse_domain(domain)
        if len(boxes) != 1:
            raise ActdesignError("the frequency tracker works on 1-D intervals; pass domain=(a, b)")
        if metric not in METRICS:
            raise ActdesignError(f"metric must be one of {METRICS}, got {metric!r}")
        (self.n,) = _sizes(n, 1)
        self.domain = boxes[0]
        self.metric = metric
        self._opts = {"domain": self.domain, "window": window, "pad": pad, "unit": unit}
        self.x = cell_centres(*self.domain, self.n)
        self.reference = sample_spectrum(self._values(target), **self._opts)
        self.index = self._pick(peaks, k_max)
        if self.index.size == 0:
            raise ActdesignError(
                "no frequencies to track; give peaks as a list or lower rel_height"
            )
        self.k = self.reference.k[self.index]
        self.unit = unit
        self.steps: list = []
        self._rows: list = []
        self._values_at: list = []

    def _values(self, f):
        if callable(f):
            return evaluate_callable(f, (self.x,))
        v = np.asarray(f, dtype=float).reshape(-1)
        if v.size != self.n:
            raise ActdesignError(
                f"samples must be given on tracker.x ({self.n} points), got {v.size}"
            )
        return v

    def _pick(self, peaks, k_max):
        ref = self.reference
        if isinstance(peaks, str) and peaks == "auto":
            return find_peaks(ref, k_max=k_max)
        if isinstance(peaks, str) and peaks == "all":
            top = ref.k.max() if k_max is None else k_max
            return np.flatnonzero((ref.k > 0) & (ref.k <= top))
        if isinstance(peaks, str):
            raise ActdesignError(
                f"peaks must be 'auto', 'all' or a list of frequencies, got {peaks!r}"
            )
        return np.unique(ref.index(peaks))

    def update(self, step, model=None, *, values=None):
        """Record the model's spectrum at ``step``: pass the model or its values on `x`.

        Parameters
        ----------
        step : int
            Training step (the y axis of `matrix` and `plot`).
        model : callable, optional
            The model: a numpy, JAX or torch callable, evaluated on `x`.
        values : array (n,), optional
            The model's values on `x` instead (exactly one of ``model`` and ``values``).

        Returns
        -------
        ndarray
            The metric at the tracked frequencies (the new row of `matrix`).
        """
        if (model is None) == (values is None):
            raise ActdesignError("pass exactly one of model or values to update()")
        spec = sample_spectrum(self._values(model if values is None else values), **self._opts)
        f_hat = spec.values[self.index]
        g_hat = self.reference.values[self.index]
        if self.metric == "abs":
            row = 2.0 * np.abs(f_hat - g_hat) / spec.window_integral
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                num = np.abs(f_hat - g_hat) if self.metric == "rel" else np.abs(f_hat)
                row = num / np.abs(g_hat)
        self.steps.append(step)
        self._rows.append(row)
        self._values_at.append(f_hat)
        return row

    __call__ = update

    def every(self, period: int):
        """A callback ``cb(step, model)`` that records only when ``step % period == 0``.

        Parameters
        ----------
        period : int
            Record every ``period``-th step.
        """

        def callback(step, model=None, *, values=None):
            if step % period == 0:
                self.update(step, model, values=values)

        return callback

    @property
    def matrix(self) -> np.ndarray:
        """The (steps x frequencies) matrix of the chosen metric."""
        return np.array(self._rows).reshape(len(self._rows), self.k.size)

    @property
    def transforms(self) -> np.ndarray:
        """Complex F[w f_t](k_i) at the tracked frequencies, one row per logged step."""
        return np.array(self._values_at).reshape(len(self._values_at), self.k.size)

    def convergence_steps(self, level=E_FOLD):
        """Per frequency, the first step (log-interpolated) where the metric falls to ``level``.

        Parameters
        ----------
        level : float
            Threshold of the metric (default 1/e); frequencies that never reach it get inf.
        """
        return convergence_steps(self.matrix, self.steps, level)

    def plot(self, ax=None, *, path=None, predicted=None, clip=(0.0, 1.0), title=None):
        """Heatmap of `matrix` (x: frequency, y: step), with ``predicted`` as contours.

        Needs matplotlib (``pip install 'actdesign[plot]'``).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into these axes (default: a new figure).
        path : str or Path, optional
            With no ``ax``: also write the figure there (atomically; format from the
            suffix).
        predicted : array, optional
            A prediction of `matrix` (same shape), drawn as contours at 0.1, 0.5, 0.9.
        clip : (float, float)
            Colour range; the metric is clipped to it (default (0, 1)).
        title : str, optional
            Axes title.

        Returns
        -------
        Figure or Axes
            The new figure, or ``ax`` when given.
        """
        from ._plot import heatmap

        return heatmap(self, ax=ax, path=path, predicted=predicted, clip=clip, title=title)

    def to_dict(self) -> dict:
        return {
            "k": self.k,
            "unit": self.unit,
            "steps": list(self.steps),
            "metric": self.metric,
            "matrix": self.matrix,
            "domain": list(self.domain),
            "convention": CONVENTION,
        }


def convergence_steps(matrix, steps, level=E_FOLD):
    """For each column, the step where the metric first reaches ``level`` (interpolated in log).

    Columns that never reach it get ``inf``; columns already below it at the first step get
    that step.
    """
    m = np.asarray(matrix, dtype=float)
    t = np.asarray(steps, dtype=float)
    out = np.full(m.shape[1], np.inf)
    for j in range(m.shape[1]):
        below = np.flatnonzero(m[:, j] <= level)
        if below.size == 0:
            continue
        i = below[0]
        if i == 0:
            out[j] = t[0]
            continue
        lo, hi = np.log(m[i - 1, j]), np.log(max(m[i, j], 1e-300))
        frac = (lo - np.log(level)) / (lo - hi) if lo > hi else 1.0
        out[j] = t[i - 1] + frac * (t[i] - t[i - 1])
    return out
