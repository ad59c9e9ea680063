"""A short plain-language caption of what is happening, from the daily series.

`caption(ts, marks)` is a pure function of the model's daily table and the
(day, label) marks: it compares the days since the latest mark with the days
before it ("Reporting has fallen 12% since the misconduct incident on day 90").
Daily crime counts in a classroom-sized city are small, so a change in a count
or a rate is only mentioned when it stands out from chance (|z| >= 2); trust,
participation and collective efficacy are smooth, and a change of 1% is enough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import metric_registry as reg

WINDOW = 60  # days compared on each side of a mark
SMOOTH_THRESHOLD = 0.01  # relative change worth mentioning in a smooth series
Z_THRESHOLD = 2.5  # for counts and rates (several are checked at once)
MIN_DAYS_COUNTS = 14  # days after a mark before counts and rates are compared


def caption(
    ts: pd.DataFrame,
    marks: Sequence[tuple[int, str]] = (),
    groups: Sequence[str] | None = None,
    *,
    window: int = WINDOW,
) -> str:
    """One to three sentences on the run so far (see the module's docstring).
    `groups`: the resident groups (their `mean_trust_<group>` columns); default:
    every `mean_trust_*` column."""
    if groups is not None and len(ts):
        ts = ts.drop(columns=[_trust_col(g) for g in _groups(ts) if g not in groups])
    if ts is None or len(ts) == 0:
        pending = sorted(marks)
        if pending:
            d, label = pending[-1]
            return f"The {label} is set for day {d}: press Step to see what follows."
        return "Day 0: nothing has happened yet. Press Step to run one day, or ▶ to play."
    days = ts["day"].to_numpy()
    last = int(days[-1])
    pending = [(d, label) for d, label in marks if d > last]
    if pending:
        d, label = max(pending)
        return f"The {label} happens on day {d}: press Step to see what follows."
    past = [(d, label) for d, label in marks if int(days[0]) < d <= last]
    if past:
        d, label = max(past, key=lambda m: m[0])
        return _since_mark(ts, int(d), label, window)
    return _summary(ts, window)


# --------------------------------------------------------------------------- pieces
def _since_mark(ts: pd.DataFrame, d: int, label: str, window: int) -> str:
    day = ts["day"].to_numpy()
    before = ts[(day >= d - window) & (day < d)]
    n_after = int((day >= d).sum())
    after = ts[day >= d].tail(window) if n_after >= MIN_DAYS_COUNTS else ts.iloc[:0]
    since = f"since the {label} on day {d}"
    clauses = [
        c
        for c in (
            _trust_clause(before, ts),
            _rate_clause("reporting", before, after, "crimes_reported", "crimes"),
            _count_clause("crime", before, after, "crimes"),
            _smooth_clause("participation", before, ts, "participation_rate", percent=True),
            _smooth_clause("collective efficacy", before, ts, "collective_efficacy"),
        )
        if c
    ]
    if not clauses:
        return f"No clear change yet {since} ({_days(n_after)} ago): {_state(ts, window)}."
    (head, detail), *rest = clauses[:3]
    text = f"{head[0].upper()}{head[1:]} {since} {detail}"
    if rest:
        text += "; " + "; ".join(f"{h} {d}" for h, d in rest)
    return text + "."


def _summary(ts: pd.DataFrame, window: int) -> str:
    last = int(ts["day"].iloc[-1])
    text = f"Day {last}: {_state(ts, window)}"
    trend = _trust_clause(ts.head(1), ts)
    if trend and len(ts) > 1:
        text += f"; {trend[0]} since day {int(ts['day'].iloc[0])} {trend[1]}"
    return text + "."


def _state(ts: pd.DataFrame, window: int) -> str:
    recent = ts.tail(window)
    parts = [f"mean trust {ts['mean_trust'].iloc[-1]:.2f}{_groups_now(ts)}"]
    crimes = recent["crimes"].sum()
    if crimes > 0:
        parts.append(
            f"{recent['crimes_reported'].sum() / crimes:.0%} of crimes reported over the last {_days(len(recent))}"
        )
    parts.append(f"{recent['crimes'].mean():.1f} crimes a day")
    return ", ".join(parts)


def _groups_now(ts: pd.DataFrame) -> str:
    groups = _groups(ts)
    if len(groups) < 2:
        return ""
    now = {g: ts[_trust_col(g)].iloc[-1] for g in groups}
    values = ", ".join(f"{g} {v:.2f}" for g, v in now.items() if np.isfinite(v))
    return f" ({values})"


def _groups(ts: pd.DataFrame) -> list[str]:
    """The groups with a trust column in `ts`."""
    return reg.groups_in(ts.columns, "mean_trust")


def _trust_col(group: str) -> str:
    return reg.column_name("mean_trust", group)


Clause = tuple[str, str]  # ("trust has fallen 9%", "(0.47 → 0.43)")


def _trust_clause(before: pd.DataFrame, ts: pd.DataFrame) -> Clause | None:
    clause = _smooth_clause("trust", before, ts, "mean_trust")
    if clause is None:
        return None
    moves = []
    for g in _groups(ts):
        a, b = _last(before, _trust_col(g)), _last(ts, _trust_col(g))
        if a and math.isfinite(a) and math.isfinite(b):
            moves.append((abs(b / a - 1), f"{g} {_signed(b / a - 1)}"))
    if len(moves) >= 2:
        moves.sort(reverse=True)
        head, detail = clause
        clause = (head, detail[:-1] + "; " + ", ".join(m for _, m in moves) + ")")
    return clause


def _smooth_clause(
    name: str, before: pd.DataFrame, ts: pd.DataFrame, col: str, *, percent: bool = False
) -> Clause | None:
    if len(before) == 0:
        return None
    a, b = _last(before, col), _last(ts, col)
    if not (math.isfinite(a) and math.isfinite(b)) or a == 0 or abs(b / a - 1) < SMOOTH_THRESHOLD:
        return None
    return f"{name} has {_verb(b - a)} {abs(b / a - 1):.0%}", f"({_pair(a, b, percent)})"


def _rate_clause(name: str, before: pd.DataFrame, after: pd.DataFrame, num: str, den: str) -> Clause | None:
    n1, n2 = before[den].sum(), after[den].sum()
    if n1 == 0 or n2 == 0:
        return None
    p1, p2 = before[num].sum() / n1, after[num].sum() / n2
    pooled = (before[num].sum() + after[num].sum()) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if p1 == 0 or se == 0 or abs(p2 - p1) / se < Z_THRESHOLD:
        return None
    return f"{name} has {_verb(p2 - p1)} {abs(p2 / p1 - 1):.0%}", f"({p1:.0%} → {p2:.0%} of crimes reported)"


def _count_clause(name: str, before: pd.DataFrame, after: pd.DataFrame, col: str) -> Clause | None:
    n1, n2 = len(before), len(after)
    if n1 == 0 or n2 == 0:
        return None
    c1, c2 = before[col].sum(), after[col].sum()
    r1, r2 = c1 / n1, c2 / n2
    se = math.sqrt(c1 / n1**2 + c2 / n2**2)
    if r1 == 0 or se == 0 or abs(r2 - r1) / se < Z_THRESHOLD:
        return None
    return f"{name} has {_verb(r2 - r1)} {abs(r2 / r1 - 1):.0%}", f"({r1:.1f} → {r2:.1f} a day)"


def _pair(a: float, b: float, percent: bool) -> str:
    """ "0.48 → 0.44", with one more digit where the rounded values would look equal."""
    for digits in (1, 2, 3) if percent else (2, 3, 4):
        fa, fb = (f"{a:.{digits}%}", f"{b:.{digits}%}") if percent else (f"{a:.{digits}f}", f"{b:.{digits}f}")
        if fa != fb:
            break
    return f"{fa} → {fb}"


def _last(df: pd.DataFrame, col: str) -> float:
    return float(df[col].iloc[-1]) if len(df) else float("nan")


def _verb(change: float) -> str:
    return "risen" if change > 0 else "fallen"


def _signed(x: float) -> str:
    return f"{'+' if x >= 0 else '−'}{abs(x):.0%}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
