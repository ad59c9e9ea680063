"""Parameter sweeps and sensitivity analysis.

spec.py      sweep files ([sweep], [parameters]) and their validation
design.py    grid / LHS / Sobol / Morris points and the run table (run ids, seeds)
executors.py where runs execute: local spawn pool (default) or Dask; a run under each policy
workers.py   checks that a sweep's runs can reach spawned workers (the __main__ guard)
results.py   what a run (the model's, or a run_fn) may return, checked before it is written
runner.py    the client loop: resume, failures, progress, writing results
store.py     the output folder (atomic run files, design, failures, CSV copies)
analysis.py  results table, levels and paired differences, the analysis folder
indices.py   Sobol / Morris / Spearman / eta2 indices with their intervals
checks.py    correlated design columns, policy knobs with no effect by construction
figures.py   the analysis figures
console.py   what `analyze` prints
cli.py       the `sweep` and `analyze` subcommands
"""

from .spec import SweepError, read_spec, resolve_sweep  # noqa: F401
