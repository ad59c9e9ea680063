"""What a policy is: a rule for spending the discretionary officer hours it is given.

Each day the force first answers reported incidents and calls for service; what
is left is *discretionary*. The active policy (or each policy of a mix) receives
a share of it, spread over beats, and spends it through `act`, returning the
hours it used per beat. Hours a policy does not use become random preventive
patrol, so every policy runs under the same officer-hours budget.

Writing a new policy (a full example: experiments/custom_policy.py):

    @register
    class BikePatrol(Policy):
        name = "bike_patrol"          # policy.name in configs (and --policies)
        activity = "bike_patrol"      # the hours_<activity> metric
        default_share = 0.3           # share of discretionary hours when alone

        def act(self, hours_by_beat):
            self.model.add_presence(hours_by_beat * 0.8)   # deterrent presence
            return hours_by_beat                            # hours used per beat

A policy acts on the model only through the names of `model_api.ModelAPI`
(docs/ODD.md, "What a policy or event may touch"), draws from `self.rng`, and
keeps its own state on itself (declared in its `__init__`).

Register it before building configs or models that name it. Policies run in
worker processes too, so define it in an importable module (not in __main__
of a script run with several workers) or run with workers=1.

A policy instance lives as long as the model (state such as training progress
survives schedule changes); its knobs are read fresh each day from
`model.policy_config`, so schedules can change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..config import DAYS_PER_YEAR, register_policy_name

if TYPE_CHECKING:
    from ..model_api import ModelAPI

REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    if not cls.name or not cls.activity:
        raise ValueError(f"{cls.__name__} needs a name and an activity")
    REGISTRY[cls.name] = cls
    register_policy_name(cls.name)
    return cls


class Policy:
    name: ClassVar[str] = ""
    activity: ClassVar[str] = ""
    #: share of discretionary hours when run alone, for policies without a config section
    default_share: ClassVar[float] = 0.2

    def __init__(self, model: ModelAPI):
        self.model = model
        self.active_since: int | None = None  # day the policy last started to receive hours (None = inactive)

    @property
    def rng(self) -> np.random.Generator:
        """The policy's own random stream (named after it): its draws never shift
        another submodel's, so policies compare on common random numbers."""
        return self.model.streams[self.name]

    @property
    def knobs(self):
        """This policy's section of the current policy config (None if it has none)."""
        return getattr(self.model.policy_config, self.name, None)

    def mark_active(self, day: int, active: bool) -> None:
        """Called by the model each day: remembers when the current spell of the policy began."""
        if not active:
            self.active_since = None
        elif self.active_since is None:
            self.active_since = day

    def fidelity(self, day: int) -> float:
        """Share of the policy's hours spent as designed today: halves every
        `fidelity_half_life_years` since the policy started (1 without decay or knobs)."""
        half_life = getattr(self.knobs, "fidelity_half_life_years", 0.0)
        if not half_life or self.active_since is None:
            return 1.0
        return 0.5 ** ((day - self.active_since) / (half_life * DAYS_PER_YEAR))

    def solo_share(self) -> float:
        """Share of discretionary hours taken when the policy runs alone."""
        knobs = self.knobs
        return knobs.hours_share if knobs is not None else self.default_share

    def target_neighbourhoods(self) -> np.ndarray | None:
        """Neighbourhoods the policy works in today (None = all); see PolicyKnobs.target."""
        return self.model.target_neighbourhoods(self.knobs)

    @property
    def groups(self) -> list[str] | None:
        """Resident groups the policy reaches (None = all)."""
        return getattr(self.knobs, "groups", None) or None

    def reach_residents(self, rng, counts_by_beat: np.ndarray) -> np.ndarray:
        """`counts_by_beat[b]` random residents of each beat, of the policy's groups only."""
        beats = np.repeat(np.arange(len(counts_by_beat)), counts_by_beat)
        residents = self.model.random_residents(rng, beats, self.groups)
        return residents[residents >= 0]

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        """Spend `hours_by_beat`; return the hours actually used per beat."""
        raise NotImplementedError
