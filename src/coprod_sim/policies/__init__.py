"""Policies: the registry, and how a config's policy (one, or a mix) shares hours."""

from __future__ import annotations

from . import door_to_door, reactive  # noqa: F401  (registers the built-in policies)
from .base import REGISTRY, Policy, register

__all__ = ["REGISTRY", "Policy", "register", "policy_shares"]


def policy_shares(policy_config, model) -> dict[str, float]:
    """Share of discretionary hours per policy (reactive patrol takes the remainder)."""
    if policy_config.name == "mix":
        total = sum(policy_config.mix.values())
        return {k: v / total for k, v in policy_config.mix.items() if v > 0 and k != "reactive"}
    if policy_config.name == "reactive":
        return {}
    return {policy_config.name: REGISTRY[policy_config.name]().solo_share(model)}
