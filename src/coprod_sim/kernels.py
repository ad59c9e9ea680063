"""Which implementation of the whole-population passes a run uses: plain numpy, or
the numba-compiled kernels beside them (`submodels/*_compiled.py`).

Both give the same numbers bit for bit (tests/test_compiled_kernels.py), so the
choice is about speed only and is not part of a configuration (it changes no
output and no config hash). The compiled kernels pay off once the arrays outgrow
the caches; below `COMPILED_MIN_RESIDENTS` they still save some 10-20 ns a
resident-day, but a single small run would not win back numba's import and cache
load (0.3-0.5 s, benchmarks/README.md). A process that goes on to run
many small models (a sweep's, a comparison's or a calibration's workers) switches
to them once its work shows they will pay: `numpy_day`.

`COPROD_SIM_KERNELS` overrides the choice: `auto` (default), `numpy` or `compiled`.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import threading

ENV_VAR = "COPROD_SIM_KERNELS"
CHOICES = ("auto", "numpy", "compiled")
# Measured (benchmarks/README.md, "Compiled kernels"): at 10^4 residents the
# compiled trust pass saves ~0.1 ms a day, less than numba's start-up over a run.
COMPILED_MIN_RESIDENTS = 50_000
# Splitting a pass over threads pays only when each call is long and the cores are
# free: at 10^6 residents on an idle machine it halves the pass (2 cores), but with
# the other core busy a 10^5 pass ran 3x slower split than whole (measured here).
THREADS_MIN_RESIDENTS = 1_000_000
# Ski rental: once a process has simulated this many resident-days on numpy, it uses
# the compiled kernels from then on. Numba's load (0.3-0.5 s with its cache, measured in
# two sessions) equals the saving of 3-5e7 resident-days at ~10 ns each (10^4 residents: 0.84 vs
# 0.74 ms a day), so a process never spends more than twice the better choice's
# start-up; a sweep worker switches after about five runs of 10^4 residents x 910 days.
SWITCH_AFTER_RESIDENT_DAYS = 5e7
_numpy_resident_days = 0.0


def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


def use_compiled(n_residents: int) -> bool:
    """Whether a model of `n_residents` uses the compiled kernels."""
    choice = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"{ENV_VAR}={choice!r} is not allowed; use one of {', '.join(CHOICES)}")
    if choice == "numpy":
        return False
    if choice == "compiled":
        if not numba_available():
            raise ValueError(f"{ENV_VAR}=compiled needs numba, which is not installed (pip install numba)")
        return True
    worth_it = n_residents >= COMPILED_MIN_RESIDENTS or _numpy_resident_days >= SWITCH_AFTER_RESIDENT_DAYS
    return worth_it and numba_available()


def numpy_day(n_residents: int) -> bool:
    """Count a day of `n_residents` simulated on the numpy kernels in this process;
    returns whether the model should use the compiled ones from now on (`use_compiled`).
    Switching mid-run is safe: both give the same numbers, bit for bit."""
    global _numpy_resident_days
    _numpy_resident_days += n_residents
    return _numpy_resident_days >= SWITCH_AFTER_RESIDENT_DAYS and use_compiled(n_residents)


def use_threads(n_residents: int) -> bool:
    """Multi-threaded kernels for large cities, only in the main thread of the main
    process: numba's default threading layer must not be entered from two threads at
    once (a dashboard's or a Dask worker's threads), and the workers of a process
    pool already use every core between them. `NUMBA_NUM_THREADS=1` switches them off."""
    return (
        n_residents >= THREADS_MIN_RESIDENTS
        and threading.current_thread() is threading.main_thread()
        and multiprocessing.parent_process() is None
    )
