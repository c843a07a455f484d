"""Shared CLI pieces: bad-input handling, JSON output, common options."""

from __future__ import annotations

import functools
import json
import sys

import click

import actdesign


def user_errors(fn):
    """Turn bad input into one line on stderr and exit status 2 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except actdesign.ActdesignError as err:
            fail(str(err))
        except FileNotFoundError as err:
            fail(f"file not found: {err.filename}; check the path")
        except (IsADirectoryError, PermissionError) as err:
            fail(f"cannot use {err.filename}: {err.strerror}")

    return wrapper


def fail(message: str):
    """Print ``actdesign: error: MESSAGE`` as one line and exit with status 2."""
    click.echo(f"actdesign: error: {' '.join(str(message).split())}", err=True)
    sys.exit(2)


def emit_json(obj) -> None:
    """Print exactly one JSON object on stdout (NaN/inf become null)."""
    click.echo(json.dumps(_clean(obj), allow_nan=False))


def _clean(v):
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "tolist"):
        return _clean(v.tolist())
    return v


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object on stdout."
)
