"""Units shared by the schema and the model: the one definition of a year in days."""

from __future__ import annotations

DAYS_PER_YEAR = 365


def per_day(rate_per_year: float) -> float:
    """A yearly rate (the unit the schema states rates in) as a daily rate."""
    return rate_per_year / DAYS_PER_YEAR
