"""Police response and contacts: reported incidents and calls for service take
officer time first; contacts go well or badly with a chance set by the officer's
procedural-justice skill; patrol produces police-initiated contacts."""

from __future__ import annotations

import numpy as np


def served_share(demand_hours: float, available_hours: float) -> float:
    """Share of response demand the force can serve today (the police effort term)."""
    if demand_hours <= 0:
        return 1.0
    return min(1.0, available_hours / demand_hours)


def bad_contact_probability(skill: np.ndarray, *, bad_contact_max: float, multiplier: float = 1.0) -> np.ndarray:
    return np.clip(bad_contact_max * (1.0 - skill) * multiplier, 0.0, 1.0)


def split_hours_by_residents(hours: float, nb_size: np.ndarray) -> np.ndarray:
    """Random preventive patrol covers the city evenly per resident."""
    return hours * nb_size / nb_size.sum()
