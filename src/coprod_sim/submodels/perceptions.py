"""Perceptions: what offenders, residents and the police make of recent days.

Offenders sense police presence (per beat and at places) and the clearance rate;
residents sense their neighbourhood's reporting norm; the police build a picture
of where crime is from what is recorded and what engaged residents tell them.
All are exponential smoothings with a memory in days (rate = 1 / memory).
"""

from __future__ import annotations

import numpy as np

from ..config import DAYS_PER_YEAR


def smooth(value: np.ndarray, observed: np.ndarray, rate: float) -> None:
    """Move `value` a share `rate` of the way toward today's `observed`, in place."""
    value += rate * (observed - value)


def add_to_picture(picture: np.ndarray, places: np.ndarray, rate: float) -> None:
    """Fade a smoothed per-place count by `rate`, then add today's incidents at `places`."""
    picture *= 1.0 - rate
    if len(places):
        np.add.at(picture, places, rate)


def revealed_places(
    places: np.ndarray,
    neighbourhoods: np.ndarray,
    input_nb: np.ndarray,
    u: np.ndarray,
    *,
    local_knowledge_weight: float,
) -> np.ndarray:
    """Places of unreported incidents (at `places`, in `neighbourhoods`) that engaged residents
    reveal to the police (local knowledge): each with probability weight x the neighbourhood's input."""
    p_reveal = np.minimum(1.0, local_knowledge_weight * input_nb[neighbourhoods])
    return places[u < p_reveal]


def restore_opportunity(opportunity: np.ndarray, *, effect_decay_years: float) -> None:
    """Solved places' crime opportunity returns toward 1 (0 years = never)."""
    if effect_decay_years > 0:
        opportunity += (1.0 - opportunity) / (effect_decay_years * DAYS_PER_YEAR)


def perceived_certainty(cleared_smoothed: np.ndarray, crimes_smoothed: np.ndarray) -> np.ndarray:
    """Offenders' sense of the certainty of apprehension per offence: smoothed
    clearances / smoothed incidents (so more reporting, more clearance, more risk)."""
    return cleared_smoothed / np.maximum(crimes_smoothed, 1e-12)


def reporting_norm(reports_smoothed: np.ndarray, crimes_smoothed: np.ndarray) -> np.ndarray:
    """Residents' sense of how much crime their neighbours report."""
    return reports_smoothed / np.maximum(crimes_smoothed, 1e-12)
