"""The daily metrics made from the day-by-day log of their inputs (metric_log.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coprod_sim.config import load_config
from coprod_sim.model import CoProductionModel
from coprod_sim.shared_burn_in import copy_model


def _model(overrides: dict | None = None, days: int = 60) -> CoProductionModel:
    base = {
        "population.residents": 1500,
        "run.burn_in_days": 5,
        "crime.violent_per_1000_per_year": 40.0,
        "crime.property_per_1000_per_year": 400.0,  # busier than the default: days with crime
    }
    model = CoProductionModel(load_config(None, {**base, **(overrides or {})}), rng=3)
    model.run(days)
    return model


def test_the_last_row_describes_the_model_as_it_stands():
    model = _model()
    last = model.timeseries().iloc[-1]
    trust, group = model.trust, model.pop.group
    assert last["day"] == model.day - 1
    assert last["mean_trust"] == pytest.approx(trust.mean(), rel=1e-12)
    threshold = model.config.survey.confidence_threshold
    assert last["confidence_share"] == pytest.approx(np.mean(trust >= threshold), rel=1e-12)
    means = [trust[group == g].mean() for g in range(len(model.pop.group_names))]
    for g, name in enumerate(model.pop.group_names):
        assert last[f"mean_trust_{name}"] == pytest.approx(means[g], rel=1e-12)
    assert last["trust_gap"] == pytest.approx(max(means) - min(means), rel=1e-9)
    assert last["officers"] == len(model.officer_beat)


def test_counts_and_ratios_follow_the_days_incidents():
    ts = _model(days=120).timeseries()
    assert ts["crimes"].sum() > 100  # enough days with crime to mean something
    assert (ts["crimes_violent"] + ts["crimes_property"] == ts["crimes"]).all()
    assert (ts["victims_majority"] + ts["victims_minority"] == ts["crimes"]).all()
    has_crime = ts["crimes"] > 0
    assert np.allclose(ts.loc[has_crime, "reporting_rate"], (ts["crimes_reported"] / ts["crimes"])[has_crime])
    assert ts.loc[~has_crime, "reporting_rate"].isna().all()
    reported = ts["crimes_reported"] > 0
    assert np.allclose(ts.loc[reported, "clearance_rate"], (ts["crimes_cleared"] / ts["crimes_reported"])[reported])
    both = (ts["victims_majority"] > 0) & (ts["victims_minority"] > 0)
    gap = (ts["reporting_rate_majority"] - ts["reporting_rate_minority"]).abs()
    assert np.allclose(ts.loc[both, "reporting_gap"], gap[both])
    assert ts.loc[~both, "reporting_gap"].isna().all()  # a gap needs both groups' rates
    for col in ("crimes", "crimes_reported", "police_contacts", "officers", "victims_minority"):
        assert ts[col].dtype == np.int64, col


def test_a_group_without_members_has_no_mean_and_no_part_in_the_gaps():
    model = _model({"population.residents": 300, "population.groups.minority.share": 0.0001})
    assert model.pop.group_sizes.tolist() == [300, 0]
    ts = model.timeseries()
    assert ts["mean_trust_minority"].isna().all() and ts["confidence_share_minority"].isna().all()
    assert (ts["trust_gap"] == 0).all()
    assert (ts["victims_minority"] == 0).all() and ts["reporting_rate_minority"].isna().all()
    majority_rate = ts["reporting_rate_majority"]
    assert (ts["reporting_gap"][majority_rate.notna()] == 0).all()


def test_every_reading_gives_the_same_numbers():
    model = _model()
    ts = model.timeseries()
    pd.testing.assert_frame_equal(model.datacollector.get_model_vars_dataframe(), ts)
    assert model.datacollector.model_vars["crimes"] == ts["crimes"].tolist()
    assert list(model.datacollector.model_vars) == model.metric_names == list(ts.columns)
    # each column is a named Mesa reporter that reads the same number from the model
    assert list(model.datacollector.model_reporters) == model.metric_names
    assert model.datacollector.model_reporters["crimes"](model) == ts["crimes"].iloc[-1]
    last = model.metrics
    assert list(last) == model.metric_names
    assert all(last[k] == v or (v != v and last[k] != last[k]) for k, v in ts.iloc[-1].items())
    log = model.datacollector.log
    # a day's metrics do not depend on which other days are worked out with it
    pd.testing.assert_frame_equal(log.table(45), ts.iloc[45:].reset_index(drop=True))


def test_a_copy_mid_run_records_on_as_the_original():
    model = _model(days=20)
    twin = copy_model(model)
    model.run(25)
    twin.run(25)
    pd.testing.assert_frame_equal(model.timeseries(), twin.timeseries())


def test_before_any_recorded_day_the_table_is_empty_with_its_columns():
    model = CoProductionModel(load_config(None, {"population.residents": 300, "run.burn_in_days": 0}), rng=1)
    assert model.metrics == {}
    assert model.timeseries().empty and list(model.timeseries().columns) == model.metric_names
    assert model.datacollector.model_vars["day"] == []
