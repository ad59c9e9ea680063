"""The policies' part of the schema: each policy's knobs, `[policy]` and `[[policy.schedule]]`.

`POLICY_KNOBS` is the one list of policies with knobs; `PolicyConfig` (a section per
policy) and `ScheduleEntry` (the same sections, each optional) are built from it.
Policies defined outside the package have no knobs: they become valid policy names
when the policy registry calls `register_policy_name`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, create_model, field_validator, model_validator

from .section import P, Section


def _hours_share(default: float):
    return P(
        default,
        "share of discretionary hours",
        "Share of discretionary officer hours the policy takes when it runs alone (the rest is reactive patrol). In a "
        "mix, policy.mix sets the shares instead.",
        ge=0,
        le=1,
    )


class PolicyKnobs(Section):
    hours_share: float = _hours_share(0.2)
    target: Literal["listed", "lowest_trust", "highest_barrier"] = P(
        "listed",
        "-",
        "Where the policy works: 'listed' (the neighbourhoods list; empty = all), or the target_count neighbourhoods "
        "with the lowest mean trust / highest communication barrier (re-chosen each day).",
    )
    neighbourhoods: list[int] = Field(
        default_factory=list,
        description=(
            "Neighbourhoods the policy works in when target = 'listed' (empty = all, hours in proportion to residents)."
        ),
    )
    target_count: int = P(
        5, "neighbourhoods", "How many neighbourhoods 'lowest_trust' and 'highest_barrier' select.", ge=1, le=100000
    )
    groups: list[str] = Field(
        default_factory=list,
        description=(
            "Resident groups the policy reaches (empty = all): hours go to neighbourhoods in proportion to these "
            "groups' residents, and resident-facing activities (visits, informal contacts, meetings) reach only them."
        ),
    )
    visibility: float = P(
        0.5,
        "share",
        "Share of the policy's hours that count as visible police presence (a patrol hour counts 1).",
        ge=0,
        le=10,
        source="weak: uniformed engagement is partly visible (sweep 0-1)",
    )
    fidelity_half_life_years: float = P(
        0.0,
        "years",
        "Programme fidelity decays: the share of the policy's hours spent as designed halves every this many years "
        "from the day the policy started (the rest becomes random patrol); 0 = no decay.",
        ge=0,
        le=100,
        source="weak: Blair et al. 2021 Science (low-fidelity community policing did nothing); Skogan 2006 (CAPS "
        "beat meetings thinned over years); sweep 0 or 1-10",
    )


class DoorToDoorConfig(PolicyKnobs):
    visits_per_hour: float = P(2.0, "households/officer-hour", "Doors knocked per officer-hour.", ge=0, le=100)
    reach_probability: float = P(
        0.41, "probability", "Chance a knock reaches the resident.", ge=0, le=1, source="Peyton et al. 2019: 41% (C9)"
    )
    revisit_after_days: int = P(180, "days", "A resident is not visited again within this many days.", ge=0, le=36500)
    reach_trust_coef: float = P(
        1.0,
        "logit per unit trust",
        "Residents who trust the police open the door more: "
        "logit(reach) = logit(reach_probability) + coef (T - 0.475).",
        ge=0,
        le=10,
        source="weak (Peyton et al. 2019 report reach, not its trust gradient; sweep 0-3)",
    )


class HotSpotsConfig(PolicyKnobs):
    minutes_per_visit: float = P(
        15.0,
        "minutes",
        "Length of one directed-patrol visit to a hot spot.",
        gt=0,
        le=600,
        source="Koper 1995: 10-15 minute visits",
    )
    visits_per_day: float = P(
        3.0,
        "visits/place/day",
        "Visits each targeted place receives per day; sets how many places the hours cover.",
        gt=0,
        le=100,
    )
    stops_multiplier: float = P(
        1.5,
        "x",
        "Police-initiated contacts per hour at hot spots, relative to random patrol (proactive enforcement).",
        ge=0,
        le=20,
    )
    visibility: float = P(
        0.0,
        "share",
        "Share of a directed-patrol hour that counts as visible presence over the whole beat (driving between hot "
        "spots); the rest acts at the places, through the protected time of its visits (crime.residual_deterrence_*). "
        "Each hour counts once: at the place or in the beat.",
        ge=0,
        le=1,
        source="Sherman & Weisburd 1995 (Minneapolis): the dose was presence at the hot spots",
    )


class FootPatrolConfig(PolicyKnobs):
    informal_contacts_per_hour: float = P(
        1.5,
        "contacts/officer-hour",
        "Informal (non-enforcement) conversations per hour on foot.",
        ge=0,
        le=100,
        source="Ratcliffe et al. 2011; Skogan 2006",
    )
    bad_multiplier: float = P(
        0.3, "x", "Informal contacts go badly this many times as often as routine contacts.", ge=0, le=10
    )
    visibility: float = P(
        0.2,
        "share",
        "Share of a foot-patrol hour that counts as visible presence over the whole beat (walking to and from the "
        "foot beat); the rest is presence at the foot beat's places. Each hour counts once.",
        ge=0,
        le=1,
        source="Ratcliffe et al. 2011: effects were confined to the foot beats (with some displacement to their "
        "buffers); Kansas City preventive patrol experiment: diffuse patrol did not measurably deter (weak; "
        "sweep 0-0.5)",
    )
    foot_beat_share: float = P(
        0.15,
        "share",
        "Share of the beat's places its foot beat covers: the places with the most crime in the police's picture. "
        "Foot officers walk them (place presence there) and talk with the residents living at or next to them.",
        gt=0,
        le=1,
        source="Ratcliffe et al. 2011: foot beats of about 15 intersections and 1.3 miles of street around violent "
        "hot spots (weak at the model's place scale; sweep 0.05-0.5)",
    )


class CommunityMeetingsConfig(PolicyKnobs):
    interval_days: int = P(
        30,
        "days",
        "Days between meetings in a neighbourhood.",
        ge=1,
        le=3650,
        source="Chicago CAPS: monthly beat meetings (Skogan 2006)",
    )
    hours_per_meeting: float = P(
        6.0, "officer-hours", "Officer time per meeting (preparation and attendance).", gt=0, le=1000
    )
    attendance_rate: float = P(
        0.08,
        "share",
        "Chance a resident attends, times the resident's participation propensity.",
        ge=0,
        le=1,
        source="Skogan 2006: attendance mostly below 1 in 50 residents",
    )
    time_cost: float = P(
        1.0,
        "x mean resources",
        "Time a meeting costs a resident, in units of the average resident's spare time and means "
        "(population.resources_sigma): attendance x (1 + c) R / (R + c), so residents with few resources attend "
        "less and the crowd is skewed (0 = resources do not matter).",
        ge=0,
        le=100,
        source="Skogan et al. 2000 (NIJ, Public Involvement): beat meetings over-drew older, home-owning, long-term "
        "residents; weak (sweep 0-3)",
    )
    information_share: float = P(
        0.3,
        "share",
        "Share of the unrecorded crime at and next to an attendee's home place that the attendee makes known at a "
        "meeting (x (1 - barriers.information_penalty x barrier), x (1 + policing.engagement_skill_effect x the beat "
        "officers' engagement skill), capped at 1).",
        ge=0,
        le=1,
        source="weak: CAPS meetings were mostly residents listing local problems (Skogan & Hartnett 1997); sweep "
        "0.1-0.6",
    )
    problems_per_meeting: int = P(
        1,
        "places",
        "Places with the most crime newly made known at a meeting that are queued as raised problems "
        "(problem-solving takes them on first; the police report back on them at the next meeting).",
        ge=0,
        le=100,
        source="weak: CAPS beat meetings identified a few priority problems each (Skogan 2006)",
    )
    visibility: float = P(0.0, "share", "Meetings are held indoors: no visible presence.", ge=0, le=10)


class ProceduralJusticeTrainingConfig(PolicyKnobs):
    hours_share: float = _hours_share(0.5)
    hours_per_officer: float = P(
        8.0,
        "officer-hours",
        "Training time per officer (a one-day course).",
        ge=0,
        le=1000,
        source="Wood, Tyler & Papachristos 2020 PNAS: one-day course",
    )
    skill_gain: float = P(
        0.3,
        "share of remaining skill",
        "After training (and after each refresher): skill = untrained skill + gain x (1 - untrained skill).",
        ge=0,
        le=1,
    )
    gain_decay_days: float = P(
        365.0,
        "days",
        "Time constant with which an officer's skill above the untrained skill fades without refreshers "
        "(0 = never fades). It fades also after the policy stops.",
        ge=0,
        le=36500,
        source="weak: Owens et al. 2018 (Seattle: effects on arrests not significant at the 6-week follow-up); Skogan "
        "et al. 2015 and Wood et al. 2020 (some effects lasted 1-2 years); sweep 42-1095",
    )
    refresher_interval_days: int = P(
        365,
        "days",
        "A trained officer takes a refresher this many days after the last course or refresher, which restores the "
        "full gain; 0 = no refreshers.",
        ge=0,
        le=36500,
        source="judgement: annual in-service training is common in US agencies; sweep 0, 90-730",
    )
    refresher_hours: float = P(
        4.0, "officer-hours", "Training time of one refresher (half a day).", ge=0, le=1000, source="judgement"
    )
    visibility: float = P(0.0, "share", "Training is off the street: no visible presence.", ge=0, le=10)


class EngagementTrainingConfig(PolicyKnobs):
    hours_share: float = _hours_share(0.5)
    hours_per_officer: float = P(
        16.0,
        "officer-hours",
        "Training time per officer in community engagement (problem-solving meetings, door-to-door conversations, "
        "listening; distinct from procedural-justice training).",
        ge=0,
        le=1000,
        source="weak: CAPS trained officers and residents in joint problem-solving sessions of a few days (Skogan & "
        "Hartnett 1997); sweep 8-40",
    )
    skill_gain: float = P(
        0.5,
        "share of remaining skill",
        "After training: engagement skill += gain x (1 - skill); the skill acts through "
        "policing.engagement_skill_effect.",
        ge=0,
        le=1,
        source="weak (sweep 0.2-1)",
    )
    visibility: float = P(0.0, "share", "Training is off the street: no visible presence.", ge=0, le=10)


class ProblemOrientedConfig(PolicyKnobs):
    hours_per_problem: float = P(
        200.0,
        "officer-hours",
        "Officer time to analyse and respond to one problem place with residents (a SARA project of several weeks).",
        gt=0,
        le=100000,
    )
    excess_removed: float = P(
        0.6,
        "share",
        "What a project changes at the place: the share of the place's excess attractiveness over its "
        "neighbourhood's typical (median) place that a project with full information and effort removes (place "
        "management, lighting, a closed nuisance business). Not a crime reduction: what that does to crime follows.",
        ge=0,
        le=1,
        source="Eck (crime attractors and place managers); Braga et al. 1999 Jersey City: physical and social "
        "disorder reduced at most treated places; Braga & Bond 2008 Lowell (weak; sweep 0.2-0.9)",
    )
    effort_hours: float = P(
        100.0,
        "officer-hours",
        "Officer hours at which a project achieves 1 - 1/e of what full effort would: effort = 1 - exp(-"
        "hours_per_problem / effort_hours); success = effort x information (resident input / "
        "coproduction.input_reference, at most 1).",
        gt=0,
        le=100000,
        source="weak (sweep 50-400)",
    )
    effect_decay_years: float = P(
        2.0, "years", "Time constant with which a solved place's opportunity returns (0 = permanent).", ge=0, le=100
    )
    visibility: float = P(
        0.25,
        "share",
        "Problem-solving is mostly analysis and meetings; part of it is at the place.",
        ge=0,
        le=10,
        source="weak",
    )


class LiaisonConfig(PolicyKnobs):
    target: Literal["listed", "lowest_trust", "highest_barrier"] = P(
        "highest_barrier", "-", "Where liaisons work (default: the neighbourhoods with the highest barrier)."
    )
    coverage_hours_per_1000_per_day: float = P(
        2.0,
        "officer-hours/1000 residents/day",
        "Liaison hours that give a neighbourhood full coverage (civilian liaisons costed in officer-hour equivalents).",
        gt=0,
        le=1000,
    )
    barrier_offset: float = P(
        0.8,
        "share",
        "Share of the communication barrier that full liaison coverage removes (in contacts, reporting, meetings and "
        "information).",
        ge=0,
        le=1,
    )
    outreach_contacts_per_hour: float = P(
        1.0,
        "contacts/hour",
        "Designed, non-enforcement contacts liaisons make per hour (with residents of the targeted groups, if any).",
        ge=0,
        le=100,
    )


POLICY_KNOBS: dict[str, type[PolicyKnobs]] = {
    "door_to_door": DoorToDoorConfig,
    "hot_spots": HotSpotsConfig,
    "foot_patrol": FootPatrolConfig,
    "community_meetings": CommunityMeetingsConfig,
    "procedural_justice_training": ProceduralJusticeTrainingConfig,
    "problem_oriented": ProblemOrientedConfig,
    "liaison": LiaisonConfig,
    "engagement_training": EngagementTrainingConfig,
}
POLICY_NAMES = ("reactive", *POLICY_KNOBS)
_policy_names = dict.fromkeys(POLICY_NAMES)  # an ordered set: error messages list names in this order


def register_policy_name(name: str) -> None:
    """Make `name` a valid `policy.name` and mix key (the policy registry calls this)."""
    _policy_names[name] = None


def known_policies() -> list[str]:
    """Built-in policies plus any registered by user code (see policies/base.py)."""
    return list(_policy_names)


COMBINATIONS = ("mix", "split")  # policy.name values that combine policies


def _check_policy_name(v: str | None) -> str | None:
    if v is not None and v not in _policy_names and v not in COMBINATIONS:
        raise ValueError(f"unknown policy {v!r}; allowed: {', '.join(known_policies())}, {', '.join(COMBINATIONS)}")
    return v


class SplitConfig(Section):
    """A budget split: a fixed share of discretionary hours divided between two policies
    by one factor (`share_first`), so a sweep moves hours between them at a fixed total."""

    total: float = P(
        0.3,
        "share of discretionary hours",
        "For name = 'split': the share of discretionary hours the two policies take together (the rest is patrol).",
        ge=0,
        le=1,
    )
    first: str = P("door_to_door", "-", "For name = 'split': the first policy.")
    second: str = P("hot_spots", "-", "For name = 'split': the second policy.")
    share_first: float = P(
        0.5,
        "share",
        "For name = 'split': the first policy's share of the total (the second gets the rest); one factor to sweep.",
        ge=0,
        le=1,
    )

    def shares(self) -> dict[str, float]:
        """Share of discretionary hours per policy."""
        return {self.first: self.total * self.share_first, self.second: self.total * (1.0 - self.share_first)}


def _check_mix(v: dict[str, float] | None):
    for k, share in (v or {}).items():
        if k not in _policy_names:
            raise ValueError(f"unknown policy {k!r} in mix; allowed: {', '.join(known_policies())}")
        if share < 0:
            raise ValueError(f"share of {k!r} must be >= 0, got {share}")
    return v


class _ScheduleEntryHead(Section):
    """A schedule entry's own keys; `ScheduleEntry` adds an optional section per policy."""

    day: int = P(0, "day", "Day from which the entry applies.", ge=0)
    name: str | None = None
    mix: dict[str, float] | None = None
    split: SplitConfig | None = None

    _name = field_validator("name")(classmethod(lambda cls, v: _check_policy_name(v)))
    _mix = field_validator("mix")(classmethod(lambda cls, v: _check_mix(v)))


ScheduleEntry = create_model(
    "ScheduleEntry",
    __base__=_ScheduleEntryHead,
    __doc__="From `day` on, these policy keys replace the current ones (unset keys stay).",
    **{name: (knobs | None, None) for name, knobs in POLICY_KNOBS.items()},
)


class _PolicyHead(Section):
    """`[policy]`'s own keys and methods; `PolicyConfig` adds a section per policy and the schedule."""

    name: str = P("reactive", "-", "The policy: " + ", ".join(POLICY_NAMES) + ", 'mix' or 'split'.")
    mix: dict[str, float] = Field(
        default_factory=dict,
        description=(
            "For name = 'mix': shares (weights) of discretionary hours per policy; 'reactive' takes its share as "
            "patrol."
        ),
    )

    split: SplitConfig = Field(default_factory=SplitConfig)

    _name = field_validator("name")(classmethod(lambda cls, v: _check_policy_name(v)))
    _mix = field_validator("mix")(classmethod(lambda cls, v: _check_mix(v)))

    @model_validator(mode="after")
    def _mix_needs_shares(self):
        if self.name == "mix" and sum(self.mix.values()) <= 0:
            raise ValueError("policy.name = 'mix' needs policy.mix with at least one positive share")
        if self.name == "split":
            sp = self.split
            for key in ("first", "second"):
                value = getattr(sp, key)
                if value not in _policy_names or value == "reactive":
                    allowed = ", ".join(n for n in known_policies() if n != "reactive")
                    raise ValueError(f"policy.split.{key} = {value!r}: not a policy; allowed: {allowed}")
            if sp.first == sp.second:
                raise ValueError(f"policy.split: first and second are both {sp.first!r}; name two policies")
        return self

    def knobs(self, name: str) -> PolicyKnobs:
        return getattr(self, name)

    def at(self, entry: ScheduleEntry) -> PolicyConfig:
        """This policy with a schedule entry's keys applied."""
        data = self.model_dump()
        for key, value in entry.model_dump(exclude_unset=True).items():
            if key == "day":
                continue
            if isinstance(value, dict) and (key in POLICY_KNOBS or key == "split"):
                data[key].update(value)
            else:
                data[key] = value
        data["schedule"] = []
        return type(self).model_validate(data)


PolicyConfig = create_model(
    "PolicyConfig",
    __base__=_PolicyHead,
    **{name: (knobs, Field(default_factory=knobs)) for name, knobs in POLICY_KNOBS.items()},
    schedule=(
        list[ScheduleEntry],
        Field(
            default_factory=list,
            description="[[policy.schedule]] entries: from `day` on, the entry's keys replace the current policy's.",
        ),
    ),
)
