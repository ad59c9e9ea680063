"""The columnar core and the per-agent reference model (benchmarks/reference/)
agree statistically: same rules, two implementations.

For a given seed both models build the same city (population, network and
officers come from the core's builders and named streams), then live their days
on independent random numbers. So the comparison is paired by seed: for each
metric, the mean over seeds of (reference - core) must lie within Z_MAX
standard errors of zero (SE of the paired differences, 20 seeds). Pairing
removes the city-to-city spread, which makes the check far tighter than
comparing two independent means (mean trust is resolved to about 1e-4).

Three regimes: the baseline defaults at small N; a "stressed" one (five times
the crime, more calls, stops, door-to-door visits, groups whose trust lies away
from the neutral points of the trust-dependent call and door rates, more
third-party reports; officers who turn over within months, call-backs that move
trust, door-to-door fidelity that halves in half a year) in which the deterrence,
workload, call, contact, door and workforce rules move the metrics enough to be
checked; and an "overloaded" one
(calls above capacity on most days, anchors that drift within weeks) for
unanswered calls and the pull of anchors back to residents' priors. Their values
are set here, not taken from the defaults, so that re-calibrated defaults do not
blunt the check. How small a discrepancy this detects is documented in
benchmarks/reference/README.md (deliberately broken reference rules, and which of
them are caught).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from coprod_sim.config import load_config
from coprod_sim.model import CoProductionModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.reference import ReferenceModel  # noqa: E402

SEEDS = range(20)
DAYS = 120
# 13 metrics x 3 regimes = 39 comparisons, each a t statistic with 19 degrees of freedom:
# P(|t| > 3) = 0.7% each would fail a correct model about once in four re-draws of the
# numbers (any change of a default re-draws them); P(|t| > 4) = 0.08% keeps that near 3%.
Z_MAX = 4.0
SMALL = {"population.residents": 1500, "population.neighbourhoods": 5, "run.burn_in_days": 30}
SCENARIOS = {
    "baseline": SMALL,
    # Five times the crime, officers committed about 60% of the shift, stops, door-to-door
    # visits, groups whose mean trust lies away from the neutral points of the trust-dependent
    # call and door rates, and more third-party reports.
    "stressed": {
        **SMALL,
        "crime.violent_per_1000_per_year": 105.0,
        "crime.property_per_1000_per_year": 175.0,
        "crime.certainty_memory_days": 90.0,
        "population.officers_per_1000": 2.2,
        "population.groups.majority.initial_trust_mean": 0.75,
        "population.groups.minority.initial_trust_mean": 0.35,
        "policing.on_duty_fraction": 0.2,
        "policing.other_calls_per_1000_per_year": 1000.0,
        "policing.service_call_hours": 1.55,
        "policing.reference_utilisation": 0.27,
        "policing.call_trust_coef": 2.0,
        # 5x the default rate of an officer of skill 0, which the officers' skill filter thins (stop_skill_slope).
        "policing.stops_per_patrol_hour": 0.334,
        # Officers turn over within months and recruits learn residents within a season (known_per_officer).
        "policing.annual_turnover_rate": 0.9,
        "policing.acquaintance_days": 90.0,
        # Most answered reporting victims are called back; call-backs take visible committed time
        # (committed_time_share) and move trust (mean_trust) as much as victimization does.
        "policing.followup_share": 0.8,
        "policing.followup_hours": 1.5,
        "trust.feedback_effect": 0.4,
        "reporting.third_party_probability": 0.3,
        "trust.anchor_drift_years": 3.0,
        "trust.prior_pull_years": 5.0,
        "trust.talk_probability": 0.3,
        "policy.name": "door_to_door",
        "policy.door_to_door.hours_share": 0.5,
        "policy.door_to_door.reach_trust_coef": 3.0,
        "policy.door_to_door.fidelity_half_life_years": 0.5,
    },
    # Calls above capacity on most days: unanswered calls cost trust. Anchors drift within
    # weeks, so the social pull's evening-out of the groups' trust sticks unless anchors are
    # pulled back to residents' priors (seen in the trust gap).
    "overloaded": {
        **SMALL,
        "population.groups.majority.initial_trust_mean": 0.6,
        "population.groups.minority.initial_trust_mean": 0.3,
        "trust.social_rate_per_day": 0.01,
        "crime.violent_per_1000_per_year": 60.0,
        "crime.property_per_1000_per_year": 100.0,
        "population.officers_per_1000": 1.4,
        "policing.on_duty_fraction": 0.2,
        "policing.other_calls_per_1000_per_year": 1800.0,
        "policing.service_call_hours": 1.55,
        "trust.unanswered_call_effect": 0.5,
        "trust.anchor_drift_years": 0.1,
        "trust.prior_pull_years": 0.1,
    },
}
METRICS = [
    "crimes_per_day",
    "reporting_rate",
    "recorded_share",
    "clearance_rate",
    "mean_trust",
    "trust_gap",
    "contacts_per_day",
    "stops_per_day",
    "designed_per_day",
    "calls_per_day",
    "committed_time_share",
    "followups_per_day",
    "known_per_officer",
]


def followups_today(model) -> int:
    """Reporting victims called back today (the core keeps them in its record of the day)."""
    return model.today.followups if isinstance(model, CoProductionModel) else model.contacts["feedback"]


def summarise(model, followups: int) -> list[float]:
    """One run's summary: daily means, and the rates as sum / sum (recorded_share:
    incidents recorded, by victims' or others' reports, per incident; clearance_rate: 0 in
    a run without reports; committed_time_share: officer hours committed to calls (and
    call-backs) per hour on duty; known_per_officer: residents each officer knows by name
    at the end, which turnover and recruits' learning set)."""
    df = model.datacollector.get_model_vars_dataframe()
    return [
        df["crimes"].mean(),
        df["crimes_reported"].sum() / df["crimes"].sum(),
        df["crimes_recorded"].sum() / df["crimes"].sum(),
        df["crimes_cleared"].sum() / max(df["crimes_reported"].sum(), 1),
        df["mean_trust"].mean(),
        df["trust_gap"].mean(),
        df["police_contacts"].mean(),
        df["police_initiated_contacts"].mean(),
        df["designed_contacts"].mean(),
        df["calls_for_service"].mean(),
        df["hours_committed"].sum() / df["hours_on_duty"].sum(),
        followups / len(df),
        float(np.mean([len(o.known) for o in model.officer_list])),
    ]


def run_all(model_cls, overrides, seeds=SEEDS) -> np.ndarray:
    cfg = load_config(overrides=overrides)
    rows = []
    for seed in seeds:
        model = model_cls(cfg, rng=seed)
        followups = 0
        for _ in range(DAYS):
            model.step()
            followups += followups_today(model)
        rows.append(summarise(model, followups))
    return np.array(rows)


def paired_comparison(core: np.ndarray, ref: np.ndarray) -> dict[str, tuple[float, float, float, float]]:
    """Per metric: core mean, reference mean, mean paired difference, its SE."""
    d = ref - core
    se = d.std(axis=0, ddof=1) / np.sqrt(len(d))
    return {m: (core[:, j].mean(), ref[:, j].mean(), d[:, j].mean(), se[j]) for j, m in enumerate(METRICS)}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_core_and_reference_agree(scenario):
    overrides = SCENARIOS[scenario]
    result = paired_comparison(run_all(CoProductionModel, overrides), run_all(ReferenceModel, overrides))
    table = "\n".join(
        f"  {m:24s} core {c:.4f}  reference {r:.4f}  diff {d:+.5f}  SE {se:.5f}  z {d / se if se else 0.0:+.2f}"
        for m, (c, r, d, se) in result.items()
    )
    print(f"\n{scenario}:\n{table}")
    far = [m for m, (_, _, d, se) in result.items() if not abs(d) <= Z_MAX * se]
    assert not far, f"{scenario}: core and reference differ by more than {Z_MAX} SE in {far}\n{table}"
    # The comparison has something to compare: crimes, reports, calls and contacts happen.
    c = {m: v[0] for m, v in result.items()}
    assert c["crimes_per_day"] > 0.1 and 0 < c["reporting_rate"] < c["recorded_share"] < 1 and c["trust_gap"] > 0
    assert c["contacts_per_day"] > 0.5 and c["calls_per_day"] > 1 and c["committed_time_share"] > 0.1
    if scenario != "overloaded":  # officers have time to patrol
        assert c["stops_per_day"] > 0.1
    if scenario == "stressed":  # door-to-door happens, calls take much of the shift
        assert c["designed_per_day"] > 0.5 and c["committed_time_share"] > 0.4
    if scenario == "overloaded":  # calls take nearly every hour on duty: some go unanswered
        assert c["committed_time_share"] > 0.85
