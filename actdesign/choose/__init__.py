"""Data-driven penalty choice: fit a penalty family to data, design its activation.

The kernel regime of a shallow network with the uniform law is a Gaussian process
whose covariance kernel has Fourier transform ∝ 1/rho_total(|K|) (theory.md §3). A
family rho_theta is fitted to (X, y) by its marginal likelihood or CV error, and the
winner is handed to `actdesign.design`.

Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (see ``actdesign.CONVENTION``).
"""

from ._choose import AUTO as AUTO
from ._choose import ChooseError as ChooseError
from ._choose import PenaltyChoice as PenaltyChoice
from ._choose import choose_penalty as choose_penalty
from ._families import FAMILIES as FAMILIES
from ._families import Family as Family
from ._families import Param as Param
from ._kernels import gaussian as gaussian
from ._kernels import hankel_kernel as hankel_kernel
from ._kernels import matern as matern
from ._kernels import poisson as poisson
from ._objective import cv_error as cv_error
from ._objective import log_marginal as log_marginal
from ._optimise import FamilyFit as FamilyFit
