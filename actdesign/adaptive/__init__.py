"""The adaptive regime (seed 001 §IV): moving zero-planes, the V_t field, pinning, clusters.

A shallow ReLU network with every layer trained (`train`) is recorded as a
`Trajectory` of its parameters; in Radon-spline coordinates each neuron is
``mu relu(xi . x - gamma)`` (theory.md §1). The tools here measure what happens to the
zero-planes ``xi . x = gamma`` outside the kernel regime:

* `velocity` / `field_on_grid`: the field V_t(xi, gamma) that moves planes,
  its sinks, and `pinned` planes through data points;
* `cluster_history`: hierarchical-clustering counts of planes over training;
* `drift_vs_width`: the kernel-limit check, movement ∝ width^(-1/2);
* `summarize` and `plot_run`: the JSON record and the figure of a run.

The step-size ratio ``regime`` moves a run from the kernel regime (0, or 1 at large width)
to the adaptive one (>> 1); see `TrainConfig`. torch and matplotlib load only when
a run trains or plots. Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (``actdesign.CONVENTION``).
"""

from ._clusters import activation_patterns as activation_patterns
from ._clusters import cluster_count as cluster_count
from ._clusters import cluster_history as cluster_history
from ._clusters import cuts_data as cuts_data
from ._clusters import pattern_similarity as pattern_similarity
from ._clusters import plane_distance as plane_distance
from ._drift import DriftResult as DriftResult
from ._drift import drift_vs_width as drift_vs_width
from ._drift import plane_drift as plane_drift
from ._errors import AdaptiveError as AdaptiveError
from ._field import VelocityField as VelocityField
from ._field import distance_to_data as distance_to_data
from ._field import field_on_grid as field_on_grid
from ._field import neuron_velocity as neuron_velocity
from ._field import pinned as pinned
from ._field import sinks_on_data as sinks_on_data
from ._field import velocity as velocity
from ._plot import plot_run as plot_run
from ._record import Trajectory as Trajectory
from ._record import predict as predict
from ._summary import pinned_fraction as pinned_fraction
from ._summary import rate_ratio as rate_ratio
from ._summary import sink_summary as sink_summary
from ._summary import summarize as summarize
from ._train import TrainConfig as TrainConfig
from ._train import check_run_memory as check_run_memory
from ._train import initial_parameters as initial_parameters
from ._train import run_estimate as run_estimate
from ._train import train as train
