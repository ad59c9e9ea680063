"""The statistical equivalence check of two posteriors (cities/equivalence.py): its errors come
from the effective sample size, it agrees for draws of one distribution and tells a shifted one apart."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim.cities.equivalence import compare_posteriors, effective_sample_size, weighted_mean_and_error


def test_the_error_is_the_weighted_sd_over_the_root_of_the_effective_sample_size():
    assert effective_sample_size(np.ones(4)) == pytest.approx(4.0)
    assert effective_sample_size(np.array([1.0, 0, 0, 0])) == pytest.approx(1.0)
    mean, se = weighted_mean_and_error(np.array([0.0, 2.0, 0.0, 2.0]), np.ones(4))
    assert mean == pytest.approx(1.0) and se == pytest.approx(1.0 / 2.0)


def _posterior(rng, shift: float, n: int = 30) -> pd.DataFrame:
    return pd.DataFrame({"a": rng.normal(shift, 1.0, n), "b": rng.normal(0.0, 1.0, n), "weight": rng.uniform(1, 2, n)})


def test_draws_of_one_distribution_agree_and_a_shifted_one_differs():
    rng = np.random.default_rng(0)
    base = _posterior(rng, 0.0)
    same = {r.parameter: r for r in compare_posteriors(base, _posterior(rng, 0.0))}
    assert all(r.equivalent for r in same.values()), [r.line() for r in same.values()]
    shifted = {r.parameter: r for r in compare_posteriors(base, _posterior(rng, 2.0))}
    assert not shifted["a"].equivalent and shifted["a"].line().endswith("DIFFER")
    assert shifted["b"].equivalent


def test_posteriors_of_different_parameters_are_refused():
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="different parameters"):
        compare_posteriors(_posterior(rng, 0.0), _posterior(rng, 0.0).rename(columns={"b": "c"}))
