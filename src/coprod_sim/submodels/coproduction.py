"""Co-production: residents' participation (information, meetings, watch) rises
with trust and collective efficacy; clearance needs both police effort and
resident input (a Cobb-Douglas product, so the two are complements)."""

from __future__ import annotations

import numpy as np


def participation(
    trust: np.ndarray,
    efficacy_of_resident: np.ndarray,
    *,
    intercept: float,
    trust_coef: float,
    efficacy_coef: float,
    extra_cost: np.ndarray | None = None,
) -> np.ndarray:
    """Each resident's propensity to take part, in [0, 1]; `extra_cost` lowers the logit (enforcement fear)."""
    z = intercept + trust_coef * trust + efficacy_coef * efficacy_of_resident
    if extra_cost is not None:
        z = z - extra_cost
    return 1.0 / (1.0 + np.exp(-z))


def clearance_probability(
    base: np.ndarray,
    effort: float,
    resident_input: np.ndarray,
    *,
    effort_elasticity: float,
    input_elasticity: float,
    input_reference: float,
) -> np.ndarray:
    """P(clear) = base x effort^a x (input / reference)^b, capped at 1.

    `effort` is the share of response demand the police could serve (1 = all);
    `resident_input` the neighbourhood's participation."""
    return np.clip(
        base * effort**effort_elasticity * (np.maximum(resident_input, 0) / input_reference) ** input_elasticity,
        0.0,
        1.0,
    )
