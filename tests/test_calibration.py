"""The default configuration reproduces ../shared/calibration.md (C1-C11).

Measured on the baseline after the default 180-day burn-in, over one simulated
year and several seeds, exactly as docs/calibration.md describes."""

import pytest

from coprod_sim.calibration import (
    C3_BAND,
    C8_BAND,
    GROUP_TRUST_AIMS,
    GROUP_TRUST_TOLERANCE,
    TARGETS,
    contact_asymmetry,
    door_to_door_round,
    measure_baseline,
    quiet,
    recovered_nonreporting,
)
from coprod_sim.config import Config

SEEDS = 6


@pytest.fixture(scope="module")
def baseline():
    return measure_baseline(quiet(Config()), seeds=SEEDS, days=365, seed=101, workers=1)


@pytest.mark.parametrize("target_id", list(TARGETS))
def test_rates_within_published_bands(baseline, target_id):
    t = TARGETS[target_id]
    assert t.low <= baseline[t.name] <= t.high, (
        f"{t.id} {t.name} = {baseline[t.name]:.3f}, band {t.low}-{t.high} ({t.source})"
    )


def test_c10_group_trust(baseline):
    groups = Config().population.groups
    for g, aim in GROUP_TRUST_AIMS.items():
        assert abs(groups[g].initial_trust_mean - aim) <= GROUP_TRUST_TOLERANCE  # parameter check
        assert abs(baseline[f"mean_trust_{g}"] - aim) <= GROUP_TRUST_TOLERANCE, (g, baseline[f"mean_trust_{g}"])


def test_c5_staffing_and_c8_c11_parameters():
    c = Config()
    assert c.population.officers_per_1000 == pytest.approx(2.2, abs=0.05)
    assert 0 < c.policing.on_duty_fraction < 1
    assert C8_BAND[0] <= contact_asymmetry(c) <= C8_BAND[1]
    # C11: the designed contact is its own kind, much stronger than a routine good contact
    assert c.trust.designed_contact_effect > 4 * c.trust.positive_contact_effect


def test_c3_most_non_reporting_is_not_about_distrust():
    rec = recovered_nonreporting(quiet(Config()), seeds=4, days=365, seed=202, workers=1)
    for kind in ("violent", "property"):
        assert C3_BAND[0] <= rec[kind] <= C3_BAND[1], (kind, rec)


def test_c9_door_to_door_raises_trust_and_decays():
    r = door_to_door_round(quiet(Config()), seed=303)
    assert r["reach"] == pytest.approx(0.41, abs=0.03)
    assert r["gap_day3"] > 0 and r["gap_day21"] > 0
    assert 0.4 <= r["ratio_21_to_3"] <= 0.8, r
    assert r["gap_day3_low_prior"] > r["gap_day3_high_prior"]
