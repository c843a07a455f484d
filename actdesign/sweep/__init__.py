"""Parameter sweeps on dask.distributed: design, fit and gallery grids from a TOML file.

>>> from actdesign.sweep import run_sweep
>>> summary = run_sweep("study.toml", "results", scheduler="local")  # doctest: +SKIP

Each grid point is a task with a stable key; finished tasks are appended to
``<out>/results.jsonl`` one JSON line each, so a rerun (after a crash or an interrupt)
skips what is recorded. Failures are recorded per task and do not stop the sweep.
dask is needed only to run (``pip install 'actdesign[dask]'``); reading and checking a
configuration is light.

Convention: F[phi](k) = ∫ phi(z) e^{-ikz} dz (angular frequency).
"""

from ._config import SweepConfig as SweepConfig
from ._config import SweepConfigError as SweepConfigError
from ._config import Task as Task
from ._config import load_config as load_config
from ._config import task_key as task_key
from ._run import SweepError as SweepError
from ._run import SweepSummary as SweepSummary
from ._run import run_sweep as run_sweep
from ._store import read_results as read_results
