"""Gaussian-law kernels of the fit: closed forms, quadrature, Mehler series, tables."""
