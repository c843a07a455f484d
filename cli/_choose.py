"""`actdesign choose`: fit a penalty family to CSV data and design its activation."""

from __future__ import annotations

import json
from pathlib import Path

import click

import actdesign

from ._common import emit_json, fail, json_option, user_errors
from ._options import data_option, seed_option, shape_option

FAMILY_CHOICES = ["auto", "exp", "matern", "gauss", "exp_mix"]


def _fixed(ctx, param, values):
    """NAME=VALUE pairs -> dict of floats."""
    out = {}
    for text in values:
        name, sep, value = text.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise click.BadParameter(f"{text!r} is not NAME=NUMBER, e.g. p=2.5")
    return out


@click.command()
@data_option("Training CSV: columns x1..xD, then y (header optional).")
@click.option("--family", "families", multiple=True, type=click.Choice(FAMILY_CHOICES),
              default=("auto",), show_default=True,
              help="Penalty family (repeat to compare several); auto = exp, matern, gauss.")
@click.option("--objective", type=click.Choice(["ml", "cv"]), default="ml", show_default=True,
              help="Marginal likelihood or k-fold cross-validated error.")
@click.option("--fix", "fixed", multiple=True, callback=_fixed, metavar="NAME=VALUE",
              help="Hold a parameter fixed, e.g. --fix p=2.5 (repeatable).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="k of the k-fold CV (--objective cv).")
@click.option("--max-points", type=click.IntRange(min=8), default=1000, show_default=True,
              help="Fit on a random subset of this many points when there are more.")
@seed_option(0)
@shape_option("Shape of the designed activation.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Write the activation's spec NAME.json (and exports) and choice.json here.")
@click.option("--export", "export", default="", help="With --out: backends to export (torch,jax).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@json_option
@user_errors
def choose(data, families, objective, fixed, folds, max_points, seed, shape, out_dir, export,
           force, as_json):
    """Fit a penalty family to the --data CSV and design the activation it implies.

    The width = inf kernel of the uniform law has Fourier transform ∝ 1/rho_total(|K|);
    the family's parameters are fitted by the Gaussian-process marginal likelihood (or
    CV error). Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
    """
    from actdesign.fit import read_training_csv

    from ._make import _backends

    backends = _backends(export)
    if backends and out_dir is None:
        fail("--export needs --out DIR")
    if out_dir is not None:
        from actdesign.infra.files._outputs import check_folder

        check_folder(out_dir, "--out")  # a file in the way is refused before the fit
    X, y = read_training_csv(data)
    family = "auto" if "auto" in families else list(families)
    result = actdesign.choose_penalty(X, y, family, objective=objective, fixed=fixed,
                                      folds=folds, max_points=max_points, seed=seed, shape=shape)
    report = result.report()
    report["files"] = _write(result, report, out_dir, backends, force) if out_dir else []
    if as_json:
        emit_json(report)
    else:
        _print(report)


def _write(result, report, out_dir, backends, force):
    """The activation's spec and exports (as `actdesign make` writes them) and choice.json,
    written as one set."""
    from ._common import _clean
    from ._make import set_targets, write_make_set

    act = result.activation
    out = Path(out_dir)
    files = [str(p) for p in set_targets(act, out, backends, False)] if act is not None else []
    text = json.dumps(_clean({**report, "files": files}), indent=1, allow_nan=False) + "\n"
    if act is None:
        from actdesign.atomic import write_atomic
        from actdesign.infra.files._outputs import check_outputs

        check_outputs([out / "choice.json"], force=force)
        write_atomic(out / "choice.json", text)
        return [str(out / "choice.json")]
    return write_make_set(act, out, backends, False, force, extra={"choice.json": text})


def _print(rep):
    echo = click.echo
    echo(f"chosen      {rep['family']}: rho(k) = {rep['penalty']}   (dim {rep['dim']})")
    echo(f"objective   {rep['objective_meaning']}; {rep['points']} points, "
         f"{rep['seconds']:.2f} s")
    for name, f in rep["families"].items():
        params = ", ".join(f"{k} = {v:.6g}" for k, v in f["params"].items())
        bic = f"   BIC {f['bic']:.6g}" if f["bic"] is not None else ""
        echo(f"  {name:8s} value {f['value']:.6g}{bic}   {params}   "
             f"noise/signal {f['noise_to_signal']:.3g}")
    act = rep["activation"]
    if act is not None:
        echo(f"activation  {act['name']}  [{act['method']}]  max abs error "
             f"{act['max_abs_error']:.2e}")
        echo(f"phi(z)      {act['phi'] or 'numeric (tabulated, with identified tails)'}")
    for n in rep["notes"]:
        echo(f"note        {n}")
    for f in rep["files"]:
        echo(f"wrote       {f}")
    echo(f"convention  {actdesign.infra._convention.SHORT}")
