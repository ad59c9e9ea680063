"""The dashboard's model factory: scenario presets, start-up settings, `DashboardModel`.

SolaraViz's Reset re-creates the model as ``type(model)(**sidebar_values)``, so the
dashboard's model is `CoProductionModel` with a constructor that takes the
sidebar's values (a preset name, a policy, a few parameters, a seed) and turns
them into a config by dotted paths. It adds one thing: `actions`, the list of
(day, label) of what the class did mid-run (marked on the plots).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import POLICY_NAMES, Config, load_config, parse_value, read_toml
from ..model import CoProductionModel
from ..streams import replicate_seed

# A city that steps smoothly and still has enough crime per day to plot: at
# 10,000 residents about 1.7 incidents a day (2,000 residents give ~0.3, so the
# reporting rate would be empty most days). One step takes ~1 ms; drawing is
# what limits the frame rate. Burn-in is shorter than the default 180 days.
# Neighbourhoods stay at the schema's 20: presets give per-neighbourhood lists.
DASHBOARD_DEFAULTS: dict[str, object] = {
    "population.residents": 10_000,
    "run.burn_in_days": 120,
}
SCHEMA_DEFAULTS = Config()  # the sidebar's starting values where no preset sets them
AS_SCENARIO = "as in scenario"
BASELINE = "baseline"
# The "mix" choice when the scenario has no mix of its own: shares of discretionary hours.
CLASSROOM_MIX = {"reactive": 0.4, "door_to_door": 0.2, "community_meetings": 0.2, "hot_spots": 0.2}
POLICY_CHOICES = [AS_SCENARIO, *POLICY_NAMES, "mix", "split"]

# The sidebar's parameters: keyword -> dotted config path.
PARAM_PATHS = {
    "residents": "population.residents",
    "officers_per_1000": "population.officers_per_1000",
    "negative_contact_effect": "trust.negative_contact_effect",
    "designed_contact_effect": "trust.designed_contact_effect",
    "vicarious_fraction": "trust.vicarious_fraction",
    "social_rate_per_day": "trust.social_rate_per_day",
    "split_share": "policy.split.share_first",
}

ENV_PRESET = "COPROD_DASHBOARD_CONFIG"
ENV_OVERRIDES = "COPROD_DASHBOARD_SET"
ENV_SEED = "COPROD_DASHBOARD_SEED"


def scenario_dirs() -> list[Path]:
    """Where presets are looked for: ./configs/scenarios, then the repository's."""
    here = Path(__file__).resolve()
    dirs = [Path.cwd() / "configs" / "scenarios", here.parents[3] / "configs" / "scenarios"]
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [x.resolve() for x in out]:
            out.append(d)
    return out


def presets() -> dict[str, Path | None]:
    """Scenario presets by name: `baseline` (the schema's defaults, i.e.
    configs/baseline.toml) and every configs/scenarios/*.toml."""
    found: dict[str, Path | None] = {BASELINE: None}
    for d in scenario_dirs():
        for p in sorted(d.glob("*.toml")):
            found.setdefault(p.stem, p)
    return found


def resolve_preset(name_or_path: str | None) -> tuple[str, Path | None]:
    """A preset given by name, or a config file given by path: (its name, its path).
    A file's name is its path, so that Reset finds it again."""
    if not name_or_path:
        return BASELINE, None
    known = presets()
    if name_or_path in known:
        return name_or_path, known[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise ValueError(f"no scenario preset or config file {name_or_path!r}; presets: {', '.join(known)}")
    return str(name_or_path), path


def preset_choices(start: str | None = None) -> list[str]:
    """The preset menu: the built-in presets, plus the start-up file if one was given."""
    names = list(presets())
    name, _ = resolve_preset(start)
    return names if name in names else [*names, name]


def _file_sets(data: dict, dotted: str) -> bool:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def parse_overrides(items: list[str] | None) -> dict[str, object]:
    """`--set KEY=VALUE` items as a dict (values parsed as TOML, like the CLI)."""
    out: dict[str, object] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE")
        out[key.strip()] = parse_value(text.strip())
    return out


def build_config(
    path: Path | None, overrides: dict | None = None, controls: dict | None = None, policy: str = AS_SCENARIO
) -> Config:
    """The dashboard's config: the dashboard's size (where the file does not set
    it), then the file, then `overrides` (--set), then the sidebar's `controls`
    (keyword -> value, see PARAM_PATHS) and policy choice."""
    file_data = read_toml(path) if path is not None else {}
    changes: dict[str, object] = {k: v for k, v in DASHBOARD_DEFAULTS.items() if not _file_sets(file_data, k)}
    changes.update(overrides or {})
    for key, value in (controls or {}).items():
        changes[PARAM_PATHS[key]] = value
    if policy == "mix" and not any(v > 0 for v in load_config(path, changes).policy.mix.values()):
        changes["policy.mix"] = dict(CLASSROOM_MIX)  # the scenario has no mix of its own
    if policy and policy != AS_SCENARIO:
        changes["policy.name"] = policy
    return load_config(path, changes)


@dataclass
class Settings:
    """What `coprod-sim dashboard` passes to the app (through the environment)."""

    preset: str | None = None
    overrides: list[str] = field(default_factory=list)
    seed: int = 0

    def to_env(self) -> dict[str, str]:
        env = {ENV_SEED: str(self.seed), ENV_OVERRIDES: json.dumps(self.overrides)}
        if self.preset:
            in_presets = self.preset in presets()
            env[ENV_PRESET] = self.preset if in_presets else str(Path(self.preset).resolve())
        return env

    @classmethod
    def from_env(cls, environ=None) -> Settings:
        environ = os.environ if environ is None else environ
        return cls(
            preset=environ.get(ENV_PRESET) or None,
            overrides=json.loads(environ.get(ENV_OVERRIDES, "[]")),
            seed=int(environ.get(ENV_SEED, "0")),
        )

    def initial_kwargs(self) -> dict:
        """`DashboardModel` keyword arguments for the first model (and the
        sidebar's starting values): the preset's resolved values."""
        name, path = resolve_preset(self.preset)
        config = build_config(path, parse_overrides(self.overrides))
        kwargs = {"preset": name, "policy": AS_SCENARIO, "seed": int(self.seed)}
        for key, dotted in PARAM_PATHS.items():
            value = config
            for attr in dotted.split("."):
                value = getattr(value, attr)
            kwargs[key] = value
        return kwargs


class DashboardModel(CoProductionModel):
    """`CoProductionModel` built from the sidebar's values.

    Burn-in runs outside Mesa's clock, so that Mesa's ``model.time`` (the
    page's "Time: N") equals ``model.day``: both are 0 on the first recorded day.
    `actions` holds (day, label) for each mid-run action (see `actions.py`).
    `overrides` (dotted path -> value, from `--set`) apply under the sidebar's values
    whatever the preset; `config` bypasses all of that (tests).
    """

    def __init__(
        self,
        preset: str = BASELINE,
        policy: str = AS_SCENARIO,
        residents: int = DASHBOARD_DEFAULTS["population.residents"],
        officers_per_1000: float = SCHEMA_DEFAULTS.population.officers_per_1000,
        negative_contact_effect: float = SCHEMA_DEFAULTS.trust.negative_contact_effect,
        designed_contact_effect: float = SCHEMA_DEFAULTS.trust.designed_contact_effect,
        vicarious_fraction: float = SCHEMA_DEFAULTS.trust.vicarious_fraction,
        social_rate_per_day: float = SCHEMA_DEFAULTS.trust.social_rate_per_day,
        split_share: float = SCHEMA_DEFAULTS.policy.split.share_first,
        seed: int = 0,
        *,
        config: Config | None = None,
        overrides: dict | None = None,
    ):
        if config is None:
            name, path = resolve_preset(preset)
            controls = {
                "residents": int(residents),
                "officers_per_1000": float(officers_per_1000),
                "negative_contact_effect": float(negative_contact_effect),
                "designed_contact_effect": float(designed_contact_effect),
                "vicarious_fraction": float(vicarious_fraction),
                "social_rate_per_day": float(social_rate_per_day),
                "split_share": float(split_share),
            }
            config = build_config(path, overrides, controls, policy)
            preset = name
        super().__init__(config, rng=replicate_seed(int(seed), 0))  # burn-in runs off Mesa's clock
        self.preset = preset
        self.seed = int(seed)
        self.actions: list[tuple[int, str]] = []
        self.action_entries: list = []  # each action as the scenario entry it equals (setup.saved_config)
        self.policy_before_campaign: str | None = None  # restored when a door-to-door campaign stops
