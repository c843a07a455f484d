"""`actdesign make`: design an activation from a penalty and write its spec (and exports)."""

from __future__ import annotations

import warnings
from pathlib import Path

import click
import numpy as np

import actdesign
from actdesign.atomic import write_set
from actdesign.infra.files._outputs import check_folder, check_name, check_outputs

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
    if name is not None:
        check_name(name)
    out = check_folder(out_dir, "--out")  # a file in the way is refused before the design
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        act = actdesign.design(penalty, dim=dim, shape=shape, name=name)
    files = write_make_set(act, out, backends, png, force)
    notes = list(act.notes) + [str(w.message) for w in caught]
    gain = _gain(act)
    if as_json:
        emit_json(_record(act, files, notes, gain))
    else:
        _print_summary(act, files, notes, gain)


def set_targets(act, out, backends, png) -> list[Path]:
    """The files `make` writes: NAME.json, the exports (at the paths the exporter really
    uses: its snake-cased stem) and NAME.png."""
    from actdesign._export import export_path

    out = Path(out)
    return ([out / f"{act.name}.json"] + [export_path(act, out, b) for b in backends]
            + ([out / f"{act.name}.png"] if png else []))


def write_make_set(act, out, backends, png, force, extra=None) -> list[str]:
    """Write the spec, exports, plot (and ``extra`` {file name: text}) as one set.

    Existing files identical to the new ones are fine (running `make` twice succeeds);
    others are refused without ``force``. The set is staged and switched over at once
    (`actdesign.atomic.write_set`): a crash leaves the old set or the new one.
    """
    extra = extra or {}
    out = Path(out)
    targets = set_targets(act, out, backends, png) + [out / n for n in extra]
    check_outputs(targets, force=force, compare=True)

    def write(stage):
        act.save(stage / targets[0].name, force=True)
        if backends:
            from actdesign.export import write_exports

            write_exports(act, stage, backends, force=True)
        if png:
            _plot(act, stage / f"{act.name}.png")
        for file_name, text in extra.items():
            (stage / file_name).write_text(text, encoding="utf-8")

    paths = write_set(out, [t.name for t in targets], write, force=force, refuse=_refuse)
    return [str(p) for p in paths]


def _refuse(paths):
    fail(f"{', '.join(map(str, paths))} exist(s) and would change; pass --force to overwrite "
         f"(identical files are fine)")


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
    echo(f"convention  {actdesign.infra._convention.SHORT}")
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
