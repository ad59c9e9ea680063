"""Communication barriers and enforcement fear: costs that keep residents from
reporting, taking part and being understood, whatever their trust.

A resident's barrier combines the neighbourhood's and the group's (language
access, knowing how to report, cultural distance); liaisons offset part of it
where they work. Enforcement fear (e.g. publicized immigration enforcement) adds
logit costs to reporting and participation while it lasts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fear:
    """An active enforcement-fear event: days [start, end), who, and its logit costs."""

    start: int
    end: int
    residents: np.ndarray  # bool mask over residents
    reporting_cost: float
    participation_cost: float


@dataclass(frozen=True)
class FearCosts:
    """Per-resident logit costs of the fears active today."""

    reporting: np.ndarray
    participation: np.ndarray


def resident_barrier(
    nb_barrier: np.ndarray, group_barrier: np.ndarray, neighbourhood: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """1 - (1 - neighbourhood barrier)(1 - group barrier), per resident."""
    return 1.0 - (1.0 - nb_barrier[neighbourhood]) * (1.0 - group_barrier[group])


def effective_barrier(barrier: np.ndarray, coverage_of_resident: np.ndarray, *, barrier_offset: float) -> np.ndarray:
    """The barrier after what liaisons offset (`coverage_of_resident`: the smoothed
    liaison coverage of each resident's neighbourhood)."""
    return barrier * (1.0 - barrier_offset * coverage_of_resident)


def fear_costs(fears: list[Fear], day: int, n_residents: int) -> FearCosts | None:
    """The summed costs of the fears active on `day` (None when none is)."""
    active = [f for f in fears if f.start <= day < f.end]
    if not active:
        return None
    reporting = np.zeros(n_residents)
    participation = np.zeros(n_residents)
    for f in active:
        reporting[f.residents] += f.reporting_cost
        participation[f.residents] += f.participation_cost
    return FearCosts(reporting, participation)


def information_passed_on(
    participation: np.ndarray, effective: np.ndarray, *, information_penalty: float
) -> np.ndarray:
    """What each resident passes on to the police (witness information, local
    knowledge): participation, less what a barrier keeps from being understood."""
    return participation * (1.0 - information_penalty * effective)
