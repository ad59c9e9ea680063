"""The trust submodel's two whole-population passes, and its experience shocks,
compiled with numba.

Each is one loop that does what `trust.py`'s numpy version does in several array
passes (for the shocks, a dozen numpy calls per kind of experience: most of a small
city's trust step), with the same operations in the same order, so the numbers are
identical (tests/test_compiled_kernels.py checks equality bit for bit): the
neighbour sum accumulates in float32 as scipy's CSR mat-vec does, the rest is
float64. Residents are independent within a pass, so a pass may be split across
threads without changing a number (`*_threads`, the same loop over `prange`).
`kernels.py` decides when they are used.

Indices arrive as unsigned views: numba then skips the negative-index wrap-around
test on every neighbour read, a third of the neighbour sum's time. The loops are
written out in each kernel rather than shared through inlined helpers: numba
compiled the serial kernel with helpers 7x slower (measured at 10^4 residents).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def rows_by_degree(indptr, chunk, order):
    """order = the residents, chunk after chunk of `chunk` consecutive ids, and within a
    chunk by their number of ties (a counting sort, stable). Summing neighbours in this
    order, the loop over a resident's ties runs the same number of times as the last
    one's, so the processor predicts where it ends: a third less time at 10^4-10^5
    residents (benchmarks/README.md). Chunks keep the reads of ties near each other."""
    n = indptr.shape[0] - 1
    ties = np.empty(min(chunk, n), dtype=np.int64)
    for start in range(0, n, chunk):
        end = min(start + chunk, n)
        for i in range(start, end):
            ties[i - start] = np.int64(indptr[i + 1]) - np.int64(indptr[i])
        count = np.zeros(ties[: end - start].max() + 2, dtype=np.int64)
        for i in range(start, end):
            count[ties[i - start] + 1] += 1
        for d in range(1, count.shape[0]):
            count[d] += count[d - 1]
        for i in range(start, end):
            d = ties[i - start]
            order[start + count[d]] = i
            count[d] += 1


@numba.njit(cache=True, nogil=True)
def base_change(indptr, indices, data, weighted, degree, trust, anchor, anchor_rate, social_rate, out, trust32, order):
    """out[i] = anchor pull + social pull toward the neighbours' mean trust (own trust if isolated),
    resident by resident in `order` (`rows_by_degree`; each resident's sum is the same in any order).
    `weighted=False` promises every tie weighs 1: x 1.0 changes no float, so the weights go unread."""
    n = trust.shape[0]
    for i in range(n):
        trust32[i] = np.float32(trust[i])
    for k in range(n):
        i = order[k]
        own = trust[i]
        mean = own
        if degree[i] > 0:
            total = np.float32(0.0)
            if weighted:
                for jj in range(indptr[i], indptr[i + 1]):
                    total += data[jj] * trust32[indices[jj]]
            else:
                for jj in range(indptr[i], indptr[i + 1]):
                    total += trust32[indices[jj]]
            mean = np.float64(total) / degree[i]
        out[i] = anchor_rate * (anchor[i] - own) + social_rate * (mean - own)


@numba.njit(cache=True, nogil=True, parallel=True)
def base_change_threads(indptr, indices, data, weighted, degree, trust, anchor, anchor_rate, social_rate, out, trust32):
    """`base_change` over threads, in resident order: at 10^6 and up, where threads pay,
    the order by ties made it 3% slower (memory, not the loop's end, is the limit there)."""
    n = trust.shape[0]
    for i in numba.prange(n):
        trust32[i] = np.float32(trust[i])
    for i in numba.prange(n):
        own = trust[i]
        mean = own
        if degree[i] > 0:
            total = np.float32(0.0)
            if weighted:
                for jj in range(indptr[i], indptr[i + 1]):
                    total += data[jj] * trust32[indices[jj]]
            else:
                for jj in range(indptr[i], indptr[i + 1]):
                    total += trust32[indices[jj]]
            mean = np.float64(total) / degree[i]
        out[i] = anchor_rate * (anchor[i] - own) + social_rate * (mean - own)


@numba.njit(cache=True, nogil=True)
def apply_and_drift(trust, delta, anchor, prior, drift_days, pull_days):
    """trust += delta, clipped to [0, 1]; then anchors drift toward trust (drift_days > 0)
    and are pulled back toward the prior (pull_days > 0)."""
    for i in range(trust.shape[0]):
        t = min(max(trust[i] + delta[i], 0.0), 1.0)
        trust[i] = t
        a = anchor[i]
        if drift_days > 0:
            a += (t - a) / drift_days
        if pull_days > 0:
            a += (prior[i] - a) / pull_days
        anchor[i] = a


@numba.njit(cache=True, nogil=True, parallel=True)
def apply_and_drift_threads(trust, delta, anchor, prior, drift_days, pull_days):
    for i in numba.prange(trust.shape[0]):
        t = min(max(trust[i] + delta[i], 0.0), 1.0)
        trust[i] = t
        a = anchor[i]
        if drift_days > 0:
            a += (t - a) / drift_days
        if pull_days > 0:
            a += (prior[i] - a) / pull_days
        anchor[i] = a


@numba.njit(cache=True, nogil=True)
def tie_count(indptr, ids):
    """How many ties the listed residents have between them (one talk draw each)."""
    total = 0
    for i in ids:
        total += indptr[i + 1] - indptr[i]
    return total


@numba.njit(cache=True, nogil=True)
def add_shock(delta, trust, indptr, indices, ids, weights, effect, loss, heard_effect, told_u, talk_probability):
    """One kind of experience, into `delta`: each listed resident's own change, then each
    hearer's, tie by tie (uniform `told_u[t] < talk_probability`; no hearers when `told_u`
    is empty). A loss takes a share of trust, a gain a share of distrust. `weights` (one per
    resident, or empty for all 1) scale both. The additions come in `trust_change`'s order."""
    weighted = weights.shape[0] > 0
    for k in range(ids.shape[0]):
        i = ids[k]
        e = effect * weights[k] if weighted else effect
        delta[i] += e * (trust[i] if loss else 1.0 - trust[i])
    if told_u.shape[0] == 0:
        return
    t = 0
    for k in range(ids.shape[0]):
        i = ids[k]
        e = heard_effect * weights[k] if weighted else heard_effect
        for jj in range(indptr[i], indptr[i + 1]):
            if told_u[t] < talk_probability:
                j = indices[jj]
                delta[j] += e * (trust[j] if loss else 1.0 - trust[j])
            t += 1
