"""The scenario events of `[[events]]`: one class per kind, told apart by `kind`."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from .section import P, Section


class MisconductEvent(Section):
    day: int = P(0, "day", "Day the incident becomes public.", ge=0)
    kind: Literal["misconduct"] = "misconduct"
    salience: float = P(
        0.2, "share of trust", "Trust lost by residents who hear of it directly: T -= salience * T.", ge=0, le=1
    )
    groups: list[str] = Field(default_factory=list, description="Groups that hear of it (empty = all).")
    neighbourhoods: list[int] = Field(default_factory=list, description="Neighbourhoods that hear of it (empty = all).")
    reach: float = P(
        0.6,
        "share",
        "Share of residents in the named groups and neighbourhoods who hear of it directly; their network neighbours "
        "hear of it second-hand (trust.vicarious_fraction).",
        ge=0,
        le=1,
    )
    anchor_share: float = P(
        0.5,
        "share",
        "Share of the trust loss that also lowers residents' anchors (a lasting scar, recovering on the slow time "
        "scale of trust.anchor_drift_years and trust.prior_pull_years).",
        ge=0,
        le=1,
        source="weak: survey confidence recovers over years after publicized incidents",
    )


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
    reporting_cost: float = P(
        1.0,
        "logit",
        "Lower reporting logit of affected victims (Theodore 2013: 44% of Latino respondents less likely to contact "
        "police).",
        ge=0,
        le=10,
    )
    participation_cost: float = P(1.0, "logit", "Lower participation logit of affected residents.", ge=0, le=10)


AnyEvent = MisconductEvent | BudgetCutEvent | TurnoverEvent | CrimeSurgeEvent | EnforcementFearEvent
Event = Annotated[AnyEvent, Field(discriminator="kind")]
EVENT_KINDS = tuple(event.model_fields["kind"].default for event in get_args(AnyEvent))
