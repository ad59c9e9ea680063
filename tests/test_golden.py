"""Golden series: the model's daily output for fixed seeds, kept in the repo.

A failure means the numbers changed. If the change is intended, regenerate with
`python tests/golden/make_golden.py` and say why in the commit; if not, it is a
regression (or a new mechanism that is not inert at its neutral setting)."""

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from make_golden import CASES, HERE, run_case  # noqa: E402


@pytest.mark.parametrize("name", list(CASES))
def test_series_match_the_golden_run(name):
    expected = pd.read_parquet(HERE / f"{name}.parquet")
    got = run_case(CASES[name])
    for col in expected.columns:
        assert col in got.columns, col
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_exact=False, rtol=1e-9, atol=1e-12)
