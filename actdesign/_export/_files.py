"""Write the generated modules to disk: all or nothing, never over a file without force."""

from __future__ import annotations

from pathlib import Path

from ..infra._errors import SpecError
from ..infra.files._atomic import failed_write, publish, temp_beside


def write_all(texts: dict, force: bool) -> list[Path]:
    """Write ``{path: text}`` atomically; refuse existing files unless ``force``.

    Every file is first written to a temporary file next to its target, and only when
    all of them are complete are they renamed into place, so a failure leaves no
    partial or half-written export behind; if a rename fails, the files this call had
    already created are removed again.
    """
    paths = [Path(p) for p in texts]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise SpecError(f"{names} already exist(s); pass force=True (CLI: --force) to overwrite")
    temps, created, path = {}, [], None
    try:
        for path, text in zip(paths, texts.values()):
            temps[path] = temp_beside(path)
            temps[path].write_text(text, encoding="utf-8")
        for path, tmp in temps.items():
            new = not path.exists()
            publish(tmp, path)
            if new:
                created.append(path)
    except OSError as err:
        for done in created:
            done.unlink(missing_ok=True)
        raise failed_write(path, err) from None
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    return paths
