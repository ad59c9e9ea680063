"""ABC-SMC with pyabc (docs/calibration-engine.md says why pyabc): the simulator,
the samplers (local processes or a Dask cluster) and the generation loop that
makes `--budget` and `--resume` work.

Each generation is run by a fresh `ABCSMC` loaded from the database, after
seeding numpy's global generator (which pyabc draws from) with the calibration
seed and the generation's index. An uninterrupted run and one resumed after
generation t therefore make the same calls from the same state: with one
worker they end with the same posterior. pyabc's parallel samplers seed their
workers from the operating system and keep the first particles to finish, so
with several workers a resumed run is equivalent in distribution, not in digits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Config, ConfigError, with_overrides
from ..runs import simulate
from .priors import prior_rv
from .profile import Prior, Profile
from .targets import ScaledDistance, Target, summary_statistics

DATABASE = "calibration.db"
MIN_POPULATION, MAX_POPULATION = 10, 500
POPULATION_SHARE_OF_BUDGET = 0.1  # about ten simulations' worth of budget per accepted particle
QUANTILE_ALPHA = 0.5  # each generation's threshold: the median distance of the last (pyabc's default)


def population_size(budget: int) -> int:
    return int(np.clip(round(budget * POPULATION_SHARE_OF_BUDGET), MIN_POPULATION, MAX_POPULATION))


def generation_seed(seed: int, t: int) -> int:
    """numpy's legacy seed (a uint32) for generation t (t = 0 also covers pyabc's calibration sample)."""
    return int(np.random.SeedSequence([seed, t + 1]).generate_state(1)[0])


class Simulator:
    """One simulation of the city for a parameter draw: the city's config with the draw
    applied, `runs.simulate` on a seed from pyabc's generator, the summary statistics.
    A draw the schema refuses gives NaN statistics (infinitely far: rejected)."""

    def __init__(self, config: Config, paths: list[str], profile: Profile):
        self.config, self.paths, self.profile = config, paths, profile

    def __call__(self, params) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        try:
            config = with_overrides(self.config, {p: float(params[p]) for p in self.paths})
        except ConfigError:
            return {}
        return summary_statistics(simulate(config, seed, 0, config.run.days), self.profile)


@dataclass
class EngineResult:
    generations: int
    simulations: int
    stopped: str  # why the loop ended
    population: int


def _quiet_pyabc() -> None:
    for name in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def sampler_for(engine: str, workers: int, scheduler: str | None):
    """The pyabc sampler for an engine: one process, a local pool, or a Dask cluster."""
    import pyabc

    if engine == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=False)
        client = Client(scheduler if scheduler else cluster)
        try:
            yield pyabc.sampler.DaskDistributedSampler(dask_client=client)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif workers <= 1:
        yield pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    else:
        yield pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)


def run_abc(
    out: Path,
    *,
    simulator: Simulator,
    priors: dict[str, Prior],
    targets: list[Target],
    budget: int,
    seed: int,
    population: int,
    resume: bool,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    on_generation: Callable[[int, int], None] | None = None,
) -> EngineResult:
    """Run generations into `out/calibration.db` until the budget (in simulations) is
    spent or a generation cannot finish within what is left of it."""
    import pyabc

    _quiet_pyabc()
    db = f"sqlite:///{out / DATABASE}"
    prior = pyabc.Distribution(**{p: _rv(pr) for p, pr in priors.items()})
    observed = {t.name: t.observed for t in targets}
    stopped = "budget"
    with sampler_for(engine, workers, scheduler) as sampler:

        def abc() -> pyabc.ABCSMC:
            return pyabc.ABCSMC(
                simulator,
                prior,
                ScaledDistance(targets),
                population_size=population,
                sampler=sampler,
                eps=pyabc.QuantileEpsilon(alpha=QUANTILE_ALPHA),
            )

        if not resume:
            abc().new(db, observed)
        while True:
            history = pyabc.History(db, _id=1)
            done, t = history.total_nr_simulations, history.max_t + 1
            if on_generation is not None:
                on_generation(t, done)
            # generation 0 first spends one population on pyabc's prior sample (the first threshold)
            left = budget - done - (population if t == 0 else 0)
            if left < population:
                break
            np.random.seed(generation_seed(seed, t))
            smc = abc()
            smc.load(db, 1)
            # a generation that would need more than the budget left is abandoned (pyabc does not store it)
            smc.run(max_nr_populations=1, min_acceptance_rate=population / left)
            if pyabc.History(db, _id=1).max_t < t:
                stopped = "the next generation could not finish within the budget left"
                break
    history = pyabc.History(db, _id=1)
    return EngineResult(history.max_t + 1, history.total_nr_simulations, stopped, population)


def _rv(prior: Prior):
    import pyabc

    if prior.scale == "log":
        return pyabc.RV("loguniform", prior.low, prior.high)
    return pyabc.RV("uniform", prior.low, prior.high - prior.low)


def read_posterior(out: Path):
    """The last generation: parameters (a DataFrame), weights, and the accepted
    simulations' summary statistics (a list of dicts, in the weights' order)."""
    import pyabc

    history = pyabc.History(f"sqlite:///{out / DATABASE}", _id=1)
    if history.max_t < 0:
        raise ValueError(
            "no generation finished within the budget (its acceptance rate was too low): "
            "raise --budget and continue with --resume"
        )
    params, w = history.get_distribution(m=0, t=history.max_t)
    stat_w, stats = history.get_weighted_sum_stats(t=history.max_t)
    return params, np.asarray(w, dtype=float), np.asarray(stat_w, dtype=float), stats


__all__ = ["DATABASE", "EngineResult", "Simulator", "population_size", "prior_rv", "read_posterior", "run_abc"]
