"""Run independent tasks on a local process pool (spawn context), with progress.

A pool of spawned processes, not fork: with dask's threads alive fork-based pools
can deadlock, and spawn behaves the same on every platform. One worker runs
in-process (no pool start-up, easy to debug).

Workers never outlive the command. When it stops early (Ctrl-C, SIGTERM,
SIGHUP, an error) the parent terminates them without waiting for their tasks.
If the parent dies without a word (SIGKILL), each worker notices at once: it
holds the read end of a pipe whose only write end the parent held, and exits
when it reads end-of-file (a worker still importing at that moment exits as
soon as it is up). Ctrl-C reaches the whole process group, so workers ignore
SIGINT and leave the decision to the parent.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext, suppress
from multiprocessing import active_children, get_context
from multiprocessing.connection import Connection

from tqdm import tqdm

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread so the command unwinds as for
    Ctrl-C: workers are stopped, half-built output folders removed, locks released."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def interrupted_status(e: KeyboardInterrupt) -> int:
    """Exit status of a command stopped by a signal: 128 + its number (130 for Ctrl-C)."""
    return 128 + getattr(e, "signum", signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Stopped` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_stopped(signum, frame):
        raise Stopped(signum)

    previous = {s: signal.signal(s, raise_stopped) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done, then act on the first
    that came (main thread only: elsewhere Python runs no signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in (signal.SIGINT, *STOP_SIGNALS)
    }
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if caught:
        handler = previous[caught[0]]
        if callable(handler):
            handler(caught[0], None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(caught[0])


def default_workers(n_tasks: int) -> int:
    return max(1, min(n_tasks, os.cpu_count() or 1))


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A spawn process pool whose workers end with the block if it fails or is
    interrupted (without waiting for their tasks), and with this process if it dies.
    UnguardedMainError (before any worker starts) when called from a script's top level
    outside its `__main__` guard, where every worker would re-run the script."""
    from .main_guard import check_main_guard

    check_main_guard()
    ctx = get_context("spawn")
    lifeline, keep_alive = ctx.Pipe(duplex=False)
    others = set(active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker, initargs=(lifeline,))
    try:
        yield pool
    except BaseException:
        keep_alive.close()
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in set(active_children()) - others:
            worker.terminate()
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        keep_alive.close()
        lifeline.close()


def _start_worker(lifeline: Connection) -> None:
    from .startup import WORKER_MODULES, import_quietly

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import_quietly(WORKER_MODULES)  # (a fresh process: the model's imports, without the collector)
    threading.Thread(target=_exit_with_parent, args=(lifeline,), name="lifeline", daemon=True).start()


def _exit_with_parent(lifeline: Connection) -> None:
    with suppress(EOFError, OSError):
        lifeline.recv()  # the parent never sends: this returns only at end-of-file
    os._exit(1)


def run_tasks(
    fn: Callable,
    tasks: Iterable,
    *,
    workers: int = 1,
    desc: str = "runs",
    progress: bool = True,
    pool: ProcessPoolExecutor | None = None,
) -> list:
    """Apply `fn` to every task; results come back in task order. `pool`: run them on this
    `worker_pool` (kept open by the caller for more work) instead of one of their own."""
    tasks = list(tasks)
    # disable=None: tqdm shows the bar on a terminal and stays quiet in logs and CI
    bar = tqdm(
        total=len(tasks),
        desc=desc,
        unit="run",
        disable=True if (not progress or len(tasks) <= 1) else None,
        leave=False,
    )
    results: list = [None] * len(tasks)
    try:
        if pool is None and (workers <= 1 or len(tasks) <= 1):
            for i, t in enumerate(tasks):
                results[i] = fn(t)
                bar.update()
            return results
        with nullcontext(pool) if pool is not None else worker_pool(workers) as pool:
            futures = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update()
        return results
    finally:
        bar.close()
