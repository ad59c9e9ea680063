"""The report's first screen (issue 16): strategies by headline outcome, rounded plain
numbers with intervals, clear and too-small-to-matter marks, one sentence per strategy,
the [report] override, parameter uncertainty when the comparison ran on a posterior."""

import re

import numpy as np
import pandas as pd
import pytest

from coprod_sim import metric_registry as reg
from coprod_sim.compare import policy_configs, run_comparison, write_comparison
from coprod_sim.config import ConfigError, load_config
from coprod_sim.figures_compare import effects_over_time_data
from coprod_sim.report.headline import GAP, headline_table, lead_sentences, strategy_sentence
from coprod_sim.report.numbers import change_texts, plain
from coprod_sim.report.render import write_report

TINY = {"population.residents": 800, "population.neighbourhoods": 4, "run.burn_in_days": 10}
EXPONENT = re.compile(r"\d[eE][-+]\d")  # Python writes an exponent with its sign: 7.5e-05


def _row(policy, metric, base, diff, low, high, group=None, share_better=None):
    return {
        "policy": policy, "metric": metric, "period": "all", "group": group, "neighbourhood": pd.NA,
        "baseline_mean": base, "policy_mean": base + diff, "diff": diff, "diff_low": low, "diff_high": high,
        "rel_diff": diff / base, "share_better": share_better,
    }  # fmt: skip


@pytest.mark.parametrize("x", [7.5e-05, -7.5e-05, 0.0089, 123456.0, 0.5, 3e-9, -0.0])
def test_numbers_are_plain(x):
    assert not EXPONENT.search(plain(x))
    change, interval = change_texts(x, x - 1e-5, x + 1e-5, 0.4, reg.ABS)
    assert not EXPONENT.search(change + interval)


def test_a_change_and_its_interval_share_their_rounding():
    assert change_texts(0.0089, 0.0089, 0.009, 0.5, reg.ABS) == ("+0.009", "+0.009 to +0.009")
    assert change_texts(-7.5e-05, -3e-4, 1.8e-4, 0.12, reg.ABS) == ("0.000", "0.000 to 0.000")
    assert change_texts(-2.1, -3.0, -1.2, 100.0, reg.PCT) == ("-2.1%", "-3.0% to -1.2%")
    assert change_texts(0.013, 0.010, 0.016, 0.49, reg.PP) == ("+1.3 pp", "+1.0 pp to +1.6 pp")
    assert change_texts(0.01, np.nan, np.nan, 0.5, reg.PP) == ("+1.0 pp", "")


def _table():
    return pd.DataFrame(
        [
            _row("a", "crimes", 1000.0, -50.0, -70.0, -30.0),  # -5%, clear, matters
            _row("a", "confidence_share", 0.5, 0.004, 0.001, 0.007),  # clear but below 1 point
            _row("a", "reporting_rate", 0.35, 0.02, -0.01, 0.05),  # matters but not clear
            _row("b", "crimes", 1000.0, -20.0, -30.0, -10.0),  # -2%, clear
            _row("b", "confidence_share", 0.5, 0.03, 0.02, 0.04),
            _row("b", "reporting_rate", 0.35, 0.0, -0.01, 0.01),
        ]
    )


def test_cells_mark_clear_changes_and_grey_those_too_small_to_matter():
    cols, cells = headline_table(_table(), {"reactive": None, "a": None, "b": None})
    heads = [o.heading for o in cols]
    crime, conf, rep = (cells["a"][heads.index(h)] for h in ("Crime", "Confident in police", "Victims reporting"))
    assert (crime.change, crime.interval, crime.clear, crime.small, crime.good) == ("-5.0%", "-7.0 to -3.0", True,
                                                                                    False, True)  # fmt: skip
    assert conf.clear and conf.small and conf.good is None
    assert not rep.clear and not rep.small
    assert cells["a"][heads.index("Recorded crime")] is None  # not in the table
    sentence = strategy_sentence("a", cols, cells["a"])
    assert sentence.startswith("A: crime fell by 5.0%") and "confidence" not in sentence
    lead = lead_sentences(cols, cells, "reactive")
    assert lead[0] == "Largest clear fall in crime: A (-5.0%)."


def test_the_config_overrides_the_smallest_effect_that_matters():
    cols, cells = headline_table(_table(), {"reactive": None, "a": None, "b": None}, {"crimes": 0.03})
    i = [o.metric for o in cols].index("crimes")
    assert not cells["a"][i].small and cells["b"][i].small  # -5% matters, -2% does not
    assert "crime" not in strategy_sentence("b", cols, cells["b"]).split(";")[0].replace("confidence", "")
    assert load_config(overrides={"report.smallest_effect.crimes": 0.03}).report.smallest_effect == {"crimes": 0.03}
    with pytest.raises(ConfigError, match="unknown metric 'crime'"):
        load_config(overrides={"report.smallest_effect.crime": 0.03})


def test_the_configs_smallest_effect_keys_are_the_registrys():
    from coprod_sim.config.schema import SMALLEST_EFFECT_METRICS

    assert set(SMALLEST_EFFECT_METRICS) == set(reg.SMALLEST_EFFECT) and set(reg.SMALLEST_EFFECT) <= set(reg.BY_NAME)


def test_share_better_is_shown_only_with_a_posterior():
    table = _table()
    _, plain_cells = headline_table(table.drop(columns="share_better"), {"r": None, "a": None, "b": None})
    assert all(c.share_better == "" for c in plain_cells["a"] if c)
    table["share_better"] = 0.85
    _, cells = headline_table(table, {"r": None, "a": None, "b": None})
    assert {c.share_better for c in cells["a"] if c} == {"85%"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    cfg = load_config(overrides=TINY)
    configs = policy_configs(cfg, ["reactive", "door_to_door"], "reactive")
    results = run_comparison(configs, seed=3, replicates=3, days=200, workers=1, progress=False)
    out = tmp_path_factory.mktemp("cmp")
    table = write_comparison(out, configs, results, command="test")
    return out, configs, results, table


def test_the_report_opens_with_the_headline_table(compared):
    out, _, _, _ = compared
    html = (out / "report.html").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert text.index('id="summary-table"') < text.index("How to read this")
    for heading in ("Crime", "Recorded crime", "Confident: minority", "Confidence gap", "Calls for service"):
        assert f">{heading}<" in text
    assert not EXPONENT.search(text), EXPONENT.search(text)
    assert "@media print" in text
    assert "include parameter uncertainty" not in text and "chance variation between simulated replicates" in text
    assert (out / "figures" / "effects_over_time.png").exists()


def test_the_confidence_gap_is_paired_per_replicate(compared):
    _, _, results, table = compared
    cols, cells = headline_table(table, results)
    i = [o.metric for o in cols].index(GAP)
    gaps = {}
    for name, runs in results.items():
        gaps[name] = [
            max(r.timeseries[f"confidence_share_{g}"].mean() for g in ("majority", "minority"))
            - min(r.timeseries[f"confidence_share_{g}"].mean() for g in ("majority", "minority"))
            for r in runs
        ]
    expected = np.mean(np.subtract(gaps["door_to_door"], gaps["reactive"]))
    assert cells["door_to_door"][i].diff == pytest.approx(expected)


def test_a_posterior_comparison_says_intervals_include_parameter_uncertainty(compared, tmp_path):
    out, configs, results, table = compared
    table = table.assign(share_better=np.where(table["metric"] == "crimes", 0.7, np.nan))
    write_report(tmp_path / "report.html", table, results, configs, [], command="test")
    html = (tmp_path / "report.html").read_text()
    assert "include parameter uncertainty" in html and "better in 70%" in html


def test_effects_over_time_cover_the_horizon_in_windows(compared):
    _, _, results, _ = compared
    data = effects_over_time_data(results, bin_days=30)
    assert set(data["policy"]) == {"door_to_door"}
    assert {"crimes", "confidence_share", "confidence_share_minority"} <= set(data["metric"])
    assert sorted(data["day"].unique()) == list(range(0, 200, 30))
    assert (data["low"] <= data["change"] + 1e-12).all() and (data["change"] <= data["high"] + 1e-12).all()
    # the values: the paired change of each 30-day window, computed replicate by replicate
    base = {r.replicate: r.timeseries.sort_values("day") for r in results["reactive"]}

    def window(ts, column, how):
        return getattr(ts.groupby(ts["day"] // 30)[column], how)().to_numpy(dtype=float)

    for column, how in (("crimes", "sum"), ("confidence_share", "mean")):
        diffs, bases = [], []
        for run in results["door_to_door"]:
            b = window(base[run.replicate], column, how)
            diffs.append(window(run.timeseries.sort_values("day"), column, how) - b)
            bases.append(b)
        scale = 100 / np.nanmean(bases, axis=0) if column == "crimes" else 100
        got = data[data["metric"] == column]["change"].to_numpy()
        np.testing.assert_allclose(got, np.mean(diffs, axis=0) * scale, rtol=1e-12)


def test_the_legend_names_each_smallest_effect_once(compared):
    out, _, _, _ = compared
    html = (out / "report.html").read_text()
    assert "confidence in police 1 pp" in html and "confidence among minority residents 1 pp" not in html
