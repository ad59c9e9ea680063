"""Speed and memory benchmark of coprod_sim (`make bench`).

Times the columnar core (`CoProductionModel`) at N = 10^3 .. 10^6 residents
(10^7 when the machine has the memory), each N in a fresh process, and the
per-agent reference model (benchmarks/reference/) at 10^3 .. 10^5 in the same
processes as a core model of the same N, alternating the two, so that the
speed-up is a ratio measured under the same load. Writes benchmarks/results.md
(machine, date, tables, profile) and benchmarks/results.json.

Definitions (docs: /work/shared/DESIGN.md, "Measurement definitions"):
- step time: best of k blocks of consecutive days (block time / days); the
  median block is reported too. Timing runs use run.burn_in_days = 0.
- resident-days/s = N / step time.
- memory per resident = (peak RSS at N - peak RSS of the same command at 1,000
  residents) / N, each N in a fresh process; peak covers build and steps.
- metrics share: time in `_record` (daily metrics, DataCollector and the
  per-neighbourhood rows) / step time, from a separate pass in which the step's
  submodel methods are wrapped with timers.

Usage: python benchmarks/run.py [--quick] [--max-n N] [--skip-1e7]
(internally: run.py --worker core|speedup --n N ...).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import inspect
import io
import json
import os
import platform
import pstats
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# Days per timed block and number of blocks (best of k), per N.
CORE_BLOCKS = {10**3: (50, 5), 10**4: (20, 5), 10**5: (5, 5), 10**6: (2, 5), 10**7: (1, 3)}
PROFILE_DAYS = {10**3: 100, 10**4: 40, 10**5: 10, 10**6: 5, 10**7: 2}
# Reference vs core in one process: (reference days per block, core days per block, rounds).
SPEEDUP_BLOCKS = {10**3: (20, 50, 5), 10**4: (4, 20, 4), 10**5: (1, 5, 3)}
TARGETS = {
    "speedup_1e5": 100.0,  # x faster than the reference at 10^5
    "resident_days_per_s_1e6": 1e7,
    "build_s_1e6": 5.0,
    "bytes_per_resident_1e6": 500.0,
    "metrics_share": 0.20,
}


# =========================================================================== helpers (worker side)
def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Reset VmHWM so the next peak covers only what follows (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def config_for(n: int, **extra):
    from coprod_sim.config import load_config

    return load_config(overrides={"population.residents": n, "run.burn_in_days": 0, **extra})


def step_phases(model) -> list[str]:
    """The model's own methods that `step()` calls, in order (read from its source,
    so the profile follows the core as it changes)."""
    src = inspect.getsource(type(model).step)
    names = []
    for name in re.findall(r"self\.(_\w+)\(", src):
        if name not in names and callable(getattr(model, name, None)):
            names.append(name)
    return names


def instrument(model) -> dict[str, float]:
    """Wrap each phase of `step()` with a timer; returns the accumulating totals."""
    totals: dict[str, float] = defaultdict(float)
    for name in step_phases(model):
        fn = getattr(model, name)

        def timed(*args, _fn=fn, _name=name, **kwargs):
            t0 = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                totals[_name] += time.perf_counter() - t0

        setattr(model, name, timed)
    return totals


def time_blocks(step, days: int, blocks: int) -> list[float]:
    """Seconds per day for each of `blocks` blocks of `days` consecutive steps."""
    out = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(days):
            step()
        out.append((time.perf_counter() - t0) / days)
    return out


def state_bytes(model) -> int:
    """Bytes held by the model's numpy / scipy.sparse arrays (population included)."""
    import numpy as np
    import scipy.sparse as sp

    seen, total = set(), 0

    def add(x):
        nonlocal total
        if isinstance(x, np.ndarray) and id(x) not in seen:
            seen.add(id(x))
            total += x.nbytes
        elif sp.issparse(x) and id(x) not in seen:
            seen.add(id(x))
            for part in ("data", "indices", "indptr"):
                add(getattr(x, part, None))

    for obj in (model.__dict__, model.pop.__dict__):
        for v in obj.values():
            add(v)
    return total


def worker_core(n: int, quick: bool) -> dict:
    """Build and step the core at N in this (fresh) process: time, memory, profile."""
    import numpy as np

    from coprod_sim.model import CoProductionModel

    cfg = config_for(n)
    base_kb = status_kb("VmRSS")  # interpreter + imports
    t0 = time.perf_counter()
    model = CoProductionModel(cfg, rng=12345)
    build_s = time.perf_counter() - t0
    build_peak_kb = status_kb("VmHWM")
    after_build_kb = status_kb("VmRSS")
    can_reset = reset_peak_rss()

    days, blocks = CORE_BLOCKS[n]
    if quick:
        blocks = min(blocks, 2)
    model.step()  # warm-up day (first-touch of the day's buffers)
    per_day = time_blocks(model.step, days, blocks)
    step_peak_kb = status_kb("VmHWM") if can_reset else build_peak_kb
    peak_kb = max(build_peak_kb, step_peak_kb) if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # Profile pass: the same model, its step phases wrapped with timers.
    totals = instrument(model)
    p_days = PROFILE_DAYS[n] if not quick else max(1, PROFILE_DAYS[n] // 4)
    t0 = time.perf_counter()
    for _ in range(p_days):
        model.step()
    profiled_step_s = (time.perf_counter() - t0) / p_days
    phases = {k: v / p_days for k, v in totals.items()}

    result = {
        "n": n,
        "build_s": [build_s],
        "step_s_blocks": per_day,
        "step_s": min(per_day),
        "step_s_median": float(np.median(per_day)),
        "rss_base_kb": base_kb,
        "rss_after_build_kb": after_build_kb,
        "peak_build_kb": build_peak_kb,
        "peak_steps_kb": step_peak_kb,
        "peak_kb": peak_kb,
        "state_bytes": state_bytes(model),
        "nnz": int(model.adj.nnz),
        "officers": len(model.officer_beat),
        "profile_days": p_days,
        "profiled_step_s": profiled_step_s,
        "phases_s": phases,
    }

    # A cProfile of one step at the largest N this run profiles in detail.
    if n >= 10**6:
        prof = cProfile.Profile()
        prof.enable()
        model.step()
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(18)
        result["cprofile_step"] = _trim_pstats(buf.getvalue())

    # Extra builds for a best-of-k build time (after memory was measured).
    del model
    gc.collect()
    extra = {10**3: 4, 10**4: 4, 10**5: 2, 10**6: 1}.get(n, 0) if not quick else 0
    for _ in range(extra):
        t0 = time.perf_counter()
        m = CoProductionModel(cfg, rng=12345)
        result["build_s"].append(time.perf_counter() - t0)
        del m
        gc.collect()
    return result


def worker_speedup(n: int, quick: bool) -> dict:
    """Core and reference at the same N in one process, timed in alternation."""
    from benchmarks.reference import ReferenceModel
    from coprod_sim.model import CoProductionModel

    cfg = config_for(n)
    t0 = time.perf_counter()
    core = CoProductionModel(cfg, rng=7)
    core_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = ReferenceModel(cfg, rng=7)
    ref_build = time.perf_counter() - t0
    ref_days, core_days, rounds = SPEEDUP_BLOCKS[n]
    if quick:
        rounds = 2
    core.step()
    ref.step()
    core_t, ref_t = [], []
    for _ in range(rounds):
        core_t += time_blocks(core.step, core_days, 1)
        ref_t += time_blocks(ref.step, ref_days, 1)
    return {
        "n": n,
        "core_build_s": core_build,
        "reference_build_s": ref_build,
        "core_step_s_blocks": core_t,
        "reference_step_s_blocks": ref_t,
        "core_step_s": min(core_t),
        "reference_step_s": min(ref_t),
        "speedup": min(ref_t) / min(core_t),
    }


def _trim_pstats(text: str) -> str:
    lines = text.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    head = [line for line in lines[:start] if "function calls" in line]
    return "\n".join(head + [""] + lines[start:])


# =========================================================================== driver
def run_worker(kind: str, n: int, quick: bool, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--n", str(n)] + (
        ["--quick"] if quick else []
    )
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker at N={n} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t0
    return out


def mem_available_bytes() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def machine_info() -> dict:
    import mesa
    import numpy
    import scipy

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with open("/proc/meminfo") as f:
        mem_total = int(next(line.split()[1] for line in f if line.startswith("MemTotal:"))) * 1024

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "core_modified": bool(git("status", "--porcelain", "--", "src/coprod_sim")),
        "load_avg_start": os.getloadavg(),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", choices=["core", "speedup"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test of the harness)")
    ap.add_argument(
        "--max-n", type=float, default=1e7, help="largest N for the core (default 1e7, run only if memory allows)"
    )
    ap.add_argument("--skip-1e7", action="store_true", help="never run N = 10^7")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for results.md and results.json")
    args = ap.parse_args(argv)

    if args.worker:
        fn = worker_core if args.worker == "core" else worker_speedup
        print(json.dumps(fn(args.n, args.quick)))
        return

    t_start = time.perf_counter()
    info = machine_info()
    sizes = [n for n in (10**3, 10**4, 10**5, 10**6) if n <= args.max_n]
    core: dict[int, dict] = {}
    for n in sizes:
        print(f"core N={n:>10,} ...", end=" ", flush=True)
        core[n] = run_worker("core", n, args.quick, timeout=300)
        c = core[n]
        print(
            f"build {min(c['build_s']):.3f} s, step {c['step_s'] * 1e3:.2f} ms, peak {c['peak_kb'] / 1024:.0f} MB",
            flush=True,
        )

    # 10^7: only if the 10^6 peak, scaled, fits comfortably in the free memory.
    skipped_1e7 = None
    if 10**6 in core and args.max_n >= 1e7 and not args.skip_1e7:
        need = (core[10**6]["peak_kb"] - core[10**3]["peak_kb"]) * 1024 * 10 + core[10**3]["peak_kb"] * 1024
        free = mem_available_bytes()
        if need < 0.5 * free:
            print(f"core N={10**7:>10,} ...", end=" ", flush=True)
            try:
                core[10**7] = run_worker("core", 10**7, args.quick, timeout=400)
                c = core[10**7]
                print(
                    f"build {min(c['build_s']):.3f} s, step {c['step_s'] * 1e3:.1f} ms, "
                    f"peak {c['peak_kb'] / 1024:.0f} MB",
                    flush=True,
                )
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                skipped_1e7 = f"failed: {str(e)[:300]}"
                print(skipped_1e7)
        else:
            skipped_1e7 = f"skipped: needs ~{need / 2**30:.1f} GB, {free / 2**30:.1f} GB available"
            print(f"N=10^7 {skipped_1e7}")

    speed: dict[int, dict] = {}
    for n in (10**3, 10**4, 10**5):
        if n > args.max_n:
            continue
        print(f"reference vs core N={n:>8,} ...", end=" ", flush=True)
        speed[n] = run_worker("speedup", n, args.quick, timeout=300)
        s = speed[n]
        print(
            f"reference {s['reference_step_s'] * 1e3:.1f} ms/day, core {s['core_step_s'] * 1e3:.2f} ms/day, "
            f"speed-up {s['speedup']:.0f}x",
            flush=True,
        )

    info["load_avg_end"] = os.getloadavg()
    info["bench_wall_s"] = time.perf_counter() - t_start
    results = summarise(info, core, speed, skipped_1e7)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (args.out / "results.md").write_text(render_markdown(results))
    print(f"wrote {args.out / 'results.md'} and results.json in {info['bench_wall_s']:.0f} s")


# =========================================================================== summary and report
def summarise(info: dict, core: dict, speed: dict, skipped_1e7) -> dict:
    base_kb = core[min(core)]["peak_kb"] if 10**3 in core else None
    rows = []
    for n, c in sorted(core.items()):
        phases = c["phases_s"]
        record = phases.get("_record", 0.0)
        row = {
            "n": n,
            "build_s": min(c["build_s"]),
            "build_first_s": c["build_s"][0],
            "step_s": c["step_s"],
            "step_s_median": c["step_s_median"],
            "resident_days_per_s": n / c["step_s"],
            "peak_rss_mb": c["peak_kb"] / 1024,
            "peak_build_mb": c["peak_build_kb"] / 1024,
            "peak_steps_mb": c["peak_steps_kb"] / 1024,
            "rss_after_build_mb": c["rss_after_build_kb"] / 1024,
            "bytes_per_resident": (c["peak_kb"] - base_kb) * 1024 / n if base_kb is not None and n > 10**3 else None,
            "state_bytes_per_resident": c["state_bytes"] / n,
            "metrics_share": record / c["profiled_step_s"] if c["profiled_step_s"] > 0 else None,
            "phases_ms": {k: v * 1e3 for k, v in phases.items()},
            "profiled_step_ms": c["profiled_step_s"] * 1e3,
        }
        if n in speed:
            s = speed[n]
            row.update(
                reference_step_s=s["reference_step_s"],
                reference_build_s=s["reference_build_s"],
                core_step_s_same_process=s["core_step_s"],
                speedup=s["speedup"],
            )
        rows.append(row)
    by_n = {r["n"]: r for r in rows}

    def get(n, key):
        return by_n.get(n, {}).get(key)

    checks = [
        ("speed-up over the reference at 10^5", get(10**5, "speedup"), ">=", TARGETS["speedup_1e5"], "x"),
        ("resident-days/s at 10^6", get(10**6, "resident_days_per_s"), ">=", TARGETS["resident_days_per_s_1e6"], ""),
        ("build time at 10^6", get(10**6, "build_s"), "<=", TARGETS["build_s_1e6"], "s"),
        (
            "peak RSS per resident at 10^6",
            get(10**6, "bytes_per_resident"),
            "<=",
            TARGETS["bytes_per_resident_1e6"],
            "B",
        ),
        ("metrics share of a step at 10^4", get(10**4, "metrics_share"), "<", TARGETS["metrics_share"], ""),
        ("metrics share of a step at 10^6", get(10**6, "metrics_share"), "<", TARGETS["metrics_share"], ""),
    ]
    targets = [
        {
            "target": name,
            "measured": v,
            "goal": f"{op} {goal:g}{unit}",
            "met": None if v is None else (v >= goal if op == ">=" else v <= goal if op == "<=" else v < goal),
        }
        for name, v, op, goal, unit in checks
    ]
    cprof = next(
        (
            c.get("cprofile_step")
            for n, c in sorted(core.items(), reverse=True)
            if c.get("cprofile_step") and n == 10**6
        ),
        None,
    )
    return {
        "machine": info,
        "rows": rows,
        "targets": targets,
        "n_1e7": skipped_1e7 or ("run" if 10**7 in core else "not requested"),
        "cprofile_step_1e6": cprof,
        "raw": {"core": core, "speedup": speed},
    }


def _fmt(x, spec, none="-"):
    return none if x is None else format(x, spec)


def _si(x):
    if x is None:
        return "-"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.3g} {unit}"
    return f"{x:.3g}"


def render_markdown(res: dict) -> str:
    m = res["machine"]
    out = [
        "# coprod_sim benchmark",
        "",
        "Written by `make bench` (`benchmarks/run.py`); machine-readable copy in `results.json`.",
        "Timings are best of k repeats on a shared machine (other jobs running), so read ratios",
        "measured in one run, not absolute values across runs.",
        "",
        f"- date: {m['date']}; host {m['host']}; {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB",
        f"- {m['os']}; Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, Mesa {m['mesa']}",
        f"- code: git {m['git_commit']}{' + uncommitted changes in src/coprod_sim' if m['core_modified'] else ''}",
        f"- load average at start {tuple(round(x, 2) for x in m['load_avg_start'])}, "
        f"at end {tuple(round(x, 2) for x in m['load_avg_end'])}; harness wall time {m['bench_wall_s']:.0f} s",
        "- config: defaults (`configs/baseline.toml` values), `population.residents = N`, `run.burn_in_days = 0`, "
        "reactive policy",
        "",
        "## Results",
        "",
        "| N | build (s, best / first) | step (ms/day, best) | step (median) | resident-days/s | peak RSS (MB) "
        "| peak RSS/resident (B) | array state/resident (B) | metrics share | reference build (s) "
        "| reference (ms/day) | reference resident-days/s | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["rows"]:
        reference_ms = r.get("reference_step_s") and r["reference_step_s"] * 1e3
        reference_rate = _si(r["n"] / r["reference_step_s"]) if r.get("reference_step_s") else "-"
        speedup = f"{_fmt(r.get('speedup'), '.0f', '-')}{'x' if r.get('speedup') else ''}"
        out.append(
            f"| {r['n']:,} | {r['build_s']:.3f} / {r['build_first_s']:.3f} | {r['step_s'] * 1e3:.3f} "
            f"| {r['step_s_median'] * 1e3:.3f} | {_si(r['resident_days_per_s'])} | "
            f"{r['peak_rss_mb']:.0f} | {_fmt(r['bytes_per_resident'], '.0f')} | {r['state_bytes_per_resident']:.0f} "
            f"| {_fmt(r['metrics_share'], '.1%')} | "
            f"{_fmt(r.get('reference_build_s'), '.3f')} | {_fmt(reference_ms, '.1f')} | "
            f"{reference_rate} | {speedup} |"
        )
    out += [
        "",
        f"N = 10^7: {res['n_1e7']}.",
        "",
        "- build: `CoProductionModel(config)` (population, network, officers, state); best of k builds, and the first",
        "  build in the fresh process (page faults on new memory included).",
        "- step: seconds per simulated day, best of k blocks of consecutive days (median block next to it).",
        "- peak RSS/resident: (peak RSS at N - peak RSS of the same command at 1,000) / N, each N in a fresh process;",
        "  the peak covers the build and the timed days. Array state/resident: bytes of the numpy/scipy arrays the",
        "  model holds after the build (what a resident costs at rest; "
        "the rest of the peak is build and step temporaries).",
        "- metrics share: `_record` (daily metrics, DataCollector, per-neighbourhood rows) / step, "
        "from the profile pass.",
        "- reference / speed-up: the per-agent Mesa model (`benchmarks/reference/`) and a core model of the same N,",
        "  built in one process and stepped in alternation (best of k each); speed-up = reference / core step time.",
        "",
        "### Peak memory by phase",
        "",
        "| N | RSS after imports (MB) | peak during build (MB) | RSS after build (MB) | peak during steps (MB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in res["rows"]:
        c = res["raw"]["core"][r["n"]] if r["n"] in res["raw"]["core"] else res["raw"]["core"][str(r["n"])]
        out.append(
            f"| {r['n']:,} | {c['rss_base_kb'] / 1024:.0f} | {r['peak_build_mb']:.0f} "
            f"| {r['rss_after_build_mb']:.0f} | {r['peak_steps_mb']:.0f} |"
        )
    out += ["", "## Targets", "", "| target | goal | measured | met |", "|---|---|---:|---|"]
    for t in res["targets"]:
        v = t["measured"]
        shown = (
            "-"
            if v is None
            else (f"{v:.1%}" if "share" in t["target"] else _si(v) if "resident-days" in t["target"] else f"{v:.3g}")
        )
        met = "-" if t["met"] is None else "yes" if t["met"] else "**no**"
        out.append(f"| {t['target']} | {t['goal']} | {shown} | {met} |")

    phases = []
    for r in res["rows"]:
        for k in r["phases_ms"]:
            if k not in phases:
                phases.append(k)
    out += [
        "",
        "## Profile: where a step's time goes",
        "",
        "Milliseconds per day in each method `step()` calls (wrapped with timers; "
        "share of the profiled step in brackets).",
        "",
        "| phase | " + " | ".join(f"N = {r['n']:,}" for r in res["rows"]) + " |",
        "|---|" + "---:|" * len(res["rows"]),
    ]
    for p in phases:
        cells = []
        for r in res["rows"]:
            v = r["phases_ms"].get(p)
            cells.append("-" if v is None else f"{v:.3g} ({v / r['profiled_step_ms']:.0%})")
        out.append(f"| `{p}` | " + " | ".join(cells) + " |")
    other = [r["profiled_step_ms"] - sum(r["phases_ms"].values()) for r in res["rows"]]
    out.append(
        "| (step overhead) | "
        + " | ".join(f"{o:.3g} ({o / r['profiled_step_ms']:.0%})" for o, r in zip(other, res["rows"], strict=True))
        + " |"
    )
    out.append("| **whole step** | " + " | ".join(f"**{r['profiled_step_ms']:.3g}**" for r in res["rows"]) + " |")
    if res.get("cprofile_step_1e6"):
        out += [
            "",
            "### cProfile of one step at N = 10^6 (top functions by own time)",
            "",
            "```",
            res["cprofile_step_1e6"],
            "```",
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
