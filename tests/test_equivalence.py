"""The columnar core and the per-agent reference model (benchmarks/reference/)
agree statistically: same rules, two implementations.

For a given seed both models build the same city (population, network and
officers come from the core's builders and named streams), then live their days
on independent random numbers. So the comparison is paired by seed: for each
metric, the mean over seeds of (reference - core) must lie within 3 standard
errors of zero (SE of the paired differences, 20 seeds). Pairing removes the
city-to-city spread, which makes the check far tighter than comparing two
independent means (mean trust is resolved to about 1e-4).

Two regimes: the baseline defaults at small N, and a "stressed" one (five times
the crime, calls for service and stops, door-to-door visits) in which every
contact and victim-experience rule moves trust enough to be checked. How small a
discrepancy this detects is documented in benchmarks/reference/README.md
(deliberately broken reference rules, each caught).
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
SMALL = {"population.residents": 1500, "population.neighbourhoods": 5, "run.burn_in_days": 30}
SCENARIOS = {
    "baseline": SMALL,
    "stressed": {
        **SMALL,
        "crime.violent_per_1000_per_year": 120.0,
        "crime.property_per_1000_per_year": 205.0,
        "policing.service_calls_per_1000_per_day": 1.5,
        "policing.stops_per_patrol_hour": 0.175,
        "policy.name": "door_to_door",
    },
}
METRICS = ["crimes_per_day", "reporting_rate", "mean_trust", "trust_gap", "contacts_per_day"]


def summarise(model) -> list[float]:
    """One run's summary: daily means, and the reporting rate as sum / sum."""
    df = model.datacollector.get_model_vars_dataframe()
    return [
        df["crimes"].mean(),
        df["crimes_reported"].sum() / df["crimes"].sum(),
        df["mean_trust"].mean(),
        df["trust_gap"].mean(),
        df["police_contacts"].mean(),
    ]


def run_all(model_cls, overrides) -> np.ndarray:
    cfg = load_config(overrides=overrides)
    rows = []
    for seed in SEEDS:
        model = model_cls(cfg, rng=seed)
        for _ in range(DAYS):
            model.step()
        rows.append(summarise(model))
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
        f"  {m:17s} core {c:.4f}  reference {r:.4f}  diff {d:+.5f}  SE {se:.5f}  z {d / se:+.2f}"
        for m, (c, r, d, se) in result.items()
    )
    far = [m for m, (_, _, d, se) in result.items() if not abs(d) <= 3 * se]
    assert not far, f"{scenario}: core and reference differ by more than 3 SE in {far}\n{table}"
    # The comparison has something to compare: crimes, reports and contacts happen.
    c = {m: v[0] for m, v in result.items()}
    assert (
        c["crimes_per_day"] > 0.1 and 0 < c["reporting_rate"] < 1 and c["contacts_per_day"] > 0.5 and c["trust_gap"] > 0
    )
