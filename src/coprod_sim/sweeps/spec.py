"""Sweep files: `[sweep]` and `[parameters]`, validated before any run starts.

```toml
[sweep]
config = "../../configs/baseline.toml"   # relative to this file (default: the schema's defaults)
design = "sobol"                         # grid, lhs, sobol or morris
samples = 64                             # points (lhs), base N (sobol, morris); ignored by grid
replicates = 2
days = 730                               # default: the config's run.days
seed = 1                                 # default: the config's run.seed
outputs = "summary"                      # or "daily"
policies = ["reactive", "door_to_door"]  # optional: every point and replicate under each (first = baseline)

[parameters]
"crime.presence_elasticity" = {low = 0.1, high = 0.5}
"policing.known_residents_per_officer" = {low = 10, high = 100, integer = true}
"policy.name" = ["reactive", "door_to_door"]  # a list: grid only
```

Every problem is reported on one line naming the key, the value and what is
allowed. `resolve_sweep` then checks every parameter path against the config
schema by applying its low, middle and high value (each list value for a grid)
to the base configuration, and every policy name as `policy.name`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import Config, ConfigError, load_config, with_overrides

DESIGNS = ("grid", "lhs", "sobol", "morris")
OUTPUTS = ("summary", "daily")
MAX_GRID_LEVELS = 1000
# Settings the sweep itself decides for every run: sweeping them would give identical runs.
SET_BY_SWEEP = {
    "run.seed": "every run's seed comes from the sweep ([sweep] seed or --seed, then replicate r of each point)",
    "run.days": "every run records [sweep] days (or --days)",
    "run.replicates": "each point runs [sweep] replicates times",
}


class SweepError(ValueError):
    """A sweep file or sweep folder problem, phrased for the user."""


class SweepSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    config: str | None = Field(
        None, description="Base configuration, relative to the sweep file (default: the schema's defaults)."
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(description="Design of the parameter points.")
    samples: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description="Points (lhs) or base N (sobol: N (D+2) points; morris: N (D+1)); ignored by grid.",
    )
    replicates: int = Field(
        1,
        ge=1,
        le=100_000,
        description="Replicates per point; replicate r runs on replicate_seed(seed, r) at every point.",
    )
    days: int | None = Field(
        None, ge=1, le=36_500, description="Recorded days per run (default: the config's run.days)."
    )
    seed: int | None = Field(
        None, ge=0, description="Root seed S of runs and of the design sample (default: the config's run.seed)."
    )
    outputs: Literal["summary", "daily"] = Field(
        "summary", description="What each run file holds: period summaries or the daily table."
    )
    policies: list[str] | None = Field(
        None,
        description=(
            "Policies (values of policy.name) every point and replicate runs under, paired on one seed;"
            " the first is the baseline that `analyze` takes differences from."
        ),
    )


class RangeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: float
    high: float
    integer: bool = False
    levels: int | None = Field(
        None, ge=2, le=MAX_GRID_LEVELS, description="Grid only: evenly spaced levels from low to high."
    )


class SweepFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sweep: SweepSection
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: a range (`low`..`high`) or, for a grid, explicit values."""

    path: str
    low: float | None = None
    high: float | None = None
    integer: bool = False
    levels: int | None = None
    values: tuple | None = None

    @property
    def is_range(self) -> bool:
        return self.values is None

    def probe_values(self) -> list:
        """Values applied to the base config to check the path before any run."""
        if self.values is not None:
            return list(self.values)
        mid = (self.low + self.high) / 2
        vals = [self.low, mid, self.high]
        return [int(round(v)) for v in vals] if self.integer else vals


@dataclass(frozen=True)
class SweepSpec:
    sweep: SweepSection
    parameters: tuple[Parameter, ...]
    source: Path | None = None

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    @property
    def policies(self) -> tuple[str, ...]:
        """The policies each run compares (baseline first); empty without `[sweep] policies`."""
        return tuple(self.sweep.policies or ())


@dataclass
class Sweep:
    """A validated spec plus what it resolves to: base config, seed and days."""

    spec: SweepSpec
    config: Config
    seed: int
    days: int
    extra: dict = field(default_factory=dict)

    @property
    def replicates(self) -> int:
        return self.spec.sweep.replicates

    @property
    def outputs(self) -> str:
        return self.spec.sweep.outputs

    @property
    def policies(self) -> tuple[str, ...]:
        return self.spec.policies


# --------------------------------------------------------------------------- parsing
def read_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (no config is loaded here)."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"sweep file not found: {path}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise SweepError(f"sweep file {path} is not valid TOML: {e}") from None
    return parse_spec(data, source=path)


def parse_spec(data: dict, source: Path | None = None) -> SweepSpec:
    where = f"sweep file {source}" if source else "sweep"
    try:
        top = SweepFile.model_validate(data)
    except ValidationError as e:
        raise SweepError(f"invalid {where}:\n  " + "\n  ".join(_format_errors(e, ()))) from None
    problems: list[str] = []
    params = []
    if not top.parameters:
        problems.append(
            'parameters: at least one parameter is required, e.g. "crime.presence_elasticity" = {low = 0.1, high = 0.5}'
        )
    for key, value in top.parameters.items():
        p = _parse_parameter(key, value, top.sweep.design, problems)
        if p is not None:
            params.append(p)
    s = top.sweep
    if s.design != "grid" and s.samples is None:
        problems.append(
            f"sweep.samples: required for design = {s.design!r} (points for lhs, base N for sobol and morris)"
        )
    if s.design == "sobol" and s.samples is not None and s.samples < 2:
        problems.append(
            f"sweep.samples = {s.samples}: sobol needs a base N of at least 2"
            " (allowed: 2, 4, 8, ...; indices from fewer points are meaningless)"
        )
    elif s.design == "sobol" and s.samples is not None and s.samples & (s.samples - 1):
        problems.append(
            f"sweep.samples = {s.samples}: sobol needs a power of 2 (allowed: 2, 4, 8, ...,"
            f" e.g. {1 << max(1, s.samples.bit_length() - 1)} or {1 << s.samples.bit_length()})"
        )
    if s.design == "morris" and s.samples is not None and s.samples < 2:
        problems.append(f"sweep.samples = {s.samples}: morris needs at least 2 trajectories (allowed: samples >= 2)")
    problems += _policy_problems(s.policies, top.parameters)
    if problems:
        raise SweepError(f"invalid {where}:\n  " + "\n  ".join(problems))
    return SweepSpec(s, tuple(params), source)


def _policy_problems(policies: list[str] | None, parameters: dict) -> list[str]:
    if policies is None:
        return []
    shown = f"sweep.policies = {policies!r}"
    if len(policies) < 2:
        return [
            f'{shown}: name a baseline and at least one policy to compare with it (e.g. ["reactive", "door_to_door"])'
        ]
    if len(set(policies)) != len(policies):
        return [f"{shown}: each policy once"]
    if "policy.name" in parameters:
        return [
            f'{shown} and parameters."policy.name": the policies set policy.name for every run; keep one of the two'
        ]
    return []


def _pkey(key: str) -> str:
    return f'parameters."{key}"'


def _parse_parameter(key: str, value: Any, design: str, problems: list[str]) -> Parameter | None:
    if not key or any(not part for part in key.split(".")):
        problems.append(f'{_pkey(key)}: not a dotted parameter path (e.g. "crime.presence_elasticity")')
        return None
    if key in SET_BY_SWEEP or key == "run":
        problems.append(
            f"{_pkey(key)}: the sweep sets this itself ({SET_BY_SWEEP.get(key, 'seed, days and replicates')});"
            " sweeping it would change nothing"
        )
        return None
    if key.split(".")[0] == "output":
        problems.append(
            f"{_pkey(key)}: output settings only change what is recorded,"
            " and a sweep records its own outputs ([sweep] outputs)"
        )
        return None
    if isinstance(value, list):
        if design != "grid":
            problems.append(
                f"{_pkey(key)} = {value!r}: a list of values is for design = 'grid' only;"
                f" for {design!r} give a range {{low, high}}"
            )
            return None
        if not value:
            problems.append(f"{_pkey(key)} = []: a grid needs at least one value")
            return None
        kinds = {_kind(v) for v in value}
        if len(kinds) != 1 or None in kinds:
            problems.append(f"{_pkey(key)} = {value!r}: grid values must all be numbers, all strings or all booleans")
            return None
        if len(set(map(repr, value))) != len(value):
            problems.append(f"{_pkey(key)} = {value!r}: grid values must be distinct")
            return None
        return Parameter(key, values=tuple(value))
    if not isinstance(value, dict):
        problems.append(
            f"{_pkey(key)} = {value!r}: expected a range {{low = ..., high = ...}}"
            + (" or a list of values" if design == "grid" else "")
        )
        return None
    try:
        r = RangeSpec.model_validate(value)
    except ValidationError as e:
        problems.extend(
            _format_errors(
                e, (_pkey(key),), allowed_extra="low, high, integer" + (", levels" if design == "grid" else "")
            )
        )
        return None
    if not r.low < r.high:
        problems.append(f"{_pkey(key)}: low = {_num(r.low)} must be below high = {_num(r.high)}")
        return None
    if r.integer:
        for name in ("low", "high"):
            v = getattr(r, name)
            if v != int(v):
                problems.append(f"{_pkey(key)}.{name} = {_num(v)}: not a whole number (integer = true)")
                return None
    if r.levels is not None and design != "grid":
        problems.append(
            f"{_pkey(key)}.levels = {r.levels}: levels is for design = 'grid' only (allowed keys: low, high, integer)"
        )
        return None
    if design == "grid" and r.levels is None and not r.integer:
        problems.append(
            f"{_pkey(key)} = {{low = {_num(r.low)}, high = {_num(r.high)}}}: a grid needs a list of values,"
            " levels = n, or integer = true (every whole number from low to high)"
        )
        return None
    if design == "grid" and r.levels is None and r.high - r.low + 1 > MAX_GRID_LEVELS:
        problems.append(
            f"{_pkey(key)}: {int(r.high - r.low + 1)} integer levels; at most {MAX_GRID_LEVELS} (add levels = n)"
        )
        return None
    low, high = (int(r.low), int(r.high)) if r.integer else (float(r.low), float(r.high))
    return Parameter(key, low=low, high=high, integer=r.integer, levels=r.levels)


def _kind(v) -> str | None:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "str"
    return None


def _num(v: float) -> str:
    return f"{v:g}"


def _format_errors(e: ValidationError, prefix: tuple[str, ...], allowed_extra: str | None = None) -> list[str]:
    lines = []
    for err in e.errors(include_url=False):
        loc = list(prefix) + [str(x) for x in err["loc"]]
        key = ".".join(loc)
        if err["type"] == "extra_forbidden":
            if allowed_extra is not None:
                allowed = allowed_extra
            elif len(err["loc"]) == 1:
                allowed = "sweep, parameters"
            else:
                allowed = ", ".join(SweepSection.model_fields)
            lines.append(f"{key}: unknown key; allowed here: {allowed}")
            continue
        if err["type"] == "missing":
            lines.append(f"{key}: required" + (f" (one of {', '.join(DESIGNS)})" if loc[-1] == "design" else ""))
            continue
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if loc[-1] == "design":
            msg = f"unknown design; allowed: {', '.join(DESIGNS)}"
        elif loc[-1] == "outputs":
            msg = f"allowed: {', '.join(OUTPUTS)}"
        shown = "" if isinstance(value, dict) else f" = {value!r}"
        lines.append(f"{key}{shown}: {msg}")
    return lines


# --------------------------------------------------------------------------- resolving
# Recording-only settings a sweep does not use (no effect on the dynamics).
SWEEP_OUTPUT_SETTINGS = {
    "output.neighbourhood_metrics": False,
    "output.figures": False,
    "output.csv": False,
    "output.agent_views_max_residents": 0,
}


def resolve_sweep(
    spec: SweepSpec, *, overrides: list[str] | dict | None = None, seed: int | None = None, days: int | None = None
) -> Sweep:
    """Load the base config (relative to the sweep file), apply `--set` overrides
    and check every parameter against the schema before anything runs."""
    base_dir = spec.source.parent if spec.source is not None else Path.cwd()
    config_path = None
    if spec.sweep.config is not None:
        config_path = base_dir / spec.sweep.config
        if not config_path.is_file():
            raise SweepError(
                f"sweep.config = {spec.sweep.config!r}: file not found ({config_path});"
                " the path is relative to the sweep file"
            )
    config = load_config(config_path, overrides)
    config = with_overrides(config, SWEEP_OUTPUT_SETTINGS)
    check_parameters(spec, config)
    check_policies(spec, config)
    seed = seed if seed is not None else (spec.sweep.seed if spec.sweep.seed is not None else config.run.seed)
    days = days if days is not None else (spec.sweep.days if spec.sweep.days is not None else config.run.days)
    return Sweep(spec, config, int(seed), int(days))


def check_parameters(spec: SweepSpec, config: Config) -> None:
    """Apply each parameter's probe values to `config`; one line per problem."""
    problems = []
    for p in spec.parameters:
        for value in p.probe_values():
            try:
                resolved = with_overrides(config, {p.path: value})
            except ConfigError as e:
                detail = "; ".join(line.strip() for line in str(e).splitlines()[1:]) or str(e)
                problems.append(f"{_pkey(p.path)}: {detail}")
                break
            current = _value_at(resolved.to_dict(), p.path)
            if p.is_range and isinstance(current, dict | list):
                problems.append(f"{_pkey(p.path)}: is a table, not a number; give the path of a single parameter")
                break
            if p.is_range and isinstance(current, bool | str):
                problems.append(
                    f"{_pkey(p.path)}: is not a numeric parameter (current value {current!r});"
                    " use design = 'grid' with a list of values"
                )
                break
            if p.is_range and not p.integer and isinstance(current, int):
                problems.append(
                    f"{_pkey(p.path)} = {{low = {_num(p.low)}, high = {_num(p.high)}}}:"
                    " an integer parameter; add integer = true"
                )
                break
    if problems:
        raise SweepError("sweep parameters do not fit the configuration:\n  " + "\n  ".join(problems))


def check_policies(spec: SweepSpec, config: Config) -> None:
    """Each of `[sweep] policies` must be a value `policy.name` takes."""
    problems = []
    for name in spec.policies:
        try:
            with_overrides(config, {"policy.name": name})
        except ConfigError as e:
            detail = "; ".join(line.strip() for line in str(e).splitlines()[1:]) or str(e)
            problems.append(f"sweep.policies: {name!r}: {detail}")
    if problems:
        raise SweepError("sweep policies do not fit the configuration:\n  " + "\n  ".join(problems))


def _value_at(d: Any, path: str) -> Any:
    node = d
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node
