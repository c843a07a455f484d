"""Spectrum value objects: transform values, their axis and everything needed to read them.

Amplitude normalisation (documented once, here)
-----------------------------------------------
``values`` approximates the continuous transform of the windowed function,
F[w f](k) = ∫ w(x) f(x) e^{-ikx} dx, under `actdesign.CONVENTION` (angular k; the
phase refers to the true origin x = 0, not to the left end of the domain). It is the
midpoint-rule sum dx * sum_j w_j f_j e^{-ik x_j} over cell-centred samples, so for
smooth functions that vanish at the window's ends it converges spectrally fast.

``amplitude`` reads in the units of f: 2|F(k)| / ∫w for k != 0 and |F(0)| / ∫w at k = 0,
so a real sinusoid A sin(2 pi nu x + theta) whose frequency lies on a bin shows
amplitude A there (exactly, up to rounding, with the box window when nu is a multiple of
1/(b - a), i.e. "bin-centred"; with other windows A at the bin, with some leakage).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..infra._convention import CONVENTION
from ._units import unit_factor


def _amplitude(values, at_zero, window_integral):
    amp = 2.0 * np.abs(values) / window_integral
    return np.where(at_zero, amp / 2.0, amp)


def _check_fraction(energy):
    if not 0.0 < energy <= 1.0:
        from ..infra._errors import ActdesignError

        raise ActdesignError(f"energy fraction must be in (0, 1], got {energy!r}")


@dataclass(frozen=True, eq=False)
class Spectrum:
    """One-sided spectrum of a real function on an interval.

    Attributes
    ----------
    k : ndarray
        Frequencies (>= 0) in ``unit``.
    values : ndarray of complex
        F[w f] at those frequencies (see the module docstring for the normalisation).
    unit : {"cycles", "angular"}
        Unit of ``k``: cycles or radians per unit length of x (``values`` do not depend
        on it).
    window : str
        Name of the window applied (``"box"``, ``"tukey"``, ``"hann"``, or a callable's
        ``__name__``).
    domain : tuple of float
        The interval (a, b) the function was windowed to.
    window_integral : float
        ∫ w(x) dx over the domain (b - a for the box window).
    n, pad : int
        Samples taken and zero-padding factor (pad = 0 when frequencies were given).
    method : {"fft", "nufft"}
        How the values were computed: FFT of uniform samples, or non-uniform FFT
        (samples at arbitrary points, or frequencies ``k`` given).
    convention : str
        `actdesign.CONVENTION`.
    """

    k: np.ndarray
    values: np.ndarray
    unit: str
    window: str
    domain: tuple
    window_integral: float
    n: int
    pad: int
    method: str
    convention: str = field(default=CONVENTION)

    @property
    def angular_k(self) -> np.ndarray:
        """The frequencies in rad per unit length."""
        return self.k / unit_factor(self.unit)

    @property
    def amplitude(self) -> np.ndarray:
        """Sinusoid-amplitude normalisation 2|F|/∫w (|F|/∫w at k = 0)."""
        return _amplitude(self.values, self.k == 0, self.window_integral)

    @property
    def phase(self) -> np.ndarray:
        """arg F(k) in radians."""
        return np.angle(self.values)

    @property
    def power(self) -> np.ndarray:
        """|F(k)|^2."""
        return np.abs(self.values) ** 2

    def index(self, k) -> np.ndarray:
        """Index of the bin nearest to each frequency ``k`` (in ``unit``).

        Parameters
        ----------
        k : float or array
            Frequencies in ``unit``.
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        order = np.argsort(self.k)
        pos = np.clip(np.searchsorted(self.k[order], k), 1, len(order) - 1)
        left, right = order[pos - 1], order[pos]
        return np.where(np.abs(self.k[left] - k) <= np.abs(self.k[right] - k), left, right)

    def bandwidth(self, energy: float = 0.99) -> float:
        """Smallest k_b (in ``unit``) with ∫_{|k|<=k_b} |F|^2 dk >= ``energy`` × total.

        Bins are treated as cells [k_j - dk/2, k_j + dk/2] of a uniform grid; the cumulative
        energy is interpolated linearly inside the cell that crosses the fraction.

        Parameters
        ----------
        energy : float
            Fraction of the total energy, in (0, 1] (default 0.99).
        """
        _check_fraction(energy)
        k = self.k
        if k.size < 2 or not np.allclose(np.diff(k), k[1] - k[0], rtol=1e-9, atol=0):
            return _bandwidth_points(k, self.power, energy)
        dk = k[1] - k[0]
        # mirror the negative half: DC counts once (half a cell each side), others twice
        e = self.power * np.where(k == 0, 1.0, 2.0)
        total = e.sum()
        if total == 0:
            return 0.0
        cum = np.cumsum(e) / total
        j = int(np.searchsorted(cum, energy - 1e-15))
        lo = 0.0 if j == 0 else cum[j - 1]
        frac = (energy - lo) / (cum[j] - lo) if cum[j] > lo else 1.0
        left = 0.0 if k[j] == 0 else k[j] - dk / 2
        right = k[j] + dk / 2
        return float(left + frac * (right - left))

    def derivative_bound(self, order: int = 2) -> float:
        """Seed 002's bound on the windowed function's derivative: max|g^(n)| <= B_n.

        B_n = (1/2 pi) ∫ |k|^n |F(k)| dk (angular k) = (2 pi)^n ∫ |nu^n F| d nu (cycles),
        Eq. 2 for n = 2 and Eq. 9 for n = 1. The integral runs over both signs of k (the
        one-sided sum is doubled) and is truncated at the highest bin: with the box window a
        function that does not vanish at the domain ends has an infinite true bound.

        Parameters
        ----------
        order : int
            Derivative order n (default 2).
        """
        return derivative_bound(self, order)

    def to_dict(self, energy: float = 0.99) -> dict:
        """A JSON-ready record (what ``actdesign spectrum --json`` prints).

        Parameters
        ----------
        energy : float
            Energy fraction of the reported `bandwidth` (default 0.99).
        """
        return {
            "dim": 1,
            "k": self.k,
            "amplitude": self.amplitude,
            "unit": self.unit,
            "window": self.window,
            "domain": list(self.domain),
            "n": self.n,
            "pad": self.pad,
            "method": self.method,
            "bandwidth": self.bandwidth(energy),
            "bandwidth_energy": energy,
            "derivative_bounds": {"1": self.derivative_bound(1), "2": self.derivative_bound(2)},
            "amplitude_normalisation": "2|F(k)|/integral(w) for k != 0, |F(0)|/integral(w) at k=0",
            "convention": self.convention,
        }


def _bandwidth_points(k, power, energy):
    # non-uniform frequency list: cumulative energy by sorted frequency (no cell model)
    order = np.argsort(k)
    cum = np.cumsum(power[order])
    if cum[-1] == 0:
        return 0.0
    j = int(np.searchsorted(cum / cum[-1], energy - 1e-15))
    return float(k[order][min(j, len(k) - 1)])


def derivative_bound(spec, order: int = 2) -> float:
    """Seed 002's derivative bound B_n = (2 pi)^-D ∫ |K|^n |F(K)| dK (Eq. 2: n=2, Eq. 9: n=1).

    For a 1-D `Spectrum` the one-sided sum is doubled; for a `Spectrum2D` the
    whole plane is summed. The result bounds max |d^n g/dx^n| of the windowed function g
    (any directional derivative in 2-D) and does not depend on the unit.
    """
    if int(order) != order or order < 0:
        from ..infra._errors import ActdesignError

        raise ActdesignError(f"derivative order must be a non-negative integer, got {order!r}")
    if isinstance(spec, Spectrum2D):
        kx, ky = np.meshgrid(spec.angular_kx, spec.angular_ky, indexing="ij")
        cell = (spec.angular_kx[1] - spec.angular_kx[0]) * (spec.angular_ky[1] - spec.angular_ky[0])
        r = np.hypot(kx, ky)
        return float(np.sum(r**order * np.abs(spec.values)) * cell / (2 * np.pi) ** 2)
    k = spec.angular_k
    dk = k[1] - k[0] if k.size > 1 else 0.0
    mult = np.where(k == 0, 1.0, 2.0)
    return float(np.sum(mult * np.abs(k) ** order * np.abs(spec.values)) * dk / (2 * np.pi))


@dataclass(frozen=True, eq=False)
class RadialProfile:
    """Ring averages of a 2-D spectrum: ``amplitude[i]`` is the mean over |K| in ring i."""

    k: np.ndarray
    amplitude: np.ndarray
    power: np.ndarray
    counts: np.ndarray
    unit: str


@dataclass(frozen=True, eq=False)
class Spectrum2D:
    """Full-plane spectrum of a real function on a box [a, b] x [c, d].

    ``values[i, j]`` is F[w f](kx[i], ky[j]) with the normalisation of `Spectrum`;
    the window is the outer product w(u) w(v).
    """

    kx: np.ndarray
    ky: np.ndarray
    values: np.ndarray
    unit: str
    window: str
    domain: tuple
    window_integral: float
    n: tuple
    pad: int
    method: str
    convention: str = field(default=CONVENTION)

    @property
    def angular_kx(self):
        return self.kx / unit_factor(self.unit)

    @property
    def angular_ky(self):
        return self.ky / unit_factor(self.unit)

    @property
    def radius(self) -> np.ndarray:
        """|K| on the grid, in ``unit``."""
        return np.hypot(self.kx[:, None], self.ky[None, :])

    @property
    def amplitude(self) -> np.ndarray:
        """2|F|/∫∫w (|F|/∫∫w at K = 0): a real plane wave A cos(K.x) on a bin reads A at ±K."""
        return _amplitude(self.values, self.radius == 0, self.window_integral)

    @property
    def power(self) -> np.ndarray:
        return np.abs(self.values) ** 2

    def radial_profile(self, bins=None) -> RadialProfile:
        """Mean amplitude and power over rings of |K| (full rings only).

        Parameters
        ----------
        bins : int or array, optional
            Number of rings or their edges (in ``unit``); default: rings one grid step wide
            up to the largest radius that fits inside the frequency box.
        """
        r = self.radius.ravel()
        step = max(self.kx[1] - self.kx[0], self.ky[1] - self.ky[0])
        rmax = min(np.max(np.abs(self.kx)), np.max(np.abs(self.ky)))
        if bins is None:
            edges = np.arange(0.0, rmax + step / 2, step) - step / 2
            edges[0] = 0.0
        elif np.ndim(bins) == 0:
            edges = np.linspace(0.0, rmax, int(bins) + 1)
        else:
            edges = np.asarray(bins, dtype=float)
        which = np.digitize(r, edges) - 1
        ok = (which >= 0) & (which < len(edges) - 1)
        nb = len(edges) - 1
        counts = np.bincount(which[ok], minlength=nb)
        amp = np.bincount(which[ok], self.amplitude.ravel()[ok], minlength=nb)
        pw = np.bincount(which[ok], self.power.ravel()[ok], minlength=nb)
        kr = np.bincount(which[ok], r[ok], minlength=nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            return RadialProfile(kr / counts, amp / counts, pw / counts, counts, self.unit)

    def bandwidth(self, energy: float = 0.99) -> float:
        """Smallest radius r (in ``unit``) with ∫_{|K|<=r} |F|^2 >= ``energy`` × total."""
        _check_fraction(energy)
        r = self.radius.ravel()
        order = np.argsort(r, kind="stable")
        cum = np.cumsum(self.power.ravel()[order])
        if cum[-1] == 0:
            return 0.0
        j = int(np.searchsorted(cum / cum[-1], energy - 1e-15))
        return float(r[order][min(j, r.size - 1)])

    def derivative_bound(self, order: int = 2) -> float:
        """(2 pi)^-2 ∫ |K|^n |F(K)| dK: bounds every n-th directional derivative."""
        return derivative_bound(self, order)

    def to_dict(self, energy: float = 0.99) -> dict:
        """A JSON-ready record; ``k``/``amplitude`` are the radial profile."""
        prof = self.radial_profile()
        return {
            "dim": 2,
            "k": prof.k,
            "amplitude": prof.amplitude,
            "profile": "radial mean over rings of |K|",
            "unit": self.unit,
            "window": self.window,
            "domain": [list(d) for d in self.domain],
            "n": list(self.n),
            "pad": self.pad,
            "method": self.method,
            "bandwidth": self.bandwidth(energy),
            "bandwidth_energy": energy,
            "derivative_bounds": {"1": self.derivative_bound(1), "2": self.derivative_bound(2)},
            "amplitude_normalisation": "2|F(K)|/integral(w) for K != 0, |F(0)|/integral(w) at K=0",
            "convention": self.convention,
        }
