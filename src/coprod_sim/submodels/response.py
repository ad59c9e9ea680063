"""Police response and contacts: reported incidents and calls for service take
officer time first; contacts go well or badly with a chance set by the officer's
procedural-justice skill; patrol produces police-initiated contacts."""

from __future__ import annotations

import numpy as np


def served_share(demand_hours: float, available_hours: float) -> float:
    """Share of calls the force can answer today (all, unless demand exceeds the hours on duty)."""
    if demand_hours <= 0:
        return 1.0
    return min(1.0, available_hours / demand_hours)


def response_effort(demand_hours: float, available_hours: float, *, reference_utilisation: float) -> float:
    """Response quality, the police effort term of clearance: (1 - utilisation) / (1 - reference).
    As calls take more of the shift, responses are slower and investigations thinner
    (queueing delay grows as 1 / (1 - utilisation)); 0 when calls take every hour."""
    utilisation = demand_hours / available_hours if available_hours > 0 else 1.0
    return max(0.0, 1.0 - utilisation) / (1.0 - reference_utilisation)


def resident_calls(
    rng: np.random.Generator,
    caller_cumsum: np.ndarray,
    nb_start: np.ndarray,
    nb_size: np.ndarray,
    trust: np.ndarray,
    *,
    calls_per_resident_per_day: float,
    call_trust_coef: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Today's calls by residents, as (callers, two uniforms each: officer, bad contact).

    Potential calls are drawn at the highest rate trust allows and thinned by each
    caller's trust (common random numbers); callers are picked in proportion to
    their propensity to call (`caller_cumsum`, cumulative over residents), within
    their neighbourhood, so repeat callers make many of the calls."""
    cap = np.exp(call_trust_coef * 0.5)  # rate x exp(coef (T - 0.5)) is largest at T = 1
    counts = rng.poisson(calls_per_resident_per_day * cap * nb_size)
    nb = np.repeat(np.arange(len(counts)), counts)
    u = rng.random((4, len(nb)))  # which caller, keep, officer, bad contact
    before = np.concatenate([[0.0], caller_cumsum])[nb_start[nb]]
    span = caller_cumsum[nb_start[nb] + nb_size[nb] - 1] - before
    caller = np.searchsorted(caller_cumsum, before + u[0] * span, side="right")
    caller = np.clip(caller, nb_start[nb], nb_start[nb] + nb_size[nb] - 1)
    keep = u[1] < np.exp(call_trust_coef * (trust[caller] - 0.5)) / cap
    return caller[keep], u[2:, keep]


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
