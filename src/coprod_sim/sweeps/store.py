"""The sweep output folder.

```
DIR/sweep.toml           a copy of the sweep file
DIR/config.toml          the resolved base configuration (before the swept values)
DIR/metadata.json        version, seed, days, config hash, design hash, command, engine
DIR/design.parquet       run_id, point, parameter values, replicate, seed
DIR/runs/<run_id>.parquet one file per finished run (with a run_id column)
DIR/failures.jsonl       one JSON object per failed run: run_id, parameters, error
DIR/analysis/            written by `coprod-sim analyze DIR`
```

Run files are written atomically (a temporary file, then a rename), so a file
that exists is complete: `--resume` treats exactly those runs as finished.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .spec import SweepError

RUNS = "runs"
DESIGN = "design.parquet"
FAILURES = "failures.jsonl"
METADATA = "metadata.json"
TMP_SUFFIX = ".tmp"

# outputs = "summary": one row per period, metric and group (group null = citywide).
SUMMARY_SCHEMA = pa.schema([("run_id", pa.string()), ("period", pa.string()), ("metric", pa.string()), ("group", pa.string()), ("value", pa.float64())])

# The names a sweep writes; --force removes these (and nothing else) before starting.
OWNED = ("sweep.toml", "config.toml", METADATA, DESIGN, FAILURES, RUNS, "analysis")


def prepare(out: str | Path, *, force: bool, resume: bool) -> Path:
    """Check the folder: empty or new, --resume (a sweep is there) or --force (start over)."""
    out = Path(out)
    if force and resume:
        raise SweepError("--force and --resume exclude each other: --resume continues the sweep in DIR, --force starts it over")
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out} is a file, not a folder")
    non_empty = out.exists() and any(out.iterdir())
    if resume:
        if not (out / DESIGN).is_file():
            raise SweepError(f"--resume: {out} holds no sweep ({DESIGN} missing); run without --resume")
    elif non_empty and not force:
        raise SweepError(f"--out {out} is not empty; pass --resume to finish the sweep there, --force to start it over, or choose another folder")
    elif non_empty and force:
        if not (out / DESIGN).is_file() and (out / RUNS).is_dir() and any((out / RUNS).iterdir()):
            raise SweepError(f"--out {out} has a {RUNS}/ folder that is not from a sweep ({DESIGN} missing); --force will not delete it, choose another folder")
        for name in OWNED:
            path = out / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    return out


def run_path(out: Path, run_id: str) -> Path:
    return out / RUNS / f"{run_id}.parquet"


def finished(out: Path) -> set[str]:
    """Run ids with a complete file in runs/."""
    return {p.stem for p in (out / RUNS).glob("*.parquet")}


def remove_temporaries(out: Path) -> int:
    stale = list((out / RUNS).glob(f"*{TMP_SUFFIX}"))
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def write_run(out: Path, run_id: str, table: pd.DataFrame, outputs: str) -> None:
    """Write one run's table atomically (temp file + rename)."""
    table = table.copy()
    if "run_id" in table:
        table = table.drop(columns="run_id")
    table.insert(0, "run_id", run_id)
    if outputs == "summary":
        arrow = pa.Table.from_pandas(table[SUMMARY_SCHEMA.names], schema=SUMMARY_SCHEMA, preserve_index=False)
    else:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
    path = run_path(out, run_id)
    tmp = path.with_name(path.name + TMP_SUFFIX)
    pq.write_table(arrow, tmp)
    tmp.replace(path)


def write_design(out: Path, design: pd.DataFrame) -> None:
    tmp = out / (DESIGN + TMP_SUFFIX)
    design.to_parquet(tmp, index=False)
    tmp.replace(out / DESIGN)


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
    (out / FAILURES).write_text("")


def append_failure(out: Path, run_id: str, params: dict, error: str, traceback: str = "") -> None:
    record = {"run_id": run_id, "parameters": _jsonable(params), "error": error}
    if traceback:
        record["traceback"] = traceback
    with open(out / FAILURES, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()


def read_failures(out: Path) -> list[dict]:
    path = Path(out) / FAILURES
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_metadata(out: Path, meta: dict) -> None:
    (out / METADATA).write_text(json.dumps(meta, indent=2))


def read_metadata(out: Path) -> dict:
    path = Path(out) / METADATA
    return json.loads(path.read_text()) if path.is_file() else {}


def _jsonable(params: dict) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()}
