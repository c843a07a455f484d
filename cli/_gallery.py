"""`actdesign gallery`: build, list, show and serve the gallery of activation–penalty pairs."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

import click

import actdesign
from actdesign import catalog

from ._common import emit_json, fail, json_option, user_errors

DEFAULT_OUT = "_gallery_site"  # ignored by git
# what a build writes at the top of its folder (beside its .cache), refused over others' files
SITE_FILES = ("index.html", "compare.html", "data.js", "gallery.css", "gallery.js", "pairs")


@click.group()
def gallery():
    """The gallery of activation–penalty pairs (a static, offline HTML site).

    Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular); every penalty is the total
    penalty rho(k) for its input dimension, read as even in k.
    """


def _names(only):
    if only is None:
        return None
    names = [n.strip() for n in only.split(",") if n.strip()]
    if not names:
        fail("--only needs a comma-separated list of entry names; see `actdesign gallery list`")
    for n in names:
        catalog.get(n)  # unknown names: one clear line, exit 2
    return names


@gallery.command()
@click.option("--out", "out_dir", default=DEFAULT_OUT, show_default=True,
              type=click.Path(file_okay=False), help="Output folder for the site.")
@click.option("--only", default=None, help="Comma-separated entry names (default: all).")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--force", is_flag=True, help="Recompute every entry, ignoring the cache "
              "(and overwrite site files in a folder that holds no gallery).")
@user_errors
def build(out_dir, only, jobs, force):
    """Build (or update) the static gallery site in OUT; unchanged entries come from the cache.

    Exit status 1 when an entry fails to build or a section of a page is unavailable.
    """
    from actdesign.gallery import build as run
    from actdesign.infra.files._outputs import check_owned_folder

    check_owned_folder(out_dir, ".cache", SITE_FILES, force=force, what="gallery")
    result = run(out_dir, names=_names(only), jobs=jobs, progress=True, force=force)
    click.echo(f"gallery: {len(result.built)} built, {len(result.cached)} cached, "
               f"{len(result.failed)} failed in {result.seconds:.1f} s -> "
               f"{Path(out_dir) / 'index.html'}")
    for name, msg in sorted(result.failed.items()):
        click.echo(f"  failed {name}: {msg}", err=True)
    for kind, table in (("problem", result.problems), ("missing", result.missing)):
        for name, lines in sorted(table.items()):
            for line in lines:
                click.echo(f"  {kind} {name}: {line}", err=True)
    click.echo(f"convention: {actdesign.CONVENTION}")
    if not result.ok:
        raise SystemExit(1)


@gallery.command(name="list")
@json_option
def list_(as_json):
    """List the catalog's entries (name, family, dim, penalty, phi)."""
    entries = catalog.entries()
    if as_json:
        # issue 6 asks for a list of records; each states the convention its penalty uses
        emit_json([{**e.to_dict(), "convention": actdesign.CONVENTION} for e in entries])
        return
    width = max(len(e.name) for e in entries)
    for e in entries:
        click.echo(f"{e.name:<{width}}  {e.family:<8}  D={e.dim}  "
                   f"rho = {e.penalty}   phi = {e.phi}")


@gallery.command()
@click.argument("name")
@user_errors
def show(name):
    """A terminal summary of the entry NAME."""
    e = catalog.get(name)
    rows = [("title", e.title), ("family", f"{e.family} ({catalog.FAMILIES[e.family]})"),
            ("penalty", f"rho(k) = {e.penalty}   (total, dim = {e.dim})"),
            ("phi", f"phi(z) = {e.phi}" + (f"   [exact: {e.phi_exact}]" if e.phi_exact else "")),
            ("shape", e.shape), ("source", e.source), ("make", e.make_command()),
            ("notes", e.notes)]
    for key, value in rows:
        click.echo(f"{key:<8} {value}")
    click.echo("references")
    for ref in e.references:
        click.echo(f"  - {ref}")
    click.echo(f"convention: {actdesign.CONVENTION}")


@gallery.command()
@click.option("--dir", "site", default=DEFAULT_OUT, show_default=True,
              type=click.Path(file_okay=False), help="A site made by `actdesign gallery build`.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@user_errors
def serve(site, port):
    """Serve a built gallery on http://127.0.0.1:PORT/ (localhost only) until Ctrl-C."""
    root = Path(site)
    if not (root / "index.html").is_file():
        fail(f"{root} holds no gallery; build one with `actdesign gallery build --out {root}`")
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as err:
        fail(f"cannot listen on 127.0.0.1:{port} ({err.strerror}); choose another --port")
    host, bound = server.server_address[:2]
    click.echo(f"serving {root} on http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass
