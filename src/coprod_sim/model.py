"""CoProductionModel: a Mesa model with a columnar core.

Residents live in numpy arrays indexed by resident id (declared in `state.py`);
the social network is an immutable CSR adjacency; officers are Mesa agents.
`step()` is one day: it calls the submodels of `submodels/` in the order of
docs/ODD.md ("Process overview and scheduling"), and the methods below follow
that order. What one submodel hands to the next lives in `self.today` (a `Day`);
contacts since the last day ended live in `self.contacts`. Policies and events
use the public methods listed in `model_api.ModelAPI`.
"""

from __future__ import annotations

from collections.abc import Sequence

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import events as events_mod
from . import kernels, place_outputs, recording, state
from .agents import Officer, Resident
from .config import DAYS_PER_YEAR, Config, per_day
from .day import Contacts, Day, DayArrays
from .network import build_network, load_graph_file, order_user_graph, user_network
from .place_outputs import PlaceTally
from .places import build_place_map
from .policies import REGISTRY, activity_names, policy_shares
from .population import beta_draws, build_population, lognormal_mean_one, resident_resources
from .rates import DailyRates
from .streams import CORE_STREAMS, Streams, as_seed_sequence
from .submodels import barriers, coproduction, crime, efficacy, perceptions, reporting, response, trust, workforce


def _top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the (at most) k highest scores, highest first."""
    k = min(k, len(score))
    if k == 0:
        return np.arange(0)
    top = (-score).argpartition(k - 1)[:k] if k < len(score) else np.arange(len(score))
    return top[(-score[top]).argsort(kind="stable")]


class AgentsByType(dict):
    """Mesa's `agents_by_type`, with a clear error for absent Resident views."""

    def __init__(self, by_type: dict, residents: int, views_max: int):
        super().__init__(by_type)
        self.residents, self.views_max = residents, views_max

    def __missing__(self, key):
        if key is Resident:
            raise KeyError(
                f"no Resident views: this model has {self.residents:,} residents and views are created only up to "
                f"output.agent_views_max_residents = {self.views_max:,}; raise that limit (--set "
                "output.agent_views_max_residents=...) or read the resident arrays (model.trust, model.pop, ...)"
            )
        raise KeyError(key)


class CoProductionModel(mesa.Model):
    """The co-production of public safety, one step per day.

    Args:
        config: a validated `Config` (default: the schema's defaults).
        rng: the run's seed: an int, or a `numpy.random.SeedSequence` such as
            `replicate_seed(S, r)`. Each submodel draws from its own named stream.
        burn_in: run `config.run.burn_in_days` unrecorded days now, so that the
            first recorded day is day 0.
    """

    def __init__(self, config: Config | None = None, rng=None, *, burn_in: bool = True):
        self.config = config = config if config is not None else Config()
        self.seed_sequence = as_seed_sequence(rng)
        self.streams = Streams(self.seed_sequence, (*CORE_STREAMS, *REGISTRY))
        super().__init__(rng=self.streams["mesa"])
        self.day = -config.run.burn_in_days  # day 0 is the first recorded day

        self._build_population_and_network()
        self.compiled = kernels.use_compiled(self.pop.n)  # numba kernels: same numbers, faster for large N
        for name, array in state.allocate(
            {"resident": self.pop.n, "place": self.pop.n_places, "neighbourhood": self.pop.n_neighbourhoods}
        ).items():
            setattr(self, name, array)
        self._init_residents()
        self._init_officers()
        self._init_neighbourhoods()
        self._init_places()

        self.policy_config = config.policy
        self._schedule = sorted(config.policy.schedule, key=lambda e: e.day)
        self._pending_events = sorted(config.events, key=lambda e: e.day)
        self._policies: dict = {}
        self._visibility_of, self._visibility_registry = None, 0  # what `_visibilities` was made for
        self.trust_frozen = False
        self.surges: list[
            tuple[int, int, np.ndarray, float]
        ] = []  # active crime surges: (start, end, beats, multiplier)
        self.fears: list[barriers.Fear] = []  # enforcement fears
        self.activities = activity_names()
        self.day_arrays = DayArrays(self.activities, self.pop.n_neighbourhoods, self.pop.n_places)
        self.today = Day.start(self.activities, self.pop.n_neighbourhoods, self.pop.n_places)
        self.contacts = Contacts()
        self.neighbourhood_rows: list[dict] = []  # compact (recording.neighbourhood_row)
        self.raised_problems: list[coproduction.RaisedProblem] = []  # places residents raised at meetings

        self._coproduction()
        self._resident_input()
        self.datacollector = recording.collector(self.pop.group_names, self.pop.group_sizes, self.activities)
        self.metric_names = self.datacollector.log.names  # the daily table's columns (metric_registry.daily_columns)

        if self.pop.n <= config.output.agent_views_max_residents:
            for i in range(self.pop.n):
                Resident(self, i)

        if burn_in:
            self.burn_in()

    # ------------------------------------------------------------------ set-up
    def _build_population_and_network(self) -> None:
        cfg = self.config
        if cfg.network.path:
            graph = load_graph_file(cfg.network.path)
            order, counts, file_trust = order_user_graph(graph, cfg)
            self.pop = build_population(cfg, self.streams["population"], counts=counts)
            if file_trust is not None:
                self.pop.initial_trust = file_trust
            self.adj = user_network(graph, order)
        else:
            self.pop = build_population(cfg, self.streams["population"])
            self.adj = build_network(cfg, self.pop, self.streams["network"])
        self.degree = np.diff(self.adj.indptr).astype(np.float64)
        self.rows_by_degree: np.ndarray | None = None  # the compiled social pull's order, made when first needed
        self.network_weighted = bool(np.any(self.adj.data != 1))  # user graphs may carry tie weights

    def _init_residents(self) -> None:
        pop, bc = self.pop, self.config.barriers
        self.trust[:] = pop.initial_trust
        self.anchor[:] = self.trust
        self.group_sizes = pop.group_sizes
        nb_barrier = self.config.per_neighbourhood(bc.neighbourhood)
        group_barrier = np.array([bc.group.get(g, 0.0) for g in pop.group_names])
        self.barrier[:] = barriers.resident_barrier(nb_barrier, group_barrier, pop.neighbourhood, pop.group)
        self.has_barriers = bool(self.barrier.any())
        self.barrier_nb = pop.mean_by_neighbourhood(self.barrier)
        # Repeat callers: a heavy-tailed propensity to call, from its own stream.
        self.caller_propensity[:] = lognormal_mean_one(
            self.streams["callers"], self.config.policing.caller_concentration_sigma, pop.n
        )
        self.caller_cumsum = np.cumsum(self.caller_propensity)
        pc = self.config.policing
        calls_per_resident = per_day(pc.other_calls_per_1000_per_year) / 1000.0
        self.callers = response.CallerTable.build(
            self.caller_cumsum,
            pop.nb_start,
            pop.nb_size,
            calls_per_resident_per_day=calls_per_resident * pc.resident_call_share,
            call_trust_coef=pc.call_trust_coef,
        )
        self.other_calls = DailyRates(calls_per_resident * (1.0 - pc.resident_call_share) * pop.nb_size)
        self.response_hours_by_kind = crime.by_kind(pc.response_hours_violent, pc.response_hours_property)
        cc = self.config.coproduction
        self.clearance_by_kind = crime.by_kind(cc.clearance_violent, cc.clearance_property)
        # Spare time and means, which make taking part costly for some: from its own stream.
        group_resources = np.array([g.resources for g in self.config.population.groups.values()])
        self.resources[:] = resident_resources(
            self.streams["resources"], pop.group, group_resources, sigma=self.config.population.resources_sigma
        )

    def _init_officers(self) -> None:
        cfg = self.config
        rng = self.streams["officers"]
        k = self.pop.n_neighbourhoods
        count = int(round(cfg.population.officers_per_1000 * self.pop.n / 1000))
        skills = beta_draws(rng, cfg.policing.pj_skill_mean, cfg.policing.pj_skill_sd, count)
        # language skill from its own stream, so the other officer draws never shift
        language = (self.streams["officer_language"].random(count) < cfg.policing.language_skill_share).astype(float)
        skilled_beats = cfg.policing.language_skill_beats
        hours = 24.0 * cfg.policing.on_duty_fraction
        n_skilled = 0
        for i in range(count):
            beat = i % k
            if language[i] and skilled_beats:
                beat = skilled_beats[n_skilled % len(skilled_beats)]
                n_skilled += 1
            self.add_officer(beat, skills[i], hours, knows_residents=True, rng=rng, language_skill=language[i])
        self.officer_version = 0
        self._bad_by_officer: dict[float, tuple] = {}  # multiplier -> (skills it was made for, chances)
        self.refresh_officers()

    def _init_neighbourhoods(self) -> None:
        cfg = self.config
        self.efficacy[:] = np.clip(cfg.per_neighbourhood(cfg.efficacy.initial), 0, 1)
        self.cohesion[:] = cfg.per_neighbourhood(cfg.efficacy.cohesion)
        self.perceived_presence[:] = cfg.crime.reference_visible_hours_per_1000_per_day
        self.residents_per_1000 = self.pop.nb_size / 1000.0
        self.nb_share = self.pop.nb_size / self.pop.n  # weights of citywide means of neighbourhood values

    def _init_places(self) -> None:
        cfg, pop = self.config, self.pop
        self.place_pressure[:] = crime.place_pressure(pop, local_offending_share=cfg.crime.local_offending_share)
        self.pressure_nb = np.bincount(
            pop.place_neighbourhood, weights=self.place_pressure, minlength=pop.n_neighbourhoods
        )
        self.pressure_cumsum = np.cumsum(self.place_pressure)
        self.top_5pct_places = max(1, int(round(0.05 * pop.n_places)))
        self.place_tiebreak = self.streams["places"].random(pop.n_places)
        self.places = build_place_map(
            pop,
            self.streams["place_adjacency"],
            neighbours_per_place=cfg.population.place_neighbours,
            cross_neighbourhood_share=cfg.population.place_cross_neighbourhood_share,
        )
        base = (
            np.array([per_day(cfg.crime.violent_per_1000_per_year), per_day(cfg.crime.property_per_1000_per_year)])
            / 1000.0
        )
        self.base_rate_per_day = base
        self.incident_draw = crime.prepare_incident_draw(
            pop,
            self.pressure_cumsum,
            tuple(base * cfg.crime.max_rate_multiplier),
            (cfg.crime.seriousness_violent, cfg.crime.seriousness_property),
            cfg.crime.seriousness_sd,
            self.pressure_nb,
        )
        # The visible police time a place of its beat gets at reference (the scale of directed patrol's
        # effect), and the presence multiplier of places without directed patrol: 1 (None) unless a
        # reference is 0, so most days skip it.
        self.reference_hours_per_place = (
            cfg.crime.reference_visible_hours_per_1000_per_day * self.residents_per_1000 / pop.place_count
        )[pop.place_neighbourhood]
        unpatrolled = crime.place_presence_multiplier(
            np.zeros(pop.n_places), self.reference_hours_per_place, presence_elasticity=cfg.crime.presence_elasticity
        )
        self.unpatrolled_place_multiplier = None if np.all(unpatrolled == 1.0) else unpatrolled
        self.place_tally = PlaceTally(pop.n_places) if cfg.output.places else None  # places.parquet
        # Smoothed counts behind the reporting norm and perceived clearance; started
        # at their reference values so the first days are neutral.
        expected = base.sum() * self.pressure_nb
        self.crimes_smoothed[:] = expected
        self.reports_smoothed[:] = expected * cfg.reporting.norm_reference
        self.crimes_certainty_smoothed[:] = expected
        self.cleared_smoothed[:] = expected * cfg.crime.reference_certainty

    # ------------------------------------------------------------------ what policies and events may use
    # (the interface model_api.ModelAPI declares)
    @property
    def agents_by_type(self) -> dict:
        """Mesa's agents by type; asking for `Resident` views in a model too large to have
        them says why (they exist only up to `output.agent_views_max_residents` residents)."""
        return AgentsByType(super().agents_by_type, self.pop.n, self.config.output.agent_views_max_residents)

    @property
    def officers(self):
        return self.agents_by_type.get(Officer, [])

    def add_officer(
        self,
        beat: int,
        skill: float,
        hours_per_day: float,
        *,
        knows_residents: bool,
        rng=None,
        language_skill: float = 0.0,
    ) -> Officer:
        """A new officer on `beat`; call `refresh_officers()` once the force is complete."""
        n_known = self.config.policing.known_residents_per_officer if knows_residents else 0
        size = int(self.pop.nb_size[beat])
        if n_known and size:
            rng = rng or self.streams["officers"]
            known = np.unique(self.pop.nb_start[beat] + rng.integers(0, size, n_known))
        else:
            known = np.empty(0, dtype=np.int64)
        return Officer(self, beat, skill, hours_per_day, language_skill, known=known)

    def remove_officer(self, officer: Officer) -> None:
        """An officer leaves; call `refresh_officers()` once the force is complete."""
        officer.remove()

    def refresh_officers(self) -> None:
        """Rebuild the officer arrays after officers joined, left or changed."""
        self.officer_version += 1  # lets policies cache per force
        officers = sorted(self.officers, key=lambda o: (o.beat, o.unique_id))
        for i, o in enumerate(officers):
            o.index = i
        self.officer_list = officers
        k = self.pop.n_neighbourhoods
        self.officer_beat = np.array([o.beat for o in officers], dtype=np.int64)
        self.officer_skill = np.array([o.pj_skill for o in officers], dtype=float)
        self.officer_hours = np.array([o.hours_per_day for o in officers], dtype=float)
        self.officer_language = np.array([o.language_skill for o in officers], dtype=float)
        self.officer_engagement = np.array([o.engagement_skill for o in officers], dtype=float)
        self.beat_officer_count = np.bincount(self.officer_beat, minlength=k)
        self.beat_officer_start = np.concatenate([[0], np.cumsum(self.beat_officer_count)[:-1]])
        self._refresh_known()
        # What the daily submodels need of the force, made here once per change of the force
        self.every_beat_staffed = bool(np.all(self.beat_officer_count > 0))
        self.officer_hours_total = float(self.officer_hours.sum())
        self.most_patrol_hours = self.officer_hours_total * self.pop.nb_size / self.pop.n  # the same under every policy
        self.potential_stops = DailyRates(self.config.policing.stops_per_patrol_hour * self.most_patrol_hours)
        self.officers_as_joined = list(self.officers)  # the order routine acquaintance draws in

    def _refresh_known(self, grown: Sequence[Officer] | None = None) -> None:
        """Rebuild who knows whom (officer x resident) after officers got to know residents:
        on most days a recruit meets someone, only this changes, not the force. `grown`: the
        only officers whose known residents changed since the last rebuild; only their rows are
        replaced (the same matrix, without a pass over every officer: thousands at 10^6)."""
        if grown is None:
            known = [o.known for o in self.officer_list]
            lengths = np.array([len(x) for x in known], dtype=np.int64)
        else:
            old, lengths = self.officer_known, self.officer_known_count.copy()
            known, start = [], 0
            for o in sorted(grown, key=lambda o: o.index):
                known += [old.indices[start : old.indptr[o.index]], o.known]
                start = old.indptr[o.index + 1]
                lengths[o.index] = len(o.known)
            known.append(old.indices[start:])
        indices = np.concatenate(known).astype(np.int64) if known else np.empty(0, dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        shape = (len(lengths), self.pop.n)
        self.officer_known = sp.csr_array((np.ones(len(indices)), indices, indptr), shape=shape)
        self.officer_known_count = lengths

    def policy(self, name: str):
        """The model's instance of a policy (created on first use; keeps its state)."""
        if name not in self._policies:
            self._policies[name] = REGISTRY[name](self)
        return self._policies[name]

    def random_residents(
        self, rng: np.random.Generator, neighbourhoods: np.ndarray, groups: list[str] | None = None
    ) -> np.ndarray:
        """One uniformly random resident of each listed neighbourhood (of the given
        groups only, if any; -1 where a neighbourhood has none of them)."""
        return self.pop.random_residents(rng.random(len(neighbourhoods)), neighbourhoods, groups)

    def random_officers(self, rng: np.random.Generator, beats: np.ndarray) -> np.ndarray:
        """One officer per entry: from the beat's officers, or anyone where a beat has none."""
        beats = np.asarray(beats, dtype=np.int64)
        return self._officer_from_uniform(beats, rng.random(len(beats)))

    def _officer_from_uniform(self, beats: np.ndarray, u: np.ndarray) -> np.ndarray:
        count = self.beat_officer_count[beats]
        own = self.beat_officer_start[beats] + (u * count).astype(np.int64)
        if self.every_beat_staffed:
            return own
        anyone = (u * len(self.officer_beat)).astype(np.int64)
        return np.where(count > 0, own, anyone)

    def set_trust(self, value: float, *, hold: bool = False) -> None:
        """Set every resident's trust (and anchor) to `value`; `hold` switches trust updates off."""
        self.trust[:] = value
        self.anchor[:] = value
        self.trust_frozen = hold

    def effective_barrier(self, residents: np.ndarray) -> np.ndarray:
        """Residents' barrier after what liaisons offset in their neighbourhood."""
        return barriers.effective_barrier(
            self.barrier[residents],
            self.liaison_coverage[self.pop.neighbourhood[residents]],
            barrier_offset=self.policy_config.liaison.barrier_offset,
        )

    def contact_bad_probability(
        self, officers: np.ndarray, residents: np.ndarray, multiplier: float = 1.0
    ) -> np.ndarray:
        """Chance each contact goes badly: the officer's procedural-justice skill,
        lowered by the resident's communication barrier unless the officer has
        language / cultural skill."""
        if not self.has_barriers:
            return self._bad_probability_by_officer(multiplier)[officers]
        skill = self.officer_skill[officers]
        b = self.effective_barrier(residents) * (1.0 - self.officer_language[officers])
        skill = skill * (1.0 - self.config.barriers.fairness_penalty * b)
        return response.bad_contact_probability(
            skill, bad_contact_max=self.config.policing.bad_contact_max, multiplier=multiplier
        )

    def _bad_probability_by_officer(self, multiplier: float) -> np.ndarray:
        """Each officer's chance a contact goes badly where nobody has a barrier; made once per
        multiplier and kept until the skills change (`officer_skill` is then a new array)."""
        skill, by_officer = self._bad_by_officer.get(multiplier, (None, None))
        if skill is not self.officer_skill:
            by_officer = response.bad_contact_probability(
                self.officer_skill, bad_contact_max=self.config.policing.bad_contact_max, multiplier=multiplier
            )
            self._bad_by_officer[multiplier] = (self.officer_skill, by_officer)
        return by_officer

    def record_contacts(self, residents: np.ndarray, bad: np.ndarray) -> None:
        """Routine contacts (calls, stops, informal talk), good or bad."""
        residents = np.asarray(residents, dtype=np.int64)
        if not len(residents):
            return
        bad = np.asarray(bad, dtype=bool)
        self.last_contact_day[residents] = self.day
        negative, positive = residents[bad], residents[~bad]
        c = self.contacts
        c.shocks.negative.append(negative)
        c.shocks.positive.append(positive)
        c.total += len(residents)
        c.negative += len(negative)
        c.positive += len(positive)
        if len(negative):
            np.add.at(self.bad_contacts, negative, 1)
        if len(positive):
            np.add.at(self.good_contacts, positive, 1)

    def record_designed_contacts(self, residents: np.ndarray, *, language_skill: float | None = None) -> None:
        """Designed non-enforcement contacts (door-to-door, meetings, outreach): never
        'bad' (C11). Each is made by a random officer of the resident's beat (drawn from
        its own stream, so policies' streams never shift), whose engagement skill makes it
        achieve more: x (1 + policing.engagement_skill_effect x skill); a communication
        barrier lowers how much of it is understood: x (1 - barriers.fairness_penalty x
        barrier x (1 - language skill)), the officer's unless `language_skill` is given."""
        residents = np.asarray(residents, dtype=np.int64)
        self.last_contact_day[residents] = self.day
        c = self.contacts
        if len(residents) and len(self.officer_beat):
            officers = self.random_officers(self.streams["designed_officers"], self.pop.neighbourhood[residents])
            weights = 1.0 + self.config.policing.engagement_skill_effect * self.officer_engagement[officers]
            if self.has_barriers:
                skill = self.officer_language[officers] if language_skill is None else language_skill
                barrier = self.effective_barrier(residents)
                weights = weights * (1.0 - self.config.barriers.fairness_penalty * barrier * (1.0 - skill))
            c.shocks.designed_partial.append((residents, weights))
        else:
            c.shocks.designed.append(residents)
        c.total += len(residents)
        c.designed += len(residents)

    def record_feedback(self, residents: np.ndarray) -> None:
        """The police reported back to these residents (on their case, or on a problem they raised)."""
        residents = np.asarray(residents, dtype=np.int64)
        self.contacts.shocks.feedback.append(residents)
        self.contacts.feedback += len(residents)

    def beat_engagement_skill(self) -> np.ndarray:
        """Mean engagement skill of each beat's officers (0 where a beat has none)."""
        k = self.pop.n_neighbourhoods
        total = np.bincount(self.officer_beat, weights=self.officer_engagement, minlength=k)
        return total / np.maximum(self.beat_officer_count, 1)

    def learn_from_residents(self, residents: np.ndarray, told_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residents tell the police about crime at and next to their home places that the
        police have not recorded (true minus police picture); it enters the police's picture.
        Returns (places, crime made known at each)."""
        unrecorded = np.maximum(self.true_picture - self.police_picture, 0.0)
        places, known = coproduction.surface_unrecorded(
            self.places.home_place[residents], self.places.adjacency, told_share, unrecorded
        )
        self.police_picture[places] += known
        return places, known

    def raise_problem(self, place: int, beat: int) -> coproduction.RaisedProblem:
        """Queue a place residents raised at a meeting in `beat` (see take_raised_problem)."""
        problem = coproduction.RaisedProblem(int(place), int(beat), self.day)
        self.raised_problems.append(problem)
        return problem

    def take_raised_problem(
        self, neighbourhoods: np.ndarray | None = None, exclude: np.ndarray | None = None
    ) -> int | None:
        """The oldest problem raised at a meeting within the last year and not yet taken on,
        at a place of `neighbourhoods` (None = any) not in the mask `exclude`; marked taken
        (so the next meeting hears it was acted on). None if there is none."""
        self.raised_problems = [p for p in self.raised_problems if self.day - p.day < DAYS_PER_YEAR]
        for problem in self.raised_problems:
            if problem.taken_day is not None or (exclude is not None and exclude[problem.place]):
                continue
            if neighbourhoods is not None and self.pop.place_neighbourhood[problem.place] not in neighbourhoods:
                continue
            problem.taken_day = self.day
            return problem.place
        return None

    def stop_contacts(self, hours_by_beat: np.ndarray, rng: np.random.Generator, rate_multiplier: float = 1.0) -> None:
        """Police-initiated contacts (stops, enquiries) during `hours_by_beat` of patrol."""
        if not len(self.officer_beat):
            return
        counts = rng.poisson(self.config.policing.stops_per_patrol_hour * rate_multiplier * hours_by_beat)
        beats = np.repeat(np.arange(len(counts)), counts)
        self._stops(beats, rng.random((5, len(beats))))

    def place_stops(
        self, places: np.ndarray, hours_per_place: float, rng: np.random.Generator, rate_multiplier: float = 1.0
    ) -> None:
        """Police-initiated contacts during `hours_per_place` of patrol at each of `places`:
        with residents living at or next to the place, or passers-by (place_residents)."""
        if not len(self.officer_beat) or not len(places):
            return
        rate = self.config.policing.stops_per_patrol_hour * rate_multiplier * hours_per_place
        at = np.repeat(np.asarray(places, dtype=np.int64), rng.poisson(rate, len(places)))
        u = rng.random((5, len(at)))
        residents, passer_by = self.place_residents(rng, at)
        self._stops(self.pop.place_neighbourhood[at].astype(np.int64), u, residents=residents, passer_by=passer_by)

    def place_residents(self, rng: np.random.Generator, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whom place-based patrol meets at each of `places`: a passer-by from anywhere in
        the beat (policing.place_stop_passer_by_share), else a resident living at the place
        or an adjacent one. Returns the residents and the passer-by mask."""
        u = rng.random((3, len(places)))
        residents = self.places.residents_near(places, u[0])
        passer_by = (u[1] < self.config.policing.place_stop_passer_by_share) | (residents < 0)
        beats = self.pop.place_neighbourhood[places[passer_by]]
        residents[passer_by] = self.pop.nb_start[beats] + (u[2][passer_by] * self.pop.nb_size[beats]).astype(np.int64)
        return residents, passer_by

    def _stops(
        self,
        beats: np.ndarray,
        u: np.ndarray,
        *,
        residents: np.ndarray | None = None,
        passer_by: np.ndarray | None = None,
    ) -> None:
        """Stops in the given beats from five uniforms each: officer, resident,
        known-resident choice, which known resident, bad outcome. Stops at places
        give their `residents`; only passers-by may then be residents the officer knows."""
        if len(beats) == 0:
            return
        pc = self.config.policing
        officer = self._officer_from_uniform(beats, u[0])
        if pc.stop_skill_slope > 0:
            keep = self._officer_stops(beats, u[0], officer)
            beats, u, officer = beats[keep], u[:, keep], officer[keep]
            if residents is not None:
                residents, passer_by = residents[keep], passer_by[keep]
        if residents is None:
            residents = self.pop.nb_start[beats] + (u[1] * self.pop.nb_size[beats]).astype(np.int64)
        known = self.officer_known
        n_known = self.officer_known_count[officer]
        use_known = (u[2] < pc.known_contact_share) & (n_known > 0)
        if passer_by is not None:
            use_known &= passer_by
        pick = (u[3][use_known] * n_known[use_known]).astype(np.int64)
        residents[use_known] = known.indices[known.indptr[officer[use_known]] + pick]
        bad = u[4] < self.contact_bad_probability(officer, residents, pc.enforcement_bad_multiplier)
        self.record_contacts(residents, bad)
        self.contacts.police_initiated += len(residents)

    def _officer_stops(self, beats: np.ndarray, u_officer: np.ndarray, officer: np.ndarray) -> np.ndarray:
        """Which potential stops the chosen officer makes: 1 - policing.stop_skill_slope x skill of them
        (skilled, PJ-trained officers use less discretionary enforcement). Decided by what is left of the
        officer-choosing uniform after the choice (uniform and independent of it), so no stream draws more."""
        count = self.beat_officer_count[beats]
        if not self.every_beat_staffed:
            count = np.where(count > 0, count, len(self.officer_beat))
        choice = u_officer * count
        leftover = choice - np.floor(choice)
        return leftover < 1.0 - self.config.policing.stop_skill_slope * self.officer_skill[officer]

    def add_presence(self, hours_by_beat: np.ndarray) -> None:
        """Visible police hours today from a policy that has no `visibility` knob (a custom policy):
        built-in policies' hours count by their knob, response and patrol count whole."""
        self.today.presence_extra += hours_by_beat

    def add_place_patrol(
        self,
        places: np.ndarray,
        hours_per_place: float | np.ndarray,
        *,
        protected_hours_per_place: float | np.ndarray | None = None,
        activity: str | None = None,
    ) -> None:
        """Officer hours spent at places today. Offenders there sense the hours the place
        is protected (by default the hours themselves; directed visits also leave residual
        deterrence, crime.protected_hours); `activity` names them in places.parquet."""
        protected = hours_per_place if protected_hours_per_place is None else protected_hours_per_place
        self.today.place_patrol_hours[places] += protected
        if activity is not None:
            hours = self.today.place_hours.setdefault(activity, np.zeros(self.pop.n_places))
            hours[places] += hours_per_place

    def complete_project(self, place: int, opportunity: float) -> None:
        """A problem-solving project completed at `place` today: its crime opportunity
        becomes `opportunity` unless an earlier project left it lower (no compounding)."""
        self.place_opportunity[place] = min(self.place_opportunity[place], opportunity)
        self.today.problem_places.append(int(place))

    def add_liaison_coverage(self, share_by_beat: np.ndarray) -> None:
        """Liaison coverage today (a share of each beat's barrier they can offset)."""
        self.today.liaison_coverage += share_by_beat

    def top_places(
        self, k: int, neighbourhoods: np.ndarray | None = None, exclude: np.ndarray | None = None
    ) -> np.ndarray:
        """The k places with the most crime in the police's picture (recorded, not true)."""
        score = self.police_picture + 1e-9 * self.place_tiebreak
        if neighbourhoods is None and exclude is None:  # every place (the daily metric)
            return _top_k(score, k)
        eligible = np.ones(self.pop.n_places, dtype=bool)
        if neighbourhoods is not None:
            eligible &= np.isin(self.pop.place_neighbourhood, neighbourhoods)
        if exclude is not None:
            eligible &= ~exclude
        idx = np.flatnonzero(eligible)
        return idx[_top_k(score[idx], k)]

    def top_places_per_beat(self, counts_by_beat: np.ndarray) -> np.ndarray:
        """Each beat's `counts_by_beat[b]` places with the most crime in the police's picture,
        grouped by beat in beat order (most crime first within a beat)."""
        nb = self.pop.place_neighbourhood
        order = np.lexsort((-(self.police_picture + 1e-9 * self.place_tiebreak), nb))
        rank = np.arange(self.pop.n_places) - self.pop.place_start[nb[order]]  # places are numbered beat by beat
        return order[rank < np.asarray(counts_by_beat)[nb[order]]]

    def target_neighbourhoods(self, knobs) -> np.ndarray | None:
        """The neighbourhoods a policy's knobs select (None = all)."""
        if knobs is None:
            return None
        target = getattr(knobs, "target", "listed")
        if target == "listed":
            return np.asarray(knobs.neighbourhoods, dtype=np.int64) if knobs.neighbourhoods else None
        score = self.pop.mean_by_neighbourhood(self.trust) if target == "lowest_trust" else -self.barrier_nb
        return np.argsort(score, kind="stable")[: knobs.target_count]

    def add_surge(self, start: int, end: int, neighbourhoods: np.ndarray, multiplier: float) -> None:
        """Offending in `neighbourhoods` x `multiplier` on days [start, end)."""
        self.surges.append((start, end, np.asarray(neighbourhoods), multiplier))

    def add_fear(
        self, start: int, end: int, residents: np.ndarray, reporting_cost: float, participation_cost: float
    ) -> None:
        """Enforcement fear among `residents` (a mask) on days [start, end): logit costs."""
        self.fears.append(barriers.Fear(start, end, residents, reporting_cost, participation_cost))

    def perceived_certainty(self) -> np.ndarray:
        """Offenders' perceived certainty of apprehension per beat (cleared / all incidents, smoothed)."""
        return perceptions.perceived_certainty(self.cleared_smoothed, self.crimes_certainty_smoothed)

    def officer_hours_today(self, officer: Officer) -> dict[str, float]:
        b = officer.beat
        share = 1.0 / max(self.beat_officer_count[b], 1)
        return {a: float(h[b] * share) for a, h in self.today.hours.items()}

    @property
    def hours_today(self) -> dict[str, np.ndarray]:
        """Officer hours per activity and beat on the day just simulated (or today, within a step)."""
        return self.today.hours

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day, in the ODD's order."""
        self.today = self.day_arrays.start()
        self._events_and_schedule()
        self._workforce()
        self._crime()
        self._reporting()
        self._response()
        self._policy_activities()
        self._police_initiated_contacts()
        self._trust()
        self._coproduction()
        self._efficacy()
        self._perceptions()
        if self.day >= 0:
            self._record()
        self.contacts = Contacts()  # contacts made between steps count toward the next day
        self.day += 1

    def burn_in(self) -> None:
        """Run the unrecorded burn-in days up to day 0 without advancing Mesa's
        clock, so that afterwards `model.time == model.steps == model.day == 0`."""
        while self.day < 0:
            type(self).step(self)  # the class's step, unwrapped: Mesa's `self.step` also advances time

    def continue_as(self, config: Config) -> None:
        """Run on from here as if built with `config`: after a burn-in shared by configurations
        that differ only in [policy] keys burn-in does not read (shared_burn_in.py)."""
        self.config = config
        self.policy_config = config.policy
        self._schedule = sorted(config.policy.schedule, key=lambda e: e.day)

    def run(self, days: int | None = None, progress=None) -> None:
        """Run `days` recorded days (default `config.run.days`)."""
        days = self.config.run.days if days is None else days
        for _ in range(days):
            self.step()
            if progress is not None:
                progress()

    # -- 0. events and schedules
    def _events_and_schedule(self) -> None:
        while self._schedule and self._schedule[0].day <= self.day:
            self.policy_config = self.policy_config.at(self._schedule.pop(0))
        while self._pending_events and self._pending_events[0].day <= self.day:
            events_mod.apply_event(self, self._pending_events.pop(0))
        self.today.fear_costs = barriers.fear_costs(self.fears, self.day, self.pop.n)

    # -- 0b. workforce
    def _workforce(self) -> None:
        """Routine turnover (recruits replace leavers), recruits get to know residents,
        and procedural-justice training gains fade; the officer arrays are rebuilt only
        when the force or who knows whom changed."""
        pc = self.config.policing
        rng = self.streams["workforce"]
        turnover = workforce.routine_turnover(
            self,
            self.officer_list,
            rng,
            annual_rate=pc.annual_turnover_rate,
            skill_mean=pc.pj_skill_mean,
            skill_sd=pc.pj_skill_sd,
        )
        acquainted = workforce.get_acquainted(
            list(self.officers) if turnover else self.officers_as_joined,
            rng,
            self.pop.nb_start,
            self.pop.nb_size,
            target=pc.known_residents_per_officer,
            acquaintance_days=pc.acquaintance_days,
        )
        decay_days = self.policy_config.procedural_justice_training.gain_decay_days
        if turnover:
            workforce.fade_training_gains(list(self.officers), gain_decay_days=decay_days)
            self.refresh_officers()
            return
        if workforce.fade_training_gains(self.officer_list, gain_decay_days=decay_days):
            self.officer_skill = np.array([o.pj_skill for o in self.officer_list], dtype=float)
        if acquainted:
            self.officer_version += 1  # (as after any change of the officers: policies re-check their caches)
            self._refresh_known(grown=acquainted)

    # -- 1. crime
    def _crime(self) -> None:
        cfg = self.config.crime
        cap = cfg.max_rate_multiplier
        potential = crime.draw_potential_incidents(self.streams["crime"], self.incident_draw)
        if len(potential):  # (no potential incident, nothing to thin: common in small cities)
            potential = crime.occurring(potential, self._offending_multiplier_by_place(), cap)
        self.today.incidents = potential
        self.today.crimes_nb = np.bincount(potential.neighbourhood, minlength=self.pop.n_neighbourhoods)

    def _offending_multiplier_by_place(self) -> np.ndarray:
        """Today's offending multiplier at each place: deterrence and collective efficacy in
        its beat, surges, problem-solving, and directed patrol at and next to the place."""
        cfg = self.config.crime
        mult_nb = crime.deterrence_multiplier(
            self.perceived_presence,
            self.perceived_certainty(),
            reference_presence=cfg.reference_visible_hours_per_1000_per_day,
            reference_certainty=cfg.reference_certainty,
            presence_elasticity=cfg.presence_elasticity,
            certainty_elasticity=cfg.certainty_elasticity,
        ) * crime.efficacy_multiplier(self.efficacy, coef=cfg.efficacy_coef, reference=cfg.efficacy_reference)
        for start, end, nbs, factor in self.surges:
            if start <= self.day < end:
                mult_nb[nbs] *= factor
        by_place = mult_nb[self.pop.place_neighbourhood] * self.place_opportunity
        if self.place_presence.any():
            # Directed patrol deters where it is: the same presence law at the scale of a place, its
            # smoothed directed hours on top of the reference visible hours of a place of its beat;
            # what it deters at a place spills over to adjacent places.
            at_place = crime.place_presence_multiplier(
                self.place_presence, self.reference_hours_per_place, presence_elasticity=cfg.presence_elasticity
            )
            by_place *= at_place
            by_place *= crime.spillover_multiplier(
                1.0 - at_place,
                self.places.adjacency,
                displacement_share=cfg.displacement_share,
                diffusion_share=cfg.diffusion_share,
            )
        elif self.unpatrolled_place_multiplier is not None:
            by_place *= self.unpatrolled_place_multiplier
        return by_place

    # -- 2. reporting
    def _reporting(self) -> None:
        rc = self.config.reporting
        inc = self.today.incidents
        if not len(inc):
            self.today.reported = self.today.third_party = np.zeros(0, dtype=bool)
            return
        nb = inc.neighbourhood
        norm = perceptions.reporting_norm(self.reports_smoothed, self.crimes_smoothed)
        p = reporting.report_probability(
            inc.seriousness,
            self.trust[inc.victim],
            norm[nb],
            self.efficacy[nb],
            self.pop.has_alternatives[inc.victim],
            intercept=rc.intercept,
            seriousness_coef=rc.seriousness_coef,
            trust_coef=rc.trust_coef,
            norm_coef=rc.norm_coef,
            norm_reference=rc.norm_reference,
            efficacy_coef=rc.efficacy_coef,
            efficacy_reference=self.config.crime.efficacy_reference,
            alternatives_coef=rc.alternatives_coef,
            extra_cost=self._reporting_costs(inc.victim),
        )
        self.today.reported = reported = reporting.decide(p, inc.u_report)
        self.today.third_party = ~reported & (inc.u_third < rc.third_party_probability)

    def _reporting_costs(self, victims: np.ndarray) -> np.ndarray | float:
        """Logit costs of reporting from communication barriers and enforcement fear (0 without either)."""
        cost = 0.0
        if self.has_barriers:
            cost = self.config.barriers.reporting_cost * self.effective_barrier(victims)
        fear = self.today.fear_costs
        if fear is not None:
            cost = cost + fear.reporting[victims]
        return cost

    # -- 3. response, clearance and resident-initiated contacts
    def _response(self) -> None:
        """Calls for service take officer time first: victims' reports, others'
        reports and other calls (residents' calls are contacts). When calls take
        more of the shift, response quality (clearance) falls; above capacity some
        calls go unanswered."""
        pc, cc, today = self.config.policing, self.config.coproduction, self.today
        rng = self.streams["service"]
        k = self.pop.n_neighbourhoods
        callers, u_calls = self.callers.draw(rng, self.trust)
        other_calls = self.other_calls.draw(rng)

        inc, reported, third = today.incidents, today.reported, today.third_party
        rep = inc.subset(reported)
        n_third = int(np.count_nonzero(third))
        # Officer hours per beat: victims' reports, others' reports, then the other calls (terms that are
        # 0, as on most days of a small city, are left out: adding 0 changes no sum)
        hours_nb = np.zeros(k)
        if len(rep):
            hours_nb += np.bincount(rep.neighbourhood, weights=self.response_hours_by_kind[rep.kind], minlength=k)
        if n_third:
            others_nb, others_kind = inc.neighbourhood[third], inc.kind[third]
            hours_nb += np.bincount(others_nb, weights=self.response_hours_by_kind[others_kind], minlength=k)
        call_nb = self.pop.neighbourhood[callers].astype(np.int64)
        hours_nb += (np.bincount(call_nb, minlength=k) + other_calls) * pc.service_call_hours
        demand = float(hours_nb.sum())
        on_duty = self.officer_hours_total
        today.calls = len(rep) + n_third + len(callers) + int(other_calls.sum())
        today.hours_demanded, today.hours_on_duty = demand, on_duty
        today.served = response.served_share(demand, on_duty)
        today.effort = response.response_effort(demand, on_duty, reference_utilisation=pc.reference_utilisation)
        today.hours_committed = min(demand, on_duty)
        today.hours["response"][:] = hours_nb * today.served

        if today.served < 1.0:  # above capacity: a random share of calls waits in vain
            u = self.streams["unanswered"].random(len(rep) + len(callers))
            answered_rep, answered_call = u[: len(rep)] < today.served, u[len(rep) :] < today.served
            answered, answered_callers = rep.subset(answered_rep), callers[answered_call]
            answered_call_nb, u_calls = call_nb[answered_call], u_calls[:, answered_call]
        else:
            answered_rep, answered, answered_callers = np.ones(len(rep), dtype=bool), rep, callers
            answered_call_nb = call_nb
        cleared = np.zeros(0, dtype=bool)
        if len(rep):
            p_clear = coproduction.clearance_probability(
                self.clearance_by_kind[rep.kind],
                today.effort,
                self.resident_input_nb[rep.neighbourhood],
                effort_elasticity=cc.effort_elasticity,
                input_elasticity=cc.input_elasticity,
                input_reference=cc.input_reference,
            )
            cleared = answered_rep & (rep.u_clear < p_clear)
        today.reported_incidents, today.cleared = rep, cleared

        if len(self.officer_beat) and (len(answered) or len(answered_callers)):
            # contacts with reporting victims, then with callers (most days of a small city: callers only)
            if len(answered):
                victims = np.concatenate([answered.victim, answered_callers])
                beats = np.concatenate([answered.neighbourhood, answered_call_nb])
                u_officer, u_bad = (
                    np.concatenate([answered.u_officer, u_calls[0]]),
                    np.concatenate([answered.u_bad, u_calls[1]]),
                )
            else:
                victims, beats, (u_officer, u_bad) = answered_callers, answered_call_nb, u_calls
            officer = self._officer_from_uniform(beats, u_officer)
            self.record_contacts(victims, u_bad < self.contact_bad_probability(officer, victims))
        self._followups(rep, answered_rep)
        shocks = self.contacts.shocks
        if len(inc):
            shocks.victim_uncleared.extend([inc.victim[~reported], rep.victim[~cleared]])
            shocks.victim_cleared.append(rep.victim[cleared])
        if today.served < 1.0:
            shocks.unanswered.extend([rep.victim[~answered_rep], callers[~answered_call]])

    def _followups(self, rep, answered: np.ndarray) -> None:
        """Two-way communication: an officer calls a share of answered reporting victims back
        about their case, as far as the shift's uncommitted hours allow; the time is committed."""
        pc, today = self.config.policing, self.today
        if not len(rep):
            today.followups = 0
            return
        u = self.streams["followup"].random(len(rep))
        called = np.flatnonzero(answered & (u < pc.followup_share))
        if pc.followup_hours > 0:
            spare = max(0.0, today.hours_on_duty - today.hours_committed)
            called = called[: int(spare / pc.followup_hours)]
        hours_nb = np.bincount(rep.neighbourhood[called], minlength=self.pop.n_neighbourhoods) * pc.followup_hours
        today.hours["response"] += hours_nb
        today.hours_committed += float(hours_nb.sum())
        today.followups = len(called)
        victims = rep.victim[called]
        self.last_contact_day[victims] = self.day
        self.contacts.total += len(victims)
        self.record_feedback(victims)

    # -- 4. policy: discretionary hours
    def _policy_activities(self) -> None:
        today = self.today
        hours = today.hours
        discretionary = max(0.0, today.hours_on_duty - today.hours_committed)
        # Burn-in runs the reactive baseline, so every policy starts day 0 from the same state.
        shares = policy_shares(self.policy_config, self._every_policy()) if self.day >= 0 else {}
        used_total = 0.0
        for name, policy in self._policies.items():
            policy.mark_active(self.day, name in shares)
        for name, share in shares.items():
            policy = self.policy(name)
            given = self._spread(discretionary * share, policy)
            # Fidelity: only a share of the hours is spent as designed; the rest becomes random patrol below.
            designed = given * policy.fidelity(self.day)
            used = policy.act(designed)
            if (
                used.sum() > designed.sum()
            ):  # a policy never spends more than it is given (it may move hours between beats)
                used = used * (designed.sum() / used.sum())
            hours[policy.activity] += used
            today.allocated[policy.activity] += given
            used_total += float(used.sum())
        # Hours a policy does not spend (whole visits, meetings not yet due) become random patrol.
        hours["patrol"][:] = response.split_hours_by_residents(max(discretionary - used_total, 0.0), self.pop.nb_size)
        today.allocated["response"][:] = hours["response"]
        today.allocated["patrol"][:] = hours["patrol"]
        today.visible_hours = self._visible_hours({REGISTRY[name].activity for name in shares})

    def _every_policy(self) -> dict:
        """Every registered policy's instance (each created on first use), by name."""
        if len(self._policies) < len(REGISTRY):
            for name in REGISTRY:
                self.policy(name)
        return self._policies

    def _visible_hours(self, worked: set[str]) -> np.ndarray:
        """Visible police hours per beat: response and patrol count whole, each
        policy's hours by its `visibility` (meetings and training are off the street),
        plus what policies without knobs add themselves (add_presence). `worked`: the
        activities of today's policies (the others have no hours, so add nothing)."""
        hours = self.today.hours
        visible = hours["response"] + hours["patrol"] + self.today.presence_extra
        for activity, visibility in self._visibilities():
            if activity in worked:
                visible += hours[activity] * visibility
        return visible

    def _visibilities(self) -> list[tuple[str, float]]:
        """(activity, visibility) of each policy with knobs, other than response and patrol,
        for today's policy config (kept until a schedule or action replaces it)."""
        if self._visibility_of is not self.policy_config or self._visibility_registry != len(REGISTRY):
            hours = self.today.hours
            self._visibility_list = [
                (cls.activity, knobs.visibility)
                for name, cls in REGISTRY.items()
                if (knobs := getattr(self.policy_config, name, None)) is not None
                and cls.activity in hours
                and cls.activity not in ("response", "patrol")
            ]
            self._visibility_of, self._visibility_registry = self.policy_config, len(REGISTRY)
        return self._visibility_list

    def _spread(self, hours: float, policy) -> np.ndarray:
        """A policy's hours over beats, in proportion to the residents it reaches
        (its groups, if any) in the neighbourhoods it targets."""
        groups = getattr(policy.knobs, "groups", None)
        if groups:
            weights = self.pop.block_size[:, self.pop.group_ids(groups)].sum(axis=1).astype(float)
        else:
            weights = self.pop.nb_size.astype(float)
        targets = self.target_neighbourhoods(policy.knobs)
        if targets is not None:
            mask = np.zeros(len(weights), dtype=bool)
            mask[targets] = True
            weights = np.where(mask, weights, 0.0)
        return hours * weights / weights.sum() if weights.sum() > 0 else np.zeros_like(weights)

    # -- 5. police-initiated contacts from patrol
    def _police_initiated_contacts(self) -> None:
        if not len(self.officer_beat):
            return
        beats, u = response.patrol_stops(
            self.streams["stops"],
            self.today.hours["patrol"],
            self.most_patrol_hours,
            self.potential_stops,
        )
        self._stops(beats, u)

    # -- 6. trust
    def _trust(self) -> None:
        tc = self.config.trust
        if self.trust_frozen:
            return
        if not self.compiled:
            self.compiled = kernels.numpy_day(self.pop.n)
        threads = self.compiled and kernels.use_threads(self.pop.n)
        if self.compiled and not threads and self.rows_by_degree is None:
            self.rows_by_degree = trust.rows_by_degree(self.adj)
        delta = trust.trust_change(
            self.trust,
            self.anchor,
            self.adj,
            self.degree,
            self.contacts.shocks,
            self.streams["talk"],
            anchor_rate_per_day=tc.anchor_rate_per_day,
            social_rate_per_day=tc.social_rate_per_day,
            negative_contact_effect=tc.negative_contact_effect,
            positive_contact_effect=tc.positive_contact_effect,
            designed_contact_effect=tc.designed_contact_effect,
            vicarious_fraction=tc.vicarious_fraction,
            talk_probability=tc.talk_probability,
            victimization_effect=tc.victimization_effect,
            clearance_effect=tc.clearance_effect,
            unanswered_call_effect=tc.unanswered_call_effect,
            feedback_effect=tc.feedback_effect,
            compiled=self.compiled,
            threads=threads,
            weighted=self.network_weighted,
            row_order=self.rows_by_degree,
        )
        trust.apply_and_drift(
            self.trust,
            delta,
            self.anchor,
            self.pop.initial_trust,
            anchor_drift_years=tc.anchor_drift_years,
            prior_pull_years=tc.prior_pull_years,
            compiled=self.compiled,
            threads=threads,
        )

    # -- 7. co-production
    def _coproduction(self) -> None:
        cc = self.config.coproduction
        fear = self.today.fear_costs
        self.participation = coproduction.participation(
            self.trust,
            self.efficacy,
            self.pop.nb_start,
            self.pop.nb_size,
            intercept=cc.participation_intercept,
            trust_coef=cc.participation_trust_coef,
            efficacy_coef=cc.participation_efficacy_coef,
            extra_cost=None if fear is None else fear.participation,
            compiled=self.compiled,
        )

    # -- 8. collective efficacy (and what participants pass on, which clearance uses tomorrow)
    def _efficacy(self) -> None:
        ec = self.config.efficacy
        self._resident_input()
        self.efficacy = efficacy.update_efficacy(
            self.efficacy,
            self.cohesion,
            self.participation_nb,
            self.today.crimes_nb / self.residents_per_1000,
            adjust_rate_per_day=ec.adjust_rate_per_day,
            cohesion_weight=ec.cohesion_weight,
            participation_weight=ec.participation_weight,
            crime_erosion=ec.crime_erosion,
        )

    def _resident_input(self) -> None:
        """Participation per neighbourhood, and the information it passes on
        (discounted by communication barriers; equal to participation without them)."""
        self.participation_nb = self.pop.mean_by_neighbourhood(self.participation)
        if not self.has_barriers:
            self.resident_input_nb = self.participation_nb
            return
        passed_on = barriers.information_passed_on(
            self.participation,
            self.effective_barrier(np.arange(self.pop.n)),
            information_penalty=self.config.barriers.information_penalty,
        )
        self.resident_input_nb = self.pop.mean_by_neighbourhood(passed_on)

    # -- 9. perceptions (offenders' sense of risk, residents' reporting norm, the police's picture)
    def _perceptions(self) -> None:
        today, k = self.today, self.pop.n_neighbourhoods
        inc, reported = today.incidents, today.reported
        a_risk = 1.0 / self.config.crime.perception_memory_days
        a_certainty = 1.0 / self.config.crime.certainty_memory_days
        a_norm = 1.0 / self.config.reporting.norm_memory_days
        perceptions.smooth(self.perceived_presence, today.visible_hours / self.residents_per_1000, a_risk)
        perceptions.smooth(self.place_presence, today.place_patrol_hours, a_risk)
        # The police's picture of where crime is: recorded incidents (victims' and
        # others' reports), plus what engaged residents reveal of the rest (local
        # knowledge), smoothed.
        recorded = reported | today.third_party
        perceptions.add_to_picture(self.police_picture, inc.place[recorded], a_norm)
        weight = self.config.policing.local_knowledge_weight
        if weight > 0 and len(inc):
            hidden = ~recorded
            u = self.streams["local_knowledge"].random(int(np.count_nonzero(hidden)))
            revealed = perceptions.revealed_places(
                inc.place[hidden], inc.neighbourhood[hidden], self.resident_input_nb, u, local_knowledge_weight=weight
            )
            np.add.at(self.police_picture, revealed, a_norm)
        perceptions.add_to_picture(self.true_picture, inc.place, a_norm)
        perceptions.smooth(self.liaison_coverage, today.liaison_coverage, a_risk)
        perceptions.restore_opportunity(
            self.place_opportunity, effect_decay_years=self.policy_config.problem_oriented.effect_decay_years
        )
        today.reports_nb = np.bincount(inc.neighbourhood[reported], minlength=k)
        today.cleared_nb = np.bincount(today.reported_incidents.neighbourhood[today.cleared], minlength=k)
        perceptions.smooth(self.crimes_smoothed, today.crimes_nb, a_norm)
        perceptions.smooth(self.reports_smoothed, today.reports_nb, a_norm)
        # Offenders' perceived certainty: cleared / all incidents, learned slowly.
        perceptions.smooth(self.cleared_smoothed, today.cleared_nb, a_certainty)
        perceptions.smooth(self.crimes_certainty_smoothed, today.crimes_nb, a_certainty)

    # -- 10. record
    def _record(self) -> None:
        rows = recording.record_day(self, neighbourhoods=self.config.output.neighbourhood_metrics)
        if rows is not None:
            self.neighbourhood_rows.append(rows)
        if self.place_tally is not None:
            self.place_tally.add_day(self)

    # ------------------------------------------------------------------ outputs
    def timeseries(self) -> pd.DataFrame:
        """The daily metrics table (one row per recorded day)."""
        return self.datacollector.log.table()

    @property
    def metrics(self) -> dict[str, float]:
        """The last recorded day's metrics, by name (empty before the first)."""
        return self.datacollector.log.last_day()

    def neighbourhood_table(self) -> pd.DataFrame:
        """Per-neighbourhood daily metrics, long format (day, neighbourhood, metrics)."""
        return recording.neighbourhood_table(self.neighbourhood_rows, self.activities)

    def place_table(self, replicate: int = 0, seed: int = 0) -> pd.DataFrame:
        """The per-place table (places.parquet) of the recorded days; needs output.places."""
        if self.place_tally is None:
            raise ValueError("no per-place counts: set output.places = true (or --places) before the run")
        return place_outputs.place_table(
            self.place_tally,
            self.places.adjacency,
            self.pop.place_neighbourhood,
            replicate=replicate,
            seed=seed,
            treated_min_hours=self.config.output.treated_min_hours,
        )

    def share_contacted(self, days: int = DAYS_PER_YEAR) -> float:
        """Share of residents with at least one police contact in the last `days` days (C4)."""
        return float(np.mean(self.last_contact_day > self.day - 1 - days))
