"""Collective efficacy per neighbourhood: pulled toward a target set by cohesion and
participation (willingness to intervene), eroded by local crime."""

from __future__ import annotations

import numpy as np


def update_efficacy(
    efficacy: np.ndarray,
    cohesion: np.ndarray,
    participation_nb: np.ndarray,
    crimes_per_1000: np.ndarray,
    *,
    adjust_rate_per_day: float,
    cohesion_weight: float,
    participation_weight: float,
    crime_erosion: float,
) -> np.ndarray:
    target = (cohesion_weight * cohesion + participation_weight * participation_nb).clip(0.0, 1.0)
    return (efficacy + adjust_rate_per_day * (target - efficacy) - crime_erosion * crimes_per_1000).clip(0.0, 1.0)
