"""The `calibrate` subcommand (kept out of the main cli.py; pyabc is imported only
when the command runs, so `coprod-sim --help` stays fast)."""

from __future__ import annotations

import sys

CALIBRATE_EPILOG = (
    "The profile format: docs/city-profile.md; the parameters, priors, statistics and distance: docs/calibration.md. "
    "With --workers 1 a resumed calibration ends with the same posterior as an uninterrupted one; with more, "
    "the same in distribution (docs/calibration-engine.md)."
)


def add_calibrate_command(sub) -> None:
    p = sub.add_parser(
        "calibrate",
        help="fit a city profile by ABC-SMC and write its posterior",
        description=(
            "Calibrate the model to a city profile (ABC-SMC, pyabc) at the profile's sample scale; write "
            "posterior.parquet, calibrated.toml, fit.json, fit.html, parameters.json, figures/ and manifest.json."
        ),
        epilog=CALIBRATE_EPILOG,
    )
    p.add_argument("profile", metavar="PROFILE.toml", help="city profile (configs/cities/<city>/profile.toml)")
    p.add_argument("--out", required=True, help="output folder (must be empty unless --resume or --force)")
    p.add_argument("--budget", type=int, default=1000, help="simulations to spend (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument(
        "--population",
        type=int,
        default=None,
        help="particles per generation (default: 10%% of --budget, between 10 and 500; --resume keeps the first run's)",
    )
    p.add_argument("--resume", action="store_true", help="continue an interrupted calibration in --out")
    p.add_argument("--force", action="store_true", help="start over in a non-empty --out (this tool's files only)")
    p.add_argument("--engine", choices=["local", "dask"], default=None, help="local processes (default) or Dask")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address (implies dask)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local processes, or Dask workers of a local cluster (default: one per core)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_calibrate(args) -> int:
    import time

    from ..parallel import default_workers
    from ..runs import command_line
    from .calibrate import calibrate

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers}: needs at least 1")
    if args.engine == "local" and args.scheduler:
        raise ValueError("--scheduler needs --engine dask (or no --engine)")
    engine = "dask" if args.scheduler else (args.engine or "local")
    workers = args.workers if args.workers is not None else default_workers(10**6)
    t0 = time.perf_counter()
    run = calibrate(
        args.profile,
        args.out,
        budget=args.budget,
        seed=args.seed,
        population=args.population,
        resume=args.resume,
        force=args.force,
        engine=engine,
        scheduler=args.scheduler,
        workers=workers,
        command=command_line(),
        progress=not args.quiet,
    )
    s = run.summary
    print(
        f"wrote {run.out}/ in {time.perf_counter() - t0:.1f} s: {s['simulations']} simulations, "
        f"{s['generations']} generation(s) of {s['population']}, effective sample size {s['ess']:.1f} ({s['stopped']})"
    )
    unmet = [r["name"] for r in run.fit if not r["met"]]
    loose = [r["parameter"] for r in run.parameters if not r["pinned_down"]]
    print(f"  targets not met: {', '.join(unmet) or 'none'}")
    print(f"  parameters the data do not pin down: {', '.join(loose) or 'none'}")
    if s["national_defaults_used"]:
        print(f"  national defaults used for: {', '.join(s['national_defaults_used'])}")
    print(
        f"  open {run.out}/fit.html; compare with: coprod-sim compare {run.out}/calibrated.toml --posterior {run.out}"
    )
    sys.stdout.flush()
    return 0
