"""The whole model: invariants, determinism, common random numbers, Mesa views."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_sim import metric_registry as reg
from coprod_sim.agents import Officer, Resident
from coprod_sim.config import load_config, with_overrides
from coprod_sim.model import CoProductionModel
from coprod_sim.streams import replicate_seed

REQUIRED = [
    "day",
    "crimes",
    "crimes_reported",
    "reporting_rate",
    "crimes_violent",
    "crimes_property",
    "reported_violent",
    "reported_property",
    "mean_trust",
    "trust_gap",
    "participation_rate",
    "collective_efficacy",
    "clearance_rate",
    "police_contacts",
    "negative_contacts",
    "mean_trust_majority",
    "reporting_rate_minority",
    "victims_minority",
    "hours_response",
    "hours_patrol",
    "hours_door_to_door",
]


def check_invariants(model, ts):
    assert ((model.trust >= 0) & (model.trust <= 1)).all()
    assert ((model.anchor >= 0) & (model.anchor <= 1)).all()
    assert ((model.efficacy >= 0) & (model.efficacy <= 1)).all()
    counts = ["crimes", "crimes_reported", "crimes_cleared", "police_contacts", "negative_contacts"]
    assert (ts[counts] >= 0).all().all()
    assert (ts["crimes_reported"] <= ts["crimes"]).all()
    assert (ts["crimes_cleared"] <= ts["crimes_reported"]).all()
    assert (ts["crimes_violent"] + ts["crimes_property"] == ts["crimes"]).all()
    assert (ts["negative_contacts"] <= ts["police_contacts"]).all()
    rates = ts[["reporting_rate", "clearance_rate"]].to_numpy()
    assert np.all(np.isnan(rates) | ((rates >= 0) & (rates <= 1)))
    # NaN exactly when the denominator is 0
    assert (ts["reporting_rate"].isna() == (ts["crimes"] == 0)).all()
    hours = ts[list(reg.activity_columns(ts.columns).values())].sum(axis=1)
    budget = model.officer_hours.sum()
    assert (hours <= budget + 1e-6).all()
    # the co-production loop's outputs
    assert (ts["hours_committed"] <= ts["hours_on_duty"] + 1e-9).all()
    assert (ts["crimes_recorded"] >= ts["crimes_reported"]).all()
    assert (ts["calls_for_service"] >= ts["crimes_recorded"]).all()
    shares = ts[["committed_time_share", "confidence_share", "response_served_share"]].to_numpy()
    assert np.all(np.isnan(shares) | ((shares >= 0) & (shares <= 1)))


def test_metrics_and_burn_in(small_config):
    m = CoProductionModel(small_config, rng=1)
    assert m.day == 0  # burn-in done and not written
    m.run(30)
    ts = m.timeseries()
    assert list(ts["day"]) == list(range(30))
    for col in REQUIRED:
        assert col in ts.columns, col
    check_invariants(m, ts)
    nb = m.neighbourhood_table()
    assert len(nb) == 30 * 5 and set(nb["neighbourhood"]) == set(range(5))
    assert nb.groupby("day")["crimes"].sum().tolist() == ts["crimes"].tolist()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    residents=st.integers(200, 3000),
    neighbourhoods=st.integers(1, 8),
    minority_trust=st.floats(0.0, 1.0),
    sd=st.floats(0.0, 0.4),
    officers=st.floats(0.0, 8.0),
    degree=st.floats(0.0, 30.0),
    neg=st.floats(0.0, 1.0),
    designed=st.floats(0.0, 1.0),
    policy=st.sampled_from(["reactive", "door_to_door"]),
    crime_scale=st.floats(0.0, 20.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_for_any_valid_config(
    residents, neighbourhoods, minority_trust, sd, officers, degree, neg, designed, policy, crime_scale, seed
):
    cfg = load_config(
        overrides={
            "population.residents": residents,
            "population.neighbourhoods": neighbourhoods,
            "population.groups.minority.initial_trust_mean": minority_trust,
            "population.groups.minority.initial_trust_sd": sd,
            "population.officers_per_1000": officers,
            "network.mean_degree": degree,
            "trust.negative_contact_effect": neg,
            "trust.designed_contact_effect": designed,
            "policy.name": policy,
            "crime.violent_per_1000_per_year": 24 * crime_scale,
            "crime.property_per_1000_per_year": 41 * crime_scale,
            "run.burn_in_days": 5,
            "output.agent_views_max_residents": 0,
        }
    )
    m = CoProductionModel(cfg, rng=seed)
    m.run(25)
    check_invariants(m, m.timeseries())


def test_same_seed_same_series_different_seed_differs(small_config):
    a = CoProductionModel(small_config, rng=replicate_seed(3, 0))
    b = CoProductionModel(small_config, rng=replicate_seed(3, 0))
    c = CoProductionModel(small_config, rng=replicate_seed(3, 1))
    for m in (a, b, c):
        m.run(40)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    np.testing.assert_array_equal(a.trust, b.trust)
    assert not a.timeseries()["crimes"].equals(c.timeseries()["crimes"])


def test_policies_share_crime_opportunities(small_config):
    """Common random numbers: a policy changes which potential incidents occur, not the draws."""
    base = CoProductionModel(small_config, rng=5)
    d2d = CoProductionModel(
        with_overrides(small_config, {"policy.name": "door_to_door", "policy.door_to_door.hours_share": 0.5}), rng=5
    )
    np.testing.assert_array_equal(base.adj.indices, d2d.adj.indices)
    np.testing.assert_array_equal(base.trust, d2d.trust)  # burn-in is reactive for every policy
    for _ in range(5):
        base.step()
        d2d.step()
    assert base.streams["crime"].random() == d2d.streams["crime"].random()
    assert base.streams["service"].random() == d2d.streams["service"].random()
    assert not np.array_equal(base.trust, d2d.trust)  # door-to-door did act


def test_zero_hours_door_to_door_equals_reactive(small_config):
    a = CoProductionModel(small_config, rng=9)
    b = CoProductionModel(
        with_overrides(small_config, {"policy.name": "door_to_door", "policy.door_to_door.hours_share": 0.0}), rng=9
    )
    a.run(30)
    b.run(30)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())


def test_mesa_views_read_and_write_the_arrays(small_config):
    m = CoProductionModel(small_config, rng=2, burn_in=False)
    residents = m.agents_by_type[Resident]
    assert len(residents) == m.pop.n
    r = residents.select(lambda a: a.idx == 10).to_list()[0]
    r.trust = 0.123
    assert m.trust[10] == 0.123
    assert residents.agg("trust", np.mean) == pytest.approx(m.trust.mean())
    assert r.group in m.pop.group_names and 0 <= r.neighbourhood < 5
    assert all(m.pop.neighbourhood[j] is not None for j in r.neighbours)
    officers = m.agents_by_type[Officer]
    assert len(officers) == round(2.2 * 1500 / 1000)
    o = officers.to_list()[0]
    assert 0 <= o.pj_skill <= 1 and o.hours_per_day == pytest.approx(24 * 0.2)
    assert (m.pop.neighbourhood[o.known_residents] == o.beat).all()


def test_large_models_skip_views():
    cfg = load_config(
        overrides={"population.residents": 3000, "output.agent_views_max_residents": 1000, "run.burn_in_days": 0}
    )
    m = CoProductionModel(cfg, rng=0)
    assert Resident not in m.agents_by_type


def test_set_trust_hold_freezes_trust(small_config):
    m = CoProductionModel(small_config, rng=4)
    m.set_trust(1.0, hold=True)
    m.run(20)
    assert (m.trust == 1.0).all()


def test_crime_concentrates_at_places(monkeypatch):
    """Weisburd (2015): about half of incidents at about 5% of places."""
    from coprod_sim.submodels import crime as crime_mod

    cfg = load_config(overrides={"output.neighbourhood_metrics": False})
    original = crime_mod.occurring
    shares = []
    for seed in (8, 9, 10):  # one year of one seed is a few hundred incidents: average three
        m = CoProductionModel(cfg, rng=replicate_seed(seed, 0))
        counts = np.zeros(m.pop.n_places)

        def spy(potential, multiplier, cap, counts=counts):
            inc = original(potential, multiplier, cap)
            np.add.at(counts, inc.place, 1)
            return inc

        monkeypatch.setattr(crime_mod, "occurring", spy)
        m.run(365)
        top = np.sort(counts)[::-1][: int(0.05 * len(counts))]
        shares.append(top.sum() / counts.sum())
        assert counts.sum() == m.timeseries()["crimes"].sum()
    assert 0.35 <= np.mean(shares) <= 0.7, shares


def test_burn_in_leaves_mesa_clock_at_day_zero(small_config):
    m = CoProductionModel(small_config, rng=1)
    assert m.day == 0 and m.time == 0 and m.steps == 0
    m.step()
    assert m.day == 1 and m.time == 1 and m.steps == 1


def test_patrol_stops_are_paired_across_policies(small_config):
    """Potential stops are drawn the same under every policy and thinned by patrol
    hours: a policy that patrols less keeps a subset of the baseline's stops."""
    stops = {}
    for name, changes in (
        ("reactive", {}),
        ("d2d", {"policy.name": "door_to_door", "policy.door_to_door.hours_share": 0.5}),
    ):
        m = CoProductionModel(
            with_overrides(
                small_config,
                {
                    **changes,
                    "trust.negative_contact_effect": 0.0,
                    "trust.positive_contact_effect": 0.0,
                    "trust.vicarious_fraction": 0.0,
                },
            ),
            rng=7,
        )
        seen = []
        original = m._stops
        m._stops = lambda beats, u, seen=seen, original=original: (seen.append(u[1].copy()), original(beats, u))
        m.run(30)
        stops[name] = np.concatenate(seen)
    assert 0 < len(stops["d2d"]) < len(stops["reactive"])
    assert np.isin(stops["d2d"], stops["reactive"]).all()  # the same draws, a subset kept


def test_resident_views_absent_in_a_large_model_say_why():
    cfg = load_config(
        overrides={
            "population.residents": 600,
            "output.agent_views_max_residents": 500,
            "population.neighbourhoods": 3,
            "run.burn_in_days": 0,
        }
    )
    m = CoProductionModel(cfg, rng=1)
    with pytest.raises(KeyError, match="agent_views_max_residents"):
        m.agents_by_type[Resident]
    assert len(m.agents_by_type[Officer]) > 0
