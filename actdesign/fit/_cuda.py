"""CUDA kernels of the GPU paths: each source compiled once, on first use.

Imported only with ``device="gpu"`` (it imports cupy).
"""

from __future__ import annotations

import functools

import cupy as cp


def cuda_function(source: str, name: str):
    """A getter of the kernel ``name`` in ``source``: NVRTC compiles the module on the
    first call (seconds), later calls reuse it."""

    @functools.cache
    def get():
        return cp.RawModule(code=source, options=("--std=c++11",)).get_function(name)

    return get
