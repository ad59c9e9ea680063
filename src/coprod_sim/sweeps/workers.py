"""Checks, before a sweep starts, that its runs can reach spawned worker processes.

The local pool spawns fresh Python processes. Each one imports the main script
again (under the name `__mp_main__`) to find what it is sent, so a script that
starts the sweep at its top level without an ``if __name__ == "__main__":``
guard would start the sweep again in every worker; multiprocessing then stops
the worker, and every run would look like a crashed worker. A run function the
workers cannot import (defined in a notebook or `python -c`, a lambda, a
closure) breaks the same way. Both are named here as such, in the sweep's terms
(`main_guard` finds the unguarded line; every process pool checks it too).
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable

from ..main_guard import GUARD, unguarded_main_line
from .spec import SweepError


def check_for_spawned_workers(run_fn: Callable | None) -> None:
    """SweepError when a spawned worker could not run this sweep's tasks."""
    line = unguarded_main_line()
    if line is not None:
        script = sys.modules["__main__"].__file__
        raise SweepError(
            f"{script}, line {line}: the sweep is started at the script's top level without an `{GUARD}` guard;"
            " the worker processes re-import the script and would start it again. Put the call under the guard"
            " (see docs/howto-sweeps.md, section 8), or run with one worker"
        )
    if run_fn is None:
        return
    name = getattr(run_fn, "__qualname__", repr(run_fn))
    if getattr(run_fn, "__module__", None) == "__main__" and getattr(sys.modules["__main__"], "__file__", None) is None:
        raise SweepError(
            f"run_fn {name} is defined in an interactive session (a notebook, python -c): worker processes cannot"
            " import it; define it in a .py module and import it from there, or run with one worker"
        )
    try:
        pickle.dumps(run_fn)
    except Exception as e:  # noqa: BLE001 - pickle raises several types for the same problem
        raise SweepError(
            f"run_fn {name} cannot be sent to worker processes ({type(e).__name__}: {e}); define it with `def` at"
            " the top level of a module, or run with one worker"
        ) from None
