"""Numbers as a reader wants them: rounded, plain (never 7.5e-05), a change and its
interval to the same precision."""

from __future__ import annotations

import math

from .. import metric_registry as reg

MAX_DECIMALS = 3  # a change on a 0-1 scale finer than 0.001 reads as 0.000


def is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def plain(x, sig: int = 3) -> str:
    """A level with `sig` significant digits in plain notation; thousands with separators."""
    if is_missing(x):
        return "-"
    if abs(x) >= 10 ** (sig - 1):
        return f"{x:,.0f}"
    return f"{x:.{_decimals([x], sig, MAX_DECIMALS + 1)}f}"


def level(x, display: str) -> str:
    """A period value: shares shown as % when the metric's changes are in percentage points."""
    if is_missing(x):
        return "-"
    return f"{100 * x:.1f}%" if display == reg.PP else plain(x)


def change_texts(diff, low, high, baseline, display: str) -> tuple[str, str]:
    """(change, interval) rounded alike: '-2.1%' and '-3.0% to -1.2%'; the interval is ''
    when there is none (one replicate)."""
    if display == reg.PCT and not is_missing(baseline) and baseline != 0:
        scaled = [100 * v / baseline if not is_missing(v) else v for v in (diff, low, high)]
        unit, decimals = "%", 1
    elif display == reg.PP:
        scaled = [100 * v if not is_missing(v) else v for v in (diff, low, high)]
        unit, decimals = " pp", 1
    else:
        scaled = [diff, low, high]
        unit = ""
        decimals = _decimals([v for v in scaled if not is_missing(v)], 2, MAX_DECIMALS)
    d, lo, hi = (_signed(v, decimals) + unit if not is_missing(v) else "" for v in scaled)
    return d or "-", ("" if not lo else f"{lo} to {hi}")


def _decimals(values: list[float], sig: int, most: int) -> int:
    biggest = max((abs(v) for v in values), default=0.0)
    if biggest == 0:
        return 0
    return max(0, min(most, sig - 1 - math.floor(math.log10(biggest))))


def _signed(x: float, decimals: int) -> str:
    text = f"{x:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text  # no "-0.0"
