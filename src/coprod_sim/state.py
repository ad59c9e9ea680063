"""The model's persistent state, declared in one place (docs/ODD.md, "State variables").

Each entry is an array over residents, places or neighbourhoods (beats) that
lives from one day to the next. `allocate` creates them all with their fill
value; the model's set-up then gives them their starting values in place, and
the submodels change them each day. What lives only within a day is in
`day.py`; officers are Mesa agents (`agents.Officer`) mirrored in arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: "never happened" for day-valued state (far before any burn-in, and safe to subtract from)
NEVER = np.iinfo(np.int32).min // 2


@dataclass(frozen=True)
class StateArray:
    name: str
    over: str  # "resident", "place" or "neighbourhood"
    dtype: type
    fill: float
    description: str


STATE = (
    # residents
    StateArray("trust", "resident", np.float64, 0.0, "current trust in the police, in [0, 1] (what a survey catches)"),
    StateArray(
        "anchor", "resident", np.float64, 0.0, "long-run trust the resident returns to; drifts toward experience"
    ),
    StateArray("participation", "resident", np.float64, 0.0, "propensity to take part (information, meetings, watch)"),
    StateArray("last_contact_day", "resident", np.int32, NEVER, "day of the last police contact of any kind"),
    StateArray("last_visit_day", "resident", np.int32, NEVER, "day of the last door-to-door visit"),
    StateArray("barrier", "resident", np.float64, 0.0, "communication barrier in [0, 1] (fixed)"),
    StateArray("caller_propensity", "resident", np.float64, 1.0, "propensity to call the police, mean 1 (fixed)"),
    StateArray("good_contacts", "resident", np.int32, 0, "direct routine contacts that went well, since day 0 (C8)"),
    StateArray("bad_contacts", "resident", np.int32, 0, "direct routine contacts that went badly, since day 0 (C8)"),
    # places
    StateArray("place_pressure", "place", np.float64, 0.0, "expected share of base offending at the place (fixed)"),
    StateArray("place_opportunity", "place", np.float64, 1.0, "crime opportunity left (problem-solving lowers it)"),
    StateArray("place_presence", "place", np.float64, 0.0, "offenders' smoothed sense of directed patrol"),
    StateArray("police_picture", "place", np.float64, 0.0, "smoothed recorded and revealed crime (where police aim)"),
    StateArray("true_picture", "place", np.float64, 0.0, "smoothed true crime (for the picture-accuracy metric)"),
    # neighbourhoods (= beats)
    StateArray("efficacy", "neighbourhood", np.float64, 0.0, "collective efficacy, in [0, 1]"),
    StateArray("cohesion", "neighbourhood", np.float64, 0.0, "social cohesion (fixed)"),
    StateArray(
        "perceived_presence",
        "neighbourhood",
        np.float64,
        0.0,
        "offenders' smoothed visible police hours per 1,000 residents",
    ),
    StateArray("crimes_smoothed", "neighbourhood", np.float64, 0.0, "smoothed incidents (reporting-norm memory)"),
    StateArray("reports_smoothed", "neighbourhood", np.float64, 0.0, "smoothed reports (reporting-norm memory)"),
    StateArray("crimes_certainty_smoothed", "neighbourhood", np.float64, 0.0, "smoothed incidents (certainty memory)"),
    StateArray("cleared_smoothed", "neighbourhood", np.float64, 0.0, "smoothed clearances (certainty memory)"),
    StateArray("liaison_coverage", "neighbourhood", np.float64, 0.0, "smoothed share of the barrier liaisons offset"),
    StateArray("participation_nb", "neighbourhood", np.float64, 0.0, "mean participation"),
    StateArray(
        "resident_input_nb",
        "neighbourhood",
        np.float64,
        0.0,
        "mean information passed on (participation net of barriers)",
    ),
    StateArray("resources", "resident", np.float64, 1.0, "spare time and means: group mean x a mean-one draw (fixed)"),
)


def allocate(sizes: dict[str, int]) -> dict[str, np.ndarray]:
    """Every declared array, at its fill value; `sizes` maps "resident", "place" and
    "neighbourhood" to their counts."""
    return {s.name: np.full(sizes[s.over], s.fill, dtype=s.dtype) for s in STATE}
