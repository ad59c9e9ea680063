"""The small-city shortcuts of the step (issue 14) change no number: prepared draws give
the same draws, reused day arrays still show the day just simulated, the unfiltered
ranking of places agrees with the filtered one."""

import copy

import numpy as np
import pytest

from coprod_sim import CoProductionModel, load_config
from coprod_sim.day import DayArrays
from coprod_sim.rates import DailyRates
from coprod_sim.submodels import response


@pytest.mark.parametrize("rates", [np.full(20, 0.3), np.linspace(0.0, 40.0, 20), np.array([2.5])])
def test_daily_rates_draw_what_numpy_draws(rates):
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    for _ in range(5):
        counts = DailyRates(rates).draw(a)
        expected = b.poisson(rates)
        assert counts.dtype == expected.dtype and (counts == expected).all()
    assert a.random() == b.random()  # the stream goes on from the same state


def test_caller_table_draws_what_resident_calls_draws():
    rng = np.random.default_rng(3)
    cumsum = np.cumsum(rng.lognormal(0, 1, 500))
    start, size = np.array([0, 100, 350]), np.array([100, 250, 150])
    trust = rng.random(500)
    kw = {"calls_per_resident_per_day": 0.05, "call_trust_coef": 1.5}
    table = response.CallerTable.build(cumsum, start, size, **kw)
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(5):
        callers, u = table.draw(a, trust)
        expected_callers, expected_u = response.resident_calls(b, cumsum, start, size, trust, **kw)
        assert (callers == expected_callers).all() and (u == expected_u).all()


@pytest.fixture(scope="module")
def model():
    m = CoProductionModel(
        load_config(overrides={"population.residents": 1000, "run.burn_in_days": 0, "policy.name": "foot_patrol"}),
        rng=5,
    )
    m.run(3)
    return m


def test_today_shows_the_day_just_simulated(model):
    for activity, hours in model.today.hours.items():
        assert hours.sum() == pytest.approx(model.metrics[f"hours_{activity}"], abs=1e-12)
        assert model.today.allocated[activity].sum() == pytest.approx(
            model.metrics[f"allocated_hours_{activity}"], abs=1e-12
        )
    assert model.today.hours["patrol"].sum() > 0


def test_a_new_day_starts_at_zero_and_keeps_none_of_the_last():
    m = CoProductionModel(load_config(overrides={"population.residents": 1000, "run.burn_in_days": 0}), rng=5)
    m.run(2)
    m.today.hours["patrol"] = np.full(m.pop.n_neighbourhoods, 5.0)  # a day that replaced an entry
    day = m.day_arrays.start()
    assert all(not h.any() for h in (*day.hours.values(), *day.allocated.values()))
    assert not day.presence_extra.any() and not day.place_patrol_hours.any() and not day.liaison_coverage.any()


def test_day_arrays_stay_one_block_in_a_copy():
    days = copy.deepcopy(DayArrays(["response", "patrol"], 3, 4))
    day = days.start()
    day.hours["patrol"] += 2.0
    day.allocated["response"] += 1.0
    day = days.start()
    assert not day.hours["patrol"].any() and not day.allocated["response"].any()


def test_ranking_every_place_agrees_with_ranking_every_neighbourhood(model):
    all_beats = np.arange(model.pop.n_neighbourhoods)
    for k in (0, 1, 3, model.pop.n_places, model.pop.n_places + 5):
        assert (model.top_places(k) == model.top_places(k, neighbourhoods=all_beats)).all()
