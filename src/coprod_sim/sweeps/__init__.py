"""Parameter sweeps and sensitivity analysis.

spec.py      sweep files ([sweep], [parameters]) and their validation
design.py    grid / LHS / Sobol / Morris points and the run table (run ids, seeds)
executors.py where runs execute: local spawn pool (default) or Dask
runner.py    the client loop: resume, failures, progress, writing results
store.py     the output folder (atomic run files, design, failures)
analysis.py  results table, SALib indices and figures
cli.py       the `sweep` and `analyze` subcommands
"""

from .spec import SweepError, read_spec, resolve_sweep  # noqa: F401
