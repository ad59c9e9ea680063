"""The command line every experiment script shares (experiments/*/run.py):
--replicates, --days, --seed, --out, --force, with help text, and the output
folder. An experiment adds its own options to the parser it gets."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .output_folder import OutputError, OutputFolder
from .parallel import interrupted_status, stop_on_signals


def experiment_parser(doc: str, *, replicates: int, out: str, days: int | None = 730) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--replicates", type=int, default=replicates, help=f"paired replicates per configuration (default {replicates})"
    )
    if days is not None:
        ap.add_argument("--days", type=int, default=days, help=f"days recorded after burn-in (default {days})")
    ap.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    ap.add_argument("--out", default=out, help=f"output folder (default {out})")
    ap.add_argument(
        "--force", action="store_true", help="replace this tool's earlier output in --out (other files are kept)"
    )
    return ap


@contextmanager
def experiment_folder(args: argparse.Namespace) -> Iterator[Path]:
    """The folder to write the experiment's outputs in (a hidden build folder: tell
    the user about args.out). It is moved into --out with its manifest only when
    the block ends without error; a non-empty --out without --force, or with files
    this tool did not write, stops the script with one clear line. SIGTERM and
    SIGHUP stop it like Ctrl-C."""
    command = " ".join([Path(sys.argv[0]).name] + sys.argv[1:])
    try:
        with stop_on_signals(), OutputFolder(args.out, kind="experiment", command=command, force=args.force) as folder:
            yield folder.path
            folder.complete(seed=args.seed)
    except OutputError as e:
        raise SystemExit(f"error: {e}") from None
    except KeyboardInterrupt as e:
        print("interrupted; --out was left as it was", file=sys.stderr)
        raise SystemExit(interrupted_status(e)) from None
