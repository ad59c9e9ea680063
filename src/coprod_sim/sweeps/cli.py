"""The `sweep` and `analyze` subcommands (kept out of the main cli.py; heavy
imports happen inside the commands, so `coprod-sim --help` stays fast)."""

from __future__ import annotations

import sys

SWEEP_EPILOG = (
    "Sweep files: see experiments/sweeps/*.toml and docs/howto-sweeps.md. Run (point i, replicate r) runs on "
    "replicate_seed(seed, r), so replicate r of every point shares its random numbers."
)


def add_sweep_commands(sub) -> None:
    sw = sub.add_parser(
        "sweep",
        help="run a parameter sweep (grid, LHS, Sobol, Morris) into a folder",
        description=(
            "Run every design point x replicate of a sweep file; write sweep.toml, config.toml, metadata.json, "
            "design.parquet, runs/<run_id>.parquet, failures.jsonl and, once every run has finished, manifest.json. "
            "With [sweep] policies = [baseline, ...], each run is made under every policy on the same seed. "
            "Exit status 1 if some runs failed."
        ),
        epilog=SWEEP_EPILOG,
    )
    sw.add_argument("sweep_file", metavar="SWEEP.toml", help="sweep definition ([sweep] and [parameters])")
    sw.add_argument("--out", required=True, help="output folder (must be empty unless --resume or --force)")
    sw.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    sw.add_argument(
        "--engine",
        choices=["local", "dask"],
        default=None,
        help="local process pool (default) or a Dask cluster (needs --scheduler)",
    )
    sw.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies --engine dask)",
    )
    sw.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out: skip finished runs, retry failed and missing ones",
    )
    sw.add_argument(
        "--force",
        action="store_true",
        help="start over in a non-empty --out (removes only this tool's earlier files; see docs/output-folders.md)",
    )
    sw.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change the base config by dotted path (repeatable); swept parameters override it",
    )
    sw.add_argument("--seed", type=int, default=None, help="root seed S (default: sweep.seed, else run.seed)")
    sw.add_argument("--days", type=int, default=None, help="recorded days per run (default: sweep.days, else run.days)")
    sw.add_argument("--yes", action="store_true", help="accept a design of more than 100,000 runs")
    sw.add_argument(
        "--csv",
        action="store_true",
        help="also write CSV copies: design.csv and runs/<run_id>.csv (kept on when the sweep is resumed)",
    )
    sw.add_argument("--quiet", action="store_true", help="no progress bar")

    an = sub.add_parser(
        "analyze",
        help="sensitivity indices, results table and figures for a sweep folder",
        description=(
            "Read a sweep folder and write DIR/analysis/: results.parquet (design joined with outcomes), "
            "indices.parquet/.csv (Sobol S1/ST, Morris mu*/mu/sigma, LHS Spearman or grid main-effect shares for "
            "crimes, reporting_rate, mean_trust, trust_gap over period all, with 95% intervals; in a sweep with "
            "policies, of each policy's outcome and of its paired difference from the baseline), notes.txt, "
            "figures/*.png and manifest.json. Prints every index with its interval, warns when design columns "
            "correlate, and marks policy knobs that had no effect because their policy spent no hours."
        ),
        epilog=SWEEP_EPILOG,
    )
    an.add_argument("dir", metavar="DIR", help="a sweep output folder")
    an.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    an.add_argument("--csv", action="store_true", help="also write results.csv (indices.csv is always written)")


def cmd_sweep(args) -> int:
    from ..parallel import interrupted_status
    from ..runs import command_line
    from .runner import run_sweep
    from .spec import read_spec, resolve_sweep

    if args.days is not None and args.days < 1:
        raise ValueError(f"--days {args.days}: needs at least 1")
    if args.seed is not None and args.seed < 0:
        raise ValueError(f"--seed {args.seed}: needs to be >= 0")
    if not args.out:
        raise ValueError("--out is empty; name an output folder")
    spec = read_spec(args.sweep_file)
    sweep = resolve_sweep(spec, overrides=args.overrides, seed=args.seed, days=args.days)
    try:
        report = run_sweep(
            sweep,
            args.out,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
            resume=args.resume,
            force=args.force,
            progress=not args.quiet,
            command=command_line(),
            allow_large=args.yes,
            csv=args.csv,
        )
    except KeyboardInterrupt as e:
        print(
            f"coprod-sim sweep: interrupted; finished runs are kept in {args.out}/runs; continue with --resume",
            file=sys.stderr,
        )
        return interrupted_status(e)
    r = report
    size = f"{r.total // sweep.replicates} points x {sweep.replicates} replicate(s), {sweep.days} days"
    if sweep.policies:
        size += f"; each run under {', '.join(sweep.policies)} (baseline {sweep.policies[0]}), paired"
    print(f"sweep {r.out}/: {r.total} runs ({size}, outputs={sweep.outputs}) on {r.engine}")
    if r.repaired:
        print(f"  {r.repaired} run file(s) were damaged or from another sweep: removed and run again")
    print(
        f"  {r.done} run now, {r.already} already finished, {r.failed} failed; {r.seconds:.1f} s"
        + (f", {r.runs_per_minute:.1f} runs/min" if r.done + r.failed else "")
    )
    if r.done + r.failed:
        n = r.done + r.failed
        print(f"  per run in its worker: {r.run_seconds / n:.2f} s wall, {r.run_cpu_seconds / n:.2f} s CPU")
    if r.failed:
        for f in r.failures[:5]:
            print(f"  failed {f['run_id']} {f['parameters']}: {f['error']}")
        more = r.failed - min(5, len(r.failures))
        shown = f"... {more} more; " if more > 0 else ""
        print(f"  {shown}details in {r.out}/failures.jsonl; retry with --resume")
        return 1
    return 0


def cmd_analyze(args) -> int:
    from pathlib import Path

    from ..output_folder import FolderLock, write_manifest
    from ..runs import command_line
    from . import store
    from .analysis import analyze, clear_previous
    from .console import analysis_lines
    from .spec import SweepError

    folder = Path(args.dir)
    if not (folder / store.DESIGN).is_file():
        raise SweepError(f"{folder} holds no sweep ({store.DESIGN} missing)")
    # analyze writes into the sweep's folder: not while a sweep (or another analyze) writes there
    adir = folder / "analysis"
    with FolderLock(folder, command_line()):
        clear_previous(adir)  # incomplete until this analysis is written, and nothing left of the last one
        report = analyze(folder, figures=not args.no_figures, csv=args.csv)
        write_manifest(
            adir,
            kind="analysis",
            command=command_line(),
            files=report.written,
            seed=None,
            runs=report.runs,
            expected=report.expected,
        )
    tables = [n for n in report.written if not n.startswith("figures/")]
    files = f"{', '.join(tables)}, {len(report.figures)} figure(s)"
    print(f"analysis {report.out}/analysis/: {report.runs} of {report.expected} runs; {files}")
    for line in analysis_lines(report):
        print(line)
    return 0
