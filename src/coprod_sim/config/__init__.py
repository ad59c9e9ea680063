"""The configuration: one schema of every parameter, how configs are loaded, and baseline.toml.

- section.py: how a parameter (`P()`) and a section are declared;
- schema.py: the sections and the whole `Config`; policy_schema.py: the policies'
  knobs, `[policy]` and its schedule; event_schema.py: the `[[events]]` kinds;
- loading.py: files (with `base =`), dotted-path overrides, `load_config`;
- paths.py: what a dotted path points at (allowed keys, ranges);
- errors.py: `ConfigError` and the one-line-per-problem messages;
- toml_writer.py: `defaults_toml()`, which writes configs/baseline.toml;
- units.py: days per year and per-day rates.

This package imports nothing else from coprod_sim: every other module may import it.
"""

from .errors import ConfigError, format_validation_error
from .event_schema import (
    EVENT_KINDS,
    BudgetCutEvent,
    CrimeSurgeEvent,
    EnforcementFearEvent,
    Event,
    MisconductEvent,
    TurnoverEvent,
)
from .loading import load_config, parse_value, read_toml, set_path, with_overrides
from .paths import allowed_keys, range_text, section_type
from .policy_schema import (
    POLICY_KNOBS,
    POLICY_NAMES,
    PolicyConfig,
    PolicyKnobs,
    ScheduleEntry,
    known_policies,
    register_policy_name,
)
from .schema import RESERVED_GROUP_NAMES, Config, GroupConfig, PerNeighbourhood
from .section import P, Section
from .toml_writer import defaults_toml
from .units import DAYS_PER_YEAR, per_day

__all__ = [
    "DAYS_PER_YEAR",
    "EVENT_KINDS",
    "POLICY_KNOBS",
    "POLICY_NAMES",
    "RESERVED_GROUP_NAMES",
    "BudgetCutEvent",
    "Config",
    "ConfigError",
    "CrimeSurgeEvent",
    "EnforcementFearEvent",
    "Event",
    "GroupConfig",
    "MisconductEvent",
    "P",
    "PerNeighbourhood",
    "PolicyConfig",
    "PolicyKnobs",
    "ScheduleEntry",
    "Section",
    "TurnoverEvent",
    "allowed_keys",
    "defaults_toml",
    "format_validation_error",
    "known_policies",
    "load_config",
    "parse_value",
    "per_day",
    "range_text",
    "read_toml",
    "register_policy_name",
    "section_type",
    "set_path",
    "with_overrides",
]
