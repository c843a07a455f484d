"""Spectra of functions, samples and networks; frequency tracking; kernel-regime predictions.

Everything follows `actdesign.CONVENTION`: F[f](k) = ∫ f(x) e^{-ikx} dx with angular
k. ``unit="cycles"`` only relabels the frequency axis (k / 2 pi), as in seed 002's plots.
Amplitude normalisation: see `Spectrum`. Importing this package loads numpy only;
finufft, scipy, matplotlib, torch and jax load inside the functions that need them.
"""

from ._expression import expression_function as expression_function
from ._io import data_spectrum as data_spectrum
from ._io import read_csv as read_csv
from ._kernel import RandomFeatureModel as RandomFeatureModel
from ._kernel import predicted_convergence as predicted_convergence
from ._kernel import ridge_shrinkage as ridge_shrinkage
from ._penalty import activation_transform as activation_transform
from ._penalty import penalty_function as penalty_function
from ._plot import new_figure as new_figure
from ._plot import plot_spectrum as plot_spectrum
from ._plot import save_figure as save_figure
from ._result import RadialProfile as RadialProfile
from ._result import Spectrum as Spectrum
from ._result import Spectrum2D as Spectrum2D
from ._result import derivative_bound as derivative_bound
from ._tracker import FrequencyTracker as FrequencyTracker
from ._tracker import convergence_steps as convergence_steps
from ._tracker import find_peaks as find_peaks
from ._transform import cell_centres as cell_centres
from ._transform import sample_spectrum as sample_spectrum
from ._transform import spectrum as spectrum
from ._transform import voronoi_weights as voronoi_weights
from ._units import UNITS as UNITS
from ._windows import WINDOWS as WINDOWS
