"""The run figure's lines are each replicate's series, computed the way pandas computes
them replicate by replicate (the figure reshapes the table once instead)."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim import metric_registry as reg
from coprod_sim.config import load_config
from coprod_sim.figures import _Wide, timeseries_figure
from coprod_sim.runs import run_replicates


@pytest.fixture(scope="module")
def ts() -> pd.DataFrame:
    config = load_config(None, {"population.residents": 500, "run.burn_in_days": 0})
    results = run_replicates(config, seed=3, replicates=3, days=120, workers=1, progress=False)
    frame = pd.concat([r.timeseries for r in results], ignore_index=True)
    return frame.sample(frac=1.0, random_state=0)  # any row order


def _one_by_one(ts: pd.DataFrame, fn) -> np.ndarray:
    by_replicate = ts.groupby("replicate")
    return np.vstack([fn(d.sort_values("day").reset_index(drop=True)).to_numpy(float) for _, d in by_replicate])


def _ratio(d: pd.DataFrame, name: str, window: int) -> pd.Series:
    m = reg.metric(name)
    n = d[m.numerator].rolling(window, min_periods=1).sum()
    den = d[m.denominator].rolling(window, min_periods=1).sum()
    return n / den.where(den > 0)


def test_each_line_is_the_replicates_series(ts):
    wide = _Wide(ts)
    assert wide.same_days and wide.shape == (3, 120)
    expected = _one_by_one(ts, lambda d: d["crimes"].rolling(30, min_periods=1).mean())
    np.testing.assert_allclose(wide.rolling_mean("crimes"), expected, rtol=1e-12)
    expected = _one_by_one(ts, lambda d: _ratio(d, "clearance_rate", 90))
    got = wide.rolling_ratio("clearance_rate", 90)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], rtol=1e-12)
    assert np.array_equal(wide.column("participation_rate"), _one_by_one(ts, lambda d: d["participation_rate"]))


def test_replicates_of_different_lengths_are_padded(ts):
    short = ts[~((ts["replicate"] == 1) & (ts["day"] >= 100))]
    wide = _Wide(short)
    assert not wide.same_days
    col = wide.column("crimes")
    assert col.shape == (3, 120) and np.isnan(col[1, 100:]).all() and not np.isnan(col[1, :100]).any()
    assert timeseries_figure(short).axes[0].lines  # draws
