"""Speed of this tree against an earlier version of the code (`make bench-vs REF=<tag> NS="1e4 1e6"`).

A speed-up is measured as /work/shared/DESIGN.md defines it ("Measurement definitions"): against the
code as it stood before the change, both run in turn, alternating, in one sitting, quoted as the median
ratio. REF (a tag, branch or commit) is checked out into a temporary git worktree, removed at the end.
Each measurement runs in a fresh process of this venv's Python with PYTHONPATH=<tree>/src, alternating
this tree (A) and REF (B): A B A B ...; pair i is (A_i, B_i) and its ratio is A_i / B_i, so a ratio
below 1 means this tree is faster.

Per process: build CoProductionModel with the defaults, population.residents = N and
run.burn_in_days = 0, step a few warm-up days, then time blocks of consecutive days; the process
reports the best and the median per-day time (block time / days) and the build time. With --e2e, a
whole CLI command (`compare ...` into a temporary folder, started as each tree's `coprod-sim`
script starts it) is timed the same way.

Writes benchmarks/versus-<ref>.md (and prints it).
Usage: python benchmarks/versus.py REF [--ns 1e4 1e6] [--pairs 5] [--e2e] [--e2e-args "..."]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# The script runs as a file (`python benchmarks/versus.py`): the repository root must be on the path first.
from benchmarks.run import config_for, machine_info, time_blocks  # noqa: E402

WARM_UP_DAYS = 3
BLOCKS = 5
SEED = 12345
E2E_ARGS = "compare --replicates 2 --days 60 --workers 1 --quiet"
# Start-up measures (issue 14): what a command costs before and around the model.
# `python -c` entries time a bare import; the floor of a run is the third-party
# modules `run` truly needs (the model is a Mesa model; outputs are Parquet and
# matplotlib figures), so `run` minus the floor is the package's own cost.
RUN_FLOOR_IMPORTS = (
    "import numpy, scipy.sparse, mesa, pandas, pyarrow.parquet, pydantic, tomli_w, "
    "matplotlib.figure, matplotlib.backends.backend_agg"
)
STARTUP = [
    "-c 'import numpy'",
    f"-c '{RUN_FLOOR_IMPORTS}'",
    "--help",
    "validate configs/baseline.toml",
    "run configs/baseline.toml --set population.residents=1000 --days 5 --quiet",
    # The same floor imported as `coprod-sim` imports since issue 14 (garbage collector paused,
    # startup.py), and with pydantic's model machinery, which `import pydantic` alone defers:
    # the stricter yardstick for a tree that imports that way.
    f"-c 'import gc; gc.disable(); {RUN_FLOOR_IMPORTS}; from pydantic import BaseModel'",
]
PROCESS_TIMEOUT_S = 900


def days_per_block(n: int) -> int:
    """About 0.1-0.2 s a block at the core's speed (10^4: 200 days, 10^6: 2 days)."""
    return max(1, min(500, round(2e6 / n)))


# =========================================================================== one measurement (fresh process)
def worker(n: int, days: int, blocks: int) -> dict:
    import coprod_sim
    from coprod_sim.model import CoProductionModel

    cfg = config_for(n)
    t0 = time.perf_counter()
    model = CoProductionModel(cfg, rng=SEED)
    build_s = time.perf_counter() - t0
    for _ in range(WARM_UP_DAYS):
        model.step()
    per_day = time_blocks(model.step, days, blocks)
    return {
        "package": coprod_sim.__file__,
        "build_s": build_s,
        "best_s": min(per_day),
        "median_s": statistics.median(per_day),
    }


def run_step_process(tree: Path, n: int, days: int, blocks: int) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--n",
        str(n),
        "--days",
        str(days),
        "--blocks",
        str(blocks),
    ]
    out = subprocess.run(cmd, env=env_for(tree), check=False, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S)
    if out.returncode != 0:
        raise RuntimeError(f"worker at N={n} in {tree} failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # The venv's editable install must not win over PYTHONPATH: check which copy ran.
    if not Path(result["package"]).resolve().is_relative_to((tree / "src").resolve()):
        raise RuntimeError(f"the worker for {tree} imported coprod_sim from {result['package']}")
    return result


def run_e2e_process(tree: Path, args: str, out_dir: Path) -> dict:
    """Wall time of one command in a fresh process: `-c ...` is plain Python, anything else
    the tree's command line as its `coprod-sim` script starts it (`python -m coprod_sim` where
    the tree has `__main__.py`, else `-m coprod_sim.cli`), with `--out` and `--force` added to
    commands that write a folder."""
    words = shlex.split(args)
    if words[0] == "-c":
        cmd = [sys.executable, *words]
    else:
        writes = words[0] in ("run", "compare", "sweep", "calibrate")
        entry = "coprod_sim" if (tree / "src" / "coprod_sim" / "__main__.py").exists() else "coprod_sim.cli"
        cmd = [sys.executable, "-m", entry, *words, *(["--out", str(out_dir), "--force"] if writes else [])]
    t0 = time.perf_counter()
    out = subprocess.run(
        cmd, env=env_for(tree), cwd=tree, check=False, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S
    )
    wall_s = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"`{shlex.join(cmd)}` in {tree} failed:\n{out.stderr[-2000:]}")
    return {"wall_s": wall_s}


def env_for(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(tree / "src")}


# =========================================================================== the sitting
def git(*args: str) -> str:
    out = subprocess.run(["git", "-C", str(ROOT), *args], check=False, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], check=False, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(ref_tree: Path, ns: list[int], pairs: int, e2e_args: list[str], scratch: Path) -> dict:
    """Rounds of A B per measure; the measures are interleaved so each spans the whole sitting."""
    trees = {"A": ROOT, "B": ref_tree}
    samples: dict[str, dict[str, list[dict]]] = {}
    for i in range(pairs):
        for n in ns:
            key = f"N={n}"
            for side, tree in trees.items():
                r = run_step_process(tree, n, days_per_block(n), BLOCKS)
                samples.setdefault(key, {"A": [], "B": []})[side].append(r)
                print(
                    f"pair {i + 1}/{pairs} N={n:,} {side}: {r['median_s'] * 1e3:.3f} ms/day "
                    f"(best {r['best_s'] * 1e3:.3f}), build {r['build_s']:.3f} s",
                    flush=True,
                )
        for args in e2e_args:
            for side, tree in trees.items():
                r = run_e2e_process(tree, args, scratch / f"e2e-{side}")
                samples.setdefault(args, {"A": [], "B": []})[side].append(r)
                print(f"pair {i + 1}/{pairs} `{args}` {side}: {r['wall_s']:.2f} s", flush=True)
    return samples


def ratio_row(label: str, a: list[float], b: list[float], scale: float, unit: str) -> str:
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return (
        f"| {label} | {len(ratios)} | {statistics.median(a) * scale:.3f} {unit} | "
        f"{statistics.median(b) * scale:.3f} {unit} | **{statistics.median(ratios):.3f}** | "
        f"{min(ratios):.3f} | {max(ratios):.3f} |"
    )


def render(
    ref: str,
    ref_sha: str,
    ns: list[int],
    samples: dict,
    e2e_args: list[str],
    info: dict,
    load_start: str,
    load_end: str,
    wall_s: float,
) -> str:
    dirty = " + uncommitted changes in src/coprod_sim" if info["core_modified"] else ""
    a_name = f"this tree (git {info['git_commit']}{dirty})"
    out = [
        f"# Speed versus `{ref}`",
        "",
        "Written by `benchmarks/versus.py` (`make bench`, `make bench-vs`).",
        "",
        f"- A = {a_name}; B = `{ref}` ({ref_sha[:10]}), in a temporary git worktree",
        (
            f"- {info['date']}; {info['cpu']}, {info['cores']} cores; Python {info['python']},"
            f" numpy {info['numpy']}, scipy {info['scipy']}, Mesa {info['mesa']}; sitting {wall_s:.0f} s"
        ),
        f"- `uptime` at start: {load_start}",
        f"- `uptime` at end: {load_end}",
        (
            f"- each process: defaults, `population.residents = N`, `run.burn_in_days = 0`, seed {SEED};"
            f" {WARM_UP_DAYS} warm-up days, then {BLOCKS} blocks of consecutive days (days per block below);"
            " per-day time = block time / days"
        ),
        (
            "- processes alternate A B A B ..., each a fresh Python with `PYTHONPATH=<tree>/src`;"
            " ratio = A / B within a pair (below 1: A is faster), median over pairs with min and max"
        ),
        "",
        "| measure | pairs | A median | B median | ratio A/B (median) | min | max |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in ns:
        s = samples[f"N={n}"]
        d = days_per_block(n)
        for field, what in (("median_s", "median block"), ("best_s", "best block")):
            a, b = [r[field] for r in s["A"]], [r[field] for r in s["B"]]
            out.append(ratio_row(f"N = {n:,}: step, {what} of {d} days", a, b, 1e3, "ms/day"))
        a, b = [r["build_s"] for r in s["A"]], [r["build_s"] for r in s["B"]]
        out.append(ratio_row(f"N = {n:,}: build", a, b, 1, "s"))
    for args in e2e_args:
        s = samples[args]
        a, b = [r["wall_s"] for r in s["A"]], [r["wall_s"] for r in s["B"]]
        out.append(ratio_row(f"`{args}` (wall, whole process)", a, b, 1, "s"))
    out += startup_summary(samples) if STARTUP[0] in samples else []
    pairs = len(samples[f"N={ns[0]}"]["A"]) if ns else len(samples[e2e_args[0]]["A"])
    out += [
        "",
        (
            f"If the pairs are independent, [min, max] of {pairs} ratios contains the median ratio with probability"
            f" 1 - 2^(1 - {pairs}) = {1 - 2.0 ** (1 - pairs):.0%} (the sign-test interval): a change whose interval"
            " holds 1 is not resolved by this sitting."
        ),
        "",
        "Ratios per pair (step, median block), in the order run:",
        "",
    ]
    for n in ns:
        s = samples[f"N={n}"]
        ratios = [x["median_s"] / y["median_s"] for x, y in zip(s["A"], s["B"], strict=True)]
        out.append(f"- N = {n:,}: " + ", ".join(f"{r:.3f}" for r in ratios))
    for args in e2e_args:
        s = samples[args]
        out.append(
            f"- `{args}`: " + ", ".join(f"{x['wall_s'] / y['wall_s']:.3f}" for x, y in zip(s["A"], s["B"], strict=True))
        )
    return "\n".join(out) + "\n"


def startup_summary(samples: dict) -> list[str]:
    """Issue 14's start-up targets, within each tree: --help and validate against `import numpy`
    (at most 4x), a 5-day run of 1,000 residents against the imports it needs (at most +0.5 s)."""
    numpy_cmd, floor_cmd, help_cmd, validate_cmd, run_cmd, quiet_floor_cmd = STARTUP
    out = ["", "Start-up, within each tree (medians over the pairs):", ""]
    out += [
        "| tree | --help / import numpy | validate / import numpy | 5-day run - imports it needs "
        "| 5-day run - those imports, collector paused |",
        "|---|---:|---:|---:|---:|",
    ]
    for side in ("A", "B"):
        med = {k: statistics.median(r["wall_s"] for r in samples[k][side]) for k in STARTUP}
        out.append(
            f"| {side} | {med[help_cmd] / med[numpy_cmd]:.2f}x | {med[validate_cmd] / med[numpy_cmd]:.2f}x | "
            f"{med[run_cmd] - med[floor_cmd]:+.2f} s (floor {med[floor_cmd]:.2f} s) | "
            f"{med[run_cmd] - med[quiet_floor_cmd]:+.2f} s (floor {med[quiet_floor_cmd]:.2f} s) |"
        )
    return out


# =========================================================================== command line
def parse_n(text: str) -> int:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"N must be a number such as 1e4 or 10000, not {text!r}") from None
    if not 20 <= value <= 2e7 or value != int(value):
        raise argparse.ArgumentTypeError(f"N must be a whole number of residents from 20 to 2e7, not {text!r}")
    return int(value)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"the number of pairs must be a whole number >= 1, not {text!r}")
    return int(text)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref", nargs="?", help="the earlier version: a git tag, branch or commit")
    ap.add_argument("--ns", nargs="*", type=parse_n, default=[10**4, 10**6], help="residents (default: 1e4 1e6)")
    ap.add_argument("--pairs", type=positive, default=5, help="A B pairs per measure (default: 5)")
    ap.add_argument("--e2e", action="store_true", help="also time a whole CLI command (see --e2e-args)")
    ap.add_argument(
        "--e2e-args",
        action="append",
        help=f"arguments of coprod_sim.cli; repeat for several commands (default: {E2E_ARGS!r})",
    )
    ap.add_argument(
        "--startup",
        action="store_true",
        help="also time start-up: `import numpy`, the imports a run needs, --help, validate, a 5-day run of 1,000",
    )
    ap.add_argument("--out", type=Path, help="report file (default: benchmarks/versus-<ref>.md)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--blocks", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.n, args.days, args.blocks)))
        return
    if not args.ref:
        ap.error("give REF, the earlier version to compare with: a git tag, branch or commit (e.g. pre-issue-11)")
    try:
        ref_sha = git("rev-parse", "--verify", "--quiet", f"{args.ref}^{{commit}}")
    except RuntimeError:
        ap.error(f"REF {args.ref!r} is not a tag, branch or commit of {ROOT}")
    ns = list(dict.fromkeys(args.ns))
    out_file = args.out or HERE / f"versus-{args.ref.replace('/', '-')}.md"

    # SIGTERM is handled as Ctrl-C, so the finally below removes the temporary worktree.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    e2e_args = (args.e2e_args or [E2E_ARGS]) if args.e2e else []
    if args.startup:
        e2e_args = [*STARTUP, *e2e_args]
    with tempfile.TemporaryDirectory(prefix="coprod-versus-") as scratch_name:
        scratch = Path(scratch_name)
        ref_tree = scratch / "ref"
        try:
            git("worktree", "add", "--detach", str(ref_tree), ref_sha)
            info = machine_info()
            load_start, t0 = uptime(), time.perf_counter()
            print(f"A = {ROOT}, B = {args.ref} ({ref_sha[:10]}) in {ref_tree}; {load_start}", flush=True)
            samples = measure(ref_tree, ns, args.pairs, e2e_args, scratch)
            text = render(
                args.ref, ref_sha, ns, samples, e2e_args, info, load_start, uptime(), time.perf_counter() - t0
            )
        finally:
            # Removing the folder and pruning also covers a worktree that `git worktree add` left half made.
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref_tree)],
                check=False,
                capture_output=True,
            )
            shutil.rmtree(ref_tree, ignore_errors=True)
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False, capture_output=True)
    out_file.write_text(text)
    print("\n" + text + f"\nwrote {out_file}")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        sys.exit(f"versus.py: {e}")
    except KeyboardInterrupt:
        sys.exit("versus.py: interrupted; the temporary worktree was removed")
