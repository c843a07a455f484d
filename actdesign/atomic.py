"""Atomic file writes: a temporary file beside the target, then a rename; sets of files
staged in a temporary folder and switched over through a commit folder.

Every file actdesign writes (specs, exports, predictions, figures, gallery pages) goes
through here, so a crash or a full disk never leaves a half-written file, and a file
that existed before is either replaced whole or left as it was. Temporary files are
fsynced before the rename and the folder after it, so a power cut cannot publish an
empty file. Files get the usual permissions (0666 less the umask), not the private
0600 of a temporary file.

A *set* of files (``make``'s spec, exports and plot) is written by `write_set`:
every file is staged in ``.actdesign-stage-PID-*`` inside the target folder, fsynced,
and the stage is renamed to ``.actdesign-commit-PID-*`` -- one atomic rename that is the
commit point -- before its files are moved onto their targets. A process killed before
the commit leaves the old set (and a stale stage); killed after it, the commit folder
holds the rest of the new set. `recover`, run by every later write into the folder
and by `actdesign.load`, removes stale stages and temporary files and completes
committed sets, so the folder then holds the old set or the new set, never a mix.
"""

# the implementation lives with the infrastructure stage (actdesign/infra/files/_atomic.py),
# which every stage may import; this module is its public name
from .infra.files._atomic import (
    __all__ as __all__,
)
from .infra.files._atomic import (
    atomic_path as atomic_path,
)
from .infra.files._atomic import (
    failed_write as failed_write,
)
from .infra.files._atomic import (
    ordinary_mode as ordinary_mode,
)
from .infra.files._atomic import (
    publish as publish,
)
from .infra.files._atomic import (
    recover as recover,
)
from .infra.files._atomic import (
    temp_beside as temp_beside,
)
from .infra.files._atomic import (
    write_atomic as write_atomic,
)
from .infra.files._atomic import (
    write_set as write_set,
)
