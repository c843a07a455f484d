"""`actdesign spectrum`: the Fourier spectrum of a formula, an activation or a CSV of samples."""

from __future__ import annotations

import click
import numpy as np

import actdesign
from actdesign import spectrum as sp

from ._common import emit_json, fail, json_option, user_errors
from ._options import check_output_files, data_option, force_option

DEFAULT_DOMAIN = {"function": "0,1", "activation": "-20,20"}
ENERGY = 0.99  # energy fraction for the reported bandwidth


def _domain(text, dim):
    try:
        v = [float(t) for t in text.split(",")]
    except ValueError:
        fail(f"--domain {text!r} is not numbers; write a,b (or a,b,c,d for x and y)")
    if len(v) == 2:
        return tuple(v) if dim == 1 else (tuple(v), tuple(v))
    if len(v) == 4 and dim == 2:
        return ((v[0], v[1]), (v[2], v[3]))
    fail(f"--domain needs a,b{' or a,b,c,d' if dim == 2 else ''}; got {text!r}")


def _source(function, activation, data):
    given = [
        (name, v)
        for name, v in (("function", function), ("activation", activation), ("data", data))
        if v is not None
    ]
    if len(given) != 1:
        fail("give exactly one of --function EXPR_IN_x, --activation EXPR or --data FILE")
    return given[0]


def _peaks(spec, count=5):
    if isinstance(spec, sp.Spectrum2D):
        return []
    idx = sp.find_peaks(spec, rel_height=0.25)
    idx = idx[np.argsort(spec.amplitude[idx])[::-1][:count]]
    return [(float(spec.k[i]), float(spec.amplitude[i])) for i in sorted(idx)]


@click.command()
@click.option(
    "--function", "function", metavar="EXPR_IN_x", help="Formula in x (or x and y for 2-D)."
)
@click.option(
    "--activation", metavar="EXPR", help="Activation formula in z (spectrum of phi itself)."
)
@data_option("CSV with columns x,f or x,y,f (header optional).", required=False)
@click.option(
    "--domain",
    metavar="a,b",
    help="Interval (a,b,c,d for a 2-D box). "
    "Defaults: 0,1 for --function, -20,20 for --activation, the samples' extent for --data.",
)
@click.option(
    "--n", "n", type=int, default=None, help="Samples per axis (default 4096 in 1-D, 256 in 2-D)."
)
@click.option("--window", default="box", show_default=True, help="box | tukey | hann.")
@click.option(
    "--pad", type=int, default=None, help="Zero-padding factor (default 4 in 1-D, 2 in 2-D)."
)
@click.option(
    "--unit", default="angular", show_default=True, help="cycles | angular (frequency axis)."
)
@click.option("--plot", metavar="OUT.png", help="Write a figure of the amplitude spectrum.")
@force_option
@json_option
@user_errors
def spectrum(function, activation, data, domain, n, window, pad, unit, plot, force, as_json):
    """Fourier spectrum of a function, an activation or samples.

    Convention: F(k) = ∫ f(x) exp(-ikx) dx (angular k; --unit cycles relabels the axis by
    k/2π). Amplitude = 2|F(k)|/∫w (|F(0)|/∫w at k = 0): a sinusoid of amplitude A on a
    bin reads A. Bandwidth: smallest k holding 99% of the energy.
    """
    kind, value = _source(function, activation, data)
    if plot:
        check_output_files(plot, force=force, option="--plot")
    if kind == "data":
        if n is not None:
            fail("--n applies to --function and --activation; data are used as given")
        points, values = sp.read_csv(value)
        dim = 1 if points.ndim == 1 else 2
        dom = None if domain is None else _domain(domain, dim)
        spec = sp.data_spectrum(points, values, domain=dom, window=window, pad=pad, unit=unit)
    else:
        if kind == "function":
            f, dim = sp.expression_function(value)
        else:
            f, dim = actdesign.from_expression(value, name="activation"), 1
        dom = _domain(domain or DEFAULT_DOMAIN[kind], dim)
        spec = sp.spectrum(f, dom, n=n, window=window, pad=pad, unit=unit)
    if plot:
        sp.plot_spectrum(spec, path=plot)
    record = spec.to_dict(ENERGY)
    record["source"] = {kind: value}
    record["peaks"] = [{"k": k, "amplitude": a} for k, a in _peaks(spec)]
    if as_json:
        emit_json(record)
        return
    _print_text(record, plot)


def _print_text(r, plot):
    dom = r["domain"]
    click.echo(
        f"source: {next(iter(r['source'].values()))} ({r['dim']}-D, {r['method']}, n={r['n']})"
    )
    click.echo(f"domain: {dom}; window {r['window']}; pad {r['pad']}; unit {r['unit']}")
    click.echo(f"bandwidth ({r['bandwidth_energy']:.0%} energy): {r['bandwidth']:.6g}")
    b = r["derivative_bounds"]
    click.echo(
        f"derivative bounds (seed 002 Eqs. 9, 2): |g'| <= {b['1']:.6g}, |g''| <= {b['2']:.6g}"
    )
    for p in r["peaks"]:  # local maxima >= 25% of the largest, above the window's leakage
        click.echo(f"peak at k = {p['k']:.6g}: amplitude {p['amplitude']:.6g}")
    if plot:
        click.echo(f"figure: {plot}")
    click.echo(f"amplitude: {r['amplitude_normalisation']}")
    click.echo(f"convention: {r['convention']}")
