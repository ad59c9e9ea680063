"""Places as a street network: which places neighbour each other, and who lives where.

Places (street segments) are numbered neighbourhood by neighbourhood
(`Population.place_start`). Within a neighbourhood they lie along its streets:
each place neighbours the `neighbours_per_place` places nearest to it in that
order (a ring, so every place has the same number). Neighbourhoods form a ring
too, and a share of places also touch one place of the next neighbourhood, so
effects at a place can spill across a beat boundary, as they do on real streets.

Each resident lives at one place of their neighbourhood, assigned round-robin
within the neighbourhood so that every place houses residents of every group in
the neighbourhood's proportions (residents are numbered by group inside it).

Adjacency is what displacement and diffusion of benefits act through (Weisburd
et al. 2006; Bowers et al. 2011); home places are what place-based policing
stops and what residents see of crime near them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .population import Population


@dataclass(frozen=True)
class PlaceMap:
    adjacency: sp.csr_array  # [P, P] 0/1, symmetric, no self-loops
    home_place: np.ndarray  # int64 [N]: the place each resident lives at
    resident_indptr: np.ndarray  # int64 [P + 1]: residents of place p are
    resident_indices: np.ndarray  # resident_indices[resident_indptr[p]:resident_indptr[p + 1]]

    @property
    def n_places(self) -> int:
        return self.adjacency.shape[0]

    def neighbours(self, place: int) -> np.ndarray:
        a = self.adjacency
        return a.indices[a.indptr[place] : a.indptr[place + 1]]

    def residents_at(self, places: np.ndarray) -> np.ndarray:
        """Residents living at any of `places` (each place's residents in id order)."""
        places = np.asarray(places, dtype=np.int64)
        starts, ends = self.resident_indptr[places], self.resident_indptr[places + 1]
        if len(places) == 0:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([self.resident_indices[s:e] for s, e in zip(starts, ends, strict=True)])

    @cached_property
    def _near(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each place with its neighbours (CSR indptr, places), and the running count of
        their residents (each place's residents counted once per row it is in)."""
        near = (self.adjacency + sp.eye_array(self.n_places, format="csr")).tocsr()
        near.sort_indices()
        counts = np.diff(self.resident_indptr)[near.indices]
        return near.indptr.astype(np.int64), near.indices.astype(np.int64), np.cumsum(counts)

    def residents_near(self, places: np.ndarray, u: np.ndarray) -> np.ndarray:
        """For each entry of `places`, the resident that uniform `u` picks among everyone
        living at that place or an adjacent one (-1 where nobody does)."""
        indptr, indices, cum = self._near
        places = np.asarray(places, dtype=np.int64)
        before = np.concatenate([[0], cum])  # residents in rows' entries before entry e
        lo, hi = before[indptr[places]], before[indptr[places + 1]]
        target = lo + (u * (hi - lo)).astype(np.int64)
        entry = np.minimum(np.searchsorted(cum, target, side="right"), len(indices) - 1)
        q = indices[entry]
        offset = np.clip(target - before[entry], 0, None)
        found = hi > lo
        residents = np.full(len(places), -1, dtype=np.int64)
        residents[found] = self.resident_indices[self.resident_indptr[q[found]] + offset[found]]
        return residents

    def spread_to_neighbours(self, values: np.ndarray) -> np.ndarray:
        """For each place, the mean of `values` over its neighbours (0 for a place with none)."""
        degree = np.diff(self.adjacency.indptr)
        return (self.adjacency @ values) / np.maximum(degree, 1)


def home_places(pop: Population) -> np.ndarray:
    """Each resident's place: round-robin over the neighbourhood's places."""
    local = np.arange(pop.n, dtype=np.int64) - pop.nb_start[pop.neighbourhood]
    nb = pop.neighbourhood
    return pop.place_start[nb] + local % pop.place_count[nb]


def place_adjacency(
    pop: Population, rng: np.random.Generator, *, neighbours_per_place: int, cross_neighbourhood_share: float
) -> sp.csr_array:
    """Symmetric 0/1 adjacency: ring neighbours within each neighbourhood, plus
    links to the next neighbourhood for a random `cross_neighbourhood_share` of places."""
    n_places = pop.n_places
    nb = pop.place_neighbourhood.astype(np.int64)
    start, count = pop.place_start[nb], pop.place_count[nb]
    local = np.arange(n_places, dtype=np.int64) - start
    rows, cols = [], []
    for offset in range(1, neighbours_per_place // 2 + 1):  # a few offsets, not a loop over places
        other = start + (local + offset) % count
        rows.append(np.arange(n_places))
        cols.append(other)
    k = pop.n_neighbourhoods
    if k > 1 and cross_neighbourhood_share > 0:
        crossing = np.flatnonzero(rng.random(n_places) < cross_neighbourhood_share)
        nxt = (nb[crossing] + 1) % k
        target = pop.place_start[nxt] + (rng.random(len(crossing)) * pop.place_count[nxt]).astype(np.int64)
        rows.append(crossing)
        cols.append(target)
    r, c = np.concatenate(rows), np.concatenate(cols)
    keep = r != c
    r, c = r[keep], c[keep]
    a = sp.coo_array((np.ones(2 * len(r)), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n_places,) * 2)
    a = a.tocsr()
    a.sum_duplicates()
    a.data[:] = 1.0
    a.sort_indices()
    return a


def build_place_map(
    pop: Population, rng: np.random.Generator, *, neighbours_per_place: int, cross_neighbourhood_share: float
) -> PlaceMap:
    home = home_places(pop)
    order = np.argsort(home, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(home, minlength=pop.n_places))]).astype(np.int64)
    adjacency = place_adjacency(
        pop, rng, neighbours_per_place=neighbours_per_place, cross_neighbourhood_share=cross_neighbourhood_share
    )
    return PlaceMap(adjacency=adjacency, home_place=home, resident_indptr=indptr, resident_indices=order)
