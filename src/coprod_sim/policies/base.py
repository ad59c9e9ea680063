"""What a policy is: a rule for spending the discretionary officer hours it is given.

Each day the force first answers reported incidents and calls for service; what
is left is *discretionary*. The active policy (or each policy of a mix) receives
hours per beat and spends them through `act`, returning the hours it used per
activity. Hours a policy does not use become random preventive patrol, so every
policy runs under the same officer-hours budget.

A new policy is a subclass with a `name`, an `activity` (the `hours_<activity>`
metric) and an `act` method; register it with `@register`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from ..model import CoProductionModel

REGISTRY: dict[str, type["Policy"]] = {}


def register(cls: type["Policy"]) -> type["Policy"]:
    REGISTRY[cls.name] = cls
    return cls


class Policy:
    name: ClassVar[str] = ""
    activity: ClassVar[str] = ""
    #: share of discretionary hours the policy takes when it runs alone
    #: (the rest is reactive patrol); None = all of them
    def solo_share(self, model: "CoProductionModel") -> float:
        return 1.0

    def act(self, model: "CoProductionModel", hours_by_beat: np.ndarray) -> np.ndarray:
        """Spend `hours_by_beat`; return the hours actually used per beat."""
        raise NotImplementedError
