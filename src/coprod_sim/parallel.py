"""Run independent tasks on a local process pool (spawn context), with progress.

A pool of spawned processes, not fork: with dask's threads alive fork-based pools
can deadlock, and spawn behaves the same on every platform. One worker runs
in-process (no pool start-up, easy to debug).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Callable, Iterable

from tqdm import tqdm


def default_workers(n_tasks: int) -> int:
    return max(1, min(n_tasks, os.cpu_count() or 1))


def run_tasks(fn: Callable, tasks: Iterable, *, workers: int = 1, desc: str = "runs", progress: bool = True) -> list:
    """Apply `fn` to every task; results come back in task order."""
    tasks = list(tasks)
    # disable=None: tqdm shows the bar on a terminal and stays quiet in logs and CI
    bar = tqdm(total=len(tasks), desc=desc, unit="run", disable=True if (not progress or len(tasks) <= 1) else None, leave=False)
    results: list = [None] * len(tasks)
    try:
        if workers <= 1 or len(tasks) <= 1:
            for i, t in enumerate(tasks):
                results[i] = fn(t)
                bar.update()
            return results
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update()
        return results
    finally:
        bar.close()
