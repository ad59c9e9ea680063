"""Daily metrics: what the model records each day (the stable metric names of
docs/ODD.md), into Mesa's DataCollector and the per-neighbourhood table.

They are read from the day's record (`model.today`), the contacts since the
last day ended (`model.contacts`) and the model's public state. Per-day overhead
matters for small cities and sweeps, so values are plain Python scalars and
reuse the neighbourhood counts the step already made.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from .metric_registry import column_name
from .submodels.crime import VIOLENT

if TYPE_CHECKING:
    from .model_api import ModelAPI


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector, minus the per-value deepcopy: every metric is an
    immutable number read from the dict the model fills once a day."""

    def collect(self, model) -> None:
        metrics = model.metrics
        for name, append in self._appends():
            append(metrics[name])

    def _appends(self) -> list:
        """Each column's name and the `append` of its list (made once: `model_vars` keeps its lists)."""
        if getattr(self, "_columns", None) is None:
            self._columns = [(name, values.append) for name, values in self.model_vars.items()]
        return self._columns


def collector(names: list[str]) -> MetricsCollector:
    return MetricsCollector(model_reporters={name: partial(_read_metric, name=name) for name in names})


def record_day(model: ModelAPI, *, neighbourhoods: bool) -> tuple[dict[str, float], dict[str, np.ndarray] | None]:
    """Today's metrics by name, and (if `neighbourhoods`) today's rows of the
    per-neighbourhood table, compactly (`neighbourhood_table` lays them out)."""
    today = model.today
    trust_sums = model.pop.sum_by_block(model.trust)  # [neighbourhood, group]
    confident = model.pop.sum_by_block((model.trust >= model.config.survey.confidence_threshold).astype(np.float64))
    # [activity, beat]: hours spent, then hours allocated; one copy serves both tables
    a, k = len(today.hours), model.pop.n_neighbourhoods
    per_activity = np.concatenate([*today.hours.values(), *today.allocated.values()]).reshape(2 * a, k)
    hours = per_activity[:a]
    rows = neighbourhood_row(model, trust_sums.sum(axis=1), hours) if neighbourhoods else None
    return daily_metrics(model, trust_sums, confident, per_activity.sum(axis=1).tolist()), rows


def daily_metrics(
    model: ModelAPI, trust_sums: np.ndarray, confident: np.ndarray, activity_totals: list[float]
) -> dict[str, float]:
    """Today's metrics, by name (`trust_sums`, `confident`: trust and confident residents
    summed per neighbourhood and group; `activity_totals`: today's hours spent in each
    activity, then the hours allocated to each)."""
    pop, today, c = model.pop, model.today, model.contacts
    inc, reported = today.incidents, today.reported
    group_sizes = pop.group_sizes.tolist()
    n_crimes, n_rep = len(inc), int(np.count_nonzero(reported))
    if n_crimes:
        violent = inc.kind == VIOLENT
        n_violent = int(np.count_nonzero(violent))
        rep_violent = int(np.count_nonzero(reported & violent))
        vgroup = pop.group[inc.victim]
        victims_g = np.bincount(vgroup, minlength=len(group_sizes)).tolist()
        reported_g = np.bincount(vgroup[reported], minlength=len(group_sizes)).tolist()
    else:  # most days of a small city
        n_violent = rep_violent = 0
        victims_g = reported_g = [0] * len(group_sizes)
    cleared = int(np.count_nonzero(today.cleared))
    # Per group, in Python scalars: a handful of groups, where numpy's per-call cost would dominate.
    # A group without members has no mean (NaN) and takes no part in the gaps.
    trust_g, confident_g = trust_sums.sum(axis=0).tolist(), confident.sum(axis=0).tolist()
    nan = float("nan")
    by_group: dict[str, list] = {"mean_trust": [], "confidence_share": [], "reporting_rate": [], "victims": victims_g}
    trust_present, rates_present = [], []
    for g, size in enumerate(group_sizes):
        rate = _div(reported_g[g], victims_g[g])
        by_group["reporting_rate"].append(rate)
        if size > 0:
            by_group["mean_trust"].append(trust_g[g] / size)
            by_group["confidence_share"].append(confident_g[g] / size)
            trust_present.append(trust_g[g] / size)
            rates_present.append(rate)
        else:
            by_group["mean_trust"].append(nan)
            by_group["confidence_share"].append(nan)
    m = {
        "day": model.day,
        "crimes": n_crimes,
        "crimes_violent": n_violent,
        "crimes_property": n_crimes - n_violent,
        "crimes_reported": n_rep,
        "reported_violent": rep_violent,
        "reported_property": n_rep - rep_violent,
        "crimes_recorded": n_rep + int(np.count_nonzero(today.third_party)),
        "reporting_rate": _div(n_rep, n_crimes),
        "reporting_rate_violent": _div(rep_violent, n_violent),
        "reporting_rate_property": _div(n_rep - rep_violent, n_crimes - n_violent),
        "crimes_cleared": cleared,
        "clearance_rate": _div(cleared, n_rep),
        "mean_trust": float(trust_sums.sum()) / pop.n,
        "confidence_share": sum(confident_g) / pop.n,  # (whole numbers: their sum is exact in any order)
        "trust_gap": max(trust_present) - min(trust_present),
        "reporting_gap": _gap(rates_present),
        # (`dot`, not `@`: the same product without the matrix product's per-call cost)
        "perceived_certainty": float(model.perceived_certainty().dot(model.nb_share)),
        "participation_rate": float(model.participation_nb.dot(model.nb_share)),
        "collective_efficacy": float(model.efficacy.dot(model.nb_share)),
        "police_contacts": c.total,
        "negative_contacts": c.negative,
        "positive_contacts": c.positive,
        "designed_contacts": c.designed,
        "police_initiated_contacts": c.police_initiated,
        "calls_for_service": today.calls,
        "hours_on_duty": today.hours_on_duty,
        "hours_committed": today.hours_committed,
        "committed_time_share": _div(today.hours_committed, today.hours_on_duty),
        "response_served_share": today.served,
        "officers": len(model.officer_beat),
        **picture_accuracy(model),
    }
    # Group and activity are dimensions of a metric; the registry names their columns.
    groups = tuple(pop.group_names)
    for metric, values in by_group.items():
        m.update(zip(_columns(metric, groups), values, strict=True))
    activities = tuple(today.hours)
    a = len(activities)
    for h_col, a_col, spent, allocated in zip(
        _columns("hours", activities),
        _columns("allocated_hours", activities),
        activity_totals[:a],
        activity_totals[a:],
        strict=True,
    ):
        m[h_col], m[a_col] = spent, allocated
    return m


# The per-neighbourhood table's metrics other than hours, in column order.
NEIGHBOURHOOD_METRICS = (
    "crimes",
    "crimes_reported",
    "crimes_cleared",
    "mean_trust",
    "participation_rate",
    "collective_efficacy",
)


def neighbourhood_row(model: ModelAPI, trust_sum_nb: np.ndarray, hours: np.ndarray) -> dict:
    """Today's rows of the per-neighbourhood table, compactly: the day, one array per metric
    over neighbourhoods, and `hours` [activity, beat] (a copy: the rows keep it)."""
    today = model.today
    return {
        "day": model.day,
        "crimes": today.crimes_nb,
        "crimes_reported": today.reports_nb,
        "crimes_cleared": today.cleared_nb,
        "mean_trust": trust_sum_nb / model.pop.nb_divisor,
        "participation_rate": model.participation_nb.copy(),
        "collective_efficacy": model.efficacy.copy(),
        "hours": hours,
    }


def neighbourhood_table(rows: list[dict], activities: list[str]) -> pd.DataFrame:
    """The per-neighbourhood daily metrics, long format (day, neighbourhood, metrics), from the
    compact rows `neighbourhood_row` made."""
    if not rows:
        return pd.DataFrame()
    k = len(rows[0]["crimes"])
    hours = np.concatenate([r["hours"] for r in rows], axis=1)  # [activity, days x beats]
    table = {
        "day": np.repeat(np.array([r["day"] for r in rows], dtype=np.int64), k),
        "neighbourhood": np.tile(np.arange(k, dtype=np.int64), len(rows)),
    }
    for key in NEIGHBOURHOOD_METRICS:
        table[key] = np.concatenate([r[key] for r in rows])
    table.update(zip(_columns("hours", tuple(activities)), hours, strict=True))
    return pd.DataFrame(table)


def picture_accuracy(model: ModelAPI) -> dict[str, float]:
    """Share of (smoothed) true crime at the 5% of places the police rank highest,
    and at the true top 5% (the most any ranking could capture)."""
    total = float(model.true_picture.sum())
    if total <= 0:
        return {"police_top5pct_true_share": float("nan"), "true_top5pct_share": float("nan")}
    k = model.top_5pct_places
    police_top = model.top_places(k)
    true_top = (-model.true_picture).argpartition(k - 1)[:k] if k < len(model.true_picture) else slice(None)
    return {
        "police_top5pct_true_share": float(model.true_picture[police_top].sum()) / total,
        "true_top5pct_share": float(model.true_picture[true_top].sum()) / total,
    }


@lru_cache(maxsize=256)
def _columns(metric: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The published columns of `metric` for each group or activity in `keys` (named once, not every day)."""
    return tuple(column_name(metric, key) for key in keys)


def _gap(rates: list[float]) -> float:
    """Highest minus lowest group rate; NaN unless every group with members had
    victims today (a gap needs all groups' rates); 0 with one group."""
    if len(rates) == 1:
        return 0.0
    return max(rates) - min(rates) if not any(r != r for r in rates) else float("nan")


def _read_metric(model, name: str):
    return model.metrics[name]


def _div(num, den) -> float:
    """A daily ratio: NaN when the denominator is 0."""
    return num / den if den else float("nan")
