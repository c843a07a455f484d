"""Tabulation stage: numeric functions as piecewise Hermite tables plus tail laws.

Owns the knot layouts and accuracy control (`_hermite`), the `Tabulation` value
object, tail laws and their fits. Imports formula and infrastructure.
"""
