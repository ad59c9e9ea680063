"""Sweeps of policy effects and honest sensitivity output (issue 17, points 1 and 4).

- `[sweep] policies`: every point and replicate runs under each policy on one seed;
  `analyze` gives indices of each policy's level and of its paired difference from
  the baseline.
- LHS designs keep chance correlations between columns low; `analyze` warns when
  the columns it used correlate anyway.
- Every index has an interval on the console (a rank correlation of 1 included),
  and a policy's knobs are flagged when that policy spent no hours.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.config import load_config, with_overrides
from coprod_sim.metrics import period_values
from coprod_sim.runs import simulate
from coprod_sim.sweeps.analysis import INDEX_COLUMNS, analyze
from coprod_sim.sweeps.checks import CORRELATION_WARNING, correlated_columns
from coprod_sim.sweeps.design import design_points, unit_sample
from coprod_sim.sweeps.indices import elementary_effects, spearman_interval
from coprod_sim.sweeps.runner import run_sweep
from coprod_sim.sweeps.spec import parse_spec, read_spec, resolve_sweep

EXAMPLES = Path(__file__).resolve().parents[1] / "experiments" / "sweeps"
TINY = """
[population]
residents = 500
neighbourhoods = 2
[run]
burn_in_days = 5
days = 30
"""


def sweep_file(folder: Path, text: str, config: str = TINY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.toml").write_text(config)
    (folder / "sweep.toml").write_text(text)
    return folder / "sweep.toml"


def run_tables(out: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted((out / "runs").glob("*.parquet"))}


# --------------------------------------------------------------------------- policies
POLICY_GRID = """
[sweep]
config = "tiny.toml"
design = "grid"
replicates = 2
seed = 4
policies = ["reactive", "door_to_door"]
[parameters]
"trust.social_rate_per_day" = [0.005, 0.02, 0.05]
"""


def test_each_run_holds_every_policy_on_the_replicate_seed(tmp_path, capsys):
    path = sweep_file(tmp_path, POLICY_GRID)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "each run under reactive, door_to_door (baseline reactive), paired" in capsys.readouterr().out
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 6 and "policy" not in design.columns  # one run per point and replicate
    files = run_tables(out)
    for df in files.values():
        assert list(df.columns) == ["run_id", "policy", "period", "metric", "group", "value"]
        assert list(dict.fromkeys(df["policy"])) == ["reactive", "door_to_door"]
    # run (point 1, replicate 1) under each policy is the model under that policy on replicate_seed(4, 1)
    base = with_overrides(load_config(tmp_path / "tiny.toml"), {"trust.social_rate_per_day": 0.02})
    got = files["p0001_r01"].query("period == 'all' and group.isna()")
    for policy in ("reactive", "door_to_door"):
        ts = simulate(with_overrides(base, {"policy.name": policy}), 4, 1, 30).timeseries
        expected = period_values(ts).query("period == 'all' and group.isna()").set_index("metric")["value"]
        mine = got[got["policy"] == policy].set_index("metric")["value"]
        for metric in ("crimes", "mean_trust", "hours_door_to_door", "police_contacts"):
            assert mine[metric] == expected[metric], (policy, metric)
    by_policy = got.set_index(["policy", "metric"])["value"]
    assert by_policy["reactive", "hours_door_to_door"] == 0 < by_policy["door_to_door", "hours_door_to_door"]
    assert by_policy["reactive", "mean_trust"] != by_policy["door_to_door", "mean_trust"]


def test_analyze_gives_levels_and_paired_differences(tmp_path):
    path = sweep_file(tmp_path, POLICY_GRID)
    out = tmp_path / "out"
    run_sweep(resolve_sweep(read_spec(path)), out, workers=1, progress=False)
    report = analyze(out, figures=True)
    idx = pd.read_parquet(out / "analysis" / "indices.parquet")
    assert (
        list(idx.columns)
        == INDEX_COLUMNS
        == [
            "outcome",
            "policy",
            "contrast",
            "parameter",
            "index",
            "value",
            "conf_low",
            "conf_high",
        ]
    )
    assert pd.read_csv(out / "analysis" / "indices.csv").shape == idx.shape
    pairs = set(idx[["policy", "contrast"]].itertuples(index=False, name=None))
    assert pairs == {("reactive", "level"), ("door_to_door", "level"), ("door_to_door", "difference")}
    results = pd.read_parquet(out / "analysis" / "results.parquet")
    assert {"policy", "point", "replicate", "trust.social_rate_per_day"} <= set(results.columns)
    figures = {p.name for p in report.figures}
    assert {"indices.png", "indices_levels.png", "main_effect_trust.social_rate_per_day.png"} <= figures


def test_daily_and_summary_policy_sweeps_give_the_same_indices(tmp_path):
    found = {}
    for outputs in ("summary", "daily"):
        text = POLICY_GRID.replace("seed = 4", f'seed = 4\noutputs = "{outputs}"')
        out = tmp_path / outputs / "out"
        run_sweep(resolve_sweep(read_spec(sweep_file(tmp_path / outputs, text))), out, workers=1, progress=False)
        if outputs == "daily":
            assert list(pd.read_parquet(out / "runs" / "p0000_r00.parquet").columns[:4]) == [
                "run_id",
                "policy",
                "replicate",
                "seed",
            ]
        found[outputs] = analyze(out, figures=False).indices
    assert len(found["summary"]) > 0
    pd.testing.assert_frame_equal(found["summary"], found["daily"])


def paired(task):
    """y = x0 + a replicate shock shared by both policies; door_to_door adds 2 x1 and its own small noise."""
    x0, x1 = (task.params[n] for n in NAMES)
    shock = 100.0 * np.sin(7.0 * task.replicate + 1.0)
    y = x0 + shock + (2 * x1 + 0.01 * np.cos(13.0 * task.replicate) if task.policy == "door_to_door" else 0.0)
    assert task.config.policy.name == task.policy  # the policy is in the config the run gets
    return pd.DataFrame({"period": ["all"], "metric": ["crimes"], "group": [None], "value": [y]})


NAMES = ["trust.vicarious_fraction", "reporting.alternatives_share"]
PAIRED_LHS = """
[sweep]
config = "tiny.toml"
design = "lhs"
samples = 24
replicates = 3
seed = 2
policies = ["reactive", "door_to_door"]
[parameters]
"trust.vicarious_fraction" = {low = 0.0, high = 1.0}
"reporting.alternatives_share" = {low = 0.0, high = 1.0}
"""


def test_differences_are_paired_per_replicate_before_averaging(tmp_path):
    out = tmp_path / "out"
    run_sweep(resolve_sweep(read_spec(sweep_file(tmp_path, PAIRED_LHS))), out, workers=1, progress=False, run_fn=paired)
    idx = analyze(out, figures=False).indices.query("outcome == 'crimes'")
    rho = idx.set_index(["policy", "contrast", "parameter"])["value"]
    # the difference is 2 x1 (+ tiny noise): the shared shock cancels, x0 drops out
    assert rho["door_to_door", "difference", NAMES[1]] > 0.99
    assert abs(rho["door_to_door", "difference", NAMES[0]]) < 0.3
    # each level moves with x0 (and, under door_to_door, x1 too)
    assert rho["reactive", "level", NAMES[0]] > 0.99 and abs(rho["reactive", "level", NAMES[1]]) < 0.3
    # the value of a difference: per replicate, then averaged (by hand from the results table)
    results = pd.read_parquet(out / "analysis" / "results.parquet")
    wide = results.pivot_table(index=["point", "replicate"], columns="policy", values="value")
    by_hand = (wide["door_to_door"] - wide["reactive"]).groupby(level="point").mean()
    points = pd.read_parquet(out / "design.parquet").drop_duplicates("point").set_index("point")
    assert np.allclose(by_hand, 2 * points[NAMES[1]], atol=0.02)


# --------------------------------------------------------------------------- honest output
def test_lhs_columns_correlate_little_by_chance():
    ranges = {f"trust.p{j}": {"low": 0.0, "high": 1.0} for j in range(5)}
    for seed in range(5):
        spec = parse_spec({"sweep": {"design": "lhs", "samples": 30, "seed": seed}, "parameters": ranges})
        pts = design_points(spec, seed).drop(columns="point")
        corr = pts.rank().corr().to_numpy()
        assert np.abs(corr - np.eye(5)).max() < CORRELATION_WARNING / 2, seed
        u = unit_sample(spec, seed)
        assert all(sorted(np.floor(u[:, j] * 30).astype(int)) == list(range(30)) for j in range(5))  # still an LHS


def test_correlated_design_columns_are_warned_about():
    x = np.linspace(0, 1, 20)
    points = pd.DataFrame({"a.x": x, "a.y": x + np.sin(40 * x) * 0.2, "a.z": np.cos(97 * x)})
    found = correlated_columns(points, "lhs")
    assert len(found) == 1 and "a.x and a.y" in found[0] and str(CORRELATION_WARNING) in found[0]
    assert correlated_columns(points, "sobol") == []


def drop_upper(task):
    """Runs fail where x0 > x1, so the points left correlate."""
    x0, x1 = (task.params[n] for n in NAMES)
    if x0 > x1:
        raise RuntimeError("injected failure")
    return pd.DataFrame({"period": ["all"], "metric": ["crimes"], "group": [None], "value": [x0 - x1]})


def test_analyze_warns_when_the_points_with_results_correlate(tmp_path, capsys):
    text = PAIRED_LHS.replace('policies = ["reactive", "door_to_door"]\n', "").replace(
        "replicates = 3", "replicates = 1"
    )
    out = tmp_path / "out"
    report = run_sweep(
        resolve_sweep(read_spec(sweep_file(tmp_path, text))), out, workers=1, progress=False, run_fn=drop_upper
    )
    assert 0 < report.failed < 24
    assert main(["analyze", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert f"warning: design columns {NAMES[0]} and {NAMES[1]} correlate" in printed
    assert "warning: design columns" in (out / "analysis" / "notes.txt").read_text()


def linear(task):
    return pd.DataFrame(
        {"period": ["all"], "metric": ["crimes"], "group": [None], "value": [3 * task.params[NAMES[0]]]}
    )


def test_every_index_has_an_interval_on_the_console_and_rho_one_is_not_certain(tmp_path, capsys):
    text = PAIRED_LHS.replace('policies = ["reactive", "door_to_door"]\n', "").replace("samples = 24", "samples = 8")
    out = tmp_path / "out"
    run_sweep(resolve_sweep(read_spec(sweep_file(tmp_path, text))), out, workers=1, progress=False, run_fn=linear)
    assert main(["analyze", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    row = pd.read_parquet(out / "analysis" / "indices.parquet").set_index("parameter").loc[NAMES[0]]
    assert row["value"] == 1.0 and row["conf_high"] == 1.0 and 0.5 < row["conf_low"] < 0.999
    line = next(li for li in printed.splitlines() if li.strip().startswith(NAMES[0]))
    assert f"rho +1 [{row['conf_low']:+.3g}, +1]" in line
    other = next(li for li in printed.splitlines() if li.strip().startswith(NAMES[1]))
    assert "rho " in other and "[" in other and "]" in other


def test_spearman_interval():
    low, high = spearman_interval(1.0, 8)
    assert high == 1.0 and low < 0.99
    low, high = spearman_interval(-1.0, 100)
    assert low == -1.0 and -1.0 < high < -0.99
    low, high = spearman_interval(0.0, 28)  # Bonett-Wright: 1.96 sqrt(1/25)
    assert high == pytest.approx(-low) and high == pytest.approx(np.tanh(1.96 / 5), abs=1e-3)
    assert np.isnan(spearman_interval(0.5, 3)).all()


ISHIGAMI_MORRIS = """
[sweep]
config = "tiny.toml"
design = "morris"
samples = 12
seed = 3
[parameters]
"trust.vicarious_fraction" = {low = 0.0, high = 1.0}
"reporting.alternatives_share" = {low = 0.0, high = 1.0}
"""


def ishigami(task):
    x0, x1 = (-np.pi + 2 * np.pi * task.params[n] for n in NAMES)
    y = np.sin(x0) + 7 * np.sin(x1) ** 2 + 0.1 * x0**4
    return pd.DataFrame({"period": ["all"], "metric": ["crimes"], "group": [None], "value": [y]})


def test_morris_mu_and_sigma_get_intervals(tmp_path):
    path = sweep_file(tmp_path, ISHIGAMI_MORRIS)
    out = tmp_path / "out"
    sweep = resolve_sweep(read_spec(path))
    run_sweep(sweep, out, workers=1, progress=False, run_fn=ishigami)
    idx = analyze(out, figures=False).indices.set_index(["parameter", "index"])
    for name in NAMES:
        for kind in ("mu_star", "mu", "sigma"):
            low, value, high = idx.loc[(name, kind), ["conf_low", "value", "conf_high"]]
            assert low <= value <= high and low < high, (name, kind)
    # the elementary effects behind the intervals are SALib's
    x = unit_sample(sweep.spec, sweep.seed)
    y = pd.read_parquet(out / "analysis" / "results.parquet").sort_values("point")["value"].to_numpy()
    ee = elementary_effects(x, y)
    assert np.allclose(ee.mean(axis=0), [idx.loc[(n, "mu"), "value"] for n in NAMES])
    assert np.allclose(np.abs(ee).mean(axis=0), [idx.loc[(n, "mu_star"), "value"] for n in NAMES])


@pytest.mark.parametrize("replicates", [1, 2])
def test_grid_eta2_interval_from_replicates(tmp_path, replicates):
    text = POLICY_GRID.replace("replicates = 2", f"replicates = {replicates}")
    out = tmp_path / "out"
    run_sweep(resolve_sweep(read_spec(sweep_file(tmp_path, text))), out, workers=1, progress=False)
    report = analyze(out, figures=False)
    eta = report.indices.query("index == 'eta2' and outcome == 'mean_trust' and contrast == 'level'")
    assert len(eta) == 2
    if replicates == 1:
        assert eta["conf_low"].isna().all() and any("no interval" in n for n in report.notes)
    else:
        assert ((eta["conf_low"] <= eta["conf_high"]) & eta["conf_low"].notna()).all()


# --------------------------------------------------------------------------- no effect by construction
IDLE = """
[sweep]
config = "tiny.toml"
design = "lhs"
samples = 6
seed = 8
[parameters]
"trust.social_rate_per_day" = {low = 0.005, high = 0.05}
"policy.door_to_door.visits_per_hour" = {low = 0.5, high = 4.0}
"policy.hot_spots.minutes_per_visit" = {low = 5.0, high = 30.0}
"""


def test_knobs_of_a_policy_without_hours_are_flagged(tmp_path, capsys):
    """An all-door-to-door sweep: the hot-spot knob can only correlate by chance."""
    path = sweep_file(tmp_path, IDLE, TINY + '[policy]\nname = "door_to_door"\n')
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["analyze", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    flagged = [li for li in printed.splitlines() if "no effect by construction" in li]
    assert flagged and all("policy.hot_spots.minutes_per_visit" in li for li in flagged)
    assert any(li.strip().startswith("policy.hot_spots.minutes_per_visit") for li in flagged)  # the index line
    assert (
        "policy.hot_spots.minutes_per_visit: no effect by construction (hot_spots spent no hours"
        in (out / "analysis" / "notes.txt").read_text()
    )


def test_knobs_are_flagged_per_policy_in_a_policy_sweep(tmp_path):
    text = IDLE.replace("seed = 8", 'seed = 8\npolicies = ["reactive", "door_to_door"]')
    out = tmp_path / "out"
    run_sweep(resolve_sweep(read_spec(sweep_file(tmp_path, text))), out, workers=1, progress=False)
    idle = analyze(out, figures=False).idle
    d2d, hot = "policy.door_to_door.visits_per_hour", "policy.hot_spots.minutes_per_visit"
    assert idle["reactive", "level"] == {d2d: "door_to_door", hot: "hot_spots"}
    assert idle["door_to_door", "level"] == {hot: "hot_spots"}
    assert idle["door_to_door", "difference"] == {hot: "hot_spots"}  # door_to_door's knob moves the difference


# --------------------------------------------------------------------------- sweep files
@pytest.mark.parametrize(
    "policies, extra, expected",
    [
        ('["reactive"]', "", "name a baseline and at least one policy"),
        ('["reactive", "reactive"]', "", "each policy once"),
        ('["reactive", "door_to_dor"]', "", "sweep.policies: 'door_to_dor': policy.name = 'door_to_dor': unknown"),
        ('["reactive", "door_to_door"]', '"policy.name" = ["reactive", "hot_spots"]\n', "keep one of the two"),
        ('"door_to_door"', "", "sweep.policies = 'door_to_door'"),
    ],
)
def test_bad_policies_are_refused(tmp_path, capsys, policies, extra, expected):
    text = POLICY_GRID.replace('["reactive", "door_to_door"]', policies) + extra
    path = sweep_file(tmp_path, text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_the_example_sweep_files_fit_the_model(path):
    """Each sweep file in experiments/sweeps/ names parameters and policies the schema knows."""
    sweep = resolve_sweep(read_spec(path))
    assert sweep.spec.names
    if path.stem == "door_to_door_effect":
        assert sweep.policies == ("reactive", "door_to_door")


# --------------------------------------------------------------------------- CSV copies
def test_csv_copies_on_sweep_resume_and_analyze(tmp_path, capsys):
    path = sweep_file(tmp_path, POLICY_GRID)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet", "--csv"]) == 0
    design = pd.read_parquet(out / "design.parquet")
    pd.testing.assert_frame_equal(pd.read_csv(out / "design.csv"), design, check_dtype=False)
    for run_id, table in run_tables(out).items():
        copy = pd.read_csv(out / "runs" / f"{run_id}.csv")
        assert copy.shape == table.shape and np.allclose(copy["value"], table["value"], equal_nan=True)
    manifest = (out / "manifest.json").read_text()
    assert '"design.csv"' in manifest and '"runs/p0000_r00.csv"' in manifest
    # a resume without --csv keeps the folder's CSV copies complete
    (out / "runs" / "p0001_r00.parquet").unlink()
    (out / "runs" / "p0001_r00.csv").unlink()
    (out / "runs" / "p0000_r01.csv").unlink()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet", "--resume"]) == 0
    assert {p.stem for p in (out / "runs").glob("*.csv")} == set(design["run_id"])
    assert main(["analyze", str(out), "--no-figures", "--csv"]) == 0
    assert "results.csv" in capsys.readouterr().out
    results = pd.read_parquet(out / "analysis" / "results.parquet")
    assert pd.read_csv(out / "analysis" / "results.csv").shape == results.shape
    # the CSV copies are the tool's own: --force replaces them without a word
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet", "--force"]) == 0
    assert not (out / "design.csv").exists() and not list((out / "runs").glob("*.csv"))
