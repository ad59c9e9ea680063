"""The sweep output folder.

```
DIR/sweep.toml           a copy of the sweep file
DIR/config.toml          the resolved base configuration (before the swept values)
DIR/metadata.json        version, seed, days, config hash, design hash, command, engine
DIR/design.parquet       run_id, point, parameter values, replicate, seed (the root seed S)
DIR/runs/<run_id>.parquet one file per finished run (with a run_id column; a policy
                         column when the sweep compares policies: one run, all policies)
DIR/design.csv, DIR/runs/<run_id>.csv   CSV copies (`sweep --csv`)
DIR/failures.jsonl       one JSON object per failed run: run_id, parameters, error
DIR/manifest.json        written when every run has finished (output_folder)
DIR/analysis/            written by `coprod-sim analyze DIR`
```

Every file is written atomically (a temporary file, fsync, then a rename), and
each run file carries its run id, seed, replicate and the sweep's fingerprint
in its Parquet metadata, so `--resume` can tell a finished run from a damaged
file or one of another sweep, and runs exactly the others again. A run's CSV
copy is written before its Parquet file, which stays the mark of a finished run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..output_folder import OutputFolder, atomic_path, write_json_atomic
from .spec import SweepError

RUNS = "runs"
DESIGN = "design.parquet"
FAILURES = "failures.jsonl"
METADATA = "metadata.json"
TMP_SUFFIX = ".tmp"
# Parquet metadata keys of a run file
RUN_ID_KEY, SEED_KEY, REPLICATE_KEY, FINGERPRINT_KEY = (
    b"coprod_sim.run_id",
    b"coprod_sim.seed",
    b"coprod_sim.replicate",
    b"coprod_sim.fingerprint",
)

# outputs = "summary": one row per period, metric and group (group null = citywide).
SUMMARY_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("period", pa.string()),
        ("metric", pa.string()),
        ("group", pa.string()),
        ("value", pa.float64()),
    ]
)

# outputs = "summary" in a sweep that compares policies: the same, per policy.
POLICY_SUMMARY_SCHEMA = SUMMARY_SCHEMA.insert(1, pa.field("policy", pa.string()))

# The top-level names a sweep writes (--force checks that whatever is there under them is this tool's).
WRITES = ("sweep.toml", "config.toml", METADATA, DESIGN, "design.csv", FAILURES, RUNS, "manifest.json")


def open_folder(out: str | Path, *, force: bool, resume: bool, command: str) -> OutputFolder:
    """The sweep's folder, to be used as a context manager that locks it: empty or
    new, --resume (a sweep is there) or --force (this tool's old files are removed)."""
    out = Path(out)
    if force and resume:
        raise SweepError(
            "--force and --resume exclude each other: --resume continues the sweep in DIR, --force starts it over"
        )
    if resume and not (out / DESIGN).is_file():
        raise SweepError(f"--resume: {out} holds no sweep ({DESIGN} missing); run without --resume")
    return OutputFolder(out, kind="sweep", command=command, force=force, resume=resume, writes=WRITES, in_place=True)


def run_path(out: Path, run_id: str) -> Path:
    return out / RUNS / f"{run_id}.parquet"


def summary_schema(policies: bool) -> pa.Schema:
    return POLICY_SUMMARY_SCHEMA if policies else SUMMARY_SCHEMA


def run_file_problem(path: Path, fingerprint: str | None = None) -> str | None:
    """Why a run file cannot count as finished (None: it can): unreadable or cut
    short, empty, holding another run, or (given `fingerprint`) from another sweep."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError, pa.ArrowException):
        return "not a complete Parquet file"
    if meta.num_rows == 0:
        return "empty"
    kv = meta.metadata or {}
    if RUN_ID_KEY in kv and kv[RUN_ID_KEY].decode() != path.stem:
        return f"holds run {kv[RUN_ID_KEY].decode()}"
    # files from before fingerprints were recorded are trusted on the folder's fingerprint
    if fingerprint is not None and FINGERPRINT_KEY in kv and kv[FINGERPRINT_KEY].decode() != fingerprint:
        return "from another sweep"
    return None


def finished(out: Path) -> set[str]:
    """Run ids with a complete, readable file in runs/."""
    return {p.stem for p in (Path(out) / RUNS).glob("*.parquet") if run_file_problem(p) is None}


def check_runs(out: Path, run_ids: set[str], fingerprint: str) -> tuple[set[str], dict[str, str]]:
    """Finished runs of this sweep, and the files that cannot count (run id: why),
    which are removed so that the folder holds only good results."""
    good, bad = set(), {}
    for path in (out / RUNS).glob("*.parquet"):
        problem = "not in this sweep's design" if path.stem not in run_ids else run_file_problem(path, fingerprint)
        if problem is None:
            good.add(path.stem)
        else:
            bad[path.stem] = problem
            path.unlink()
            path.with_suffix(".csv").unlink(missing_ok=True)
    return good, bad


def add_missing_csv(out: Path, run_ids: set[str]) -> int:
    """CSV copies of finished runs that have none (a sweep resumed with --csv)."""
    missing = [i for i in sorted(run_ids) if not run_path(out, i).with_suffix(".csv").is_file()]
    for run_id in missing:
        _write_csv(pd.read_parquet(run_path(out, run_id)), run_path(out, run_id).with_suffix(".csv"))
    return len(missing)


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def remove_temporaries(out: Path) -> int:
    stale = list((out / RUNS).glob(f"*{TMP_SUFFIX}"))
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def write_run(
    out: Path,
    run_id: str,
    table: pd.DataFrame,
    outputs: str,
    *,
    seed: int,
    replicate: int,
    fingerprint: str,
    csv: bool = False,
) -> None:
    """Write one run's table atomically (temp file, fsync, rename), stamped with
    its run id, seed, replicate and the sweep's fingerprint (and, with `csv`, its CSV copy first)."""
    table = table.copy()
    if "run_id" in table:
        table = table.drop(columns="run_id")
    table.insert(0, "run_id", run_id)
    if outputs == "summary":
        schema = summary_schema("policy" in table.columns)
        arrow = pa.Table.from_pandas(table[schema.names], schema=schema, preserve_index=False)
    else:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
    stamp = {
        RUN_ID_KEY: run_id.encode(),
        SEED_KEY: str(seed).encode(),
        REPLICATE_KEY: str(replicate).encode(),
        FINGERPRINT_KEY: fingerprint.encode(),
    }
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **stamp})
    if csv:
        _write_csv(table, run_path(out, run_id).with_suffix(".csv"))
    with atomic_path(run_path(out, run_id)) as tmp:
        pq.write_table(arrow, tmp)


def run_files(out: Path) -> list[str]:
    """The finished run files and their CSV copies, relative to the folder (for the manifest)."""
    finished = list((Path(out) / RUNS).glob("*.parquet"))
    stems = {p.stem for p in finished}
    copies = [p for p in (Path(out) / RUNS).glob("*.csv") if p.stem in stems]
    return sorted(f"{RUNS}/{p.name}" for p in [*finished, *copies])


def write_design(out: Path, design: pd.DataFrame, csv: bool = False) -> None:
    with atomic_path(out / DESIGN) as tmp:
        design.to_parquet(tmp, index=False)
    if csv:
        _write_csv(design, out / "design.csv")


def read_design(out: Path) -> pd.DataFrame:
    path = Path(out) / DESIGN
    if not path.is_file():
        raise SweepError(f"{out} holds no sweep ({DESIGN} missing)")
    return pd.read_parquet(path)


def design_hash(design: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(list(map(str, design.columns))).encode())
    h.update(pd.util.hash_pandas_object(design, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def reset_failures(out: Path) -> None:
    with atomic_path(out / FAILURES) as tmp:
        tmp.write_text("")


def append_failure(out: Path, run_id: str, params: dict, error: str, traceback: str = "") -> None:
    record = {"run_id": run_id, "parameters": _jsonable(params), "error": error}
    if traceback:
        record["traceback"] = traceback
    line = memoryview((json.dumps(record) + "\n").encode())
    fd = os.open(out / FAILURES, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    size = os.fstat(fd).st_size
    try:
        while line:
            line = line[os.write(fd, line) :]
        os.fsync(fd)
    except OSError:
        os.ftruncate(fd, size)  # no half record left behind (a full disk): every line stays valid JSON
        raise
    finally:
        os.close(fd)


def write_metadata(out: Path, meta: dict) -> None:
    write_json_atomic(out / METADATA, meta)


def read_metadata(out: Path) -> dict:
    """metadata.json ({} without one); a damaged one is named in the error."""
    path = Path(out) / METADATA
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text())
    except ValueError as e:
        raise SweepError(
            f"{path} is damaged ({e}); cannot tell which sweep the folder holds (start over with --force)"
        ) from None
    if not isinstance(meta, dict):
        raise SweepError(
            f"{path} is damaged (not a JSON object); cannot tell which sweep the folder holds (start over with --force)"
        )
    return meta


def _jsonable(params: dict) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()}
