"""The `coprod-sim` command line: parses, calls the library, prints. No model logic here."""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import suppress

from .cities.cli import add_calibrate_command, cmd_calibrate
from .config import ConfigError, defaults_toml, load_config, with_overrides
from .dashboard.cli import add_dashboard_command, cmd_dashboard
from .output_folder import OutputError, os_problem
from .parallel import interrupted_status, stop_on_signals
from .sweeps.cli import add_sweep_commands, cmd_analyze, cmd_sweep

EPILOG = (
    "Parameters are addressed by dotted paths, e.g. --set population.residents=5000 "
    "--set population.groups.minority.initial_trust_mean=0.25"
)


def _common(p: argparse.ArgumentParser, *, out_required: bool = True) -> None:
    p.add_argument(
        "config", nargs="?", default=None, help="TOML config (changes to the defaults; default: the built-in baseline)"
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter by dotted path (repeatable); VALUE is parsed as TOML",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="root seed S (default: run.seed); replicate r uses SeedSequence(S).spawn(r+1)[r]",
    )
    p.add_argument("--days", type=int, default=None, help="days to record after burn-in (default: run.days)")
    p.add_argument("--replicates", type=int, default=None, help="replicates (default: run.replicates)")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per core, at most one per replicate)"
    )
    p.add_argument("--out", required=out_required, help="output folder (must be empty unless --force)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace this tool's earlier output in --out (other files are kept; see docs/output-folders.md)",
    )
    p.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    p.add_argument(
        "--places",
        action="store_true",
        help="also write places.parquet in each run folder: crimes, hot-spot and foot-patrol hours, problem-solving "
        "and treated / adjacent-to-treated flags per replicate, period and place (output.places)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coprod-sim", description="Agent-based model of the co-production of public safety.", epilog=EPILOG
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run one configuration for R replicates and write results and figures",
        description=(
            "Run one configuration (burn-in, then --days recorded days) for R replicates; write config.toml, "
            "timeseries.parquet, neighbourhoods.parquet, summary.json, metadata.json, figures/ and manifest.json "
            "(and places.parquet with --places)."
        ),
        epilog=EPILOG,
    )
    _common(run)

    cmp_ = sub.add_parser(
        "compare",
        help="compare policies (or configs) against a baseline with paired seeds",
        description=(
            "Run the baseline and each policy on the same replicate seeds and write comparison.parquet "
            "(paired differences, 95% intervals), one run folder per policy, figures/ and manifest.json; with --places "
            "each run folder also holds places.parquet."
        ),
        epilog=EPILOG,
    )
    _common(cmp_)
    cmp_.add_argument("--policies", default=None, help="comma-separated policy names (default: reactive,door_to_door)")
    cmp_.add_argument("--baseline", default=None, help="baseline policy (default: reactive)")
    cmp_.add_argument(
        "--configs",
        default=None,
        help="comma-separated config files to compare instead of policies; the first is the baseline",
    )
    cmp_.add_argument(
        "--posterior",
        default=None,
        metavar="DIR",
        help="a calibration folder: replicate r of every policy runs on posterior draw r (parameter uncertainty)",
    )
    cmp_.add_argument(
        "--draws", type=int, default=None, help="posterior draws K, one per replicate (default 20; with --posterior)"
    )

    val = sub.add_parser(
        "validate",
        help="check a config and print it resolved",
        description="Check a config (and --set overrides) and print the resolved configuration as TOML.",
        epilog=EPILOG,
    )
    val.add_argument("config", nargs="?", default=None)
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    val.add_argument(
        "--defaults", action="store_true", help="print the schema's defaults as commented TOML (configs/baseline.toml)"
    )
    add_sweep_commands(sub)
    add_dashboard_command(sub)
    add_calibrate_command(sub)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None, *, quick_start: bool = False) -> int:
    """The command line. `quick_start` (the `coprod-sim` process only, see startup.py):
    import the command's modules with the garbage collector paused."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if quick_start:
        from .startup import COMMAND_MODULES, import_quietly

        import_quietly(COMMAND_MODULES.get(args.command, ()))
    command = {
        "run": cmd_run,
        "compare": cmd_compare,
        "validate": cmd_validate,
        "sweep": cmd_sweep,
        "analyze": cmd_analyze,
        "dashboard": cmd_dashboard,
        "calibrate": cmd_calibrate,
    }[args.command]
    try:
        with stop_on_signals():
            status = command(args)
            sys.stdout.flush()  # a closed pipe shows here, not at exit
            return status
    except (ConfigError, ValueError) as e:
        _say(args.command, e)
        return 2
    except OutputError as e:
        _say(args.command, e)
        return e.exit_code
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop printing quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _say(args.command, "standard output was closed before everything was printed")
        return 1
    except OSError as e:
        _say(args.command, os_problem(e))
        return 1
    except KeyboardInterrupt as e:
        _say(args.command, "interrupted")
        return interrupted_status(e)


def _say(command: str, message) -> None:
    with suppress(OSError):  # no terminal left to tell (SIGHUP)
        print(f"coprod-sim {command}: {message}", file=sys.stderr)


def _flag_changes(args) -> dict:
    """The command line's changes to the configuration (--seed, --days, --replicates, --csv, --places)."""
    changes = {}
    if getattr(args, "csv", False):
        changes["output.csv"] = True
    if getattr(args, "places", False):
        changes["output.places"] = True
    for flag, key in (("seed", "run.seed"), ("days", "run.days"), ("replicates", "run.replicates")):
        value = getattr(args, flag, None)
        if value is not None:
            changes[key] = value
    return changes


def _load(args):
    config = load_config(args.config, args.overrides)
    changes = _flag_changes(args)
    return with_overrides(config, changes) if changes else config


def _check_flags(args) -> None:
    """What argparse cannot check, before anything is loaded or written."""
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers}: needs at least 1")
    if args.out is not None and not args.out.strip():
        raise ValueError("--out is empty; name an output folder")


def _names(value: str, flag: str) -> list[str]:
    """A comma-separated list: no empty entries, no duplicates."""
    names = [n.strip() for n in value.split(",")]
    if not value.strip() or not all(names):
        raise ValueError(
            f"{flag} {value!r}: give comma-separated names with no empty entries, e.g. {flag} reactive,door_to_door"
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{flag}: {', '.join(duplicates)} given more than once")
    return names


def cmd_validate(args) -> int:
    if args.defaults:
        print(defaults_toml(), end="")
        return 0
    config = load_config(args.config, args.overrides)
    print(config.to_toml(), end="")
    print(f"# valid; config hash {config.hash()}", file=sys.stderr)
    return 0


def cmd_run(args) -> int:
    from .output_folder import RUN_FOLDER_NAMES, OutputFolder
    from .runs import command_line, run_replicates, write_run_folder

    _check_flags(args)
    config = _load(args)
    command = command_line()
    t0 = time.perf_counter()
    with OutputFolder(args.out, kind="run", command=command, force=args.force, writes=RUN_FOLDER_NAMES) as folder:
        results = run_replicates(config, workers=args.workers, progress=not args.quiet)
        summary = write_run_folder(folder.path, config, results, command=command)
        folder.complete(seed=config.run.seed, config_hash=config.hash(), replicates=config.run.replicates)
    out = folder.out
    calib = summary["calibration_view"]
    size = f"{config.run.replicates} replicate(s) x {config.run.days} days, {config.population.residents:,} residents"
    print(f"wrote {out}/ ({size}) in {time.perf_counter() - t0:.1f} s")
    share = lambda x: "n/a" if x is None else f"{x:.0%}"  # noqa: E731  (None: no such crimes in a short run)
    print(
        f"  violent {calib['violent_per_1000_per_year']:.1f} and property {calib['property_per_1000_per_year']:.1f}"
        f" incidents/1000/yr; reported {share(calib['reporting_rate_violent'])} violent,"
        f" {share(calib['reporting_rate_property'])} property"
    )
    _warn_underspent({"run": results})
    return 0


CONSOLE_METRICS = ("crimes", "reporting_rate", "clearance_rate", "mean_trust", "confidence_share", "trust_gap")


def console_summary(table) -> str:
    """Each policy against the baseline on the headline metrics, with units and 95%
    intervals, over the whole run and each year (the last year is the end of the run),
    plus mean trust and confidence per group."""
    from . import metric_registry as reg
    from .report.numbers import change_texts

    def change(r) -> str:
        m = reg.metric(r["metric"])
        diff, interval = change_texts(r["diff"], r["diff_low"], r["diff_high"], r["baseline_mean"], m.display)
        unit = "" if m.display in (reg.PCT, reg.PP) else " " + m.unit.split()[0]  # e.g. trust on its 0-1 scale
        return diff + unit + (f" ({interval})" if interval else "")

    lines = []
    periods = list(dict.fromkeys(table["period"]))
    city = table[table["neighbourhood"].isna()]
    for policy in dict.fromkeys(table["policy"]):
        lines.append(f"  {policy} minus baseline (paired, 95% interval over replicates):")
        rows = city[(city["policy"] == policy) & city["metric"].isin(CONSOLE_METRICS)]
        for metric in CONSOLE_METRICS:
            for group in [None, *sorted(rows.loc[rows["metric"] == metric, "group"].dropna().unique())]:
                sel = rows[
                    (rows["metric"] == metric) & (rows["group"].isna() if group is None else rows["group"] == group)
                ]
                if sel.empty:
                    continue
                by_period = {r["period"]: r for _, r in sel.iterrows()}
                label = reg.metric(metric).label + (f" ({group})" if group else "")
                parts = [f"{p} {change(by_period[p])}" for p in periods if p in by_period]
                lines.append(f"    {label}: " + "; ".join(parts))
    return "\n".join(lines)


def _warn_underspent(results: dict) -> None:
    """Say when a policy spent clearly less than the hours it was given (the rest became patrol)."""
    import pandas as pd

    from .metrics import UNDERSPEND_WARNING_SHARE, underspent

    for name, runs in results.items():
        ts = pd.concat([r.timeseries for r in runs], ignore_index=True)
        for activity, given, used in underspent(ts):
            print(
                f"warning: {name}: {activity} spent {used:.1f} of the {given:.1f} officer-hours a day allocated to it "
                f"({1 - used / given:.0%} less, above the {UNDERSPEND_WARNING_SHARE:.0%} tolerance); "
                "the rest became random patrol (docs/ODD.md 7.5)",
                file=sys.stderr,
            )


def _comparison_configs(args) -> dict:
    from .compare import configs_for_comparison, policy_configs

    if args.configs is not None:
        given = [
            flag
            for flag, value in (
                ("--policies", args.policies),
                ("--baseline", args.baseline),
                ("a CONFIG argument", args.config),
            )
            if value is not None
        ]
        if given:
            raise ValueError(f"--configs names every configuration, the first the baseline; drop {' and '.join(given)}")
        return configs_for_comparison(_names(args.configs, "--configs"), args.overrides, _flag_changes(args))
    config = _load(args)
    names = _names(args.policies, "--policies") if args.policies is not None else ["reactive", "door_to_door"]
    baseline = "reactive" if args.baseline is None else args.baseline.strip()
    try:
        with_overrides(config, {"policy.name": baseline})
    except ConfigError as e:
        raise ConfigError(f"--baseline {baseline!r}: {e}") from None
    configs = policy_configs(config, names, baseline)
    if len(configs) < 2:
        raise ValueError(f"--policies {args.policies}: name at least one policy besides the baseline {baseline}")
    return configs


def _posterior_flags(args) -> int | None:
    """K for compare --posterior (None without it); --replicates may be omitted or must equal K."""
    if args.posterior is None:
        if args.draws is not None:
            raise ValueError("--draws needs --posterior DIR")
        return None
    k = 20 if args.draws is None else args.draws
    if k < 1:
        raise ValueError(f"--draws {k}: needs at least 1")
    if args.replicates is not None and args.replicates != k:
        raise ValueError(f"--replicates {args.replicates} with --posterior: omit it or make it equal to --draws ({k})")
    args.replicates = k
    return k


def cmd_compare(args) -> int:
    from .compare import COMPARISON_FILES, comparison_pool, run_comparison, write_comparison
    from .output_folder import OutputFolder
    from .runs import command_line

    _check_flags(args)
    draws = _posterior_flags(args)
    configs = _comparison_configs(args)
    base = next(iter(configs.values()))
    if draws is not None:
        from .compare import posterior_draws

        draws = posterior_draws(args.posterior, draws, base.run.seed)
    command = command_line()
    t0 = time.perf_counter()
    with (
        OutputFolder(
            args.out, kind="comparison", command=command, force=args.force, writes=(*COMPARISON_FILES, *configs)
        ) as folder,
        comparison_pool(len(configs), base.run.replicates, args.workers) as pool,
    ):
        results = run_comparison(
            configs,
            seed=base.run.seed,
            replicates=base.run.replicates,
            days=base.run.days,
            workers=args.workers,
            progress=not args.quiet,
            draws=draws,
            pool=pool,
        )
        posterior = None if draws is None else {"folder": args.posterior, "draws": len(draws)}
        table = write_comparison(folder.path, configs, results, command=command, posterior=posterior, pool=pool)
        hashes = {name: cfg.hash() for name, cfg in configs.items()}
        folder.complete(
            seed=base.run.seed, config_hash=base.hash(), config_hashes=hashes, replicates=base.run.replicates
        )
    out = folder.out
    size = f"{len(configs)} configurations x {base.run.replicates} replicate(s) x {base.run.days} days"
    print(f"wrote {out}/ ({size}) in {time.perf_counter() - t0:.1f} s; open {out}/report.html")
    print(console_summary(table))
    _warn_underspent(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
