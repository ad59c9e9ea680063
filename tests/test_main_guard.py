"""A script that starts worker processes outside its `__main__` guard is told so by name,
before any worker starts, whichever command's pool it uses (comparisons, replicates,
sweeps); a guarded script runs."""

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
SCRIPT = """
from coprod_sim.config import load_config
from coprod_sim.runs import run_replicates

config = load_config(None, {{"population.residents": 300, "run.burn_in_days": 2, "run.days": 3}})
{call}
"""
CALL = "runs = run_replicates(config, replicates=2, workers=2, progress=False)"


def run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "script.py").write_text(body)
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "script.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_an_unguarded_pool_is_refused_with_the_line_that_started_it(tmp_path):
    done = run_script(tmp_path, SCRIPT.format(call=CALL))
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("coprod_sim.main_guard.UnguardedMainError: ")
    assert (
        "script.py, line 6: worker processes are started at the script's top level without an"
        ' `if __name__ == "__main__":` guard' in last
    )
    assert "BrokenProcessPool" not in done.stderr and "bootstrapping phase" not in done.stderr


def test_a_guarded_script_runs_its_pool(tmp_path):
    body = SCRIPT.format(call='if __name__ == "__main__":\n    ' + CALL + "\n    print(len(runs), runs[1].replicate)")
    done = run_script(tmp_path, body)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2 1"
