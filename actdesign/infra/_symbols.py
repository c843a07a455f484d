"""The SymPy symbols actdesign uses: k (frequency), z (pre-activation), x, y (inputs)."""

import sympy as sp

k = sp.Symbol("k", real=True)
z = sp.Symbol("z", real=True)
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)

BY_NAME = {"k": k, "z": z, "x": x, "y": y}
