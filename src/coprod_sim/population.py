"""Resident arrays, groups, neighbourhoods and places.

Residents are numbered so that each neighbourhood, and each group inside a
neighbourhood, is a contiguous block of ids. Drawing "a random resident of
neighbourhood n" is then ``start[n] + integers(size[n])``: no index lists, no
per-agent objects, whatever N.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .config import Config


@dataclass
class Population:
    neighbourhood: np.ndarray  # int32 [N]
    group: np.ndarray  # int8 [N], index into group_names
    group_names: list[str]
    initial_trust: np.ndarray  # float64 [N]
    propensity: np.ndarray  # float32 [N], offending propensity, mean 1
    has_alternatives: np.ndarray  # bool [N]
    nb_start: np.ndarray  # int64 [K]
    nb_size: np.ndarray  # int64 [K]
    block_start: np.ndarray  # int64 [K, G]: first id of group g in neighbourhood n
    block_size: np.ndarray  # int64 [K, G]
    place_neighbourhood: np.ndarray  # int32 [P]
    place_attractiveness: np.ndarray  # float64 [P], mean 1 within the city
    place_start: np.ndarray  # int64 [K]
    place_count: np.ndarray  # int64 [K]

    @property
    def n(self) -> int:
        return len(self.neighbourhood)

    def group_ids(self, names: list[str]) -> list[int]:
        return [self.group_names.index(g) for g in names]

    def members(self, groups: list[str] | None = None, neighbourhoods: list[int] | None = None) -> np.ndarray:
        """Boolean mask of residents in the given groups and neighbourhoods (empty or None = all)."""
        mask = np.ones(self.n, dtype=bool)
        if groups:
            mask &= np.isin(self.group, self.group_ids(groups))
        if neighbourhoods:
            mask &= np.isin(self.neighbourhood, neighbourhoods)
        return mask

    @property
    def n_neighbourhoods(self) -> int:
        return len(self.nb_start)

    @property
    def n_places(self) -> int:
        return len(self.place_neighbourhood)

    @cached_property
    def group_sizes(self) -> np.ndarray:
        return self.block_size.sum(axis=0)

    # -- sums and means over the contiguous id blocks: np.add.reduceat over their starts
    # (the index arrays are made once: these run several times a day)
    @cached_property
    def nonempty_neighbourhoods(self) -> tuple[np.ndarray, np.ndarray]:
        """The neighbourhoods with residents, and their first ids."""
        nonempty = np.flatnonzero(self.nb_size > 0)
        return nonempty, self.nb_start[nonempty]

    @cached_property
    def nonempty_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """The (flattened) blocks with residents, and their first ids."""
        nonempty = np.flatnonzero(self.block_size.ravel() > 0)
        return nonempty, self.block_start.ravel()[nonempty]

    @cached_property
    def nb_divisor(self) -> np.ndarray:
        """Residents per neighbourhood, at least 1 (what a mean divides by)."""
        return np.maximum(self.nb_size, 1)

    def sum_by_neighbourhood(self, values: np.ndarray) -> np.ndarray:
        nonempty, starts = self.nonempty_neighbourhoods
        return _spread(np.add.reduceat(values, starts), nonempty, self.n_neighbourhoods)

    def mean_by_neighbourhood(self, values: np.ndarray) -> np.ndarray:
        return self.sum_by_neighbourhood(values) / self.nb_divisor

    def sum_by_block(self, values: np.ndarray) -> np.ndarray:
        """[K, G] sums over (neighbourhood, group) blocks."""
        nonempty, starts = self.nonempty_blocks
        return _spread(np.add.reduceat(values, starts), nonempty, self.block_size.size).reshape(self.block_size.shape)

    def random_residents(
        self, u: np.ndarray, neighbourhoods: np.ndarray, groups: list[str] | None = None
    ) -> np.ndarray:
        """One resident per entry of `neighbourhoods`, picked by the uniforms `u`
        (of the given groups only, if any; -1 where a neighbourhood has none of them)."""
        nb = np.asarray(neighbourhoods, dtype=np.int64)
        if not groups:
            return self.nb_start[nb] + (u * self.nb_size[nb]).astype(np.int64)
        idx = self.group_ids(groups)
        sizes = self.block_size[:, idx][nb]  # [draws, selected groups]
        r = (u * sizes.sum(axis=1)).astype(np.int64)
        out = np.full(len(nb), -1, dtype=np.int64)
        for j, gi in enumerate(idx):
            here = (out < 0) & (r < sizes[:, j])
            out[here] = self.block_start[nb[here], gi] + r[here]
            r = r - sizes[:, j]
        return out


def _spread(sums: np.ndarray, nonempty: np.ndarray, size: int) -> np.ndarray:
    """Float sums over `size` blocks from the sums over the `nonempty` ones (0 elsewhere); when
    every block has residents (the usual city) the sums already are that."""
    if len(nonempty) == size and sums.dtype == np.float64:
        return sums
    out = np.zeros(size)
    out[nonempty] = sums
    return out


def split_evenly(total: int, parts: int) -> np.ndarray:
    base = np.full(parts, total // parts, dtype=np.int64)
    base[: total % parts] += 1
    return base


def round_preserving_sum(x: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to x that add to total (largest remainder)."""
    x = np.asarray(x, dtype=float)
    scaled = x / x.sum() * total if x.sum() > 0 else np.full_like(x, total / len(x))
    out = np.floor(scaled).astype(np.int64)
    short = total - out.sum()
    if short > 0:
        out[np.argsort(-(scaled - out), kind="stable")[:short]] += 1
    return out


def group_mix_by_neighbourhood(shares: np.ndarray, n_nb: int, segregation: float) -> np.ndarray:
    """[K, G] group weights per neighbourhood: the city mix, blended toward each group
    filling its own stretch of neighbourhoods as segregation goes from 0 to 1."""
    shares = shares / shares.sum()
    edges = np.concatenate([[0.0], np.cumsum(shares)])
    lo = np.arange(n_nb) / n_nb
    hi = (np.arange(n_nb) + 1) / n_nb
    overlap = np.clip(np.minimum(hi[:, None], edges[None, 1:]) - np.maximum(lo[:, None], edges[None, :-1]), 0, None)
    concentrated = overlap * n_nb
    return (1 - segregation) * shares[None, :] + segregation * concentrated


def neighbourhood_mix(config: Config) -> np.ndarray:
    """[K, G] group weights per neighbourhood: a city profile's shares when given
    (population.neighbourhood_group_shares), else the segregation blend."""
    pc = config.population
    if pc.neighbourhood_group_shares is not None:
        mix = np.column_stack([pc.neighbourhood_group_shares[g] for g in pc.groups]).astype(float)
        return mix / mix.sum(axis=1, keepdims=True)
    shares = np.array([g.share for g in pc.groups.values()])
    return group_mix_by_neighbourhood(shares, pc.neighbourhoods, pc.segregation)


def beta_draws(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    """Beta draws with the given mean and sd (sd capped at what a Beta allows)."""
    if sd < 1e-9 or mean <= 1e-9 or mean >= 1 - 1e-9:
        return np.full(size, float(mean))
    sd = min(sd, 0.99 * np.sqrt(mean * (1 - mean)))
    k = mean * (1 - mean) / sd**2 - 1
    return rng.beta(max(mean * k, 1e-6), max((1 - mean) * k, 1e-6), size)


def lognormal_mean_one(rng: np.random.Generator, sigma: float, size: int, dtype=np.float64) -> np.ndarray:
    return rng.lognormal(-(sigma**2) / 2, sigma, size).astype(dtype)


def resident_resources(
    rng: np.random.Generator, group: np.ndarray, group_means: np.ndarray, *, sigma: float
) -> np.ndarray:
    """Each resident's spare time and means: the group's mean times a mean-one lognormal draw."""
    return group_means[group] * lognormal_mean_one(rng, sigma, len(group))


def build_population(config: Config, rng: np.random.Generator, counts: np.ndarray | None = None) -> Population:
    """Residents, groups and places. `counts` ([K, G] residents per neighbourhood and
    group) is given when a user-supplied graph fixes them; otherwise derived from
    the config without randomness (so every replicate has the same composition)."""
    pc = config.population
    names = list(pc.groups)
    k = pc.neighbourhoods
    if counts is None:
        if pc.neighbourhood_residents is None:
            sizes = split_evenly(pc.residents, k)
        else:
            sizes = round_preserving_sum(np.array(pc.neighbourhood_residents), pc.residents)
        mix = neighbourhood_mix(config)
        counts = np.stack([round_preserving_sum(mix[n], sizes[n]) for n in range(k)])
    counts = np.asarray(counts, dtype=np.int64)
    flat = counts.ravel()
    block_start = (np.concatenate([[0], np.cumsum(flat)[:-1]])).reshape(counts.shape)
    nb_size = counts.sum(axis=1)
    nb_start = block_start[:, 0].copy()
    n = int(flat.sum())

    neighbourhood = np.repeat(np.repeat(np.arange(k, dtype=np.int32), counts.shape[1]), flat)
    group = np.repeat(np.tile(np.arange(counts.shape[1], dtype=np.int8), k), flat)

    initial_trust = np.empty(n)
    for gi, g in enumerate(pc.groups.values()):
        mask = group == gi
        initial_trust[mask] = beta_draws(rng, g.initial_trust_mean, g.initial_trust_sd, int(mask.sum()))

    propensity = lognormal_mean_one(rng, config.crime.propensity_sigma, n, np.float32)
    has_alternatives = rng.random(n) < config.reporting.alternatives_share

    place_count = np.maximum(1, np.round(nb_size / pc.residents_per_place)).astype(np.int64)
    place_start = np.concatenate([[0], np.cumsum(place_count)[:-1]])
    place_neighbourhood = np.repeat(np.arange(k, dtype=np.int32), place_count)
    place_attractiveness = lognormal_mean_one(rng, config.crime.place_concentration_sigma, int(place_count.sum()))

    return Population(
        neighbourhood=neighbourhood,
        group=group,
        group_names=names,
        initial_trust=initial_trust,
        propensity=propensity,
        has_alternatives=has_alternatives,
        nb_start=nb_start,
        nb_size=nb_size,
        block_start=block_start,
        block_size=counts,
        place_neighbourhood=place_neighbourhood,
        place_attractiveness=place_attractiveness,
        place_start=place_start,
        place_count=place_count,
    )
