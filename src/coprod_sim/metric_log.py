"""The daily metrics' inputs, kept day by day, and the daily metrics table made from them.

A day's metrics are a few dozen numbers (counts, ratios, group means and gaps), and
making each of them every day as Python numbers took a fifth of a 10^4-resident day.
So each day only its inputs are kept (`MetricLog.add`: references to the day's
incident arrays, the per-block trust sums, a handful of scalars), and the metrics are
worked out for all days at once, in columns, when the table is read (`table`). The
arithmetic is the one a day's metrics always had (`docs/ODD.md`, "Outputs"): a ratio is
NaN where its denominator is 0, a group without members has no mean, a gap needs every
group's value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .metric_registry import column_names, daily_columns
from .submodels.crime import VIOLENT

if TYPE_CHECKING:
    from .model_api import ModelAPI

# The day's scalars, in the order `add` keeps them; int ones become int64 columns.
SCALARS = (
    ("police_contacts", np.int64),
    ("negative_contacts", np.int64),
    ("positive_contacts", np.int64),
    ("designed_contacts", np.int64),
    ("police_initiated_contacts", np.int64),
    ("calls_for_service", np.int64),
    ("hours_on_duty", np.float64),
    ("hours_committed", np.float64),
    ("response_served_share", np.float64),
    ("officers", np.int64),
    ("perceived_certainty", np.float64),
    ("participation_rate", np.float64),
    ("collective_efficacy", np.float64),
    ("police_top5pct_true_share", np.float64),
    ("true_top5pct_share", np.float64),
)


class MetricLog:
    """Each recorded day's inputs to the daily metrics, in order."""

    def __init__(self, group_names: list[str], group_sizes: np.ndarray, activities: list[str]):
        self.names = daily_columns(group_names, activities)  # the table's columns, in order
        self.groups = tuple(group_names)
        self.group_sizes = np.asarray(group_sizes, dtype=np.int64)
        self.activities = tuple(activities)
        self.days: list[int] = []
        self.scalars: list[tuple] = []
        self.incidents: list[tuple] = []  # (kind, reported, third party, victim's group, cleared)
        self.trust_sums: list[np.ndarray] = []  # [neighbourhood, group]
        self.confident: list[np.ndarray] = []  # [neighbourhood, group]
        self.activity_totals: list[np.ndarray] = []  # hours spent in each activity, then allocated to each

    def __len__(self) -> int:
        return len(self.days)

    def add(self, model: ModelAPI, trust_sums: np.ndarray, confident: np.ndarray, activity_totals: np.ndarray):
        """Keep today's inputs: `trust_sums` and `confident` per (neighbourhood, group), the hours
        of each activity then allocated to each; the rest is read from the model. The arrays are
        kept, not copied: the day's incidents and these sums are made afresh every day."""
        today, c = model.today, model.contacts
        inc = today.incidents
        self.days.append(model.day)
        self.incidents.append((inc.kind, today.reported, today.third_party, model.pop.group[inc.victim], today.cleared))
        self.trust_sums.append(trust_sums)
        self.confident.append(confident)
        self.activity_totals.append(activity_totals)
        # (`dot`, not `@`: the same product without the matrix product's per-call cost)
        self.scalars.append(
            (
                c.total,
                c.negative,
                c.positive,
                c.designed,
                c.police_initiated,
                today.calls,
                today.hours_on_duty,
                today.hours_committed,
                today.served,
                len(model.officer_beat),
                float(model.perceived_certainty().dot(model.nb_share)),
                float(model.participation_nb.dot(model.nb_share)),
                float(model.efficacy.dot(model.nb_share)),
                *picture_accuracy(model),
            )
        )

    def table(self, start: int = 0) -> pd.DataFrame:
        """The daily metrics of the recorded days from the `start`-th on, a row a day."""
        days = len(self.days) - start
        if days <= 0:
            return pd.DataFrame(columns=self.names)
        n = int(self.group_sizes.sum())
        g = len(self.groups)
        cols: dict[str, np.ndarray] = {"day": np.array(self.days[start:], dtype=np.int64)}
        scalars = list(zip(*self.scalars[start:], strict=True))
        for (name, dtype), values in zip(SCALARS, scalars, strict=True):
            cols[name] = np.array(values, dtype=dtype)

        kind, reported, third, vgroup, cleared = (list(x) for x in zip(*self.incidents[start:], strict=True))
        per_day = np.array([len(k) for k in kind], dtype=np.int64)
        day_of = np.repeat(np.arange(days), per_day)
        kind, reported, third, vgroup = (np.concatenate(x) for x in (kind, reported, third, vgroup))
        violent = kind == VIOLENT
        crimes, n_violent = per_day, _count(day_of[violent], days)
        n_rep, rep_violent = _count(day_of[reported], days), _count(day_of[reported & violent], days)
        cleared_day = np.repeat(np.arange(days), [len(x) for x in cleared])
        n_cleared = _count(cleared_day[np.concatenate(cleared)], days)
        cols.update(
            crimes=crimes,
            crimes_violent=n_violent,
            crimes_property=crimes - n_violent,
            crimes_reported=n_rep,
            reported_violent=rep_violent,
            reported_property=n_rep - rep_violent,
            crimes_recorded=n_rep + _count(day_of[third], days),
            reporting_rate=_ratio(n_rep, crimes),
            reporting_rate_violent=_ratio(rep_violent, n_violent),
            reporting_rate_property=_ratio(n_rep - rep_violent, crimes - n_violent),
            crimes_cleared=n_cleared,
            clearance_rate=_ratio(n_cleared, n_rep),
            committed_time_share=_ratio(cols["hours_committed"], cols["hours_on_duty"]),
        )

        trust_sums = np.stack(self.trust_sums[start:])  # [day, neighbourhood, group]
        confident_g = np.stack(self.confident[start:]).sum(axis=1)  # [day, group]
        trust_g = trust_sums.sum(axis=1)
        cols["mean_trust"] = trust_sums.reshape(days, -1).sum(axis=1) / n
        cols["confidence_share"] = confident_g.sum(axis=1) / n  # (whole numbers: their sum is exact in any order)
        present = self.group_sizes > 0
        # A group without members has no mean (NaN) and takes no part in the gaps.
        with np.errstate(invalid="ignore", divide="ignore"):
            trust_mean_g = np.where(present, trust_g / self.group_sizes, np.nan)
            confidence_g = np.where(present, confident_g / self.group_sizes, np.nan)
        victims_g = _count(day_of * g + vgroup, days * g).reshape(days, g)
        reported_g = _count((day_of * g + vgroup)[reported], days * g).reshape(days, g)
        rate_g = _ratio(reported_g, victims_g)
        cols["trust_gap"] = trust_mean_g[:, present].max(axis=1) - trust_mean_g[:, present].min(axis=1)
        # NaN unless every group with members had victims today (a gap needs all groups' rates); 0 with one group
        rates = rate_g[:, present]
        cols["reporting_gap"] = rates.max(axis=1) - rates.min(axis=1) if rates.shape[1] > 1 else np.zeros(days)

        for metric, values in (
            ("mean_trust", trust_mean_g),
            ("confidence_share", confidence_g),
            ("reporting_rate", rate_g),
            ("victims", victims_g),
        ):
            cols.update(zip(column_names(metric, self.groups), values.T, strict=True))
        totals = np.stack(self.activity_totals[start:])
        a = len(self.activities)
        cols.update(zip(column_names("hours", self.activities), totals[:, :a].T, strict=True))
        cols.update(zip(column_names("allocated_hours", self.activities), totals[:, a:].T, strict=True))
        return pd.DataFrame({name: cols[name] for name in self.names})

    def last_day(self) -> dict[str, float]:
        """The last recorded day's metrics, by name (empty before the first)."""
        if not self.days:
            return {}
        return {name: values[0] for name, values in self.table(len(self.days) - 1).to_dict("list").items()}


def picture_accuracy(model: ModelAPI) -> tuple[float, float]:
    """Share of (smoothed) true crime at the 5% of places the police rank highest,
    and at the true top 5% (the most any ranking could capture)."""
    total = float(model.true_picture.sum())
    if total <= 0:
        return float("nan"), float("nan")
    k = model.top_5pct_places
    police_top = model.top_places(k)
    true_top = (-model.true_picture).argpartition(k - 1)[:k] if k < len(model.true_picture) else slice(None)
    return float(model.true_picture[police_top].sum()) / total, float(model.true_picture[true_top].sum()) / total


def _count(index: np.ndarray, length: int) -> np.ndarray:
    return np.bincount(index, minlength=length)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """A daily ratio: NaN where the denominator is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den != 0, num / den, np.nan)
