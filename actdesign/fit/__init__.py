"""Kernel-regime fits of shallow networks in Radon-spline coordinates, at scale.

A shallow network ``f(x) = sum_i mu_i phi(xi_i . x - gamma_i)`` with its hidden layer
frozen at initialisation and its output coordinate trained on squared loss converges
to a minimum-norm (or ridge) kernel fit; at infinite width the kernel's Fourier
transform is ∝ 1/rho for the uniform law (theory.md §1-§3). This subpackage fits
that limit at any width without forming the M x N feature matrix: fused numba/cupy
feature kernels, tiled Gram accumulation or randomized low-rank range finding, and one
spectral factorisation for a whole ridge/rcond path.

``import actdesign.fit`` loads numpy, sympy and small parts of scipy; numba loads on
the first fit, cupy only with ``device="gpu"``.

Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (see ``actdesign.CONVENTION``).
"""

# the estimator
# coordinates and laws
from ._coords import from_radon as from_radon
from ._coords import homogeneity_degree as homogeneity_degree
from ._coords import to_radon as to_radon

# data and resources
from ._data import read_inputs_csv as read_inputs_csv
from ._data import read_training_csv as read_training_csv
from ._data import write_predictions as write_predictions

# errors
from ._errors import DataError as DataError
from ._errors import DeviceError as DeviceError
from ._errors import FitError as FitError
from ._errors import LowRankWarning as LowRankWarning
from ._errors import MemoryEstimateError as MemoryEstimateError
from ._kernel import feature_matrix as feature_matrix
from ._kernel import infinite_width_kernel as infinite_width_kernel
from ._laws import GaussianLaw as GaussianLaw
from ._laws import Neurons as Neurons
from ._laws import SwimLaw as SwimLaw
from ._laws import UniformLaw as UniformLaw
from ._laws import sphere_rule as sphere_rule
from ._regressor import RadonSplineRegressor as RadonSplineRegressor

# features and kernels
from .compute._features import FeatureMap as FeatureMap
from .compute._features import compile_activation as compile_activation
from .compute._memory import parse_size as parse_size
from .gaussian._kernel import gaussian_kernel as gaussian_kernel
