"""Memory budgets: refuse a run whose estimated peak exceeds it, before allocating.

Every command that can allocate more than the machine holds (fit, swim, spectrum,
adaptive, the gallery) estimates its peak from the sizes it was given and calls
`check`, so a request that cannot fit ends in one line naming the estimate, the
budget and the fix, instead of a MemoryError traceback (or the kernel's OOM killer).

The budget is ``max_memory`` where a caller passes one, else the environment variable
``ACTDESIGN_MAX_MEMORY`` (e.g. ``16GB``), else the memory available now: MemAvailable,
capped by the container's cgroup limit.
"""

from __future__ import annotations

import os
import re

from ._errors import MemoryEstimateError

ENV = "ACTDESIGN_MAX_MEMORY"
_UNITS = {
    "": 1,
    "b": 1,
    "k": 2**10,
    "kb": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "t": 2**40,
    "tb": 2**40,
}
# cgroup v2 and v1 limit and usage files (a container's own memory, not the host's)
_CGROUP = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def parse_size(text) -> int:
    """Bytes from a number or a string like ``"4GB"``, ``"512M"`` (binary units)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise MemoryEstimateError(f"cannot read memory size {text!r}; write e.g. 4GB or 512MB")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def available_bytes() -> int:
    """Memory available now: MemAvailable (Linux) capped by a cgroup limit, else 4 GiB."""
    avail = _meminfo_available()
    room = _cgroup_room()
    if avail is None and room is None:
        return 4 * 2**30  # not Linux: a conservative guess
    return min(v for v in (avail, room) if v is not None)


def _meminfo_available():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room():
    for limit_file, usage_file in _CGROUP:
        try:
            with open(limit_file) as fh:
                limit = fh.read().strip()
            with open(usage_file) as fh:
                usage = int(fh.read().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or not limit.isdigit() or int(limit) >= 2**60:
            return None  # no limit set (v1 writes a huge number)
        return max(int(limit) - usage, 0)
    return None


def budget(max_memory=None) -> int:
    """The budget in bytes: ``max_memory``, else ``$ACTDESIGN_MAX_MEMORY``, else available."""
    if max_memory is not None:
        return parse_size(max_memory)
    env = os.environ.get(ENV, "").strip()
    if env:
        return parse_size(env)
    return available_bytes()


def check(est, max_memory=None, *, what: str, fix: str) -> None:
    """Refuse (MemoryEstimateError, one line) if ``est`` bytes exceed the budget.

    Parameters
    ----------
    est : int or float
        Estimated peak bytes.
    max_memory : int, str or None
        Budget (see `budget`).
    what : str
        The run, e.g. ``"a spectrum of 1e11 samples"``.
    fix : str
        How to shrink the run or raise the budget, e.g. ``"use a smaller --n"``.
    """
    cap = budget(max_memory)
    if est > cap:
        raise MemoryEstimateError(
            f"estimated peak memory {est / 2**30:.2f} GiB for {what} exceeds the "
            f"{cap / 2**30:.2f} GiB available; {fix}"
        )


def env_fix(shrink: str) -> str:
    """The fix text of commands whose budget is set by the environment variable."""
    return f"{shrink}, or raise the budget with {ENV}=SIZE (e.g. {ENV}=16GB)"
