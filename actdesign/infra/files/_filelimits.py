"""Bounded reading of user-editable JSON and TOML files (specs, sweep configs, caches).

``json`` and ``tomllib`` recurse once per nesting level, so a hand-edited or hostile file
nested 50 000 deep ends in RecursionError (a 3 000-line traceback) before any schema check
can run. The text is therefore checked first: its size, then its bracket depth by a scan
that skips strings and comments, and only then parsed. Limits are data (``LIMITS``).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .._errors import ActdesignError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int


# a spec holds at most a tabulation of ~1e5 knots (a few MB); configs are hand-written
LIMITS = {
    "spec": Limits(64 * 2**20, 32),
    "sweep config": Limits(2**20, 32),
    "cache": Limits(64 * 2**20, 32),
}

_OPEN, _CLOSE = "[{", "]}"


_SPECIAL = {"json": re.compile(r'[\[\]{}"]'), "toml": re.compile(r"[\[\]{}\"'#]")}


def nesting_depth(text: str, syntax: str) -> int:
    """Deepest bracket nesting of ``text`` ("json" or "toml"), strings and comments skipped.

    The scan jumps from one bracket, quote or comment sign to the next (a regex search),
    so a 10 MB tabulation is scanned in a fraction of its parse time. TOML table headers
    ([a.b], [[a]]) are counted like arrays, which over-counts by one or two at most; the
    limits leave room for that.
    """
    special = _SPECIAL[syntax]
    depth = top = 0
    i = 0
    while (m := special.search(text, i)) is not None:
        c, i = m.group(), m.start()
        if c in _OPEN:
            depth += 1
            top = max(top, depth)
        elif c in _CLOSE:
            depth -= 1
        elif c == "#":
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
        else:
            i = _string_end(text, i, c)
        i += 1
    return top


def _string_end(text: str, i: int, quote: str) -> int:
    """Index of the closing quote of the string opening at ``i`` (multi-line TOML too)."""
    triple = text.startswith(quote * 3, i)
    j = i + (3 if triple else 1)
    stop = _string_stop(quote, triple)
    while (m := stop.search(text, j)) is not None:
        if m.group().startswith("\\"):
            j = m.end()  # an escaped character (\" or \\)
            continue
        return m.end() - 1 if m.group() != "\n" else m.start()  # unterminated at a newline
    return len(text)


@functools.lru_cache(maxsize=4)
def _string_stop(quote: str, triple: bool):
    """What ends a string's scan: its closing delimiter, an escape (skipped; basic strings
    only), or a newline (single-line strings; unterminated, left to the parser)."""
    delim = quote * 3 if triple else quote
    return re.compile(("\\\\.|" if quote == '"' else "") + re.escape(delim)
                      + ("" if triple else "|\n"), re.S)


def read_text(path, kind: str, error=ActdesignError, fix: str = "") -> str:
    """The file's text after the size and depth checks for ``kind`` (a key of LIMITS)."""
    path = Path(path)
    lim = LIMITS[kind]
    hint = f"; {fix}" if fix else ""
    try:
        size = path.stat().st_size
        if size > lim.max_bytes:
            raise error(f"{kind} {path} is {size} bytes, over the {lim.max_bytes}-byte limit"
                        f"{hint}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{kind} {path} not found; check the path") from None
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"cannot read {kind} {path}: {err}{hint}") from None
    syntax = "toml" if path.suffix.lower() == ".toml" or kind == "sweep config" else "json"
    depth = nesting_depth(text, syntax)
    if depth > lim.max_depth:
        raise error(f"{kind} {path} nests {depth} levels deep, over the limit of "
                    f"{lim.max_depth}{hint}")
    return text


def load_json(path, kind: str, error=ActdesignError, fix: str = ""):
    """json.loads of a bounded file; malformed JSON raises ``error`` in one line."""
    text = read_text(path, kind, error, fix)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:  # JSONDecodeError is a ValueError
        raise error(f"{path} is not valid JSON ({err}){'; ' + fix if fix else ''}") from None


def load_toml(path, kind: str, error=ActdesignError, fix: str = ""):
    """tomllib.loads of a bounded file; malformed TOML raises ``error`` in one line."""
    text = read_text(path, kind, error, fix)
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        raise error(f"{path} is not valid TOML ({err}){'; ' + fix if fix else ''}") from None
