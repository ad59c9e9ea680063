"""Seeds and named random streams (common random numbers across policies).

`replicate_seed(S, r)` is the r-th child of ``SeedSequence(S)``. Inside a run,
each submodel draws from its own stream, keyed by the submodel's *name* (not by
the order streams are created), so adding a mechanism with a new stream never
shifts the numbers an existing one draws: two policies run on the same seed see
the same crime opportunities and differ only where the policy acts.
"""

from __future__ import annotations

import zlib

import numpy as np

#: The model's own streams, one per submodel that draws. Each policy draws from a
#: stream named after it (`Policy.rng`); the model adds the registered policies'
#: names to these, and any other name is an error (a typo would otherwise open a
#: fresh, silently independent stream).
CORE_STREAMS = (
    "mesa",
    "population",
    "network",
    "officers",
    "officer_language",
    "places",
    "crime",
    "service",
    "stops",
    "local_knowledge",
    "events",
    "designed_officers",
    "callers",
    "unanswered",
    "talk",
    "place_adjacency",
    "workforce",
    "resources",
    "followup",
)


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The r-th child of SeedSequence(seed): what replicate r of any command runs on."""
    if replicate < 0:
        raise ValueError(f"replicate must be >= 0, got {replicate}")
    return np.random.SeedSequence(seed, spawn_key=(replicate,))


def as_seed_sequence(rng) -> np.random.SeedSequence:
    """Accept an int, a SeedSequence or None (fresh entropy) as a run's seed."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.SeedSequence(rng)
    raise TypeError(f"rng must be an int seed or a numpy SeedSequence (see replicate_seed), got {type(rng).__name__}")


def stream(seq: np.random.SeedSequence, name: str) -> np.random.Generator:
    """A generator for submodel `name`, independent of every other name's."""
    key = zlib.crc32(name.encode())
    child = np.random.SeedSequence(seq.entropy, spawn_key=tuple(seq.spawn_key) + (key,))
    return np.random.Generator(np.random.PCG64(child))


class Streams:
    """The run's named random streams, created on first use from its SeedSequence."""

    def __init__(self, seq: np.random.SeedSequence, names):
        self.seq = seq
        self.names = frozenset(names)
        self._made: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._made.get(name)
        if gen is None:
            if name not in self.names:
                raise KeyError(
                    f"unknown random stream {name!r}; declared: {', '.join(sorted(self.names))} "
                    "(a policy draws from the stream named after it: Policy.rng)"
                )
            gen = self._made[name] = stream(self.seq, name)
        return gen
