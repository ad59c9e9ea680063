"""Checks, before a sweep starts, that its runs can reach spawned worker processes.

The local pool spawns fresh Python processes. Each one imports the main script
again (under the name `__mp_main__`) to find what it is sent, so a script that
starts the sweep at its top level without an ``if __name__ == "__main__":``
guard would start the sweep again in every worker; multiprocessing then stops
the worker, and every run would look like a crashed worker. A run function the
workers cannot import (defined in a notebook or `python -c`, a lambda, a
closure) breaks the same way. Both are found here and named as such.
"""

from __future__ import annotations

import ast
import inspect
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

from .spec import SweepError

GUARD = 'if __name__ == "__main__":'


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


def unguarded_main_line() -> int | None:
    """The line of the main script's top-level code that led to this call when
    it is not under the `__main__` guard (None: guarded, or no script file)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return None
    frame = inspect.currentframe()
    while frame is not None and not (frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>"):
        frame = frame.f_back
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (guarded := _guarded_branch(node)) and _spans(guarded, line):
            return None
    return line


def _guarded_branch(node: ast.If) -> list[ast.stmt]:
    """The statements of `node` that run only in the main process (none if it is not a guard)."""
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return []
    sides = {_text(test.left), _text(test.comparators[0])}
    if sides != {"__name__", "'__main__'"}:
        return []
    if isinstance(test.ops[0], ast.Eq):
        return node.body
    return node.orelse if isinstance(test.ops[0], ast.NotEq) else []


def _text(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return repr(node.value) if isinstance(node, ast.Constant) else ""


def _spans(body: list[ast.stmt], line: int) -> bool:
    return bool(body) and body[0].lineno <= line <= (body[-1].end_lineno or body[-1].lineno)
