"""Configuration errors, phrased for the user: the key, the value and what is allowed."""

from __future__ import annotations

from pydantic import ValidationError

from .event_schema import EVENT_KINDS
from .paths import allowed_keys, range_text


class ConfigError(ValueError):
    """A configuration problem, phrased for the user (key, value, what is allowed)."""


#: Parameters that a change removed or renamed -> what to do instead (said when a config still uses one).
REPLACED = {
    "crime.clearance_elasticity": "use crime.certainty_elasticity (offenders now weigh cleared / all incidents, not "
    "cleared / reported)",
    "crime.reference_clearance_rate": "use crime.reference_certainty (cleared / all incidents)",
    "crime.reference_patrol_hours_per_1000_per_day": "use crime.reference_visible_hours_per_1000_per_day (all visible "
    "on-duty hours count, weighted by each activity's visibility)",
    "policy.hot_spots.crime_reduction": "hot spots now deter through presence at the place (the law of "
    "crime.presence_elasticity applied to the place's visible hours, docs/ODD.md 7.2), not a set reduction",
    "policy.problem_oriented.opportunity_reduction": "use policy.problem_oriented.excess_removed (a project removes "
    "a share of the place's excess attractiveness over its neighbourhood's typical place, scaled by resident "
    "information and officer effort, policy.problem_oriented.effort_hours; it no longer compounds)",
    "policing.service_calls_per_1000_per_day": "use policing.other_calls_per_1000_per_year (per year; with "
    "policing.resident_call_share of them made by residents)",
    "policy.community_meetings.efficacy_gain": "meetings no longer add collective efficacy directly: attendees' "
    "designed contacts and the police's feedback on the problems they raise move trust, hence participation, which "
    "feeds the efficacy target (efficacy.participation_weight); what they tell the police enters the police's picture "
    "(policy.community_meetings.information_share, docs/ODD.md 7.5)",
}


def format_validation_error(e: ValidationError) -> str:
    """One line per problem in a pydantic error, each naming its dotted path."""
    lines = []
    for err in e.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        # drop pydantic's discriminator tags (e.g. 'misconduct') from event paths
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in EVENT_KINDS:
            loc = loc[:2] + loc[3:]
        key = ".".join(loc) or "(config)"
        if err["type"] == "extra_forbidden":
            generic = (
                ".".join(loc[:3]) if loc[:1] == ["policy"] else (".".join(loc[:2]) if loc[:1] != ["events"] else key)
            )
            if generic in REPLACED:
                lines.append(f"{key}: this parameter was removed; {REPLACED[generic]}")
                continue
            allowed = allowed_keys(loc[:-1])
            lines.append(f"{key}: unknown parameter" + (f"; allowed here: {', '.join(allowed)}" if allowed else ""))
            continue
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ")
        rng = range_text(loc)
        shown = "" if isinstance(value, dict) else f" = {value!r}"
        if key == "(config)":
            lines.append(msg)
        else:
            lines.append(f"{key}{shown}: {msg}" + (f" (allowed: {rng})" if rng else ""))
    return "invalid configuration:\n  " + "\n  ".join(lines)
