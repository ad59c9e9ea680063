"""How each daily metric aggregates over a period (all days, or a year), by the rule
its registry entry names (metric_registry.py): counts are summed, ratios are sum of
numerator / sum of denominator (never a mean of daily ratios), levels are averaged
over days, gaps are the spread of the period's group values. A ratio over a zero
denominator is NaN (`safe_ratio`). Used by summary.json, `compare` and sweeps, so
all say the same thing.

The order of the rows is part of the published files (the keys of summary.json, the
rows of comparison.parquet): by kind as below, and within a kind the registry's order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import metric_registry as reg

DAYS_PER_YEAR = 365


def safe_ratio(a, b) -> float:
    """A period ratio: NaN when the denominator is 0."""
    return float(a) / float(b) if b else float("nan")


def safe_ratios(a: pd.Series, b: pd.Series) -> pd.Series:
    """`safe_ratio` element by element."""
    return a / b.where(b != 0)


def periods_for(days: np.ndarray) -> dict[str, np.ndarray]:
    """'all' and year_k (days 365(k-1) .. 365k-1; a last partial year counts too)."""
    out = {"all": np.ones(len(days), dtype=bool)}
    if len(days) == 0:
        return out
    for k in range(int(days.max()) // DAYS_PER_YEAR + 1):
        out[f"year_{k + 1}"] = (days >= k * DAYS_PER_YEAR) & (days < (k + 1) * DAYS_PER_YEAR)
    return out


def period_values(ts: pd.DataFrame) -> pd.DataFrame:
    """Long table: replicate, period, metric, group, value (group None for citywide).

    Rows per replicate and period: citywide counts, hours per activity, citywide ratios
    and levels (leaving out a metric whose columns the table lacks), then per group its
    levels, counts and ratios, then the gaps between groups."""
    columns = set(ts.columns)
    counts = [m for m in reg.with_dim(reg.CITYWIDE, (reg.COUNT,)) if set(_inputs(m)) <= columns]
    hours = list(reg.activity_columns(ts.columns).values())
    hours += list(reg.allocated_columns(ts.columns).values())  # what each activity was given, beside what it spent
    rest = [m for m in reg.with_dim(reg.CITYWIDE, (reg.RATIO, reg.LEVEL)) if set(_inputs(m)) <= columns]
    groups = reg.groups_in(ts.columns)
    per_group = reg.with_dim(reg.GROUP, (reg.LEVEL, reg.COUNT, reg.RATIO))
    gaps = reg.with_dim(reg.CITYWIDE, (reg.GAP,))
    rows = []
    for rep, df in ts.groupby("replicate", sort=True):
        for period, mask in periods_for(df["day"].to_numpy()).items():
            d = df[mask]
            sums = d.sum(numeric_only=True)
            rows += [(rep, period, m.name, None, _citywide(m, d, sums)) for m in counts]
            rows += [(rep, period, name, None, float(sums[name])) for name in hours]
            rows += [(rep, period, m.name, None, _citywide(m, d, sums)) for m in rest]
            by_group = {(m.name, g): _per_group(m, g, d, sums) for g in groups for m in per_group}
            rows += [(rep, period, name, g, value) for (name, g), value in by_group.items()]
            members = [g for g in groups if d[reg.column_name(reg.GROUP_ANCHOR, g)].notna().any()]
            rows += [(rep, period, m.name, None, _gap([by_group[m.spread_of, g] for g in members])) for m in gaps]
    return pd.DataFrame(rows, columns=["replicate", "period", "metric", "group", "value"])


def _inputs(m: reg.Metric) -> tuple[str, ...]:
    return (m.numerator, m.denominator) if m.kind == reg.RATIO else (m.name,)


def _citywide(m: reg.Metric, d: pd.DataFrame, sums: pd.Series) -> float:
    if m.kind == reg.COUNT:
        return float(sums[m.name])
    if m.kind == reg.RATIO:
        return safe_ratio(sums[m.numerator], sums[m.denominator])
    return float(d[m.name].mean())


def _per_group(m: reg.Metric, g: str, d: pd.DataFrame, sums: pd.Series) -> float:
    col = reg.column_name(m.name, g)
    if m.kind == reg.COUNT:
        return float(sums[col])
    if m.kind == reg.RATIO:  # no column holds the group's numerator: rate x denominator, NaN days counting 0
        den = reg.column_name(m.group_denominator, g)
        return safe_ratio((d[col].fillna(0) * d[den]).sum(), sums[den])
    return float(d[col].mean())


def _gap(values: list[float]) -> float:
    """Highest minus lowest over the groups with members: 0 with one group, NaN if one has no value."""
    if len(values) <= 1:
        return 0.0
    return float(max(values) - min(values)) if not any(np.isnan(values)) else np.nan


def neighbourhood_period_values(nb: pd.DataFrame) -> pd.DataFrame:
    """Long table per neighbourhood: replicate, period, metric, neighbourhood, value
    (per neighbourhood, its counts, ratios and levels)."""
    per_nb = reg.with_dim(reg.NEIGHBOURHOOD, (reg.COUNT, reg.RATIO, reg.LEVEL))
    counts = list(dict.fromkeys(c for m in per_nb if m.kind != reg.LEVEL for c in _inputs(m)))
    levels = [m.name for m in per_nb if m.kind == reg.LEVEL]
    rows = []
    for rep, df in nb.groupby("replicate", sort=True):
        for period, mask in periods_for(df["day"].to_numpy()).items():
            g = df[mask].groupby("neighbourhood")
            sums, means = g[counts].sum(), g[levels].mean()
            values = {m.name: _per_neighbourhood(m, sums, means) for m in per_nb}
            rows += [(rep, period, m.name, int(n), float(values[m.name].at[n])) for n in sums.index for m in per_nb]
    return pd.DataFrame(rows, columns=["replicate", "period", "metric", "neighbourhood", "value"])


def _per_neighbourhood(m: reg.Metric, sums: pd.DataFrame, means: pd.DataFrame) -> pd.Series:
    if m.kind == reg.COUNT:
        return sums[m.name]
    if m.kind == reg.RATIO:
        return safe_ratios(sums[m.numerator], sums[m.denominator])
    return means[m.name]


def policy_hours(ts: pd.DataFrame) -> pd.Series:
    """Officer hours spent on engagement policies (not response or patrol), per row."""
    cols = [col for a, col in reg.activity_columns(ts.columns).items() if a not in reg.CORE_ACTIVITIES]
    return ts[cols].sum(axis=1)


#: A policy that spends less than this share below its allocated hours gets a warning (ODD 7.5:
#: unspent hours become random patrol; whole visits and meetings not yet due leave some unspent).
UNDERSPEND_WARNING_SHARE = 0.05


def underspent(ts: pd.DataFrame, share: float = UNDERSPEND_WARNING_SHARE) -> list[tuple[str, float, float]]:
    """Policies that spent more than `share` below the hours allocated to them, as
    (activity, allocated, spent) in officer-hours per day, over the whole table."""
    out = []
    allocated = reg.allocated_columns(ts.columns)
    spent = reg.activity_columns(ts.columns)
    for activity, column in allocated.items():
        if activity in reg.CORE_ACTIVITIES or activity not in spent:
            continue
        given, used = float(ts[column].mean()), float(ts[spent[activity]].mean())
        if given > 0 and used < (1.0 - share) * given:
            out.append((activity, given, used))
    return out
