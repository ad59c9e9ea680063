"""How each daily metric aggregates over a period (all days, or a year).

Counts are summed, ratios are sum of numerator / sum of denominator (never a mean
of daily ratios), levels are averaged over days. Used by summary.json and by
`compare`, so both say the same thing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365

COUNTS = [
    "crimes", "crimes_violent", "crimes_property", "crimes_reported", "reported_violent", "reported_property",
    "crimes_cleared", "police_contacts", "negative_contacts", "positive_contacts", "designed_contacts",
    "police_initiated_contacts",
]
RATIOS = {
    "reporting_rate": ("crimes_reported", "crimes"),
    "reporting_rate_violent": ("reported_violent", "crimes_violent"),
    "reporting_rate_property": ("reported_property", "crimes_property"),
    "clearance_rate": ("crimes_cleared", "crimes_reported"),
}
LEVELS = ["mean_trust", "trust_gap", "participation_rate", "collective_efficacy", "response_served_share", "officers", "police_top5pct_true_share", "true_top5pct_share"]

# The headline metrics a comparison reports, in reading order.
HEADLINE = [
    "crimes", "crimes_violent", "crimes_property", "crimes_reported", "reporting_rate", "clearance_rate",
    "mean_trust", "trust_gap", "participation_rate", "collective_efficacy", "police_contacts", "negative_contacts",
]


def group_names(columns) -> list[str]:
    return [c.removeprefix("mean_trust_") for c in columns if c.startswith("mean_trust_")]


def periods_for(days: np.ndarray) -> dict[str, np.ndarray]:
    """'all' and year_k (days 365(k-1) .. 365k-1; a last partial year counts too)."""
    out = {"all": np.ones(len(days), dtype=bool)}
    if len(days) == 0:
        return out
    for k in range(int(days.max()) // DAYS_PER_YEAR + 1):
        out[f"year_{k + 1}"] = (days >= k * DAYS_PER_YEAR) & (days < (k + 1) * DAYS_PER_YEAR)
    return out


def period_values(ts: pd.DataFrame) -> pd.DataFrame:
    """Long table: replicate, period, metric, group, value (group None for citywide)."""
    rows = []
    groups = group_names(ts.columns)
    hours = [c for c in ts.columns if c.startswith("hours_")]
    for rep, df in ts.groupby("replicate", sort=True):
        for period, mask in periods_for(df["day"].to_numpy()).items():
            d = df[mask]
            sums = d.sum(numeric_only=True)
            for m in COUNTS + hours:
                if m in d:
                    rows.append((rep, period, m, None, float(sums[m])))
            for m, (num, den) in RATIOS.items():
                rows.append((rep, period, m, None, safe_ratio(sums[num], sums[den])))
            for m in LEVELS:
                if m in d:
                    rows.append((rep, period, m, None, float(d[m].mean())))
            for g in groups:
                rows.append((rep, period, "mean_trust", g, float(d[f"mean_trust_{g}"].mean())))
                rows.append((rep, period, "victims", g, float(sums[f"victims_{g}"])))
                reported_g = (d[f"reporting_rate_{g}"].fillna(0) * d[f"victims_{g}"]).sum()
                rows.append((rep, period, "reporting_rate", g, safe_ratio(reported_g, sums[f"victims_{g}"])))
            members = [g for g in groups if d[f"mean_trust_{g}"].notna().any()]  # groups with residents
            rates = [safe_ratio((d[f"reporting_rate_{g}"].fillna(0) * d[f"victims_{g}"]).sum(), sums[f"victims_{g}"]) for g in members]
            gap = 0.0 if len(members) <= 1 else (float(max(rates) - min(rates)) if not any(np.isnan(rates)) else np.nan)
            rows.append((rep, period, "reporting_gap", None, gap))
    return pd.DataFrame(rows, columns=["replicate", "period", "metric", "group", "value"])


def safe_ratio(a, b) -> float:
    return float(a) / float(b) if b else float("nan")


NEIGHBOURHOOD_METRICS = ["crimes", "crimes_reported", "reporting_rate", "mean_trust", "participation_rate", "collective_efficacy"]


def neighbourhood_period_values(nb: pd.DataFrame) -> pd.DataFrame:
    """Long table per neighbourhood: replicate, period, metric, neighbourhood, value."""
    rows = []
    for rep, df in nb.groupby("replicate", sort=True):
        for period, mask in periods_for(df["day"].to_numpy()).items():
            g = df[mask].groupby("neighbourhood")
            sums = g[["crimes", "crimes_reported"]].sum()
            means = g[["mean_trust", "participation_rate", "collective_efficacy"]].mean()
            rate = sums["crimes_reported"] / sums["crimes"].where(sums["crimes"] > 0)
            for n in sums.index:
                rows += [
                    (rep, period, "crimes", int(n), float(sums.at[n, "crimes"])),
                    (rep, period, "crimes_reported", int(n), float(sums.at[n, "crimes_reported"])),
                    (rep, period, "reporting_rate", int(n), float(rate.at[n])),
                    (rep, period, "mean_trust", int(n), float(means.at[n, "mean_trust"])),
                    (rep, period, "participation_rate", int(n), float(means.at[n, "participation_rate"])),
                    (rep, period, "collective_efficacy", int(n), float(means.at[n, "collective_efficacy"])),
                ]
    return pd.DataFrame(rows, columns=["replicate", "period", "metric", "neighbourhood", "value"])


def policy_hours(ts: pd.DataFrame) -> pd.Series:
    """Officer hours spent on engagement policies (not response or patrol), per row."""
    cols = [c for c in ts.columns if c.startswith("hours_") and c not in ("hours_response", "hours_patrol")]
    return ts[cols].sum(axis=1)
