"""Crime: offending from heterogeneous propensity at concentrated places, lowered
by deterrence (perceived police presence and clearance) and collective efficacy.

Common random numbers: each day *potential* incidents are drawn at the cap rate
(`max_rate_multiplier` x base) from the crime stream, independent of any policy,
with their place, victim, seriousness and the uniforms later submodels use. A
potential incident occurs when its uniform falls below (actual multiplier / cap).
So two policies on the same seed see the same opportunities; a policy only
changes which of them happen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..population import Population

VIOLENT, PROPERTY = 0, 1


@dataclass
class Incidents:
    place: np.ndarray  # int64
    neighbourhood: np.ndarray  # int64
    kind: np.ndarray  # int8: VIOLENT or PROPERTY
    victim: np.ndarray  # int64 resident id
    seriousness: np.ndarray  # float64 in [0, 1]
    u_occur: np.ndarray  # uniforms, one per potential incident, fixed across policies
    u_report: np.ndarray
    u_clear: np.ndarray
    u_officer: np.ndarray
    u_bad: np.ndarray
    u_third: np.ndarray  # a third party reports what the victim did not

    def __len__(self) -> int:
        return len(self.place)

    def subset(self, mask: np.ndarray) -> Incidents:
        if not len(self.place):  # (most days of a small city: nothing to select from)
            return self
        return Incidents(**{k: v[mask] for k, v in self.__dict__.items()})


def by_kind(violent: float, property_: float) -> np.ndarray:
    """A value per incident kind, indexed by VIOLENT or PROPERTY (`by_kind(...)[incidents.kind]`)."""
    values = np.empty(2)
    values[VIOLENT], values[PROPERTY] = violent, property_
    return values


def place_pressure(pop: Population, *, local_offending_share: float = 1.0) -> np.ndarray:
    """Expected share of base offending at each place, per unit base rate. A share
    `local_offending_share` of each neighbourhood's offending (its summed propensity) stays
    at its own places, by attractiveness; the rest goes to places anywhere in the city,
    by attractiveness (journeys to crime cross small neighbourhoods)."""
    k = pop.n_neighbourhoods
    propensity_nb = np.bincount(pop.neighbourhood, weights=pop.propensity, minlength=k)
    attract_nb = np.bincount(pop.place_neighbourhood, weights=pop.place_attractiveness, minlength=k)
    local = (propensity_nb / attract_nb)[pop.place_neighbourhood]
    citywide = propensity_nb.sum() / attract_nb.sum()
    return pop.place_attractiveness * (local_offending_share * local + (1.0 - local_offending_share) * citywide)


def deterrence_multiplier(
    perceived_presence_per_1000: np.ndarray,
    perceived_certainty: np.ndarray,
    *,
    reference_presence: float,
    reference_certainty: float,
    presence_elasticity: float,
    certainty_elasticity: float,
) -> np.ndarray:
    """Offending multiplier from perceived risk, per neighbourhood: visible police
    presence and the certainty of apprehension per offence. Power laws give
    constant elasticities; a small floor keeps zero presence or certainty finite."""
    presence = (np.maximum(perceived_presence_per_1000, 0) + 0.1 * reference_presence) / (1.1 * reference_presence)
    certainty = (np.maximum(perceived_certainty, 0) + 0.1 * reference_certainty) / (1.1 * reference_certainty)
    return presence ** (-presence_elasticity) * certainty ** (-certainty_elasticity)


def place_presence_multiplier(
    directed_hours: np.ndarray, reference_hours: np.ndarray, *, presence_elasticity: float
) -> np.ndarray:
    """Offending multiplier at each place from directed patrol there: ((reference +
    directed) / reference)^-elasticity, the presence law at a place's scale (1 with none).
    `reference_hours` is the visible police time a place of its beat gets at reference."""
    return ((reference_hours + np.maximum(directed_hours, 0)) / reference_hours) ** (-presence_elasticity)


def protected_hours(
    visits_per_day: float, minutes_per_visit: float, *, residual_max_minutes: float, half_minutes: float
) -> float:
    """Hours a day a place is protected by directed-patrol visits: each visit's own
    minutes plus the residual deterrence it leaves (Koper 1995), which grows with the
    visit's length and saturates: residual_max x m^2 / (half^2 + m^2). Protected time
    per minute spent, 1 + residual_max x m / (half^2 + m^2), is largest at m = half
    (the Koper curve's optimum); drive-bys leave little, long stays add little."""
    m = minutes_per_visit
    residual = residual_max_minutes * m * m / (half_minutes * half_minutes + m * m)
    return visits_per_day * (m + residual) / 60.0


def spillover_multiplier(
    deterred_share: np.ndarray, adjacency, *, displacement_share: float, diffusion_share: float
) -> np.ndarray:
    """Offending multiplier at each place from what directed presence deters at its
    neighbours: exposure = min(1, sum over adjacent places of their deterred share);
    offenders moved on raise it (1 + displacement x exposure) and offenders unsure how
    far the police reach are deterred too (1 - diffusion x exposure)."""
    exposure = np.minimum(1.0, adjacency @ deterred_share)
    return (1.0 + displacement_share * exposure) * (1.0 - diffusion_share * exposure)


def efficacy_multiplier(efficacy: np.ndarray, *, coef: float, reference: float) -> np.ndarray:
    return np.exp(-coef * (efficacy - reference))


@dataclass(frozen=True)
class IncidentDraw:
    """What drawing a day's potential incidents needs that is fixed for the run, prepared
    once (`prepare_incident_draw`) so that a day's draw makes no set-up arrays: small
    cities pay per numpy call, not per incident."""

    rate: np.ndarray  # [2K] expected potential incidents a day per neighbourhood: one kind's, then the other's
    neighbourhood: np.ndarray  # [2K] int64: the neighbourhood of each rate
    kind: np.ndarray  # [2K] int8: the kind of each rate (the index into `cap_rate_per_day`)
    pressure_nb: np.ndarray  # [K] summed place pressure of each neighbourhood
    pressure_cumsum: np.ndarray  # [P] cumulative pressure over places (numbered neighbourhood by neighbourhood)
    pressure_before: np.ndarray  # [K] cumulative pressure before each neighbourhood's first place
    first_place: np.ndarray  # [K]
    last_place: np.ndarray  # [K]
    nb_start: np.ndarray  # [K] first resident id
    nb_size: np.ndarray  # [K]
    seriousness_mean: np.ndarray  # [2] by kind
    seriousness_sd: float


def prepare_incident_draw(
    pop: Population,
    pressure_cumsum: np.ndarray,
    cap_rate_per_day: tuple[float, float],
    seriousness_mean: tuple[float, float],
    seriousness_sd: float,
    pressure_nb: np.ndarray,
) -> IncidentDraw:
    """`pressure_nb[n]` is the neighbourhood's summed pressure; `pressure_cumsum` the
    citywide cumulative pressure over places; `cap_rate_per_day` the rate per unit
    pressure of each kind (VIOLENT, PROPERTY) at the cap."""
    k = pop.n_neighbourhoods
    return IncidentDraw(
        rate=np.concatenate([rate * pressure_nb for rate in cap_rate_per_day]),
        neighbourhood=np.tile(np.arange(k, dtype=np.int64), len(cap_rate_per_day)),
        kind=np.repeat(np.arange(len(cap_rate_per_day), dtype=np.int8), k),
        pressure_nb=pressure_nb,
        pressure_cumsum=pressure_cumsum,
        pressure_before=np.concatenate([[0.0], pressure_cumsum])[pop.place_start],
        first_place=pop.place_start,
        last_place=pop.place_start + pop.place_count - 1,
        nb_start=pop.nb_start,
        nb_size=pop.nb_size,
        seriousness_mean=by_kind(*seriousness_mean),
        seriousness_sd=seriousness_sd,
    )


def draw_potential_incidents(rng: np.random.Generator, draw: IncidentDraw) -> Incidents:
    """Potential incidents of both types for one day (before thinning): violent ones
    neighbourhood by neighbourhood, then property ones. One search of the cumulative
    pressure picks each incident's place in proportion to pressure within its neighbourhood."""
    counts = rng.poisson(draw.rate)  # one call for both kinds: the same draws as one call per kind
    nb = draw.neighbourhood.repeat(counts)
    kind = draw.kind.repeat(counts)
    m = len(nb)
    u = rng.random((8, m))  # place, victim, occur, report, clear, officer, bad contact, third party
    target = draw.pressure_before[nb] + u[0] * draw.pressure_nb[nb]
    place = draw.pressure_cumsum.searchsorted(target, side="right")
    place = place.clip(draw.first_place[nb], draw.last_place[nb])  # float edge cases stay inside
    victim = draw.nb_start[nb] + (u[1] * draw.nb_size[nb]).astype(np.int64)
    seriousness = (draw.seriousness_mean[kind] + draw.seriousness_sd * rng.standard_normal(m)).clip(0.0, 1.0)
    return Incidents(
        place=place,
        neighbourhood=nb,
        kind=kind,
        victim=victim,
        seriousness=seriousness,
        u_occur=u[2],
        u_report=u[3],
        u_clear=u[4],
        u_officer=u[5],
        u_bad=u[6],
        u_third=u[7],
    )


def occurring(potential: Incidents, multiplier_by_place: np.ndarray, cap: float) -> Incidents:
    """Thin potential incidents to those that occur under today's multipliers."""
    keep = potential.u_occur < np.minimum(multiplier_by_place[potential.place], cap) / cap
    return potential.subset(keep)
