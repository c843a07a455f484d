"""Entry point: a click group whose subcommands load lazily (fast start-up)."""

from __future__ import annotations

import importlib
import sys

import click

# command name -> "module:attribute"; modules import only when their command runs,
# so `actdesign make` never pays for torch, numba or matplotlib.
COMMANDS = {
    "make": "actdesign_cli._make:make",
    "analyze": "actdesign_cli._analyze:analyze",
    "fit": "actdesign_cli._fit:fit",
    "spectrum": "actdesign_cli._spectrum:spectrum",
    "gain": "actdesign_cli._init:gain",
    "swim": "actdesign_cli._init:swim",
    "gallery": "actdesign_cli._gallery:gallery",
    "sweep": "actdesign_cli._sweep:sweep",
    "choose": "actdesign_cli._choose:choose",
    "adaptive": "actdesign_cli._adaptive:adaptive",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is used.

    Usage errors (a bad option value, a missing or unknown option) print one line and
    exit 2, like every other bad input, instead of click's usage block.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as err:
            path = err.ctx.command_path.split()[1:] if err.ctx is not None else []
            where = " ".join(["actdesign", *path])  # the installed name, not argv[0]
            click.echo(
                f"actdesign: error: {' '.join(err.format_message().split())} "
                f"(see '{where} --help')",
                err=True,
            )
            sys.exit(2)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as err:
            if err.name and err.name.startswith("actdesign_cli"):
                return None  # command not shipped in this build
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actdesign")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress reports on stderr (also: ACTDESIGN_PROGRESS=0).",
)
def main(quiet):
    """Design activation functions from spectral penalties, and measure spectral bias.

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency); penalties are
    read as even in k, so exp(k) means exp(|k|).
    """
    from actdesign.infra._progress import enable_progress

    # steps that run past ~2 s report on stderr; ACTDESIGN_PROGRESS overrides either way
    enable_progress(not quiet)
    _one_line_data_warnings()


def _one_line_data_warnings() -> None:
    """Show actdesign's DataWarning as ``actdesign: warning: ...`` (one line, like errors)
    instead of Python's two-line form with a source line; other warnings are unchanged."""
    import warnings

    from actdesign.infra._data_checks import DataWarning

    base = getattr(warnings.formatwarning, "_actdesign_base", warnings.formatwarning)

    def fmt(message, category, filename, lineno, line=None):
        if issubclass(category, DataWarning):
            return f"actdesign: warning: {' '.join(str(message).split())}\n"
        return base(message, category, filename, lineno, line)

    fmt._actdesign_base = base  # installed once, however often main() runs in one process
    warnings.formatwarning = fmt


if __name__ == "__main__":
    main()
