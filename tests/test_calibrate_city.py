"""coprod-sim calibrate on a tiny city with a tiny budget: every file of the contract,
resume equal to an uninterrupted run (one worker) after a budget stop and after a kill
mid-generation, resume with two workers equal in distribution (a statistical check that can
fail), and the Dask engine."""

import contextlib
import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

pytest.importorskip("pyabc")

from coprod_sim.cities.calibrate import calibrate  # noqa: E402
from coprod_sim.cities.engine import DATABASE  # noqa: E402
from coprod_sim.cities.equivalence import compare_calibrations  # noqa: E402
from coprod_sim.config import load_config  # noqa: E402
from coprod_sim.output_folder import LOCK, verify  # noqa: E402

TINY = Path(__file__).parent / "data" / "tiny_city.toml"
# A prior sample (10), generation 0 and generation 1 of 10 particles (79 simulations, measured);
# the population size follows the budget, so both budgets must give 10 particles (a resumed
# run keeps its first run's population). The sample (1,000 residents, a year) has enough
# crimes that acceptance is not left to noise.
BUDGET = 100
SHORT = 40  # generation 0 ends after 30 simulations; fewer than 10 left, so generation 1 never starts
# Two workers: 10 particles and a budget of 150, so that generation 1 has room to finish even when its
# acceptance rate is low (pyabc abandons a generation that cannot finish within the budget left): both runs of
# the equivalence check must complete it. At a budget of 120 (12 particles) about one run in ten did not.
TWO_WORKERS = {"budget": 150, "population": 10}
TRUST = "population.groups.minority.initial_trust_mean"
# CI runs it; measured 470 s in all on 2 cores busy with other jobs (the two-worker check about 45% of it)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "city"
    calibrate(TINY, out, budget=BUDGET, seed=3, progress=False)
    return out


def test_calibrate_writes_the_contract(calibrated):
    out = calibrated
    assert verify(out) == []
    for name in ("posterior.parquet", "calibrated.toml", "fit.json", "fit.html", "parameters.json"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["fit.png", "marginals.png", "pairs.png"]
    post = pd.read_parquet(out / "posterior.parquet")
    fitted = ["crime.violent_per_1000_per_year", "population.groups.minority.initial_trust_mean"]
    assert list(post.columns) == [*fitted, "weight"]
    assert post["weight"].sum() == pytest.approx(1.0)
    fit = json.loads((out / "fit.json").read_text())
    assert {"name", "observed", "model_median", "model_low", "model_high", "met"} <= set(fit[0])
    names = [r["name"] for r in fit]
    assert "confidence_share_minority" in names and "recorded_crime_share[North]" in names
    for r in fit:
        assert r["model_low"] <= r["model_median"] <= r["model_high"]
    # the profile gives no reporting rates: the national defaults are used, and said so
    summary = json.loads((out / "parameters.json").read_text())["summary"]
    assert summary["national_defaults_used"] == ["reporting_rate_property", "reporting_rate_violent"]
    # calibrated.toml is a config run/compare accept, holding the posterior median
    config = load_config(out / "calibrated.toml")
    median = config.population.groups["minority"].initial_trust_mean
    assert post[fitted[1]].min() <= median <= post[fitted[1]].max()
    assert config.population.residents == 1000


def test_resume_after_a_budget_stop_ends_with_the_same_posterior(calibrated, tmp_path):
    # a small budget stops after generation 0; resumed with the full budget, it ends as an uninterrupted run
    out = tmp_path / "city"
    short = calibrate(TINY, out, budget=SHORT, seed=3, progress=False).summary
    full = json.loads((calibrated / "parameters.json").read_text())["summary"]
    assert 1 <= short["generations"] < full["generations"]
    assert short["simulations"] <= SHORT and full["simulations"] <= BUDGET
    calibrate(TINY, out, budget=BUDGET, seed=3, resume=True, progress=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "posterior.parquet"), pd.read_parquet(calibrated / "posterior.parquet")
    )


def _generations_done(out: Path) -> int:
    """Generations stored so far, read without disturbing the writer (pyabc's History object
    may create tables, i.e. write, and a busy database can make the calibration fail)."""
    db = out / DATABASE
    if not db.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as con:
            (max_t,) = con.execute("SELECT max(t) FROM populations").fetchone()
    except sqlite3.Error:  # the database is being created
        return 0
    return 0 if max_t is None else max_t + 1


def _kill_during_generation_1(out: Path, budget: int, workers: int, population: int | None = None) -> None:
    """Start the command and kill it (SIGKILL, no clean-up; its worker processes too) once
    generation 0 is stored, i.e. during generation 1."""
    src = str(Path(__file__).parents[1] / "src")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "coprod_sim.cli", "calibrate", str(TINY), "--out", str(out)]
    command += ["--budget", str(budget), "--seed", "3", "--workers", str(workers), "--quiet"]
    command += [] if population is None else ["--population", str(population)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        while _generations_done(out) < 1 and proc.poll() is None:
            time.sleep(0.5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -9, proc.stderr.read().decode()
    _wait_until_the_lock_is_free(out)
    # only the generation in progress is lost: generation 0 is kept, no result was written
    assert _generations_done(out) == 1
    assert not (out / "posterior.parquet").exists()


def _wait_until_the_lock_is_free(out: Path, seconds: float = 60.0) -> None:
    """Forked workers share the folder's lock (flock) and release it only when they have exited, which
    on a loaded machine can take a moment after SIGKILL: a resume started before then is refused."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fd = os.open(out / LOCK, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                pytest.fail(f"the killed calibration's processes still hold {out / LOCK} after {seconds:.0f} s")
            time.sleep(0.2)
        finally:
            os.close(fd)


def test_kill_mid_generation_then_resume(calibrated, tmp_path):
    out = tmp_path / "city"
    _kill_during_generation_1(out, BUDGET, workers=1)
    calibrate(TINY, out, budget=BUDGET, seed=3, resume=True, progress=False)
    assert verify(out) == []
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "posterior.parquet"), pd.read_parquet(calibrated / "posterior.parquet")
    )


def test_resume_refuses_another_seed(calibrated):
    from coprod_sim.output_folder import OutputError

    with pytest.raises(OutputError, match="--seed differs"):
        calibrate(TINY, calibrated, budget=BUDGET, seed=4, resume=True, progress=False)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    out = tmp_path_factory.mktemp("two") / "city"
    calibrate(TINY, out, **TWO_WORKERS, seed=3, workers=2, progress=False)
    return out


@pytest.fixture(scope="module")
def confident_city(tmp_path_factory):
    """The tiny city with a minority far more confident in the police (0.8, not 0.3), calibrated as
    `two_workers` is: the equivalence check must tell the two apart."""
    folder = tmp_path_factory.mktemp("confident")
    data = tomllib.loads(TINY.read_text())
    data["groups"]["minority"]["confidence"] = 0.8
    profile = folder / "confident.toml"
    profile.write_text(tomli_w.dumps(data))
    calibrate(profile, folder / "city", **TWO_WORKERS, seed=3, workers=2, progress=False)
    return folder / "city"


def test_two_workers_resumed_after_a_kill_agree_in_distribution(two_workers, tmp_path):
    # pyabc seeds parallel workers from the system: equal digits are not promised, equal distributions are
    out = tmp_path / "city"
    _kill_during_generation_1(out, TWO_WORKERS["budget"], workers=2, population=TWO_WORKERS["population"])
    calibrate(TINY, out, budget=TWO_WORKERS["budget"], seed=3, workers=2, resume=True, progress=False)
    assert verify(out) == []
    t, rows = compare_calibrations(out, two_workers)
    assert t >= 1, "the compared generation must be one made after the resume"
    assert all(r.equivalent for r in rows), "\n".join(r.line() for r in rows)


def test_the_equivalence_check_tells_a_different_city_apart(two_workers, confident_city):
    t, rows = compare_calibrations(two_workers, confident_city)
    assert t >= 1
    by_parameter = {r.parameter: r for r in rows}
    assert not by_parameter[TRUST].equivalent, by_parameter[TRUST].line()


def test_calibrate_on_a_local_dask_cluster(tmp_path):
    # one generation is enough to show the engine works (the small budget keeps the slow suite short)
    run = calibrate(TINY, tmp_path / "dask", budget=SHORT, seed=1, engine="dask", workers=2, progress=False)
    assert run.summary["engine"] == "dask" and run.summary["generations"] >= 1
    assert verify(tmp_path / "dask") == []
