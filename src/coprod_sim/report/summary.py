"""Plain-language sentences from the comparison table."""

from __future__ import annotations

import math

import pandas as pd

# metric -> (label, how to show a change, higher_is_better)
LABELS = {
    "crimes": ("crime (all incidents)", "pct", False),
    "crimes_reported": ("crimes reported to police", "pct", None),
    "reporting_rate": ("the reporting rate", "pp", True),
    "clearance_rate": ("the clearance rate of reported crime", "pp", True),
    "mean_trust": ("mean trust in police", "abs", True),
    "trust_gap": ("the trust gap between groups", "abs", False),
    "participation_rate": ("resident participation", "pp", True),
    "collective_efficacy": ("collective efficacy", "abs", True),
    "negative_contacts": ("bad police contacts", "pct", False),
}


def fmt_change(row: pd.Series, how: str) -> tuple[str, str]:
    d, lo, hi, base = row["diff"], row["diff_low"], row["diff_high"], row["baseline_mean"]
    if how == "pct" and base and not math.isnan(base):
        f = lambda x: f"{100 * x / base:+.1f}%"  # noqa: E731
    elif how == "pp":
        f = lambda x: f"{100 * x:+.1f} percentage points"  # noqa: E731
    else:
        f = lambda x: f"{x:+.2g}" if abs(x) < 0.01 else f"{x:+.3f}"  # noqa: E731
    interval = "no interval (one replicate)" if math.isnan(lo) else f"95% interval {f(lo)} to {f(hi)}"
    return f(d), interval


def is_clear(row: pd.Series) -> bool | None:
    if math.isnan(row["diff_low"]):
        return None
    return bool(row["diff_low"] > 0 or row["diff_high"] < 0)


def policy_sentences(table: pd.DataFrame, policy: str, baseline: str, period: str = "all") -> list[str]:
    rows = table[(table["policy"] == policy) & (table["period"] == period) & table["group"].isna() & table["neighbourhood"].isna()].set_index("metric")
    out = []
    for metric, (label, how, _better) in LABELS.items():
        if metric not in rows.index:
            continue
        row = rows.loc[metric]
        change, interval = fmt_change(row, how)
        clear = is_clear(row)
        if clear is False:
            out.append(f"No clear difference in {label} ({change}; {interval}, which includes zero).")
        else:
            out.append(f"{label[0].upper() + label[1:]} changed by {change} compared with {baseline} ({interval}).")
    cost = table[(table["policy"] == policy) & (table["period"] == period) & (table["metric"] == "crimes_averted_per_1000_policy_hours")]
    if len(cost) and not math.isnan(cost.iloc[0]["diff"]):
        r = cost.iloc[0]
        interval = "" if math.isnan(r["diff_low"]) else f" (95% interval {r['diff_low']:.1f} to {r['diff_high']:.1f})"
        out.append(f"Crimes averted per 1,000 officer-hours spent on {policy.replace('_', ' ')}: {r['diff']:.1f}{interval}; a negative number means more crime than under {baseline}.")
    return out


def group_sentences(table: pd.DataFrame, policy: str, period: str = "all") -> list[str]:
    rows = table[(table["policy"] == policy) & (table["period"] == period) & table["group"].notna() & (table["metric"] == "mean_trust")]
    out = []
    for _, r in rows.iterrows():
        change, interval = fmt_change(r, "abs")
        out.append(f"Trust in group '{r['group']}' changed by {change} ({interval}).")
    return out


def benefit_sentences(table: pd.DataFrame, policy: str, period: str = "all") -> list[str]:
    """Who benefits: the trust and reporting gaps, and high-barrier neighbourhoods
    against the rest, in plain language with paired intervals."""
    rows = table[(table["policy"] == policy) & (table["period"] == period) & table["group"].isna() & table["neighbourhood"].isna()].set_index("metric")
    out = []
    for metric, label, how in (("trust_gap", "The trust gap between groups", "abs"), ("reporting_gap", "The gap in reporting rates between groups", "pp")):
        if metric in rows.index and not math.isnan(rows.loc[metric, "diff"]):
            r = rows.loc[metric]
            change, interval = fmt_change(r, how)
            verdict = "narrowed" if r["diff"] < 0 else "widened"
            if is_clear(r) is False:
                out.append(f"{label} did not clearly change ({change}; {interval}).")
            else:
                out.append(f"{label} {verdict} by {change.lstrip('+-')} ({interval}).")
    if "mean_trust_high_barrier" in rows.index and "mean_trust_other" in rows.index:
        hi, lo = rows.loc["mean_trust_high_barrier"], rows.loc["mean_trust_other"]
        ch_hi, int_hi = fmt_change(hi, "abs")
        ch_lo, int_lo = fmt_change(lo, "abs")
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
            out.append(f"{name[0].upper() + name[1:]} raised trust in the high-barrier neighbourhoods by {ch_hi} ({int_hi}), {how_much} elsewhere ({ch_lo}; {int_lo}).")
        else:
            out.append(f"Trust changed by {ch_hi} in the high-barrier neighbourhoods ({int_hi}) and by {ch_lo} elsewhere ({int_lo}).")
    return out
