"""The output folder every example script writes to, chosen one way for all of them."""

from __future__ import annotations

import os
from pathlib import Path


def out_dir(arg=None) -> Path:
    """The argument, else $ACTDESIGN_EXAMPLES_OUT, else examples/out/ (created).

    ``$ACTDESIGN_GALLERY_OUT``, the name from before the scripts moved to examples/, still works.
    """
    path = Path(arg or os.environ.get("ACTDESIGN_EXAMPLES_OUT")
                or os.environ.get("ACTDESIGN_GALLERY_OUT")
                or Path(__file__).resolve().parent / "out")
    path.mkdir(parents=True, exist_ok=True)
    return path
