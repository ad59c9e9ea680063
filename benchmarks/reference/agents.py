"""Agents of the per-agent reference model: every resident and officer is a Python
object holding its own state; a neighbourhood is a plain object (a "patch") that
holds its residents, officers, places and neighbourhood-level state.

The rules are those of the columnar core (src/coprod_sim/submodels/), written one
agent at a time. Comments name the core function each method mirrors.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import mesa

from coprod_sim.config import DAYS_PER_YEAR
from coprod_sim.population import beta_draws

VIOLENT, PROPERTY = 0, 1
NEVER = -(2**30)


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def poisson(random, mean: float) -> int:
    """A Poisson draw by inversion from one uniform of `random` (small means: a resident's calls in a day)."""
    u, k, p = random.random(), 0, math.exp(-mean)
    total = p
    while u > total and p > 0.0:
        k += 1
        p *= mean / k
        total += p
    return k


@dataclass(slots=True)
class Incident:
    kind: int
    neighbourhood: Neighbourhood
    place: int
    victim: Resident
    seriousness: float
    reported: bool = False  # by the victim
    third_party: bool = False  # by someone else, where the victim did not
    answered: bool = True  # a victim's report the police found time for
    cleared: bool = False


class Resident(mesa.Agent):
    """One resident: trust, anchor, participation, and a list of network neighbours."""

    def __init__(
        self,
        model,
        home: Neighbourhood,
        group: int,
        trust: float,
        propensity: float,
        has_alternatives: bool,
        call_weight: float,
    ):
        super().__init__(model)
        self.home = home
        self.group = group
        self.trust = trust
        self.anchor = trust
        self.prior = trust  # the socialised prior the anchor is pulled back to
        self.call_weight = call_weight  # propensity to call, relative to the neighbourhood's mean (repeat callers)
        self.participation = 0.0
        self.propensity = propensity
        self.has_alternatives = has_alternatives
        self.neighbours: list[Resident] = []
        self.last_contact_day = NEVER
        self.last_visit_day = NEVER
        # Today's experiences, applied in step(): a loss takes `loss` x trust,
        # a gain `gain` x (1 - trust) (core: trust._collect_shock).
        self.loss = 0.0
        self.gain = 0.0

    # -- 1. crime (core: crime.draw_potential_incidents + crime.occurring)
    def offend(self) -> None:
        """Consider offending today with a chance proportional to own propensity (at the
        cap rate); go to a place of the home neighbourhood (crime.local_offending_share) or
        anywhere in the city, by attractiveness; offend there with the chance the place's
        neighbourhood's deterrence/efficacy multiplier leaves (multiplier / cap)."""
        u = self.random.random()
        if u < self.home.violent_chance * self.propensity:
            kind = VIOLENT
        elif u < self.home.crime_chance * self.propensity:
            kind = PROPERTY
        else:
            return
        cc = self.model.config.crime
        local = self.random.random() < cc.local_offending_share
        target = self.home if local else self.model.random_destination()
        if self.random.random() < target.multiplier / cc.max_rate_multiplier:
            self.model.commit_crime(target, kind)

    # -- 2. reporting (core: reporting.report_probability)
    def reports(self, incident: Incident) -> bool:
        rc = self.model.config.reporting
        nb = incident.neighbourhood
        z = (
            rc.intercept
            + rc.seriousness_coef * incident.seriousness
            + rc.trust_coef * self.trust
            + rc.norm_coef * (nb.norm() - rc.norm_reference)
            + rc.efficacy_coef * (nb.efficacy - self.model.config.crime.efficacy_reference)
            - rc.alternatives_coef * self.has_alternatives
        )
        return self.random.random() < logistic(z)

    # -- 3. calls for service (core: response.resident_calls)
    def calls_today(self) -> int:
        """How often this resident calls the police today: more often if a repeat
        caller, and more often the more they trust the police."""
        pc = self.model.config.policing
        trust_factor = math.exp(pc.call_trust_coef * (self.trust - 0.5))
        return poisson(self.random, self.model.resident_call_rate * self.call_weight * trust_factor)

    # -- 4. door-to-door (core: policies.door_to_door.DoorToDoor.act)
    def opens_door(self) -> bool:
        """Residents who trust the police open the door more."""
        d2d = self.model.config.policy.door_to_door
        p = d2d.reach_probability
        if 0.0 < p < 1.0:
            p = logistic(math.log(p / (1.0 - p)) + d2d.reach_trust_coef * (self.trust - 0.475))
        return self.random.random() < p

    # -- experiences (core: Shocks + trust.trust_change)
    def feel(self, effect: float) -> None:
        if effect < 0:
            self.loss -= effect
        else:
            self.gain += effect

    def experience(self, effect: float) -> None:
        """Something that happened to this resident (a contact, a crime and its
        outcome, an unanswered call): felt, and talked about with each network tie
        with `talk_probability`; a tie that hears of it feels `vicarious_fraction` of it."""
        self.feel(effect)
        tc = self.model.config.trust
        vicarious = effect * tc.vicarious_fraction
        if vicarious and tc.talk_probability > 0:
            for other in self.neighbours:
                if self.random.random() < tc.talk_probability:
                    other.feel(vicarious)

    def police_contact(self, effect: float) -> None:
        self.last_contact_day = self.model.day
        self.experience(effect)

    # -- 6-7. trust, anchor drift, participation (core: trust.*, coproduction.participation)
    def step(self) -> None:
        tc = self.model.config.trust
        t = self.trust
        social = sum(n.trust for n in self.neighbours) / len(self.neighbours) if self.neighbours else t
        delta = (
            tc.anchor_rate_per_day * (self.anchor - t)
            + tc.social_rate_per_day * (social - t)
            - self.loss * t
            + self.gain * (1.0 - t)
        )
        self.trust = clip01(t + delta)
        self.loss = self.gain = 0.0
        # The slow time scale: the anchor follows experienced trust and returns toward the prior.
        if tc.anchor_drift_years > 0:
            self.anchor += (self.trust - self.anchor) / (tc.anchor_drift_years * DAYS_PER_YEAR)
        if tc.prior_pull_years > 0:
            self.anchor += (self.prior - self.anchor) / (tc.prior_pull_years * DAYS_PER_YEAR)
        self.update_participation()

    def update_participation(self) -> None:
        cc = self.model.config.coproduction
        self.participation = logistic(
            cc.participation_intercept
            + cc.participation_trust_coef * self.trust
            + cc.participation_efficacy_coef * self.home.efficacy
        )


class Officer(mesa.Agent):
    """A sworn officer: beat, procedural-justice skill, daily hours, residents known by name,
    engagement skill (0: the reference covers no engagement training)."""

    def __init__(self, model, beat: Neighbourhood, pj_skill: float, hours_per_day: float, known: list[Resident]):
        super().__init__(model)
        self.beat = beat
        self.pj_skill = pj_skill
        self.hours_per_day = hours_per_day
        self.known = known
        self.acquaintance_progress = 0.0  # fraction of a resident on the way to being known
        self.engagement_skill = 0.0
        beat.officers.append(self)

    # -- 0b. workforce (core: submodels/workforce.py)
    def leaves(self) -> bool:
        """Routine turnover: leave today with the daily hazard that compounds to the annual rate."""
        rate = self.model.config.policing.annual_turnover_rate
        return rate > 0 and self.random.random() < 1.0 - (1.0 - rate) ** (1.0 / DAYS_PER_YEAR)

    def replaced(self) -> Officer:
        """A recruit takes this officer's post: same beat and hours, a fresh skill draw,
        knowing no residents."""
        pc = self.model.config.policing
        skill = float(beta_draws(self.model.rng, pc.pj_skill_mean, pc.pj_skill_sd, 1)[0])
        recruit = Officer(self.model, self.beat, skill, self.hours_per_day, [])
        self.beat.officers.remove(self)
        self.remove()
        return recruit

    def get_acquainted(self) -> None:
        """An officer who knows fewer residents of the beat than the target gets to know
        (target - known) / acquaintance_days more a day, a whole random resident at a time."""
        pc = self.model.config.policing
        missing = pc.known_residents_per_officer - len(self.known)
        if pc.acquaintance_days <= 0 or missing <= 0 or not self.beat.residents:
            return
        self.acquaintance_progress += missing / pc.acquaintance_days
        while self.acquaintance_progress >= 1.0:
            self.acquaintance_progress -= 1.0
            resident = self.beat.random_resident()
            if resident not in self.known:
                self.known.append(resident)

    def contact(self, resident: Resident, *, enforcement: bool = False) -> None:
        """A contact goes badly with a chance set by skill (core: response.bad_contact_probability)."""
        pc, tc = self.model.config.policing, self.model.config.trust
        p_bad = clip01(
            pc.bad_contact_max * (1.0 - self.pj_skill) * (pc.enforcement_bad_multiplier if enforcement else 1.0)
        )
        bad = self.random.random() < p_bad
        resident.police_contact(-tc.negative_contact_effect if bad else tc.positive_contact_effect)
        self.model.count_contact(bad, police_initiated=enforcement)

    def makes_stop(self) -> bool:
        """Skilled officers use less discretionary enforcement: of the stops an officer could
        make, 1 - stop_skill_slope x skill are made (core: CoProductionModel._officer_stops)."""
        return self.random.random() < 1.0 - self.model.config.policing.stop_skill_slope * self.pj_skill

    def stop(self, where: Neighbourhood) -> None:
        """A police-initiated contact on patrol, if the officer makes it: often someone the officer knows."""
        if not self.makes_stop():
            return
        if self.known and self.random.random() < self.model.config.policing.known_contact_share:
            resident = self.random.choice(self.known)
        else:
            resident = where.random_resident()
        self.contact(resident, enforcement=True)


class Neighbourhood:
    """A neighbourhood (= police beat): its residents, officers, places and the
    neighbourhood-level state (collective efficacy, offenders' perceptions, norm)."""

    def __init__(self, model, index: int, place_attractiveness: list[float], efficacy: float, cohesion: float):
        self.model = model
        self.random = model.random
        self.index = index
        self.residents: list[Resident] = []
        self.officers: list[Officer] = []
        self.place_cum = [0.0]
        for a in place_attractiveness:
            self.place_cum.append(self.place_cum[-1] + a)
        self.efficacy = efficacy
        self.cohesion = cohesion
        self.participation = 0.0
        self.perceived_presence = model.config.crime.reference_visible_hours_per_1000_per_day
        self.violent_chance = self.crime_chance = 0.0
        self.multiplier = 1.0
        self.new_day()

    def init_smoothed(self, expected_crimes: float) -> None:
        """Start the smoothed counts at their reference values (core: _init_crime_opportunity)."""
        cfg = self.model.config
        self.crimes_smoothed = expected_crimes
        self.reports_smoothed = expected_crimes * cfg.reporting.norm_reference
        self.crimes_certainty_smoothed = expected_crimes
        self.cleared_smoothed = expected_crimes * cfg.crime.reference_certainty

    def new_day(self) -> None:
        self.crimes = self.reports = self.cleared = self.other_calls = 0
        self.response_hours = self.patrol_hours = self.door_to_door_hours = self.visible_hours = 0.0

    def random_resident(self) -> Resident:
        return self.random.choice(self.residents)

    def random_place(self) -> int:
        """A place in proportion to its attractiveness (index within the neighbourhood)."""
        u = self.random.random() * self.place_cum[-1]
        return min(bisect.bisect_right(self.place_cum, u) - 1, len(self.place_cum) - 2)

    def random_officer(self) -> Officer | None:
        """One of the beat's officers, or anyone where the beat has none."""
        pool = self.officers or self.model.officer_list
        return self.random.choice(pool) if pool else None

    def norm(self) -> float:
        return self.reports_smoothed / max(self.crimes_smoothed, 1e-12)

    # -- 1. deterrence and efficacy (core: crime.deterrence_multiplier, crime.efficacy_multiplier)
    def set_crime_chances(self) -> None:
        cc = self.model.config.crime
        ref_p, ref_c = cc.reference_visible_hours_per_1000_per_day, cc.reference_certainty
        perceived_certainty = self.cleared_smoothed / max(self.crimes_certainty_smoothed, 1e-12)
        presence = (max(self.perceived_presence, 0.0) + 0.1 * ref_p) / (1.1 * ref_p)
        certainty = (max(perceived_certainty, 0.0) + 0.1 * ref_c) / (1.1 * ref_c)
        mult = presence ** (-cc.presence_elasticity) * certainty ** (-cc.certainty_elasticity)
        mult *= math.exp(-cc.efficacy_coef * (self.efficacy - cc.efficacy_reference))
        self.multiplier = min(mult, cc.max_rate_multiplier)
        base_violent, base_property = self.model.base_rate_per_day
        self.violent_chance = base_violent * cc.max_rate_multiplier  # potential offending, at the cap
        self.crime_chance = (base_violent + base_property) * cc.max_rate_multiplier

    # -- 8. collective efficacy (core: efficacy.update_efficacy)
    def update_efficacy(self) -> None:
        ec = self.model.config.efficacy
        self.participation = sum(r.participation for r in self.residents) / max(len(self.residents), 1)
        crimes_per_1000 = self.crimes / (len(self.residents) / 1000.0)
        target = clip01(ec.cohesion_weight * self.cohesion + ec.participation_weight * self.participation)
        self.efficacy = clip01(
            self.efficacy + ec.adjust_rate_per_day * (target - self.efficacy) - ec.crime_erosion * crimes_per_1000
        )

    # -- 9. perceptions (core: CoProductionModel._perceptions)
    def update_perceptions(self) -> None:
        cfg = self.model.config
        a_risk, a_norm = 1.0 / cfg.crime.perception_memory_days, 1.0 / cfg.reporting.norm_memory_days
        a_certainty = 1.0 / cfg.crime.certainty_memory_days
        presence = self.visible_hours / (len(self.residents) / 1000.0)
        self.perceived_presence += a_risk * (presence - self.perceived_presence)
        self.crimes_smoothed += a_norm * (self.crimes - self.crimes_smoothed)
        self.reports_smoothed += a_norm * (self.reports - self.reports_smoothed)
        # Offenders' certainty of apprehension: cleared / all incidents, learned slowly.
        self.cleared_smoothed += a_certainty * (self.cleared - self.cleared_smoothed)
        self.crimes_certainty_smoothed += a_certainty * (self.crimes - self.crimes_certainty_smoothed)
