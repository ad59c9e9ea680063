"""The sidebar's model parameters (Mesa's `model_params`): what Reset builds from.

Each entry is a keyword of `DashboardModel`; it starts at the start-up
scenario's resolved value. `overrides` (from `--set`) is passed unchanged.
"""

from __future__ import annotations

from .session import POLICY_CHOICES, Settings, parse_overrides, preset_choices


def _slider(kind: str, label: str, value, low, high, step) -> dict:
    return {"type": kind, "label": label, "value": value, "min": min(low, value), "max": max(high, value), "step": step}


def model_params(settings: Settings, initial: dict) -> dict:
    return {
        "preset": {
            "type": "Select",
            "label": "Scenario preset",
            "value": initial["preset"],
            "values": preset_choices(settings.preset),
        },
        "policy": {"type": "Select", "label": "Policy", "value": initial["policy"], "values": POLICY_CHOICES},
        "residents": _slider("SliderInt", "Residents", initial["residents"], 1000, 50_000, 1000),
        "officers_per_1000": _slider("SliderFloat", "Officers per 1,000", initial["officers_per_1000"], 0.5, 5.0, 0.1),
        "negative_contact_effect": _slider(
            "SliderFloat", "Trust lost, bad contact", initial["negative_contact_effect"], 0.0, 0.3, 0.01
        ),
        "designed_contact_effect": _slider(
            "SliderFloat", "Trust gained, door visit", initial["designed_contact_effect"], 0.0, 0.3, 0.01
        ),
        "vicarious_fraction": _slider(
            "SliderFloat", "Effect passed on to friends", initial["vicarious_fraction"], 0.0, 1.0, 0.05
        ),
        "social_rate_per_day": _slider(
            "SliderFloat", "Pull toward friends' trust", initial["social_rate_per_day"], 0.0, 0.05, 0.005
        ),
        "split_share": _slider("SliderFloat", "Door-to-door share of a split", initial["split_share"], 0.0, 1.0, 0.05),
        "seed": _slider("SliderInt", "Seed", initial["seed"], 0, 99, 1),
        "overrides": parse_overrides(settings.overrides),
    }
