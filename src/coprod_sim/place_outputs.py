"""Per-place outputs (places.parquet): crimes, place-based officer hours and
problem-solving projects per place, by year, and the table the run folder holds.

The model keeps a `PlaceTally` only when `output.places` is on; it adds each
recorded day's counts to the arrays of that day's year (metrics.periods_for's
years), so the cost is a few bincounts a day. Periods are `all` and `year_k`,
as in summary.json and comparison.parquet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .config import DAYS_PER_YEAR
from .submodels.crime import VIOLENT

if TYPE_CHECKING:
    from .model_api import ModelAPI

COUNTS = ("crimes", "crimes_violent", "crimes_reported", "hours_hot_spots", "hours_foot_patrol", "projects")
COLUMNS = (
    "replicate",
    "seed",
    "period",
    "place",
    "neighbourhood",
    "crimes",
    "crimes_violent",
    "crimes_reported",
    "hours_hot_spots",
    "hours_foot_patrol",
    "problem_solved",
    "treated",
    "near_treated",
)


class PlaceTally:
    """Per-place sums of each recorded year: {year index: {count name: array over places}}."""

    def __init__(self, n_places: int):
        self.n_places = n_places
        self.years: dict[int, dict[str, np.ndarray]] = {}

    def add_day(self, model: ModelAPI) -> None:
        today, n = model.today, self.n_places
        year = self.years.setdefault(model.day // DAYS_PER_YEAR, {c: np.zeros(n) for c in COUNTS})
        inc = today.incidents
        year["crimes"] += np.bincount(inc.place, minlength=n)
        year["crimes_violent"] += np.bincount(inc.place[inc.kind == VIOLENT], minlength=n)
        year["crimes_reported"] += np.bincount(inc.place[today.reported], minlength=n)
        for activity in ("hot_spots", "foot_patrol"):
            hours = today.place_hours.get(activity)
            if hours is not None:
                year[f"hours_{activity}"] += hours
        if today.problem_places:
            year["projects"] += np.bincount(today.problem_places, minlength=n)

    def crimes_by_year(self) -> np.ndarray:
        """All incidents per place, one row per recorded year (in year order)."""
        return np.array([self.years[y]["crimes"] for y in sorted(self.years)])

    def periods(self) -> dict[str, dict[str, np.ndarray]]:
        """The sums of `all` and of each `year_k`."""
        years = {f"year_{y + 1}": self.years[y] for y in sorted(self.years)}
        total = {c: sum(v[c] for v in years.values()) for c in COUNTS} if years else {}
        return {"all": total, **years} if years else {}


def place_table(
    tally: PlaceTally,
    adjacency,
    place_neighbourhood: np.ndarray,
    *,
    replicate: int,
    seed: int,
    treated_min_hours: float,
) -> pd.DataFrame:
    """places.parquet's rows for one replicate: one per period and place. `treated`: at
    least `treated_min_hours` of hot-spot or foot-patrol hours, or a completed
    problem-solving project, in the period; `near_treated`: adjacent to a treated place
    and not treated itself."""
    frames = []
    place = np.arange(tally.n_places)
    for period, sums in tally.periods().items():
        solved = sums["projects"] > 0
        treated = solved | (sums["hours_hot_spots"] + sums["hours_foot_patrol"] >= treated_min_hours)
        near = ((adjacency @ treated.astype(np.float64)) > 0) & ~treated
        frames.append(
            pd.DataFrame(
                {
                    "replicate": replicate,
                    "seed": seed,
                    "period": period,
                    "place": place,
                    "neighbourhood": place_neighbourhood.astype(np.int64),
                    "crimes": sums["crimes"].astype(np.int64),
                    "crimes_violent": sums["crimes_violent"].astype(np.int64),
                    "crimes_reported": sums["crimes_reported"].astype(np.int64),
                    "hours_hot_spots": sums["hours_hot_spots"],
                    "hours_foot_patrol": sums["hours_foot_patrol"],
                    "problem_solved": solved,
                    "treated": treated,
                    "near_treated": near,
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]
