"""Daily metrics: what the model records each day (the stable metric names of
docs/ODD.md), into Mesa's DataCollector and the per-neighbourhood table.

They are read from the day's record (`model.today`), the contacts since the
last day ended (`model.contacts`) and the model's public state. Per-day overhead
matters for small cities and sweeps: the citywide metrics keep only their inputs
each day and are made for all days at once when read (`metric_log.py`); the
per-neighbourhood rows reuse the neighbourhood counts the step already made.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from .metric_log import MetricLog
from .metric_registry import column_names

if TYPE_CHECKING:
    from .model_api import ModelAPI


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector over the model's `MetricLog`: `collect(model)` keeps the day's
    inputs, and `model_vars` / `get_model_vars_dataframe()` give the daily metrics made
    from them (one column per named reporter, in order)."""

    def __init__(self, log: MetricLog):
        self.log = log  # (before Mesa's init, which reads `model_vars`)
        super().__init__(model_reporters={name: partial(_read_metric, name=name) for name in log.names})

    def collect(self, model) -> None:
        record_day(model, neighbourhoods=False)

    @property
    def model_vars(self) -> dict[str, list]:
        # Mesa's init reads this once per reporter: made from the empty log each time
        # that was ~50 ms per model, paid by every run of a sweep
        if not len(self.log):
            return {name: [] for name in self.log.names}
        return self.log.table().to_dict("list")

    @model_vars.setter
    def model_vars(self, value) -> None:
        pass  # (Mesa's init sets it; the columns come from the log)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return self.log.table()


def collector(group_names: list[str], group_sizes: np.ndarray, activities: list[str]) -> MetricsCollector:
    """The daily record of a city with these groups (and their sizes) and officer activities."""
    return MetricsCollector(MetricLog(group_names, group_sizes, activities))


def record_day(model: ModelAPI, *, neighbourhoods: bool) -> dict[str, np.ndarray] | None:
    """Keep today's inputs to the daily metrics (`model.datacollector.log`), and return
    (if `neighbourhoods`) today's rows of the per-neighbourhood table, compactly
    (`neighbourhood_table` lays them out)."""
    today = model.today
    trust_sums = model.pop.sum_by_block(model.trust)  # [neighbourhood, group]
    confident = model.pop.sum_by_block((model.trust >= model.config.survey.confidence_threshold).astype(np.float64))
    # [activity, beat]: hours spent, then hours allocated; one copy serves both tables
    a, k = len(today.hours), model.pop.n_neighbourhoods
    per_activity = np.concatenate([*today.hours.values(), *today.allocated.values()]).reshape(2 * a, k)
    model.datacollector.log.add(model, trust_sums, confident, per_activity.sum(axis=1))
    return neighbourhood_row(model, trust_sums.sum(axis=1), per_activity[:a]) if neighbourhoods else None


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
    table.update(zip(column_names("hours", tuple(activities)), hours, strict=True))
    return pd.DataFrame(table)


def _read_metric(model, name: str):
    return model.metrics[name]
