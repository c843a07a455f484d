"""Activation stage: design (penalty -> activation), analysis (activation -> penalty).


Owns the amplitude |F[phi]| of a penalty (`_amplitude`), the table of transform pairs
(`_table`), the numeric inverse route (`_numeric`), `design`, `analyze` and the
`Activation` value object every later stage consumes. Imports formula, Fourier,
tabulation, infrastructure and the code printers of `actdesign._export`.
"""
