"""build(): the static gallery site, cached per entry and built in parallel.

Layout of ``out_dir``::

    index.html  compare.html  data.js  gallery.css  gallery.js
    pairs/NAME.html           one page per pair
    pairs/NAME/               its figures (PNG) and formulas (SVG)
    .cache/NAME.json          the page data and the key it was computed under

An entry is recomputed only when its key changes (a hash of its catalog record, the
actdesign version and the gallery builder's own source), when its figures are gone, when
a section of its page lacked a dependency API at the time, or with ``force=True`` (after
changing the library within one version). Pages, index and compare page are rewritten
from the cached data on every build, which is cheap.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalog
from ..infra._errors import ActdesignError
from ..infra._memory import check as _check_memory
from ..infra._memory import env_fix
from ..infra._optional import require
from ..infra._progress import _Silent
from ..infra._progress import progress as progress_bar
from ..infra.files._atomic import ordinary_mode, write_atomic
from . import _assets, _html

CACHE_FORMAT = 1
PRESET = ("relu", "softplus", "wavepacket")
# Peak memory of one worker computing an entry (measured: 260 MiB for relu, 293 MiB for
# wavepacket, imports included), with room for heavier entries; and of the parent.
WORKER_BYTES = 512 * 2**20
PARENT_BYTES = 256 * 2**20


@dataclass
class BuildResult:
    """What `build` did.

    Attributes
    ----------
    out_dir : Path
        The site folder (``index.html``, ``pairs/`` and the ``.cache/`` of entry data).
    built, cached : list of str
        Entries computed in this run, and entries taken from the cache.
    failed : dict
        Entry name -> error message, for entries whose page could not be made.
    problems : dict
        Entry name -> list of sections that failed for it (shown on its page).
    missing : dict
        Entry name -> list of sections whose dependency API is absent from this build.
    seconds : float
        Wall time of the build.
    """

    out_dir: Path
    built: list = field(default_factory=list)
    cached: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    problems: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every entry built with every section available."""
        return not (self.failed or self.problems or self.missing)


def build(out_dir, names=None, jobs: int = 2, progress: bool = True, *,
          force: bool = False) -> BuildResult:
    """Build the gallery site into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created if needed).
    names : iterable of str, optional
        Catalog entries to include (default: all).
    jobs : int
        Worker processes for entries that need computing (1: in this process).
    progress : bool
        Report progress on stderr (actdesign.infra._progress: when reports are switched on,
        as the CLI does, and the build runs past 2 s).
    force : bool
        Recompute every entry, ignoring the cache.

    Returns
    -------
    BuildResult
        The entries built, cached, failed or incomplete (``ok``: every entry built
        with every section), and the wall time.

    Raises
    ------
    CatalogError
        For an unknown entry name.
    ActdesignError
        For ``jobs < 1``.
    """
    t0 = time.perf_counter()
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ActdesignError(f"jobs must be an integer >= 1, got {jobs!r}")
    require("matplotlib", "plot", "the gallery")  # every page has plots: say so once, up front
    entries = [catalog.get(n) for n in names] if names is not None else catalog.entries()
    out = Path(out_dir)
    (out / "pairs").mkdir(parents=True, exist_ok=True)
    (out / ".cache").mkdir(exist_ok=True)
    digest = source_digest()
    result = BuildResult(out_dir=out)
    datas, todo = {}, []
    for entry in entries:
        key = entry_key(entry, digest)
        cached = None if force else _read_cache(out, entry.name, key)
        if cached is None:
            todo.append((entry, key))
        else:
            datas[entry.name] = cached
            result.cached.append(entry.name)
    check_memory(len(todo), jobs)
    for name, key, data, error in _run(todo, out, jobs, progress):
        if error is not None:
            result.failed[name] = error
            continue
        write_atomic(out / ".cache" / f"{name}.json",
                      json.dumps({"format": CACHE_FORMAT, "key": key, "data": data}))
        datas[name] = data
        result.built.append(name)
    _write_site(out, [e.name for e in entries if e.name in datas], datas, result.failed)
    for name, data in datas.items():
        if data["problems"]:
            result.problems[name] = list(data["problems"])
        if data["missing"]:
            result.missing[name] = list(data["missing"])
    result.seconds = time.perf_counter() - t0
    return result


# --- cache keys -------------------------------------------------------------------------------
def source_digest() -> str:
    """Hash of the gallery builder's source (this package and the catalog loader)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in [*sorted(here.glob("*.py")), here.parent / "catalog.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def entry_key(entry: catalog.Entry, digest: str) -> str:
    """The cache key of one entry."""
    from .. import __version__

    record = json.dumps(entry.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{CACHE_FORMAT}\n{__version__}\n{digest}\n{record}".encode()).hexdigest()


def _read_cache(out: Path, name: str, key: str):
    from ..infra.files._filelimits import load_json

    path = out / ".cache" / f"{name}.json"
    if not path.is_file():
        return None
    try:  # a cache is disposable: an unreadable, oversized or malformed one is recomputed
        cached = load_json(path, "cache")
    except ActdesignError:
        return None
    if not isinstance(cached, dict) or cached.get("format") != CACHE_FORMAT \
            or cached.get("key") != key:
        return None
    data = cached.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("files", []), list):
        return None
    if data.get("missing"):
        return None  # built without some dependency API: try again, it may be there now
    folder = out / "pairs" / name
    if not all((folder / f).is_file() for f in data.get("files", ())):
        return None  # figures deleted by hand: recompute
    return data


# --- running entries ----------------------------------------------------------------------------
def _work(name: str, out: str):
    """Compute one entry into a fresh folder, then move it into place (worker process)."""
    from ..catalog import get
    from ._pair import compute

    pairs = Path(out) / "pairs"
    tmp = Path(tempfile.mkdtemp(dir=pairs, prefix=f".{name}."))
    os.chmod(tmp, ordinary_mode(directory=True))  # mkdtemp's folders are private
    try:
        data = compute(get(name), tmp)
        final = pairs / name
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        return data, None
    except Exception as err:  # noqa: BLE001 - one failing entry must not stop the others
        shutil.rmtree(tmp, ignore_errors=True)
        return None, f"{type(err).__name__}: {' '.join(str(err).split())}"


def _run(todo, out: Path, jobs: int, progress: bool):
    """Compute the entries of ``todo``, yielding (name, key, data, error) as each ends;
    progress goes to stderr (actdesign.infra._progress: once the build has run 2 s, plain lines
    in a log, an in-place line on a terminal)."""
    label = "gallery: entries"
    with progress_bar(label, total=len(todo), unit="entry") if progress else _silent() as bar:
        if jobs == 1 or len(todo) <= 1:
            for entry, key in todo:
                data, error = _work(entry.name, str(out))
                bar.update(1, info=entry.name)
                yield entry.name, key, data, error
            return
        # spawn, not fork: the caller may hold threads (torch, jax) that fork would copy broken
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
            futures = {pool.submit(_work, e.name, str(out)): (e, key) for e, key in todo}
            for fut in cf.as_completed(futures):
                entry, key = futures[fut]
                try:
                    data, error = fut.result()
                except Exception as err:  # noqa: BLE001 - a crashed worker fails its entry only
                    data, error = None, f"worker failed: {type(err).__name__}: {err}"
                bar.update(1, info=entry.name)
                yield entry.name, key, data, error


@contextlib.contextmanager
def _silent():
    yield _Silent()


def check_memory(n_todo: int, jobs: int) -> None:
    """Refuse (MemoryEstimateError) a build whose workers would not fit in the budget."""
    workers = max(1, min(jobs, n_todo)) if n_todo else 0
    if workers == 0:
        return
    est = PARENT_BYTES + workers * WORKER_BYTES
    _check_memory(
        est,
        what=f"{workers} gallery worker{'s' if workers > 1 else ''} ({WORKER_BYTES // 2**20} "
        "MiB each)",
        fix=env_fix("use fewer --jobs"),
    )


# --- the site -----------------------------------------------------------------------------------
def _write_site(out: Path, names: list, datas: dict, failed: dict) -> None:
    summaries = [_html.summary(datas[n]) for n in names]
    for i, n in enumerate(names):
        prev = names[i - 1] if i > 0 else None
        nxt = names[i + 1] if i + 1 < len(names) else None
        write_atomic(out / "pairs" / f"{n}.html", _html.pair_page(datas[n], prev, nxt))
    preset = [n for n in PRESET if n in datas] or names[:3]
    write_atomic(out / "index.html", _html.index_page(summaries, failed, preset))
    write_atomic(out / "compare.html", _html.compare_page())
    write_atomic(out / "data.js", _html.data_js(summaries, preset))
    write_atomic(out / "gallery.css", _assets.CSS)
    write_atomic(out / "gallery.js", _assets.JS)
