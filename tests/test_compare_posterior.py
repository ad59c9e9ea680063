"""compare --posterior: replicate r of every policy runs on posterior draw r; share_better."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.compare import comparison_table, posterior_draws, run_comparison
from coprod_sim.config import load_config, with_overrides

PATH = "population.groups.minority.initial_trust_mean"


def _posterior(folder, values, weights):
    folder.mkdir()
    pd.DataFrame({PATH: values, "weight": weights}).to_parquet(folder / "posterior.parquet")
    return folder


def test_draws_are_resampled_by_weight_and_seeded(tmp_path):
    folder = _posterior(tmp_path / "cal", [0.2, 0.6], [0.0, 1.0])
    assert {d[PATH] for d in posterior_draws(folder, 10, seed=1)} == {0.6}
    folder2 = _posterior(tmp_path / "cal2", [0.2, 0.4, 0.6], [1 / 3] * 3)
    assert posterior_draws(folder2, 8, 5) == posterior_draws(folder2, 8, 5)


def test_replicates_run_on_their_draws_and_share_better():
    config = load_config(None, {"population.residents": 400, "population.neighbourhoods": 2, "run.burn_in_days": 10})
    configs = {p: with_overrides(config, {"policy.name": p}) for p in ("reactive", "door_to_door")}
    draws = [{PATH: 0.1}, {PATH: 0.8}, {PATH: 0.4}]
    results = run_comparison(configs, seed=2, replicates=3, days=40, workers=1, progress=False, draws=draws)
    # the draw is applied: minority trust follows draw r in replicate r, under both policies
    for runs in results.values():
        trust = [r.timeseries["mean_trust_minority"].iloc[0] for r in runs]
        assert trust[0] < trust[2] < trust[1]
    table = comparison_table(results, posterior=True)
    city = table[table["group"].isna() & table["neighbourhood"].isna() & (table["period"] == "all")]
    shares = city.set_index("metric")["share_better"]
    assert shares["mean_trust"] in (0.0, 1 / 3, 2 / 3, 1.0)
    assert np.isnan(shares["police_contacts"])  # no better direction in the registry
    assert table["share_better"].isna().all() == False  # noqa: E712
    assert comparison_table(results)["share_better"].isna().all()  # without --posterior: null


def test_share_better_follows_the_registry_direction():
    from coprod_sim.compare import _share_better

    assert _share_better("crimes", np.array([-1.0, -2.0, 3.0])) == pytest.approx(2 / 3)  # lower is better
    assert _share_better("mean_trust", np.array([-1.0, -2.0, 3.0])) == pytest.approx(1 / 3)


def test_cli_posterior_flags(tmp_path, capsys):
    folder = _posterior(tmp_path / "cal", [0.3], [1.0])
    assert main(["compare", "--posterior", str(folder), "--draws", "3", "--replicates", "2", "--out", "x"]) == 2
    assert "--replicates 2 with --posterior" in capsys.readouterr().err
    assert main(["compare", "--draws", "3", "--out", str(tmp_path / "y")]) == 2
    assert "--draws needs --posterior" in capsys.readouterr().err
