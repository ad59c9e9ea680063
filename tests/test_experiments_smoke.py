"""Every experiment script runs end to end (tiny settings) and writes its outputs."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "policy_comparison/run.py": (
        ["--replicates", "2", "--days", "20"],
        ["report.html", "headline.csv", "comparison.parquet"],
    ),
    "misconduct_shock/run.py": (
        ["--replicates", "2", "--days", "120"],
        ["recovery.json", "figures/recovery.png", "report.html"],
    ),
    "diverse_communities/run.py": (
        ["--replicates", "1", "--days", "30"],
        ["headline.csv", "barrier/report.html", "enforcement_fear/comparison.parquet", "local_knowledge/report.html"],
    ),
    "tipping_point/run.py": (
        ["--years", "1", "--replicates", "1"],
        ["results.csv", "figures/tipping_point_default.png"],
    ),
    "custom_policy.py": (["--replicates", "1", "--days", "20"], ["report.html"]),
    "budget_split/run.py": (["--replicates", "2", "--days", "20"], ["report.html", "split.csv"]),
    "loop/run.py": (["--replicates", "2", "--days", "20", "--doc", ""], ["loop.csv", "loop.md"]),
    "city_coverage/run.py": (
        ["--profile", "tests/data/tiny_city.toml", "--cities", "1", "--budget", "100", "--workers", "1"],
        ["coverage.csv", "coverage.md", "runs.csv", "city-1/posterior.parquet"],
    ),
    "sustainability/run.py": (
        ["--replicates", "2", "--days", "740", "--residents", "1000", "--policies", "door_to_door"],
        ["persistence.csv", "default/persistence.md", "default/report.html"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", list(CASES))
def test_experiment_runs(script, tmp_path):
    args, outputs = CASES[script]
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / script), *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    for name in outputs:
        assert (out / name).exists(), name
