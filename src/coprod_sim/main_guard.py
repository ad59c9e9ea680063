"""Whether the main script started worker processes from under its `__main__` guard.

The process pools (`parallel.worker_pool`) spawn fresh Python processes. Each one
imports the main script again (under the name `__mp_main__`) to find what it is
sent, so a script that starts a comparison, a set of replicates or a sweep at its
top level without an ``if __name__ == "__main__":`` guard would start it again in
every worker; multiprocessing then stops the worker, and the caller sees only a
broken pool. This module finds the unguarded line so the error can name it.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

GUARD = 'if __name__ == "__main__":'


class UnguardedMainError(RuntimeError):
    """Worker processes were to be started from a script's unguarded top level."""


def check_main_guard() -> None:
    """UnguardedMainError when this call comes from the main script's top level outside the guard."""
    line = unguarded_main_line()
    if line is not None:
        script = sys.modules["__main__"].__file__
        raise UnguardedMainError(
            f"{script}, line {line}: worker processes are started at the script's top level without an"
            f" `{GUARD}` guard; each one re-imports the script and would start them again. Put the call"
            " under the guard, or run with one worker (workers=1)"
        )


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
