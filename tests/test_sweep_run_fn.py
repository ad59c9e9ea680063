"""The `run_fn` route of docs/howto-sweeps.md works as documented (issue 17, point 5).

Each case below once went wrong: a script without the `__main__` guard had every
run recorded as "a worker process died"; `task.config` lacked the swept values;
`model.timeseries()` returned under outputs = "summary" failed with a KeyError and
under outputs = "daily" was accepted, then `analyze` failed (KeyError: 'replicate');
a malformed table surfaced only in the writer or in `analyze`.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.model import CoProductionModel
from coprod_sim.streams import replicate_seed
from coprod_sim.sweeps.analysis import analyze
from coprod_sim.sweeps.runner import run_sweep
from coprod_sim.sweeps.spec import SweepError, read_spec, resolve_sweep

SRC = Path(__file__).resolve().parents[1] / "src"
TINY = """
[population]
residents = 500
neighbourhoods = 2
[run]
burn_in_days = 5
days = 20
"""
SWEEP = """
[sweep]
config = "tiny.toml"
design = "lhs"
samples = 4
replicates = 2
seed = 1
outputs = "{outputs}"
[parameters]
"trust.social_rate_per_day" = {{low = 0.005, high = 0.05}}
"""


def sweep_of(tmp_path: Path, outputs: str = "summary"):
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "sweep.toml").write_text(SWEEP.format(outputs=outputs))
    return resolve_sweep(read_spec(tmp_path / "sweep.toml"))


def model_timeseries(task):
    """The how-to's run function: the model on the task's config, its daily table as returned."""
    assert task.config.trust.social_rate_per_day == task.params["trust.social_rate_per_day"]
    model = CoProductionModel(task.config, rng=replicate_seed(task.seed, task.replicate))
    model.run(task.days)
    return model.timeseries()


def failures(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("outputs", ["summary", "daily"])
def test_a_daily_table_as_returned_is_accepted_and_analyzed(tmp_path, outputs):
    out = tmp_path / "out"
    report = run_sweep(sweep_of(tmp_path, outputs), out, workers=1, progress=False, run_fn=model_timeseries)
    assert (report.done, report.failed) == (8, 0), report.failures
    table = pd.read_parquet(out / "runs" / "p0002_r01.parquet")
    if outputs == "daily":
        assert list(table.columns[:4]) == ["run_id", "replicate", "seed", "day"]
        assert (table["replicate"] == 1).all() and (table["seed"] == 1).all()
    else:
        assert list(table.columns) == ["run_id", "period", "metric", "group", "value"]
    indices = analyze(out, figures=False).indices
    assert set(indices["outcome"]) >= {"mean_trust"} and indices["value"].notna().any()


def test_summary_and_daily_run_fn_agree_with_the_model_sweep(tmp_path):
    """The run function's daily table, summarised, equals the default sweep's own summary."""
    mine, default = tmp_path / "mine", tmp_path / "default"
    sweep = sweep_of(tmp_path)
    run_sweep(sweep, mine, workers=1, progress=False, run_fn=model_timeseries)
    run_sweep(sweep, default, workers=1, progress=False)
    for run_id in ("p0000_r00", "p0003_r01"):
        a = pd.read_parquet(mine / "runs" / f"{run_id}.parquet")
        b = pd.read_parquet(default / "runs" / f"{run_id}.parquet")
        pd.testing.assert_frame_equal(a, b)


def bad_columns(task):
    return pd.DataFrame({"when": [1], "how_many": [2.0]})


def summary_in_a_daily_sweep(task):
    return pd.DataFrame({"period": ["all"], "metric": ["crimes"], "group": [None], "value": [1.0]})


def not_a_table(task):
    return {"crimes": 3}


@pytest.mark.parametrize(
    "outputs, run_fn, expected",
    [
        ("summary", bad_columns, 'columns when, how_many (missing period, metric, value); outputs = "summary" expects'),
        ("daily", bad_columns, 'outputs = "daily" expects a daily table with a day column'),
        ("daily", summary_in_a_daily_sweep, 'a summary table: use outputs = "summary"'),
        ("summary", not_a_table, "the run returned dict, not a pandas DataFrame"),
    ],
)
def test_a_malformed_result_fails_its_run_with_the_expected_columns(tmp_path, capsys, outputs, run_fn, expected):
    out = tmp_path / "out"
    report = run_sweep(sweep_of(tmp_path, outputs), out, workers=1, progress=False, run_fn=run_fn)
    assert (report.done, report.failed) == (0, 8)
    assert not list((out / "runs").glob("*.parquet"))  # nothing reaches analyze
    errors = {f["error"] for f in failures(out)}
    assert len(errors) == 1 and expected in errors.pop()


def test_the_policy_and_swept_values_are_in_task_config(tmp_path):
    seen = []

    def record(task):
        seen.append((task.policy, task.config.policy.name, task.config.trust.social_rate_per_day, dict(task.params)))
        return model_timeseries(task)

    (tmp_path / "tiny.toml").write_text(TINY)
    text = SWEEP.format(outputs="summary").replace("seed = 1", 'seed = 1\npolicies = ["reactive", "hot_spots"]')
    (tmp_path / "sweep.toml").write_text(text)
    report = run_sweep(
        resolve_sweep(read_spec(tmp_path / "sweep.toml")), tmp_path / "out", workers=1, progress=False, run_fn=record
    )
    assert report.failed == 0 and len(seen) == 16
    for policy, name, rate, params in seen:
        assert policy == name and rate == params["trust.social_rate_per_day"] and "policy.name" not in params
    assert [s[0] for s in seen[:4]] == ["reactive", "hot_spots", "reactive", "hot_spots"]


SCRIPT = """
from coprod_sim.sweeps import read_spec, resolve_sweep
from coprod_sim.sweeps.runner import run_sweep


def run(task):
    raise AssertionError("never called")


{call}
"""
CALL = 'report = run_sweep(resolve_sweep(read_spec("sweep.toml")), "out", workers=2, run_fn=run, progress=False)'


def run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "sweep.toml").write_text(SWEEP.format(outputs="summary"))
    (tmp_path / "script.py").write_text(body)
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "script.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_script_without_the_main_guard_is_told_so(tmp_path):
    done = run_script(tmp_path, SCRIPT.format(call=CALL))
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert (
        'script.py, line 10: the sweep is started at the script\'s top level without an `if __name__ == "__main__":`'
        in last
    )
    assert "worker process died" not in done.stderr and not (tmp_path / "out").exists()


def test_a_guarded_script_gets_past_the_check(tmp_path):
    body = SCRIPT.format(call='if __name__ == "__main__":\n    ' + CALL + "\n    print(report.failed)")
    done = run_script(tmp_path, body)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "8" and "never called" in (tmp_path / "out" / "failures.jsonl").read_text()


def test_run_functions_workers_cannot_import_are_refused(tmp_path):
    sweep = sweep_of(tmp_path)
    with pytest.raises(SweepError, match="cannot be sent to worker processes.*define it with `def` at the top level"):
        run_sweep(sweep, tmp_path / "out", workers=2, progress=False, run_fn=lambda task: None)
    assert not (tmp_path / "out").exists()
    code = (
        "from coprod_sim.sweeps import read_spec, resolve_sweep\n"
        "from coprod_sim.sweeps.runner import run_sweep\n"
        "def run(task): return None\n"
        'run_sweep(resolve_sweep(read_spec("sweep.toml")), "out", workers=2, run_fn=run, progress=False)\n'
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "run_fn run is defined in an interactive session" in done.stderr


def test_cli_sweep_is_unaffected_by_the_check(tmp_path):
    sweep_of(tmp_path)
    assert (
        main(["sweep", str(tmp_path / "sweep.toml"), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet"]) == 0
    )
