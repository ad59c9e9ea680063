"""Where runs execute: a local spawn process pool (default) or a Dask cluster.

A task carries everything a run needs (base config, parameter values, seed,
replicate, days, outputs, the policies to compare); the worker applies the
values to the config, runs it (once per policy, on the same seed), checks the
table it returns (results.py) and sends it back, or the error it raised.
The *client* writes the files (see runner.py): one writer, no shared file
system needed between the cluster's nodes and the machine holding DIR, and
nothing is held longer than one result.

Both engines keep a bounded window of tasks in flight (a few per worker), so
memory stays flat however long the sweep.
"""

from __future__ import annotations

import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice

import pandas as pd

from ..config import Config, with_overrides
from ..parallel import worker_pool
from .results import check_result
from .spec import SweepError

WORKER_DIED = "a worker process died (out of memory or a crash in native code); the runs in flight were lost"


@dataclass(frozen=True)
class RunTask:
    """One run. A run function receives it with `config` holding the swept values
    (`params`) and, in a sweep with policies, `policy.name` = `policy`."""

    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict
    config: Config
    days: int
    outputs: str
    policies: tuple[str, ...] = ()  # [sweep] policies: the run is made once under each
    policy: str | None = None  # the policy of this call of the run function


@dataclass
class RunOutcome:
    run_id: str
    table: pd.DataFrame | None = None
    error: str | None = None
    traceback: str = ""
    seconds: float = 0.0  # wall time of the run in its worker
    cpu_seconds: float = 0.0  # CPU time of the run in its worker (tells contention from cost)


def simulate(task: RunTask) -> pd.DataFrame:
    """The default run function: the model at one design point and replicate
    (`task.config` already holds the point's values).

    outputs = "summary": the long period table of `metrics.period_values`
    (period, metric, group, value); "daily": the daily metrics table."""
    from ..runs import simulate as simulate_replicate

    return _output_table(simulate_replicate(task.config, task.seed, task.replicate, task.days).timeseries, task.outputs)


def _output_table(ts: pd.DataFrame, outputs: str) -> pd.DataFrame:
    from ..metrics import period_values

    if outputs == "daily":
        return ts
    return period_values(ts).drop(columns="replicate")


def execute(task: RunTask, run_fn: Callable[[RunTask], pd.DataFrame] | None = None) -> RunOutcome:
    """Run one task in a worker, under each of its policies in turn; an exception
    becomes an outcome, never a crash. The default run function runs the policies
    on one shared burn-in where they allow it (shared_burn_in; the same numbers)."""
    t0, c0 = time.perf_counter(), time.process_time()
    policy = None
    try:
        runs = []
        for policy in task.policies or (None,):
            runs.append(resolved(task, policy))
        policy = None
        shared = _simulate_policies(runs) if run_fn is None and len(runs) > 1 else None
        tables = []
        for i, run in enumerate(runs):
            policy = run.policy
            table = shared[i] if shared is not None else (run_fn or simulate)(run)
            table = check_result(table, task.outputs, replicate=task.replicate, seed=task.seed)
            tables.append(table if policy is None else with_policy(table, policy))
        table = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
        return RunOutcome(
            task.run_id, table=table, seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0
        )
    except Exception as e:  # noqa: BLE001 - recorded in failures.jsonl, the sweep goes on
        tb = traceback.format_exc(limit=-8)
        where = f"under policy {policy!r}: " if policy is not None else ""
        return RunOutcome(
            task.run_id,
            error=f"{where}{type(e).__name__}: {e}",
            traceback=tb,
            seconds=time.perf_counter() - t0,
            cpu_seconds=time.process_time() - c0,
        )


def _simulate_policies(runs: list[RunTask]) -> list[pd.DataFrame]:
    """`simulate(run)` for each run of one task (its policies), on a shared burn-in."""
    from ..runs import simulate_each

    first = runs[0]
    results = simulate_each([run.config for run in runs], first.seed, first.replicate, first.days)
    return [_output_table(result.timeseries, first.outputs) for result in results]


def resolved(task: RunTask, policy: str | None) -> RunTask:
    """The task as its run function sees it: the point's values (and the policy) applied to the config."""
    values = task.params if policy is None else {"policy.name": policy, **task.params}
    return replace(task, config=with_overrides(task.config, values), policy=policy)


def with_policy(table: pd.DataFrame, policy: str) -> pd.DataFrame:
    """`table` with a `policy` column first (the run file adds `run_id` before it)."""
    table = table.drop(columns=["policy"], errors="ignore")
    table.insert(0, "policy", policy)
    return table


class LocalEngine:
    """A pool of spawned processes (one worker runs in-process: no start-up, easy to debug)."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))

    def describe(self) -> str:
        return f"local, {self.workers} worker process{'es' if self.workers > 1 else ''}"

    def map_unordered(
        self, fn: Callable, tasks: Iterable[RunTask]
    ) -> Iterator[tuple[RunTask, RunOutcome | BaseException]]:
        if self.workers == 1:
            for t in tasks:
                yield t, fn(t)
            return
        remaining = iter(tasks)
        window = 4 * self.workers
        while True:
            broken = False
            # the pool's workers stop with it if the sweep is interrupted (worker_pool)
            with worker_pool(self.workers) as pool:
                inflight: dict = {}
                while True:
                    for t in islice(remaining, max(0, window - len(inflight))):
                        inflight[pool.submit(fn, t)] = t
                    if not inflight:
                        break
                    done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for fut in done:
                        t = inflight.pop(fut)
                        exc = fut.exception()
                        if isinstance(exc, BrokenProcessPool):
                            broken = True
                            yield t, RuntimeError(WORKER_DIED)
                        else:
                            yield t, exc if exc is not None else fut.result()
                    if broken:
                        for t in inflight.values():
                            yield t, RuntimeError(WORKER_DIED)
                        break
            if not broken:
                return

    def close(self) -> None:
        pass


class DaskEngine:
    """Tasks submitted to a dask.distributed scheduler; results come back to the client."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise SweepError(
                "--engine dask needs dask.distributed: pip install 'dask[distributed]' (or the package's [dask] extra)"
            ) from None
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise SweepError(f"--scheduler {address}: cannot connect to a Dask scheduler ({e})") from None
        self.address = address
        self.token = uuid.uuid4().hex[:8]

    def describe(self) -> str:
        return f"dask at {self.address}, {self._threads()} worker thread(s)"

    def _threads(self) -> int:
        return int(sum(self.client.nthreads().values()))

    def map_unordered(
        self, fn: Callable, tasks: Iterable[RunTask]
    ) -> Iterator[tuple[RunTask, RunOutcome | BaseException]]:
        from distributed import as_completed

        remaining = iter(tasks)
        inflight: dict = {}
        queue = as_completed()

        def submit(n: int) -> None:
            for t in islice(remaining, n):
                fut = self.client.submit(fn, t, key=f"coprod-run-{t.run_id}-{self.token}", pure=False)
                inflight[fut.key] = t
                queue.add(fut)

        submit(max(4, 2 * self._threads()))
        for fut in queue:
            t = inflight.pop(fut.key)
            result = fut.exception() if fut.status == "error" else fut.result()
            fut.release()
            yield t, result
            submit(max(4, 2 * self._threads()) - len(inflight))

    def close(self) -> None:
        self.client.close()


def make_engine(engine: str | None, *, workers: int | None = None, scheduler: str | None = None):
    engine = engine or ("dask" if scheduler else "local")
    if engine == "local":
        if scheduler:
            raise SweepError("--scheduler is for --engine dask")
        if workers is not None and workers < 1:
            raise SweepError(f"--workers {workers}: needs at least 1")
        return LocalEngine(workers)
    if engine == "dask":
        if not scheduler:
            raise SweepError(
                "--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786); see docs/howto-sweeps.md"
            )
        return DaskEngine(scheduler)
    raise SweepError(f"--engine {engine!r}: allowed: local, dask")


def task_function(run_fn: Callable | None) -> Callable[[RunTask], RunOutcome]:
    return partial(execute, run_fn=run_fn) if run_fn is not None else execute
