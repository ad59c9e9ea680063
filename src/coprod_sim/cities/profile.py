"""A city profile (configs/cities/<city>/profile.toml; docs/city-profile.md): the
figures a city analyst fills from open data, validated with one line per bad
value, and the model configuration that runs the city at its sample scale."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import Config, ConfigError, format_validation_error, load_config, with_overrides
from ..config.schema import PolicingConfig, PopulationConfig

CRIME_TYPES = ("violent", "property")
SHARE_SUM_TOLERANCE = 0.01
# The model's victims are residents: more recorded crimes a year than residents cannot be reproduced (merge a
# commercial centre with few residents into its neighbours).
MAX_RECORDED_PER_RESIDENT_PER_YEAR = 1.0
# National defaults used where a profile gives no figure (docs/city-profile.md says where they come from).
NATIONAL_REPORTING = {"violent": 0.43, "property": 0.31}  # BJS Criminal Victimization 2022-23 (C1, C2)
NATIONAL_REPORTING_SOURCE = "national default: BJS Criminal Victimization 2022-23 (NCVS), C1/C2"


def _upper_bound(section: type, field: str) -> float:
    """The schema's largest allowed value of a parameter (a profile figure must not exceed it)."""
    return next(m.le for m in section.model_fields[field].metadata if hasattr(m, "le"))


MAX_OFFICERS_PER_1000 = _upper_bound(PopulationConfig, "officers_per_1000")
MAX_CALLS_PER_1000_PER_YEAR = _upper_bound(PolicingConfig, "other_calls_per_1000_per_year")
GROUP_TRUST_SD = 0.25  # spread of trust within a group, as in configs/baseline.toml (survey answers are wide)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Neighbourhood(_Strict):
    name: str = Field(min_length=1)
    residents: int = Field(gt=0, description="residents (census or open-data population by area)")
    groups: dict[str, float] = Field(description="share of the neighbourhood's residents in each group (sum 1)")
    recorded_crime: dict[Literal["violent", "property"], float] = Field(
        description="crimes recorded by the police per year, by type"
    )
    confidence: float | None = Field(None, ge=0, le=1, description="survey share confident in police (optional)")
    adjacent: list[str] = Field(default_factory=list, description="names of neighbouring neighbourhoods (optional)")

    @model_validator(mode="after")
    def _checks(self):
        for g, v in self.groups.items():
            if not 0 <= v <= 1:
                raise ValueError(f"groups.{g} = {v}: a share must lie in [0, 1]")
        if abs(sum(self.groups.values()) - 1) > SHARE_SUM_TOLERANCE:
            raise ValueError(
                f"groups: shares sum to {sum(self.groups.values()):.3f}; they must sum to 1 (within "
                f"{SHARE_SUM_TOLERANCE})"
            )
        for t, v in self.recorded_crime.items():
            if v < 0:
                raise ValueError(f"recorded_crime.{t} = {v}: a count must be at least 0")
        total = sum(self.recorded_crime.values())
        if total > MAX_RECORDED_PER_RESIDENT_PER_YEAR * self.residents:
            raise ValueError(
                f"recorded_crime: {total:g} a year is more than {MAX_RECORDED_PER_RESIDENT_PER_YEAR:g} per resident "
                f"({self.residents} residents); impossible for the model, whose victims are residents"
            )
        return self


class GroupSurvey(_Strict):
    confidence: float = Field(ge=0, le=1, description="share with a great deal or quite a lot of confidence")
    source: str = ""


class Calls(_Strict):
    per_year: float = Field(ge=0, description="calls for service a year (CAD extract)")
    source: str = ""


class Police(_Strict):
    officers: float = Field(ge=0, description="sworn officers (LEMAS, the department's annual report)")
    on_duty_share: float = Field(0.2, gt=0, le=1, description="share of officers on duty at any hour")
    source: str = ""


class Reporting(_Strict):
    violent: float | None = Field(None, ge=0, le=1)
    property: float | None = Field(None, ge=0, le=1)
    source: str = ""


class Sample(_Strict):
    residents: int = Field(2000, ge=100, le=200_000, description="residents simulated (the sample scale)")
    days: int = Field(365, ge=30, le=3650, description="recorded days per simulation")
    burn_in_days: int = Field(180, ge=0, le=3650)


class Prior(_Strict):
    low: float
    high: float
    scale: Literal["uniform", "log"] = "uniform"
    source: str = ""

    @model_validator(mode="after")
    def _order(self):
        if not self.low < self.high:
            raise ValueError(f"low = {self.low} must be below high = {self.high}")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"low = {self.low}: a log-uniform prior needs low > 0")
        return self


class Calibration(_Strict):
    parameters: list[str] | None = Field(None, description="fit only these dotted paths (default: all priors)")
    priors: dict[str, Prior] = Field(default_factory=dict, description="priors that replace or add to the defaults")
    tolerance: dict[str, float] = Field(default_factory=dict, description="per target name, its tolerance")


class City(_Strict):
    name: str = Field(min_length=1)
    example: bool = False
    synthetic: bool = False
    year: int | None = None
    description: str = ""
    source: str = ""


class Profile(_Strict):
    city: City
    neighbourhoods: list[Neighbourhood] = Field(min_length=1)
    groups: dict[str, GroupSurvey] = Field(min_length=1, description="survey confidence in police by group")
    calls: Calls
    police: Police
    reporting: Reporting = Field(default_factory=Reporting)
    sample: Sample = Field(default_factory=Sample)
    calibration: Calibration = Field(default_factory=Calibration)
    crime_source: str = ""

    @model_validator(mode="after")
    def _consistent(self):
        names = [n.name for n in self.neighbourhoods]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"neighbourhoods: names given more than once: {', '.join(duplicates)}")
        for g in self.groups:
            if not g.isidentifier():
                raise ValueError(f"groups.{g}: a group name must be a plain identifier (letters, digits, _)")
        for i, n in enumerate(self.neighbourhoods):
            if set(n.groups) != set(self.groups):
                raise ValueError(
                    f"neighbourhoods.{i}.groups: needs a share for exactly the groups {', '.join(self.groups)}, "
                    f"got {', '.join(n.groups) or 'none'}"
                )
            for other in n.adjacent:
                if other not in names or other == n.name:
                    raise ValueError(f"neighbourhoods.{i}.adjacent: {other!r} is not another neighbourhood's name")
        per_1000 = 1000 / self.residents
        if self.police.officers * per_1000 > MAX_OFFICERS_PER_1000:
            raise ValueError(
                f"police.officers = {self.police.officers:g}: {self.police.officers * per_1000:.3g} per 1,000 of the "
                f"{self.residents:,} residents; the model allows at most {MAX_OFFICERS_PER_1000:g} per 1,000"
            )
        if self.calls.per_year * per_1000 > MAX_CALLS_PER_1000_PER_YEAR:
            raise ValueError(
                f"calls.per_year = {self.calls.per_year:g}: {self.calls.per_year * per_1000:.3g} per 1,000 of the "
                f"{self.residents:,} residents a year; the model allows at most {MAX_CALLS_PER_1000_PER_YEAR:g}"
            )
        if len(self.neighbourhoods) > self.sample.residents // 20:
            raise ValueError(
                f"sample.residents = {self.sample.residents}: too few for {len(self.neighbourhoods)} neighbourhoods "
                "(at least 20 residents each)"
            )
        return self

    # ---------------------------------------------------------------- figures
    @property
    def residents(self) -> int:
        return sum(n.residents for n in self.neighbourhoods)

    @property
    def scale(self) -> float:
        """Simulated residents per real resident (rates per resident are kept)."""
        return self.sample.residents / self.residents

    def group_shares(self) -> dict[str, float]:
        """City-wide group shares (residents-weighted over neighbourhoods)."""
        return {g: sum(n.residents * n.groups[g] for n in self.neighbourhoods) / self.residents for g in self.groups}

    def recorded_per_1000(self, crime_type: str) -> float:
        return sum(n.recorded_crime.get(crime_type, 0.0) for n in self.neighbourhoods) / self.residents * 1000

    def reporting_rate(self, crime_type: str) -> tuple[float, str]:
        """The victimisation survey's reporting rate and where it came from (the profile or the national default)."""
        value = getattr(self.reporting, crime_type)
        if value is None:
            return NATIONAL_REPORTING[crime_type], NATIONAL_REPORTING_SOURCE
        return value, self.reporting.source or "profile"


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"city profile {path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"city profile {path}: not valid TOML ({e})") from None
    try:
        return Profile.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"invalid city profile {path}:\n  " + "\n  ".join(profile_error_lines(e))) from None


def profile_error_lines(e: ValidationError) -> list[str]:
    """One line per problem: the dotted path, the value given and what is allowed."""
    lines = []
    for err in e.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        key = ".".join(loc)
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if len(loc) == 2 and loc[0] == "neighbourhoods" and isinstance(value, dict) and "name" in value:
            key += f" ({value['name']})"  # name the area as well as its position
        if not key:
            lines.append(msg)
        elif err["type"] == "too_short" and loc == ["neighbourhoods"]:
            lines.append("neighbourhoods: none given; a profile needs at least one [[neighbourhoods]] table")
        elif err["type"] == "literal_error" and loc[-1] == "[key]":
            lines.append(f"{'.'.join(loc[:-1])}: unknown crime type; allowed: {', '.join(CRIME_TYPES)}")
        elif err["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown field (docs/city-profile.md lists the fields)")
        elif err["type"] == "missing":
            lines.append(f"{key}: missing; required (docs/city-profile.md)")
        elif isinstance(value, dict | list) or err["type"] == "value_error":
            lines.append(f"{key}: {msg}")
        else:
            lines.append(f"{key} = {value!r}: {msg}")
    return lines


def city_config(profile: Profile, base: Config | None = None) -> Config:
    """The model configuration of the city at its sample scale: residents scaled down to
    `sample.residents`, every neighbourhood and group keeping its share, officers per
    1,000 residents and rates per resident kept."""
    base = load_config(None) if base is None else base
    nbs = profile.neighbourhoods
    shares = profile.group_shares()
    default_groups = base.population.groups
    groups = {
        g: {
            "share": max(shares[g], 1e-9),
            "initial_trust_mean": (default_groups[g].initial_trust_mean if g in default_groups else 0.5),
            "initial_trust_sd": GROUP_TRUST_SD,
        }
        for g in profile.groups
    }
    data = base.to_dict()
    data["population"]["groups"] = groups
    data["barriers"]["group"] = {g: v for g, v in base.barriers.group.items() if g in groups}
    changes = {
        "population.residents": profile.sample.residents,
        "population.neighbourhoods": len(nbs),
        "population.neighbourhood_names": [n.name for n in nbs],
        "population.neighbourhood_residents": [float(n.residents) for n in nbs],
        "population.neighbourhood_group_shares": {g: [n.groups[g] for n in nbs] for g in profile.groups},
        "population.officers_per_1000": profile.police.officers / profile.residents * 1000,
        "policing.on_duty_fraction": profile.police.on_duty_share,
        "run.days": profile.sample.days,
        "run.burn_in_days": profile.sample.burn_in_days,
    }
    return _with_city(data, changes)


def _with_city(data: dict, changes: dict) -> Config:
    from ..config import set_path

    for key, value in changes.items():
        set_path(data, key, value)
    for section, key in (("efficacy", "initial"), ("efficacy", "cohesion"), ("barriers", "neighbourhood")):
        if isinstance(data[section][key], list):  # a per-neighbourhood list of another city: its mean
            data[section][key] = sum(data[section][key]) / len(data[section][key])
    try:
        return with_overrides(Config.model_validate(data), {})
    except ValidationError as e:
        raise ConfigError(f"the city profile gives an invalid configuration: {format_validation_error(e)}") from None
