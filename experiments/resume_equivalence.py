"""How far apart are two-worker calibrations that should agree, and ones that should not?
Measures the statistical equivalence check of docs/calibration-engine.md ("Resume with
several workers") at the size of its test (tests/test_calibrate_city.py): for each seed, an
uninterrupted two-worker calibration of the tiny test city, one killed during generation 1
and resumed, and one of the same city with a far more confident minority (0.8, not 0.3);
prints each comparison's z per parameter at the last generation both runs completed.

    python experiments/resume_equivalence.py [--seeds 3] [--budget 150] [--population 10]
        [--out results/resume_equivalence]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import tomli_w

from coprod_sim.cities.calibrate import calibrate
from coprod_sim.cities.engine import DATABASE
from coprod_sim.cities.equivalence import compare_calibrations

TINY = Path(__file__).resolve().parents[1] / "tests" / "data" / "tiny_city.toml"


def generations_done(out: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{out / DATABASE}?mode=ro", uri=True, timeout=1)) as con:
            (max_t,) = con.execute("SELECT max(t) FROM populations").fetchone()
    except sqlite3.Error:  # not created yet
        return 0
    return 0 if max_t is None else max_t + 1


def killed_and_resumed(out: Path, budget: int, population: int, seed: int) -> None:
    command = [sys.executable, "-m", "coprod_sim.cli", "calibrate", str(TINY), "--out", str(out), "--quiet"]
    command += ["--budget", str(budget), "--population", str(population), "--seed", str(seed), "--workers", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while generations_done(out) < 1 and proc.poll() is None:
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    calibrate(TINY, out, budget=budget, seed=seed, workers=2, resume=True, progress=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3, help="seeds 1..N (default 3)")
    ap.add_argument("--budget", type=int, default=150, help="simulations per calibration (default 150, as the test)")
    ap.add_argument("--population", type=int, default=10, help="particles per generation (default 10, as the test)")
    ap.add_argument("--out", default="results/resume_equivalence", help="folder for the calibrations (must not exist)")
    args = ap.parse_args()
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=False)
    data = tomllib.loads(TINY.read_text())
    data["groups"]["minority"]["confidence"] = 0.8
    confident = root / "confident.toml"
    confident.write_text(tomli_w.dumps(data))
    for seed in range(1, args.seeds + 1):
        t0 = time.perf_counter()
        whole, resumed, other = (root / f"{name}-{seed}" for name in ("whole", "resumed", "confident"))
        settings = {"budget": args.budget, "population": args.population, "seed": seed, "workers": 2}
        calibrate(TINY, whole, **settings, progress=False)
        killed_and_resumed(resumed, args.budget, args.population, seed)
        calibrate(confident, other, **settings, progress=False)
        print(f"seed {seed} ({time.perf_counter() - t0:.0f} s):", flush=True)
        for label, (a, b) in {"resumed vs whole": (resumed, whole), "confident vs whole": (other, whole)}.items():
            t, rows = compare_calibrations(a, b)
            print(f"  {label}, generation {t}:")
            for r in rows:
                print(f"    {r.line()}", flush=True)


if __name__ == "__main__":
    main()
