"""Export activations as PyTorch modules, JAX functions and numpy functions.

One code path: `export_source` prints a module's text, `write_exports`
writes that text to files, and `to_torch` / `to_jax` / `to_numpy`
execute the same text in-process. A closed form is printed through per-backend function
tables; a function the backend lacks (Bessel K, 1F1, ...) and numeric designs use the
numeric representation: packed piecewise polynomials found by the bits of the float,
with tail laws outside the table and a custom gradient of the same representation.
Torch and JAX are imported only by the generated code.
"""

from __future__ import annotations

from pathlib import Path

from ..infra._names import camel, snake
from ..infra._optional import require
from ._build import load_source
from ._files import write_all
from ._source import export_source as _export_source

BACKENDS = ("torch", "jax", "numpy")


def export_source(act, backend: str, *, gain=None, gain_note=None) -> str:
    """The module text for ``act`` and ``backend`` (see `actdesign.export.export_source`).

    ``gain`` is a number (adds ``GAIN`` and an initialiser) or None/False (left out):
    this layer never computes a gain, `actdesign.export` does, with actdesign.init.
    ``gain_note`` says where the number came from, for the docstring.
    """
    return _export_source(act, backend, gain, gain_note)


def to_torch(act, *, gain=None, gain_note=None):
    """A ``torch.nn.Module`` instance computing ``act`` (built from `export_source`)."""
    require("torch", "torch", "to_torch()")  # named error before the generated code runs
    text = export_source(act, "torch", gain=gain, gain_note=gain_note)
    module = load_source(text, "torch", snake(act.name))
    return getattr(module, camel(act.name))()


def to_jax(act, *, gain=None, gain_note=None):
    """A pure JAX function computing ``act`` (jit, grad and vmap work)."""
    require("jax", "jax", "to_jax()")
    module = load_source(export_source(act, "jax", gain=gain, gain_note=gain_note), "jax",
                         snake(act.name))
    return getattr(module, snake(act.name))


def to_numpy(act):
    """A vectorised numpy function computing ``act`` in float64."""
    module = load_source(export_source(act, "numpy"), "numpy", snake(act.name))
    return getattr(module, snake(act.name))


def export_path(act, out_dir, backend: str) -> Path:
    """Where `write_exports` puts the ``backend`` file: ``OUT_DIR/NAME_BACKEND.py``."""
    return Path(out_dir) / f"{snake(act.name)}_{backend}.py"


def write_exports(act, out_dir, backends=("torch", "jax"), force: bool = False, *,
                  gain=None, gain_note=None) -> list[Path]:
    """Write ``OUT_DIR/NAME_torch.py`` and ``OUT_DIR/NAME_jax.py`` (or the chosen backends).

    All texts are generated before anything is written, and the files are written
    atomically (temporary files, then renames).

    Raises
    ------
    ValueError
        For an unknown backend.
    actdesign.SpecError
        If a target exists and ``force`` is false (the message names ``--force``).
    """
    backends = tuple(backends)
    bad = [b for b in backends if b not in BACKENDS]
    if bad or not backends:
        raise ValueError(f"unknown backend(s) {bad}; choose from {', '.join(BACKENDS)}")
    texts = {export_path(act, out_dir, b): export_source(act, b, gain=gain, gain_note=gain_note)
             for b in backends}
    return write_all(texts, force)
