"""Which implementation of the whole-population passes a run uses: plain numpy, or
the numba-compiled kernels beside them (`submodels/*_compiled.py`).

Both give the same numbers bit for bit (tests/test_compiled_kernels.py), so the
choice is about speed only and is not part of a configuration (it changes no
output and no config hash). The compiled kernels pay off once the arrays outgrow
the caches; below `COMPILED_MIN_RESIDENTS` numpy is as fast and a run skips
numba's import and cache load (about half a second, benchmarks/README.md).

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
    return n_residents >= COMPILED_MIN_RESIDENTS and numba_available()


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
