"""What a run returns, checked in the worker before the client writes it.

A run function (the model's own, or `run_sweep(..., run_fn=f)`) returns a
pandas DataFrame:

- outputs = "summary": the long table ``period, metric, group, value`` (one
  row per period, metric and group; `group` null or left out for citywide
  values), or a daily table with a ``day`` column such as
  ``model.timeseries()``, which is summarised here exactly as the model's own
  runs are (`metrics.period_values`: the registry's metrics).
- outputs = "daily": a daily table with a ``day`` column; ``replicate`` and
  ``seed`` are added when it has none.

Anything else fails that run at once, with a line naming the columns expected
and those found, instead of a KeyError in the writer or, later, in `analyze`.
"""

from __future__ import annotations

import pandas as pd

from ..metrics import period_values

SUMMARY_COLUMNS = ("period", "metric", "group", "value")
EXPECTED = {
    "summary": (
        "the long table period, metric, group, value (metrics.period_values) or a daily table with a day column"
        " (model.timeseries())"
    ),
    "daily": "a daily table with a day column (model.timeseries())",
}


class ResultError(ValueError):
    """A run returned something a sweep cannot record."""


def check_result(table, outputs: str, *, replicate: int, seed: int) -> pd.DataFrame:
    """The run's table in the form its run file holds, or ResultError."""
    if not isinstance(table, pd.DataFrame):
        raise ResultError(
            f"the run returned {type(table).__name__}, not a pandas DataFrame; expected {EXPECTED[outputs]}"
        )
    if table.empty:
        raise ResultError(f"the run returned an empty table; expected {EXPECTED[outputs]}")
    if outputs == "summary":
        return _summary(table, replicate)
    return _daily(table, replicate, seed)


def _summary(table: pd.DataFrame, replicate: int) -> pd.DataFrame:
    columns = set(table.columns)
    if {"period", "metric", "value"} <= columns:
        out = table.reindex(columns=list(SUMMARY_COLUMNS))
        out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
        for name in ("period", "metric"):
            bad = out[name].isna() | ~out[name].map(lambda v: isinstance(v, str))
            if bad.any():
                raise ResultError(
                    f"column {name} must hold text; row {int(bad.argmax())} holds {out[name][bad].iloc[0]!r}"
                )
        value = pd.to_numeric(out["value"], errors="coerce")
        bad = value.isna() & out["value"].notna()
        if bad.any():
            raise ResultError(
                f"column value must hold numbers; row {int(bad.argmax())} holds {out['value'][bad].iloc[0]!r}"
            )
        return out.assign(value=value.astype(float))
    if "day" in columns:
        _check_days(table)
        summary = period_values(table.assign(replicate=replicate)).drop(columns="replicate")
        if summary.empty:
            raise ResultError(
                f"the run returned a daily table with none of the model's metrics (columns: {_shown(table)});"
                ' return the long table period, metric, group, value for metrics of your own, or use outputs = "daily"'
            )
        return summary
    missing = ", ".join(c for c in ("period", "metric", "value") if c not in columns)
    raise ResultError(
        f'the run returned a table with columns {_shown(table)} (missing {missing}); outputs = "summary" expects'
        f" {EXPECTED['summary']}"
    )


def _daily(table: pd.DataFrame, replicate: int, seed: int) -> pd.DataFrame:
    if "day" not in table.columns:
        summary = {"period", "metric", "value"} <= set(table.columns)
        hint = ' (a summary table: use outputs = "summary")' if summary else ""
        raise ResultError(
            f"the run returned a table with columns {_shown(table)}{hint};"
            f' outputs = "daily" expects {EXPECTED["daily"]}'
        )
    _check_days(table)
    out = table.copy()
    for name, value in (("seed", seed), ("replicate", replicate)):
        if name not in out.columns:
            out.insert(0, name, value)
    return out


def _check_days(table: pd.DataFrame) -> None:
    day = table["day"]
    if not pd.api.types.is_integer_dtype(day) or (day < 0).any():
        raise ResultError(f"column day must hold whole numbers >= 0 (days from 0); it holds {day.dtype} values")


def _shown(table: pd.DataFrame, most: int = 8) -> str:
    names = [str(c) for c in table.columns]
    return ", ".join(names[:most]) + (f", ... ({len(names)} in all)" if len(names) > most else "")
