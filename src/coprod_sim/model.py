"""CoProductionModel: a Mesa model with a columnar core.

Residents live in numpy arrays indexed by resident id; the social network is an
immutable CSR adjacency; officers are Mesa agents. `step()` is one day and calls
the submodels in the order of docs/ODD.md ("Process overview and scheduling").
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import events as events_mod
from . import recording
from .agents import Officer, Resident
from .config import Config, per_day
from .network import build_network, load_graph_file, order_user_graph, user_network
from .policies import REGISTRY, policy_shares
from .population import beta_draws, build_population
from .streams import as_seed_sequence, stream
from .submodels import coproduction, crime, efficacy, reporting, response, trust
from .submodels.crime import VIOLENT

NEVER = np.iinfo(np.int32).min // 2


class Streams(dict):
    """Named random streams, created on first use from the run's SeedSequence."""

    def __init__(self, seq: np.random.SeedSequence):
        super().__init__()
        self.seq = seq

    def __missing__(self, name: str) -> np.random.Generator:
        self[name] = gen = stream(self.seq, name)
        return gen


def activity_names() -> list[str]:
    """Officer activities with an `hours_<activity>` column, in a stable order."""
    names = ["response", "patrol"]
    for cls in REGISTRY.values():
        if cls.activity not in names:
            names.append(cls.activity)
    return names


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
        self.streams = Streams(self.seed_sequence)
        super().__init__(rng=self.streams["mesa"])
        self.day = -config.run.burn_in_days  # day 0 is the first recorded day

        self._build_population_and_network()
        self._init_resident_state()
        self._init_officers()
        self._init_neighbourhood_state()
        self._init_barriers()
        self._init_crime_opportunity()

        self.policy_config = config.policy
        self._schedule = sorted(config.policy.schedule, key=lambda e: e.day)
        self._policies: dict = {}
        self.trust_frozen = False
        self.surges: list[tuple[int, int, np.ndarray, float]] = []
        self._pending_events = sorted(config.events, key=lambda e: e.day)
        self._shocks = trust.Shocks()
        self._contacts = {"total": 0, "negative": 0, "positive": 0, "designed": 0, "police_initiated": 0}
        self.hours_today = {a: np.zeros(self.pop.n_neighbourhoods) for a in activity_names()}
        self._presence_extra = np.zeros(self.pop.n_neighbourhoods)
        self.metrics: dict[str, float] = {}
        self._nb_rows: list[dict[str, np.ndarray]] = []

        self._fears_today = None
        self._coproduction()
        self._participation_nb = self._mean_by_neighbourhood(self.participation)
        self._input_nb = self._information_by_neighbourhood()
        self.metric_names = recording.metric_names(self)
        self.datacollector = recording.collector(self.metric_names)

        if len(self.pop.neighbourhood) <= config.output.agent_views_max_residents:
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

    def _init_resident_state(self) -> None:
        n = self.pop.n
        self.trust = self.pop.initial_trust.astype(np.float64).copy()
        self.anchor = self.trust.copy()
        self.participation = np.zeros(n)
        self.last_contact_day = np.full(n, NEVER, dtype=np.int32)
        self.last_visit_day = np.full(n, NEVER, dtype=np.int32)
        self.group_sizes = np.bincount(self.pop.group, minlength=len(self.pop.group_names))
        # Residents are numbered in contiguous (neighbourhood, group) blocks, so sums
        # over neighbourhoods or blocks are np.add.reduceat over block starts.
        sizes = self.pop.block_size.ravel()
        self._blocks_nonempty = np.flatnonzero(sizes > 0)
        self._block_starts = self.pop.block_start.ravel()[self._blocks_nonempty]
        self._nb_nonempty = np.flatnonzero(self.pop.nb_size > 0)

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
        self.refresh_officers()

    def add_officer(self, beat: int, skill: float, hours_per_day: float, *, knows_residents: bool, rng=None, language_skill: float = 0.0) -> Officer:
        officer = Officer(self, beat, skill, hours_per_day, language_skill)
        n_known = self.config.policing.known_residents_per_officer if knows_residents else 0
        size = int(self.pop.nb_size[beat])
        if n_known and size:
            rng = rng or self.streams["officers"]
            officer.known = np.unique(self.pop.nb_start[beat] + rng.integers(0, size, n_known))
        else:
            officer.known = np.empty(0, dtype=np.int64)
        return officer

    @property
    def officers(self):
        return self.agents_by_type[Officer] if Officer in self.agents_by_type else []

    def refresh_officers(self) -> None:
        """Rebuild the officer arrays after officers joined or left."""
        self.officer_version = getattr(self, "officer_version", 0) + 1  # lets policies cache per force
        officers = sorted(self.officers, key=lambda o: (o.beat, o.unique_id))
        for i, o in enumerate(officers):
            o.index = i
        self.officer_list = officers
        k = self.pop.n_neighbourhoods
        self.officer_beat = np.array([o.beat for o in officers], dtype=np.int64)
        self.officer_skill = np.array([o.pj_skill for o in officers], dtype=float)
        self.officer_hours = np.array([o.hours_per_day for o in officers], dtype=float)
        self.officer_language = np.array([o.language_skill for o in officers], dtype=float)
        self.beat_officer_count = np.bincount(self.officer_beat, minlength=k)
        self.beat_officer_start = np.concatenate([[0], np.cumsum(self.beat_officer_count)[:-1]])
        known = [o.known for o in officers]
        lengths = np.array([len(x) for x in known], dtype=np.int64)
        indices = np.concatenate(known).astype(np.int64) if known else np.empty(0, dtype=np.int64)
        self.officer_known = sp.csr_array((np.ones(len(indices)), indices, np.concatenate([[0], np.cumsum(lengths)])), shape=(len(officers), self.pop.n))

    def _init_neighbourhood_state(self) -> None:
        cfg = self.config
        self.efficacy = np.clip(cfg.per_neighbourhood(cfg.efficacy.initial), 0, 1)
        self.cohesion = cfg.per_neighbourhood(cfg.efficacy.cohesion)
        k = self.pop.n_neighbourhoods
        self.perceived_presence = np.full(k, cfg.crime.reference_patrol_hours_per_1000_per_day)
        self.residents_per_1000 = self.pop.nb_size / 1000.0
        self._nb_share = self.pop.nb_size / self.pop.n  # weights of citywide means of neighbourhood values

    def _init_barriers(self) -> None:
        """Communication barriers (language access, cultural distance) per resident."""
        bc, pop = self.config.barriers, self.pop
        nb_barrier = self.config.per_neighbourhood(bc.neighbourhood)
        group_barrier = np.array([bc.group.get(g, 0.0) for g in pop.group_names])
        self.barrier = 1.0 - (1.0 - nb_barrier[pop.neighbourhood]) * (1.0 - group_barrier[pop.group])
        self.has_barriers = bool(self.barrier.any())
        self.barrier_nb = self._mean_by_neighbourhood(self.barrier)
        self.liaison_coverage = np.zeros(pop.n_neighbourhoods)  # smoothed share of the barrier liaisons can offset
        self._liaison_today = np.zeros(pop.n_neighbourhoods)
        self.fears: list = []  # active enforcement-fear events: (start, end, resident mask, reporting cost, participation cost)

    def effective_barrier(self, residents: np.ndarray) -> np.ndarray:
        """Residents' barrier after what liaisons offset in their neighbourhood."""
        offset = self.policy_config.liaison.barrier_offset
        return self.barrier[residents] * (1.0 - offset * self.liaison_coverage[self.pop.neighbourhood[residents]])

    def contact_bad_probability(self, officers: np.ndarray, residents: np.ndarray, multiplier: float = 1.0) -> np.ndarray:
        """Chance each contact goes badly: the officer's procedural-justice skill,
        lowered by the resident's communication barrier unless the officer has
        language / cultural skill."""
        skill = self.officer_skill[officers]
        if self.has_barriers:
            b = self.effective_barrier(residents) * (1.0 - self.officer_language[officers])
            skill = skill * (1.0 - self.config.barriers.fairness_penalty * b)
        return response.bad_contact_probability(skill, bad_contact_max=self.config.policing.bad_contact_max, multiplier=multiplier)

    def _fear_costs(self, day: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Per-resident (reporting, participation) logit costs of active enforcement fears."""
        active = [f for f in self.fears if f[0] <= day < f[1]]
        if not active:
            return None
        report = np.zeros(self.pop.n)
        part = np.zeros(self.pop.n)
        for _, _, mask, rc, pc in active:
            report[mask] += rc
            part[mask] += pc
        return report, part

    def _init_crime_opportunity(self) -> None:
        cfg = self.config
        pop = self.pop
        self.pressure = crime.place_pressure(pop)
        self.pressure_nb = np.bincount(pop.place_neighbourhood, weights=self.pressure, minlength=pop.n_neighbourhoods)
        self.pressure_cumsum = np.cumsum(self.pressure)
        self.place_opportunity = np.ones(pop.n_places)  # lowered by problem-solving (policies)
        self.place_hotspot_hours = np.zeros(pop.n_places)  # directed patrol today
        self.place_presence = np.zeros(pop.n_places)  # offenders' smoothed sense of it
        self.police_picture = np.zeros(pop.n_places)  # smoothed recorded + revealed crime per place
        self.true_picture = np.zeros(pop.n_places)  # smoothed true crime per place (for the accuracy metric)
        self._top_k = max(1, int(round(0.05 * pop.n_places)))
        self._place_tiebreak = self.streams["places"].random(pop.n_places)
        base = np.array([per_day(cfg.crime.violent_per_1000_per_year), per_day(cfg.crime.property_per_1000_per_year)]) / 1000.0
        self.base_rate_per_day = base
        # Smoothed counts behind the reporting norm and perceived clearance; started
        # at their reference values so the first days are neutral.
        expected = base.sum() * self.pressure_nb
        self.crimes_smoothed = expected.copy()
        self.reports_smoothed = expected * cfg.reporting.norm_reference
        self.reports_risk_smoothed = self.reports_smoothed.copy()
        self.cleared_smoothed = self.reports_smoothed * cfg.crime.reference_clearance_rate

    # ------------------------------------------------------------------ helpers used by policies and events
    def random_residents(self, rng: np.random.Generator, neighbourhoods: np.ndarray, groups: list[str] | None = None) -> np.ndarray:
        """One uniformly random resident of each listed neighbourhood (of the given
        groups only, if any; -1 where a neighbourhood has none of them)."""
        nb = np.asarray(neighbourhoods, dtype=np.int64)
        u = rng.random(len(nb))
        if not groups:
            return self.pop.nb_start[nb] + (u * self.pop.nb_size[nb]).astype(np.int64)
        idx = self.pop.group_ids(groups)
        sizes = self.pop.block_size[:, idx][nb]  # [draws, selected groups]
        r = (u * sizes.sum(axis=1)).astype(np.int64)
        out = np.full(len(nb), -1, dtype=np.int64)
        for j, gi in enumerate(idx):
            here = (out < 0) & (r < sizes[:, j])
            out[here] = self.pop.block_start[nb[here], gi] + r[here]
            r = r - sizes[:, j]
        return out

    def random_officers(self, rng: np.random.Generator, beats: np.ndarray) -> np.ndarray:
        """One officer per entry: from the beat's officers, or anyone where a beat has none."""
        beats = np.asarray(beats, dtype=np.int64)
        return self._officer_from_uniform(beats, rng.random(len(beats)))

    def record_contacts(self, residents: np.ndarray, bad: np.ndarray) -> None:
        residents = np.asarray(residents, dtype=np.int64)
        bad = np.asarray(bad, dtype=bool)
        self.last_contact_day[residents] = self.day
        self._shocks.negative.append(residents[bad])
        self._shocks.positive.append(residents[~bad])
        self._contacts["total"] += len(residents)
        self._contacts["negative"] += int(bad.sum())
        self._contacts["positive"] += int((~bad).sum())

    def record_designed_contacts(self, residents: np.ndarray, *, language_skill: float | None = None) -> None:
        """Designed non-enforcement contacts (door-to-door, meetings, outreach): never
        'bad' (C11), but a communication barrier lowers how much of one is understood:
        its effect is x (1 - barriers.fairness_penalty x barrier x (1 - officer language skill)).
        The officer is a random one of the resident's beat unless `language_skill` is given."""
        residents = np.asarray(residents, dtype=np.int64)
        self.last_contact_day[residents] = self.day
        if self.has_barriers and len(residents):
            if language_skill is None:
                # own stream: drawing officers here never shifts the policies' streams
                officers = self.random_officers(self.streams["designed_officers"], self.pop.neighbourhood[residents])
                skill = self.officer_language[officers] if len(self.officer_language) else 0.0
            else:
                skill = language_skill
            weights = 1.0 - self.config.barriers.fairness_penalty * self.effective_barrier(residents) * (1.0 - skill)
            self._shocks.designed_partial.append((residents, weights))
        else:
            self._shocks.designed.append(residents)
        self._contacts["total"] += len(residents)
        self._contacts["designed"] += len(residents)

    def set_trust(self, value: float, *, hold: bool = False) -> None:
        """Set every resident's trust (and anchor) to `value`; `hold` switches trust updates off."""
        self.trust[:] = value
        self.anchor[:] = value
        self.trust_frozen = hold

    def policy(self, name: str):
        """The model's instance of a policy (created on first use; keeps its state)."""
        if name not in self._policies:
            self._policies[name] = REGISTRY[name](self)
        return self._policies[name]

    def add_presence(self, hours_by_beat: np.ndarray) -> None:
        """Visible police hours today, beyond random patrol (deterrence)."""
        self._presence_extra += hours_by_beat

    def top_places(self, k: int, neighbourhoods: np.ndarray | None = None, exclude: np.ndarray | None = None) -> np.ndarray:
        """The k places with the most crime in the police's picture (recorded, not true)."""
        score = self.police_picture + 1e-9 * self._place_tiebreak
        eligible = np.ones(self.pop.n_places, dtype=bool)
        if neighbourhoods is not None:
            eligible &= np.isin(self.pop.place_neighbourhood, neighbourhoods)
        if exclude is not None:
            eligible &= ~exclude
        idx = np.flatnonzero(eligible)
        k = min(k, len(idx))
        if k == 0:
            return idx[:0]
        top = idx[np.argpartition(-score[idx], k - 1)[:k]] if k < len(idx) else idx
        return top[np.argsort(-score[top], kind="stable")]

    def stop_contacts(self, hours_by_beat: np.ndarray, rng: np.random.Generator, rate_multiplier: float = 1.0) -> None:
        """Police-initiated contacts (stops, enquiries) during `hours_by_beat` of patrol."""
        if not len(self.officer_beat):
            return
        counts = rng.poisson(self.config.policing.stops_per_patrol_hour * rate_multiplier * hours_by_beat)
        beats = np.repeat(np.arange(len(counts)), counts)
        self._stops(beats, rng.random((5, len(beats))))

    def _stops(self, beats: np.ndarray, u: np.ndarray) -> None:
        """Stops in the given beats from five uniforms each: officer, resident,
        known-resident choice, which known resident, bad outcome."""
        if len(beats) == 0:
            return
        pc = self.config.policing
        officer = self._officer_from_uniform(beats, u[0])
        residents = self.pop.nb_start[beats] + (u[1] * self.pop.nb_size[beats]).astype(np.int64)
        known = self.officer_known
        n_known = np.diff(known.indptr)[officer]
        use_known = (u[2] < pc.known_contact_share) & (n_known > 0)
        pick = (u[3][use_known] * n_known[use_known]).astype(np.int64)
        residents[use_known] = known.indices[known.indptr[officer[use_known]] + pick]
        bad = u[4] < self.contact_bad_probability(officer, residents, pc.enforcement_bad_multiplier)
        self.record_contacts(residents, bad)
        self._contacts["police_initiated"] += len(residents)

    def officer_hours_today(self, officer: Officer) -> dict[str, float]:
        b = officer.beat
        share = 1.0 / max(self.beat_officer_count[b], 1)
        return {a: float(h[b] * share) for a, h in self.hours_today.items()}

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day, in the ODD's order."""
        self._start_day()
        self._apply_due_events_and_schedule()
        incidents = self._crime()
        reported = self._reporting(incidents)
        effort = self._response(incidents, reported)
        self._policy_activities()
        self._police_initiated_contacts()
        self._trust()
        self._coproduction()
        self._efficacy(incidents)
        self._perceptions(incidents, reported)
        if self.day >= 0:
            self._record(incidents, reported, effort)
        self._reset_day()
        self.day += 1

    def burn_in(self) -> None:
        """Run the unrecorded burn-in days up to day 0 without advancing Mesa's
        clock, so that afterwards `model.time == model.steps == model.day == 0`."""
        while self.day < 0:
            type(self).step(self)  # the unwrapped step: Mesa's `self.step` also advances time

    def run(self, days: int | None = None, progress=None) -> None:
        """Run `days` recorded days (default `config.run.days`)."""
        days = self.config.run.days if days is None else days
        for _ in range(days):
            self.step()
            if progress is not None:
                progress()

    # -- 0. events and schedules
    def _apply_due_events_and_schedule(self) -> None:
        while self._schedule and self._schedule[0].day <= self.day:
            self.policy_config = self.policy_config.at(self._schedule.pop(0))
        while self._pending_events and self._pending_events[0].day <= self.day:
            events_mod.apply_event(self, self._pending_events.pop(0))
        self._fears_today = self._fear_costs(self.day)

    # -- 1. crime
    def _crime(self) -> crime.Incidents:
        cfg = self.config.crime
        cap = cfg.max_rate_multiplier
        potential = crime.draw_potential_incidents(
            self.streams["crime"], self.pop, self.pressure_cumsum, tuple(self.base_rate_per_day * cap),
            (cfg.seriousness_violent, cfg.seriousness_property), cfg.seriousness_sd, self.pressure_nb,
        )
        perceived_clearance = self.cleared_smoothed / np.maximum(self.reports_risk_smoothed, 1e-12)
        mult_nb = crime.deterrence_multiplier(
            self.perceived_presence, perceived_clearance,
            reference_presence=cfg.reference_patrol_hours_per_1000_per_day, reference_clearance=cfg.reference_clearance_rate,
            presence_elasticity=cfg.presence_elasticity, clearance_elasticity=cfg.clearance_elasticity,
        ) * crime.efficacy_multiplier(self.efficacy, coef=cfg.efficacy_coef, reference=cfg.efficacy_reference)
        for start, end, nbs, factor in self.surges:
            if start <= self.day < end:
                mult_nb[nbs] *= factor
        hs = self.policy_config.hot_spots
        dose = hs.minutes_per_visit / 60.0 * hs.visits_per_day
        hot_spot_factor = 1.0 - hs.crime_reduction * np.minimum(self.place_presence / dose, 1.0)
        return crime.occurring(potential, mult_nb[self.pop.place_neighbourhood] * self.place_opportunity * hot_spot_factor, cap)

    # -- 2. reporting
    def _reporting(self, inc: crime.Incidents) -> np.ndarray:
        rc = self.config.reporting
        norm = self.reports_smoothed / np.maximum(self.crimes_smoothed, 1e-12)
        nb = inc.neighbourhood
        p = reporting.report_probability(
            inc.seriousness, self.trust[inc.victim], norm[nb], self.efficacy[nb], self.pop.has_alternatives[inc.victim],
            intercept=rc.intercept, seriousness_coef=rc.seriousness_coef, trust_coef=rc.trust_coef, norm_coef=rc.norm_coef,
            norm_reference=rc.norm_reference, efficacy_coef=rc.efficacy_coef, efficacy_reference=self.config.crime.efficacy_reference,
            alternatives_coef=rc.alternatives_coef, extra_cost=self._reporting_costs(inc.victim),
        )
        return reporting.decide(p, inc.u_report)

    def _reporting_costs(self, victims: np.ndarray) -> np.ndarray | float:
        """Logit costs of reporting from communication barriers and enforcement fear (0 without either)."""
        cost = 0.0
        if self.has_barriers:
            cost = self.config.barriers.reporting_cost * self.effective_barrier(victims)
        if self._fears_today is not None:
            cost = cost + self._fears_today[0][victims]
        return cost

    # -- 3. response, clearance and resident-initiated contacts
    def _response(self, inc: crime.Incidents, reported: np.ndarray) -> float:
        pc, cc = self.config.policing, self.config.coproduction
        rng = self.streams["service"]
        k = self.pop.n_neighbourhoods
        calls = rng.poisson(pc.service_calls_per_1000_per_day * self.residents_per_1000)
        call_nb = np.repeat(np.arange(k), calls)
        callers = self.random_residents(rng, call_nb)
        u_calls = rng.random((2, len(callers)))

        rep = inc.subset(reported)
        hours_nb = np.bincount(rep.neighbourhood, weights=np.where(rep.kind == VIOLENT, pc.response_hours_violent, pc.response_hours_property), minlength=k).astype(float)
        hours_nb += calls * pc.service_call_hours
        available = float(self.officer_hours.sum())
        effort = response.served_share(float(hours_nb.sum()), available)
        self.hours_today["response"][:] = hours_nb * min(1.0, available / max(hours_nb.sum(), 1e-12))

        base = np.where(rep.kind == VIOLENT, cc.clearance_violent, cc.clearance_property)
        p_clear = coproduction.clearance_probability(base, effort, self._input_nb[rep.neighbourhood], effort_elasticity=cc.effort_elasticity, input_elasticity=cc.input_elasticity, input_reference=cc.input_reference)
        cleared = rep.u_clear < p_clear
        self._cleared = cleared
        self._reported_incidents = rep

        if len(self.officer_beat):
            victims = np.concatenate([rep.victim, callers])
            beats = np.concatenate([rep.neighbourhood, call_nb])
            u_officer = np.concatenate([rep.u_officer, u_calls[0]])
            u_bad = np.concatenate([rep.u_bad, u_calls[1]])
            officer = self._officer_from_uniform(beats, u_officer)
            bad = u_bad < self.contact_bad_probability(officer, victims)
            self.record_contacts(victims, bad)
        unreported_victims = inc.victim[~reported]
        self._shocks.victim_uncleared.extend([unreported_victims, rep.victim[~cleared]])
        self._shocks.victim_cleared.append(rep.victim[cleared])
        return effort

    def _officer_from_uniform(self, beats: np.ndarray, u: np.ndarray) -> np.ndarray:
        count = self.beat_officer_count[beats]
        anyone = (u * len(self.officer_beat)).astype(np.int64)
        own = self.beat_officer_start[beats] + (u * count).astype(np.int64)
        return np.where(count > 0, own, anyone)

    # -- 4. policy: discretionary hours
    def _policy_activities(self) -> None:
        discretionary = max(0.0, float(self.officer_hours.sum()) - float(self.hours_today["response"].sum()))
        # Burn-in runs the reactive baseline, so every policy starts day 0 from the same state.
        shares = policy_shares(self.policy_config, {n: self.policy(n) for n in REGISTRY}) if self.day >= 0 else {}
        used_total = 0.0
        for name, share in shares.items():
            policy = self.policy(name)
            given = self._spread(discretionary * share, policy)
            used = policy.act(given)
            if used.sum() > given.sum():  # a policy never spends more than it is given (it may move hours between beats)
                used = used * (given.sum() / used.sum())
            self.hours_today[policy.activity] += used
            used_total += float(used.sum())
        self.hours_today["patrol"][:] = response.split_hours_by_residents(max(discretionary - used_total, 0.0), self.pop.nb_size)

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

    def target_neighbourhoods(self, knobs) -> np.ndarray | None:
        """The neighbourhoods a policy's knobs select (None = all)."""
        if knobs is None:
            return None
        target = getattr(knobs, "target", "listed")
        if target == "listed":
            return np.asarray(knobs.neighbourhoods, dtype=np.int64) if knobs.neighbourhoods else None
        score = self._mean_by_neighbourhood(self.trust) if target == "lowest_trust" else -self.barrier_nb
        return np.argsort(score, kind="stable")[: knobs.target_count]

    # -- 5. police-initiated contacts from patrol
    def _police_initiated_contacts(self) -> None:
        """Stops during random patrol. Common random numbers: potential stops are
        drawn for the most patrol a beat could get (all of the force's hours, spread
        by residents), the same under every policy, and kept in proportion to the
        patrol hours it actually got; so policies differ only in which stops happen."""
        if not len(self.officer_beat):
            return
        rng = self.streams["stops"]
        cap = float(self.officer_hours.sum()) * self.pop.nb_size / self.pop.n
        counts = rng.poisson(self.config.policing.stops_per_patrol_hour * cap)
        beats = np.repeat(np.arange(len(counts)), counts)
        u = rng.random((6, len(beats)))
        keep_share = np.divide(self.hours_today["patrol"], cap, out=np.zeros_like(cap), where=cap > 0)
        keep = u[5] < keep_share[beats]
        self._stops(beats[keep], u[:5, keep])

    # -- 6. trust
    def _trust(self) -> None:
        tc = self.config.trust
        if self.trust_frozen:
            return
        delta = trust.trust_change(
            self.trust, self.anchor, self.adj, self.degree, self._shocks,
            anchor_rate_per_day=tc.anchor_rate_per_day, social_rate_per_day=tc.social_rate_per_day,
            negative_contact_effect=tc.negative_contact_effect, positive_contact_effect=tc.positive_contact_effect,
            designed_contact_effect=tc.designed_contact_effect, vicarious_fraction=tc.vicarious_fraction,
            victimization_effect=tc.victimization_effect, clearance_effect=tc.clearance_effect,
        )
        trust.apply_change(self.trust, delta)
        trust.drift_anchors(self.anchor, self.trust, anchor_drift_years=tc.anchor_drift_years)

    # -- 7. co-production
    def _coproduction(self) -> None:
        cc = self.config.coproduction
        fears = self._fears_today
        self.participation = coproduction.participation(self.trust, np.repeat(self.efficacy, self.pop.nb_size), intercept=cc.participation_intercept, trust_coef=cc.participation_trust_coef, efficacy_coef=cc.participation_efficacy_coef, extra_cost=None if fears is None else fears[1])

    @property
    def participation_nb(self) -> np.ndarray:
        return self._participation_nb

    @property
    def resident_input_nb(self) -> np.ndarray:
        """What residents pass on to the police per neighbourhood (participation
        discounted by communication barriers; equal to participation_nb without them)."""
        return self._input_nb

    def _sum_by_neighbourhood(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.pop.n_neighbourhoods)
        out[self._nb_nonempty] = np.add.reduceat(values, self.pop.nb_start[self._nb_nonempty])
        return out

    def _information_by_neighbourhood(self) -> np.ndarray:
        """Residents' input to the police (witness information, local knowledge):
        participation, discounted by communication barriers."""
        if not self.has_barriers:
            return self._participation_nb
        everyone = np.arange(self.pop.n)
        passed_on = self.participation * (1.0 - self.config.barriers.information_penalty * self.effective_barrier(everyone))
        return self._mean_by_neighbourhood(passed_on)

    def _mean_by_neighbourhood(self, values: np.ndarray) -> np.ndarray:
        return self._sum_by_neighbourhood(values) / np.maximum(self.pop.nb_size, 1)

    def _sum_by_block(self, values: np.ndarray) -> np.ndarray:
        """[K, G] sums over (neighbourhood, group) blocks."""
        out = np.zeros(self.pop.block_size.size)
        out[self._blocks_nonempty] = np.add.reduceat(values, self._block_starts)
        return out.reshape(self.pop.block_size.shape)

    # -- 8. collective efficacy
    def _efficacy(self, inc: crime.Incidents) -> None:
        ec = self.config.efficacy
        k = self.pop.n_neighbourhoods
        self._participation_nb = self._mean_by_neighbourhood(self.participation)
        self._input_nb = self._information_by_neighbourhood()
        crimes_nb = np.bincount(inc.neighbourhood, minlength=k)
        self.efficacy = efficacy.update_efficacy(self.efficacy, self.cohesion, self._participation_nb, crimes_nb / self.residents_per_1000, adjust_rate_per_day=ec.adjust_rate_per_day, cohesion_weight=ec.cohesion_weight, participation_weight=ec.participation_weight, crime_erosion=ec.crime_erosion)

    # -- 9. perceptions (offenders' sense of risk, residents' reporting norm)
    def _perceptions(self, inc: crime.Incidents, reported: np.ndarray) -> None:
        k = self.pop.n_neighbourhoods
        a_risk = 1.0 / self.config.crime.perception_memory_days
        a_norm = 1.0 / self.config.reporting.norm_memory_days
        presence = (self.hours_today["patrol"] + self._presence_extra) / self.residents_per_1000
        self.perceived_presence += a_risk * (presence - self.perceived_presence)
        self.place_presence += a_risk * (self.place_hotspot_hours - self.place_presence)
        # The police's picture of where crime is: recorded (reported) incidents, plus
        # what engaged residents reveal of the rest (local knowledge), smoothed.
        self.police_picture *= 1.0 - a_norm
        np.add.at(self.police_picture, inc.place[reported], a_norm)
        weight = self.config.policing.local_knowledge_weight
        if weight > 0:
            hidden = inc.subset(~reported)
            p_reveal = np.minimum(1.0, weight * self._input_nb[hidden.neighbourhood])
            revealed = hidden.place[self.streams["local_knowledge"].random(len(hidden)) < p_reveal]
            np.add.at(self.police_picture, revealed, a_norm)
        self.true_picture *= 1.0 - a_norm
        np.add.at(self.true_picture, inc.place, a_norm)
        self.liaison_coverage += a_risk * (self._liaison_today - self.liaison_coverage)
        decay_years = self.policy_config.problem_oriented.effect_decay_years
        if decay_years > 0:
            self.place_opportunity += (1.0 - self.place_opportunity) / (decay_years * 365.0)
        crimes_nb = np.bincount(inc.neighbourhood, minlength=k)
        reports_nb = np.bincount(inc.neighbourhood[reported], minlength=k)
        cleared_nb = np.bincount(self._reported_incidents.neighbourhood[self._cleared], minlength=k)
        self._counts_nb = (crimes_nb, reports_nb, cleared_nb)
        self.crimes_smoothed += a_norm * (crimes_nb - self.crimes_smoothed)
        self.reports_smoothed += a_norm * (reports_nb - self.reports_smoothed)
        # Offenders' perceived clearance: cleared / reported, over the risk memory.
        self.cleared_smoothed += a_risk * (cleared_nb - self.cleared_smoothed)
        self.reports_risk_smoothed += a_risk * (reports_nb - self.reports_risk_smoothed)

    # ------------------------------------------------------------------ metrics
    def _record(self, inc: crime.Incidents, reported: np.ndarray, effort: float) -> None:
        recording.record_day(self, inc, reported, effort)

    def _start_day(self) -> None:
        """Clear the hours ledgers at the start of a day, so that between steps they
        still show the day just simulated (officers' `hours_today`, the dashboard)."""
        for h in self.hours_today.values():
            h[:] = 0.0
        self._presence_extra[:] = 0.0
        self.place_hotspot_hours[:] = 0.0
        self._liaison_today[:] = 0.0

    def _reset_day(self) -> None:
        """Clear today's experiences and contact counts; contacts recorded between
        steps (e.g. a designed round set up by hand) count toward the next day."""
        self._shocks = trust.Shocks()
        for key in self._contacts:
            self._contacts[key] = 0

    # ------------------------------------------------------------------ outputs
    def timeseries(self) -> pd.DataFrame:
        """The daily metrics table (one row per recorded day)."""
        if not self.datacollector.model_vars.get("day"):
            return pd.DataFrame(columns=self.metric_names)
        return self.datacollector.get_model_vars_dataframe()[self.metric_names].reset_index(drop=True)

    def neighbourhood_table(self) -> pd.DataFrame:
        """Per-neighbourhood daily metrics, long format (day, neighbourhood, metrics)."""
        if not self._nb_rows:
            return pd.DataFrame()
        return pd.DataFrame({key: np.concatenate([r[key] for r in self._nb_rows]) for key in self._nb_rows[0]})

    def share_contacted(self, days: int = 365) -> float:
        """Share of residents with at least one police contact in the last `days` days (C4)."""
        return float(np.mean(self.last_contact_day > self.day - 1 - days))
