"""Communication barriers, enforcement fear, local knowledge, tailored engagement (issue 8).

That the new mechanisms are inert at their neutral settings (barriers 0,
local-knowledge weight 0) is checked against the golden series in test_golden.py."""

import numpy as np
import pytest

from coprod_sim.config import load_config, with_overrides
from coprod_sim.model import CoProductionModel

BASE = {"population.residents": 2000, "population.neighbourhoods": 5, "run.burn_in_days": 20}


def model(rng=1, **changes):
    return CoProductionModel(load_config(overrides={**BASE, **changes}), rng=rng)


def test_barrier_lowers_reporting_only_in_its_neighbourhood():
    barrier = [0.0, 0.8, 0.0, 0.0, 0.0]
    plain, barred = model(), model(**{"barriers.neighbourhood": barrier})
    victims = np.arange(plain.pop.n)
    cost_plain = plain._reporting_costs(victims)
    cost = barred._reporting_costs(victims)
    assert np.all(cost_plain == 0)
    in_nb1 = barred.pop.neighbourhood == 1
    np.testing.assert_allclose(cost[in_nb1], 0.8 * barred.config.barriers.reporting_cost)
    assert np.all(cost[~in_nb1] == 0)
    from coprod_sim.submodels.reporting import report_probability

    kw = dict(
        intercept=-1.0,
        seriousness_coef=1.0,
        trust_coef=1.0,
        norm_coef=0.0,
        norm_reference=0.3,
        efficacy_coef=0.0,
        efficacy_reference=0.4,
        alternatives_coef=0.0,
    )
    p = report_probability(0.5, 0.5, 0.3, 0.4, False, extra_cost=cost, **kw)
    p0 = report_probability(0.5, 0.5, 0.3, 0.4, False, **kw)
    assert np.all(p[in_nb1] < p0) and np.all(p[~in_nb1] == p0)


def test_barrier_lowers_meeting_attendance_only_in_its_neighbourhood():
    changes = {"policy.name": "community_meetings", "policy.community_meetings.attendance_rate": 1.0}
    plain = model(**changes)
    barred = model(
        **changes, **{"barriers.neighbourhood": [0.9, 0.0, 0.0, 0.0, 0.0], "barriers.attendance_penalty": 1.0}
    )
    barred.participation = plain.participation.copy()
    attendees = {}
    for name, m in (("plain", plain), ("barred", barred)):
        got = []
        m.record_designed_contacts = lambda ids, got=got: got.append(np.asarray(ids))
        m.policy("community_meetings")._hold(np.arange(5))
        attendees[name] = np.concatenate(got)
    nb_plain = np.bincount(plain.pop.neighbourhood[attendees["plain"]], minlength=5)
    nb_barred = np.bincount(barred.pop.neighbourhood[attendees["barred"]], minlength=5)
    assert nb_barred[0] < 0.3 * nb_plain[0]
    np.testing.assert_array_equal(nb_barred[1:], nb_plain[1:])  # same draws, same attendance elsewhere


def test_officer_language_skill_cancels_the_barrier():
    m = model(**{"barriers.neighbourhood": 1.0, "barriers.fairness_penalty": 1.0})
    residents = np.arange(10)
    officers = np.zeros(10, dtype=np.int64)
    m.officer_language[:] = 0.0
    skill = m.officer_skill[0]
    np.testing.assert_allclose(
        m.contact_bad_probability(officers, residents), m.config.policing.bad_contact_max
    )  # skill fully lost
    m.officer_language[0] = 1.0
    np.testing.assert_allclose(
        m.contact_bad_probability(officers, residents), m.config.policing.bad_contact_max * (1 - skill)
    )


def test_skilled_officers_go_to_the_listed_beats():
    m = model(**{"policing.language_skill_share": 1.0, "policing.language_skill_beats": [3]})
    assert (m.officer_beat == 3).all() and (m.officer_language == 1).all()


def test_enforcement_fear_lowers_reporting_and_participation_of_its_group():
    fear = [
        {
            "day": 5,
            "kind": "enforcement_fear",
            "groups": ["minority"],
            "reporting_cost": 2.0,
            "participation_cost": 2.0,
            "duration_days": 20,
        }
    ]
    a, b = model(rng=3), model(rng=3, events=fear)
    a.run(5)
    b.run(5)
    np.testing.assert_array_equal(a.participation, b.participation)  # nothing before its day
    a.run(10)
    b.run(10)
    minority = a.pop.group == a.pop.group_names.index("minority")
    assert b.participation[minority].mean() < 0.6 * a.participation[minority].mean()
    np.testing.assert_allclose(b.participation[~minority], a.participation[~minority], rtol=0.05)
    costs = b._reporting_costs(np.arange(b.pop.n))
    assert np.all(costs[minority] == 2.0) and np.all(costs[~minority] == 0)
    b.run(20)
    assert b.today.fear_costs is None  # over after duration_days


def overlap_with_true_top(m, days=400):
    m.run(days)
    return np.nanmean(m.timeseries()["police_top5pct_true_share"].to_numpy()[-100:]) / np.nanmean(
        m.timeseries()["true_top5pct_share"].to_numpy()[-100:]
    )


def test_local_knowledge_moves_the_police_picture_toward_the_truth():
    shares = []
    for intercept in (-5.0, -2.5, 0.0):  # participation low, default, high
        # others' reports also fill the picture: switched off to see local knowledge alone
        m = model(
            rng=4,
            **{
                "coproduction.participation_intercept": intercept,
                "policing.local_knowledge_weight": 2.0,
                "population.residents": 4000,
                "reporting.third_party_probability": 0.0,
            },
        )
        shares.append(overlap_with_true_top(m))
    assert shares[0] < shares[1] < shares[2], shares
    off = model(
        rng=4,
        **{
            "policing.local_knowledge_weight": 0.0,
            "population.residents": 4000,
            "reporting.third_party_probability": 0.0,
        },
    )
    assert overlap_with_true_top(off) < shares[2]


@pytest.mark.parametrize("policy", ["door_to_door", "foot_patrol", "liaison", "hot_spots"])
def test_targeted_policy_spends_only_where_targeted(policy):
    m = model(
        **{
            "policy.name": policy,
            f"policy.{policy}.target": "listed",
            f"policy.{policy}.neighbourhoods": [2, 4],
            f"policy.{policy}.hours_share": 0.5,
        }
    )
    m.run(30)
    nb = m.neighbourhood_table()
    spent = nb.groupby("neighbourhood")[f"hours_{m.policy(policy).activity}"].sum()
    assert spent[[0, 1, 3]].sum() == 0 and spent[[2, 4]].min() > 0


def test_group_targeting_reaches_only_that_group():
    m = model(
        **{
            "policy.name": "door_to_door",
            "policy.door_to_door.groups": ["minority"],
            "policy.door_to_door.hours_share": 0.5,
        }
    )
    m.run(30)
    visited = m.last_visit_day >= 0
    assert visited.any()
    assert (m.pop.group[visited] == m.pop.group_names.index("minority")).all()


def test_dynamic_targets():
    m = model(**{"barriers.neighbourhood": [0.1, 0.9, 0.0, 0.5, 0.2]})
    knobs = with_overrides(m.config, {"policy.liaison.target_count": 2}).policy.liaison
    assert list(m.target_neighbourhoods(knobs)) == [1, 3]
    m.trust[m.pop.neighbourhood == 4] = 0.0
    low = with_overrides(
        m.config, {"policy.door_to_door.target": "lowest_trust", "policy.door_to_door.target_count": 1}
    ).policy.door_to_door
    assert list(m.target_neighbourhoods(low)) == [4]


def test_liaisons_offset_the_barrier_where_they_work():
    m = model(
        **{
            "barriers.neighbourhood": 0.6,
            "policy.name": "liaison",
            "policy.liaison.target_count": 1,
            "policy.liaison.hours_share": 0.5,
        }
    )
    m.run(90)
    covered = np.argmax(m.liaison_coverage)
    assert m.liaison_coverage[covered] > 0.5 and np.sort(m.liaison_coverage)[-2] == 0
    eff = m.effective_barrier(np.arange(m.pop.n))
    assert eff[m.pop.neighbourhood == covered].mean() < 0.6 * 0.7 and eff[
        m.pop.neighbourhood != covered
    ].max() == pytest.approx(0.6)


def test_barrier_weakens_designed_contacts_unless_the_officer_speaks_the_language():
    changes = {
        "barriers.neighbourhood": [0.0, 1.0, 0.0, 0.0, 0.0],
        "barriers.fairness_penalty": 0.5,
        "trust.vicarious_fraction": 0.0,
        "trust.anchor_rate_per_day": 0.0,
        "trust.social_rate_per_day": 0.0,
        "policing.language_skill_share": 0.0,
    }
    gains = {}
    for label, skill in (("officer", None), ("liaison", 1.0)):
        m = model(rng=5, **changes)
        m.set_trust(0.5)
        ids = np.concatenate(
            [np.flatnonzero(m.pop.neighbourhood == 0)[:50], np.flatnonzero(m.pop.neighbourhood == 1)[:50]]
        )
        before = m.trust.copy()
        m.record_designed_contacts(ids, language_skill=skill)
        m._trust()
        gains[label] = (m.trust - before)[ids]
    effect = 0.10 * 0.5  # designed_contact_effect x (1 - T)
    np.testing.assert_allclose(gains["officer"][:50], effect, atol=1e-6)  # no barrier: full effect
    np.testing.assert_allclose(
        gains["officer"][50:], effect * 0.5, atol=1e-6
    )  # barrier 1, penalty 0.5, no language skill
    np.testing.assert_allclose(gains["liaison"], effect, atol=1e-6)  # language skill cancels the barrier
