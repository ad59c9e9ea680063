"""Reactive policing (the baseline): respond to calls, random preventive patrol."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class Reactive(Policy):
    name = "reactive"
    activity = "patrol"

    def solo_share(self) -> float:
        return 0.0

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        return np.zeros_like(hours_by_beat)  # unused hours are patrol by definition
