"""Every metric the model publishes, in one table: its unit, how it aggregates over a
period, how a report shows it, which direction is better and which dimensions it has.

Recording, period summaries, `compare`, the report, the figures, the dashboard,
sweep analysis and the ODD's output table (docs/ODD.md 8.1, checked by
tests/test_metric_registry.py) all read it: adding a metric means adding an entry here.

A dimension is part of a metric, not of its name: `mean_trust` has a citywide value,
one per group, one per neighbourhood and one per side of the high-barrier split.
Published names are generated from the metric and the dimension's key by
`column_name` (`mean_trust_minority`, `hours_door_to_door`, `mean_trust_high_barrier`),
so the files keep the names they have always had.

This module imports nothing from the package: every other module may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# How a metric aggregates over a period (docs/ODD.md 8.3).
COUNT = "count"  # summed
RATIO = "ratio"  # sum of the numerator / sum of the denominator (never a mean of daily ratios)
LEVEL = "level"  # mean of the daily values
GAP = "gap"  # highest minus lowest period value of another metric over the groups with members
PAIRED = "paired"  # computed by `compare` from a policy's runs and the baseline's, never recorded daily

PERIOD_RULES = {
    COUNT: "sum",
    RATIO: "sum / sum",
    LEVEL: "mean of days",
    GAP: "highest minus lowest of the period's group values (8.3)",
    PAIRED: "per replicate, from the paired runs (8.5)",
}

# How a report shows a change: in % of the baseline, in percentage points, or as a number.
PCT, PP, ABS = "pct", "pp", "abs"

# Dimensions: how one metric's values are broken down.
CITYWIDE = "citywide"  # one value for the city, published under the metric's name
GROUP = "group"  # one value per resident group: `<metric>_<group>`
ACTIVITY = "activity"  # one value per officer activity: `<metric>_<activity>` (no citywide total)
NEIGHBOURHOOD = "neighbourhood"  # one value per neighbourhood (rows of neighbourhood tables)
SPLIT = "split"  # high-barrier neighbourhoods against the rest: `<metric>_<side>`
SPLIT_SIDES = ("high_barrier", "other")

# Activities every run has; the others are policies' engagement hours.
CORE_ACTIVITIES = ("response", "patrol")

# Where a metric is shown.
REPORT_TABLE = "report_table"  # the report's tables of headline results
REPORT_SUMMARY = "report_summary"  # the report's plain-language summary sentences
REPORT_GAPS = "report_gaps"  # the report's "who benefits" sentences on gaps between groups
DIFFERENCES_FIGURE = "differences_figure"  # compare's figure of paired differences
SERIES_FIGURE = "series_figure"  # compare's figures of one metric's series under every policy
SENSITIVITY = "sensitivity"  # the outcomes `coprod-sim analyze` computes indices for

DAY = "day"  # the first daily column: the written day (a key, not a metric)
# The group metric that is NaN exactly when a group has no members: its columns say which groups a table has.
GROUP_ANCHOR = "mean_trust"


@dataclass(frozen=True)
class Metric:
    """One entry of the registry (see the module's docstring)."""

    name: str
    unit: str
    kind: str  # COUNT, RATIO, LEVEL, GAP or PAIRED
    label: str  # plain language, fit for the middle of a sentence
    display: str  # PCT, PP or ABS
    better: bool | None  # True: higher is better, False: lower is better, None: neither
    dims: tuple[str, ...]
    description: str  # the definition in docs/ODD.md 8.1 (citywide metrics)
    numerator: str = ""  # RATIO: the count summed on top
    denominator: str = ""  # RATIO: the count summed below
    group_denominator: str = ""  # RATIO per group: the group's count below (its numerator is rate x count)
    spread_of: str = ""  # GAP: the group metric whose spread this is
    shown_in: tuple[str, ...] = ()


# A table reads better one entry to a few lines than as the formatter would spread it.
# fmt: off
METRICS: tuple[Metric, ...] = (  # in the order of the daily columns
    Metric("crimes", "incidents", COUNT, "crime (all incidents)", PCT, False,
           (CITYWIDE, NEIGHBOURHOOD, SPLIT), "incidents that occurred",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE, SERIES_FIGURE, SENSITIVITY)),
    Metric("crimes_violent", "incidents", COUNT, "violent crime", PCT, False, (CITYWIDE,), "violent incidents",
           shown_in=(REPORT_TABLE,)),
    Metric("crimes_property", "incidents", COUNT, "property crime", PCT, False, (CITYWIDE,), "property incidents",
           shown_in=(REPORT_TABLE,)),
    Metric("crimes_reported", "incidents", COUNT, "crimes reported to police", PCT, None,
           (CITYWIDE, NEIGHBOURHOOD), "incidents reported to the police",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE)),
    Metric("reported_violent", "incidents", COUNT, "violent crimes reported to police", PCT, None, (CITYWIDE,),
           "violent incidents reported"),
    Metric("reported_property", "incidents", COUNT, "property crimes reported to police", PCT, None, (CITYWIDE,),
           "property incidents reported"),
    Metric("crimes_recorded", "incidents", COUNT, "recorded crime", PCT, None, (CITYWIDE,),
           "incidents entering police records: victims' reports plus reports by others (7.3)",
           shown_in=(REPORT_TABLE,)),
    Metric("reporting_rate", "share", RATIO, "the reporting rate", PP, True, (CITYWIDE, GROUP, NEIGHBOURHOOD, SPLIT),
           "`crimes_reported / crimes` (NaN if no crimes)", numerator="crimes_reported", denominator="crimes",
           group_denominator="victims", shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE, SENSITIVITY)),
    Metric("reporting_rate_violent", "share", RATIO, "the reporting rate of violent crime", PP, True, (CITYWIDE,),
           "`reported_violent / crimes_violent`", numerator="reported_violent", denominator="crimes_violent"),
    Metric("reporting_rate_property", "share", RATIO, "the reporting rate of property crime", PP, True, (CITYWIDE,),
           "`reported_property / crimes_property`", numerator="reported_property", denominator="crimes_property"),
    Metric("crimes_cleared", "incidents", COUNT, "crimes cleared", PCT, None, (CITYWIDE,),
           "reported incidents cleared (same day; 7.7)"),
    Metric("clearance_rate", "share", RATIO, "the clearance rate of reported crime", PP, True, (CITYWIDE,),
           "`crimes_cleared / crimes_reported` (NaN if none reported)", numerator="crimes_cleared",
           denominator="crimes_reported", shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE)),
    Metric("mean_trust", "trust [0, 1]", LEVEL, "mean trust in police", ABS, True,
           (CITYWIDE, GROUP, NEIGHBOURHOOD, SPLIT), "mean trust over all residents",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE, SERIES_FIGURE, SENSITIVITY)),
    Metric("confidence_share", "share", LEVEL, "confidence in police (share with a great deal or quite a lot)", PP,
           True, (CITYWIDE, GROUP),
           "share of residents whose trust is at least `survey.confidence_threshold` (the survey measure, C10)",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE)),
    Metric("trust_gap", "trust [0, 1]", LEVEL, "the trust gap between groups", ABS, False, (CITYWIDE,),
           "highest group mean trust minus lowest, over groups with members (0 with one group)",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, REPORT_GAPS, DIFFERENCES_FIGURE, SENSITIVITY)),
    Metric("reporting_gap", "share", GAP, "the gap in reporting rates between groups", PP, False, (CITYWIDE,),
           "highest group reporting rate minus lowest, over groups with members; 0 when the city has one group; "
           "NaN unless every group with members had victims today", spread_of="reporting_rate",
           shown_in=(REPORT_GAPS,)),
    Metric("perceived_certainty", "share", LEVEL, "offenders' perceived certainty of apprehension", PP, True,
           (CITYWIDE,), "resident-weighted mean over beats of smoothed cleared / smoothed incidents (7.2, 7.9)"),
    Metric("participation_rate", "probability", LEVEL, "resident participation", PP, True, (CITYWIDE, NEIGHBOURHOOD),
           "mean participation propensity `P_i` over residents",
           shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE, SERIES_FIGURE)),
    Metric("collective_efficacy", "index [0, 1]", LEVEL, "collective efficacy", ABS, True, (CITYWIDE, NEIGHBOURHOOD),
           "resident-weighted mean of `CE_n`", shown_in=(REPORT_TABLE, REPORT_SUMMARY, DIFFERENCES_FIGURE)),
    Metric("police_contacts", "contacts", COUNT, "police contacts", PCT, None, (CITYWIDE,),
           "all contacts: reporting victims, callers, stops (patrol and hot spots), foot-patrol conversations, "
           "designed contacts", shown_in=(REPORT_TABLE,)),
    Metric("negative_contacts", "contacts", COUNT, "bad police contacts", PCT, False, (CITYWIDE,),
           "routine or enforcement contacts that went badly", shown_in=(REPORT_TABLE, REPORT_SUMMARY)),
    Metric("positive_contacts", "contacts", COUNT, "good police contacts", PCT, True, (CITYWIDE,),
           "routine contacts that went well (reactive, police-initiated, foot-patrol conversations)"),
    Metric("designed_contacts", "contacts", COUNT, "designed non-enforcement contacts", PCT, None, (CITYWIDE,),
           "designed non-enforcement contacts (door-to-door visits, meeting attendance, liaison outreach)"),
    Metric("police_initiated_contacts", "contacts", COUNT, "stops and enquiries by patrols", PCT, None, (CITYWIDE,),
           "stops and enquiries from patrol and hot-spot patrol"),
    Metric("calls_for_service", "calls", COUNT, "calls for service", PCT, None, (CITYWIDE,),
           "calls received: victims' and others' crime reports plus other calls (C14)", shown_in=(REPORT_TABLE,)),
    Metric("hours_on_duty", "officer-hours", COUNT, "officer-hours on duty", PCT, None, (CITYWIDE,),
           "officer-hours on duty (officers x 24 x on-duty share)"),
    Metric("hours_committed", "officer-hours", COUNT, "officer-hours committed to calls", PCT, None, (CITYWIDE,),
           "officer-hours on calls and reported incidents, travel and reports included (at most those on duty)",
           shown_in=(REPORT_TABLE,)),
    Metric("committed_time_share", "share", RATIO, "the share of on-duty time committed to calls", PP, None,
           (CITYWIDE,), "`hours_committed / hours_on_duty` (C12)", numerator="hours_committed",
           denominator="hours_on_duty"),
    Metric("response_served_share", "share", LEVEL, "the share of calls answered", PP, True, (CITYWIDE,),
           "share of calls answered: 1 unless calls need more officer-hours than are on duty (7.4)"),
    Metric("officers", "officers", LEVEL, "officers in the force", PCT, None, (CITYWIDE,), "officers in the force"),
    Metric("police_top5pct_true_share", "share", LEVEL, "the share of true crime at the places police rank highest",
           PP, True, (CITYWIDE,),
           "share of the smoothed true crime (`true_j`, 7.9) at the `max(1, round(0.05 J))` places ranked highest by "
           "the police picture (7.10); NaN while the true picture is empty"),
    Metric("true_top5pct_share", "share", LEVEL, "the share of true crime at the true top 5% of places", PP, None,
           (CITYWIDE,), "share of the smoothed true crime at the true top 5% of places: the most any ranking could "
           "capture"),
    Metric("victims", "incidents", COUNT, "crime victims", PCT, False, (GROUP,),
           "incidents with a victim in the group"),
    Metric("hours", "officer-hours", COUNT, "officer-hours", PCT, None, (ACTIVITY,), "officer-hours on the activity"),
    Metric("allocated_hours", "officer-hours", COUNT, "officer-hours allocated", PCT, None, (ACTIVITY,),
           "officer-hours given to the activity: a policy's share of discretionary hours (what it spends is "
           "`hours_<activity>`; the rest becomes patrol); equal to the hours spent for response and patrol"),
    Metric("crimes_averted_per_1000_policy_hours", "incidents per 1,000 officer-hours", PAIRED,
           "crimes averted per 1,000 officer-hours spent on engagement", ABS, True, (CITYWIDE,),
           "(baseline crimes - policy crimes) / the policy run's engagement hours x 1,000"),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The registry entry of `name` (a metric's name, not a published column name)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; the registry has: {', '.join(BY_NAME)}") from None


def column_name(name: str, key: str | None = None) -> str:
    """The published name of a metric's value for a group, activity or split side
    (`mean_trust_minority`); the metric's own name for its citywide value."""
    return name if key is None else f"{name}_{key}"


@lru_cache(maxsize=256)
def column_names(name: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    """`column_name` of metric `name` for each group or activity in `keys` (cached: the
    recording names them for every table)."""
    return tuple(column_name(name, key) for key in keys)


def with_dim(dim: str, kinds: tuple[str, ...] | None = None) -> list[Metric]:
    """The metrics that have dimension `dim`; with `kinds`, only those kinds and in that
    order of kinds (within a kind, in the registry's order)."""
    found = [m for m in METRICS if dim in m.dims]
    if kinds is None:
        return found
    return sorted((m for m in found if m.kind in kinds), key=lambda m: kinds.index(m.kind))


def shown_in(view: str) -> list[str]:
    """Names of the metrics shown in `view` (REPORT_TABLE, ...), in the registry's order."""
    return [m.name for m in METRICS if view in m.shown_in]


# Daily group columns come by kind in this order: all mean_trust_<group>, then
# reporting_rate_<group>, then victims_<group> (the files have always had it).
DAILY_GROUP_KINDS = (LEVEL, RATIO, COUNT)


def daily_layout(group_names: Iterable[str], activities: Iterable[str]) -> list[tuple[str, Metric]]:
    """Every daily metric column after `day`, with its metric, in order: citywide
    metrics, then per group, then per activity."""
    groups, activities = list(group_names), list(activities)
    out = [(m.name, m) for m in with_dim(CITYWIDE) if m.kind != PAIRED]
    out += [(column_name(m.name, g), m) for m in with_dim(GROUP, DAILY_GROUP_KINDS) for g in groups]
    out += [(column_name(m.name, a), m) for m in with_dim(ACTIVITY) for a in activities]
    return out


def daily_columns(group_names: Iterable[str], activities: Iterable[str]) -> list[str]:
    """The columns of the daily metrics table (timeseries.parquet after `replicate`, `seed`)."""
    return [DAY] + [name for name, _ in daily_layout(group_names, activities)]


def split_columns() -> dict[str, tuple[Metric, str]]:
    """Published name of every split value (`mean_trust_high_barrier`) -> (metric, side)."""
    return {column_name(m.name, side): (m, side) for side in SPLIT_SIDES for m in with_dim(SPLIT)}


def groups_in(columns: Iterable[str], name: str = GROUP_ANCHOR) -> list[str]:
    """The groups that have a column of group metric `name` among `columns`, in column order
    (for tables read from files, where the run's list of groups is not at hand)."""
    return _keys_in(columns, name)


def activity_columns(columns: Iterable[str]) -> dict[str, str]:
    """Officer activity -> its hours column, for the hours columns among `columns`, in column order."""
    return {a: column_name("hours", a) for a in _keys_in(columns, "hours")}


def allocated_columns(columns: Iterable[str]) -> dict[str, str]:
    """Officer activity -> its allocated-hours column, for those among `columns`, in column order."""
    return {a: column_name("allocated_hours", a) for a in _keys_in(columns, "allocated_hours")}


def reserved_group_names() -> list[str]:
    """Group names whose group column would be a citywide column (`reporting_rate_violent`)."""
    prefixes = [column_name(m.name, "") for m in with_dim(GROUP)]
    return [name[len(p):] for name in BY_NAME for p in prefixes if name.startswith(p)]


def _keys_in(columns: Iterable[str], name: str) -> list[str]:
    prefix = column_name(name, "")
    return [c[len(prefix):] for c in columns if c.startswith(prefix) and c not in BY_NAME]


# The smallest effect that matters in practice, per metric, in the unit of its display: a share of the
# baseline for PCT (0.01 = 1%), a share for PP (0.01 = 1 percentage point), the metric's own unit for ABS.
# The report greys effects smaller than this; the config's [report] section overrides it. `trust_gap` is
# shown in the report as the gap in confidence share between groups, so its value is in percentage points.
# Rules of thumb, not findings: a 1% change in crime or calls is the least a force would plan around, and
# 1 point of confidence is about the sampling error of a large survey (n ~ 10,000).
SMALLEST_EFFECT: dict[str, float] = {
    "crimes": 0.01,
    "crimes_recorded": 0.01,
    "confidence_share": 0.01,
    "trust_gap": 0.01,
    "reporting_rate": 0.01,
    "calls_for_service": 0.01,
    "hours_committed": 0.01,
}


def smallest_effect(name: str, overrides: dict[str, float] | None = None) -> float | None:
    """The smallest effect of metric `name` that matters (None: not set), after `overrides`."""
    return (overrides or {}).get(name, SMALLEST_EFFECT.get(name))
