"""The synthetic-city check (issue 15): targets simulated at known parameter values,
calibrated; the 90% posterior interval must cover the truth, and the check must say
"not covered" when the truth lies outside the prior."""

import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

from coprod_sim.cities.profile import city_config, load_profile
from coprod_sim.cities.synthetic import coverage, synthetic_profile
from coprod_sim.cities.targets import observed_targets, summary_statistics
from coprod_sim.config import with_overrides
from coprod_sim.runs import simulate

TINY = Path(__file__).parent / "data" / "tiny_city.toml"
VIOLENT, TRUST = "crime.violent_per_1000_per_year", "population.groups.minority.initial_trust_mean"
TRUTH = {VIOLENT: 20.0, TRUST: 0.45}
PRIORS = {VIOLENT: {"low": 5.0, "high": 80.0, "scale": "log"}, TRUST: {"low": 0.05, "high": 0.95}}


def _profile(tmp_path, days: int, priors: dict = PRIORS) -> Path:
    data = tomllib.loads(TINY.read_text())
    data["sample"]["days"] = days
    data["calibration"] = {"parameters": list(TRUTH), "priors": priors}
    path = tmp_path / "profile.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def _write(tmp_path, data: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data))
    return path


def test_coverage_says_covered_and_not_covered():
    posterior = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.1, 0.2, 0.3, 0.4], "weight": [0.25] * 4})
    rows = {c.parameter: c for c in coverage(posterior, {"a": 2.5, "b": 0.9})}
    assert rows["a"].covered and "a: truth 2.5" in rows["a"].line() and rows["a"].line().endswith(": covered")
    assert not rows["b"].covered and rows["b"].line().endswith("NOT covered")
    # the interval is weighted: with the weight on 4.0, 1.0 lies outside it
    heavy = posterior.assign(weight=[0.01, 0.01, 0.01, 0.97])
    assert not coverage(heavy, {"a": 1.0})[0].covered


def test_synthetic_profile_holds_the_simulated_targets(tmp_path):
    profile = load_profile(_profile(tmp_path, days=60))
    data = synthetic_profile(profile, TRUTH, seed=5)
    synthetic = load_profile(_write(tmp_path, data, "synthetic.toml"))
    assert synthetic.city.synthetic and synthetic.calibration.parameters == list(TRUTH)
    config = with_overrides(city_config(profile), TRUTH)
    stats = summary_statistics(simulate(config, 5, 0, config.run.days), profile)
    for target in observed_targets(synthetic):
        assert target.observed == pytest.approx(stats[target.name]), target.name
    assert "national default" not in " ".join(t.source for t in observed_targets(synthetic))


@pytest.mark.slow  # two small calibrations, about a minute (CI runs it)
def test_posterior_covers_the_truth_and_not_a_truth_outside_the_prior(tmp_path):
    from coprod_sim.cities.calibrate import calibrate

    profile = load_profile(_profile(tmp_path, days=180))
    data = synthetic_profile(profile, TRUTH, seed=2, replicates=4)
    path = _write(tmp_path, data, "synthetic.toml")
    calibrate(path, tmp_path / "fit", budget=60, seed=2, progress=False)
    rows = coverage(pd.read_parquet(tmp_path / "fit" / "posterior.parquet"), TRUTH)
    assert all(c.covered for c in rows), "\n".join(c.line() for c in rows)

    # the same data with the truth moved outside the prior: the check must report it
    data["calibration"]["priors"][TRUST] = {"low": 0.6, "high": 0.95}
    path = _write(tmp_path, data, "outside.toml")
    calibrate(path, tmp_path / "outside", budget=40, seed=2, progress=False)
    rows = {c.parameter: c for c in coverage(pd.read_parquet(tmp_path / "outside" / "posterior.parquet"), TRUTH)}
    assert not rows[TRUST].covered, rows[TRUST].line()
