"""Plain-language sentences from the comparison table."""

from __future__ import annotations

import math

import pandas as pd

from .. import metric_registry as reg
from .numbers import change_texts


def fmt_change(row: pd.Series, how: str) -> tuple[str, str]:
    """The change and its interval as text; `how` is a registry display (PCT, PP or ABS)."""
    change, interval = change_texts(row["diff"], row["diff_low"], row["diff_high"], row["baseline_mean"], how)
    if how == reg.PP:
        change, interval = (t.replace(" pp", " percentage points") for t in (change, interval))
    return change, f"95% interval {interval}" if interval else "no interval (one replicate)"


def is_clear(row: pd.Series) -> bool | None:
    if math.isnan(row["diff_low"]):
        return None
    return bool(row["diff_low"] > 0 or row["diff_high"] < 0)


def policy_sentences(table: pd.DataFrame, policy: str, baseline: str, period: str = "all") -> list[str]:
    rows = table[
        (table["policy"] == policy)
        & (table["period"] == period)
        & table["group"].isna()
        & table["neighbourhood"].isna()
    ].set_index("metric")
    out = []
    for metric in reg.shown_in(reg.REPORT_SUMMARY):
        if metric not in rows.index:
            continue
        row, m = rows.loc[metric], reg.metric(metric)
        change, interval = fmt_change(row, m.display)
        clear = is_clear(row)
        if clear is False:
            out.append(f"No clear difference in {m.label} ({change}; {interval}, which includes zero).")
        else:
            out.append(f"{_capital(m.label)} changed by {change} compared with {baseline} ({interval}).")
    cost = table[
        (table["policy"] == policy)
        & (table["period"] == period)
        & (table["metric"] == "crimes_averted_per_1000_policy_hours")
    ]
    if len(cost) and not math.isnan(cost.iloc[0]["diff"]):
        r = cost.iloc[0]
        interval = "" if math.isnan(r["diff_low"]) else f" (95% interval {r['diff_low']:.1f} to {r['diff_high']:.1f})"
        out.append(
            f"Crimes averted per 1,000 officer-hours spent on {policy.replace('_', ' ')}: {r['diff']:.1f}{interval}; "
            f"a negative number means more crime than under {baseline}."
        )
    return out


def group_sentences(table: pd.DataFrame, policy: str, period: str = "all") -> list[str]:
    rows = table[
        (table["policy"] == policy)
        & (table["period"] == period)
        & table["group"].notna()
        & (table["metric"] == "mean_trust")
    ]
    out = []
    for _, r in rows.iterrows():
        change, interval = fmt_change(r, reg.metric("mean_trust").display)
        out.append(f"Trust in group '{r['group']}' changed by {change} ({interval}).")
    return out


def benefit_sentences(table: pd.DataFrame, policy: str, period: str = "all") -> list[str]:
    """Who benefits: the trust and reporting gaps, and high-barrier neighbourhoods
    against the rest, in plain language with paired intervals."""
    rows = table[
        (table["policy"] == policy)
        & (table["period"] == period)
        & table["group"].isna()
        & table["neighbourhood"].isna()
    ].set_index("metric")
    out = []
    for metric in reg.shown_in(reg.REPORT_GAPS):
        if metric in rows.index and not math.isnan(rows.loc[metric, "diff"]):
            r, m = rows.loc[metric], reg.metric(metric)
            label = _capital(m.label)
            change, interval = fmt_change(r, m.display)
            verdict = "narrowed" if r["diff"] < 0 else "widened"
            if is_clear(r) is False:
                out.append(f"{label} did not clearly change ({change}; {interval}).")
            else:
                out.append(f"{label} {verdict} by {change.lstrip('+-')} ({interval}).")
    trust = reg.metric("mean_trust")
    high, other = (reg.column_name(trust.name, side) for side in reg.SPLIT_SIDES)
    if high in rows.index and other in rows.index:
        hi, lo = rows.loc[high], rows.loc[other]
        ch_hi, int_hi = fmt_change(hi, trust.display)
        ch_lo, int_lo = fmt_change(lo, trust.display)
        name = policy.replace("_", " ")
        if lo["diff"] > 0 and hi["diff"] >= 0:
            ratio = hi["diff"] / lo["diff"]
            if ratio < 0.5:
                how_much = "less than half as much as"
            elif ratio < 0.9:
                how_much = "less than"
            elif ratio <= 1.1:
                how_much = "about as much as"
            else:
                how_much = f"{ratio:.1f} times as much as"
            out.append(
                f"{name[0].upper() + name[1:]} raised trust in the high-barrier neighbourhoods by {ch_hi} ({int_hi}), "
                f"{how_much} elsewhere ({ch_lo}; {int_lo})."
            )
        else:
            out.append(
                f"Trust changed by {ch_hi} in the high-barrier neighbourhoods ({int_hi}) "
                f"and by {ch_lo} elsewhere ({int_lo})."
            )
    return out


def _capital(label: str) -> str:
    return label[0].upper() + label[1:]
