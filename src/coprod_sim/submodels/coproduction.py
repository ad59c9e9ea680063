"""Co-production: residents' participation (information, meetings, watch) rises
with trust and collective efficacy; taking part costs time, which residents with
few resources can spare less often; what attendees of a meeting know of crime
near their homes reaches the police; clearance needs both police effort and
resident input (a Cobb-Douglas product, so the two are complements)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


def participation(
    trust: np.ndarray,
    efficacy_nb: np.ndarray,
    nb_start: np.ndarray,
    nb_size: np.ndarray,
    *,
    intercept: float,
    trust_coef: float,
    efficacy_coef: float,
    extra_cost: np.ndarray | None = None,
    compiled: bool = False,
) -> np.ndarray:
    """Each resident's propensity to take part, in [0, 1], from their trust and their
    neighbourhood's collective efficacy (`efficacy_nb`; residents are numbered
    neighbourhood by neighbourhood: `nb_size` of each from `nb_start`); `extra_cost` lowers the logit
    (enforcement fear). `compiled`: the numba kernels, the same numbers."""
    if compiled:
        from . import coproduction_compiled as kernels

        z = np.empty_like(trust)
        cost = _NO_COST if extra_cost is None else extra_cost
        kernels.negative_logit(trust, efficacy_nb, nb_start, nb_size, intercept, trust_coef, efficacy_coef, cost, z)
        np.exp(z, out=z)
        kernels.reciprocal_of_one_plus(z)
        return z
    # In place (one array instead of six temporaries: this runs over every resident daily);
    # the same operations as 1 / (1 + exp(-(intercept + a*trust + b*efficacy - cost))), the same numbers.
    z = np.multiply(trust, trust_coef)
    z += intercept
    z += np.multiply(np.repeat(efficacy_nb, nb_size), efficacy_coef)
    if extra_cost is not None:
        z -= extra_cost
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.divide(1.0, z, out=z)


_NO_COST = np.empty(0)


def clearance_probability(
    base: np.ndarray,
    effort: float,
    resident_input: np.ndarray,
    *,
    effort_elasticity: float,
    input_elasticity: float,
    input_reference: float,
) -> np.ndarray:
    """P(clear) = base x effort^a x (input / reference)^b, capped at 1.

    `effort` is the share of response demand the police could serve (1 = all);
    `resident_input` the neighbourhood's participation."""
    return np.clip(
        base * effort**effort_elasticity * (np.maximum(resident_input, 0) / input_reference) ** input_elasticity,
        0.0,
        1.0,
    )


def attendance_probability(
    participation: np.ndarray, resources: np.ndarray, *, attendance_rate: float, time_cost: float
) -> np.ndarray:
    """Chance a resident attends a meeting: rate x participation x (1 + c) R / (R + c).

    The meeting costs time `c` (in units of mean resources); a resident with resources R
    can spare it the more often the larger R is, and one with R = 1 attends at rate x P."""
    fits = (1.0 + time_cost) * resources / (resources + time_cost) if time_cost > 0 else 1.0
    return np.minimum(1.0, attendance_rate * participation * fits)


def surface_unrecorded(
    home_place: np.ndarray,
    adjacency: sp.csr_array,
    told_share: np.ndarray,
    unrecorded: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """What a meeting's attendees make known of the crime the police have not recorded.

    Each attendee knows their home place and its neighbours, and tells a share `told_share`
    of the unrecorded crime there; several who know a place tell independently, so the
    police learn 1 - prod(1 - share) of it. Returns (places, crime made known at each)."""
    if len(home_place) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    degree = np.diff(adjacency.indptr)[home_place]
    starts = adjacency.indptr[home_place]
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(degree)[:-1]]), degree)
    neighbours = adjacency.indices[np.arange(degree.sum()) + offsets].astype(np.int64)
    places = np.concatenate([home_place, neighbours])
    share = np.concatenate([told_share, np.repeat(told_share, degree)])
    known, where = np.unique(places, return_inverse=True)
    kept = np.zeros(len(known))
    np.add.at(kept, where, np.log1p(-np.minimum(share, 1.0 - 1e-12)))
    return known, (1.0 - np.exp(kept)) * unrecorded[known]


@dataclass
class RaisedProblem:
    """A place residents raised at a meeting; problem-solving may take it on."""

    place: int
    beat: int  # where the meeting was held
    day: int
    taken_day: int | None = None  # when problem-solving took it on (None: not yet)
