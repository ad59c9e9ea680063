"""Each submodel on small hand-made arrays with answers worked out by hand."""

import numpy as np
import pytest
import scipy.sparse as sp

from coprod_sim.network import csr_from_edges
from coprod_sim.submodels import coproduction, crime, efficacy, reporting, response, trust

TRUST_KW = dict(
    anchor_rate_per_day=0.0,
    social_rate_per_day=0.0,
    negative_contact_effect=0.1,
    positive_contact_effect=0.01,
    designed_contact_effect=0.2,
    vicarious_fraction=0.5,
    talk_probability=1.0,
    victimization_effect=0.0,
    clearance_effect=0.0,
    unanswered_call_effect=0.0,
    feedback_effect=0.0,
)
RNG = np.random.default_rng(0)  # talk draws (talk_probability 1: every tie hears)


def path_graph(n):
    return csr_from_edges(n, np.arange(n - 1), np.arange(1, n))


def test_anchor_and_social_pull():
    adj = path_graph(3)  # 0-1-2
    deg = np.diff(adj.indptr).astype(float)
    t = np.array([0.2, 0.6, 1.0])
    anchor = np.array([0.4, 0.6, 0.8])
    kw = {**TRUST_KW, "anchor_rate_per_day": 0.1, "social_rate_per_day": 0.5}
    d = trust.trust_change(t, anchor, adj, deg, trust.Shocks(), RNG, **kw)
    # resident 0: 0.1*(0.4-0.2) + 0.5*(0.6-0.2) = 0.22; 1: 0 + 0.5*(0.6-0.6) = 0; 2: 0.1*(-0.2) + 0.5*(0.6-1) = -0.22
    np.testing.assert_allclose(d, [0.22, 0.0, -0.22], atol=1e-7)  # neighbour sums are float32


def test_contacts_are_asymmetric_and_spread_vicariously():
    adj = path_graph(3)
    deg = np.diff(adj.indptr).astype(float)
    t = np.full(3, 0.5)
    shocks = trust.Shocks(negative=[np.array([0])], positive=[np.array([2])])
    d = trust.trust_change(t, t.copy(), adj, deg, shocks, RNG, **TRUST_KW)
    # 0: -0.1*0.5 = -0.05 ; 2: +0.01*0.5 = 0.005 ; 1 (neighbour of both): 0.5*(-0.05) + 0.5*(0.005)
    np.testing.assert_allclose(d, [-0.05, -0.025 + 0.0025, 0.005], atol=1e-7)


def test_designed_contact_gain_is_larger_for_low_trust():
    adj = csr_from_edges(2, np.array([], dtype=int), np.array([], dtype=int))
    t = np.array([0.2, 0.8])
    shocks = trust.Shocks(designed=[np.array([0, 1])])
    d = trust.trust_change(t, t.copy(), adj, np.zeros(2), shocks, RNG, **TRUST_KW)
    np.testing.assert_allclose(d, [0.2 * 0.8, 0.2 * 0.2])


def test_repeated_contacts_add_and_isolated_residents_keep_own_mean():
    adj = csr_from_edges(2, np.array([], dtype=int), np.array([], dtype=int))
    t = np.array([0.5, 0.5])
    np.testing.assert_allclose(trust.neighbour_mean(adj, np.zeros(2), t), t)
    shocks = trust.Shocks(negative=[np.array([0, 0])])
    d = trust.trust_change(t, t.copy(), adj, np.zeros(2), shocks, RNG, **TRUST_KW)
    np.testing.assert_allclose(d, [-0.1, 0.0])


def test_apply_change_clips_and_anchor_drift():
    t = np.array([0.05, 0.95])
    trust.apply_change(t, np.array([-0.2, 0.2]))
    np.testing.assert_array_equal(t, [0.0, 1.0])
    anchor = np.array([0.5, 0.5])
    prior = np.array([0.5, 0.5])
    trust.drift_anchors(anchor, np.array([0.0, 1.0]), prior, anchor_drift_years=1.0, prior_pull_years=0)
    np.testing.assert_allclose(anchor, [0.5 - 0.5 / 365, 0.5 + 0.5 / 365])
    fixed = np.array([0.5])
    trust.drift_anchors(fixed, np.array([0.0]), np.array([0.5]), anchor_drift_years=0, prior_pull_years=0)
    assert fixed[0] == 0.5
    scarred = np.array([0.3])  # below its prior of 0.5: pulled back on the slow time scale
    trust.drift_anchors(scarred, np.array([0.3]), np.array([0.5]), anchor_drift_years=3.0, prior_pull_years=2.0)
    np.testing.assert_allclose(scarred, [0.3 + 0.2 / (2 * 365)])


def test_experiences_are_talked_about_with_a_chance_per_tie():
    adj = csr_from_edges(2001, np.zeros(2000, dtype=int), np.arange(1, 2001))  # a star: resident 0 has 2000 ties
    deg = np.diff(adj.indptr).astype(float)
    t = np.full(2001, 0.5)
    shocks = trust.Shocks(negative=[np.array([0])])
    quiet = trust.trust_change(t, t.copy(), adj, deg, shocks, RNG, **{**TRUST_KW, "talk_probability": 0.0})
    assert np.all(quiet[1:] == 0)
    d = trust.trust_change(
        t, t.copy(), adj, deg, shocks, np.random.default_rng(1), **{**TRUST_KW, "talk_probability": 0.3}
    )
    heard = d[1:] < 0
    assert heard.mean() == pytest.approx(0.3, abs=0.04)
    np.testing.assert_allclose(d[1:][heard], -0.1 * 0.5 * 0.5)  # vicarious: fraction 0.5 of a direct loss


def test_neighbours_of_gathers_rows_with_repeats():
    adj = path_graph(4)
    np.testing.assert_array_equal(np.sort(trust.neighbours_of(adj, np.array([1, 2]))), [0, 1, 2, 3])
    assert len(trust.neighbours_of(adj, np.array([], dtype=np.int64))) == 0


def test_neighbours_of_lists_each_row_in_order_with_isolated_residents():
    # a random graph with isolated residents: each listed resident's row of the
    # adjacency, in the order listed (repeats and empty rows included)
    rng = np.random.default_rng(3)
    dense = rng.random((30, 30)) < 0.1
    dense[[4, 9]] = False  # two residents without ties
    adj = sp.csr_array(dense.astype(np.float32))
    ids = np.array([4, 0, 9, 0, 17, 29, 4])
    expected = np.concatenate([adj.indices[adj.indptr[i] : adj.indptr[i + 1]] for i in ids])
    np.testing.assert_array_equal(trust.neighbours_of(adj, ids), expected)
    np.testing.assert_array_equal(trust.neighbours_of(adj, np.array([4, 9])), np.empty(0, dtype=np.int64))


def test_report_probability_logit():
    kw = dict(
        intercept=-1.0,
        seriousness_coef=2.0,
        trust_coef=1.0,
        norm_coef=1.0,
        norm_reference=0.3,
        efficacy_coef=0.5,
        efficacy_reference=0.4,
        alternatives_coef=0.8,
    )
    p = reporting.report_probability(
        np.array([0.5]), np.array([0.5]), np.array([0.4]), np.array([0.6]), np.array([True]), **kw
    )
    z = -1 + 1.0 + 0.5 + 0.1 + 0.1 - 0.8
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-z)))
    # monotone in trust, and victims without alternatives report more
    lo = reporting.report_probability(0.5, 0.1, 0.3, 0.4, False, **kw)
    hi = reporting.report_probability(0.5, 0.9, 0.3, 0.4, False, **kw)
    alt = reporting.report_probability(0.5, 0.9, 0.3, 0.4, True, **kw)
    assert lo < hi and alt < hi
    np.testing.assert_array_equal(reporting.decide(np.array([0.5, 0.5]), np.array([0.2, 0.7])), [True, False])


def test_clearance_is_complementary():
    kw = dict(effort_elasticity=0.5, input_elasticity=0.5, input_reference=0.25)
    base = np.array([0.4])
    assert coproduction.clearance_probability(base, 1.0, np.array([0.25]), **kw)[0] == pytest.approx(0.4)
    assert coproduction.clearance_probability(base, 1.0, np.array([0.0]), **kw)[0] == 0.0  # no input, no clearance
    assert coproduction.clearance_probability(base, 0.0, np.array([0.5]), **kw)[0] == 0.0  # no effort, none either

    def gain_from_input(effort):
        return (
            coproduction.clearance_probability(base, effort, np.array([0.3]), **kw)
            - coproduction.clearance_probability(base, effort, np.array([0.2]), **kw)
        )[0]

    assert gain_from_input(1.0) > gain_from_input(0.5) > 0  # input is worth more with more effort
    assert coproduction.clearance_probability(np.array([0.9]), 1.0, np.array([1.0]), **kw)[0] == 1.0  # capped


def test_participation_rises_with_trust_and_efficacy():
    # residents 0-1 in a neighbourhood of efficacy 0.5, resident 2 in one of efficacy 1
    nb = (np.array([0.5, 1.0]), np.array([0, 2]), np.array([2, 1]))
    p = coproduction.participation(np.array([0.0, 1.0, 1.0]), *nb, intercept=-2.0, trust_coef=2.0, efficacy_coef=1.0)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-np.array([-1.5, 0.5, 1.0]))))


def test_efficacy_update():
    out = efficacy.update_efficacy(
        np.array([0.5, 0.5]),
        np.array([0.5, 0.5]),
        np.array([0.2, 0.2]),
        np.array([0.0, 2.0]),
        adjust_rate_per_day=0.1,
        cohesion_weight=1.0,
        participation_weight=1.0,
        crime_erosion=0.01,
    )
    # target 0.7: 0.5 + 0.1*0.2 = 0.52; with 2 crimes/1000: 0.52 - 0.02 = 0.50
    np.testing.assert_allclose(out, [0.52, 0.50])


def test_deterrence_and_efficacy_multipliers():
    kw = dict(reference_presence=10.0, reference_certainty=0.1, presence_elasticity=0.3, certainty_elasticity=0.2)
    m = crime.deterrence_multiplier(np.array([10.0, 20.0, 0.0]), np.array([0.1, 0.1, 0.1]), **kw)
    assert m[0] == pytest.approx(1.0)
    assert m[1] < 1.0 < m[2]
    assert np.isfinite(m[2])
    c = crime.deterrence_multiplier(np.full(3, 10.0), np.array([0.1, 0.2, 0.0]), **kw)
    assert c[1] < 1.0 < c[2] and np.isfinite(c[2])  # more certainty, less offending
    assert crime.efficacy_multiplier(np.array([0.4]), coef=1.0, reference=0.4)[0] == pytest.approx(1.0)
    assert crime.efficacy_multiplier(np.array([0.8]), coef=1.0, reference=0.4)[0] == pytest.approx(np.exp(-0.4))


def test_thinning_keeps_the_expected_share():
    rng = np.random.default_rng(0)
    n = 200_000
    u = rng.random(n)
    inc = crime.Incidents(
        place=np.zeros(n, dtype=int),
        neighbourhood=np.zeros(n, dtype=int),
        kind=np.zeros(n, dtype=np.int8),
        victim=np.zeros(n, dtype=int),
        seriousness=np.zeros(n),
        u_occur=u,
        u_report=u,
        u_clear=u,
        u_officer=u,
        u_bad=u,
        u_third=u,
    )
    kept = crime.occurring(inc, np.array([2.0]), cap=5.0)
    assert len(kept) / n == pytest.approx(0.4, abs=0.005)
    assert len(crime.occurring(inc, np.array([50.0]), cap=5.0)) == n  # capped


def test_response_helpers():
    assert response.served_share(0, 10) == 1.0
    assert response.served_share(20, 10) == 0.5
    assert response.response_effort(3.0, 10.0, reference_utilisation=0.3) == pytest.approx(1.0)
    assert response.response_effort(5.0, 10.0, reference_utilisation=0.3) == pytest.approx(0.5 / 0.7)
    assert response.response_effort(20.0, 10.0, reference_utilisation=0.3) == 0.0  # calls take every hour
    np.testing.assert_allclose(
        response.bad_contact_probability(np.array([0.0, 0.5, 1.0]), bad_contact_max=0.4), [0.4, 0.2, 0.0]
    )
    np.testing.assert_allclose(response.split_hours_by_residents(10.0, np.array([1, 3])), [2.5, 7.5])


def test_resident_calls_come_from_repeat_callers_and_rise_with_trust():
    rng = np.random.default_rng(3)
    n = 20_000
    propensity = np.ones(n)
    propensity[:1000] = 50.0  # 5% of residents are frequent callers
    cumsum = np.cumsum(propensity)
    start, size = np.array([0]), np.array([n])
    callers, u = response.resident_calls(
        rng, cumsum, start, size, np.full(n, 0.5), calls_per_resident_per_day=0.01, call_trust_coef=0.0
    )
    assert u.shape == (2, len(callers))
    assert np.mean(callers < 1000) == pytest.approx(50_000 / 69_000, abs=0.03)
    low = response.resident_calls(
        np.random.default_rng(4), cumsum, start, size, np.zeros(n), calls_per_resident_per_day=0.01, call_trust_coef=1.0
    )[0]
    high = response.resident_calls(
        np.random.default_rng(4), cumsum, start, size, np.ones(n), calls_per_resident_per_day=0.01, call_trust_coef=1.0
    )[0]
    assert len(high) / len(low) == pytest.approx(np.e, rel=0.1)  # rate x exp(coef (T - 0.5))
    assert np.isin(low, high).all()  # common random numbers: the same potential calls, fewer kept
