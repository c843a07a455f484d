"""Atomic file writes: a temporary file beside the target, then a rename.

Every file actdesign writes (specs, exports, predictions, figures, gallery pages) goes
through here, so a crash or a full disk never leaves a half-written file, and a file
that existed before is either replaced whole or left as it was. Files get the usual
permissions (0666 less the umask), not the private 0600 of a temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_path", "ordinary_mode", "publish", "temp_beside", "write_atomic"]


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new, empty temporary file in ``path``'s folder (created with its parents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return Path(tmp)


def ordinary_mode(directory: bool = False) -> int:
    """The permissions a plain ``open`` or ``mkdir`` would give: 0666 / 0777 less the umask
    (mkstemp and mkdtemp make private 0600 / 0700 ones)."""
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def publish(tmp: Path, path: Path) -> None:
    """Give ``tmp`` ordinary permissions and rename it onto ``path`` (atomic on POSIX)."""
    os.chmod(tmp, ordinary_mode())
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path, suffix: str = ".tmp"):
    """Yield a temporary path to write; on success it replaces ``path``, else it is removed."""
    path = Path(path)
    tmp = temp_beside(path, suffix)
    try:
        yield tmp
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
