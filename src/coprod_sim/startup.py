"""Start-up of a process: imports made without the cyclic garbage collector.

Importing Mesa, pandas, scipy and matplotlib makes hundreds of thousands of objects
that live as long as the process, and the collector traverses them again and again
while they are being made. In a 5-day run of 1,000 residents that was about 0.4 s of
1.75 s: three full collections and ~400 young ones, timed with `gc.callbacks`
(issue 14). So the command line and each worker process import what their work
needs with the collector paused, then `gc.freeze()` moves everything alive into the
permanent generation, which later collections skip. The price: the few garbage
cycles made during those imports are never freed.

Only whole processes do this (the `coprod-sim` command in `__main__.py`, pool workers):
a library caller's process keeps the collector exactly as it had it.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from contextlib import contextmanager

# What a command that simulates needs, beyond the command line itself: the model
# and its outputs (pandas writes Parquet with pyarrow, figures are drawn with Agg).
SIMULATION_MODULES = (
    "coprod_sim.runs",
    "coprod_sim.figures",
    "matplotlib.backends.backend_agg",
    "pyarrow.parquet",
)
COMMAND_MODULES = {
    "run": SIMULATION_MODULES,
    "compare": (*SIMULATION_MODULES, "coprod_sim.compare", "coprod_sim.figures_compare"),
    "sweep": (*SIMULATION_MODULES, "coprod_sim.sweeps.runner"),
    "calibrate": SIMULATION_MODULES,
}
WORKER_MODULES = ("coprod_sim.runs",)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without the cyclic collector, then freeze what is alive."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def import_quietly(modules: tuple[str, ...]) -> None:
    """Import `modules` with the collector paused (see the module's docstring)."""
    with collector_paused():
        for name in modules:
            importlib.import_module(name)
