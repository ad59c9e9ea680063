"""The command line every experiment script shares (experiments/*/run.py):
--replicates, --days, --seed, --out, --force, with help text, and the output
folder check. An experiment adds its own options to the parser it gets."""

from __future__ import annotations

import argparse
from pathlib import Path

from .runs import OutputError, prepare_out_dir


def experiment_parser(doc: str, *, replicates: int, out: str, days: int | None = 730) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicates", type=int, default=replicates, help=f"paired replicates per configuration (default {replicates})")
    if days is not None:
        ap.add_argument("--days", type=int, default=days, help=f"days recorded after burn-in (default {days})")
    ap.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    ap.add_argument("--out", default=out, help=f"output folder (default {out})")
    ap.add_argument("--force", action="store_true", help="write into a non-empty output folder")
    return ap


def experiment_out(args: argparse.Namespace) -> Path:
    """Create the output folder, or stop with one clear line if it is not empty."""
    try:
        return prepare_out_dir(args.out, args.force)
    except OutputError as e:
        raise SystemExit(f"error: {e}") from None
