"""Run a sweep into its output folder: design, resume, failures, progress.

The client side of every engine: it builds the run table, skips finished runs
(`--resume`, after checking each file), hands the rest to the engine and writes
each result as it arrives (run file, or a line in failures.jsonl). A run that
raises does not stop the sweep; a folder that cannot be written to (a full
disk) does, with the finished runs kept. The folder is locked while the sweep
runs and gets its manifest once every run has finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .. import __version__
from ..output_folder import OutputError, atomic_path, os_problem, write_text_atomic
from . import store
from .design import design_size, design_table
from .executors import LocalEngine, RunTask, make_engine, task_function
from .spec import Sweep, SweepError, SweepSpec
from .workers import check_for_spawned_workers

MAX_RUNS = 100_000  # a design with more runs needs --yes (allow_large)
HARD_MAX_RUNS = 10_000_000  # the run table (design.parquet) is built in memory


@dataclass
class SweepReport:
    out: Path
    total: int
    already: int = 0
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    engine: str = ""
    repaired: int = 0  # run files found damaged or from another sweep, removed and run again
    failures: list[dict] = field(default_factory=list)
    run_seconds: float = 0.0  # summed wall time of the runs done now, in their workers
    run_cpu_seconds: float = 0.0  # summed CPU time of the same runs

    @property
    def runs_per_minute(self) -> float:
        n = self.done + self.failed
        return 60.0 * n / self.seconds if self.seconds > 0 else float("nan")

    @property
    def complete(self) -> bool:
        return self.already + self.done == self.total


def fingerprint(sweep: Sweep, design) -> dict:
    """What must match for --resume to continue a folder's sweep."""
    fp = {
        "config_hash": sweep.config.hash(),
        "design_hash": store.design_hash(design),
        "design": sweep.spec.sweep.design,
        "parameters": sweep.spec.names,
        "seed": sweep.seed,
        "days": sweep.days,
        "replicates": sweep.replicates,
        "outputs": sweep.outputs,
        "burn_in_days": sweep.config.run.burn_in_days,
    }
    if sweep.policies:  # only then: folders of sweeps without policies keep their fingerprint
        fp["policies"] = list(sweep.policies)
    return fp


def fingerprint_id(fp: dict) -> str:
    """A short hash of the fingerprint, stamped into every run file."""
    return hashlib.sha256(json.dumps(fp, sort_keys=True).encode()).hexdigest()[:16]


def check_size(spec: SweepSpec, allow_large: bool = False) -> int:
    """The number of runs, refused above HARD_MAX_RUNS, and above MAX_RUNS unless `allow_large`."""
    points = design_size(spec)
    runs = points * spec.sweep.replicates
    size = f"the design has {runs:,} runs ({points:,} points x {spec.sweep.replicates:,} replicate(s))"
    if spec.policies:
        size += f", each under {len(spec.policies)} policies"
    if runs > HARD_MAX_RUNS:
        raise SweepError(
            f"{size}; at most {HARD_MAX_RUNS:,} (the run table is built in memory):"
            " use fewer levels, samples or replicates"
        )
    if runs > MAX_RUNS and not allow_large:
        raise SweepError(f"{size}; more than {MAX_RUNS:,} needs --yes (see docs/howto-sweeps.md)")
    return runs


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    workers: int | None = None,
    engine: str | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    run_fn: Callable | None = None,
    command: str = "",
    allow_large: bool = False,
    csv: bool = False,
) -> SweepReport:
    """Run every (point, replicate) of `sweep` not yet finished in `out`.

    `run_fn(task) -> DataFrame` replaces the model (tests, other models): it gets
    the task with the point's values applied to `task.config` and returns a table
    as results.py describes. With more than one local worker it must be
    importable (a module-level function) and a script calling this needs the
    `if __name__ == "__main__":` guard; both are checked before anything starts.
    `allow_large`: accept designs of more than MAX_RUNS runs. `csv`: CSV copies of
    design.parquet and of every run file (kept on for the folder once asked for)."""
    check_size(sweep.spec, allow_large)
    design = design_table(sweep.spec, sweep.seed)
    fp = fingerprint(sweep, design)
    stamp = fingerprint_id(fp)
    # read now: --force may remove the folder's copy, which may be the file given
    sweep_file = sweep.spec.source.read_bytes() if sweep.spec.source is not None else None
    folder = store.open_folder(out, force=force, resume=resume, command=command)
    executor = make_engine(engine, workers=workers, scheduler=scheduler)
    try:
        if isinstance(executor, LocalEngine) and executor.workers > 1:
            check_for_spawned_workers(run_fn)
        with folder:
            out = folder.path
            (out / store.RUNS).mkdir(exist_ok=True)
            if resume:
                meta = store.read_metadata(out)
                _check_same_sweep(out, meta.get("fingerprint", {}), fp)
                store.reset_failures(out)  # every earlier failure is retried now
                csv = csv or bool(meta.get("csv"))
                if csv and not (out / "design.csv").is_file():
                    store.write_design(out, design, csv=True)
            else:
                _start_folder(out, sweep, design, sweep_file, csv)
                meta = _metadata(sweep, fp, len(design))
            meta["csv"] = csv
            folder.changing()
            meta["fingerprint_id"] = stamp
            meta.setdefault("invocations", []).append(
                {"date": _now(), "command": command, "engine": executor.describe(), "resume": resume}
            )
            store.write_metadata(out, meta)
            store.remove_temporaries(out)

            finished, damaged = store.check_runs(out, set(design["run_id"]), stamp)
            if csv:
                store.add_missing_csv(out, finished)
            todo = design[~design["run_id"].isin(finished)]
            report = SweepReport(
                out, total=len(design), already=len(finished), repaired=len(damaged), engine=executor.describe()
            )
            _run(sweep, todo, executor, run_fn, stamp, report, progress, csv)
            if report.complete:
                folder.complete(
                    seed=sweep.seed, config_hash=sweep.config.hash(), files=_sweep_files(out), fingerprint=stamp
                )
            return report
    finally:
        executor.close()


def _run(sweep: Sweep, todo, executor, run_fn, stamp: str, report: SweepReport, progress: bool, csv: bool) -> None:
    out = report.out
    bar = tqdm(
        total=len(todo),
        desc="sweep",
        unit="run",
        disable=not progress or len(todo) == 0,
        smoothing=0.05,
        dynamic_ncols=True,
    )
    t0 = time.perf_counter()
    outcomes = executor.map_unordered(task_function(run_fn), _tasks(sweep, todo, sweep.spec.names))
    try:
        for task, outcome in outcomes:
            error = tb = None
            if isinstance(outcome, BaseException):
                error = f"{type(outcome).__name__}: {outcome}"
                tb = ""
            elif outcome.error is not None:
                error, tb = outcome.error, outcome.traceback
            else:
                try:
                    store.write_run(
                        out,
                        task.run_id,
                        outcome.table,
                        sweep.outputs,
                        seed=task.seed,
                        replicate=task.replicate,
                        fingerprint=stamp,
                        csv=csv,
                    )
                except OSError as e:
                    raise _cannot_write(out, e, report) from None
                except Exception as e:  # noqa: BLE001 - a malformed result is that run's failure
                    error, tb = f"could not write the result: {type(e).__name__}: {e}", ""
            if not isinstance(outcome, BaseException):
                report.run_seconds += outcome.seconds
                report.run_cpu_seconds += outcome.cpu_seconds
            if error is None:
                report.done += 1
            else:
                report.failed += 1
                try:
                    store.append_failure(out, task.run_id, task.params, error, tb)
                except OSError as e:
                    raise _cannot_write(out, e, report) from None
                if len(report.failures) < 20:
                    report.failures.append({"run_id": task.run_id, "parameters": task.params, "error": error})
                bar.set_postfix(failed=report.failed, refresh=False)
            bar.update()
    finally:
        outcomes.close()  # an interruption stops the engine's workers now, not when the generator is collected
        bar.close()
        report.seconds = time.perf_counter() - t0


def _cannot_write(out: Path, e: OSError, report: SweepReport) -> OutputError:
    kept = report.already + report.done
    return OutputError(
        f"cannot write to {out}: {os_problem(e)}; the sweep stopped, its {kept} finished run(s) are kept:"
        " fix that, then continue with --resume",
        exit_code=1,
    )


def _sweep_files(out: Path) -> list[str]:
    names = [
        n
        for n in ("sweep.toml", "config.toml", store.METADATA, store.DESIGN, "design.csv", store.FAILURES)
        if (out / n).is_file()
    ]
    return names + store.run_files(out)


def _tasks(sweep: Sweep, todo, names: list[str]) -> Iterator[RunTask]:
    cols = ["run_id", "point", "replicate", "seed", *names]
    for row in todo[cols].itertuples(index=False, name=None):
        run_id, point, replicate, seed, *values = row
        params = {n: _plain(v) for n, v in zip(names, values, strict=True)}
        yield RunTask(
            run_id,
            int(point),
            int(replicate),
            int(seed),
            params,
            sweep.config,
            sweep.days,
            sweep.outputs,
            policies=sweep.policies,
        )


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _start_folder(out: Path, sweep: Sweep, design, sweep_file: bytes | None, csv: bool) -> None:
    if sweep_file is not None:
        with atomic_path(out / "sweep.toml") as tmp:
            tmp.write_bytes(sweep_file)
    write_text_atomic(out / "config.toml", sweep.config.to_toml())
    store.write_design(out, design, csv=csv)
    store.reset_failures(out)


def _check_same_sweep(out: Path, old: dict, new: dict) -> None:
    if not old:
        raise SweepError(
            f"--resume: {out}/{store.METADATA} is missing or unreadable; cannot tell which sweep the folder holds"
            " (use --force to start over)"
        )
    diff = [k for k in new if old.get(k) != new[k]]
    if diff:
        shown = "; ".join(
            f"{k}: folder {old.get(k)!r}, now {new[k]!r}" for k in diff if k != "design_hash" and k != "config_hash"
        )
        if "config_hash" in diff:
            shown = ("base configuration changed; " + shown).rstrip("; ")
        if "design_hash" in diff and not shown:
            shown = "design points differ"
        raise SweepError(
            f"--resume: {out} holds a different sweep ({shown}); resume with the same sweep file and --set values,"
            " or start over with --force"
        )


def _metadata(sweep: Sweep, fp: dict, n_runs: int) -> dict:
    import mesa

    return {
        "package": "coprod_sim",
        "version": __version__,
        "seed": sweep.seed,
        "run_seeds": (
            "run (point i, replicate r) runs on replicate_seed(seed, r) ="
            " numpy.random.SeedSequence(seed).spawn(r+1)[r]: replicate r of every point shares its random numbers"
            + (", and every policy of a run runs on it" if sweep.policies else "")
        ),
        "runs": n_runs,
        "points": n_runs // sweep.replicates,
        "replicates": sweep.replicates,
        "policies": list(sweep.policies),
        "days": sweep.days,
        "outputs": sweep.outputs,
        "fingerprint": fp,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
        "created": _now(),
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
