"""The Activation value object: a designed or given activation and its provenance."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sympy as sp

from ..formula._evaluate import evaluate, evaluate_continuous
from ..infra import _symbols as S
from ..infra._convention import CONVENTION
from ..infra._errors import SpecError
from ..infra._timeout import capped
from ..infra.files._atomic import recover, write_atomic
from ..tabulate._tabulation import Tabulation

SHAPES = ("bump", "sigmoid", "relu")
METHODS = ("table", "symbolic", "numeric", "expression")
SPEC_FORMAT = 1
# format 2: a spec with an ``explicit`` part (phi = explicit + tabulation). A reader that
# knows only format 1 would load the remainder table alone and be silently wrong, so
# such specs carry the number that reader refuses; all other specs stay format 1
SPEC_FORMAT_EXPLICIT = 2
SPEC_FORMATS = (SPEC_FORMAT, SPEC_FORMAT_EXPLICIT)


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation phi(z) with the penalty it imposes.

    Attributes
    ----------
    name : str
        Identifier used for files and exported objects.
    penalty_text : str or None
        The penalty as the user wrote it (None for activations given as formulas).
    rho : sympy.Expr or None
        Total penalty rho(k), even in k (for ``dim=D`` it includes ``|k|^(D-1)``).
    dim : int
        Input dimension D.
    shape : {"bump", "sigmoid", "relu"}
        Zero-phase solution, or its once / twice integrated representative.
    method : {"table", "symbolic", "numeric", "expression"}
        Route that produced phi.
    phi : sympy.Expr or None
        Closed form in ``z``; None for numeric designs.
    tabulation : Tabulation or None
        Numeric representation (always present for numeric designs).
    max_abs_error : float
        Estimated max |phi - exact| on the verification grid.
    null_space : int
        phi is determined up to polynomials of degree < null_space (0: unique).
    notes : tuple of str
        Warnings and remarks made during design.
    explicit : sympy.Expr or None
        For numeric designs whose phi is infinite at z = 0 or grows like log|z|: the
        closed-form part that ``tabulation`` leaves out (phi = explicit + tabulation);
        it reads |z| as max(|z|, 1e-12), so phi is finite at z = 0.
    """

    name: str
    penalty_text: str | None
    rho: sp.Expr | None
    dim: int = 1
    shape: str = "bump"
    method: str = "expression"
    phi: sp.Expr | None = None
    tabulation: Tabulation | None = None
    max_abs_error: float = 0.0
    null_space: int = 0
    notes: tuple = field(default_factory=tuple)
    explicit: sp.Expr | None = None

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, got {self.shape!r}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.phi is None and self.tabulation is None:
            raise ValueError("an Activation needs a closed form phi or a tabulation")

    @property
    def table_only(self) -> bool:
        """True where phi is its tabulation alone (a numeric design with no explicit
        closed-form part): routes that read the table directly may take it."""
        return self.phi is None and self.tabulation is not None and self.explicit is None

    # --- evaluation -----------------------------------------------------------------
    def __call__(self, z):
        """phi(z) on a numpy array (float64).

        Parameters
        ----------
        z : float or array
            Points at which phi is evaluated.
        """
        return self.derivative(z, 0)

    def derivative(self, z, nu: int = 1):
        """The nu-th pointwise derivative of phi at ``z`` (nu = 0 gives phi).

        Delta terms at kinks and jumps are dropped (this is the classical derivative
        away from them); 0*inf at isolated points such as z/sinh(z) at 0 is resolved
        by the two one-sided limits.

        Parameters
        ----------
        z : float or array
            Points at which the derivative is evaluated.
        nu : int
            Order of the derivative (default 1; 0 gives phi).
        """
        if self.phi is None:
            if self.explicit is None:
                return self.tabulation(z, nu)
            part = evaluate_continuous(_diff(self.explicit, nu), S.z, z)
            return self.tabulation(z, nu) + part
        return evaluate_continuous(_diff(self.phi, nu), S.z, z)

    def penalty(self, k):
        """rho(k) on a numpy array; +inf where F[phi] vanishes.

        Parameters
        ----------
        k : float or array
            Angular frequencies (rho is even: the sign of k does not matter).

        Raises
        ------
        NotImplementedError
            For an activation built from a formula, which has no penalty expression.
        """
        if self.rho is None:
            raise NotImplementedError(f"{self.name}: no penalty expression; use actdesign.analyze")
        return evaluate(self.rho, S.k, np.abs(np.asarray(k, dtype=float)))

    def spectrum(self, k):
        """|F[phi](k)| = |k|^((D-1)/2) rho(k)^(-1/2), under `CONVENTION`.

        Parameters
        ----------
        k : float or array
            Angular frequencies.
        """
        k = np.abs(np.asarray(k, dtype=float))
        with np.errstate(divide="ignore", invalid="ignore"):
            return k ** ((self.dim - 1) / 2) / np.sqrt(self.penalty(k))

    # --- conversion -----------------------------------------------------------------
    def to_numpy(self):
        """A vectorised numpy function z -> phi(z)."""
        return lambda z: self(z)

    def to_torch(self, gain=None):
        """A ``torch.nn.Module`` computing phi (needs torch).

        ``gain`` (a number) adds ``GAIN`` and an initialiser to the generated module;
        `actdesign.export.to_torch` computes it with actdesign.init.

        Parameters
        ----------
        gain : float, optional
            Gain written into the generated module (default None: no gain).
        """
        from .._export import to_torch

        return to_torch(self, gain=gain)

    def to_jax(self, gain=None):
        """A pure JAX function computing phi (works under jit, grad and vmap).

        Parameters
        ----------
        gain : float, optional
            As in `to_torch`.
        """
        from .._export import to_jax

        return to_jax(self, gain=gain)

    def with_name(self, name: str) -> Activation:
        """A copy with another name.

        Parameters
        ----------
        name : str
            The new name (it names exported files and classes).
        """
        return replace(self, name=name)

    @property
    def phi_text(self) -> str | None:
        """The closed form as a string in the parser's grammar, or None."""
        return None if self.phi is None else str(self.phi)

    # --- spec files -----------------------------------------------------------------
    def to_dict(self) -> dict:
        """The JSON spec record."""
        from .. import __version__

        record = {
            "format": SPEC_FORMAT if self.explicit is None else SPEC_FORMAT_EXPLICIT,
            "actdesign_version": __version__,
            "convention": CONVENTION,
            "name": self.name,
            "penalty": self.penalty_text,
            "rho": None if self.rho is None else str(self.rho),
            "dim": self.dim,
            "shape": self.shape,
            "method": self.method,
            "phi": self.phi_text,
            "tabulation": None if self.tabulation is None else self.tabulation.to_dict(),
            "max_abs_error": float(self.max_abs_error),
            "null_space": self.null_space,
            "notes": list(self.notes),
        }
        if self.explicit is not None:  # only then: other specs stay byte-identical
            record["explicit"] = str(self.explicit)
        return record

    def save(self, path, *, force: bool = False) -> Path:
        """Write the JSON spec atomically; refuses to overwrite unless ``force``.

        Parameters
        ----------
        path : str or Path
            The spec file to write.
        force : bool
            Overwrite an existing file (default False: SpecError).

        Returns
        -------
        Path
            ``path``.
        """
        path = Path(path)
        if path.exists() and not force:
            raise SpecError(f"{path} exists; pass force=True (CLI: --force) to overwrite it")
        write_atomic(path, json.dumps(self.to_dict(), indent=1) + "\n")
        return path


@functools.lru_cache(maxsize=256)
def _diff(expr, nu):
    if nu == 0:
        return expr
    return classical(sp.diff(expr, S.z, nu))


def classical(derivative: sp.Expr) -> sp.Expr:
    """A derivative with its DiracDelta terms (from jumps and kinks) dropped: the
    pointwise derivative away from those points, which is what numpy can evaluate."""
    return derivative.replace(sp.DiracDelta, lambda *_: sp.Integer(0))


@capped("loading spec")
def load(path) -> Activation:
    """Load an Activation from a JSON spec; formulas go through the allow-list parser.

    Parameters
    ----------
    path : str or Path
        A spec file written by `Activation.save` or ``actdesign make``.

    Raises
    ------
    SpecError
        If the file is missing, is not JSON, or its fields are invalid or inconsistent.
    """
    from ..formula._parse import parse_activation, parse_penalty
    from ..infra.files._filelimits import load_json

    path = Path(path)
    recover(path.parent)  # a set whose `make` was killed after its commit: finish it first
    if not path.is_file():
        raise SpecError(f"spec file {path} not found; create one with `actdesign make`")
    d = load_json(path, "spec", SpecError, "re-create it with `actdesign make`")
    if not isinstance(d, dict):
        raise SpecError(f"{path}: a spec is a JSON object")
    try:
        check_spec(d)
        return _from_dict(d, parse_activation, parse_penalty)
    except SpecError as err:
        raise SpecError(f"{path}: {err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as err:
        raise SpecError(f"{path}: invalid spec ({err}); re-create it with `actdesign make`") from None


def _is(*types):
    return lambda v: isinstance(v, types) and not isinstance(v, bool)


def _numbers(v):
    return isinstance(v, list) and all(_is(int, float)(x) for x in v)


def _tail(v):
    return isinstance(v, dict) and all(
        _numbers(x) if k == "poly" else _is(int, float)(x) for k, x in v.items())


def _tabulation(v):
    return v is None or (isinstance(v, dict) and _numbers(v.get("knots"))
                         and isinstance(v.get("coeffs"), list)
                         and all(_numbers(r) for r in v["coeffs"])
                         and _tail(v.get("left")) and _tail(v.get("right")))


def _text(v):
    return v is None or _is(str)(v)


# the spec schema, as data: field -> (check, what it must be, required)
SPEC_SCHEMA = {
    "format": (lambda v: v in SPEC_FORMATS, f"one of the numbers {SPEC_FORMATS}", True),
    "name": (_is(str), "a string", True),
    "penalty": (_text, "a formula string or null", True),
    "rho": (_text, "a formula string or null", True),
    "dim": (lambda v: _is(int)(v) and 1 <= v <= 64, "an integer from 1 to 64", True),
    "shape": (lambda v: v in SHAPES, f"one of {', '.join(SHAPES)}", True),
    "method": (lambda v: v in METHODS, f"one of {', '.join(METHODS)}", True),
    "phi": (_text, "a formula string or null", True),
    "tabulation": (_tabulation, "null or an object with number lists knots and coeffs and "
                   "tail-law objects left and right", True),
    "max_abs_error": (lambda v: _is(int, float)(v) and bool(np.isfinite(v)) and v >= 0,
                      "a finite number >= 0", False),
    "null_space": (lambda v: _is(int)(v) and 0 <= v <= 64, "an integer from 0 to 64", False),
    "notes": (lambda v: isinstance(v, list) and all(_is(str)(n) for n in v),
              "a list of strings", False),
    "explicit": (_text, "a formula string or null", False),
}


def _check_format(d: dict) -> None:
    fmt = d.get("format")
    if fmt not in SPEC_FORMATS or isinstance(fmt, bool):
        raise SpecError(f"unsupported spec format {_short(fmt)} (expected one of "
                        f"{SPEC_FORMATS}); re-create it with `actdesign make`")
    if (d.get("explicit") is not None) != (fmt == SPEC_FORMAT_EXPLICIT):
        raise SpecError(f"spec format {fmt} does not match its explicit field (format "
                        f"{SPEC_FORMAT_EXPLICIT} exactly when explicit is set); re-create "
                        "it with `actdesign make`")


def check_spec(d: dict) -> None:
    """Check a spec record against `SPEC_SCHEMA` (SpecError naming the field)."""
    _check_format(d)
    missing = sorted(f for f, (_, _, req) in SPEC_SCHEMA.items() if req and f not in d)
    if missing:
        raise SpecError(f"spec lacks fields {missing}")
    for f, (ok, what, _) in SPEC_SCHEMA.items():
        if f in d and not ok(d[f]):
            raise SpecError(f"invalid spec: field {f} must be {what}, got {_short(d[f])}; "
                            "re-create it with `actdesign make`")


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _from_dict(d, parse_activation, parse_penalty) -> Activation:
    _check_format(d)
    required = {"name", "penalty", "rho", "dim", "shape", "method", "phi", "tabulation"}
    missing = required - set(d)
    if missing:
        raise SpecError(f"spec lacks fields {sorted(missing)}")
    dim = d["dim"]
    if not isinstance(dim, int) or isinstance(dim, bool) or dim < 1:
        raise SpecError(f"spec field dim must be a positive integer, got {dim!r}")
    phi = None if d["phi"] is None else parse_activation(d["phi"])
    rho = None if d["rho"] is None else parse_penalty(d["rho"])
    tab = None if d["tabulation"] is None else Tabulation.from_dict(d["tabulation"])
    err = float(d.get("max_abs_error", 0.0))
    if not np.isfinite(err) or err < 0:
        raise SpecError(f"spec field max_abs_error must be a finite number >= 0, got {err!r}")
    return Activation(
        name=str(d["name"]),
        penalty_text=d["penalty"],
        rho=rho,
        dim=dim,
        shape=d["shape"],
        method=d["method"],
        phi=phi,
        tabulation=tab,
        max_abs_error=err,
        null_space=int(d.get("null_space", 0)),
        notes=tuple(str(n) for n in d.get("notes", ())),
        explicit=None if d.get("explicit") is None else parse_activation(d["explicit"]),
    )


def from_expression(text: str, name: str | None = None) -> Activation:
    """An Activation from a formula in ``z`` (its penalty is found by `analyze`).

    Parameters
    ----------
    text : str
        The formula in z (``x`` is accepted as an alias), e.g. ``"tanh(z)"``, read by
        the allow-list parser (never evaluated as Python).
    name : str, optional
        Name of the activation (default ``"activation"``).

    Raises
    ------
    ParseError
        For a formula outside the grammar or with a variable other than z or x.
    """
    from ..formula._parse import parse_activation

    phi = parse_activation(text)
    return Activation(name=name or "activation", penalty_text=None, rho=None, phi=phi)
