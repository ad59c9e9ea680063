"""The report's first screen: strategies by headline outcome, each cell a rounded change
with its interval, marked where the interval excludes zero and greyed where the change
is smaller than the smallest effect that matters (metric registry, config [report]);
one plain sentence per strategy and the answers to "which does most for crime, and for
the least confident group?"."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metric_registry as reg
from ..intervals import mean_interval
from ..runs import period_table
from .numbers import change_texts, level

GAP = "confidence_gap"  # the trust gap shown as the gap in confidence share (not a daily metric: computed here)


@dataclass(frozen=True)
class Outcome:
    metric: str  # the comparison table's metric (GAP: computed from the runs)
    group: str | None
    heading: str  # column heading
    phrase: str  # in a sentence: "<phrase> fell by 2.1%"
    display: str  # registry display: PCT or PP
    better: bool | None
    effect_key: str  # the registry entry whose smallest effect applies


def outcomes(groups: list[str]) -> list[Outcome]:
    conf = reg.metric("confidence_share")
    out = [
        Outcome("crimes", None, "Crime", "crime", reg.PCT, False, "crimes"),
        Outcome("crimes_recorded", None, "Recorded crime", "recorded crime", reg.PCT, None, "crimes_recorded"),
        Outcome("confidence_share", None, "Confident in police", "confidence in police", conf.display, True,
                "confidence_share"),
    ]  # fmt: skip
    out += [
        Outcome("confidence_share", g, f"Confident: {g}", f"confidence among {g} residents", conf.display, True,
                "confidence_share")
        for g in groups
    ]  # fmt: skip
    if len(groups) > 1:
        gap = Outcome(GAP, None, "Confidence gap", "the confidence gap between groups", reg.PP, False, "trust_gap")
        out.append(gap)
    out += [
        Outcome("reporting_rate", None, "Victims reporting", "the share of victims who report", reg.PP, True,
                "reporting_rate"),
        Outcome("calls_for_service", None, "Calls for service", "calls for service", reg.PCT, None,
                "calls_for_service"),
        Outcome("hours_committed", None, "Officer hours on calls", "officer hours on calls", reg.PCT, None,
                "hours_committed"),
    ]  # fmt: skip
    return out


def has_posterior(table: pd.DataFrame) -> bool:
    """The comparison ran over posterior draws (`compare --posterior`): `share_better` is filled."""
    return "share_better" in table.columns and bool(table["share_better"].notna().any())


def confidence_gap_rows(results: dict, posterior: bool) -> pd.DataFrame:
    """Per policy: the gap in confidence share between the most and least confident
    group over the whole horizon, paired per replicate with the baseline's."""
    names = list(results)
    gaps = {n: _gaps(results[n]) for n in names}
    rows = []
    for n in names[1:]:
        paired = pd.concat([gaps[names[0]].rename("b"), gaps[n].rename("p")], axis=1, join="inner")
        d = (paired["p"] - paired["b"]).to_numpy()
        mean, low, high = mean_interval(d)
        better = float(np.mean(d < 0)) if posterior and len(d) else np.nan
        rows.append({"policy": n, "metric": GAP, "group": None, "baseline_mean": paired["b"].mean(),
                     "policy_mean": paired["p"].mean(), "diff": mean, "diff_low": low, "diff_high": high,
                     "share_better": better})  # fmt: skip
    return pd.DataFrame(rows)


def _gaps(runs) -> pd.Series:
    values = period_table(runs)
    conf = values[(values["period"] == "all") & (values["metric"] == "confidence_share") & values["group"].notna()]
    return conf.groupby("replicate")["value"].agg(lambda v: v.max() - v.min())


@dataclass
class Cell:
    change: str
    interval: str
    clear: bool | None  # the interval excludes zero (None: no interval)
    small: bool  # smaller than the smallest effect that matters
    good: bool | None  # a clear change that matters, in the better direction (None: no direction or not clear)
    share_better: str  # "85%" of posterior draws beat the baseline; "" without a posterior
    diff: float
    base_value: float
    baseline: str
    policy: str


def headline_table(
    table: pd.DataFrame, results: dict, smallest: dict[str, float] | None = None
) -> tuple[list[Outcome], dict[str, list[Cell | None]]]:
    """The outcomes (columns) and, per strategy, one cell per outcome (None: not in the table)."""
    names = list(results)
    posterior = has_posterior(table)
    city = table[(table["period"] == "all") & table["neighbourhood"].isna()]
    groups = [g for g in dict.fromkeys(city.loc[city["metric"] == "confidence_share", "group"]) if isinstance(g, str)]
    cols = outcomes(groups)
    rows = city
    if len(groups) > 1:
        rows = pd.concat([city, confidence_gap_rows(results, posterior)], ignore_index=True)
    cells = {}
    for p in names[1:]:
        mine = rows[rows["policy"] == p]
        cells[p] = [_cell(_row(mine, o), o, reg.smallest_effect(o.effect_key, smallest), posterior) for o in cols]
    return cols, cells


def _row(rows: pd.DataFrame, o: Outcome) -> pd.Series | None:
    hit = rows[(rows["metric"] == o.metric) & (rows["group"].isna() if o.group is None else rows["group"] == o.group)]
    return None if hit.empty else hit.iloc[0]


def _cell(row: pd.Series | None, o: Outcome, smallest: float | None, posterior: bool) -> Cell | None:
    if row is None:
        return None
    d, lo, hi, base = (float(row[k]) for k in ("diff", "diff_low", "diff_high", "baseline_mean"))
    change, interval = change_texts(d, lo, hi, base, o.display)
    interval = interval.replace("%", "").replace(" pp", "")  # the change above it carries the unit
    clear = None if math.isnan(lo) else bool(lo > 0 or hi < 0)
    size = abs(d / base) if o.display == reg.PCT and base else abs(d)
    small = smallest is not None and round(100 * size, 1) < round(100 * smallest, 1)  # as shown: 0.98% reads 1.0%
    good = None if o.better is None or not clear or small else (d > 0) == o.better
    sb = row.get("share_better", np.nan) if posterior else np.nan
    share = "" if sb is None or pd.isna(sb) else f"{100 * float(sb):.0f}%"
    shown = (lambda x: f"{100 * x:.1f} pp") if o.metric == GAP else (lambda x: level(x, o.display))
    return Cell(change, interval, clear, small, good, share, d, base, shown(base), shown(float(row["policy_mean"])))


def strategy_sentence(policy: str, cols: list[Outcome], cells: list[Cell | None]) -> str:
    """One plain sentence: the clear changes that matter, or that there are none."""
    name = _title(policy)
    said = []
    for o, c in zip(cols, cells, strict=True):
        if c is None or not c.clear or c.small:
            continue
        up = c.diff > 0
        verb = ("widened" if up else "narrowed") if o.metric == GAP else ("rose" if up else "fell")
        said.append(f"{o.phrase} {verb} by {c.change.lstrip('+-').replace(' pp', ' points')}")
    if not said:
        return f"{name}: no headline outcome changed clearly by as much as the smallest effect that matters."
    joined = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return f"{name}: {joined}; nothing else changed clearly by as much as matters."


def lead_sentences(cols: list[Outcome], cells: dict[str, list[Cell | None]], baseline: str) -> list[str]:
    """Which strategy does most for crime, and for confidence in the least confident group."""
    out = []
    crime = _best(cols, cells, lambda o: o.metric == "crimes", lower=True)
    out.append(
        f"Largest clear fall in crime: {_title(crime[0])} ({crime[1].change})."
        if crime
        else f"No strategy clearly reduced crime by as much as matters, compared with {baseline}."
    )
    first = next(iter(cells.values()))  # the baseline's levels are the same in every strategy's cells
    groups = [(o, c.base_value) for o, c in zip(cols, first, strict=True) if o.group and c is not None]
    if groups:
        least = min(groups, key=lambda og: og[1])[0]
        best = _best(cols, cells, lambda o: o is least, lower=False)
        out.append(
            f"Largest clear rise in confidence among {least.group} residents (the least confident group): "
            f"{_title(best[0])} ({best[1].change.replace(' pp', ' points')})."
            if best
            else f"No strategy clearly raised confidence among {least.group} residents (the least confident group) "
            "by as much as matters."
        )
    return out


def _best(cols, cells, pick, *, lower: bool):
    i = next((i for i, o in enumerate(cols) if pick(o)), None)
    if i is None:
        return None
    found = [(p, cs[i]) for p, cs in cells.items() if cs[i] and cs[i].clear and not cs[i].small]
    found = [(p, c) for p, c in found if (c.diff < 0) == lower]
    return min(found, key=lambda pc: pc[1].diff if lower else -pc[1].diff, default=None)


def _title(policy: str) -> str:
    name = policy.replace("_", " ")
    return name[0].upper() + name[1:]
