"""Officers over time (issue 13, "gains that last, or not"): routine turnover,
recruits getting to know residents, PJ gains that fade and refreshers that restore
them, skill that lowers discretionary stops, and programme fidelity that decays."""

import numpy as np
import pytest

from coprod_sim.config import with_overrides
from coprod_sim.model import CoProductionModel
from coprod_sim.submodels import workforce

NO_TURNOVER = {"policing.annual_turnover_rate": 0.0}


def make(small_config, rng=3, **changes):
    return CoProductionModel(with_overrides(small_config, changes), rng=rng)


def test_routine_turnover_replaces_officers_with_untrained_strangers(small_config):
    m = make(small_config, **{"policing.annual_turnover_rate": 0.9, "policing.acquaintance_days": 0.0})
    first = {o.unique_id: o.beat for o in m.officer_list}
    beats_before = np.bincount(m.officer_beat, minlength=m.pop.n_neighbourhoods)
    m.run(365)
    recruits = [o for o in m.officer_list if o.unique_id not in first]
    assert len(m.officer_list) == len(first)
    assert (np.bincount(m.officer_beat, minlength=m.pop.n_neighbourhoods) == beats_before).all()  # same posts
    assert len(recruits) >= len(first) // 2  # 90% a year
    assert all(len(o.known) == 0 and not o.trained for o in recruits)


def test_no_turnover_keeps_the_force(small_config):
    m = make(small_config, **NO_TURNOVER, **{"policing.acquaintance_days": 0.0})
    first = [o.unique_id for o in m.officer_list]
    version = m.officer_version
    m.run(200)
    assert [o.unique_id for o in m.officer_list] == first
    assert m.officer_version == version  # nothing rebuilt the officer arrays


def test_a_recruit_starts_from_every_declared_default(small_config):
    m = make(small_config, **NO_TURNOVER)
    old = m.officer_list[0]
    old.trained, old.training_hours, old.last_trained_day = True, 8.0, 5
    old.pj_skill, old.untrained_pj_skill = 0.9, 0.6
    old.some_later_skill = 0.7  # an attribute another mechanism might add on the job
    recruit = workforce.replace_officer(m, old, 0.4)
    m.refresh_officers()
    fresh = type(old)(m, old.beat, 0.4, old.hours_per_day, old.language_skill)
    skip = {"unique_id", "index", "known", "pos"}
    for name, value in vars(fresh).items():
        if name not in skip and not name.startswith("_"):
            assert getattr(recruit, name) == value, name
    assert not hasattr(recruit, "some_later_skill") and len(recruit.known) == 0
    assert old not in m.officer_list and recruit.beat == old.beat


def test_recruits_get_to_know_residents_of_their_beat(small_config):
    m = make(small_config, **NO_TURNOVER, **{"policing.acquaintance_days": 100.0})
    recruit = workforce.replace_officer(m, m.officer_list[0], 0.5)
    m.refresh_officers()
    m.run(100)
    target = m.config.policing.known_residents_per_officer
    assert 0.4 * target < len(recruit.known) < 0.75 * target  # about 1 - 1/e after one time constant
    lo, size = m.pop.nb_start[recruit.beat], m.pop.nb_size[recruit.beat]
    assert ((recruit.known >= lo) & (recruit.known < lo + size)).all()


def test_who_knows_whom_is_patched_row_by_row_as_a_full_rebuild_would_make_it(small_config):
    m = make(small_config, **{"policing.annual_turnover_rate": 0.3, "policing.acquaintance_days": 20.0})
    for o in m.officer_list[::2]:
        workforce.replace_officer(m, o, 0.5)  # recruits who know nobody yet
    m.refresh_officers()
    patched = 0
    for _ in range(120):
        known_before = {id(o): len(o.known) for o in m.officer_list}
        m.step()
        patched += any(len(o.known) > known_before.get(id(o), len(o.known)) for o in m.officer_list)
        kept = m.officer_known
        m.refresh_officers()  # rebuilt in full, from every officer's own list
        full = m.officer_known
        assert np.array_equal(kept.indptr, full.indptr) and np.array_equal(kept.indices, full.indices)
        assert kept.indices.dtype == full.indices.dtype and kept.shape == full.shape
        assert (m.officer_known_count == np.diff(full.indptr)).all()
    assert patched > 20  # days on which serving officers got to know someone (the patched path)


def pj(small_config, **knobs):
    changes = {"policy.name": "procedural_justice_training", "policy.procedural_justice_training.hours_share": 0.6}
    changes.update({f"policy.procedural_justice_training.{k}": v for k, v in knobs.items()})
    return make(small_config, **NO_TURNOVER, **changes)


def test_pj_gains_fade_without_refreshers(small_config):
    m = pj(small_config, gain_decay_days=100.0, refresher_interval_days=0)
    m.run(20)
    gain = m.officer_skill - np.array([o.untrained_pj_skill for o in m.officer_list])
    assert (gain > 0.05).all()
    m.run(100)
    later = m.officer_skill - np.array([o.untrained_pj_skill for o in m.officer_list])
    assert later == pytest.approx(gain * np.exp(-1.0), rel=0.06)  # one time constant later


def test_refreshers_restore_the_gain(small_config):
    m = pj(small_config, gain_decay_days=100.0, refresher_interval_days=60, refresher_hours=2.0)
    m.run(20)
    full = m.officer_skill.copy()
    m.run(75)  # everyone is due a refresher by day ~80
    assert m.officer_skill == pytest.approx(full, abs=0.03)
    assert all(o.last_trained_day >= 60 for o in m.officer_list)
    assert m.timeseries()["hours_procedural_justice_training"].iloc[60:].sum() > 0


def test_skilled_officers_make_fewer_stops(small_config):
    def stops(slope, skill):
        m = make(small_config, **NO_TURNOVER, **{"policing.stop_skill_slope": slope})
        for o in m.officer_list:
            o.pj_skill = o.untrained_pj_skill = skill
        m.refresh_officers()
        m.run(240)
        return m.timeseries()["police_initiated_contacts"].sum()

    assert stops(1.0, 1.0) == 0
    base = stops(0.0, 0.6)
    assert base > 100
    assert stops(0.5, 0.6) == pytest.approx(0.7 * base, rel=0.15)


def test_fidelity_decay_turns_designed_hours_into_patrol(small_config):
    share = {"policy.name": "door_to_door", "policy.door_to_door.hours_share": 0.5}
    full = make(small_config, **NO_TURNOVER, **share)
    decaying = make(small_config, **NO_TURNOVER, **share, **{"policy.door_to_door.fidelity_half_life_years": 0.5})
    full.run(365)
    decaying.run(365)
    a, b = full.timeseries(), decaying.timeseries()
    late = slice(300, 365)
    allocated = b["allocated_hours_door_to_door"].iloc[late].sum()
    assert allocated == pytest.approx(a["allocated_hours_door_to_door"].iloc[late].sum(), rel=0.05)
    spent = b["hours_door_to_door"].iloc[late].sum()
    assert spent / allocated < 0.35  # 0.5 ** (300 / 182.5) = 0.32 at most
    assert b["hours_patrol"].iloc[late].sum() > a["hours_patrol"].iloc[late].sum()


def test_fidelity_counts_from_the_day_a_schedule_starts_the_policy(small_config):
    knobs = {"policy.door_to_door.fidelity_half_life_years": 0.5, "policy.door_to_door.hours_share": 0.5}
    m = make(
        small_config,
        **NO_TURNOVER,
        **knobs,
        **{"policy.schedule": [{"day": 200, "name": "door_to_door"}]},
    )
    m.run(230)
    ts = m.timeseries()
    assert ts["allocated_hours_door_to_door"].iloc[:200].sum() == 0
    window = ts.iloc[200:230]
    assert window["hours_door_to_door"].sum() / window["allocated_hours_door_to_door"].sum() > 0.85
