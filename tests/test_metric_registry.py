"""The metric registry is the one description of the published metrics: the model's
daily columns, the period rules, the split rows and docs/ODD.md's output table agree with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coprod_sim import metric_registry as reg
from coprod_sim.compare import COST_METRIC
from coprod_sim.config import RESERVED_GROUP_NAMES, load_config
from coprod_sim.metrics import neighbourhood_period_values, period_values, policy_hours
from coprod_sim.model import CoProductionModel, activity_names

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
SMALL = {"population.residents": 500, "population.neighbourhoods": 2, "run.burn_in_days": 0}
THREE_GROUPS = {
    "population.groups": {
        "a": {"share": 0.5, "initial_trust_mean": 0.6},
        "b": {"share": 0.3, "initial_trust_mean": 0.4},
        "c": {"share": 0.2, "initial_trust_mean": 0.3},
    }
}


@pytest.mark.parametrize("changes", [{}, THREE_GROUPS], ids=["default", "three_groups"])
def test_daily_columns_are_the_models(changes):
    model = CoProductionModel(load_config(overrides={**SMALL, **changes}), rng=0)
    assert reg.daily_columns(model.pop.group_names, activity_names()) == model.metric_names
    model.run(3)
    assert list(model.timeseries().columns) == model.metric_names


def test_entries_are_well_formed():
    kinds = set(reg.PERIOD_RULES)
    dims = {reg.CITYWIDE, reg.GROUP, reg.ACTIVITY, reg.NEIGHBOURHOOD, reg.SPLIT}
    views = {
        reg.REPORT_TABLE,
        reg.REPORT_SUMMARY,
        reg.REPORT_GAPS,
        reg.DIFFERENCES_FIGURE,
        reg.SERIES_FIGURE,
        reg.SENSITIVITY,
    }
    assert len(reg.BY_NAME) == len(reg.METRICS)
    for m in reg.METRICS:
        assert m.kind in kinds and m.display in (reg.PCT, reg.PP, reg.ABS) and m.better in (True, False, None), m.name
        assert m.dims and set(m.dims) <= dims and set(m.shown_in) <= views and m.label and m.unit, m.name
        if m.kind == reg.RATIO:
            for part in (m.numerator, m.denominator):  # both counts, recorded wherever the ratio is
                count = reg.metric(part)
                assert count.kind == reg.COUNT and set(m.dims) - {reg.GROUP, reg.SPLIT} <= set(count.dims), m.name
            if reg.GROUP in m.dims:
                assert reg.GROUP in reg.metric(m.group_denominator).dims, m.name
        if reg.SPLIT in m.dims:  # split values come from the neighbourhood values
            assert reg.NEIGHBOURHOOD in m.dims, m.name
        if m.kind == reg.GAP:
            assert reg.GROUP in reg.metric(m.spread_of).dims, m.name
    assert reg.GROUP in reg.metric(reg.GROUP_ANCHOR).dims
    with pytest.raises(KeyError, match="unknown metric 'crime'"):
        reg.metric("crime")


def test_names_with_a_dimension_are_generated_and_read_back():
    columns = reg.daily_columns(["majority", "violent_offenders"], ["response", "patrol", "door_to_door"])
    assert "mean_trust_majority" in columns and "victims_violent_offenders" in columns
    assert reg.groups_in(columns) == ["majority", "violent_offenders"]
    assert reg.groups_in(columns, "reporting_rate") == ["majority", "violent_offenders"]  # not `violent`, `property`
    assert reg.activity_columns(columns) == {a: f"hours_{a}" for a in ("response", "patrol", "door_to_door")}
    assert list(reg.split_columns()) == [
        "crimes_high_barrier",
        "reporting_rate_high_barrier",
        "mean_trust_high_barrier",
        "crimes_other",
        "reporting_rate_other",
        "mean_trust_other",
    ]
    assert set(reg.reserved_group_names()) == set(RESERVED_GROUP_NAMES)
    assert reg.metric(COST_METRIC).kind == reg.PAIRED  # compare's cost-effectiveness rows are registered too


# ------------------------------------------------------------------------- docs/ODD.md 8.1
def _odd_output_rows() -> dict[str, list[str]]:
    text = ODD.read_text(encoding="utf-8")
    section = text[text.index("### 8.1 ") : text.index("### 8.2 ")]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            name, *cells = (c.strip() for c in line.strip().strip("|").split(" | "))
            rows[name.strip("`")] = cells
    return rows


def test_odd_output_table_matches_the_registry():
    rows = _odd_output_rows()
    assert rows.pop(reg.DAY)[0] == "day"
    layout = reg.daily_layout(["<group>"], activity_names())
    assert list(rows) == [name for name, _ in layout], "docs/ODD.md 8.1 lists other columns than the registry"
    wrong = []
    for name, m in layout:
        unit, definition, rule = rows[name]
        if unit != m.unit:
            wrong.append(f"{name}: unit {unit!r}, registry {m.unit!r}")
        if rule != reg.PERIOD_RULES[m.kind]:
            wrong.append(f"{name}: period rule {rule!r}, registry {reg.PERIOD_RULES[m.kind]!r}")
        if name == m.name and definition != m.description:
            wrong.append(f"{name}: definition {definition!r}, registry {m.description!r}")
    assert not wrong, "docs/ODD.md 8.1 disagrees with metric_registry.py:\n  " + "\n  ".join(wrong)


# ------------------------------------------------------------------------- period rules
def _daily_table(days: int, seed: int = 1) -> pd.DataFrame:
    """A random daily table with every column, two groups (`b` empty on some days) and two replicates."""
    rng = np.random.default_rng(seed)
    frames = []
    for rep in range(2):
        d = pd.DataFrame({"day": np.arange(days)})
        for name, m in reg.daily_layout(["a", "b"], ["response", "patrol", "door_to_door"]):
            if m.kind in (reg.COUNT, reg.RATIO):
                d[name] = rng.integers(0, 4, days).astype(float if m.name == "hours" else int)
            else:
                d[name] = rng.random(days)
        for num, den in (("crimes_reported", "crimes"), ("reported_violent", "crimes_violent")):
            d[num] = np.minimum(d[num], d[den])
        for g in "ab":
            reported = np.minimum(rng.integers(0, 4, days), d[f"victims_{g}"])
            d[f"reporting_rate_{g}"] = reported / d[f"victims_{g}"].where(d[f"victims_{g}"] > 0)
        d.loc[d["day"] >= 365, "mean_trust_b"] = np.nan  # group b has no members in year 2
        d.insert(0, "replicate", rep)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def test_period_values_follow_the_registry_rules():
    ts = _daily_table(400)
    pv = period_values(ts)
    for rep, d in ts.groupby("replicate"):
        for period, days in (("all", d), ("year_1", d[d["day"] < 365]), ("year_2", d[d["day"] >= 365])):
            value = _lookup(pv[(pv["replicate"] == rep) & (pv["period"] == period)])
            for m in reg.with_dim(reg.CITYWIDE):
                if m.kind == reg.COUNT:
                    assert value(m.name) == days[m.name].sum()
                elif m.kind == reg.RATIO:
                    den = days[m.denominator].sum()
                    expected = days[m.numerator].sum() / den if den else np.nan
                    np.testing.assert_allclose(value(m.name), expected)
                elif m.kind == reg.LEVEL:
                    np.testing.assert_allclose(value(m.name), days[m.name].mean())
            assert value("hours_door_to_door") == days["hours_door_to_door"].sum()
            rates = {}
            for g in "ab":
                reported = (days[f"reporting_rate_{g}"].fillna(0) * days[f"victims_{g}"]).sum()
                rates[g] = reported / days[f"victims_{g}"].sum()
                np.testing.assert_allclose(value("reporting_rate", g), rates[g])
                assert value("victims", g) == days[f"victims_{g}"].sum()
            members = [g for g in "ab" if days[f"mean_trust_{g}"].notna().any()]
            gap = 0.0 if len(members) == 1 else max(rates[g] for g in members) - min(rates[g] for g in members)
            np.testing.assert_allclose(value("reporting_gap"), gap)
    assert _lookup(pv[(pv["replicate"] == 0) & (pv["period"] == "year_2")])("reporting_gap") == 0.0  # one group left


def _lookup(rows: pd.DataFrame):
    values = {
        (m, None if pd.isna(g) else g): v for m, g, v in zip(rows["metric"], rows["group"], rows["value"], strict=True)
    }
    return lambda metric, group=None: values[metric, group]


def test_period_rows_keep_their_published_order():
    ts = _daily_table(10)
    pv = period_values(ts)
    first = pv[(pv["replicate"] == 0) & (pv["period"] == "all")]
    assert [m if pd.isna(g) else f"{m}:{g}" for m, g in zip(first["metric"], first["group"], strict=True)] == [
        "crimes",
        "crimes_violent",
        "crimes_property",
        "crimes_reported",
        "reported_violent",
        "reported_property",
        "crimes_recorded",
        "crimes_cleared",
        "police_contacts",
        "negative_contacts",
        "positive_contacts",
        "designed_contacts",
        "police_initiated_contacts",
        "calls_for_service",
        "hours_on_duty",
        "hours_committed",
        "hours_response",
        "hours_patrol",
        "hours_door_to_door",
        "allocated_hours_response",
        "allocated_hours_patrol",
        "allocated_hours_door_to_door",
        "reporting_rate",
        "reporting_rate_violent",
        "reporting_rate_property",
        "clearance_rate",
        "committed_time_share",
        "mean_trust",
        "confidence_share",
        "trust_gap",
        "perceived_certainty",
        "participation_rate",
        "collective_efficacy",
        "response_served_share",
        "officers",
        "police_top5pct_true_share",
        "true_top5pct_share",
        "mean_trust:a",
        "confidence_share:a",
        "victims:a",
        "reporting_rate:a",
        "mean_trust:b",
        "confidence_share:b",
        "victims:b",
        "reporting_rate:b",
        "reporting_gap",
    ]


def test_zero_denominators_give_nan():
    ts = _daily_table(5)
    ts[["crimes", "crimes_reported", "victims_a", "victims_b"]] = 0
    ts[["reporting_rate", "reporting_rate_a", "reporting_rate_b"]] = np.nan
    pv = period_values(ts)
    value = _lookup(pv[(pv["replicate"] == 0) & (pv["period"] == "all")])
    assert np.isnan([value("reporting_rate"), value("reporting_rate", "a"), value("reporting_gap")]).all()
    nb = pd.DataFrame(
        {
            "replicate": 0,
            "day": [0, 0, 1, 1],
            "neighbourhood": [0, 1, 0, 1],
            "crimes": [0, 2, 0, 1],
            "crimes_reported": [0, 1, 0, 1],
            "mean_trust": 0.5,
            "participation_rate": 0.1,
            "collective_efficacy": 0.3,
        }
    )
    rate = (
        neighbourhood_period_values(nb)
        .query("metric == 'reporting_rate' and period == 'all'")
        .set_index("neighbourhood")["value"]
    )
    assert np.isnan(rate[0]) and rate[1] == pytest.approx(2 / 3)


def test_policy_hours_leave_out_response_and_patrol():
    ts = _daily_table(5)
    assert (policy_hours(ts) == ts["hours_door_to_door"]).all()
