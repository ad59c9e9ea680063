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


def patrol_stops(
    rng: np.random.Generator, patrol_hours: np.ndarray, max_patrol_hours: np.ndarray, *, stops_per_patrol_hour: float
) -> tuple[np.ndarray, np.ndarray]:
    """Stops during random patrol, as (beats, five uniforms each).

    Common random numbers: potential stops are drawn for the most patrol a beat
    could get (`max_patrol_hours`, the same under every policy) and kept in
    proportion to the patrol it actually got, so policies differ only in which
    stops happen."""
    counts = rng.poisson(stops_per_patrol_hour * max_patrol_hours)
    beats = np.repeat(np.arange(len(counts)), counts)
    u = rng.random((6, len(beats)))
    keep_share = np.divide(
        patrol_hours, max_patrol_hours, out=np.zeros_like(max_patrol_hours), where=max_patrol_hours > 0
    )
    keep = u[5] < keep_share[beats]
    return beats[keep], u[:5, keep]
