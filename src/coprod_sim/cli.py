"""The `coprod-sim` command line: parses, calls the library, prints. No model logic here."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .config import ConfigError, defaults_toml, load_config, with_overrides
from .dashboard.cli import add_dashboard_command, cmd_dashboard
from .sweeps.cli import add_sweep_commands, cmd_analyze, cmd_sweep

EPILOG = "Parameters are addressed by dotted paths, e.g. --set population.residents=5000 --set population.groups.minority.initial_trust_mean=0.25"


def _common(p: argparse.ArgumentParser, *, out_required: bool = True) -> None:
    p.add_argument("config", nargs="?", default=None, help="TOML config (changes to the defaults; default: the built-in baseline)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a parameter by dotted path (repeatable); VALUE is parsed as TOML")
    p.add_argument("--seed", type=int, default=None, help="root seed S (default: run.seed); replicate r uses SeedSequence(S).spawn(r+1)[r]")
    p.add_argument("--days", type=int, default=None, help="days to record after burn-in (default: run.days)")
    p.add_argument("--replicates", type=int, default=None, help="replicates (default: run.replicates)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core, at most one per replicate)")
    p.add_argument("--out", required=out_required, help="output folder (must be empty unless --force)")
    p.add_argument("--force", action="store_true", help="write into a non-empty output folder, overwriting its files")
    p.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coprod-sim", description="Agent-based model of the co-production of public safety.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run one configuration for R replicates and write results and figures", description="Run one configuration (burn-in, then --days recorded days) for R replicates; write config.toml, timeseries.parquet, neighbourhoods.parquet, summary.json, metadata.json and figures/.", epilog=EPILOG)
    _common(run)

    cmp_ = sub.add_parser("compare", help="compare policies (or configs) against a baseline with paired seeds", description="Run the baseline and each policy on the same replicate seeds and write comparison.parquet (paired differences, 95%% intervals), one run folder per policy and figures/.", epilog=EPILOG)
    _common(cmp_)
    cmp_.add_argument("--policies", default=None, help="comma-separated policy names (default: reactive,door_to_door)")
    cmp_.add_argument("--baseline", default="reactive", help="baseline policy (default: reactive)")
    cmp_.add_argument("--configs", default=None, help="comma-separated config files to compare instead of policies; the first is the baseline")

    val = sub.add_parser("validate", help="check a config and print it resolved", description="Check a config (and --set overrides) and print the resolved configuration as TOML.", epilog=EPILOG)
    val.add_argument("config", nargs="?", default=None)
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    val.add_argument("--defaults", action="store_true", help="print the schema's defaults as commented TOML (configs/baseline.toml)")
    add_sweep_commands(sub)
    add_dashboard_command(sub)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate, "sweep": cmd_sweep, "analyze": cmd_analyze, "dashboard": cmd_dashboard}[args.command](args)
    except (ConfigError, ValueError) as e:
        print(f"coprod-sim {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"coprod-sim {args.command}: interrupted", file=sys.stderr)
        return 130


def _load(args):
    config = load_config(args.config, args.overrides)
    changes = {}
    if getattr(args, "csv", False):
        changes["output.csv"] = True
    for flag, key in (("seed", "run.seed"), ("days", "run.days"), ("replicates", "run.replicates")):
        value = getattr(args, flag, None)
        if value is not None:
            changes[key] = value
    return with_overrides(config, changes) if changes else config


def cmd_validate(args) -> int:
    if args.defaults:
        print(defaults_toml(), end="")
        return 0
    config = load_config(args.config, args.overrides)
    print(config.to_toml(), end="")
    print(f"# valid; config hash {config.hash()}", file=sys.stderr)
    return 0


def cmd_run(args) -> int:
    from .runs import OutputError, command_line, prepare_out_dir, run_replicates, write_run_folder

    config = _load(args)
    try:
        out = prepare_out_dir(args.out, args.force)
    except OutputError as e:
        raise ValueError(str(e)) from None
    t0 = time.perf_counter()
    results = run_replicates(config, workers=args.workers, progress=not args.quiet)
    summary = write_run_folder(out, config, results, command=command_line())
    calib = summary["calibration_view"]
    print(f"wrote {out}/ ({config.run.replicates} replicate(s) x {config.run.days} days, {config.population.residents:,} residents) in {time.perf_counter() - t0:.1f} s")
    share = lambda x: "n/a" if x is None else f"{x:.0%}"  # noqa: E731  (None: no such crimes in a short run)
    print(f"  violent {calib['violent_per_1000_per_year']:.1f} and property {calib['property_per_1000_per_year']:.1f} incidents/1000/yr; reported {share(calib['reporting_rate_violent'])} violent, {share(calib['reporting_rate_property'])} property")
    return 0


def cmd_compare(args) -> int:
    from .compare import policy_configs, run_comparison, write_comparison
    from .runs import OutputError, command_line, prepare_out_dir

    if args.configs:
        files = [f.strip() for f in args.configs.split(",") if f.strip()]
        if len(files) < 2:
            raise ValueError("--configs needs at least two files, the baseline first")
        stems = [Path(f).stem for f in files]
        if len(set(stems)) < len(stems):
            raise ValueError(f"--configs: file names must differ (they name the policies and folders): {', '.join(stems)}")
        # Pairing needs one seed, horizon and replicate count: the baseline file's
        # [run] section (or the flags) applies to every file.
        args.config = files[0]
        config = _load(args)
        shared = {"run.seed": config.run.seed, "run.days": config.run.days, "run.replicates": config.run.replicates, "output.csv": config.output.csv}
        configs = {stem: with_overrides(load_config(f, args.overrides), shared) for stem, f in zip(stems, files)}
    else:
        config = _load(args)
        names = [p.strip() for p in (args.policies or "reactive,door_to_door").split(",") if p.strip()]
        configs = policy_configs(config, names, args.baseline)
    try:
        out = prepare_out_dir(args.out, args.force)
    except OutputError as e:
        raise ValueError(str(e)) from None
    t0 = time.perf_counter()
    results = run_comparison(configs, seed=config.run.seed, replicates=config.run.replicates, days=config.run.days, workers=args.workers, progress=not args.quiet)
    table = write_comparison(out, configs, results, command=command_line())
    print(f"wrote {out}/ ({len(configs)} configurations x {config.run.replicates} replicate(s) x {config.run.days} days) in {time.perf_counter() - t0:.1f} s; open {out}/report.html")
    headline = table[(table["period"] == "all") & table["group"].isna() & table["neighbourhood"].isna() & table["metric"].isin(["crimes", "reporting_rate", "mean_trust"])]
    for _, r in headline.iterrows():
        print(f"  {r['policy']:>22} {r['metric']:<15} {r['diff']:+.4g} (95% {r['diff_low']:+.3g} .. {r['diff_high']:+.3g}) vs baseline {r['baseline_mean']:.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
