"""Trust: Friedkin-Johnsen anchoring plus network influence, asymmetric contact
shocks (C8), a designed-positive contact kind (C9, C11), the police reporting back
(feedback), vicarious effects through the network, victim experience; anchors drift slowly toward experienced trust.

All changes in a day are computed from the trust values at the start of the day
(synchronous update), then clipped to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..config import DAYS_PER_YEAR


@dataclass
class Shocks:
    """Counts of today's experiences per resident, as sparse (ids) lists."""

    negative: list = field(default_factory=list)  # bad police contacts
    positive: list = field(default_factory=list)  # good routine contacts
    designed: list = field(default_factory=list)  # designed non-enforcement contacts
    designed_partial: list = field(default_factory=list)  # (ids, weights): barriers and officers' engagement skill
    victim_uncleared: list = field(default_factory=list)
    victim_cleared: list = field(default_factory=list)
    unanswered: list = field(default_factory=list)  # callers and reporting victims the police could not answer
    feedback: list = field(default_factory=list)  # the police reported back (call-backs, news at meetings)

    def ids(self, kind: str) -> np.ndarray:
        parts = getattr(self, kind)
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


def neighbour_mean(adj: sp.csr_array, degree: np.ndarray, trust: np.ndarray) -> np.ndarray:
    """Mean trust of each resident's neighbours (own trust where isolated)."""
    # float32 matrix-vector product: half the memory traffic of float64, and a
    # neighbour *mean* needs no more precision
    total = adj @ trust.astype(adj.dtype, copy=False)
    return np.divide(total, degree, out=trust.copy(), where=degree > 0)


def base_change(
    trust: np.ndarray,
    anchor: np.ndarray,
    adj: sp.csr_array,
    degree: np.ndarray,
    *,
    anchor_rate_per_day: float,
    social_rate_per_day: float,
    compiled: bool = False,
    threads: bool = False,
    weighted: bool = True,
    row_order: np.ndarray | None = None,
) -> np.ndarray:
    """The pulls every resident feels each day: toward the anchor, and toward the
    neighbours' mean trust. `compiled` uses the numba kernel (same numbers, one pass;
    `threads`: split over cores; `weighted=False` promises every tie weighs 1, so the
    kernel skips reading the weights; `row_order`: `rows_by_degree(adj)` for the single-
    thread kernel, made once per network and passed in, else made here)."""
    if not compiled:
        social_pull = neighbour_mean(adj, degree, trust) - trust
        return anchor_rate_per_day * (anchor - trust) + social_rate_per_day * social_pull
    from . import trust_compiled

    out = np.empty_like(trust)
    arrays = (_unsigned(adj.indptr), _unsigned(adj.indices), adj.data, weighted, degree, trust, anchor)
    rates = (anchor_rate_per_day, social_rate_per_day)
    trust32 = np.empty(len(trust), dtype=adj.dtype)
    if threads:
        trust_compiled.base_change_threads(*arrays, *rates, out, trust32)
    else:
        trust_compiled.base_change(
            *arrays, *rates, out, trust32, rows_by_degree(adj) if row_order is None else row_order
        )
    return out


def rows_by_degree(adj: sp.csr_array) -> np.ndarray:
    """The order the compiled social pull visits residents in (trust_compiled.rows_by_degree):
    chunks of 256 consecutive residents, each by number of ties."""
    from . import trust_compiled

    n = adj.shape[0]
    order = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
    trust_compiled.rows_by_degree(_unsigned(adj.indptr), 256, order)
    return order


def _unsigned(index: np.ndarray) -> np.ndarray:
    return index.view(np.uint32 if index.dtype == np.int32 else np.uint64)


def tie_spans(adj: sp.csr_array, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each listed resident's ties start in `adj.indices`, and how many there are."""
    starts = adj.indptr[ids]
    return starts, adj.indptr[ids + 1] - starts


def neighbours_of(adj: sp.csr_array, ids: np.ndarray) -> np.ndarray:
    """All neighbours of the given residents, with repeats (one per tie)."""
    if len(ids) == 0:
        return ids
    return neighbours_in_spans(adj, *tie_spans(adj, ids))


def neighbours_in_spans(adj: sp.csr_array, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The neighbours in the given spans of `adj.indices` (see `tie_spans`), span after span."""
    ends = lengths.cumsum()
    total = int(ends[-1]) if len(ends) else 0
    # position of each tie: its span's start, plus its rank within the span
    position = np.repeat(starts - (ends - lengths), lengths)
    position += np.arange(total, dtype=position.dtype)
    return adj.indices[position].astype(np.int64)


def heard_by(
    adj: sp.csr_array, ids: np.ndarray, rng: np.random.Generator, talk_probability: float
) -> tuple[np.ndarray, np.ndarray]:
    """Who hears of each resident's experience: each tie with probability
    `talk_probability` (one uniform from `rng` per tie, in tie order). Returns
    (hearers, index of the experience each heard)."""
    starts, lengths = tie_spans(adj, ids)
    told = rng.random(int(lengths.sum())) < talk_probability
    return neighbours_in_spans(adj, starts, lengths)[told], np.repeat(np.arange(len(ids)), lengths)[told]


def trust_change(
    trust,
    anchor,
    adj,
    degree,
    shocks: Shocks,
    rng: np.random.Generator,
    *,
    anchor_rate_per_day,
    social_rate_per_day,
    negative_contact_effect,
    positive_contact_effect,
    designed_contact_effect,
    vicarious_fraction,
    talk_probability,
    victimization_effect,
    clearance_effect,
    unanswered_call_effect,
    feedback_effect,
    compiled: bool = False,
    threads: bool = False,
    weighted: bool = True,
    row_order: np.ndarray | None = None,
) -> np.ndarray:
    """Today's change in trust for every resident (not yet applied). Experiences are
    talked about: each tie hears of one with `talk_probability` (uniforms from `rng`).
    `compiled`, `threads`, `weighted`, `row_order`: see `base_change`."""
    delta = base_change(
        trust,
        anchor,
        adj,
        degree,
        anchor_rate_per_day=anchor_rate_per_day,
        social_rate_per_day=social_rate_per_day,
        compiled=compiled,
        threads=threads,
        weighted=weighted,
        row_order=row_order,
    )
    losses = {
        "negative": negative_contact_effect,
        "victim_uncleared": victimization_effect,
        "unanswered": unanswered_call_effect,
    }
    gains = {
        "positive": positive_contact_effect,
        "designed": designed_contact_effect,
        "victim_cleared": clearance_effect,
        "feedback": feedback_effect,
    }
    talked_about = vicarious_fraction > 0 and talk_probability > 0
    parts = _shock_parts(shocks, losses, gains, designed_contact_effect)
    if compiled:
        heard_fraction = vicarious_fraction if talked_about else 0.0
        _add_shocks_compiled(delta, trust, adj, parts, rng, heard_fraction, talk_probability)
        return delta
    # Every shock's (residents, change) is collected and added in one np.add.at at the end,
    # in the order the shocks come: the same additions in the same order as one call each.
    ids_parts: list[np.ndarray] = []
    change_parts: list[np.ndarray] = []
    for ids, weights, effect, loss in parts:
        _collect_shock(ids_parts, change_parts, trust, ids, effect if weights is None else effect * weights, loss)
        if talked_about:
            hearers, which = heard_by(adj, ids, rng, talk_probability)
            heard = effect * vicarious_fraction if weights is None else effect * vicarious_fraction * weights[which]
            _collect_shock(ids_parts, change_parts, trust, hearers, heard, loss)
    if ids_parts:
        np.add.at(delta, np.concatenate(ids_parts), np.concatenate(change_parts))
    return delta


def _shock_parts(shocks: Shocks, losses: dict, gains: dict, designed_effect: float) -> list[tuple]:
    """Today's experiences in the order they apply, as (residents, weights or None, signed
    effect, whether it is a loss); kinds with no effect or nobody are left out. Designed
    contacts that carry weights (officers' skill, barriers) come last, and are gains."""
    parts = []
    for kind, effect in {**losses, **gains}.items():
        ids = shocks.ids(kind)
        if effect != 0 and len(ids):
            loss = kind in losses
            parts.append((ids, None, -effect if loss else effect, loss))
    if designed_effect != 0:
        parts += [(ids, weights, designed_effect, False) for ids, weights in shocks.designed_partial if len(ids)]
    return parts


def _add_shocks_compiled(delta, trust, adj, parts, rng, vicarious_fraction, talk_probability) -> None:
    """The shocks in one compiled pass per part (trust_compiled.add_shock): the same draws
    and additions, in the same order, as the numpy path (`vicarious_fraction` 0: nobody hears)."""
    from . import trust_compiled

    indptr, indices = _unsigned(adj.indptr), _unsigned(adj.indices)
    no_weights = no_draws = np.empty(0)
    for ids, weights, effect, loss in parts:
        told_u = rng.random(trust_compiled.tie_count(indptr, ids)) if vicarious_fraction > 0 else no_draws
        trust_compiled.add_shock(
            delta,
            trust,
            indptr,
            indices,
            ids,
            no_weights if weights is None else weights,
            effect,
            loss,
            effect * vicarious_fraction,
            told_u,
            talk_probability,
        )


def _collect_shock(ids_parts: list, change_parts: list, trust: np.ndarray, ids: np.ndarray, effect, loss: bool) -> None:
    """A loss takes a share of trust, a gain a share of distrust (so both stay in [0, 1] while the
    effect is at most 1). `effect` is one number, or one per id."""
    room = trust[ids] if loss else 1.0 - trust[ids]
    ids_parts.append(ids)
    change_parts.append(effect * room)


def apply_and_drift(
    trust: np.ndarray,
    delta: np.ndarray,
    anchor: np.ndarray,
    prior: np.ndarray,
    *,
    anchor_drift_years: float,
    prior_pull_years: float,
    compiled: bool = False,
    threads: bool = False,
) -> None:
    """`apply_change`, then `drift_anchors`; `compiled` does both in one pass (same numbers)."""
    if not compiled:
        apply_change(trust, delta)
        drift_anchors(anchor, trust, prior, anchor_drift_years=anchor_drift_years, prior_pull_years=prior_pull_years)
        return
    from . import trust_compiled

    kernel = trust_compiled.apply_and_drift_threads if threads else trust_compiled.apply_and_drift
    kernel(trust, delta, anchor, prior, anchor_drift_years * DAYS_PER_YEAR, prior_pull_years * DAYS_PER_YEAR)


def apply_change(trust: np.ndarray, delta: np.ndarray) -> None:
    trust += delta
    np.clip(trust, 0.0, 1.0, out=trust)


def drift_anchors(
    anchor: np.ndarray, trust: np.ndarray, prior: np.ndarray, *, anchor_drift_years: float, prior_pull_years: float
) -> None:
    """The slow time scale: anchors follow experienced trust (time constant
    `anchor_drift_years`; 0 = fixed) and return toward the resident's socialised
    prior (`prior_pull_years`; 0 = no pull)."""
    if anchor_drift_years > 0:
        anchor += (trust - anchor) / (anchor_drift_years * DAYS_PER_YEAR)
    if prior_pull_years > 0:
        anchor += (prior - anchor) / (prior_pull_years * DAYS_PER_YEAR)
