"""coprod-sim calibrate on a tiny city with a tiny budget: every file of the contract,
resume equal to an uninterrupted run (one worker), and the Dask engine."""

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pyabc")

from coprod_sim.cities.calibrate import calibrate  # noqa: E402
from coprod_sim.config import load_config  # noqa: E402
from coprod_sim.output_folder import verify  # noqa: E402

TINY = Path(__file__).parent / "data" / "tiny_city.toml"
# A prior sample (10), generation 0 and generation 1 of 10 particles (79 simulations, measured);
# the population size follows the budget, so both budgets must give 10 particles (a resumed
# run keeps its first run's population). The sample (1,000 residents, a year) has enough
# crimes that acceptance is not left to noise.
BUDGET = 100
SHORT = 40  # generation 0 ends after 30 simulations; fewer than 10 left, so generation 1 never starts
pytestmark = pytest.mark.slow  # about two minutes in all (CI runs it)


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


def test_resume_ends_with_the_same_posterior(calibrated, tmp_path):
    # stop after the first generations (as if killed during the next), then resume to the full budget
    out = tmp_path / "city"
    calibrate(TINY, out, budget=SHORT, seed=3, progress=False)
    calibrate(TINY, out, budget=BUDGET, seed=3, resume=True, progress=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "posterior.parquet"), pd.read_parquet(calibrated / "posterior.parquet")
    )


def test_resume_refuses_another_seed(calibrated):
    from coprod_sim.output_folder import OutputError

    with pytest.raises(OutputError, match="--seed differs"):
        calibrate(TINY, calibrated, budget=BUDGET, seed=4, resume=True, progress=False)


def test_calibrate_on_a_local_dask_cluster(tmp_path):
    run = calibrate(TINY, tmp_path / "dask", budget=BUDGET, seed=1, engine="dask", workers=2, progress=False)
    assert run.summary["engine"] == "dask"
    assert verify(tmp_path / "dask") == []


def test_the_interrupted_run_really_stopped_early(calibrated, tmp_path):
    short = calibrate(TINY, tmp_path / "short", budget=SHORT, seed=3, progress=False).summary
    full = json.loads((calibrated / "parameters.json").read_text())["summary"]
    assert 1 <= short["generations"] < full["generations"]
    assert short["simulations"] <= SHORT and full["simulations"] <= BUDGET
