"""The parameter schema: every section of a config, and the whole `Config`.

Every parameter of the model is declared once, with its unit, allowed range and
source (`P()`); the policies' sections live in policy_schema.py and the events in
event_schema.py. ``configs/baseline.toml`` is these defaults written out
(``coprod-sim validate --defaults``; a test checks they agree).
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

import tomli_w
from pydantic import Field, ValidationError, field_validator, model_validator

from .event_schema import Event
from .policy_schema import POLICY_KNOBS, PolicyConfig
from .section import P, Section

PerNeighbourhood = float | list[float]
RESERVED_GROUP_NAMES = ("violent", "property")


# --------------------------------------------------------------------------- run
class RunConfig(Section):
    days: int = P(730, "days", "Days written to the outputs (day 0 is the first day after burn-in).", ge=1, le=36500)
    burn_in_days: int = P(
        180,
        "days",
        "Days simulated before day 0 and not written (lets trust, norms and efficacy settle).",
        ge=0,
        le=36500,
    )
    seed: int = P(0, "-", "Root seed S; replicate r runs on the r-th child of SeedSequence(S).", ge=0)
    replicates: int = P(
        1, "runs", "Independent replicates (paired across policies through their seeds).", ge=1, le=100000
    )


# --------------------------------------------------------------------------- population
class GroupConfig(Section):
    share: float = P(0.5, "weight", "Share of residents (weights; normalised over groups).", gt=0)
    initial_trust_mean: float = P(
        0.5, "trust [0,1]", "Mean initial trust (and long-run anchor) of the group.", ge=0, le=1
    )
    initial_trust_sd: float = P(
        0.15, "trust [0,1]", "Standard deviation of initial trust within the group (Beta distribution).", ge=0, le=0.45
    )
    resources: float = P(
        1.0,
        "x city mean",
        "Mean spare time and means of the group's residents, relative to the city (weights meeting attendance "
        "through policy.community_meetings.time_cost).",
        gt=0,
        le=100,
        source="Skogan et al. 2000: beat-meeting attendance was low among Latino residents and high among "
        "home-owning, long-term ones; which groups these are is the scenario's choice (default: equal)",
    )


def _default_groups() -> dict[str, GroupConfig]:
    # C10 (restated): Gallup 2021, 56% of white and 27% of Black adults have "a great deal" or
    # "quite a lot" of confidence in the police. Means fitted (experiments/calibrate_baseline.py)
    # so that after burn-in these shares have trust >= survey.confidence_threshold; the spread
    # is wide, as survey answers are.
    return {
        "majority": GroupConfig(share=0.7, initial_trust_mean=0.5308, initial_trust_sd=0.25),
        "minority": GroupConfig(share=0.3, initial_trust_mean=0.3941, initial_trust_sd=0.25),
    }


class PopulationConfig(Section):
    residents: int = P(10_000, "residents", "Number of residents N.", ge=20, le=20_000_000)
    neighbourhoods: int = P(
        20, "neighbourhoods", "Number of neighbourhoods (each is one police beat).", ge=1, le=100_000
    )
    residents_per_place: float = P(
        25.0, "residents/place", "Residents per place (street segment); sets the number of places.", ge=1, le=10_000
    )
    place_neighbours: int = P(
        4,
        "places",
        "Places adjacent to each place within its neighbourhood (street segments that share an intersection); "
        "displacement and diffusion of benefits act through them.",
        ge=0,
        le=50,
        source="weak: a street segment meets about 4-6 others at its two ends (sweep 2-8)",
    )
    place_cross_neighbourhood_share: float = P(
        0.1,
        "share",
        "Share of places that also touch a place of the next neighbourhood (beats share boundary streets).",
        ge=0,
        le=1,
        source="weak (sweep 0-0.3)",
    )
    resources_sigma: float = P(
        0.5,
        "log-units",
        "Lognormal sigma of residents' spare time and means (resources, mean 1 within a group): what makes "
        "participating costly for some (drawn once, from the 'resources' stream).",
        ge=0,
        le=3,
        source="weak: spread of leisure time across adults (BLS American Time Use Survey); sweep 0-1",
    )
    officers_per_1000: float = P(
        2.2,
        "officers/1000 residents",
        "Sworn officers per 1,000 residents.",
        ge=0,
        le=50,
        source="BJS LEMAS 2016: 2.17 (C5)",
    )
    segregation: float = P(
        0.5,
        "[0,1]",
        "How concentrated groups are in neighbourhoods: 0 = every neighbourhood has the city mix, 1 = groups fill "
        "separate neighbourhoods.",
        ge=0,
        le=1,
    )
    groups: dict[str, GroupConfig] = Field(
        default_factory=_default_groups, description="Resident groups (named table; replaced whole when given)."
    )
    # A city profile (docs/city-profile.md) fills these three; unset, neighbourhoods are equal and unnamed.
    neighbourhood_names: list[str] | None = P(
        None, "-", "Names of the neighbourhoods, in index order (labels only: configs address neighbourhoods by index)."
    )
    neighbourhood_residents: list[float] | None = P(
        None,
        "weight",
        "Relative number of residents of each neighbourhood (weights, normalised; unset: equal sizes).",
        source="a city profile: census or open-data population by area",
    )
    neighbourhood_group_shares: dict[str, list[float]] | None = P(
        None,
        "weight",
        "Per group, its share of each neighbourhood's residents (weights, normalised per neighbourhood); replaces "
        "the mix that population.segregation would give.",
        source="a city profile: census population by area and group",
    )

    @field_validator("groups")
    @classmethod
    def _groups_not_empty(cls, v):
        if not v:
            raise ValueError("at least one group is required")
        for name in v:
            if not name.isidentifier():
                raise ValueError(f"group name {name!r} must be a plain identifier (letters, digits, _)")
            if name in RESERVED_GROUP_NAMES:
                raise ValueError(
                    f"group name {name!r} is reserved (it would clash with the metric reporting_rate_{name}); "
                    "choose another"
                )
        return v

    @model_validator(mode="after")
    def _neighbourhood_lists(self):
        k = self.neighbourhoods
        lists = {
            "neighbourhood_names": self.neighbourhood_names,
            "neighbourhood_residents": self.neighbourhood_residents,
        }
        lists.update({f"neighbourhood_group_shares.{g}": v for g, v in (self.neighbourhood_group_shares or {}).items()})
        for key, values in lists.items():
            if values is not None and len(values) != k:
                raise ValueError(f"{key}: needs one entry per neighbourhood ({k}), got {len(values)}")
        if self.neighbourhood_residents is not None and min(self.neighbourhood_residents) <= 0:
            raise ValueError("neighbourhood_residents: every neighbourhood needs a weight above 0")
        shares = self.neighbourhood_group_shares
        if shares is not None:
            if set(shares) != set(self.groups):
                raise ValueError(
                    f"neighbourhood_group_shares: needs exactly the groups {', '.join(self.groups)}, "
                    f"got {', '.join(shares) or 'none'}"
                )
            if any(x < 0 for v in shares.values() for x in v):
                raise ValueError("neighbourhood_group_shares: shares must be at least 0")
            if any(sum(col) <= 0 for col in zip(*shares.values(), strict=True)):
                raise ValueError("neighbourhood_group_shares: every neighbourhood needs a share above 0")
        return self


# --------------------------------------------------------------------------- network
class NetworkConfig(Section):
    builder: Literal["direct", "networkx"] = P(
        "direct",
        "-",
        "Generator of the social network: 'direct' (fast CSR builder, any N) or 'networkx' (stochastic block model "
        "via networkx, small N).",
    )
    mean_degree: float = P(10.0, "ties/resident", "Mean number of social ties per resident.", ge=0, le=200)
    within_neighbourhood_share: float = P(
        0.85, "share", "Share of ties inside the resident's own neighbourhood.", ge=0, le=1
    )
    group_homophily: float = P(
        0.85,
        "share",
        "Share of within-neighbourhood ties drawn from the resident's own group (the rest are drawn at random).",
        ge=0,
        le=1,
    )
    path: str | None = P(
        None,
        "-",
        "A user-supplied graph (edge list .txt/.csv/.edgelist or .graphml). GraphML node attributes 'neighbourhood', "
        "'group' and 'trust' are used when present.",
    )


# --------------------------------------------------------------------------- crime
class CrimeConfig(Section):
    violent_per_1000_per_year: float = P(
        21.7,
        "incidents/1000 residents/year",
        "Base violent offending rate at reference deterrence and efficacy (fitted to C6).",
        ge=0,
        le=10_000,
        source="fitted; target BJS 2022: 23.5",
    )
    property_per_1000_per_year: float = P(
        37.22,
        "incidents/1000 residents/year",
        "Base property offending rate at reference deterrence and efficacy (fitted to C7).",
        ge=0,
        le=10_000,
        source="fitted; target BJS 2022: ~40",
    )
    propensity_sigma: float = P(
        1.0, "log-units", "Lognormal sigma of individual offending propensity (mean 1).", ge=0, le=4
    )
    place_concentration_sigma: float = P(
        1.8,
        "log-units",
        "Lognormal sigma of place attractiveness (1.65 would put 50% of expected crime at 5% of places); with "
        "crime.local_offending_share it is fitted to the realised concentration of a year's incidents (C13).",
        ge=0,
        le=5,
        source="Weisburd 2015, law of crime concentration (C13, fitted)",
    )
    local_offending_share: float = P(
        0.2,
        "share",
        "Share of a neighbourhood's offending at its own places; the rest goes to places anywhere in the city, by "
        "attractiveness (offenders travel beyond a few blocks).",
        ge=0,
        le=1,
        source="weak: journeys to crime are short but span more than a 500-resident neighbourhood (Bernasco 2010; "
        "Townsley & Sidebottom 2010); fitted with place_concentration_sigma to C13 (1 = all local: C13 fails); "
        "sweep 0-1",
    )
    seriousness_violent: float = P(0.8, "[0,1]", "Mean seriousness of a violent incident.", ge=0, le=1)
    seriousness_property: float = P(0.4, "[0,1]", "Mean seriousness of a property incident.", ge=0, le=1)
    seriousness_sd: float = P(
        0.15, "[0,1]", "Standard deviation of seriousness within a type (clipped to [0,1]).", ge=0, le=1
    )
    presence_elasticity: float = P(
        0.2,
        "-",
        "Elasticity of offending with respect to visible police hours per 1,000 residents in the beat: every "
        "on-duty hour weighted by its activity's visibility (response and patrol 1; each policy's `visibility`), so "
        "it scales with officer numbers and falls with time spent off the street; random patrol per se adds nothing "
        "beyond its visibility (Kansas City preventive patrol experiment).",
        ge=0,
        le=3,
        source="Chalfin & McCrary 2018 (police numbers): -0.34 violent, -0.17 property",
    )
    certainty_elasticity: float = P(
        0.2,
        "-",
        "Elasticity of offending with respect to perceived certainty of apprehension (cleared incidents / all "
        "incidents in the beat, learned over crime.certainty_memory_days).",
        ge=0,
        le=3,
        source="Nagin 2013: certainty deters; size uncertain (sweep 0-0.5)",
    )
    reference_visible_hours_per_1000_per_day: float = P(
        10.56,
        "officer-hours/1000 residents/day",
        "Visible police hours at which the presence term is neutral (the default force: 2.2 officers per 1,000 x "
        "24 h x 0.2 on duty).",
        gt=0,
    )
    reference_certainty: float = P(
        0.10,
        "share",
        "Perceived certainty (cleared / all incidents) at which the certainty term is neutral.",
        gt=0,
        le=1,
    )
    certainty_memory_days: float = P(
        180.0,
        "days",
        "Time constant with which offenders learn the certainty of apprehension (months: they learn from their own "
        "and peers' arrests, slowly).",
        ge=1,
        le=3650,
        source="Nagin 2013; Apel 2013 (perceptions update slowly); weak",
    )
    perception_memory_days: float = P(
        30.0,
        "days",
        "Time constant of offenders' perceived police presence in the beat and at places (exponential smoothing).",
        ge=1,
        le=3650,
    )
    efficacy_coef: float = P(
        1.0,
        "log-rate per unit efficacy",
        "How strongly collective efficacy lowers offending: rate x exp(-coef (CE - reference)).",
        ge=0,
        le=10,
        source="Sampson, Raudenbush & Earls 1997",
    )
    efficacy_reference: float = P(
        0.40, "[0,1]", "Collective efficacy at which the efficacy term is neutral.", ge=0, le=1
    )
    max_rate_multiplier: float = P(
        5.0,
        "x",
        "Cap on the combined deterrence/efficacy/surge multiplier of offending; potential incidents are drawn at this "
        "multiple of the base rate and thinned (common random numbers).",
        ge=1,
        le=100,
    )
    residual_deterrence_max_minutes: float = P(
        30.0,
        "minutes",
        "Residual deterrence a long directed-patrol visit leaves at the place after the officer goes: a visit of m "
        "minutes protects the place for m + max x m^2 / (half^2 + m^2) minutes (docs/ODD.md 7.2).",
        ge=0,
        le=600,
        source="Koper 1995 (Minneapolis hot-spots data): disorder within 30 minutes of police leaving fell from 15% "
        "after drive-bys to 4% after 10-16 minute stops; weak on the size (sweep 0-60)",
    )
    residual_deterrence_half_minutes: float = P(
        14.0,
        "minutes",
        "Visit length at which residual deterrence is half its maximum; protected time per officer minute is "
        "largest at visits of this length.",
        gt=0,
        le=600,
        source="Koper 1995: residual deterrence grows with each minute up to about 10-15 minutes, little after "
        "(moderate; sweep 8-20)",
    )
    displacement_share: float = P(
        0.05,
        "share",
        "Displacement: offending at a place rises by this share x its exposure (the summed share of offending that "
        "directed presence deters at its adjacent places, at most 1).",
        ge=0,
        le=1,
        source="Weisburd et al. 2006, Criminology 44(3): little displacement to catchment areas; Bowers et al. 2011: "
        "catchment changes non-significant (weak; sweep 0-0.3)",
    )
    diffusion_share: float = P(
        0.15,
        "share",
        "Diffusion of benefits: offending at a place falls by this share x its exposure (offenders near a patrolled "
        "place are unsure how far the police reach).",
        ge=0,
        le=1,
        source="Bowers et al. 2011, J Exp Criminol 7(4) meta-analysis: diffusion more likely than displacement; "
        "Weisburd et al. 2006 (weak; sweep 0-0.4)",
    )


# --------------------------------------------------------------------------- reporting
class SurveyConfig(Section):
    confidence_threshold: float = P(
        0.5,
        "trust [0,1]",
        "Trust at or above which a resident would tell a survey they have 'a great deal' or 'quite a lot' of "
        "confidence in the police (confidence_share).",
        ge=0,
        le=1,
        source="Gallup (C10): the scale's midpoint; calibration may move it",
    )


class ReportingConfig(Section):
    intercept: float = P(
        -1.635, "logit", "Intercept of the reporting logit (fitted to C1/C2).", ge=-20, le=20, source="fitted"
    )
    seriousness_coef: float = P(
        1.3,
        "logit per unit seriousness",
        "Effect of incident seriousness; sets the violent/property reporting gap (C1 vs C2).",
        ge=0,
        le=20,
        source="set by hand to the C1-C2 gap",
    )
    trust_coef: float = P(
        1.0,
        "logit per unit trust",
        "Effect of the victim's trust; C3 bounds it to at most about 1.4-1.6 (sweep 0.5-2.5).",
        ge=0,
        le=10,
        source="C3: Langton et al. 2012; CSEW 2016/17",
    )
    norm_coef: float = P(
        1.0,
        "logit per unit reporting share",
        "Effect of the neighbourhood's recent reporting share (reporting norm), centred on norm_reference.",
        ge=0,
        le=10,
    )
    norm_reference: float = P(
        0.35, "share", "Neighbourhood reporting share at which the norm term is neutral.", ge=0, le=1
    )
    norm_memory_days: float = P(90.0, "days", "Time constant of the neighbourhood reporting norm.", ge=1, le=3650)
    efficacy_coef: float = P(
        0.5,
        "logit per unit efficacy",
        "Effect of neighbourhood collective efficacy, centred on crime.efficacy_reference.",
        ge=0,
        le=10,
    )
    alternatives_share: float = P(
        0.3,
        "share",
        "Share of residents with alternatives to the police (insurance, family, informal resolution).",
        ge=0,
        le=1,
    )
    alternatives_coef: float = P(
        0.5, "logit", "Lower reporting of victims who have alternatives (victims without any call anyway).", ge=0, le=10
    )
    third_party_probability: float = P(
        0.1,
        "probability",
        "Chance that an incident its victim does not report is reported by someone else (a witness, a relative); "
        "it is recorded and takes officer time, but is not investigated to clearance.",
        ge=0,
        le=1,
        source="weak; NCVS counts reports by anyone",
    )


# --------------------------------------------------------------------------- trust
class TrustConfig(Section):
    anchor_rate_per_day: float = P(
        0.015, "1/day", "Pull of trust toward the resident's own long-run anchor (Friedkin-Johnsen).", ge=0, le=1
    )
    social_rate_per_day: float = P(
        0.01, "1/day", "Pull of trust toward the mean trust of network neighbours.", ge=0, le=1
    )
    anchor_drift_years: float = P(
        3.0,
        "years",
        "Slow time scale: time constant with which anchors drift toward experienced trust (0 = anchors fixed).",
        ge=0,
        le=100,
        source="weak: survey confidence recovers over years after publicized incidents (sweep 1-10)",
    )
    prior_pull_years: float = P(
        5.0,
        "years",
        "Time constant with which anchors return toward the resident's initial anchor (the socialised prior: "
        "family, media, community); 0 = no pull. With it the baseline's mean trust is nearly stationary (the "
        "within-group spread still narrows slowly under social influence: docs/calibration.md).",
        ge=0,
        le=100,
        source="weak (sweep 2-20)",
    )
    negative_contact_effect: float = P(
        0.10, "share of trust", "Trust lost in a bad contact: T -= effect * T.", ge=0, le=1, source="Skogan 2006 (C8)"
    )
    positive_contact_effect: float = P(
        0.015,
        "share of distrust",
        "Trust gained in a good routine contact: T += effect * (1 - T).",
        ge=0,
        le=1,
        source="Skogan 2006 (C8): 4-14x smaller than bad",
    )
    designed_contact_effect: float = P(
        0.10,
        "share of distrust",
        "Trust gained in a designed non-enforcement contact (door-to-door).",
        ge=0,
        le=1,
        source="Peyton et al. 2019 (C9, C11)",
    )
    vicarious_fraction: float = P(
        0.3,
        "share",
        "A neighbour's experience, when talked about, moves trust by this fraction of a direct one.",
        ge=0,
        le=1,
        source="Rosenbaum et al. 2005; Skogan 2006: 0.2-0.5",
    )
    talk_probability: float = P(
        0.3,
        "probability",
        "Chance that an experience (a contact, a victimization) is talked about with each network tie.",
        ge=0,
        le=1,
        source="weak (sweep 0.1-1)",
    )
    victimization_effect: float = P(
        0.04,
        "share of trust",
        "Trust lost by a victim whose crime is not cleared (reported or not); talked about like a contact.",
        ge=0,
        le=1,
        source="Skogan 2006; Bradford et al. 2009: victims are less confident; size weak",
    )
    clearance_effect: float = P(
        0.03, "share of distrust", "Trust gained by a victim whose reported crime is cleared.", ge=0, le=1
    )
    unanswered_call_effect: float = P(
        0.05,
        "share of trust",
        "Trust lost by a caller or reporting victim whose call is not answered (demand above capacity).",
        ge=0,
        le=1,
        source="weak",
    )
    feedback_effect: float = P(
        0.02,
        "share of distrust",
        "Trust gained when the police report back: a call-back to a reporting victim (policing.followup_share), or "
        "news at a meeting that a problem raised at the last one was taken on; talked about like a contact.",
        ge=0,
        le=1,
        source="Clark, Ariel & Harinam (Police Quarterly) RCT: call-backs raised bicycle-theft victims' satisfaction "
        "5-15%, not vehicle-theft victims'; Lay, Ariel & Harinam 2022; weak (sweep 0-0.05)",
    )


# --------------------------------------------------------------------------- policing
class PolicingConfig(Section):
    on_duty_fraction: float = P(
        0.2,
        "share",
        "Share of officers on duty at any hour; daily hours per officer = 24 x this.",
        ge=0,
        le=1,
        source="BJS LEMAS; DESIGN.md starting default",
    )
    pj_skill_mean: float = P(0.6, "[0,1]", "Mean procedural-justice skill of officers (Beta distribution).", ge=0, le=1)
    pj_skill_sd: float = P(0.15, "[0,1]", "Standard deviation of procedural-justice skill.", ge=0, le=0.45)
    bad_contact_max: float = P(
        0.35,
        "probability",
        "Chance a contact goes badly for an officer of skill 0 (falls linearly to 0 at skill 1).",
        ge=0,
        le=1,
    )
    enforcement_bad_multiplier: float = P(
        1.5, "x", "Police-initiated (enforcement) contacts go badly this many times as often.", ge=0, le=10
    )
    response_hours_violent: float = P(
        3.0,
        "officer-hours/report",
        "Officer time to respond to and investigate a reported violent incident.",
        ge=0,
        le=100,
    )
    response_hours_property: float = P(
        1.5, "officer-hours/report", "Officer time for a reported property incident.", ge=0, le=100
    )
    other_calls_per_1000_per_year: float = P(
        672.0,
        "calls/1000 residents/year",
        "Calls for service other than victims' crime reports (disputes, disorder, alarms, welfare, traffic).",
        ge=0,
        le=100000,
        source="Sherman et al. 1989: ~870 calls per 1,000 residents a year in all (C14)",
    )
    resident_call_share: float = P(
        0.5,
        "share",
        "Share of those calls made by residents (each a contact); the rest come from businesses, alarms and "
        "passers-by and only take officer time.",
        ge=0,
        le=1,
        source="weak; Sherman et al. 1989: many calls from businesses and repeat addresses",
    )
    caller_concentration_sigma: float = P(
        2.0,
        "log-units",
        "Lognormal sigma of residents' propensity to call (repeat callers): 2.0 puts about half of resident calls "
        "on 3% of residents.",
        ge=0,
        le=5,
        source="Sherman et al. 1989: 50% of calls from 3% of addresses and intersections",
    )
    call_trust_coef: float = P(
        1.0,
        "log-rate per unit trust",
        "Residents call more when they trust the police: rate x exp(coef (T - 0.5)).",
        ge=0,
        le=5,
        source="Desmond, Papachristos & Kirk 2016 (calls fell after a publicized beating; contested by Zoorob "
        "2020): weak",
    )
    service_call_hours: float = P(
        1.459,
        "officer-hours/call",
        "Officer time per call other than a crime report, travel and paperwork included (fitted to C12).",
        ge=0,
        le=100,
        source="fitted; target Famega 2005: 21-30% of a shift committed",
    )
    reference_utilisation: float = P(
        0.27,
        "share",
        "Share of on-duty hours committed to calls at which response quality (the police effort term of clearance) "
        "is neutral; effort = (1 - utilisation) / (1 - reference), so it falls as calls crowd out investigation.",
        gt=0,
        lt=1,
        source="Famega 2005; queueing: delay grows as 1 / (1 - utilisation)",
    )
    stops_per_patrol_hour: float = P(
        0.06598,
        "contacts/officer-hour",
        "Police-initiated contacts (stops, enquiries) per hour of patrol by an officer of procedural-justice skill "
        "0; an officer of skill s makes (1 - stop_skill_slope x s) times as many (fitted to C4 at the mean skill).",
        ge=0,
        le=100,
        source="fitted; target BJS 2018: 11-12% police-initiated (re-fitted to C4 with the skill filter on)",
    )
    stop_skill_slope: float = P(
        0.8,
        "per unit skill",
        "Discretionary enforcement falls with an officer's procedural-justice skill: stops per patrol hour x "
        "(1 - slope x skill). With the default PJ course (skill 0.6 -> 0.72) a trained officer stops about 18% "
        "fewer people; 0 makes stops independent of skill.",
        ge=0,
        le=1,
        source="weak: Weisburd et al. 2022 PNAS (PJ-trained officers made many fewer arrests at hot spots); Owens et "
        "al. 2018 (trained officers less likely to resolve incidents with an arrest); sweep 0-1",
    )
    annual_turnover_rate: float = P(
        0.108,
        "share of officers/year",
        "Routine turnover: each officer leaves with a daily hazard from this annual rate and is replaced on the same "
        "beat by an untrained recruit (fresh skill draw, knowing no residents); 0 switches it off.",
        ge=0,
        lt=1,
        source="Wareham, Smith & Lambert 2015 Criminal Justice Review: 10.8% a year, US sworn officers (LEMAS "
        "2003, CSLLEA 2008)",
    )
    acquaintance_days: float = P(
        365.0,
        "days",
        "Time constant with which an officer who knows fewer than known_residents_per_officer residents of the beat "
        "(a recruit) gets to know more: (target - known) / acquaintance_days new residents a day; 0 = never.",
        ge=0,
        le=36500,
        source="weak: judgement (a beat officer learns regulars over months to years); sweep 90-1095",
    )
    known_residents_per_officer: int = P(
        50, "residents", "Residents of the beat each officer knows by name.", ge=0, le=100000
    )
    known_contact_share: float = P(
        0.3,
        "share",
        "Share of an officer's police-initiated contacts that are with residents the officer knows.",
        ge=0,
        le=1,
    )
    language_skill_share: float = P(
        0.1,
        "share",
        "Share of officers with language / cultural skill; in their contacts it cancels the communication barrier "
        "(see [barriers]).",
        ge=0,
        le=1,
    )
    language_skill_beats: list[int] = Field(
        default_factory=list,
        description=(
            "Beats to which the skilled officers are assigned (round-robin); empty = they keep their random beats."
        ),
    )
    followup_share: float = P(
        0.25,
        "share",
        "Share of answered reporting victims whom an officer later calls back about their case (two-way "
        "communication); each call-back takes policing.followup_hours of committed time and is a feedback "
        "experience (trust.feedback_effect).",
        ge=0,
        le=1,
        source="weak: victims often hear nothing after reporting (HMIC 2014; Lay, Ariel & Harinam 2022); sweep 0-1",
    )
    followup_hours: float = P(
        0.25,
        "officer-hours/call-back",
        "Officer time for one call-back to a reporting victim (committed time, as calls are).",
        ge=0,
        le=10,
        source="weak: a short telephone call plus the note (Clark, Ariel & Harinam, Police Quarterly)",
    )
    engagement_skill_effect: float = P(
        0.5,
        "share per unit skill",
        "How much more a designed contact achieves when made by an officer with engagement skill 1 (skill from "
        "policy.engagement_training): its trust effect and the information elicited at meetings x (1 + effect x "
        "skill).",
        ge=0,
        le=10,
        source="weak (sweep 0-1)",
    )
    local_knowledge_weight: float = P(
        0.5,
        "-",
        "Local knowledge: each unreported incident becomes known to the police with probability weight x the "
        "neighbourhood's (barrier-discounted) participation; 0 switches it off. It only changes where targeting "
        "policies (hot_spots, problem_oriented) aim.",
        ge=0,
        le=10,
    )
    place_stop_passer_by_share: float = P(
        0.3,
        "share",
        "Share of the stops and informal contacts of place-based patrol (hot spots, foot patrol) that are with "
        "passers-by from anywhere in the beat; the rest are with residents living at the patrolled place or an "
        "adjacent one.",
        ge=0,
        le=1,
        source="judgement, weak (sweep 0-0.7): people at a street segment are mostly those who live or work there",
    )


# --------------------------------------------------------------------------- co-production
class CoproductionConfig(Section):
    participation_intercept: float = P(
        -2.5, "logit", "Intercept of the participation logit (information, meetings, watch).", ge=-20, le=20
    )
    participation_trust_coef: float = P(2.0, "logit per unit trust", "Participation rises with trust.", ge=0, le=20)
    participation_efficacy_coef: float = P(
        1.0, "logit per unit efficacy", "Participation rises with neighbourhood collective efficacy.", ge=0, le=20
    )
    clearance_violent: float = P(
        0.45,
        "share",
        "Clearance of a reported violent incident at reference effort and resident input.",
        ge=0,
        le=1,
        source="FBI UCR 2019: 45.5%",
    )
    clearance_property: float = P(
        0.17,
        "share",
        "Clearance of a reported property incident at reference effort and input.",
        ge=0,
        le=1,
        source="FBI UCR 2019: 17.2%",
    )
    effort_elasticity: float = P(0.5, "-", "Cobb-Douglas exponent of police effort in clearance.", ge=0, le=3)
    input_elasticity: float = P(
        0.5,
        "-",
        "Cobb-Douglas exponent of resident input (witness information) in clearance; with effort it makes them "
        "complements.",
        ge=0,
        le=3,
    )
    input_reference: float = P(
        0.25, "share", "Neighbourhood participation at which the input term is neutral.", gt=0, le=1
    )


# --------------------------------------------------------------------------- collective efficacy
class EfficacyConfig(Section):
    initial: PerNeighbourhood = P(0.40, "[0,1]", "Initial collective efficacy (scalar or one value per neighbourhood).")
    cohesion: PerNeighbourhood = P(
        0.5, "[0,1]", "Social cohesion and trust among neighbours (scalar or per neighbourhood)."
    )
    adjust_rate_per_day: float = P(0.01, "1/day", "Speed with which efficacy moves toward its target.", ge=0, le=1)
    cohesion_weight: float = P(0.6, "-", "Weight of cohesion in the efficacy target.", ge=0, le=5)
    participation_weight: float = P(
        0.7, "-", "Weight of resident participation (willingness to intervene) in the target.", ge=0, le=5
    )
    crime_erosion: float = P(
        0.005,
        "efficacy per (incident/1000 residents)",
        "Efficacy lost per incident per 1,000 residents in the neighbourhood.",
        ge=0,
        le=10,
        source="Skogan 1990, Disorder and Decline",
    )

    @field_validator("initial", "cohesion")
    @classmethod
    def _in_unit_interval(cls, v):
        values = v if isinstance(v, list) else [v]
        bad = [x for x in values if not (0 <= x <= 1)]
        if bad:
            raise ValueError(f"must lie in [0, 1], got {bad[0]}")
        return v


# --------------------------------------------------------------------------- communication barriers
class BarrierConfig(Section):
    neighbourhood: PerNeighbourhood = P(
        0.0,
        "[0,1]",
        "Communication barrier per neighbourhood (language access, knowing how to report, cultural distance): a "
        "scalar or one value per neighbourhood.",
    )
    group: dict[str, float] = Field(
        default_factory=dict,
        description="Extra barrier per group, in [0, 1]; a resident's barrier is 1 - (1 - neighbourhood)(1 - group).",
    )
    fairness_penalty: float = P(
        0.5,
        "share",
        "A barrier lowers the chance a contact is understood as fair: the officer's effective skill is skill x (1 - "
        "penalty x barrier x (1 - officer language skill)).",
        ge=0,
        le=1,
    )
    reporting_cost: float = P(
        1.0,
        "logit per unit barrier",
        "Lower reporting logit per unit barrier (contextual studies: Xie & Baumer 2019; Gutierrez & Kirk 2017).",
        ge=0,
        le=10,
    )
    attendance_penalty: float = P(0.7, "share", "Meeting attendance x (1 - penalty x barrier).", ge=0, le=1)
    information_penalty: float = P(
        0.5,
        "share",
        "Information a participant passes on (clearance input, local knowledge) x (1 - penalty x barrier).",
        ge=0,
        le=1,
    )

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
    agent_views_max_residents: int = P(
        5000, "residents", "Create Mesa Resident views (for the dashboard, teaching) up to this many residents.", ge=0
    )
    places: bool = P(
        False,
        "-",
        "Write the per-place table places.parquet (crimes, place-based hours, problem-solving, treated and adjacent "
        "places per replicate and period); also --places on run and compare.",
    )
    treated_min_hours: float = P(
        10.0,
        "officer-hours",
        "In places.parquet a place is treated in a period with at least these hot-spot or foot-patrol hours there "
        "(or a problem-solving project).",
        ge=0,
    )


# --------------------------------------------------------------------------- report
# The metrics with a smallest effect that matters: metric_registry.SMALLEST_EFFECT's keys (a test checks they
# agree; the config package imports nothing else from the package).
SMALLEST_EFFECT_METRICS = (
    "crimes",
    "crimes_recorded",
    "confidence_share",
    "trust_gap",
    "reporting_rate",
    "calls_for_service",
    "hours_committed",
)


class ReportConfig(Section):
    smallest_effect: dict[str, float] = Field(
        default_factory=dict,
        description="The smallest effect that matters, per headline metric, overriding the metric registry's "
        "(`metric_registry.SMALLEST_EFFECT`: 0.01 each): a share of the baseline for counts (0.01 = 1% of crime), "
        "a share for rates and confidence (0.01 = 1 percentage point). The report greys smaller effects. "
        "Keys: crimes, crimes_recorded, confidence_share, trust_gap, reporting_rate, calls_for_service, "
        "hours_committed.",
    )

    @field_validator("smallest_effect")
    @classmethod
    def _known_metrics(cls, v):
        for name, x in v.items():
            if name not in SMALLEST_EFFECT_METRICS:
                raise ValueError(f"unknown metric {name!r}; allowed: {', '.join(SMALLEST_EFFECT_METRICS)}")
            if not 0 <= x <= 1:
                raise ValueError(f"{name}: must lie in [0, 1], got {x}")
        return v


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
    survey: SurveyConfig = Field(default_factory=SurveyConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)

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
        for i, entry in sorted(
            enumerate(self.policy.schedule), key=lambda ie: ie[1].day
        ):  # applied in day order, named by file position
            try:
                current = current.at(entry)
            except ValidationError as e:
                raise ValueError(
                    f"policy.schedule.{i}: "
                    + "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors(include_url=False))
                ) from None
            self._check_policy_targets(current, f"policy.schedule.{i}")
        for i, ev in enumerate(self.events):
            for nb in getattr(ev, "neighbourhoods", []):
                if not 0 <= nb < n:
                    raise ValueError(f"events.{i}.neighbourhoods: {nb} is not a neighbourhood (0..{n - 1})")
            for g in getattr(ev, "groups", []):
                if g not in self.population.groups:
                    raise ValueError(
                        f"events.{i}.groups: unknown group {g!r}; groups are {', '.join(self.population.groups)}"
                    )
        return self

    def _check_policy_targets(self, policy: PolicyConfig, where: str) -> None:
        n = self.population.neighbourhoods
        for pname in POLICY_KNOBS:
            knobs = policy.knobs(pname)
            for nb in knobs.neighbourhoods:
                if not 0 <= nb < n:
                    raise ValueError(f"{where}.{pname}.neighbourhoods: {nb} is not a neighbourhood (0..{n - 1})")
            for g in knobs.groups:
                if g not in self.population.groups:
                    raise ValueError(
                        f"{where}.{pname}.groups: unknown group {g!r}; groups are {', '.join(self.population.groups)}"
                    )

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
        d["policy"]["schedule"] = [
            _drop_none(e.model_dump(mode="json", exclude_unset=True)) for e in self.policy.schedule
        ]
        return d

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def hash(self) -> str:
        """Stable hash of the resolved parameters (excludes [run], [output] and [report])."""
        d = self.to_dict()
        d.pop("run", None)
        d.pop("output", None)
        d.pop("report", None)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def _drop_none(x):
    if isinstance(x, dict):
        return {k: _drop_none(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_none(v) for v in x]
    return x
