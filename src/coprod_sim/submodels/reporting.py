"""Reporting: a victim reports with a logistic probability in seriousness, trust,
the neighbourhood reporting norm, collective efficacy and alternatives to the police."""

from __future__ import annotations

import numpy as np


def report_probability(
    seriousness,
    trust,
    norm,
    efficacy,
    has_alternatives,
    *,
    intercept,
    seriousness_coef,
    trust_coef,
    norm_coef,
    norm_reference,
    efficacy_coef,
    efficacy_reference,
    alternatives_coef,
    extra_cost=0.0,
):
    """`extra_cost`: logit costs such as a communication barrier or enforcement fear."""
    z = (
        intercept
        + seriousness_coef * seriousness
        + trust_coef * trust
        + norm_coef * (norm - norm_reference)
        + efficacy_coef * (efficacy - efficacy_reference)
        - alternatives_coef * has_alternatives
        - extra_cost
    )
    return 1.0 / (1.0 + np.exp(-z))


def decide(probability: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    return uniforms < probability
