"""Police response and contacts: reported incidents and calls for service take
officer time first; contacts go well or badly with a chance set by the officer's
procedural-justice skill; patrol produces police-initiated contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rates import DailyRates


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


@dataclass(frozen=True)
class CallerTable:
    """Who calls the police, prepared once (`CallerTable.build`): each neighbourhood's
    potential calls a day and the cumulative propensity to call of its residents, so
    that a day's draw makes no set-up arrays."""

    rate: DailyRates  # [K] potential calls a day: the highest rate trust allows
    cap: float  # exp(call_trust_coef / 2): the rate's multiplier at trust 1
    call_trust_coef: float
    caller_cumsum: np.ndarray  # [N] cumulative propensity to call over residents
    before: np.ndarray  # [K] cumulative propensity before each neighbourhood's first resident
    span: np.ndarray  # [K] the neighbourhood's summed propensity
    first: np.ndarray  # [K] first resident id
    last: np.ndarray  # [K] last resident id

    @classmethod
    def build(
        cls,
        caller_cumsum: np.ndarray,
        nb_start: np.ndarray,
        nb_size: np.ndarray,
        *,
        calls_per_resident_per_day: float,
        call_trust_coef: float,
    ) -> CallerTable:
        cap = np.exp(call_trust_coef * 0.5)  # rate x exp(coef (T - 0.5)) is largest at T = 1
        before = np.concatenate([[0.0], caller_cumsum])[nb_start]
        last = nb_start + nb_size - 1
        return cls(
            rate=DailyRates(calls_per_resident_per_day * cap * nb_size),
            cap=cap,
            call_trust_coef=call_trust_coef,
            caller_cumsum=caller_cumsum,
            before=before,
            span=caller_cumsum[last] - before,
            first=nb_start,
            last=last,
        )

    def draw(self, rng: np.random.Generator, trust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Today's calls, as (callers, two uniforms each: officer, bad contact); see `resident_calls`."""
        counts = self.rate.draw(rng)
        nb = np.arange(len(counts)).repeat(counts)
        u = rng.random((4, len(nb)))  # which caller, keep, officer, bad contact
        if not len(nb):
            return nb, u[2:]
        caller = self.caller_cumsum.searchsorted(self.before[nb] + u[0] * self.span[nb], side="right")
        caller = caller.clip(self.first[nb], self.last[nb])
        keep = u[1] < np.exp(self.call_trust_coef * (trust[caller] - 0.5)) / self.cap
        return caller[keep], u[2:, keep]


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
    their neighbourhood, so repeat callers make many of the calls. (The model keeps
    the `CallerTable` and draws from it each day.)"""
    table = CallerTable.build(
        caller_cumsum,
        nb_start,
        nb_size,
        calls_per_resident_per_day=calls_per_resident_per_day,
        call_trust_coef=call_trust_coef,
    )
    return table.draw(rng, trust)


def bad_contact_probability(skill: np.ndarray, *, bad_contact_max: float, multiplier: float = 1.0) -> np.ndarray:
    return (bad_contact_max * (1.0 - skill) * multiplier).clip(0.0, 1.0)


def split_hours_by_residents(hours: float, nb_size: np.ndarray) -> np.ndarray:
    """Random preventive patrol covers the city evenly per resident."""
    return hours * nb_size / nb_size.sum()


def patrol_stops(
    rng: np.random.Generator, patrol_hours: np.ndarray, max_patrol_hours: np.ndarray, potential_stops: DailyRates
) -> tuple[np.ndarray, np.ndarray]:
    """Stops during random patrol, as (beats, five uniforms each).

    Common random numbers: potential stops are drawn for the most patrol a beat
    could get (`max_patrol_hours`, the same under every policy; `potential_stops`:
    stops per patrol hour x those hours) and kept in proportion to the patrol it
    actually got, so policies differ only in which stops happen."""
    counts = potential_stops.draw(rng)
    beats = np.arange(len(counts)).repeat(counts)
    u = rng.random((6, len(beats)))
    if not len(beats):
        return beats, u[:5]
    keep = u[5] < patrol_hours[beats] / max_patrol_hours[beats]  # a beat with potential stops has patrol hours
    return beats[keep], u[:5, keep]
