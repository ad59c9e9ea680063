"""Paired comparison, its statistics and the HTML report (issue 3)."""

import numpy as np
import pandas as pd
import pytest

from coprod_sim.compare import (
    COLUMNS,
    comparison_table,
    mean_interval,
    policy_configs,
    run_comparison,
    write_comparison,
)
from coprod_sim.config import load_config

TINY = {"population.residents": 800, "population.neighbourhoods": 4, "run.burn_in_days": 10}


@pytest.fixture(scope="module")
def tiny_results():
    cfg = load_config(overrides=TINY)
    configs = policy_configs(cfg, ["reactive", "door_to_door", "hot_spots", "community_meetings"], "reactive")
    return configs, run_comparison(configs, seed=5, replicates=3, days=400, workers=1, progress=False)


def test_policy_against_itself_gives_exactly_zero():
    cfg = load_config(overrides=TINY)
    configs = {"reactive": cfg, "reactive_again": cfg}
    results = run_comparison(configs, seed=1, replicates=3, days=30, workers=1, progress=False)
    table = comparison_table(results)
    rows = table[table["metric"] != "crimes_averted_per_1000_policy_hours"]
    assert len(rows) > 50
    finite = rows["diff"].notna()
    assert (rows.loc[finite, "diff"] == 0).all()
    assert (rows.loc[finite & rows["diff_low"].notna(), ["diff_low", "diff_high"]] == 0).all().all()


def test_comparison_table_contract(tiny_results):
    configs, results = tiny_results
    table = comparison_table(results)
    assert list(table.columns) == COLUMNS
    assert set(table["policy"]) == {"door_to_door", "hot_spots", "community_meetings"}
    assert {"all", "year_1", "year_2"} <= set(table["period"])
    city = table[table["group"].isna() & table["neighbourhood"].isna()]
    assert {
        "crimes",
        "crimes_reported",
        "reporting_rate",
        "mean_trust",
        "trust_gap",
        "participation_rate",
        "collective_efficacy",
        "clearance_rate",
        "hours_door_to_door",
        "crimes_averted_per_1000_policy_hours",
    } <= set(city["metric"])
    groups = table[table["group"].notna()]
    assert set(groups["group"]) == {"majority", "minority"} and groups["neighbourhood"].isna().all()
    nbs = table[table["neighbourhood"].notna()]
    assert set(nbs["neighbourhood"]) == {0, 1, 2, 3} and nbs["group"].isna().all()
    zero_base = table[table["baseline_mean"] == 0]
    assert zero_base["rel_diff"].isna().all()
    # a diff is the mean of paired differences: check one by hand
    row = city[(city["policy"] == "door_to_door") & (city["metric"] == "crimes") & (city["period"] == "all")].iloc[0]
    b = [r.timeseries["crimes"].sum() for r in results["reactive"]]
    p = [r.timeseries["crimes"].sum() for r in results["door_to_door"]]
    assert row["diff"] == pytest.approx(np.mean(np.subtract(p, b)))
    assert row["diff_low"] <= row["diff"] <= row["diff_high"]  # equal when every replicate differs alike


def test_mean_interval():
    m, lo, hi = mean_interval(np.array([1.0, 2.0, 3.0]))
    assert (
        m == 2.0 and lo == pytest.approx(2 - 4.302653 / np.sqrt(3)) and hi == pytest.approx(2 + 4.302653 / np.sqrt(3))
    )
    assert np.isnan(mean_interval(np.array([1.0]))[1])


def test_report_builds_and_names_every_policy(tiny_results, tmp_path):
    configs, results = tiny_results
    table = write_comparison(tmp_path, configs, results, command="test")
    html = (tmp_path / "report.html").read_text()
    for name in configs:
        assert name in html
        assert (tmp_path / name / "timeseries.parquet").exists()
    assert html.count("data:image/png;base64,") >= 4  # self-contained figures
    assert "95% interval" in html and "not forecasts" in html
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert (tmp_path / "figures" / "series_crimes.parquet").exists()
    saved = pd.read_parquet(tmp_path / "comparison.parquet")
    assert len(saved) == len(table)


def test_who_benefits_split_and_sentences(tmp_path):
    from coprod_sim.compare import high_barrier_neighbourhoods
    from coprod_sim.report.summary import benefit_sentences

    cfg = load_config(overrides={**TINY, "barriers.neighbourhood": [0.0, 0.0, 0.7, 0.7]})
    assert list(high_barrier_neighbourhoods(cfg)) == [2, 3]
    assert high_barrier_neighbourhoods(load_config(overrides=TINY)) is None
    configs = policy_configs(cfg, ["reactive", "door_to_door"], "reactive")
    results = run_comparison(configs, seed=2, replicates=3, days=200, workers=1, progress=False)
    table = write_comparison(tmp_path, configs, results, command="test")
    city = table[(table["period"] == "all") & table["neighbourhood"].isna() & table["group"].isna()].set_index("metric")
    for m in (
        "mean_trust_high_barrier",
        "mean_trust_other",
        "reporting_rate_high_barrier",
        "reporting_rate_other",
        "trust_gap",
        "reporting_gap",
    ):
        assert m in city.index, m
    # the split is the neighbourhood rows averaged: check the high-barrier one by hand
    nb = table[(table["period"] == "all") & (table["metric"] == "mean_trust") & table["neighbourhood"].isin([2, 3])]
    assert city.loc["mean_trust_high_barrier", "diff"] == pytest.approx(nb["diff"].mean())
    sentences = benefit_sentences(table, "door_to_door")
    assert any("high-barrier neighbourhoods" in s for s in sentences)
    assert any(s.startswith("The trust gap between groups") for s in sentences)
    html = (tmp_path / "report.html").read_text()
    assert "Who benefits" in html and "mean_trust_high_barrier" in html
    assert (tmp_path / "figures" / "neighbourhood_trust.png").exists()


def test_sentences_say_no_clear_difference_when_the_interval_spans_zero():
    from coprod_sim.report.summary import benefit_sentences, policy_sentences

    rows = pd.DataFrame(
        [
            {
                "policy": "p",
                "metric": "reporting_rate",
                "period": "all",
                "group": None,
                "neighbourhood": pd.NA,
                "baseline_mean": 0.3,
                "policy_mean": 0.301,
                "diff": 0.001,
                "diff_low": -0.01,
                "diff_high": 0.012,
                "rel_diff": 0.003,
            },
            {
                "policy": "p",
                "metric": "reporting_gap",
                "period": "all",
                "group": None,
                "neighbourhood": pd.NA,
                "baseline_mean": 0.1,
                "policy_mean": 0.099,
                "diff": -0.001,
                "diff_low": -0.01,
                "diff_high": 0.008,
                "rel_diff": -0.01,
            },
            {
                "policy": "p",
                "metric": "trust_gap",
                "period": "all",
                "group": None,
                "neighbourhood": pd.NA,
                "baseline_mean": 0.2,
                "policy_mean": 0.19,
                "diff": -0.01,
                "diff_low": -0.012,
                "diff_high": -0.008,
                "rel_diff": -0.05,
            },
        ]
    )
    assert any(
        s.startswith("No clear difference in the reporting rate") for s in policy_sentences(rows, "p", "reactive")
    )
    benefits = benefit_sentences(rows, "p")
    assert "The gap in reporting rates between groups did not clearly change" in benefits[1]
    assert benefits[0].startswith("The trust gap between groups narrowed by 0.010")


def test_period_tables_kept_per_replicate_equal_those_of_the_pooled_tables(tiny_results):
    from coprod_sim.metrics import neighbourhood_period_values, period_values
    from coprod_sim.runs import period_table

    runs = tiny_results[1]["door_to_door"][::-1]  # any order: the table is in replicate order
    pooled = period_values(pd.concat([r.timeseries for r in runs], ignore_index=True))
    pd.testing.assert_frame_equal(period_table(runs), pooled, check_exact=True)
    pooled_nb = neighbourhood_period_values(pd.concat([r.neighbourhoods for r in runs], ignore_index=True))
    kept_nb = pd.concat([r.neighbourhood_period_values for r in runs[::-1]], ignore_index=True)
    pd.testing.assert_frame_equal(kept_nb, pooled_nb, check_exact=True)


def test_a_shared_pool_runs_and_writes_the_same_comparison(tmp_path):
    from coprod_sim.compare import comparison_pool

    cfg = load_config(overrides={**TINY, "output.figures": False})
    configs = policy_configs(cfg, ["reactive", "door_to_door"], "reactive")
    alone = run_comparison(configs, seed=4, replicates=2, days=60, workers=1, progress=False)
    write_comparison(tmp_path / "alone", configs, alone, command="test")
    with comparison_pool(len(configs), 2, workers=2) as pool:
        assert pool is not None
        pooled = run_comparison(configs, seed=4, replicates=2, days=60, workers=2, progress=False, pool=pool)
        write_comparison(tmp_path / "pooled", configs, pooled, command="test", pool=pool)
    files = sorted(p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone").rglob("*.parquet"))
    assert any(f.parts[0] == "door_to_door" for f in files)  # the run folders were written
    for f in files:
        assert pd.read_parquet(tmp_path / "alone" / f).equals(pd.read_parquet(tmp_path / "pooled" / f)), f
    with comparison_pool(len(configs), 2, workers=1) as pool:
        assert pool is None  # one worker: everything in this process


def test_a_run_folder_that_fails_in_the_pool_fails_the_comparison(tmp_path):
    from coprod_sim.compare import comparison_pool

    cfg = load_config(overrides={**TINY, "output.figures": False})
    configs = policy_configs(cfg, ["reactive", "door_to_door"], "reactive")
    results = run_comparison(configs, seed=4, replicates=2, days=30, workers=1, progress=False)
    (tmp_path / "door_to_door").write_text("a file where the run folder goes")
    with comparison_pool(len(configs), 2, workers=2) as pool, pytest.raises(FileExistsError):
        write_comparison(tmp_path, configs, results, command="test", pool=pool)
