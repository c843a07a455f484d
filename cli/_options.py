"""Options shared by several commands, defined once (same names, help and checks everywhere).

Each is a decorator; stacked on a command they add the option(s) and, where the values
need resolving (an activation from --activation/--spec/--penalty), a function here does it.
"""

from __future__ import annotations

import math

import click

import actdesign

from ._common import fail

SHAPES = ("bump", "sigmoid", "relu")


class _NumberOrInf(click.ParamType):
    """A positive number or 'inf' (integers only when ``integer``)."""

    def __init__(self, name: str, integer: bool):
        self.name, self.integer = name, integer

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v = value
        elif str(value).strip().lower() in ("inf", "infinity"):
            return math.inf
        else:
            try:
                v = int(value) if self.integer else float(value)
            except ValueError:
                kind = "a positive integer" if self.integer else "a positive number"
                self.fail(f"{value!r} is not {kind} or 'inf'", param, ctx)
        if not (v > 0 and math.isfinite(v)):
            self.fail(f"{param.name} must be positive or 'inf', got {value}", param, ctx)
        return v


class _Finite(click.ParamType):
    """A finite float above ``low`` (or at it, when ``closed``)."""

    def __init__(self, low: float = 0.0, closed: bool = False):
        self.low, self.closed = low, closed
        self.name = "X>=0" if closed else "X>0"

    def convert(self, value, param, ctx):
        try:
            v = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(v) or v < self.low or (v == self.low and not self.closed):
            bound = ">=" if self.closed else ">"
            self.fail(f"must be a finite number {bound} {self.low:g}, got {value}", param, ctx)
        return v


POSITIVE = _Finite()
NONNEGATIVE = _Finite(closed=True)
WIDTH = _NumberOrInf("N|inf", integer=True)
RADIUS = _NumberOrInf("R|inf", integer=False)


def positive(ctx, param, value):
    """click callback: a finite positive number (or None)."""
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise click.BadParameter(f"must be a positive number, got {value}")
    return value


def _stack(*decorators):
    def apply(fn):
        for d in reversed(decorators):
            fn = d(fn)
        return fn

    return apply


def activation_options(*, penalty=False, fallback=None):
    """--activation EXPR and --spec FILE (and, with ``penalty``, --penalty and --shape).

    ``fallback`` is the formula the command uses when neither is given (said in the help).
    """
    also = f" (default without --spec: {fallback})" if fallback else ""
    opts = [
        click.option("--activation", "expr", default=None, metavar="EXPR",
                     help=f'Activation formula in z, e.g. "tanh(z)"{also}.'),
        click.option("--spec", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Activation spec file written by `actdesign make`."),
    ]
    if penalty:
        opts = [
            click.option("--penalty", default=None,
                         help='Design the activation from this penalty, e.g. "exp(k)".'),
            shape_option("Shape of the designed activation (with --penalty)."),
        ] + opts
    return _stack(*opts)


def shape_option(help_text="Zero-phase phi, or its once/twice integrated form."):
    return click.option("--shape", type=click.Choice(SHAPES), default="bump",
                        show_default=True, help=help_text)


def dim_option(default=1, help_text="Input dimension D."):
    return click.option("--dim", default=default, show_default=default is not None,
                        type=click.IntRange(1, 64), help=help_text)


def data_option(help_text="Training CSV: input columns, then one target column (header optional).",
                required=True):
    return click.option("--data", "data", required=required, metavar="FILE",
                        type=click.Path(dir_okay=False), help=help_text)


def seed_option(default=None):
    return click.option("--seed", type=click.IntRange(min=0), default=default,
                        show_default=default is not None, help="Random seed (>= 0).")


predict_options = _stack(
    click.option("--predict", "predict_path", default=None, metavar="TEST.csv",
                 type=click.Path(dir_okay=False), help="CSV of input columns to predict at "
                 "(needs --out)."),
    click.option("--out", "out_path", default=None, metavar="PRED.csv",
                 type=click.Path(dir_okay=False), help="Where to write the predictions."),
)


force_option = click.option("--force", is_flag=True,
                            help="Overwrite existing output files.")


def check_output_files(*paths, force: bool, option: str = "--out") -> None:
    """Refuse, before any work, output files that exist (without --force) or cannot be
    written (a file in the way, a name too long): `actdesign.infra.files._outputs.check_outputs`."""
    from actdesign.infra.files._outputs import check_outputs

    check_outputs(paths, force=force, option=option)


def check_predict(predict_path, out_path) -> None:
    """--predict and --out go together."""
    if (predict_path is None) != (out_path is None):
        fail("--predict and --out go together: --predict TEST.csv --out PRED.csv")


def resolve_activation(expr=None, spec=None, penalty=None, shape="bump", dim=1, *,
                       with_penalty=False):
    """The Activation named by exactly one of --activation, --spec (, --penalty)."""
    if sum(v is not None for v in (penalty, expr, spec)) != 1:
        names = (["--penalty"] if with_penalty else []) + ["--activation", "--spec"]
        fail(f"give exactly one of {', '.join(names)}")
    if spec is not None:
        return actdesign.load(spec)
    if expr is not None:
        return actdesign.from_expression(expr, name=expr)
    return actdesign.design(penalty, dim=dim, shape=shape)
