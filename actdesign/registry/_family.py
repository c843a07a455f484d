"""The record type of the activation registry: everything actdesign knows about a family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..infra._symbols import k as K
from ..infra._symbols import z as Z


@dataclass(frozen=True)
class Family:
    """One activation family, read by design, analyze, export, fit, init and the gallery.

    Attributes
    ----------
    name : str
        Identifier (also the fit route name ``closed:<name>``).
    phi : sympy.Expr
        Closed form in ``z``; its parameters are the symbols named in ``params``.
    rho : sympy.Expr or None
        The 1-D penalty ``1/|F[phi](k)|^2`` in ``k`` (even; F[phi](k) = ∫ phi e^{-ikz} dz),
        for growing phi the distributional one (``k^(2m) / |F[phi^(m)]|^2``); None when
        phi has a line spectrum (sin, cos) and no tempered penalty.
    numpy : callable (u, extra) -> array
        The base b(u) = phi at the default parameters, except those listed in ``extra``,
        which it reads from ``extra`` in that order (fit's kernels do the same).
    params : tuple of (name, default)
        The parameters of ``phi`` (and of ``extra``) with their default values.
    extra : tuple of str
        The parameters the fused kernels and ``numpy`` read (``extra[0]`` is kernel e0).
    valid : callable (dict name -> sympy number) -> bool
        The parameter range in which ``rho`` holds.
    scalable : bool
        analyze matches ``A*phi(s*z)`` (s > 0) when true, ``A*phi(z)`` when the family's
        own parameters already carry the scale.
    kinks : tuple of float
        Points u where phi is not smooth (for growing phi: where phi^(m) has deltas).
    degree : float, callable (extra) -> float, or None
        Positive homogeneity degree (None: not homogeneous).
    order : int, callable (extra) -> int, or None
        Null-space order m: phi is fixed by rho up to polynomials of degree < m (None:
        no tempered penalty).
    G : callable (t, extra) -> array, or None
        Uniform-law generalised autocorrelation of b (transform |F[b]|^2 off k = 0);
        None: computed numerically.
    code : int or None
        Selector of the fused numba/cupy kernels (None: another route, see ``fused_as``).
    fused_as : str or None
        For ``code`` None: the family whose fused kernel evaluates this one exactly
        (leaky ReLU = relu + linear), or None (tabulated route).
    native : dict
        Framework function names: ``{"numpy": .., "torch": .., "jax": ..}``, where
        ``numpy.<n>``, ``torch.<n>`` and ``jax.numpy.<n>`` (``jax.<n>`` for ``nn.*``)
        compute phi at the default parameters exactly.
    gaussian_kernel : str or None
        Key of the Gaussian-law closed-form NNGP kernel (actdesign.fit.gaussian._closed).
    shape : {"bump", "sigmoid", "relu"} or None
        The design shape whose zero-phase solution is phi up to sign and the null space
        (None: phi is not zero-phase, e.g. odd or one-sided bumps).
    """

    name: str
    phi: sp.Expr
    rho: sp.Expr | None
    numpy: Callable
    params: tuple = ()
    extra: tuple = ()
    valid: Callable = field(default=lambda p: True, repr=False)
    scalable: bool = True
    kinks: tuple = ()
    degree: object = None
    order: object = 0
    G: Callable | None = field(default=None, repr=False)
    code: int | None = None
    fused_as: str | None = None
    native: dict = field(default_factory=dict)
    gaussian_kernel: str | None = None
    shape: str | None = None

    def __reduce_ex__(self, protocol):
        # records hold lambdas (numpy, G, valid), which pickle cannot store; a registered
        # record pickles as its name and loads as the same registry object (fitted models
        # that reference it round-trip bit for bit)
        from . import BY_NAME, family

        if BY_NAME.get(self.name) is self:
            return (family, (self.name,))
        return super().__reduce_ex__(protocol)

    # --- parameters ---------------------------------------------------------------------
    @property
    def symbols(self) -> dict:
        """name -> SymPy symbol of each parameter that occurs in ``phi`` or ``rho``."""
        free = self.phi.free_symbols | (self.rho.free_symbols if self.rho is not None else set())
        return {s.name: s for s in free if s.name in dict(self.params)}

    def defaults(self) -> dict:
        """SymPy symbol -> default value, for substitution."""
        values = dict(self.params)
        return {s: sp.nsimplify(values[n]) for n, s in self.symbols.items()}

    def extra_values(self, **overrides) -> tuple:
        """The kernels' ``extra`` vector at the defaults (or ``overrides``).

        Parameters
        ----------
        **overrides
            Parameter name -> value, replacing the defaults of ``params``.
        """
        values = {**dict(self.params), **overrides}
        return tuple(float(values[n]) for n in self.extra)

    @property
    def phi0(self) -> sp.Expr:
        """phi at the default parameters."""
        return self.phi.xreplace(self.defaults())

    @property
    def rho0(self) -> sp.Expr | None:
        """rho at the default parameters."""
        return None if self.rho is None else self.rho.xreplace(self.defaults())

    # --- what the consumers ask ---------------------------------------------------------
    def order_of(self, extra) -> int | None:
        return self.order(extra) if callable(self.order) else self.order

    def degree_of(self, extra) -> float | None:
        return self.degree(extra) if callable(self.degree) else self.degree

    def pattern(self, wilds: dict, A: sp.Wild, s: sp.Wild) -> sp.Expr:
        """analyze's pattern: A*phi(s*z) (or A*phi(z)) with the parameters as wildcards.

        Parameters
        ----------
        wilds : dict
            Parameter name -> SymPy ``Wild`` standing for it.
        A, s : sympy.Wild
            Wildcards of the amplitude and of the scale of z (s is unused when the family
            is not ``scalable``).
        """
        expr = self.phi.xreplace({sym: wilds[n] for n, sym in self.symbols.items()})
        if not self.scalable:
            return A * expr
        # |s z| = s |z| for s > 0: the form the matcher meets in exp(-2*abs(z))
        return A * expr.xreplace({Z: s * Z}).xreplace({sp.Abs(s * Z): s * sp.Abs(Z)})

    def rho_matched(self, values: dict, A, s) -> sp.Expr:
        """rho of A*phi(s*z) for the matched parameter ``values`` (name -> number):
        s^2 rho(k/s) / A^2 (theory.md section 5).

        Parameters
        ----------
        values : dict
            Parameter name -> matched number.
        A, s : sympy.Expr
            Matched amplitude and scale of z.
        """
        rho = self.rho.xreplace({sym: values[n] for n, sym in self.symbols.items()})
        if self.scalable:
            rho = s**2 * rho.xreplace({K: K / s})
        return rho / A**2
