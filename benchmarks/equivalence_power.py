"""How small a discrepancy does tests/test_equivalence.py catch?

Runs the equivalence comparison with one rule of the *reference* deliberately
broken (the core untouched) and prints the z-scores of the paired differences;
|z| > Z_MAX (4) fails the test. A rule is broken either through the reference's config
(a parameter the core keeps at its value) or by patching a reference method for
the run (`PATCHES`: an old rule restored). Takes about half an hour:
`python benchmarks/equivalence_power.py [scenario ...] [--only TEXT ...]` (--only: the
mutations whose name contains one of the texts, besides "none").
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.reference import ReferenceModel  # noqa: E402
from benchmarks.reference import model as reference_model  # noqa: E402
from benchmarks.reference.agents import Neighbourhood  # noqa: E402
from coprod_sim.config import load_config  # noqa: E402
from coprod_sim.model import CoProductionModel  # noqa: E402
from test_equivalence import METRICS, SCENARIOS, Z_MAX, paired_comparison, run_all  # noqa: E402


@contextlib.contextmanager
def certainty_per_report():
    """Offenders' certainty as cleared / reported incidents (the rule before issue 12)."""
    init, update = Neighbourhood.init_smoothed, Neighbourhood.update_perceptions

    def init_smoothed(self, expected_crimes):
        init(self, expected_crimes)
        self.crimes_certainty_smoothed = expected_crimes * self.model.config.reporting.norm_reference

    def update_perceptions(self):
        before = self.crimes_certainty_smoothed
        update(self)
        memory = self.model.config.crime.certainty_memory_days
        self.crimes_certainty_smoothed = before + (self.reports - before) / memory

    with _patched(Neighbourhood, init_smoothed=init_smoothed, update_perceptions=update_perceptions):
        yield


@contextlib.contextmanager
def presence_from_patrol():
    """Deterrent presence from random-patrol hours only (the rule before issue 12)."""
    spend = ReferenceModel.spend_discretionary_hours

    def spend_discretionary_hours(self):
        spend(self)
        for nb in self.neighbourhoods:
            nb.visible_hours = nb.patrol_hours

    with _patched(ReferenceModel, spend_discretionary_hours=spend_discretionary_hours):
        yield


@contextlib.contextmanager
def effort_is_served_share():
    """Clearance effort = share of calls served (the rule before issue 12: it never bound)."""

    def served_share(demand, on_duty, _reference_utilisation):
        return min(1.0, on_duty / demand) if demand > 0 else 1.0

    with _patched(reference_model, response_effort=served_share):
        yield


@contextlib.contextmanager
def _patched(cls, **methods):
    saved = {name: getattr(cls, name) for name in methods}
    for name, method in methods.items():
        setattr(cls, name, method)
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(cls, name, method)


def times(factor: float):
    return lambda value: value * factor


#: name -> (changes to the reference's config: a value, or a function of the current one; patch or None)
MUTATIONS = {
    "none (as tested)": ({}, None),
    "base crime rates +10%": (
        {"crime.violent_per_1000_per_year": times(1.1), "crime.property_per_1000_per_year": times(1.1)},
        None,
    ),
    "reporting trust_coef x0.7": ({"reporting.trust_coef": times(0.7)}, None),
    "good-contact effect x2": ({"trust.positive_contact_effect": times(2.0)}, None),
    "bad-contact effect x0.7": ({"trust.negative_contact_effect": times(0.7)}, None),
    "stops per patrol hour x0.8": ({"policing.stops_per_patrol_hour": times(0.8)}, None),
    "certainty = cleared / reported": ({}, certainty_per_report),
    "presence = patrol hours only": ({}, presence_from_patrol),
    "effort = served share": ({}, effort_is_served_share),
    "effort not normalised (reference_utilisation 0)": ({"policing.reference_utilisation": 1e-9}, None),
    "every tie hears (talk_probability 1)": ({"trust.talk_probability": 1.0}, None),
    "no victim experience": ({"trust.victimization_effect": 0.0, "trust.clearance_effect": 0.0}, None),
    "no unanswered-call effect": ({"trust.unanswered_call_effect": 0.0}, None),
    "no prior pull (prior_pull_years 0)": ({"trust.prior_pull_years": 0.0}, None),
    "no third-party reports": ({"reporting.third_party_probability": 0.0}, None),
    "calls not trust-dependent (call_trust_coef 0)": ({"policing.call_trust_coef": 0.0}, None),
    "no repeat callers (caller sigma 0)": ({"policing.caller_concentration_sigma": 0.0}, None),
    "door reach not trust-dependent": ({"policy.door_to_door.reach_trust_coef": 0.0}, None),
    # issue 13: officers over time, call-backs, fidelity
    "no stop filter by skill (stop_skill_slope 0)": ({"policing.stop_skill_slope": 0.0}, None),
    "stop filter weaker (stop_skill_slope x0.75)": ({"policing.stop_skill_slope": times(0.75)}, None),
    "no routine turnover": ({"policing.annual_turnover_rate": 0.0}, None),
    "recruits never learn residents (acquaintance_days 0)": ({"policing.acquaintance_days": 0.0}, None),
    "no call-backs (followup_share 0)": ({"policing.followup_share": 0.0}, None),
    "call-backs move no trust (feedback_effect 0)": ({"trust.feedback_effect": 0.0}, None),
    "call-backs take no time (followup_hours 0)": ({"policing.followup_hours": 0.0}, None),
    "no fidelity decay": ({"policy.door_to_door.fidelity_half_life_years": 0.0}, None),
}


def mutated(overrides: dict, changes: dict) -> dict:
    """`overrides` with each changed parameter set (a function gets the current value)."""
    cfg = load_config(overrides=overrides)
    out = dict(overrides)
    for path, change in changes.items():
        current = functools.reduce(getattr, path.split("."), cfg)
        out[path] = change(current) if callable(change) else change
    return out


def main(scenarios: list[str], only: list[str]) -> None:
    rows = []
    chosen = {n: m for n, m in MUTATIONS.items() if not only or n.startswith("none") or any(t in n for t in only)}
    for scenario in scenarios:
        overrides = SCENARIOS[scenario]
        core = run_all(CoProductionModel, overrides)
        for name, (changes, patch) in chosen.items():
            with patch() if patch else contextlib.nullcontext():
                result = paired_comparison(core, run_all(ReferenceModel, mutated(overrides, changes)))
            z = [d / se if se else 0.0 for _, _, d, se in (result[m] for m in METRICS)]
            caught = "yes" if max(abs(x) for x in z) > Z_MAX else "no"
            rows.append(f"| {scenario} | {name} | " + " | ".join(f"{x:+.1f}" for x in z) + f" | {caught} |")
            print(rows[-1], flush=True)
    print("\n| scenario | reference changed | " + " | ".join(f"z {m}" for m in METRICS) + " | caught |")
    print("|---" * (len(METRICS) + 3) + "|")
    print("\n".join(rows))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", metavar="scenario", help=f"of {', '.join(SCENARIOS)} (default: all)")
    ap.add_argument("--only", nargs="+", default=[], metavar="TEXT", help="mutations whose name contains a TEXT")
    args = ap.parse_args()
    if unknown := set(args.scenarios) - set(SCENARIOS):
        ap.error(f"unknown scenario {', '.join(sorted(unknown))}; allowed: {', '.join(SCENARIOS)}")
    main(args.scenarios or list(SCENARIOS), args.only)
