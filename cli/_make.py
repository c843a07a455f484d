"""`actdesign make`: design an activation from a penalty and write its spec (and exports)."""

from __future__ import annotations

import warnings
from pathlib import Path

import click
import numpy as np

import actdesign

from ._common import emit_json, fail, json_option, user_errors
from ._options import dim_option, shape_option
from ._sketch import sketch


@click.command()
@click.option("--penalty", required=True,
              help='Target penalty rho(k), e.g. "exp(k)" (read as even).')
@dim_option(help_text="Input dimension D; the penalty is the total one, |k|^(D-1) included.")
@shape_option()
@click.option("--name", default=None,
              help="Name for the spec and exports (default: from the penalty).")
@click.option("--out", "out_dir", default="out", show_default=True,
              type=click.Path(file_okay=False), help="Directory for NAME.json and exports.")
@click.option("--export", "export", default="", help="Comma list of backends to export: torch,jax.")
@click.option("--png/--no-png", default=False, help="Also save a plot of phi to NAME.png.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@json_option
@user_errors
def make(penalty, dim, shape, name, out_dir, export, png, force, as_json):
    """Design the activation whose kernel-regime penalty is PENALTY and save its spec.

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular); phi = F^-1[|k|^((D-1)/2) rho^(-1/2)].
    """
    backends = _backends(export)
    if name is not None and not name.replace("_", "").isalnum():
        fail(f"--name {name!r} must be letters, digits and underscores")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        act = actdesign.design(penalty, dim=dim, shape=shape, name=name)
    out = Path(out_dir)
    targets = [out / f"{act.name}.json"] + [out / f"{act.name}_{b}.py" for b in backends]
    if png:
        targets.append(out / f"{act.name}.png")
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        fail(f"{', '.join(existing)} exist(s); pass --force to overwrite")
    files = _write_all(act, out, backends, targets, png)
    notes = list(act.notes) + [str(w.message) for w in caught]
    gain = _gain(act)
    if as_json:
        emit_json(_record(act, files, notes, gain))
    else:
        _print_summary(act, files, notes, gain)


def _write_all(act, out, backends, targets, png):
    """Write the spec, exports and plot; on failure remove what this call newly created."""
    fresh = [t for t in targets if not t.exists()]
    made_dir = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        files = []
        if backends:
            from actdesign.export import write_exports

            files += [str(p) for p in write_exports(act, out, backends, force=True)]
        if png:
            files.append(str(_plot(act, targets[-1])))
        return [str(act.save(targets[0], force=True))] + files
    except BaseException:
        for t in fresh:
            t.unlink(missing_ok=True)
        if made_dir and not any(out.iterdir()):
            out.rmdir()
        raise


def _backends(text):
    names = [b.strip() for b in text.split(",") if b.strip()]
    bad = sorted(set(names) - {"torch", "jax"})
    if bad:
        fail(f"unknown export backend(s) {', '.join(bad)}; choose from torch, jax")
    return list(dict.fromkeys(names))


def _gain(act):
    try:
        from actdesign.init import gain
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a gain that cannot be computed is reported as null
            value = float(gain(act))
        return value if np.isfinite(value) else None
    except (ArithmeticError, ValueError, actdesign.ActdesignError):
        return None


def _record(act, files, notes, gain):
    return {
        "name": act.name,
        "penalty": act.penalty_text,
        "rho": str(act.rho),
        "dim": act.dim,
        "shape": act.shape,
        "method": act.method,
        "phi": act.phi_text,
        "max_abs_error": act.max_abs_error,
        "null_space": act.null_space,
        "gain": gain,
        "notes": notes,
        "files": files,
        "convention": actdesign.CONVENTION,
    }


def _print_summary(act, files, notes, gain):
    echo = click.echo
    echo(f"activation  {act.name}")
    echo(f"penalty     rho(k) = {act.rho}   (dim {act.dim}, shape {act.shape})")
    echo(f"phi(z)      {act.phi_text or 'numeric (tabulated, with identified tails)'}")
    echo(f"method      {act.method}   max abs error {act.max_abs_error:.2e}")
    if act.null_space:
        echo(f"null space  phi is fixed up to polynomials of degree < {act.null_space}")
    if gain is not None:
        echo(f"gain        {gain:.6g}   (second-moment rule, c = 1/sqrt(E[phi(Z)^2]))")
    for n in notes:
        echo(f"note        {n}")
    echo(f"convention  {actdesign._convention.SHORT}")
    z = np.linspace(-6, 6, 61)
    echo(sketch(z, act(z)))
    for f in files:
        echo(f"wrote       {f}")


def _plot(act, path):
    from actdesign.spectrum import new_figure, save_figure

    z = np.linspace(-8, 8, 801)
    fig = new_figure(4, 2.6)
    ax = fig.add_subplot()
    ax.plot(z, act(z))
    ax.set_xlabel("z")
    ax.set_title(f"phi for rho = {act.penalty_text}", fontsize=9)
    save_figure(fig, path)
    return path
