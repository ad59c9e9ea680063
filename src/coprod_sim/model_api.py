"""What a policy, an event or the daily record may touch of the model.

Policies (`policies/`), events (`events.py`) and recording (`recording.py`) act on
the model only through these names, which `CoProductionModel` provides. The
protocol sits below all of them, so none imports the model (no import cycles),
and a newcomer sees in one place what an extension may read and change. The
same list is in docs/ODD.md ("What a policy or event may touch").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from .agents import Officer
    from .config import Config, PolicyConfig
    from .day import Contacts, Day
    from .places import PlaceMap
    from .population import Population
    from .streams import Streams
    from .submodels.coproduction import RaisedProblem


class ModelAPI(Protocol):
    # -- read only: the set-up
    config: Config
    policy_config: PolicyConfig  # today's policy (schedules change it)
    pop: Population
    places: PlaceMap  # place adjacency and residents' home places
    adj: sp.csr_array  # the social network
    streams: Streams  # named random streams (Policy.rng is the policy's own)
    day: int  # today (day 0 is the first recorded day; burn-in days are negative)
    residents_per_1000: np.ndarray  # per beat
    nb_share: np.ndarray  # each beat's share of residents
    top_5pct_places: int  # how many places are the top 5%
    has_barriers: bool
    datacollector: Any  # the daily record (recording.MetricsCollector; recording adds each day to its log)
    # -- read only: today's hand-offs and experiences
    today: Day
    contacts: Contacts
    # -- resident state (arrays over residents; policies and events may change values in place)
    trust: np.ndarray
    anchor: np.ndarray
    participation: np.ndarray
    last_visit_day: np.ndarray
    resources: np.ndarray  # spare time and means (fixed; read only)
    # -- neighbourhood and place state
    efficacy: np.ndarray
    place_opportunity: np.ndarray  # problem-solving lowers it
    place_pressure: np.ndarray  # read only: expected share of base offending at each place (fixed)
    police_picture: np.ndarray
    true_picture: np.ndarray
    participation_nb: np.ndarray
    resident_input_nb: np.ndarray
    liaison_coverage: np.ndarray
    raised_problems: list[RaisedProblem]  # places residents raised at meetings (read; use the methods below)
    # -- the force (arrays over officers in `officer_list` order; rebuilt by refresh_officers)
    officers: Any  # the Officer agents (Mesa's AgentSet), in the order they joined
    officer_list: list[Officer]
    officer_beat: np.ndarray
    officer_skill: np.ndarray
    officer_language: np.ndarray
    officer_engagement: np.ndarray  # engagement skill (engagement training)
    officer_version: int

    # -- residents and officers
    def random_residents(
        self, rng: np.random.Generator, neighbourhoods: np.ndarray, groups: list[str] | None = None
    ) -> np.ndarray: ...
    def random_officers(self, rng: np.random.Generator, beats: np.ndarray) -> np.ndarray: ...
    def add_officer(
        self,
        beat: int,
        skill: float,
        hours_per_day: float,
        *,
        knows_residents: bool,
        rng=None,
        language_skill: float = 0.0,
    ) -> Officer: ...
    def remove_officer(self, officer: Officer) -> None: ...
    def refresh_officers(self) -> None: ...
    def set_trust(self, value: float, *, hold: bool = False) -> None: ...

    # -- contacts
    def contact_bad_probability(
        self, officers: np.ndarray, residents: np.ndarray, multiplier: float = 1.0
    ) -> np.ndarray: ...
    def record_contacts(self, residents: np.ndarray, bad: np.ndarray) -> None: ...
    def record_designed_contacts(self, residents: np.ndarray, *, language_skill: float | None = None) -> None: ...
    def record_feedback(self, residents: np.ndarray) -> None: ...
    def stop_contacts(
        self, hours_by_beat: np.ndarray, rng: np.random.Generator, rate_multiplier: float = 1.0
    ) -> None: ...

    # -- police activity today
    def add_presence(self, hours_by_beat: np.ndarray) -> None: ...
    def add_place_patrol(
        self,
        places: np.ndarray,
        hours_per_place: float | np.ndarray,
        *,
        protected_hours_per_place: float | np.ndarray | None = None,
        activity: str | None = None,
    ) -> None: ...
    def place_stops(
        self, places: np.ndarray, hours_per_place: float, rng: np.random.Generator, rate_multiplier: float = 1.0
    ) -> None: ...
    def place_residents(self, rng: np.random.Generator, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
    def complete_project(self, place: int, opportunity: float) -> None: ...
    def add_liaison_coverage(self, share_by_beat: np.ndarray) -> None: ...
    def top_places(
        self, k: int, neighbourhoods: np.ndarray | None = None, exclude: np.ndarray | None = None
    ) -> np.ndarray: ...
    def top_places_per_beat(self, counts_by_beat: np.ndarray) -> np.ndarray: ...
    def target_neighbourhoods(self, knobs: Any) -> np.ndarray | None: ...
    def effective_barrier(self, residents: np.ndarray) -> np.ndarray: ...
    def perceived_certainty(self) -> np.ndarray: ...
    def beat_engagement_skill(self) -> np.ndarray: ...

    # -- local knowledge: what residents tell the police, and the problems they raise
    def learn_from_residents(self, residents: np.ndarray, told_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
    def raise_problem(self, place: int, beat: int) -> RaisedProblem: ...
    def take_raised_problem(
        self, neighbourhoods: np.ndarray | None = None, exclude: np.ndarray | None = None
    ) -> int | None: ...

    # -- events
    def add_surge(self, start: int, end: int, neighbourhoods: np.ndarray, multiplier: float) -> None: ...
    def add_fear(
        self, start: int, end: int, residents: np.ndarray, reporting_cost: float, participation_cost: float
    ) -> None: ...
