"""Fourier stage: transforms of activations and their inverses, in the one convention.

F[phi](k) = ∫ phi(z) e^{-ikz} dz. Owns the table-driven closed forms (`_rules`), the
quadrature of oscillatory integrals (`_quad`) and the front that picks between them
(`_transform`). Imports the formula and infrastructure stages.
"""
