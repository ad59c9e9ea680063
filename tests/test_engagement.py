"""Engagement through people (issue 13): participation costs time, meetings surface
local knowledge and raise problems, the police report back, engagement training."""

import numpy as np
import pytest

from coprod_sim.config import ConfigError, load_config
from coprod_sim.model import CoProductionModel

SMALL = {
    "population.residents": 2000,
    "population.neighbourhoods": 4,
    "run.burn_in_days": 30,
}


def model(**changes):
    return CoProductionModel(load_config(overrides={**SMALL, **changes}), rng=3)


def attendees_resources(time_cost: float) -> float:
    """Mean resources of attendances over a year of meetings, relative to all residents'."""
    m = model(
        **{
            "policy.name": "community_meetings",
            "policy.community_meetings.hours_share": 1.0,
            "policy.community_meetings.attendance_rate": 0.5,
            "policy.community_meetings.time_cost": time_cost,
        }
    )
    m.run(365)
    attended = m.policy("community_meetings").attended
    assert attended.sum() > 200
    return float(np.average(m.resources, weights=attended) / m.resources.mean())


def test_meetings_draw_a_crowd_skewed_toward_residents_with_resources():
    assert attendees_resources(2.0) > 1.1
    assert attendees_resources(0.0) == pytest.approx(1.0, abs=0.05)


def test_group_resources_make_a_group_attend_less():
    m = model(**{"population.groups.minority.resources": 0.3, "population.resources_sigma": 0.0})
    minority = m.pop.group == m.pop.group_names.index("minority")
    assert m.resources[minority] == pytest.approx(0.3)
    assert m.resources[~minority] == pytest.approx(1.0)


def meeting_model(information_share: float):
    m = model(
        **{
            "policy.name": "community_meetings",
            "policy.community_meetings.information_share": information_share,
            "policing.local_knowledge_weight": 0.0,
        }
    )
    m.run(30)
    return m


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_attendees_tell_the_police_of_unrecorded_crime_near_home(share):
    m = meeting_model(share)
    gap_before = np.abs(m.true_picture - m.police_picture).sum()
    attendees = np.arange(m.pop.nb_size[0])  # everyone of beat 0 attends
    places, known = m.learn_from_residents(attendees, np.full(len(attendees), share))
    gap_after = np.abs(m.true_picture - m.police_picture).sum()
    if share == 0:
        assert known.sum() == 0 and gap_after == gap_before
    else:
        assert known.sum() > 0 and gap_after < gap_before
        assert set(m.pop.place_neighbourhood[places]) >= {0}


def test_raised_problems_come_first_for_problem_solving_and_are_reported_back():
    m = model(
        **{
            "policy.name": "mix",
            "policy.mix": {"community_meetings": 0.3, "problem_oriented": 0.7},
            "policy.community_meetings.attendance_rate": 0.5,
            "policy.problem_oriented.hours_per_problem": 20.0,
        }
    )
    m.run(120)
    raised = m.raised_problems
    assert raised and any(p.taken_day is not None for p in raised)
    assert m.policy("problem_oriented").solved_day[[p.place for p in raised if p.taken_day is not None]].max() >= 0


def test_feedback_reaches_attendees_only_when_a_raised_problem_was_taken_on():
    m = model(**{"policy.name": "community_meetings", "policy.community_meetings.attendance_rate": 1.0})
    m.run(5)
    meetings = m.policy("community_meetings")
    m.raised_problems.clear()
    meetings.last_raised = {0: [m.raise_problem(int(m.pop.place_start[0]), 0)]}
    meetings._report_back(np.array([0]), np.arange(10))
    assert m.contacts.feedback == 0
    assert m.take_raised_problem() == int(m.pop.place_start[0])
    meetings._report_back(np.array([0]), np.arange(10))
    assert m.contacts.feedback == 10


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_call_backs_take_committed_time_and_report_back(share):
    m = model(**{"policing.followup_share": share})
    m.step()
    reported = len(m.today.reported_incidents)
    assert reported > 0
    if share == 0:
        assert m.today.followups == 0
    else:
        assert m.today.followups == reported  # nothing goes unanswered in the default city
        assert m.contacts.feedback == 0  # reset after the step; the trust step saw them
    m.step()
    assert m.today.followups == (0 if share == 0 else len(m.today.reported_incidents))


def test_call_backs_raise_trust():
    trust = {}
    for share in (0.0, 1.0):
        m = model(**{"policing.followup_share": share, "trust.feedback_effect": 0.5})
        m.run(120)
        trust[share] = m.trust.mean()
    assert trust[1.0] > trust[0.0] + 0.002


def test_engagement_training_trains_officers_and_makes_designed_contacts_move_more_trust():
    m = model(**{"policy.name": "engagement_training", "policy.engagement_training.hours_per_officer": 4.0})
    m.run(60)
    assert all(o.engagement_trained for o in m.officer_list)
    assert m.officer_engagement == pytest.approx(0.5)
    assert m.today.hours["engagement_training"].sum() == 0  # done: its hours return to patrol
    residents = np.arange(50)
    m.record_designed_contacts(residents)
    ids, weights = m.contacts.shocks.designed_partial[-1]
    assert weights == pytest.approx(1.0 + 0.5 * 0.5)


def test_trained_officers_make_door_to_door_raise_more_trust():
    gains = {}
    for effect in (0.0, 1.0):
        m = model(
            **{
                "policy.name": "mix",
                "policy.mix": {"engagement_training": 0.5, "door_to_door": 0.5},
                "policing.engagement_skill_effect": effect,
            }
        )
        m.run(150)
        gains[effect] = m.trust.mean()
    assert gains[1.0] > gains[0.0] + 0.002


def test_removed_efficacy_gain_names_its_replacement():
    with pytest.raises(ConfigError, match="efficacy_gain: this parameter was removed; meetings no longer"):
        load_config(overrides={"policy.community_meetings.efficacy_gain": 0.5})
