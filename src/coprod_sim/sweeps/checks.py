"""What could make an index mislead, found before anyone reads it.

- Correlated design columns. A rank correlation (lhs) or a main-effect share
  (grid) of one parameter also carries the effect of any parameter its column
  correlates with: in an LHS of 20-60 points two columns can correlate by
  chance at 0.2-0.4. `analyze` warns when two columns of the points it used
  correlate (Spearman) above CORRELATION_WARNING. Sobol and Morris designs are
  not checked: their estimators pair points that differ in known coordinates.
- Parameters that have no effect by construction: the knobs of a policy
  (`policy.<policy>.<knob>`) in runs where that policy spends no hours (the
  `hours_<activity>` outcome is 0 in every run). Their index is chance alone.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .. import metric_registry as reg
from ..policies import REGISTRY

CORRELATION_WARNING = 0.2
CHECKED_DESIGNS = ("lhs", "grid")


def correlated_columns(points: pd.DataFrame, design: str) -> list[str]:
    """One warning per pair of numeric design columns whose |Spearman| exceeds CORRELATION_WARNING."""
    if design not in CHECKED_DESIGNS or len(points) < 3:
        return []
    numeric = [
        c
        for c in points.columns
        if pd.api.types.is_numeric_dtype(points[c])
        and not pd.api.types.is_bool_dtype(points[c])
        and points[c].nunique() > 1
    ]
    ranks = points[numeric].rank()
    found = []
    for a, b in itertools.combinations(numeric, 2):
        r = float(ranks[a].corr(ranks[b]))
        if abs(r) > CORRELATION_WARNING:
            found.append(
                f"design columns {a} and {b} correlate (Spearman {r:+.2f} over the {len(points)} points with results,"
                f" above {CORRELATION_WARNING}): an index of either can carry the other's effect; more points"
                " (sweep samples) lower chance correlations"
            )
    return found


def hours_metric(policy: str) -> str | None:
    """The `hours_<activity>` outcome of a policy (None for a name that is not a policy)."""
    cls = REGISTRY.get(policy)
    if cls is None:
        return None
    return reg.column_name(reg.metric("hours").name, cls.activity)


def idle_policies(hours: pd.Series, names: list[str]) -> dict[str, str]:
    """Swept knobs of policies that spent no hours, with the policy's name.

    `hours`: total hours per `hours_<activity>` outcome over the runs in question
    (outcomes the runs did not record are absent: nothing is said about those)."""
    idle = {}
    for name in names:
        parts = name.split(".")
        if len(parts) < 3 or parts[0] != "policy":
            continue
        metric = hours_metric(parts[1])
        if metric in hours.index and np.isclose(hours[metric], 0.0):
            idle[name] = parts[1]
    return idle
