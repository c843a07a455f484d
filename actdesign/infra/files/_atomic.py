"""Atomic file writes, the implementation of the public `actdesign.atomic` (its docstring
says how they work); here so that every stage can use it without importing the package root."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from .._errors import OutputError, WriteError

__all__ = ["atomic_path", "failed_write", "ordinary_mode", "publish", "recover", "temp_beside",
           "write_atomic", "write_set"]

_TAG = "actdesign"  # every temporary name holds ".actdesign-PID-" so recover() can find it
_STAGE, _COMMIT = f".{_TAG}-stage-", f".{_TAG}-commit-"
_PID = re.compile(rf"\.{_TAG}-(?:stage-|commit-)?(\d+)-")


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new, empty temporary file in ``path``'s folder (created with its parents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_TAG}-{os.getpid()}-",
                               suffix=suffix)
    os.close(fd)
    return Path(tmp)


def ordinary_mode(directory: bool = False) -> int:
    """The permissions a plain ``open`` or ``mkdir`` would give: 0666 / 0777 less the umask
    (mkstemp and mkdtemp make private 0600 / 0700 ones)."""
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to disk (before it is renamed into place)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, new and removed names) to disk, where supported."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # platforms that cannot open a folder (Windows) have nothing to flush
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def publish(tmp: Path, path: Path) -> None:
    """Fsync ``tmp``, give it ordinary permissions and rename it onto ``path`` (atomic on
    POSIX), then fsync the folder."""
    fsync_file(tmp)
    os.chmod(tmp, ordinary_mode())
    os.replace(tmp, path)
    fsync_dir(Path(path).parent)


def failed_write(path, err: OSError) -> WriteError:
    """The error to raise when writing ``path`` failed: it names the target, never a
    temporary file (the reason is kept from ``err``)."""
    why = getattr(err, "why", None) or err.strerror or str(err) or err.__class__.__name__
    out = WriteError(f"cannot write {path}: {why}; check the folder (space, permissions) "
                     f"or choose another path")
    out.why = why
    return out


@contextlib.contextmanager
def atomic_path(path, suffix: str = ".tmp"):
    """Yield a temporary path to write; on success it replaces ``path``, else it is removed.

    An OSError while writing or renaming becomes a `WriteError` naming ``path``.
    """
    path = Path(path)
    tmp = None
    try:
        _clear_stale(path)
        tmp = temp_beside(path, suffix)
        yield tmp
        publish(tmp, path)
    except OSError as err:
        raise failed_write(path, err) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _clear_stale(path: Path) -> None:
    """Remove the temporaries that killed writers left for ``path`` (see `recover`)."""
    prefix = f".{path.name}.{_TAG}-"
    try:
        stale = [e.name for e in os.scandir(path.parent) if e.name.startswith(prefix)]
    except OSError:
        return  # no folder yet: nothing stale
    for name in stale:
        m = _PID.search(name[len(path.name) + 1:])
        if m is not None and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):  # a race with another cleaner is fine
                (path.parent / name).unlink()


def write_atomic(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# --- sets of files --------------------------------------------------------------------
def write_set(folder, names, write, *, force: bool = False, refuse=None) -> list[Path]:
    """Write the files ``names`` in ``folder`` as one set: all new, or all as before.

    Parameters
    ----------
    folder : path
        Target folder (created with its parents when missing; removed again on failure
        when this call created it).
    names : list of str
        Base names of the set's files.
    write : callable
        ``write(stage)`` writes every file of ``names`` into the folder ``stage``.
    force : bool
        Replace existing files that differ from the new ones. Files identical to what
        would be written are left untouched either way.
    refuse : callable, optional
        ``refuse(paths)`` raises the caller's error for existing, differing ``paths``
        when ``force`` is false (default: an `OutputError` naming ``--force``).

    Returns
    -------
    list of Path
        The set's files, in the order of ``names``.
    """
    folder = Path(folder)
    made, stage = [], None
    try:
        made = _make_folder(folder)
        with _locked(folder):
            recover(folder)
        stage = Path(tempfile.mkdtemp(dir=folder, prefix=f"{_STAGE}{os.getpid()}-"))
        write(stage)
        with _locked(folder):  # two writers into one folder switch over one after the other
            changed = _changed(stage, folder, names)
            clash = [folder / n for n in changed if (folder / n).exists()]
            if clash and not force:
                (refuse or _refuse)(clash)
            _commit(stage, folder, changed)
            stage = None
    except OSError as err:
        raise failed_write(", ".join(str(folder / n) for n in names), err) from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if made:
            _remove_empty(folder, made)
    return [folder / n for n in names]


@contextlib.contextmanager
def _locked(folder: Path):
    """An advisory lock on the folder itself (no lock file is left behind); a no-op where
    folders cannot be locked."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _refuse(paths):
    raise OutputError(f"{', '.join(map(str, paths))} exist(s) and differ(s) from the new "
                      f"file(s); pass --force to overwrite")


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created (innermost first)."""
    made = [p for p in [folder, *folder.parents] if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return made


def _remove_empty(folder: Path, made: list[Path]) -> None:
    """Remove the folders this call created, if the set did not land in them."""
    for p in made:
        try:
            p.rmdir()
        except OSError:
            return  # not empty: the set is there (or something else is)


def _changed(stage: Path, folder: Path, names) -> list[str]:
    """The staged files that differ from the folder's (or are new), fsynced."""
    missing = [n for n in names if not (stage / n).is_file()]
    if missing:
        raise FileNotFoundError(2, "set file not written", str(folder / missing[0]))
    changed = []
    for n in names:
        if _same(stage / n, folder / n):
            (stage / n).unlink()
        else:
            fsync_file(stage / n)
            os.chmod(stage / n, ordinary_mode())
            changed.append(n)
    for extra in set(os.listdir(stage)) - set(changed):
        _remove(stage / extra)  # a writer's leftovers (none expected)
    fsync_dir(stage)
    return changed


def _same(new: Path, old: Path) -> bool:
    if not old.is_file() or old.stat().st_size != new.stat().st_size:
        return False
    return old.read_bytes() == new.read_bytes()


def _commit(stage: Path, folder: Path, changed) -> None:
    """Rename the stage to a commit folder (the commit point), then move its files out."""
    if not changed:
        stage.rmdir()  # nothing to switch: every file is as it was
        return
    commit = folder / (_COMMIT + stage.name[len(_STAGE):])  # same PID and random part
    os.rename(stage, commit)
    fsync_dir(folder)
    _roll_forward(commit, folder)


def _roll_forward(commit: Path, folder: Path) -> None:
    for name in sorted(os.listdir(commit)):
        os.replace(commit / name, folder / name)
    fsync_dir(folder)
    commit.rmdir()
    fsync_dir(folder)


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def recover(folder) -> list[str]:
    """Finish what killed writers left in ``folder``: complete committed sets, remove
    stages and temporary files. Entries of live processes are left alone.

    Returns the names handled (empty when there was nothing to do or no permission).
    """
    folder = Path(folder)
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    done = []
    for name in entries:
        m = _PID.search(name)
        if not name.startswith(".") or m is None or _alive(int(m.group(1))):
            continue
        try:
            if name.startswith(_COMMIT):
                _roll_forward(folder / name, folder)
            else:
                _remove(folder / name)
        except OSError:
            continue  # read-only folder or a race with another recover: leave it
        done.append(name)
    if done:
        fsync_dir(folder)
    return done
