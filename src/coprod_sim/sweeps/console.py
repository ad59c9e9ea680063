"""What `coprod-sim analyze` prints: warnings and notes, then every index with its
95% interval, per outcome (and policy and contrast), parameters ranked by the
design's headline index. A parameter with no effect by construction is marked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .indices import KINDS, ranking

HEADERS = {
    "sobol": "Sobol first-order S1 and total ST [95% bootstrap interval]",
    "morris": "Morris mu* = mean |elementary effect|, mu, sigma, per full range [95% bootstrap interval]",
    "lhs": "Spearman rank correlation with the outcome [95% interval, Fisher's z]",
    "grid": "eta2 = main-effect share of the variance of point means [95% bootstrap interval over replicates]",
}
SHORT = {"S1": "S1", "ST": "ST", "mu_star": "mu*", "mu": "mu", "sigma": "sigma", "spearman": "rho", "eta2": "eta2"}


def analysis_lines(report) -> list[str]:
    """The console lines after the first (which names the folder and counts the runs)."""
    lines = [f"  warning: {w}" for w in report.warnings] + [f"  note: {n}" for n in report.notes]
    indices = report.indices
    if indices.empty:
        return lines
    design = report.spec.sweep.design
    lines.append(f"  {HEADERS[design]}, period all:")
    width = max(len(n) for n in report.spec.names)
    order = indices[["policy", "contrast"]].drop_duplicates()
    order = order.assign(first=order["contrast"] != "difference").sort_values("first", kind="stable")
    for policy, contrast in order[["policy", "contrast"]].itertuples(index=False):
        block = indices[_same(indices["policy"], policy) & (indices["contrast"] == contrast)]
        idle = report.idle.get((_none(policy), contrast), {})
        for outcome, d in block.groupby("outcome", sort=False):
            lines.append(f"  {outcome}{_heading(report.spec, policy, contrast)}:")
            for name in ranking(d, design):
                row = d[d["parameter"] == name].set_index("index")
                cells = "  ".join(_cell(k, row.loc[k]) for k in KINDS[design] if k in row.index)
                mark = f"  <- no effect by construction ({idle[name]} spent no hours)" if name in idle else ""
                lines.append(f"    {name:<{width}}  {cells}{mark}")
    return lines


def _heading(spec, policy, contrast: str) -> str:
    if _none(policy) is None:
        return ""
    if contrast == "difference":
        return f", {policy} - {spec.policies[0]} (difference)"
    return f", {policy} (level)"


def _cell(kind: str, row: pd.Series) -> str:
    value, low, high = (float(row[c]) for c in ("value", "conf_low", "conf_high"))
    if np.isnan(low) or np.isnan(high):
        return f"{SHORT[kind]} {value:+.3g} [no interval]"
    digits = 3  # more where an interval would print as one number ([-1, -1] for -1 .. -0.9998)
    while digits < 6 and low != high and f"{low:+.{digits}g}" == f"{high:+.{digits}g}":
        digits += 1
    return f"{SHORT[kind]} {value:+.3g} [{low:+.{digits}g}, {high:+.{digits}g}]"


def _none(policy):
    return None if pd.isna(policy) else policy


def _same(column: pd.Series, policy) -> pd.Series:
    return column.isna() if _none(policy) is None else column == policy
