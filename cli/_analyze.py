"""`actdesign analyze`: the penalty an activation imposes."""

from __future__ import annotations

import click
import numpy as np

import actdesign

from ._common import emit_json, fail, json_option, user_errors
from ._options import activation_options, dim_option


@click.command()
@activation_options()
@click.option("--k", "k_list", default="0.3,1,2.5,5", show_default=True,
              help="Comma list of frequencies at which to print rho(k).")
@dim_option(default=None, help_text="Input dimension D (default 1).")
@json_option
@user_errors
def analyze(expr, spec, k_list, dim, as_json):
    """Print the penalty rho(k) = |k|^(D-1) / |F[phi](k)|^2 imposed by an activation.

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
    """
    if (expr is None) == (spec is None):
        fail("give exactly one of --activation, --spec")
    target = actdesign.load(spec) if spec else expr  # a string keeps its exact formula
    ks = _k_values(k_list)
    pen = actdesign.analyze(target, dim=dim)
    vals = pen(ks)
    if np.any(np.isnan(vals)):  # numeric values outside the trust range: refuse, never print nan
        bad = ", ".join(f"{kk:g}" for kk in ks[np.isnan(vals)])
        fail(f"rho(k) at k = {bad} is outside the range {pen.trust[0]:.3g} .. "
             f"{pen.trust[1]:.3g} where the numeric transform is accurate (there the "
             "spectrum vanishes, is too small to resolve or is singular); pass --k values "
             "inside it")
    if as_json:
        emit_json({
            "activation": pen.activation,
            "rho": pen.rho_text,
            "method": pen.method,
            "dim": pen.dim,
            "null_space": pen.null_space,
            "trust": list(pen.trust),
            "rtol": pen.rtol if pen.rho is None else 0.0,
            "k": ks,
            "rho_values": vals,  # +inf (a forbidden frequency) prints as null: see forbidden_k
            "forbidden_k": ks[np.isposinf(vals)],
            "convention": actdesign.CONVENTION,
        })
        return
    click.echo(f"activation  {pen.activation}")
    click.echo(f"rho(k)      {pen.rho_text or 'no closed form (numeric)'}   [{pen.method}]")
    if pen.null_space:
        click.echo(f"null space  polynomials of degree < {pen.null_space} cost nothing")
    click.echo(f"trusted k   {pen.trust[0]:.3g} .. {pen.trust[1]:.3g} "
               f"(numeric values, ~{pen.rtol:.0e} relative)")
    for kk, v in zip(ks, vals, strict=True):
        note = "   (F[phi] = 0 here: this frequency is forbidden)" if np.isposinf(v) else ""
        click.echo(f"  rho({kk:g}) = {v:.12g}{note}")
    click.echo(f"convention  {actdesign.infra._convention.SHORT}")


def _k_values(text):
    try:
        ks = np.array([float(t) for t in text.split(",") if t.strip()])
    except ValueError:
        fail(f"--k {text!r} must be a comma list of numbers, e.g. 0.3,1,2.5")
    if ks.size == 0 or not np.all(np.isfinite(ks)):
        fail(f"--k {text!r} must hold finite numbers")
    return ks
