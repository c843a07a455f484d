"""The browsable gallery of activation–penalty pairs: a static, offline HTML site.

>>> import actdesign.gallery
>>> result = actdesign.gallery.build("site", names=["relu", "gaussian"])  # doctest: +SKIP

One page per entry of `actdesign.catalog` (penalty, spectrum and activation as
formulas; plots of phi, phi', rho; a kernel-regime fit; the gain; torch and JAX snippets;
the ``actdesign make`` command), an index with filters and search, and a compare page.
Importing this package is light; matplotlib and the fitting code load in the workers.

Convention: F[phi](k) = ∫ phi(z) e^{-ikz} dz (angular frequency).
"""

from ._build import BuildResult as BuildResult
from ._build import build as build
from ._build import entry_key as entry_key
from ._build import source_digest as source_digest
