"""Which implementation of the whole-population passes a run uses: plain numpy, or
the numba-compiled kernels beside them (`submodels/*_compiled.py`).

Both give the same numbers bit for bit (tests/test_compiled_kernels.py), so the
choice is about speed only and is not part of a configuration (it changes no
output and no config hash). The compiled kernels save numpy calls and array
passes: below `COMPILED_MIN_RESIDENTS` they still save 0.06-0.2 ms a day (10^3-10^4
residents), but a single small run would not win back numba's import and cache load
(0.3-0.5 s, benchmarks/README.md). A process that goes on to run
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
# From here a run of a few hundred days repays numba's load (the saving below: ~0.9 ms
# a day at 5 x 10^4 residents).
COMPILED_MIN_RESIDENTS = 50_000
# Splitting a pass over threads pays only when each call is long and the cores are
# free: at 10^6 residents on an idle machine it halves the pass (2 cores), but with
# the other core busy a 10^5 pass ran 3x slower split than whole (measured here).
THREADS_MIN_RESIDENTS = 1_000_000
# Ski rental: a process of small models switches to the compiled kernels once the
# time they would have saved it so far equals numba's load (0.4 s from its cache,
# measured 2026-12-01), so it never spends more than twice the better choice's
# start-up. Their saving, measured the same day (benchmarks/README.md, "Compiled
# kernels"), is a fixed part per day (fewer numpy calls) plus a part per resident:
# 0.07 ms a day at 10^3 residents, 0.26 ms at 10^4. A sweep worker of 10^4-resident
# runs switches after ~1,500 days, in its second run.
LOAD_S = 0.4
SAVING_PER_DAY_S = 5.0e-5
SAVING_PER_RESIDENT_DAY_S = 2.1e-8
_forgone_s = 0.0  # what the compiled kernels would have saved this process so far
_planned = False  # whether work known to lie ahead repays the load (`plan`)


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
    worth_it = n_residents >= COMPILED_MIN_RESIDENTS or _forgone_s >= LOAD_S or _planned
    return worth_it and numba_available()


def saving_s(days: int, resident_days: float) -> float:
    """What the compiled kernels save over `days` simulated days that total `resident_days`."""
    return SAVING_PER_DAY_S * days + SAVING_PER_RESIDENT_DAY_S * resident_days


def plan(days: int, resident_days: float) -> None:
    """Say that this process is about to simulate `days` days totalling `resident_days`
    for certain (a task's runs, known in advance). If their saving alone repays numba's
    load there is no need to wait for it (ski rental with the stay known): models built
    from now on use the compiled kernels (`use_compiled`). A comparison's task of four
    10^4-resident runs that share a burn-in (3,100 days) does; one such run (910 days) does not."""
    global _planned
    _planned = _planned or saving_s(days, resident_days) >= LOAD_S


def numpy_day(n_residents: int) -> bool:
    """Count a day of `n_residents` simulated on the numpy kernels in this process;
    returns whether the model should use the compiled ones from now on (`use_compiled`).
    Switching mid-run is safe: both give the same numbers, bit for bit."""
    global _forgone_s
    _forgone_s += saving_s(1, n_residents)
    return _forgone_s >= LOAD_S and use_compiled(n_residents)


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
