"""Where the fit's numbers are computed: array backends, fused numba/cupy kernels,
feature tiles, Dask passes, factorisations and memory estimates."""
