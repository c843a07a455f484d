"""Output paths, checked before anything is computed or written: one layer for every
command that writes (make, choose, fit, swim, spectrum, adaptive, gallery, sweep).

A path is refused, with one line naming the problem and the fix, when

- a parent on its way is a regular file (or the folder cannot be entered or written),
- its file name is longer than the filesystem allows (with room for the temporary
  name it is written through),
- it is a folder where a file is wanted, or two outputs of one call are the same file,
- it exists and ``force`` is false (``make`` and ``choose`` compare contents instead:
  `actdesign.infra.files._atomic.write_set` leaves identical files alone and refuses the rest).

Names given by the user (``--name``) are checked too: bounded length, and a name whose
file stem (`actdesign.infra._names.snake`) is empty would fall back to the
generic ``activation`` and collide with every other such name, so it is refused unless
it says ``activation`` itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import OutputError

NAME_CHARS = 100  # longest --name; its files stay far below the usual 255-byte NAME_MAX
# room for ".NAME.actdesign-PID-RANDOM.suffix", the temporary a file is written through
TEMP_EXTRA = 40
PATH_BYTES = 4000  # below Linux's 4096-byte PATH_MAX, with room for the temporary name


def check_name(name, option: str = "--name") -> str:
    """A user-given activation name, or OutputError (too long, or no usable letters)."""
    from .._names import FALLBACK, snake

    name = str(name)
    if len(name) > NAME_CHARS:
        raise OutputError(f"{option} is {len(name)} characters long; give at most {NAME_CHARS}")
    if snake(name) == FALLBACK and name.strip("_").lower() != FALLBACK:
        raise OutputError(
            f"{option} {name!r} has no ASCII letters or digits, so its files would get the "
            f"generic name {FALLBACK!r} and collide with other such names; use ASCII letters, "
            f"digits and underscores (or {FALLBACK!r} itself)")
    return name


def _nearest_existing(path: Path) -> Path:
    for p in [path, *path.parents]:
        if os.path.lexists(p):
            return p
    return Path(".")


def check_folder(folder, option: str = "--out") -> Path:
    """A folder that exists or can be created, or OutputError naming the obstacle."""
    folder = Path(folder)
    base = _nearest_existing(folder)
    if not base.is_dir():
        where = f"{folder} is" if base == folder else f"{base} (on the way to {folder}) is"
        raise OutputError(f"{option}: {where} a file, not a folder; choose another path")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(f"{option}: cannot create files in {base} (permission denied); "
                          f"choose another folder")
    return folder


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(_nearest_existing(folder), "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):
        return 255


def check_file(path, option: str = "--out") -> Path:
    """An output file whose folder is usable and whose name fits the filesystem."""
    path = Path(path)
    check_folder(path.parent, option)
    size, limit = len(os.fsencode(path.name)), _name_max(path.parent) - TEMP_EXTRA
    if size > limit:
        raise OutputError(f"{option}: the file name {path.name[:40]}... is {size} bytes; "
                          f"at most {limit} fit here; choose a shorter name")
    if len(os.fsencode(os.path.abspath(path))) > PATH_BYTES:
        raise OutputError(f"{option}: the path {str(path)[:40]}... is longer than "
                          f"{PATH_BYTES} bytes; choose a shorter path")
    if path.is_dir():
        raise OutputError(f"{option}: {path} is a folder; give a file path")
    return path


def check_outputs(paths, *, force: bool = False, option: str = "--out",
                  compare: bool = False) -> list[Path]:
    """Check the files one call will write.

    Parameters
    ----------
    paths : iterable of path
        Every file the call writes (None entries are skipped).
    force : bool
        Existing files may be replaced.
    option : str
        The CLI option the paths come from (named in messages).
    compare : bool
        Leave existing files to the writer, which replaces only those that would change
        (``make``: running it twice succeeds); otherwise any existing file is refused
        without ``force``.

    Raises
    ------
    OutputError
        For a bad parent, a too-long name, a folder in the way, two outputs that are
        the same file, or an existing file without ``force``.
    """
    paths = [check_file(p, option) for p in paths if p is not None]
    seen = {}
    for p in paths:
        key = os.path.normcase(os.path.abspath(p)).casefold()  # also case-insensitive disks
        if key in seen:
            raise OutputError(f"{seen[key]} and {p} would be the same file; "
                              f"choose different names")
        seen[key] = p
    existing = [str(p) for p in paths if os.path.lexists(p)]
    if existing and not force and not compare:
        raise OutputError(f"{', '.join(existing)} exist(s); pass --force to overwrite")
    return paths


def check_owned_folder(folder, marker: str, names, *, force: bool = False,
                       option: str = "--out", what: str = "output") -> Path:
    """A folder a command fills and updates itself (the gallery site): refused when it is
    in the way (see `check_folder`), or when it holds some of the entries ``names``
    the command writes but not ``marker``, the entry it leaves in every folder it owns
    (so those files are someone else's), unless ``force``."""
    folder = check_folder(folder, option)
    if force or not folder.is_dir() or (folder / marker).exists():
        return folder
    theirs = [str(folder / n) for n in names if os.path.lexists(folder / n)]
    if theirs:
        raise OutputError(f"{option}: {', '.join(theirs)} exist(s) and {folder} holds no "
                          f"{what}; choose a new or empty folder, or pass --force to "
                          f"overwrite")
    return folder
