"""Policies: the registry, and how a config's policy (one, or a mix) shares hours."""

from __future__ import annotations

from ..metric_registry import CORE_ACTIVITIES
from . import (  # noqa: F401  (importing registers the built-in policies)
    community_meetings,
    door_to_door,
    engagement_training,
    foot_patrol,
    hot_spots,
    liaison,
    problem_oriented,
    procedural_justice_training,
    reactive,
)
from .base import REGISTRY, Policy, register

__all__ = ["REGISTRY", "Policy", "activity_names", "register", "policy_shares"]


def policy_shares(policy_config, policies: dict) -> dict[str, float]:
    """Share of discretionary hours per active policy (reactive patrol takes the rest).

    `policies` maps names to the model's policy instances (for their solo share)."""
    if policy_config.name == "mix":
        total = sum(policy_config.mix.values())
        return {k: v / total for k, v in policy_config.mix.items() if v > 0 and k != "reactive"}
    if policy_config.name == "split":
        return {k: v for k, v in policy_config.split.shares().items() if v > 0}
    if policy_config.name == "reactive":
        return {}
    return {policy_config.name: policies[policy_config.name].solo_share()}


def activity_names() -> list[str]:
    """Officer activities with an `hours_<activity>` column, in a stable order."""
    names = list(CORE_ACTIVITIES)
    for cls in REGISTRY.values():
        if cls.activity not in names:
            names.append(cls.activity)
    return names
