"""Optional dependencies: import one where it is used, or say which extra installs it.

A bare ``pip install actdesign`` designs, analyses and exports activations with numpy,
scipy and sympy. The rest are extras (pyproject.toml): ``fit`` (numba: compiled
kernels; most fits fall back to numpy without it), ``spectrum`` (finufft: non-uniform
transforms), ``plot`` (matplotlib), ``torch``, ``jax``, ``gpu`` (cupy), ``dask``, and
``all`` for every CPU extra.
"""

from __future__ import annotations

import importlib

from ._errors import ActdesignError


class MissingDependencyError(ActdesignError, ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra that installs it.

    Also a ModuleNotFoundError, so code that probes for a package with
    ``except ImportError`` keeps working; the CLI reports it as one line with exit status 2.
    """


def require(module: str, extra: str, what: str | None = None):
    """Import ``module`` (e.g. ``"torch"``, ``"matplotlib.figure"``), or raise a one-line error.

    Parameters
    ----------
    module : str
        The module to import; its top-level package is the one named in the message.
    extra : str
        The actdesign extra that installs it (``pip install 'actdesign[EXTRA]'``).
    what : str, optional
        What needs it, for the message (e.g. ``"Activation.to_torch()"``).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the package (or one of its own dependencies) cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        package = module.split(".")[0]
        missing = getattr(err, "name", None) or package
        # a broken install (the package is there, one of its own imports is not) says so
        state = ("is not installed" if missing.split(".")[0] == package
                 else f"cannot be imported (no module {missing!r})")
        needs = f"{what} needs" if what else "this needs"
        exc = MissingDependencyError(
            f"{needs} {package}, which {state}: pip install 'actdesign[{extra}]'"
        )
        exc.name = package
        raise exc from None
