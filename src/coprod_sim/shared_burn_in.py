"""One burn-in for several configurations of the same replicate.

Burn-in runs the reactive baseline whatever the policy (`CoProductionModel._policy_activities`
gives no policy hours before day 0; schedule entries and events start at day >= 0), so
configurations that differ only in `[policy]` keys burn-in does not read reach day 0 in the
same state on the same seed. Such a group burns in once; each member then runs on from a
copy of that model (pickled: Mesa's agent sets and every random stream, numpy's and the
standard library's, continue exactly where they were). Configurations that differ anywhere
else (`compare --configs` of two cities, say) each burn in on their own.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence

from .config import Config
from .config.policy_schema import POLICY_KNOBS

# The [policy] keys the burn-in days read (model.py: _workforce, effective_barrier,
# _perceptions, _visible_hours); tests/test_shared_burn_in.py records what a burn-in
# actually reads and fails when this list misses one.
BURN_IN_POLICY_READS = (
    "procedural_justice_training.gain_decay_days",
    "liaison.barrier_offset",
    "problem_oriented.effect_decay_years",
    *(f"{name}.visibility" for name in POLICY_KNOBS),
)


def burn_in_key(config: Config) -> str:
    """Equal for configurations whose burn-ins are the same on the same seed: every
    section but [policy], and the [policy] keys burn-in reads."""
    data = config.to_dict()
    data.pop("policy")
    data["policy keys read in burn-in"] = {path: _value(config.policy, path) for path in BURN_IN_POLICY_READS}
    return json.dumps(data, sort_keys=True)


def _value(section, path: str):
    for key in path.split("."):
        section = getattr(section, key)
    return section


def burn_in_groups(configs: Sequence[Config]) -> list[list[int]]:
    """Indices of `configs` grouped by shared burn-in, each group and its members in first-seen order."""
    groups: dict[str, list[int]] = {}
    for i, config in enumerate(configs):
        groups.setdefault(burn_in_key(config), []).append(i)
    return list(groups.values())


def copy_model(model):
    """An independent copy of a model that runs on exactly as the original would."""
    return pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
