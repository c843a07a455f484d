"""The one Fourier convention used everywhere in actdesign.

Every number that depends on a convention is computed under this one, and every
output (CLI text, JSON, spec files, exported source) states it.
"""

CONVENTION = (
    "F[phi](k) = integral phi(z) exp(-i k z) dz (angular frequency, non-unitary); "
    "phi(z) = (1/2pi) integral F[phi](k) exp(i k z) dk; "
    "penalties rho(k) are read as even in k; rho_total(k) = |k|^(D-1) / |F[phi](k)|^2"
)

SHORT = "F[phi](k)=∫phi(z)e^{-ikz}dz, angular k; rho even in k"
