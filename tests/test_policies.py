"""Policies, schedules and scenario events (issue 3)."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim import metric_registry as reg
from coprod_sim.config import POLICY_KNOBS, load_config, with_overrides
from coprod_sim.model import CoProductionModel
from coprod_sim.policies import REGISTRY

POLICIES = list(POLICY_KNOBS)


def make(small_config, rng=3, **changes):
    return CoProductionModel(with_overrides(small_config, changes), rng=rng)


@pytest.mark.parametrize("policy", POLICIES + ["mix"])
def test_policies_never_exceed_their_hours(small_config, policy):
    changes = (
        {"policy.name": policy, f"policy.{policy}.hours_share": 0.6}
        if policy != "mix"
        else {
            "policy.name": "mix",
            "policy.mix": {"reactive": 1, "hot_spots": 1, "door_to_door": 1, "problem_oriented": 1},
        }
    )
    m = make(small_config, **changes)
    m.run(60)
    ts = m.timeseries()
    hours = ts[list(reg.activity_columns(ts.columns).values())]
    budget = m.officer_hours.sum()
    assert (hours.sum(axis=1) <= budget + 1e-6).all()
    assert (hours >= 0).all().all()
    activity = {name: REGISTRY[name].activity for name in POLICIES}
    if policy != "mix":
        discretionary = budget - ts["hours_response"]
        assert (ts[f"hours_{activity[policy]}"] <= 0.6 * discretionary + 1e-6).all()
        others = [f"hours_{a}" for n, a in activity.items() if n != policy]
        assert (ts[others] == 0).all().all()
    else:
        for name in ("hot_spots", "door_to_door", "problem_oriented"):
            assert ts[f"hours_{activity[name]}"].sum() > 0


@pytest.mark.parametrize("policy", POLICIES)
def test_zero_hours_equals_reactive(small_config, policy):
    base = make(small_config, rng=8)
    zero = make(small_config, rng=8, **{"policy.name": policy, f"policy.{policy}.hours_share": 0.0})
    base.run(40)
    zero.run(40)
    pd.testing.assert_frame_equal(base.timeseries(), zero.timeseries())


@pytest.mark.parametrize("policy", POLICIES)
def test_each_policy_changes_what_it_should(small_config, policy):
    # hot spots act at a few places: a city large enough to see it over the noise
    size = {"population.residents": 5000} if policy == "hot_spots" else {}
    base = make(small_config, rng=2, **size)
    pol = make(small_config, rng=2, **size, **{"policy.name": policy, f"policy.{policy}.hours_share": 0.5})
    at_place = {}
    for name, m in (("base", base), ("pol", pol)):
        counts = np.zeros(m.pop.n_places)
        for _ in range(120):
            m.step()
            np.add.at(counts, m.today.incidents.place, 1)
        at_place[name] = counts
    b, p = base.timeseries(), pol.timeseries()
    if policy == "door_to_door":
        assert p["designed_contacts"].sum() > 0 and pol.trust.mean() > base.trust.mean()
    elif policy == "foot_patrol":
        assert p["police_contacts"].sum() > 2 * b["police_contacts"].sum()
    elif policy == "hot_spots":
        # less crime where directed patrol went (citywide, stops' effect on trust may offset it)
        treated = pol.place_presence > 0
        assert treated.any() and at_place["pol"][treated].sum() < at_place["base"][treated].sum()
    elif policy == "community_meetings":
        assert pol.policy("community_meetings").meetings_held.sum() >= 5
        assert p["collective_efficacy"].iloc[-1] > b["collective_efficacy"].iloc[-1]
    elif policy == "procedural_justice_training":
        assert all(o.trained for o in pol.officer_list)
        assert pol.officer_skill.mean() > base.officer_skill.mean()
    elif policy == "problem_oriented":
        assert pol.policy("problem_oriented").solved > 0 and pol.place_opportunity.min() < 1


def test_hot_spots_target_recorded_not_true_crime(small_config):
    m = make(small_config, **{"policy.name": "hot_spots"})
    m.police_picture[:] = 0
    m.police_picture[[7, 3]] = [2.0, 1.0]
    np.testing.assert_array_equal(m.top_places(2), [7, 3])
    in_nb1 = m.top_places(3, neighbourhoods=np.array([1]))
    assert (m.pop.place_neighbourhood[in_nb1] == 1).all()


def test_targeted_policy_spends_only_where_targeted(small_config):
    m = make(
        small_config,
        **{
            "policy.name": "door_to_door",
            "policy.door_to_door.neighbourhoods": [1, 3],
            "policy.door_to_door.hours_share": 0.5,
        },
    )
    m.run(30)
    visited = m.last_visit_day >= 0
    assert visited.any()
    assert set(np.unique(m.pop.neighbourhood[visited])) <= {1, 3}


def test_schedule_switches_policy_on_the_given_day(tmp_path):
    cfg_file = tmp_path / "s.toml"
    cfg_file.write_text(
        '[[policy.schedule]]\nday = 10\nname = "door_to_door"\n[policy.schedule.door_to_door]\nhours_share = 0.4\n\n'
        '[[policy.schedule]]\nday = 25\nname = "reactive"\n'
    )
    cfg = load_config(cfg_file, {"population.residents": 1500, "population.neighbourhoods": 5, "run.burn_in_days": 20})
    m = CoProductionModel(cfg, rng=1)
    m.run(40)
    d2d = m.timeseries()["hours_door_to_door"]
    assert (d2d[:10] == 0).all() and (d2d[10:25] > 0).all() and (d2d[25:] == 0).all()
    assert m.policy_config.name == "reactive" and m.policy_config.door_to_door.hours_share == 0.4


@pytest.mark.parametrize("kind", ["misconduct", "budget_cut", "turnover", "crime_surge"])
def test_events_act_on_their_day_and_not_before(small_config, kind):
    day = 15
    fields = {
        "misconduct": {"salience": 0.4, "groups": ["minority"], "reach": 1.0},
        "budget_cut": {"fraction": 0.5},
        "turnover": {"fraction": 0.5, "recruit_skill_mean": 0.1},
        "crime_surge": {"multiplier": 5.0, "duration_days": 10},
    }[kind]
    base = make(small_config, rng=4)
    ev = make(small_config, rng=4, events=[{"day": day, "kind": kind, **fields}])
    base.run(day)
    ev.run(day)
    pd.testing.assert_frame_equal(base.timeseries(), ev.timeseries())  # nothing before the day
    np.testing.assert_array_equal(base.trust, ev.trust)
    minority = base.pop.group == base.pop.group_names.index("minority")
    before_skill = ev.officer_skill.mean()
    base.step()
    ev.step()
    b, e = base.timeseries().iloc[-1], ev.timeseries().iloc[-1]
    if kind == "misconduct":
        assert ev.trust[minority].mean() < base.trust[minority].mean() - 0.1
        assert abs(ev.trust[~minority].mean() - base.trust[~minority].mean()) < abs(
            ev.trust[minority].mean() - base.trust[minority].mean()
        )
    elif kind == "budget_cut":
        assert e["officers"] == b["officers"] - round(0.5 * b["officers"]) and e["officers"] < b["officers"]
    elif kind == "turnover":
        assert e["officers"] == b["officers"] and ev.officer_skill.mean() < before_skill
    elif kind == "crime_surge":
        base.run(9)
        ev.run(9)
        assert ev.timeseries()["crimes"].iloc[-10:].sum() > 2 * base.timeseries()["crimes"].iloc[-10:].sum()


def test_misconduct_event_spreads_through_the_network(small_config):
    m = make(
        small_config,
        rng=6,
        events=[{"day": 0, "kind": "misconduct", "salience": 0.5, "neighbourhoods": [0], "reach": 1.0}],
    )
    before = CoProductionModel(small_config, rng=6)
    m.step()
    before.step()
    outside = m.pop.neighbourhood != 0
    drop = before.trust - m.trust
    assert drop[~outside].mean() > 0.1
    # residents elsewhere with a tie into neighbourhood 0 hear of it second-hand
    rows, cols = m.adj.nonzero()
    linked = np.zeros(m.pop.n, dtype=bool)
    linked[rows[(m.pop.neighbourhood[cols] == 0) & outside[rows]]] = True
    assert drop[linked].mean() > 0.02 and drop[outside & ~linked].mean() < drop[linked].mean()


def test_community_meetings_are_staggered_across_beats(small_config):
    m = make(
        small_config,
        **{
            "policy.name": "community_meetings",
            "policy.community_meetings.interval_days": 10,
            "policy.community_meetings.hours_share": 1.0,
        },
    )
    held = []
    original = m.policy("community_meetings")._hold
    m.policy("community_meetings")._hold = lambda beats: (held.append((m.day, tuple(beats))), original(beats))
    m.run(25)
    first = {}
    for day, beats in held:
        for b in beats:
            first.setdefault(b, day)
    assert first == {b: b % 10 for b in range(5)}  # beat b first meets on day b mod interval
    for b in range(5):
        days = [day for day, beats in held if b in beats]
        assert len(days) == 3 and min(np.diff(days)) >= 10  # then every interval_days


def test_zero_hour_training_trains_everyone_at_once(small_config):
    m = make(
        small_config,
        **{"policy.name": "procedural_justice_training", "policy.procedural_justice_training.hours_per_officer": 0.0},
    )
    before = m.officer_skill.copy()
    m.step()
    assert all(o.trained for o in m.officer_list) and (m.officer_skill > before).all()
    assert m.timeseries()["hours_procedural_justice_training"].iloc[0] == 0


def test_officer_hours_can_be_read_between_steps(small_config):
    m = make(small_config)
    m.step()
    total = sum(sum(o.hours_today.values()) for o in m.officer_list)
    staffed = m.beat_officer_count > 0  # a beat's hours are shared among its own officers
    expected = sum(h[staffed].sum() for h in m.hours_today.values())
    assert total > 0 and total == pytest.approx(expected)


def test_hours_allocated_and_spent_are_both_recorded(small_config):
    """Hot spots spend whole visits only: what they were given is recorded beside what they spent,
    and the difference went to patrol (issue 17)."""
    m = make(small_config, **{"policy.name": "hot_spots", "policy.hot_spots.hours_share": 0.25})
    m.run(30)
    ts = m.timeseries()
    given, spent = ts["allocated_hours_hot_spots"], ts["hours_hot_spots"]
    assert (spent <= given + 1e-9).all() and (given > 0).all()
    assert (ts["allocated_hours_patrol"] == ts["hours_patrol"]).all()
    assert (ts["allocated_hours_door_to_door"] == 0).all()


def test_underspending_is_flagged():
    from coprod_sim.metrics import underspent

    ts = pd.DataFrame(
        {
            "hours_patrol": [5.0],
            "allocated_hours_patrol": [5.0],
            "hours_community_meetings": [4.0],
            "allocated_hours_community_meetings": [12.0],
            "hours_hot_spots": [9.8],
            "allocated_hours_hot_spots": [10.0],
        }
    )
    assert underspent(ts) == [("community_meetings", 12.0, 4.0)]


def test_a_budget_split_moves_hours_between_two_policies_at_a_fixed_total(small_config):
    totals = {}
    for share in (0.0, 0.25, 1.0):
        m = make(small_config, **{"policy.name": "split", "policy.split.share_first": share})
        m.run(10)
        ts = m.timeseries()
        d2d, hot = ts["allocated_hours_door_to_door"].sum(), ts["allocated_hours_hot_spots"].sum()
        totals[share] = d2d + hot
        if share == 0.0:
            assert d2d == 0 and hot > 0
        if share == 1.0:
            assert hot == 0 and d2d > 0
        if share == 0.25:
            assert d2d / (d2d + hot) == pytest.approx(0.25, abs=0.02)
    assert max(totals.values()) / min(totals.values()) == pytest.approx(1.0, abs=0.05)  # the same total


def test_a_split_needs_two_different_known_policies(small_config):
    from coprod_sim.config import ConfigError

    with pytest.raises(ConfigError, match="first and second are both"):
        with_overrides(small_config, {"policy.name": "split", "policy.split.second": "door_to_door"})
    with pytest.raises(ConfigError, match="not a policy"):
        with_overrides(small_config, {"policy.name": "split", "policy.split.first": "reactive"})
