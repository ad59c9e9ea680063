"""The one parameter schema: defaults, units, ranges, sources; loading and overrides.

Every parameter of the model is declared here once, with its unit and allowed
range. ``configs/baseline.toml`` is these defaults written out
(``coprod-sim validate --defaults`` writes it; a test checks they agree). Any
config file is read as *changes* to these defaults.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DAYS_PER_YEAR = 365.0


class ConfigError(ValueError):
    """A configuration problem, phrased for the user (key, value, what is allowed)."""


def P(default: Any, unit: str, description: str, *, ge=None, le=None, gt=None, lt=None, source: str = ""):
    """A parameter: its default, unit, allowed range and source, declared together."""
    extra = {"unit": unit}
    if source:
        extra["source"] = source
    return Field(default, description=description, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False)


PerNeighbourhood = Union[float, list[float]]
RESERVED_GROUP_NAMES = ("violent", "property")


# --------------------------------------------------------------------------- run
class RunConfig(Section):
    days: int = P(730, "days", "Days written to the outputs (day 0 is the first day after burn-in).", ge=1, le=36500)
    burn_in_days: int = P(180, "days", "Days simulated before day 0 and not written (lets trust, norms and efficacy settle).", ge=0, le=36500)
    seed: int = P(0, "-", "Root seed S; replicate r runs on the r-th child of SeedSequence(S).", ge=0)
    replicates: int = P(1, "runs", "Independent replicates (paired across policies through their seeds).", ge=1, le=100000)


# --------------------------------------------------------------------------- population
class GroupConfig(Section):
    share: float = P(0.5, "weight", "Share of residents (weights; normalised over groups).", gt=0)
    initial_trust_mean: float = P(0.5, "trust [0,1]", "Mean initial trust (and long-run anchor) of the group.", ge=0, le=1)
    initial_trust_sd: float = P(0.15, "trust [0,1]", "Standard deviation of initial trust within the group (Beta distribution).", ge=0, le=0.45)


def _default_groups() -> dict[str, GroupConfig]:
    # C10: Gallup 2020-21, confidence in police white ~56%, Black ~19-30%. Means fitted
    # (experiments/calibrate_baseline.py) so that after burn-in the groups sit at 0.55 and 0.30.
    return {
        "majority": GroupConfig(share=0.7, initial_trust_mean=0.564, initial_trust_sd=0.15),
        "minority": GroupConfig(share=0.3, initial_trust_mean=0.269, initial_trust_sd=0.15),
    }


class PopulationConfig(Section):
    residents: int = P(10_000, "residents", "Number of residents N.", ge=20, le=20_000_000)
    neighbourhoods: int = P(20, "neighbourhoods", "Number of neighbourhoods (each is one police beat).", ge=1, le=100_000)
    residents_per_place: float = P(25.0, "residents/place", "Residents per place (street segment); sets the number of places.", ge=1, le=10_000)
    officers_per_1000: float = P(2.2, "officers/1000 residents", "Sworn officers per 1,000 residents.", ge=0, le=50, source="BJS LEMAS 2016: 2.17 (C5)")
    segregation: float = P(0.5, "[0,1]", "How concentrated groups are in neighbourhoods: 0 = every neighbourhood has the city mix, 1 = groups fill separate neighbourhoods.", ge=0, le=1)
    groups: dict[str, GroupConfig] = Field(default_factory=_default_groups, description="Resident groups (named table; replaced whole when given).")

    @field_validator("groups")
    @classmethod
    def _groups_not_empty(cls, v):
        if not v:
            raise ValueError("at least one group is required")
        for name in v:
            if not name.isidentifier():
                raise ValueError(f"group name {name!r} must be a plain identifier (letters, digits, _)")
            if name in RESERVED_GROUP_NAMES:
                raise ValueError(f"group name {name!r} is reserved (it would clash with the metric reporting_rate_{name}); choose another")
        return v


# --------------------------------------------------------------------------- network
class NetworkConfig(Section):
    builder: Literal["direct", "networkx"] = P("direct", "-", "Generator of the social network: 'direct' (fast CSR builder, any N) or 'networkx' (stochastic block model via networkx, small N).")
    mean_degree: float = P(10.0, "ties/resident", "Mean number of social ties per resident.", ge=0, le=200)
    within_neighbourhood_share: float = P(0.85, "share", "Share of ties inside the resident's own neighbourhood.", ge=0, le=1)
    group_homophily: float = P(0.85, "share", "Share of within-neighbourhood ties drawn from the resident's own group (the rest are drawn at random).", ge=0, le=1)
    path: str | None = P(None, "-", "A user-supplied graph (edge list .txt/.csv/.edgelist or .graphml). GraphML node attributes 'neighbourhood', 'group' and 'trust' are used when present.")


# --------------------------------------------------------------------------- crime
class CrimeConfig(Section):
    violent_per_1000_per_year: float = P(20.7, "incidents/1000 residents/year", "Base violent offending rate at reference deterrence and efficacy (fitted to C6).", ge=0, le=10_000, source="fitted; target BJS 2022: 23.5")
    property_per_1000_per_year: float = P(35.1, "incidents/1000 residents/year", "Base property offending rate at reference deterrence and efficacy (fitted to C7).", ge=0, le=10_000, source="fitted; target BJS 2022: ~40")
    propensity_sigma: float = P(1.0, "log-units", "Lognormal sigma of individual offending propensity (mean 1).", ge=0, le=4)
    place_concentration_sigma: float = P(1.65, "log-units", "Lognormal sigma of place attractiveness; 1.65 puts ~50% of expected crime at 5% of places.", ge=0, le=5, source="Weisburd 2015, law of crime concentration")
    seriousness_violent: float = P(0.8, "[0,1]", "Mean seriousness of a violent incident.", ge=0, le=1)
    seriousness_property: float = P(0.4, "[0,1]", "Mean seriousness of a property incident.", ge=0, le=1)
    seriousness_sd: float = P(0.15, "[0,1]", "Standard deviation of seriousness within a type (clipped to [0,1]).", ge=0, le=1)
    presence_elasticity: float = P(0.3, "-", "Elasticity of offending with respect to police presence (patrol hours).", ge=0, le=3, source="Chalfin & McCrary 2018: -0.34 violent, -0.17 property")
    clearance_elasticity: float = P(0.2, "-", "Elasticity of offending with respect to the perceived clearance rate (certainty).", ge=0, le=3, source="Nagin 2013: certainty deters; size uncertain")
    reference_patrol_hours_per_1000_per_day: float = P(10.0, "officer-hours/1000 residents/day", "Patrol presence at which the presence term is neutral.", gt=0)
    reference_clearance_rate: float = P(0.3, "share", "Clearance rate at which the certainty term is neutral.", gt=0, le=1)
    perception_memory_days: float = P(30.0, "days", "Time constant of offenders' perceived presence and clearance (exponential smoothing).", ge=1, le=3650)
    efficacy_coef: float = P(1.0, "log-rate per unit efficacy", "How strongly collective efficacy lowers offending: rate x exp(-coef (CE - reference)).", ge=0, le=10, source="Sampson, Raudenbush & Earls 1997")
    efficacy_reference: float = P(0.40, "[0,1]", "Collective efficacy at which the efficacy term is neutral.", ge=0, le=1)
    max_rate_multiplier: float = P(5.0, "x", "Cap on the combined deterrence/efficacy/surge multiplier of offending; potential incidents are drawn at this multiple of the base rate and thinned (common random numbers).", ge=1, le=100)


# --------------------------------------------------------------------------- reporting
class ReportingConfig(Section):
    intercept: float = P(-1.68, "logit", "Intercept of the reporting logit (fitted to C1/C2).", ge=-20, le=20, source="fitted")
    seriousness_coef: float = P(1.3, "logit per unit seriousness", "Effect of incident seriousness; sets the violent/property reporting gap (C1 vs C2).", ge=0, le=20, source="set by hand to the C1-C2 gap")
    trust_coef: float = P(1.0, "logit per unit trust", "Effect of the victim's trust; C3 bounds it to at most about 1.4-1.6 (sweep 0.5-2.5).", ge=0, le=10, source="C3: Langton et al. 2012; CSEW 2016/17")
    norm_coef: float = P(1.0, "logit per unit reporting share", "Effect of the neighbourhood's recent reporting share (reporting norm), centred on norm_reference.", ge=0, le=10)
    norm_reference: float = P(0.35, "share", "Neighbourhood reporting share at which the norm term is neutral.", ge=0, le=1)
    norm_memory_days: float = P(90.0, "days", "Time constant of the neighbourhood reporting norm.", ge=1, le=3650)
    efficacy_coef: float = P(0.5, "logit per unit efficacy", "Effect of neighbourhood collective efficacy, centred on crime.efficacy_reference.", ge=0, le=10)
    alternatives_share: float = P(0.3, "share", "Share of residents with alternatives to the police (insurance, family, informal resolution).", ge=0, le=1)
    alternatives_coef: float = P(0.5, "logit", "Lower reporting of victims who have alternatives (victims without any call anyway).", ge=0, le=10)


# --------------------------------------------------------------------------- trust
class TrustConfig(Section):
    anchor_rate_per_day: float = P(0.015, "1/day", "Pull of trust toward the resident's own long-run anchor (Friedkin-Johnsen).", ge=0, le=1)
    social_rate_per_day: float = P(0.01, "1/day", "Pull of trust toward the mean trust of network neighbours.", ge=0, le=1)
    anchor_drift_years: float = P(10.0, "years", "Time constant with which anchors drift toward experienced trust (0 = anchors fixed).", ge=0, le=100)
    negative_contact_effect: float = P(0.10, "share of trust", "Trust lost in a bad contact: T -= effect * T.", ge=0, le=1, source="Skogan 2006 (C8)")
    positive_contact_effect: float = P(0.015, "share of distrust", "Trust gained in a good routine contact: T += effect * (1 - T).", ge=0, le=1, source="Skogan 2006 (C8): 4-14x smaller than bad")
    designed_contact_effect: float = P(0.10, "share of distrust", "Trust gained in a designed non-enforcement contact (door-to-door).", ge=0, le=1, source="Peyton et al. 2019 (C9, C11)")
    vicarious_fraction: float = P(0.3, "share", "A neighbour's contact moves trust by this fraction of a direct one.", ge=0, le=1, source="Rosenbaum et al. 2005; Skogan 2006: 0.2-0.5")
    victimization_effect: float = P(0.02, "share of trust", "Trust lost by a victim whose crime is not cleared.", ge=0, le=1)
    clearance_effect: float = P(0.03, "share of distrust", "Trust gained by a victim whose reported crime is cleared.", ge=0, le=1)


# --------------------------------------------------------------------------- policing
class PolicingConfig(Section):
    on_duty_fraction: float = P(0.2, "share", "Share of officers on duty at any hour; daily hours per officer = 24 x this.", ge=0, le=1, source="BJS LEMAS; DESIGN.md starting default")
    pj_skill_mean: float = P(0.6, "[0,1]", "Mean procedural-justice skill of officers (Beta distribution).", ge=0, le=1)
    pj_skill_sd: float = P(0.15, "[0,1]", "Standard deviation of procedural-justice skill.", ge=0, le=0.45)
    bad_contact_max: float = P(0.35, "probability", "Chance a contact goes badly for an officer of skill 0 (falls linearly to 0 at skill 1).", ge=0, le=1)
    enforcement_bad_multiplier: float = P(1.5, "x", "Police-initiated (enforcement) contacts go badly this many times as often.", ge=0, le=10)
    response_hours_violent: float = P(3.0, "officer-hours/report", "Officer time to respond to and investigate a reported violent incident.", ge=0, le=100)
    response_hours_property: float = P(1.5, "officer-hours/report", "Officer time for a reported property incident.", ge=0, le=100)
    service_calls_per_1000_per_day: float = P(0.328, "calls/1000 residents/day", "Resident-initiated non-crime calls for service (each a contact; fitted to C4).", ge=0, le=1000, source="fitted; target BJS 2018 contacts")
    service_call_hours: float = P(1.0, "officer-hours/call", "Officer time per non-crime call.", ge=0, le=100)
    stops_per_patrol_hour: float = P(0.0383, "contacts/officer-hour", "Police-initiated contacts (stops, enquiries) per hour of patrol (fitted to C4).", ge=0, le=100, source="fitted; target BJS 2018: 11-12% police-initiated")
    known_residents_per_officer: int = P(50, "residents", "Residents of the beat each officer knows by name.", ge=0, le=100000)
    known_contact_share: float = P(0.3, "share", "Share of an officer's police-initiated contacts that are with residents the officer knows.", ge=0, le=1)
    language_skill_share: float = P(0.1, "share", "Share of officers with language / cultural skill; in their contacts it cancels the communication barrier (see [barriers]).", ge=0, le=1)
    language_skill_beats: list[int] = Field(default_factory=list, description="Beats to which the skilled officers are assigned (round-robin); empty = they keep their random beats.")
    local_knowledge_weight: float = P(0.5, "-", "Local knowledge: each unreported incident becomes known to the police with probability weight x the neighbourhood's (barrier-discounted) participation; 0 switches it off. It only changes where targeting policies (hot_spots, problem_oriented) aim.", ge=0, le=10)


# --------------------------------------------------------------------------- co-production
class CoproductionConfig(Section):
    participation_intercept: float = P(-2.5, "logit", "Intercept of the participation logit (information, meetings, watch).", ge=-20, le=20)
    participation_trust_coef: float = P(2.0, "logit per unit trust", "Participation rises with trust.", ge=0, le=20)
    participation_efficacy_coef: float = P(1.0, "logit per unit efficacy", "Participation rises with neighbourhood collective efficacy.", ge=0, le=20)
    clearance_violent: float = P(0.45, "share", "Clearance of a reported violent incident at reference effort and resident input.", ge=0, le=1, source="FBI UCR 2019: 45.5%")
    clearance_property: float = P(0.17, "share", "Clearance of a reported property incident at reference effort and input.", ge=0, le=1, source="FBI UCR 2019: 17.2%")
    effort_elasticity: float = P(0.5, "-", "Cobb-Douglas exponent of police effort in clearance.", ge=0, le=3)
    input_elasticity: float = P(0.5, "-", "Cobb-Douglas exponent of resident input (witness information) in clearance; with effort it makes them complements.", ge=0, le=3)
    input_reference: float = P(0.25, "share", "Neighbourhood participation at which the input term is neutral.", gt=0, le=1)


# --------------------------------------------------------------------------- collective efficacy
class EfficacyConfig(Section):
    initial: PerNeighbourhood = P(0.40, "[0,1]", "Initial collective efficacy (scalar or one value per neighbourhood).")
    cohesion: PerNeighbourhood = P(0.5, "[0,1]", "Social cohesion and trust among neighbours (scalar or per neighbourhood).")
    adjust_rate_per_day: float = P(0.01, "1/day", "Speed with which efficacy moves toward its target.", ge=0, le=1)
    cohesion_weight: float = P(0.6, "-", "Weight of cohesion in the efficacy target.", ge=0, le=5)
    participation_weight: float = P(0.7, "-", "Weight of resident participation (willingness to intervene) in the target.", ge=0, le=5)
    crime_erosion: float = P(0.005, "efficacy per (incident/1000 residents)", "Efficacy lost per incident per 1,000 residents in the neighbourhood.", ge=0, le=10, source="Skogan 1990, Disorder and Decline")

    @field_validator("initial", "cohesion")
    @classmethod
    def _in_unit_interval(cls, v):
        values = v if isinstance(v, list) else [v]
        bad = [x for x in values if not (0 <= x <= 1)]
        if bad:
            raise ValueError(f"must lie in [0, 1], got {bad[0]}")
        return v


# --------------------------------------------------------------------------- policy
class PolicyKnobs(Section):
    hours_share: float = P(0.2, "share of discretionary hours", "Share of discretionary officer hours the policy takes when it runs alone (the rest is reactive patrol). In a mix, policy.mix sets the shares instead.", ge=0, le=1)
    target: Literal["listed", "lowest_trust", "highest_barrier"] = P("listed", "-", "Where the policy works: 'listed' (the neighbourhoods list; empty = all), or the target_count neighbourhoods with the lowest mean trust / highest communication barrier (re-chosen each day).")
    neighbourhoods: list[int] = Field(default_factory=list, description="Neighbourhoods the policy works in when target = 'listed' (empty = all, hours in proportion to residents).")
    target_count: int = P(5, "neighbourhoods", "How many neighbourhoods 'lowest_trust' and 'highest_barrier' select.", ge=1, le=100000)
    groups: list[str] = Field(default_factory=list, description="Resident groups the policy reaches (empty = all): hours go to neighbourhoods in proportion to these groups' residents, and resident-facing activities (visits, informal contacts, meetings) reach only them.")


class DoorToDoorConfig(PolicyKnobs):
    visits_per_hour: float = P(2.0, "households/officer-hour", "Doors knocked per officer-hour.", ge=0, le=100)
    reach_probability: float = P(0.41, "probability", "Chance a knock reaches the resident.", ge=0, le=1, source="Peyton et al. 2019: 41% (C9)")
    revisit_after_days: int = P(180, "days", "A resident is not visited again within this many days.", ge=0, le=36500)


class HotSpotsConfig(PolicyKnobs):
    minutes_per_visit: float = P(15.0, "minutes", "Length of one directed-patrol visit to a hot spot.", gt=0, le=600, source="Koper 1995: 10-15 minute visits")
    visits_per_day: float = P(3.0, "visits/place/day", "Visits each targeted place receives per day; sets how many places the hours cover.", gt=0, le=100)
    crime_reduction: float = P(0.25, "share", "Reduction of offending at a place receiving the full daily dose (smoothed over crime.perception_memory_days).", ge=0, le=1, source="Braga et al. 2019 Campbell review: modest reductions, diffusion > displacement")
    stops_multiplier: float = P(1.5, "x", "Police-initiated contacts per hour at hot spots, relative to random patrol (proactive enforcement).", ge=0, le=20)


class FootPatrolConfig(PolicyKnobs):
    informal_contacts_per_hour: float = P(1.5, "contacts/officer-hour", "Informal (non-enforcement) conversations per hour on foot.", ge=0, le=100, source="Ratcliffe et al. 2011; Skogan 2006")
    bad_multiplier: float = P(0.3, "x", "Informal contacts go badly this many times as often as routine contacts.", ge=0, le=10)
    visibility: float = P(1.0, "x", "Deterrent presence of a foot-patrol hour relative to a patrol hour.", ge=0, le=10)


class CommunityMeetingsConfig(PolicyKnobs):
    interval_days: int = P(30, "days", "Days between meetings in a neighbourhood.", ge=1, le=3650, source="Chicago CAPS: monthly beat meetings (Skogan 2006)")
    hours_per_meeting: float = P(6.0, "officer-hours", "Officer time per meeting (preparation and attendance).", gt=0, le=1000)
    attendance_rate: float = P(0.08, "share", "Chance a resident attends, times the resident's participation propensity.", ge=0, le=1, source="Skogan 2006: attendance mostly below 1 in 50 residents")
    efficacy_gain: float = P(0.5, "efficacy per attendee share", "Collective-efficacy gain per meeting: gain x attendees / residents of the neighbourhood.", ge=0, le=100)


class ProceduralJusticeTrainingConfig(PolicyKnobs):
    hours_per_officer: float = P(8.0, "officer-hours", "Training time per officer (a one-day course).", ge=0, le=1000, source="Wood, Tyler & Papachristos 2020 PNAS: one-day course")
    skill_gain: float = P(0.3, "share of remaining skill", "After training: skill += gain x (1 - skill).", ge=0, le=1)


class ProblemOrientedConfig(PolicyKnobs):
    hours_per_problem: float = P(200.0, "officer-hours", "Officer time to analyse and respond to one problem place with residents (a SARA project of several weeks).", gt=0, le=100000)
    opportunity_reduction: float = P(0.4, "share", "Crime opportunity removed at a solved place when resident input is at coproduction.input_reference (scales with input, capped at 1).", ge=0, le=1, source="Hinkle et al. 2020 Campbell review")
    effect_decay_years: float = P(2.0, "years", "Time constant with which a solved place's opportunity returns (0 = permanent).", ge=0, le=100)


class LiaisonConfig(PolicyKnobs):
    target: Literal["listed", "lowest_trust", "highest_barrier"] = P("highest_barrier", "-", "Where liaisons work (default: the neighbourhoods with the highest barrier).")
    coverage_hours_per_1000_per_day: float = P(2.0, "officer-hours/1000 residents/day", "Liaison hours that give a neighbourhood full coverage (civilian liaisons costed in officer-hour equivalents).", gt=0, le=1000)
    barrier_offset: float = P(0.8, "share", "Share of the communication barrier that full liaison coverage removes (in contacts, reporting, meetings and information).", ge=0, le=1)
    outreach_contacts_per_hour: float = P(1.0, "contacts/hour", "Designed, non-enforcement contacts liaisons make per hour (with residents of the targeted groups, if any).", ge=0, le=100)


POLICY_KNOBS: dict[str, type[PolicyKnobs]] = {
    "door_to_door": DoorToDoorConfig,
    "hot_spots": HotSpotsConfig,
    "foot_patrol": FootPatrolConfig,
    "community_meetings": CommunityMeetingsConfig,
    "procedural_justice_training": ProceduralJusticeTrainingConfig,
    "problem_oriented": ProblemOrientedConfig,
    "liaison": LiaisonConfig,
}
POLICY_NAMES = ("reactive", *POLICY_KNOBS)


def known_policies() -> list[str]:
    """Built-in policies plus any registered by user code (see policies/base.py)."""
    from .policies import REGISTRY  # late import: policies import nothing from here at module level

    return list(dict.fromkeys([*POLICY_NAMES, *REGISTRY]))


def _check_policy_name(v: str | None, allow_mix: bool = True) -> str | None:
    if v is not None and v not in known_policies() and not (allow_mix and v == "mix"):
        raise ValueError(f"unknown policy {v!r}; allowed: {', '.join(known_policies())}, mix")
    return v


def _check_mix(v: dict[str, float] | None):
    for k, share in (v or {}).items():
        if k not in known_policies():
            raise ValueError(f"unknown policy {k!r} in mix; allowed: {', '.join(known_policies())}")
        if share < 0:
            raise ValueError(f"share of {k!r} must be >= 0, got {share}")
    return v


class ScheduleEntry(Section):
    """From `day` on, these policy keys replace the current ones (unset keys stay)."""

    day: int = P(0, "day", "Day from which the entry applies.", ge=0)
    name: str | None = None
    mix: dict[str, float] | None = None
    door_to_door: DoorToDoorConfig | None = None
    hot_spots: HotSpotsConfig | None = None
    foot_patrol: FootPatrolConfig | None = None
    community_meetings: CommunityMeetingsConfig | None = None
    procedural_justice_training: ProceduralJusticeTrainingConfig | None = None
    problem_oriented: ProblemOrientedConfig | None = None
    liaison: LiaisonConfig | None = None

    _name = field_validator("name")(classmethod(lambda cls, v: _check_policy_name(v)))
    _mix = field_validator("mix")(classmethod(lambda cls, v: _check_mix(v)))


class PolicyConfig(Section):
    name: str = P("reactive", "-", "The policy: " + ", ".join(POLICY_NAMES) + ", or 'mix'.")
    mix: dict[str, float] = Field(default_factory=dict, description="For name = 'mix': shares (weights) of discretionary hours per policy; 'reactive' takes its share as patrol.")
    door_to_door: DoorToDoorConfig = Field(default_factory=DoorToDoorConfig)
    hot_spots: HotSpotsConfig = Field(default_factory=HotSpotsConfig)
    foot_patrol: FootPatrolConfig = Field(default_factory=FootPatrolConfig)
    community_meetings: CommunityMeetingsConfig = Field(default_factory=CommunityMeetingsConfig)
    procedural_justice_training: ProceduralJusticeTrainingConfig = Field(default_factory=lambda: ProceduralJusticeTrainingConfig(hours_share=0.5))
    problem_oriented: ProblemOrientedConfig = Field(default_factory=ProblemOrientedConfig)
    liaison: LiaisonConfig = Field(default_factory=LiaisonConfig)
    schedule: list[ScheduleEntry] = Field(default_factory=list, description="[[policy.schedule]] entries: from `day` on, the entry's keys replace the current policy's.")

    _name = field_validator("name")(classmethod(lambda cls, v: _check_policy_name(v)))
    _mix = field_validator("mix")(classmethod(lambda cls, v: _check_mix(v)))

    @model_validator(mode="after")
    def _mix_needs_shares(self):
        if self.name == "mix" and sum(self.mix.values()) <= 0:
            raise ValueError("policy.name = 'mix' needs policy.mix with at least one positive share")
        return self

    def knobs(self, name: str) -> PolicyKnobs:
        return getattr(self, name)

    def at(self, entry: ScheduleEntry) -> "PolicyConfig":
        """This policy with a schedule entry's keys applied."""
        data = self.model_dump()
        for key, value in entry.model_dump(exclude_unset=True).items():
            if key == "day":
                continue
            if isinstance(value, dict) and key in POLICY_KNOBS:
                data[key].update(value)
            else:
                data[key] = value
        data["schedule"] = []
        return PolicyConfig.model_validate(data)


# --------------------------------------------------------------------------- events
class MisconductEvent(Section):
    day: int = P(0, "day", "Day the incident becomes public.", ge=0)
    kind: Literal["misconduct"] = "misconduct"
    salience: float = P(0.2, "share of trust", "Trust lost by residents who hear of it directly: T -= salience * T.", ge=0, le=1)
    groups: list[str] = Field(default_factory=list, description="Groups that hear of it (empty = all).")
    neighbourhoods: list[int] = Field(default_factory=list, description="Neighbourhoods that hear of it (empty = all).")
    reach: float = P(0.6, "share", "Share of residents in the named groups and neighbourhoods who hear of it directly; their network neighbours hear of it second-hand (trust.vicarious_fraction).", ge=0, le=1)
    anchor_share: float = P(0.0, "share", "Share of the trust loss that also lowers residents' anchors (a lasting scar).", ge=0, le=1)


class BudgetCutEvent(Section):
    day: int = P(0, "day", "Day the cut takes effect.", ge=0)
    kind: Literal["budget_cut"] = "budget_cut"
    fraction: float = P(0.2, "share", "Share of officers removed.", ge=0, le=1)


class TurnoverEvent(Section):
    day: int = P(0, "day", "Day of the turnover wave.", ge=0)
    kind: Literal["turnover"] = "turnover"
    fraction: float = P(0.3, "share", "Share of officers replaced by recruits.", ge=0, le=1)
    recruit_skill_mean: float = P(0.45, "[0,1]", "Mean procedural-justice skill of recruits.", ge=0, le=1)


class CrimeSurgeEvent(Section):
    day: int = P(0, "day", "First day of the surge.", ge=0)
    kind: Literal["crime_surge"] = "crime_surge"
    multiplier: float = P(1.5, "x", "Multiplier on offending rates.", ge=0, le=100)
    duration_days: int = P(90, "days", "Length of the surge.", ge=1)
    neighbourhoods: list[int] = Field(default_factory=list, description="Neighbourhoods affected (empty = all).")


class EnforcementFearEvent(Section):
    day: int = P(0, "day", "First day of the fear (e.g. publicized immigration enforcement).", ge=0)
    kind: Literal["enforcement_fear"] = "enforcement_fear"
    duration_days: int = P(365, "days", "How long it lasts.", ge=1)
    groups: list[str] = Field(default_factory=list, description="Groups affected (empty = all).")
    neighbourhoods: list[int] = Field(default_factory=list, description="Neighbourhoods affected (empty = all).")
    reporting_cost: float = P(1.0, "logit", "Lower reporting logit of affected victims (Theodore 2013: 44% of Latino respondents less likely to contact police).", ge=0, le=10)
    participation_cost: float = P(1.0, "logit", "Lower participation logit of affected residents.", ge=0, le=10)


Event = Annotated[Union[MisconductEvent, BudgetCutEvent, TurnoverEvent, CrimeSurgeEvent, EnforcementFearEvent], Field(discriminator="kind")]
EVENT_KINDS = ("misconduct", "budget_cut", "turnover", "crime_surge", "enforcement_fear")


# --------------------------------------------------------------------------- communication barriers
class BarrierConfig(Section):
    neighbourhood: PerNeighbourhood = P(0.0, "[0,1]", "Communication barrier per neighbourhood (language access, knowing how to report, cultural distance): a scalar or one value per neighbourhood.")
    group: dict[str, float] = Field(default_factory=dict, description="Extra barrier per group, in [0, 1]; a resident's barrier is 1 - (1 - neighbourhood)(1 - group).")
    fairness_penalty: float = P(0.5, "share", "A barrier lowers the chance a contact is understood as fair: the officer's effective skill is skill x (1 - penalty x barrier x (1 - officer language skill)).", ge=0, le=1)
    reporting_cost: float = P(1.0, "logit per unit barrier", "Lower reporting logit per unit barrier (contextual studies: Xie & Baumer 2019; Gutierrez & Kirk 2017).", ge=0, le=10)
    attendance_penalty: float = P(0.7, "share", "Meeting attendance x (1 - penalty x barrier).", ge=0, le=1)
    information_penalty: float = P(0.5, "share", "Information a participant passes on (clearance input, local knowledge) x (1 - penalty x barrier).", ge=0, le=1)

    @field_validator("neighbourhood")
    @classmethod
    def _unit(cls, v):
        values = v if isinstance(v, list) else [v]
        bad = [x for x in values if not (0 <= x <= 1)]
        if bad:
            raise ValueError(f"must lie in [0, 1], got {bad[0]}")
        return v

    @field_validator("group")
    @classmethod
    def _unit_groups(cls, v):
        for g, x in v.items():
            if not 0 <= x <= 1:
                raise ValueError(f"barrier of group {g!r} must lie in [0, 1], got {x}")
        return v


# --------------------------------------------------------------------------- output
class OutputConfig(Section):
    neighbourhood_metrics: bool = P(True, "-", "Write the per-neighbourhood long table (neighbourhoods.parquet).")
    figures: bool = P(True, "-", "Write PNG figures of the main metrics.")
    csv: bool = P(False, "-", "Also write CSV copies of the tables.")
    agent_views_max_residents: int = P(5000, "residents", "Create Mesa Resident views (for the dashboard, teaching) up to this many residents.", ge=0)


# --------------------------------------------------------------------------- the whole
class Config(Section):
    run: RunConfig = Field(default_factory=RunConfig)
    population: PopulationConfig = Field(default_factory=PopulationConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    crime: CrimeConfig = Field(default_factory=CrimeConfig)
    reporting: ReportingConfig = Field(default_factory=ReportingConfig)
    trust: TrustConfig = Field(default_factory=TrustConfig)
    policing: PolicingConfig = Field(default_factory=PolicingConfig)
    coproduction: CoproductionConfig = Field(default_factory=CoproductionConfig)
    efficacy: EfficacyConfig = Field(default_factory=EfficacyConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    events: list[Event] = Field(default_factory=list)
    barriers: BarrierConfig = Field(default_factory=BarrierConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)

    @model_validator(mode="after")
    def _cross_checks(self):
        n = self.population.neighbourhoods
        for section, key in (("efficacy", "initial"), ("efficacy", "cohesion"), ("barriers", "neighbourhood")):
            v = getattr(getattr(self, section), key)
            if isinstance(v, list) and len(v) != n:
                raise ValueError(f"{section}.{key}: a list needs one value per neighbourhood ({n}), got {len(v)}")
        for g in self.barriers.group:
            if g not in self.population.groups:
                raise ValueError(f"barriers.group: unknown group {g!r}; groups are {', '.join(self.population.groups)}")
        for nb in self.policing.language_skill_beats:
            if not 0 <= nb < n:
                raise ValueError(f"policing.language_skill_beats: {nb} is not a neighbourhood (0..{n - 1})")
        if self.population.residents < self.population.neighbourhoods:
            raise ValueError("population.residents must be at least population.neighbourhoods")
        self._check_policy_targets(self.policy, "policy")
        current = self.policy
        for i, entry in sorted(enumerate(self.policy.schedule), key=lambda ie: ie[1].day):  # applied in day order, named by file position
            try:
                current = current.at(entry)
            except ValidationError as e:
                raise ValueError(f"policy.schedule.{i}: " + "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors(include_url=False))) from None
            self._check_policy_targets(current, f"policy.schedule.{i}")
        for i, ev in enumerate(self.events):
            for nb in getattr(ev, "neighbourhoods", []):
                if not 0 <= nb < n:
                    raise ValueError(f"events.{i}.neighbourhoods: {nb} is not a neighbourhood (0..{n - 1})")
            for g in getattr(ev, "groups", []):
                if g not in self.population.groups:
                    raise ValueError(f"events.{i}.groups: unknown group {g!r}; groups are {', '.join(self.population.groups)}")
        return self

    def _check_policy_targets(self, policy: "PolicyConfig", where: str) -> None:
        n = self.population.neighbourhoods
        for pname in POLICY_KNOBS:
            knobs = policy.knobs(pname)
            for nb in knobs.neighbourhoods:
                if not 0 <= nb < n:
                    raise ValueError(f"{where}.{pname}.neighbourhoods: {nb} is not a neighbourhood (0..{n - 1})")
            for g in knobs.groups:
                if g not in self.population.groups:
                    raise ValueError(f"{where}.{pname}.groups: unknown group {g!r}; groups are {', '.join(self.population.groups)}")

    # -- convenience
    def per_neighbourhood(self, value: PerNeighbourhood):
        import numpy as np

        n = self.population.neighbourhoods
        return np.full(n, float(value)) if not isinstance(value, list) else np.asarray(value, dtype=float)

    def to_dict(self) -> dict:
        """Plain TOML-able dict (unset optional fields omitted: TOML has no null).
        Schedule entries keep only the keys they set, so a partial entry stays
        partial when the config is written and read back."""
        d = _drop_none(self.model_dump(mode="json"))
        d["policy"]["schedule"] = [_drop_none(e.model_dump(mode="json", exclude_unset=True)) for e in self.policy.schedule]
        return d

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def hash(self) -> str:
        """Stable hash of the resolved parameters (excludes [run] and [output])."""
        d = self.to_dict()
        d.pop("run", None)
        d.pop("output", None)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


# =========================================================================== loading
def _drop_none(x):
    if isinstance(x, dict):
        return {k: _drop_none(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_none(v) for v in x]
    return x


def _merge(defaults: dict, changes: dict, model: type[BaseModel]) -> dict:
    """Apply `changes` onto `defaults`: sections merge key by key; named tables
    (dict fields such as groups or a policy mix) and arrays replace whole."""
    out = dict(defaults)
    for key, value in changes.items():
        field = model.model_fields.get(key)
        sub = _section_type(field) if field is not None else None
        if sub is not None and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, sub)
        else:
            out[key] = value  # unknown keys pass through for pydantic to reject by name
    return out


def _section_type(field) -> type[BaseModel] | None:
    ann = field.annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def parse_value(text: str) -> Any:
    """A --set value: parsed as a TOML value, else kept as a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_path(d: dict, path: str, value: Any) -> None:
    """Set a dotted path (numeric segments index arrays) inside nested dicts/lists."""
    parts = path.split(".")
    if not all(parts):
        raise ConfigError(f"bad parameter path {path!r}: empty segment")
    node: Any = d
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit():
                raise ConfigError(f"{where}: {'.'.join(parts[:i])} is an array; use a number 0..{len(node) - 1}")
            idx = int(part)
            if idx >= len(node):
                raise ConfigError(f"{where}: index {idx} out of range; {'.'.join(parts[:i])} has {len(node)} entries")
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if part not in node or node[part] is None:
                    node[part] = {}
                node = node[part]
        else:
            raise ConfigError(f"{where}: {'.'.join(parts[:i])} is a value, not a table")


def read_toml(path: str | Path, _seen: tuple = ()) -> dict:
    """Read a config file, following `base = "other.toml"` (relative to the file)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    if path.resolve() in _seen:
        raise ConfigError(f"config file {path}: 'base' chain loops back to itself")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config file {path} is not valid TOML: {e}") from None
    base = data.pop("base", None)
    if base is None:
        return data
    parent = read_toml(path.parent / base, _seen + (path.resolve(),))
    return _merge(parent, data, Config)


def format_validation_error(e: ValidationError) -> str:
    lines = []
    for err in e.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        # drop pydantic's discriminator tags (e.g. 'misconduct') from event paths
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in EVENT_KINDS:
            loc = loc[:2] + loc[3:]
        key = ".".join(loc) or "(config)"
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            lines.append(f"{key}: unknown parameter" + (f"; allowed here: {', '.join(allowed)}" if allowed else ""))
            continue
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ")
        rng = _range_text(loc)
        shown = "" if isinstance(value, dict) else f" = {value!r}"
        if key == "(config)":
            lines.append(msg)
        else:
            lines.append(f"{key}{shown}: {msg}" + (f" (allowed: {rng})" if rng else ""))
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _walk(loc: list[str]) -> tuple[type[BaseModel] | None, Any]:
    """The schema class and field a config path points at (None where unknown)."""
    model: Any = Config
    field = None
    skip_name = False
    for part in loc:
        if skip_name or part.isdigit():
            skip_name = False
            continue
        if model is None or part not in model.model_fields:
            return None, None
        field = model.model_fields[part]
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif get_origin(ann) is dict:
            value_type = get_args(ann)[1]
            model = value_type if isinstance(value_type, type) and issubclass(value_type, BaseModel) else None
            skip_name = True  # the next segment is an entry's name, not a field
        else:
            model = None
    return model, field


def _allowed_keys(loc: list[str]) -> list[str]:
    model, _ = _walk(loc)
    return list(model.model_fields) if model is not None else []


def _field_at(loc: list[str]):
    return _walk(loc)[1]


def _range_text(loc: list[str]) -> str:
    field = _field_at(loc)
    if field is None:
        return ""
    bounds = {type(m).__name__: m for m in field.metadata}
    low = f"{bounds['Ge'].ge} <= " if "Ge" in bounds else (f"{bounds['Gt'].gt} < " if "Gt" in bounds else "")
    high = f" <= {bounds['Le'].le}" if "Le" in bounds else (f" < {bounds['Lt'].lt}" if "Lt" in bounds else "")
    text = f"{low}value{high}" if (low or high) else ""
    unit = (field.json_schema_extra or {}).get("unit") if isinstance(field.json_schema_extra, dict) else None
    if unit and unit != "-" and text:
        text += f", in {unit}"
    return text


def load_config(path: str | Path | None = None, overrides: list[str] | dict | None = None) -> Config:
    """Load a config: the schema's defaults, changed by the file (if any), then by
    overrides (``["section.key=value", ...]`` or ``{"section.key": value}``)."""
    data = Config().to_dict()
    if path is not None:
        data = _merge(data, read_toml(path), Config)
    for key, value in _parse_overrides(overrides):
        set_path(data, key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e)) from None


def _parse_overrides(overrides) -> list[tuple[str, Any]]:
    if not overrides:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    out = []
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. --set population.residents=5000")
        key, _, text = item.partition("=")
        out.append((key.strip(), parse_value(text.strip())))
    return out


def with_overrides(config: Config, overrides: dict | list[str]) -> Config:
    """A copy of a validated config with dotted-path changes applied (and re-validated)."""
    data = config.to_dict()
    for key, value in _parse_overrides(overrides):
        set_path(data, key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e)) from None


# =========================================================================== baseline.toml
def defaults_toml() -> str:
    """The schema's defaults as a commented TOML file (configs/baseline.toml)."""
    lines = [
        "# coprod_sim baseline configuration: the schema's defaults, written out.",
        "# Generated by `coprod-sim validate --defaults`; a test checks it agrees with",
        "# src/coprod_sim/config.py. Each line: value, unit, allowed range, source.",
        "# Any config file is read as changes to these defaults (see docs/configuration.md).",
        "",
    ]
    defaults = Config()

    def emit_section(model: BaseModel, header: str):
        fields = type(model).model_fields
        scalars = [(k, f) for k, f in fields.items() if _section_type(f) is None and not isinstance(getattr(model, k), dict)]
        lines.append(f"[{header}]")
        for k, f in scalars:
            v = getattr(model, k)
            if v is None:
                lines.append(f"# {k} = (unset)  # {f.description}")
                continue
            if isinstance(v, BaseModel):
                continue
            val = tomli_w.dumps({k: v}).strip()
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            note = [extra.get("unit", "")]
            rng = _range_text(header.split(".") + [k])
            if rng:
                note.append(rng.split(", in ")[0])
            if extra.get("source"):
                note.append(extra["source"])
            lines.append(f"{val}  # {'; '.join(x for x in note if x and x != '-')}".rstrip("# ").rstrip())
            lines.append(f"    # {f.description}")
        lines.append("")
        for k, f in fields.items():
            sub = getattr(model, k)
            if isinstance(sub, BaseModel):
                emit_section(sub, f"{header}.{k}")
        if header == "population":
            for name, g in model.groups.items():
                lines.append(f"[population.groups.{name}]")
                for gk, gv in g.model_dump().items():
                    lines.append(tomli_w.dumps({gk: gv}).strip())
                lines.append("")
        for k, f in fields.items():
            value = getattr(model, k)
            if isinstance(value, dict) and k != "groups":  # a named table of plain values
                lines.append(f"[{header}.{k}]  # {f.description}")
                for mk, mv in value.items():
                    lines.append(tomli_w.dumps({mk: mv}).strip())
                lines.append("")

    # Top-level keys must come before any table in TOML.
    lines.append(f"# [[events]] entries: day, kind ({', '.join(EVENT_KINDS)}) and that kind's fields.")
    lines.append("events = []")
    lines.append("")
    for name in Config.model_fields:
        if name != "events":
            emit_section(getattr(defaults, name), name)
    return "\n".join(lines).rstrip() + "\n"


def per_day(rate_per_year: float) -> float:
    return rate_per_year / DAYS_PER_YEAR
