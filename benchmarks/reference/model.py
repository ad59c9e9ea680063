"""ReferenceModel: the co-production model written one agent at a time.

Same rules and parameters as `coprod_sim.model.CoProductionModel`, and the same
city: it reuses the core's config, population builder, network builder and
officer draws (same named streams), so a seed gives both models the same
residents, network and officers. Everything that happens during a day is per-agent
Python driven by Mesa's stdlib `model.random` (so the two models' days are
statistically, not numerically, alike).

Scheduling differences from the core (documented in benchmarks/reference/README.md):
- residents act in random sequential order (`shuffle_do`), so the social pull in
  trust reads neighbours some of whom have already updated today; the core updates
  all residents synchronously from the start-of-day values;
- offending is a daily Bernoulli trial per resident with chance rate x propensity
  (the core draws Poisson counts per neighbourhood: the same rate; the two differ
  at order rate^2, ~1e-7 here).
- a resident's calls for service are a Poisson count per resident and day (the
  core draws them per neighbourhood at the highest rate and thins them by trust:
  the same distribution).
- call-backs when the spare hours run short go to victims in the core's incident
  order (violent first, then by beat), which the reference reproduces by sorting.
Not covered: scenario events, user-supplied graphs, place-level opportunity and
place adjacency (place-based policies), meetings, training (so neither fading PJ
gains nor engagement skill above 0); policies: reactive and door_to_door (alone or
in a mix).
"""

from __future__ import annotations

import bisect

import mesa
import numpy as np

from coprod_sim.config import DAYS_PER_YEAR, Config, per_day
from coprod_sim.network import build_network
from coprod_sim.population import beta_draws, build_population, lognormal_mean_one
from coprod_sim.streams import as_seed_sequence, stream

from .agents import VIOLENT, Incident, Neighbourhood, Officer, Resident, clip01

COVERED_POLICIES = {"reactive", "door_to_door"}


class ReferenceModel(mesa.Model):
    def __init__(self, config: Config | None = None, rng=None, *, burn_in: bool = True):
        config = config if config is not None else Config()
        seq = as_seed_sequence(rng)
        super().__init__(rng=int(stream(seq, "reference").integers(2**62)))
        self.config = config
        if config.network.path:
            raise NotImplementedError("the reference model builds its own network only")
        policies = set(config.policy.mix) if config.policy.name == "mix" else {config.policy.name}
        if policies - COVERED_POLICIES or config.events or config.policy.schedule:
            raise NotImplementedError(
                f"the reference model covers the policies {', '.join(sorted(COVERED_POLICIES))} (alone or in a mix), "
                f"without events or policy schedules; got policy {config.policy.name!r}"
            )

        # The city, from the core's builders and streams (identical for a given seed).
        pop = build_population(config, stream(seq, "population"))
        adj = build_network(config, pop, stream(seq, "network"))
        self.base_rate_per_day = (
            per_day(config.crime.violent_per_1000_per_year) / 1000.0,
            per_day(config.crime.property_per_1000_per_year) / 1000.0,
        )
        efficacy, cohesion = (
            config.per_neighbourhood(config.efficacy.initial),
            config.per_neighbourhood(config.efficacy.cohesion),
        )
        self.neighbourhoods = [
            Neighbourhood(
                self,
                n,
                pop.place_attractiveness[s : s + c].tolist(),
                float(np.clip(efficacy[n], 0, 1)),
                float(cohesion[n]),
            )
            for n, (s, c) in enumerate(zip(pop.place_start, pop.place_count, strict=True))
        ]
        self.attract_cum = [0.0]
        for nb in self.neighbourhoods:
            self.attract_cum.append(self.attract_cum[-1] + nb.place_cum[-1])
        self.group_names = pop.group_names
        # Propensity to call (repeat callers) is part of the city: the core's stream and draw.
        calling = lognormal_mean_one(stream(seq, "callers"), config.policing.caller_concentration_sigma, pop.n)
        calling_mean = np.bincount(pop.neighbourhood, weights=calling) / np.maximum(pop.nb_size, 1)
        call_weight = (calling / calling_mean[pop.neighbourhood]).tolist()
        pc = config.policing
        self.resident_call_rate = per_day(pc.other_calls_per_1000_per_year) / 1000.0 * pc.resident_call_share
        columns = (pop.neighbourhood, pop.group, pop.initial_trust, pop.propensity, pop.has_alternatives)
        residents = [
            Resident(self, self.neighbourhoods[nb], g, t, p, a, w)
            for nb, g, t, p, a, w in zip(*(c.tolist() for c in columns), call_weight, strict=True)
        ]
        indptr, indices = adj.indptr.tolist(), adj.indices.tolist()
        for i, r in enumerate(residents):
            r.home.residents.append(r)
            r.neighbours = [residents[j] for j in indices[indptr[i] : indptr[i + 1]]]
        for nb in self.neighbourhoods:
            nb.init_smoothed(sum(self.base_rate_per_day) * sum(r.propensity for r in nb.residents))
        self._init_officers(pop, residents, stream(seq, "officers"))
        self.residents = self.agents_by_type[Resident]
        for r in self.residents:
            r.update_participation()
        for nb in self.neighbourhoods:
            nb.participation = sum(r.participation for r in nb.residents) / max(len(nb.residents), 1)

        self.incidents: list[Incident] = []
        self.contacts = dict.fromkeys(("total", "negative", "police_initiated", "designed", "feedback"), 0)
        self.calls = 0
        self.hours_on_duty = self.hours_committed = 0.0
        self.served = 1.0
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "day": "day",
                "crimes": lambda m: len(m.incidents),
                "crimes_reported": lambda m: sum(i.reported for i in m.incidents),
                "crimes_recorded": lambda m: sum(i.reported or i.third_party for i in m.incidents),
                "crimes_cleared": lambda m: sum(i.cleared for i in m.incidents),
                "reporting_rate": lambda m: _ratio(sum(i.reported for i in m.incidents), len(m.incidents)),
                "clearance_rate": lambda m: _ratio(
                    sum(i.cleared for i in m.incidents), sum(i.reported for i in m.incidents)
                ),
                "mean_trust": lambda m: m.residents.agg("trust", np.mean),
                "trust_gap": lambda m: _spread(m.residents.groupby("group").agg("trust", np.mean)),
                "participation_rate": lambda m: m.residents.agg("participation", np.mean),
                "collective_efficacy": lambda m: (
                    sum(nb.efficacy * len(nb.residents) for nb in m.neighbourhoods) / len(m.residents)
                ),
                "police_contacts": lambda m: m.contacts["total"],
                "negative_contacts": lambda m: m.contacts["negative"],
                "police_initiated_contacts": lambda m: m.contacts["police_initiated"],
                "designed_contacts": lambda m: m.contacts["designed"],
                "followups": lambda m: m.contacts["feedback"],
                "calls_for_service": "calls",
                "hours_on_duty": "hours_on_duty",
                "hours_committed": "hours_committed",
                "response_served_share": "served",
            }
        )
        self.day = -config.run.burn_in_days
        if burn_in:
            while self.day < 0:
                self.step()

    def _init_officers(self, pop, residents, rng) -> None:
        """The core's officer draws (CoProductionModel._init_officers), as agents."""
        cfg = self.config
        k = len(self.neighbourhoods)
        count = int(round(cfg.population.officers_per_1000 * pop.n / 1000))
        skills = beta_draws(rng, cfg.policing.pj_skill_mean, cfg.policing.pj_skill_sd, count)
        n_known = cfg.policing.known_residents_per_officer
        for i in range(count):
            beat, size = i % k, int(pop.nb_size[i % k])
            known = np.unique(pop.nb_start[beat] + rng.integers(0, size, n_known)).tolist() if n_known and size else []
            Officer(
                self,
                self.neighbourhoods[beat],
                float(skills[i]),
                24.0 * cfg.policing.on_duty_fraction,
                [residents[j] for j in known],
            )
        self.officer_list = list(self.agents_by_type[Officer]) if count else []

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        self.incidents = []
        for key in self.contacts:
            self.contacts[key] = 0
        self.workforce()  # 0b. routine turnover, recruits get to know residents
        for nb in self.neighbourhoods:
            nb.new_day()
            nb.set_crime_chances()
        self.residents.shuffle_do("offend")  # 1. crime
        p_third = self.config.reporting.third_party_probability
        for inc in self.incidents:  # 2. reporting: by the victim, or else perhaps by someone else
            inc.reported = inc.victim.reports(inc)
            inc.third_party = not inc.reported and self.random.random() < p_third
        self.respond(sum(o.hours_per_day for o in self.officer_list))  # 3. calls for service, clearance, contacts
        self.spend_discretionary_hours()  # 4-5. policy activities, patrol stops
        self.residents.shuffle_do("step")  # 6-7. trust, anchors, participation
        for nb in self.neighbourhoods:  # 8-9. collective efficacy, perceptions
            nb.update_efficacy()
            nb.update_perceptions()
        if self.day >= 0:
            self.datacollector.collect(self)
        self.day += 1

    def workforce(self) -> None:
        """Leavers are replaced by recruits; then every officer below the number of residents
        an officer knows gets to know more (core: CoProductionModel._workforce)."""
        for officer in [o for o in self.officer_list if o.leaves()]:
            self.officer_list[self.officer_list.index(officer)] = officer.replaced()
        for officer in self.officer_list:
            officer.get_acquainted()

    def random_destination(self) -> Neighbourhood:
        """Where an offender who leaves home offends: a neighbourhood in proportion to its
        places' summed attractiveness (the place within it is chosen by commit_crime)."""
        u = self.random.random() * self.attract_cum[-1]
        return self.neighbourhoods[min(bisect.bisect_right(self.attract_cum, u) - 1, len(self.neighbourhoods) - 1)]

    def commit_crime(self, nb: Neighbourhood, kind: int) -> None:
        """An incident at a place of neighbourhood `nb`, against a random resident of it."""
        cc = self.config.crime
        mean = cc.seriousness_violent if kind == VIOLENT else cc.seriousness_property
        self.incidents.append(
            Incident(
                kind, nb, nb.random_place(), nb.random_resident(), clip01(self.random.gauss(mean, cc.seriousness_sd))
            )
        )
        nb.crimes += 1

    def count_contact(self, bad: bool, *, police_initiated: bool = False) -> None:
        self.contacts["total"] += 1
        self.contacts["negative"] += bad
        self.contacts["police_initiated"] += police_initiated

    def respond(self, on_duty: float) -> None:
        """Calls for service take officer time first: victims' reports, others' reports,
        residents' calls (each a contact) and other calls. The more of the shift they
        take, the lower the response quality (clearance); above capacity a share of
        victims' reports and residents' calls goes unanswered (core: CoProductionModel._response)."""
        pc, cc, tc = self.config.policing, self.config.coproduction, self.config.trust
        callers = [r for r in self.residents for _ in range(r.calls_today())]
        other_rate = per_day(pc.other_calls_per_1000_per_year) / 1000.0 * (1.0 - pc.resident_call_share)
        for nb in self.neighbourhoods:
            nb.other_calls = int(self.rng.poisson(other_rate * len(nb.residents)))
            nb.response_hours += nb.other_calls * pc.service_call_hours
        for r in callers:
            r.home.response_hours += pc.service_call_hours
        recorded = [i for i in self.incidents if i.reported or i.third_party]
        for inc in recorded:  # each takes an officer's time; only victims' reports are investigated
            inc.neighbourhood.response_hours += (
                pc.response_hours_violent if inc.kind == VIOLENT else pc.response_hours_property
            )
        reported = [i for i in self.incidents if i.reported]
        demand = sum(nb.response_hours for nb in self.neighbourhoods)
        self.calls = len(recorded) + len(callers) + sum(nb.other_calls for nb in self.neighbourhoods)
        self.hours_on_duty, self.hours_committed = on_duty, min(demand, on_duty)
        self.served = 1.0 if demand <= 0 else min(1.0, on_duty / demand)
        effort = response_effort(demand, on_duty, pc.reference_utilisation)
        for nb in self.neighbourhoods:
            nb.response_hours *= self.served

        for inc in reported:
            inc.neighbourhood.reports += 1
            inc.answered = self.served >= 1.0 or self.random.random() < self.served
            base = cc.clearance_violent if inc.kind == VIOLENT else cc.clearance_property
            p_clear = clip01(
                base
                * effort**cc.effort_elasticity
                * (max(inc.neighbourhood.participation, 0.0) / cc.input_reference) ** cc.input_elasticity
            )
            inc.cleared = inc.answered and self.random.random() < p_clear
            inc.neighbourhood.cleared += inc.cleared
        call_answered = [self.served >= 1.0 or self.random.random() < self.served for _ in callers]
        if self.officer_list:
            met = [(i.victim, i.neighbourhood) for i in reported if i.answered]
            met += [(r, r.home) for r, a in zip(callers, call_answered, strict=True) if a]
            for who, nb in met:
                nb.random_officer().contact(who)
        for inc in self.incidents:  # victims' experience of the outcome, reported or not
            inc.victim.experience(tc.clearance_effect if inc.cleared else -tc.victimization_effect)
        for r in [i.victim for i in reported if not i.answered] + [
            r for r, a in zip(callers, call_answered, strict=True) if not a
        ]:
            r.experience(-tc.unanswered_call_effect)
        self.call_back([i for i in reported if i.answered])

    def call_back(self, answered: list[Incident]) -> None:
        """An officer calls a share of answered reporting victims back about their case, as
        far as the shift's uncommitted hours allow; the time is committed (and counts as
        response time, as in the core). When hours run short the core's order decides who is
        called: violent incidents first, then by beat (core: CoProductionModel._followups)."""
        pc, feedback = self.config.policing, self.config.trust.feedback_effect
        spare = max(0.0, self.hours_on_duty - self.hours_committed)
        room = int(spare / pc.followup_hours) if pc.followup_hours > 0 else len(answered)
        for inc in sorted(answered, key=lambda i: (i.kind, i.neighbourhood.index)):
            if self.random.random() >= pc.followup_share:
                continue
            if room <= 0:
                break
            room -= 1
            inc.neighbourhood.response_hours += pc.followup_hours
            self.hours_committed += pc.followup_hours
            inc.victim.police_contact(feedback)
            self.contacts["total"] += 1
            self.contacts["feedback"] += 1

    def spend_discretionary_hours(self) -> None:
        """What calls leave is split over beats by residents: door-to-door visits
        (if the policy has them), the rest random patrol with police-initiated stops.
        Visible hours (deterrence): response and patrol whole, door-to-door by its `visibility`."""
        pc, d2d = self.config.policing, self.config.policy.door_to_door
        discretionary = max(0.0, self.hours_on_duty - self.hours_committed)
        # Burn-in is reactive; fidelity: only a share of the door-to-door hours is spent as designed, the rest patrols.
        share = _door_to_door_share(self.config.policy) * self.fidelity(d2d) if self.day >= 0 else 0.0
        effect = self.config.trust.designed_contact_effect
        engagement = pc.engagement_skill_effect
        for nb in self.neighbourhoods:
            hours = discretionary * len(nb.residents) / len(self.residents)
            nb.door_to_door_hours = hours * share
            nb.patrol_hours = hours - nb.door_to_door_hours
            nb.visible_hours = nb.response_hours + nb.patrol_hours + nb.door_to_door_hours * d2d.visibility
            for _ in range(self.rng.poisson(nb.door_to_door_hours * d2d.visits_per_hour) if share else 0):
                r = nb.random_resident()
                fresh = self.day - r.last_visit_day > d2d.revisit_after_days
                if fresh and r.opens_door():
                    r.last_visit_day = self.day
                    officer = nb.random_officer()  # an engaging officer's visit achieves more
                    r.police_contact(effect * (1.0 + engagement * officer.engagement_skill) if officer else effect)
                    self.contacts["total"] += 1
                    self.contacts["designed"] += 1
            if self.officer_list:
                for _ in range(self.rng.poisson(pc.stops_per_patrol_hour * nb.patrol_hours)):
                    nb.random_officer().stop(nb)

    def fidelity(self, knobs) -> float:
        """Share of a policy's hours spent as designed: halves every `fidelity_half_life_years`
        from day 0, when the policy starts (core: Policy.fidelity)."""
        half_life = knobs.fidelity_half_life_years
        return 0.5 ** (self.day / (half_life * DAYS_PER_YEAR)) if half_life else 1.0


def response_effort(demand: float, on_duty: float, reference_utilisation: float) -> float:
    """Response quality, the police term of clearance: it falls as calls take more of the
    shift, neutral at the reference utilisation, 0 when calls take every hour."""
    utilisation = demand / on_duty if on_duty > 0 else 1.0
    return max(0.0, 1.0 - utilisation) / (1.0 - reference_utilisation)


def _door_to_door_share(policy) -> float:
    if policy.name == "door_to_door":
        return policy.door_to_door.hours_share
    if policy.name == "mix":
        return policy.mix.get("door_to_door", 0.0) / sum(policy.mix.values())
    return 0.0


def _ratio(num, den) -> float:
    return num / den if den > 0 else float("nan")


def _spread(by_group: dict) -> float:
    values = list(by_group.values())
    return float(max(values) - min(values)) if values else 0.0
