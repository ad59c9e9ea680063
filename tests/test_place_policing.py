"""Places with neighbours in use (issue 13): presence at places with the Koper
dose-response, displacement and diffusion, stops near patrolled places, foot beats,
problem-solving that does not compound, places.parquet and C13's measure."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim.calibration import concentration_share, crimes_by_year, place_concentration
from coprod_sim.cli import main
from coprod_sim.config import Config, ConfigError, load_config, with_overrides
from coprod_sim.model import CoProductionModel
from coprod_sim.output_folder import read_manifest
from coprod_sim.place_outputs import COLUMNS
from coprod_sim.policies.problem_oriented import excess_share, opportunity_after_project
from coprod_sim.runs import simulate
from coprod_sim.submodels.crime import protected_hours, spillover_multiplier


def city(**changes):
    base = {"population.residents": 2000, "population.neighbourhoods": 4, "run.burn_in_days": 60}
    return with_overrides(Config(), {**base, **changes})


def test_protected_time_per_officer_minute_peaks_at_the_koper_optimum():
    minutes = np.arange(1.0, 61.0)
    per_minute = [protected_hours(1, m, residual_max_minutes=30, half_minutes=14) * 60 / m for m in minutes]
    assert minutes[int(np.argmax(per_minute))] == 14
    # a drive-by leaves almost no residual deterrence; without residual deterrence a visit protects its own length
    assert protected_hours(1, 1, residual_max_minutes=30, half_minutes=14) * 60 < 1.2
    assert protected_hours(3, 15, residual_max_minutes=0, half_minutes=14) == pytest.approx(0.75)


def test_spillovers_are_separate_and_bounded():
    adjacency = CoProductionModel(city(), rng=1, burn_in=False).places.adjacency
    deterred = np.zeros(adjacency.shape[0])
    deterred[10] = 0.3
    near = adjacency.indices[adjacency.indptr[10] : adjacency.indptr[11]]
    up = spillover_multiplier(deterred, adjacency, displacement_share=0.5, diffusion_share=0.0)
    down = spillover_multiplier(deterred, adjacency, displacement_share=0.0, diffusion_share=0.5)
    assert np.allclose(up[near], 1.15) and np.allclose(down[near], 0.85)
    others = np.setdiff1d(np.arange(len(deterred)), near)
    assert np.allclose(up[others], 1.0) and np.allclose(down[others], 1.0)
    everywhere = spillover_multiplier(np.ones_like(deterred), adjacency, displacement_share=1, diffusion_share=0)
    assert everywhere.max() <= 2.0  # exposure is at most 1: the cap on offending holds


def test_displacement_and_diffusion_move_crime_at_adjacent_places():
    near = {}
    for name, changes in (
        ("displacement", {"crime.displacement_share": 1.0, "crime.diffusion_share": 0.0}),
        ("diffusion", {"crime.displacement_share": 0.0, "crime.diffusion_share": 1.0}),
    ):
        patrol = {"policy.name": "hot_spots", "policy.hot_spots.hours_share": 0.5, "output.places": True}
        # five times the crime, so that the places next to hot spots see enough of it to compare
        patrol |= {"crime.violent_per_1000_per_year": 100.0, "crime.property_per_1000_per_year": 200.0}
        cfg = city(**patrol, **changes)
        places = simulate(cfg, 5, 0, 365).places
        all_ = places[places["period"] == "all"]
        near[name] = all_.loc[all_["near_treated"], "crimes"].sum()
    assert near["displacement"] > 1.2 * near["diffusion"], near


def test_hot_spot_hours_count_once_at_their_places():
    m = CoProductionModel(city(**{"policy.name": "hot_spots", "policy.hot_spots.hours_share": 0.5}), rng=2)
    m.step()
    hours = m.today.hours
    assert hours["hot_spots"].sum() > 0
    np.testing.assert_allclose(m.today.visible_hours, hours["response"] + hours["patrol"])  # not in the beat
    np.testing.assert_allclose(m.today.place_hours["hot_spots"].sum(), hours["hot_spots"].sum())  # at places
    knobs = m.policy_config.hot_spots
    protected = protected_hours(knobs.visits_per_day, knobs.minutes_per_visit, residual_max_minutes=30, half_minutes=14)
    covered = m.today.place_hours["hot_spots"] > 0
    np.testing.assert_allclose(m.today.place_patrol_hours[covered], protected)


def test_foot_patrol_hours_split_between_beat_and_foot_beat():
    m = CoProductionModel(city(**{"policy.name": "foot_patrol", "policy.foot_patrol.hours_share": 0.5}), rng=2)
    m.step()
    hours, vis = m.today.hours, m.policy_config.foot_patrol.visibility
    np.testing.assert_allclose(m.today.visible_hours, hours["response"] + hours["patrol"] + vis * hours["foot_patrol"])
    np.testing.assert_allclose(m.today.place_patrol_hours.sum(), (1 - vis) * hours["foot_patrol"].sum())
    walked = np.flatnonzero(m.today.place_hours["foot_patrol"])
    share = m.policy_config.foot_patrol.foot_beat_share
    assert len(walked) == np.maximum(1, np.round(share * m.pop.place_count)).sum()


def test_place_based_contacts_are_with_people_living_near_the_place():
    m = CoProductionModel(city(**{"policing.place_stop_passer_by_share": 0.0}), rng=4, burn_in=False)
    places = np.repeat([3, 40, 77], 300)
    residents, passer_by = m.place_residents(np.random.default_rng(0), places)
    assert not passer_by.any()
    for p in (3, 40, 77):
        near = np.concatenate([[p], m.places.neighbours(p)])
        assert np.isin(m.places.home_place[residents[places == p]], near).all()
    m2 = CoProductionModel(city(**{"policing.place_stop_passer_by_share": 1.0}), rng=4, burn_in=False)
    residents, passer_by = m2.place_residents(np.random.default_rng(0), places)
    assert passer_by.all() and (m2.pop.neighbourhood[residents] == m2.pop.place_neighbourhood[places]).all()
    assert len(np.unique(m2.places.home_place[residents])) > 15  # from all over the beat
    before = m.contacts.police_initiated
    m.place_stops(np.array([3, 40]), 50.0, np.random.default_rng(1))
    assert m.contacts.police_initiated > before


def test_foot_patrol_talks_with_residents_of_its_foot_beat():
    foot = {"policy.name": "foot_patrol", "policy.foot_patrol.hours_share": 0.5}
    cfg = city(**foot, **{"policing.place_stop_passer_by_share": 0})
    m = CoProductionModel(cfg, rng=6)
    m.contacts.shocks.positive.clear()
    m.contacts.shocks.negative.clear()
    m.today = type(m.today).start(m.activities, m.pop.n_neighbourhoods, m.pop.n_places)
    m.policy("foot_patrol").act(np.full(m.pop.n_neighbourhoods, 8.0))
    talked = np.concatenate([*m.contacts.shocks.positive, *m.contacts.shocks.negative])
    walked = np.flatnonzero(m.today.place_hours["foot_patrol"])
    near = np.unique(np.concatenate([walked, *[m.places.neighbours(p) for p in walked]]))
    assert len(talked) > 20 and np.isin(m.places.home_place[talked], near).all()


def test_problem_solving_removes_excess_without_compounding():
    pressure = np.array([1.0, 1.0, 1.0, 10.0, 2.0, 2.0, 2.0])
    excess = excess_share(pressure, np.array([0, 4]), np.array([4, 3]))
    np.testing.assert_allclose(excess, [0, 0, 0, 0.9, 0, 0, 0])
    once = opportunity_after_project(0.9, excess_removed=0.5, information=1.0, effort=1.0)
    assert once == pytest.approx(0.55)
    assert opportunity_after_project(0.9, excess_removed=0.5, information=0.0, effort=1.0) == 1.0
    m = CoProductionModel(city(), rng=1, burn_in=False)
    m.complete_project(5, once)
    m.complete_project(5, once)  # re-taking the place sets the same level, it does not multiply
    assert m.place_opportunity[5] == pytest.approx(once)
    m.complete_project(5, 0.9)  # a weaker project never undoes a stronger one
    assert m.place_opportunity[5] == pytest.approx(once)
    assert m.today.problem_places == [5, 5, 5]


def test_problem_oriented_projects_reach_a_level_and_decay():
    cfg = city(**{"policy.name": "problem_oriented", "policy.problem_oriented.hours_share": 0.5})
    m = CoProductionModel(cfg, rng=3)
    m.run(200)
    pol = m.policy("problem_oriented")
    assert pol.solved > 0
    solved = pol.solved_day > -10_000
    assert m.place_opportunity[solved].min() >= 1 - cfg.policy.problem_oriented.excess_removed  # never compounding
    assert (m.place_opportunity[~solved] == 1).all()
    none = CoProductionModel(with_overrides(cfg, {"policy.problem_oriented.excess_removed": 0.0}), rng=3)
    none.run(200)
    assert (none.place_opportunity == 1).all()


def test_opportunity_reduction_is_replaced_with_a_clear_error():
    with pytest.raises(ConfigError, match="excess_removed"):
        load_config(overrides=["policy.problem_oriented.opportunity_reduction=0.4"])


def test_places_table_follows_the_contract():
    cfg = city(**{"policy.name": "hot_spots", "policy.hot_spots.hours_share": 0.5, "output.places": True})
    result = simulate(cfg, 7, 0, 400)
    places, ts = result.places, result.timeseries
    assert list(places.columns) == list(COLUMNS)
    assert set(places["period"]) == {"all", "year_1", "year_2"}
    n_places = CoProductionModel(cfg, rng=1, burn_in=False).pop.n_places
    assert len(places) == 3 * n_places
    all_ = places[places["period"] == "all"]
    assert all_["crimes"].sum() == ts["crimes"].sum()
    assert all_["crimes_violent"].sum() == ts["crimes_violent"].sum()
    assert all_["crimes_reported"].sum() == ts["crimes_reported"].sum()
    assert all_["hours_hot_spots"].sum() == pytest.approx(ts["hours_hot_spots"].sum())
    year1 = places[places["period"] == "year_1"]
    assert year1["crimes"].sum() == ts.loc[ts["day"] < 365, "crimes"].sum()
    assert all_["treated"].any() and all_["near_treated"].any()
    assert not (all_["treated"] & all_["near_treated"]).any()
    assert places[["problem_solved", "treated", "near_treated"]].dtypes.eq(bool).all()
    # the option only reads the run
    plain = simulate(with_overrides(cfg, {"output.places": False}), 7, 0, 400)
    assert plain.places is None
    pd.testing.assert_frame_equal(plain.timeseries, ts)


def test_places_flag_on_run_and_compare(tmp_path):
    small = ["--set", "population.residents=800", "--set", "run.burn_in_days=30", "--days", "40", "--quiet"]
    assert main(["run", *small, "--places", "--out", str(tmp_path / "run")]) == 0
    assert "places.parquet" in read_manifest(tmp_path / "run")["files"]
    assert main(["run", *small, "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "places.parquet").exists()
    out = tmp_path / "cmp"
    policies = ["--policies", "reactive,hot_spots"]
    assert main(["compare", *small, *policies, "--places", "--workers", "1", "--out", str(out)]) == 0
    for policy in ("reactive", "hot_spots"):
        table = pd.read_parquet(out / policy / "places.parquet")
        assert list(table.columns) == list(COLUMNS)
        assert f"{policy}/places.parquet" in read_manifest(out)["files"]


def test_concentration_shares():
    counts = np.zeros(100)
    counts[:5] = 10  # 50 incidents at 5 places
    counts[5:55] = 1  # 50 at 50 places
    assert concentration_share(counts, 0.5) == pytest.approx(0.05)
    assert concentration_share(counts, 0.25) == pytest.approx(0.03)
    flat = np.ones(100)
    c = place_concentration(np.array([counts, flat]))
    assert c["place_share_50pct"] == pytest.approx((0.05 + 0.5) / 2)
    assert c["place_share_50pct_change"] == pytest.approx(0.45)
    periods = ["all", "all", "year_1", "year_1", "year_2", "year_2"]
    frame = pd.DataFrame({"period": periods, "place": [0, 1] * 3, "crimes": [3, 4, 1, 2, 2, 2]})
    np.testing.assert_array_equal(crimes_by_year(frame), [[1, 2], [2, 2]])
