"""The day as data: everything one submodel hands to the next within a day.

`CoProductionModel.step` starts a fresh `Day` (so between steps `model.today`
still shows the day just simulated: its hours, incidents and counts; its arrays
are reused, zeroed, when the next day starts), and each
submodel reads the fields earlier submodels filled and fills its own. Nothing
passes between submodels through hidden attributes.

`Contacts` is kept apart because its life is different: contacts and other
experiences accumulate from the end of one day to the end of the next, so that
contacts made between steps (a door-to-door round set up by hand, a dashboard
action) count toward the next day's trust update and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .submodels.barriers import FearCosts
from .submodels.crime import Incidents
from .submodels.trust import Shocks


@dataclass
class Day:
    """One day's hand-offs, in the order the submodels fill them (docs/ODD.md,
    "Process overview and scheduling")."""

    hours: dict[str, np.ndarray]  # officer hours spent per activity (hours_<activity>) and beat
    allocated: dict[str, np.ndarray]  # officer hours given to each activity and beat (allocated_hours_<activity>)
    presence_extra: np.ndarray  # visible hours per beat added by policies without a visibility knob
    place_patrol_hours: np.ndarray  # hours per place protected by place-based patrol (what offenders there sense)
    liaison_coverage: np.ndarray  # share of each beat's barrier liaisons cover today, in [0, 1]
    fear_costs: FearCosts | None = None  # 0. events: active enforcement fears (None when none)
    incidents: Incidents | None = None  # 1. crime: the incidents that occurred
    crimes_nb: np.ndarray | None = None  # 1. crime: incidents per beat
    reported: np.ndarray | None = None  # 2. reporting: bool per incident, reported by the victim
    third_party: np.ndarray | None = None  # 2. reporting: bool per incident, reported by someone else instead
    calls: int = 0  # 3. response: calls for service (victims' and others' reports, other calls)
    hours_demanded: float = 0.0  # 3. response: officer hours the calls need
    hours_on_duty: float = 0.0  # 3. response
    hours_committed: float = 0.0  # 3. response: hours spent on calls (at most those on duty)
    served: float = 1.0  # 3. response: share of calls answered
    effort: float = 1.0  # 3. response: response quality (police effort term of clearance)
    reported_incidents: Incidents | None = None  # 3. response: the reported incidents
    cleared: np.ndarray | None = None  # 3. response: bool per reported incident
    followups: int = 0  # 3. response: reporting victims called back about their case
    visible_hours: np.ndarray | None = None  # 4. policy: visible police hours per beat (deterrent presence)
    reports_nb: np.ndarray | None = None  # 9. perceptions: reports and clearances per beat
    cleared_nb: np.ndarray | None = None
    place_hours: dict[str, np.ndarray] = field(default_factory=dict)  # 4. policy: officer hours per place by activity
    problem_places: list[int] = field(default_factory=list)  # 4. policy: places where a project was completed

    @classmethod
    def start(cls, activities: list[str], n_neighbourhoods: int, n_places: int) -> Day:
        """A day on arrays of its own (the model starts its days with `DayArrays`)."""
        return DayArrays(activities, n_neighbourhoods, n_places).start()


class DayArrays:
    """The arrays of a day's record, reused from day to day: `start` zeroes them and hands
    them to a fresh `Day`. A small city's step pays per numpy call, and a day has two dozen
    of these arrays. So the record of the day just simulated (`model.today` between steps)
    stays as it was until the next day starts."""

    def __init__(self, activities: list[str], n_neighbourhoods: int, n_places: int):
        self._attach(list(activities), np.zeros((2 * len(activities) + 2, n_neighbourhoods)), np.zeros(n_places))

    def _attach(self, activities: list[str], rows: np.ndarray, place_patrol_hours: np.ndarray) -> None:
        a = len(activities)
        self.rows = rows  # every per-beat array is a row of this block
        self.hours = dict(zip(activities, rows[:a], strict=True))
        self.allocated = dict(zip(activities, rows[a : 2 * a], strict=True))
        self.presence_extra, self.liaison_coverage = rows[2 * a], rows[2 * a + 1]
        self.place_patrol_hours = place_patrol_hours

    # A copy or pickle would turn the rows into arrays of their own: rebuild them from the block.
    def __getstate__(self) -> dict:
        return {"activities": list(self.hours), "rows": self.rows, "place_patrol_hours": self.place_patrol_hours}

    def __setstate__(self, state: dict) -> None:
        self._attach(state["activities"], state["rows"], state["place_patrol_hours"])

    def start(self) -> Day:
        self.rows.fill(0.0)
        self.place_patrol_hours.fill(0.0)
        return Day(
            hours=dict(self.hours),  # (copies of the dicts: a day that replaced an entry leaves the next alone)
            allocated=dict(self.allocated),
            presence_extra=self.presence_extra,
            place_patrol_hours=self.place_patrol_hours,
            liaison_coverage=self.liaison_coverage,
        )


@dataclass
class Contacts:
    """Contacts and experiences since the last day ended: the trust shocks they cause
    and the counts the metrics report."""

    shocks: Shocks = field(default_factory=Shocks)
    total: int = 0
    negative: int = 0
    positive: int = 0
    designed: int = 0
    police_initiated: int = 0
    feedback: int = 0  # the police reporting back: call-backs and news at meetings
