"""Sweeps: designs, the output folder, resume, failures, engines, analysis, errors."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.config import load_config, with_overrides
from coprod_sim.metrics import period_values
from coprod_sim.model import CoProductionModel
from coprod_sim.streams import replicate_seed
from coprod_sim.sweeps import executors
from coprod_sim.sweeps.analysis import analyze
from coprod_sim.sweeps.design import design_points, design_table
from coprod_sim.sweeps.runner import run_sweep
from coprod_sim.sweeps.spec import SweepError, parse_spec, read_spec, resolve_sweep

TINY = """
[population]
residents = 500
neighbourhoods = 2
[run]
burn_in_days = 5
days = 30
"""

# Two parameters that do not involve the policy code, 3 x 2 points.
GRID = """
[sweep]
config = "tiny.toml"
design = "grid"
replicates = 2
seed = 5
outputs = "{outputs}"
[parameters]
"trust.social_rate_per_day" = [0.005, 0.01, 0.05]
"coproduction.participation_trust_coef" = [1.0, 3.0]
"""


def write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / name
    path.write_text(text)
    return path


def grid_sweep(tmp_path, outputs="summary"):
    return resolve_sweep(read_spec(write(tmp_path, GRID.format(outputs=outputs))))


def run_files(out: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted((out / "runs").glob("*.parquet"))}


# --------------------------------------------------------------------------- designs
def spec_of(design, parameters, samples=None, replicates=1, seed=3):
    sweep = {"design": design, "replicates": replicates, "seed": seed}
    if samples is not None:
        sweep["samples"] = samples
    return parse_spec({"sweep": sweep, "parameters": parameters})


RANGES = {
    "trust.negative_contact_effect": {"low": 0.05, "high": 0.2},
    "policing.known_residents_per_officer": {"low": 10, "high": 13, "integer": True},
    "reporting.trust_coef": {"low": 0.5, "high": 1.5},
}


@pytest.mark.parametrize(
    "design, samples, expected", [("lhs", 40, 40), ("sobol", 32, 32 * (3 + 2)), ("morris", 10, 10 * (3 + 1))]
)
def test_sampled_designs_have_size_and_bounds(design, samples, expected):
    spec = spec_of(design, RANGES, samples=samples)
    pts = design_points(spec, seed=3)
    assert len(pts) == expected
    assert list(pts["point"]) == list(range(expected))
    for name, r in RANGES.items():
        x = pts[name].to_numpy()
        assert x.min() >= r["low"] and x.max() <= r["high"], name
    ints = pts["policing.known_residents_per_officer"]
    assert pd.api.types.is_integer_dtype(ints)
    assert set(ints) == {10, 11, 12, 13}  # every whole number in range is reached
    floats = pts["trust.negative_contact_effect"]
    assert pd.api.types.is_float_dtype(floats) and floats.nunique() > 3
    if design == "lhs":  # one value per stratum
        u = (floats - 0.05) / 0.15
        assert sorted(np.floor(u * samples).astype(int)) == list(range(samples))
    if design == "morris":  # four levels, both ends reached
        u = np.round((pts["reporting.trust_coef"] - 0.5) / 1.0, 9)
        assert set(u) == {0.0, round(1 / 3, 9), round(2 / 3, 9), 1.0}


def test_grid_design_and_run_table():
    spec = spec_of(
        "grid",
        {
            "policy.name": ["reactive", "door_to_door"],
            "policing.known_residents_per_officer": {"low": 10, "high": 12, "integer": True},
            "trust.negative_contact_effect": {"low": 0.1, "high": 0.3, "levels": 3},
        },
        replicates=3,
        seed=9,
    )
    pts = design_points(spec, seed=9)
    assert len(pts) == 2 * 3 * 3
    assert set(pts["policing.known_residents_per_officer"]) == {10, 11, 12}
    assert np.allclose(sorted(set(pts["trust.negative_contact_effect"])), [0.1, 0.2, 0.3])
    assert len(pts.drop(columns="point").drop_duplicates()) == 18  # all combinations, once
    table = design_table(spec, seed=9)
    assert len(table) == 18 * 3 and table["run_id"].is_unique
    assert list(table.columns[:2]) == ["run_id", "point"] and list(table.columns[-2:]) == ["replicate", "seed"]
    assert (table["seed"] == 9).all() and sorted(set(table["replicate"])) == [0, 1, 2]
    assert table.loc[(table["point"] == 4) & (table["replicate"] == 2), "run_id"].item() == "p0004_r02"


def test_design_is_reproducible_from_the_seed():
    spec = spec_of("lhs", RANGES, samples=20)
    pd.testing.assert_frame_equal(design_points(spec, 3), design_points(spec, 3))
    assert not design_points(spec, 3).equals(design_points(spec, 4))


# --------------------------------------------------------------------------- running
def test_sweep_folder_and_seed_contract(tmp_path, capsys):
    path = write(tmp_path, GRID.format(outputs="summary"))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "12 run now, 0 already finished, 0 failed" in capsys.readouterr().out
    for name in ("sweep.toml", "config.toml", "metadata.json", "design.parquet", "failures.jsonl"):
        assert (out / name).exists(), name
    assert (out / "sweep.toml").read_text() == path.read_text()
    design = pd.read_parquet(out / "design.parquet")
    assert list(design.columns) == [
        "run_id",
        "point",
        "trust.social_rate_per_day",
        "coproduction.participation_trust_coef",
        "replicate",
        "seed",
    ]
    files = run_files(out)
    assert sorted(files) == sorted(design["run_id"]) and not list((out / "runs").glob("*/"))
    for run_id, df in files.items():
        assert (df["run_id"] == run_id).all()
        assert {"all", "year_1"} <= set(df["period"])
    # run (point i, replicate r) runs on replicate_seed(S, r) at that point's values
    row = design[design["run_id"] == "p0003_r01"].iloc[0]
    config = with_overrides(
        load_config(tmp_path / "tiny.toml"),
        {n: row[n] for n in ("trust.social_rate_per_day", "coproduction.participation_trust_coef")},
    )
    model = CoProductionModel(config, rng=replicate_seed(5, 1))
    model.run(30)
    ts = model.timeseries()
    ts["replicate"] = 1
    expected = period_values(ts).query("period == 'all' and group.isna()").set_index("metric")["value"]
    got = files["p0003_r01"].query("period == 'all' and group.isna()").set_index("metric")["value"]
    for metric in ("crimes", "crimes_reported", "mean_trust", "trust_gap", "participation_rate", "police_contacts"):
        assert got[metric] == pytest.approx(expected[metric], rel=0, abs=0), metric


def test_non_empty_folder_refused(tmp_path, capsys):
    path = write(tmp_path, GRID.format(outputs="summary"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    assert "not empty" in capsys.readouterr().err and not (out / "runs").exists()
    assert main(["sweep", str(path), "--out", str(out), "--force", "--resume", "--quiet"]) == 2
    assert "exclude each other" in capsys.readouterr().err
    # --force starts over: the previous sweep's files go, other files stay
    assert main(["sweep", str(path), "--out", str(out), "--force", "--workers", "1", "--quiet"]) == 0
    (out / "runs" / "p9999_r00.parquet").write_bytes(b"stale")
    assert main(["sweep", str(path), "--out", str(out), "--force", "--workers", "1", "--quiet"]) == 0
    assert not (out / "runs" / "p9999_r00.parquet").exists() and len(run_files(out)) == 12
    assert (out / "notes.txt").read_text() == "mine"
    # a runs/ folder that is not a sweep's is never deleted
    other = tmp_path / "other"
    (other / "runs").mkdir(parents=True)
    (other / "runs" / "keep.parquet").write_bytes(b"x")
    assert main(["sweep", str(path), "--out", str(other), "--force", "--quiet"]) == 2
    assert "not from a sweep" in capsys.readouterr().err and (other / "runs" / "keep.parquet").exists()


def test_resume_after_kill_completes_without_duplicates(tmp_path):
    sweep = grid_sweep(tmp_path)
    out = tmp_path / "out"
    first = run_sweep(sweep, out, workers=1, progress=False)
    assert first.done == 12 and first.failed == 0
    before = run_files(out)
    # a kill: some runs never finished, one left a temporary file behind
    lost = ["p0000_r00", "p0004_r01", "p0005_r00"]
    for run_id in lost:
        (out / "runs" / f"{run_id}.parquet").unlink()
    (out / "runs" / "p0000_r00.parquet.tmp").write_bytes(b"half a file")
    second = run_sweep(sweep, out, workers=1, resume=True, progress=False)
    assert (second.already, second.done, second.failed) == (9, 3, 0)
    after = run_files(out)
    assert sorted(after) == sorted(before) and not list((out / "runs").glob("*.tmp"))
    for run_id in lost:
        pd.testing.assert_frame_equal(after[run_id], before[run_id])
    # a finished sweep resumes to nothing
    assert run_sweep(sweep, out, workers=1, resume=True, progress=False).done == 0


class Interrupt:
    """A run function that 'kills' the sweep (Ctrl-C) at its n-th run."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self, task):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        return executors.simulate(task)


def test_resume_after_interrupt(tmp_path):
    sweep = grid_sweep(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, workers=1, progress=False, run_fn=Interrupt(5))
    assert len(run_files(out)) == 4
    report = run_sweep(sweep, out, workers=1, resume=True, progress=False)
    assert (report.already, report.done) == (4, 8)
    assert sorted(run_files(out)) == sorted(pd.read_parquet(out / "design.parquet")["run_id"])


def test_resume_refuses_a_different_sweep(tmp_path):
    sweep = grid_sweep(tmp_path)
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1, progress=False)
    other = resolve_sweep(sweep.spec, days=20)
    with pytest.raises(SweepError, match="different sweep.*days"):
        run_sweep(other, out, workers=1, resume=True, progress=False)


def test_failing_runs_are_recorded_and_the_rest_finish(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, GRID.format(outputs="summary"))
    out = tmp_path / "out"
    real = executors.simulate

    def flaky(task):
        if task.params["trust.social_rate_per_day"] == 0.05 and task.replicate == 1:
            raise RuntimeError("injected failure")
        return real(task)

    monkeypatch.setattr(executors, "simulate", flaky)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "10 run now, 0 already finished, 2 failed" in printed and "injected failure" in printed
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert sorted(f["run_id"] for f in failures) == ["p0004_r01", "p0005_r01"]
    assert all(
        f["parameters"]["trust.social_rate_per_day"] == 0.05 and "RuntimeError: injected failure" in f["error"]
        for f in failures
    )
    assert len(run_files(out)) == 10 and not (out / "runs" / "p0004_r01.parquet").exists()
    # fixed: --resume retries exactly the failed runs
    monkeypatch.setattr(executors, "simulate", real)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--resume", "--quiet"]) == 0
    assert "2 run now, 10 already finished, 0 failed" in capsys.readouterr().out
    assert len(run_files(out)) == 12 and (out / "failures.jsonl").read_text() == ""


def test_same_numbers_on_one_or_two_workers_and_dask(tmp_path):
    from distributed import LocalCluster

    sweep = grid_sweep(tmp_path)
    outs = {"w1": tmp_path / "w1", "w2": tmp_path / "w2", "dask": tmp_path / "dask"}
    run_sweep(sweep, outs["w1"], workers=1, progress=False)
    assert run_sweep(sweep, outs["w2"], workers=2, progress=False).done == 12
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        report = run_sweep(sweep, outs["dask"], engine="dask", scheduler=cluster.scheduler_address, progress=False)
    assert report.done == 12 and report.engine.startswith("dask")
    ref = run_files(outs["w1"])
    assert len(ref) == 12
    for name in ("w2", "dask"):
        other = run_files(outs[name])
        assert sorted(other) == sorted(ref)
        for run_id in ref:
            pd.testing.assert_frame_equal(other[run_id], ref[run_id], check_exact=True)
    # different parameter values do give different numbers (the comparison can fail)
    assert not ref["p0000_r00"]["value"].equals(ref["p0004_r00"]["value"])
    assert not ref["p0000_r00"]["value"].equals(ref["p0000_r01"]["value"])


# --------------------------------------------------------------------------- analysis
ISHIGAMI = """
[sweep]
config = "tiny.toml"
design = "{design}"
samples = {samples}
seed = 7
[parameters]
"trust.vicarious_fraction" = {{low = 0.0, high = 1.0}}
"reporting.alternatives_share" = {{low = 0.0, high = 1.0}}
"policing.known_contact_share" = {{low = 0.0, high = 1.0}}
"""
NAMES = ["trust.vicarious_fraction", "reporting.alternatives_share", "policing.known_contact_share"]


def _summary(y: float) -> pd.DataFrame:
    return pd.DataFrame({"period": ["all"], "metric": ["crimes"], "group": [None], "value": [y]})


def ishigami(task):
    x = [-np.pi + 2 * np.pi * task.params[n] for n in NAMES]
    return _summary(np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0]))


def linear(task):
    return _summary(3 * task.params[NAMES[0]] + 1 * task.params[NAMES[1]])


def test_sobol_on_ishigami_gives_the_known_order(tmp_path):
    sweep = resolve_sweep(read_spec(write(tmp_path, ISHIGAMI.format(design="sobol", samples=256))))
    out = tmp_path / "out"
    assert run_sweep(sweep, out, workers=1, progress=False, run_fn=ishigami).done == 256 * 5
    report = analyze(out)
    idx = (
        report.indices.query("outcome == 'crimes'").pivot(index="parameter", columns="index", values="value").loc[NAMES]
    )
    s1, st = idx["S1"].to_numpy(), idx["ST"].to_numpy()
    assert s1[1] > s1[0] > s1[2]  # analytic S1: 0.31, 0.44, 0
    assert min(st[0], st[1]) > st[2]  # analytic ST: 0.56, 0.44, 0.24
    assert st[2] - s1[2] > 0.15  # x3 acts only through its interaction with x1
    assert np.allclose(s1, [0.314, 0.442, 0.0], atol=0.1) and np.allclose(st, [0.558, 0.442, 0.244], atol=0.1)
    conf = report.indices.query("outcome == 'crimes' and index == 'S1'")
    assert ((conf["conf_low"] < conf["value"]) & (conf["value"] < conf["conf_high"])).all()
    assert (out / "analysis" / "figures" / "indices.png").stat().st_size > 5000
    assert any("mean_trust" in n for n in report.notes)  # outcomes the run function did not produce


def test_morris_on_a_linear_function(tmp_path):
    sweep = resolve_sweep(read_spec(write(tmp_path, ISHIGAMI.format(design="morris", samples=10))))
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1, progress=False, run_fn=linear)
    mu = analyze(out, figures=False).indices.query("index == 'mu_star'").set_index("parameter")["value"]
    assert (
        mu[NAMES[0]] == pytest.approx(3.0) and mu[NAMES[1]] == pytest.approx(1.0) and mu[NAMES[2]] == pytest.approx(0.0)
    )


def test_analyze_grid_summary_and_daily_agree(tmp_path, capsys):
    for outputs in ("summary", "daily"):
        sub = tmp_path / outputs
        sub.mkdir()
        path = write(sub, GRID.format(outputs=outputs))
        assert main(["sweep", str(path), "--out", str(sub / "out"), "--workers", "1", "--quiet"]) == 0
        assert main(["analyze", str(sub / "out")]) == 0
    assert "mean_trust:" in capsys.readouterr().out
    daily = pd.read_parquet(tmp_path / "daily" / "out" / "runs" / "p0001_r00.parquet")
    assert (daily["run_id"] == "p0001_r00").all() and list(daily["day"]) == list(range(30))
    a = pd.read_parquet(tmp_path / "summary" / "out" / "analysis" / "results.parquet")
    b = pd.read_parquet(tmp_path / "daily" / "out" / "analysis" / "results.parquet")
    assert len(a) == len(b) > 12 and {
        "run_id",
        "point",
        "coproduction.participation_trust_coef",
        "replicate",
        "seed",
        "period",
        "metric",
        "group",
        "value",
    } <= set(a.columns)
    key = ["run_id", "period", "metric", "group"]
    m = a.merge(b, on=key, suffixes=("_s", "_d"))
    assert len(m) == len(a) and np.allclose(m["value_s"], m["value_d"], equal_nan=True)
    figures = tmp_path / "summary" / "out" / "analysis" / "figures"
    for name in (
        "heatmap.png",
        "indices.png",
        "main_effect_trust.social_rate_per_day.png",
        "main_effect_coproduction.participation_trust_coef.png",
    ):
        assert (figures / name).stat().st_size > 5000, name
    eta = (
        pd.read_parquet(tmp_path / "summary" / "out" / "analysis" / "indices.parquet")
        .query("outcome == 'mean_trust'")
        .set_index("parameter")["value"]
    )
    assert eta["trust.social_rate_per_day"] > eta["coproduction.participation_trust_coef"]


# --------------------------------------------------------------------------- errors
BAD = [
    (
        '[sweep]\ndesign = "factorial"\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.design = 'factorial'", "grid, lhs, sobol, morris"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsample = 10\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.sample: unknown key", "samples"],
    ),
    (
        '[sweep]\ndesign = "lhs"\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.samples: required"],
    ),
    (
        '[sweep]\ndesign = "sobol"\nsamples = 100\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.samples = 100", "power of 2", "64 or 128"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 10\noutputs = "all"\n[parameters]\n'
        '"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.outputs = 'all'", "summary, daily"],
    ),
    (
        '[sweep]\ndesign = "sobol"\nsamples = 8\n[parameters]\n"crime.presence_elasticity" = [0.1, 0.5]',
        ['parameters."crime.presence_elasticity" = [0.1, 0.5]', "grid' only"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"crime.presence_elasticity" = {low = 0.5, high = 0.1}',
        ['parameters."crime.presence_elasticity"', "low = 0.5 must be below high = 0.1"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, hi = 0.5}',
        ['parameters."crime.presence_elasticity".hi: unknown key', "low, high, integer"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n'
        '"policing.known_residents_per_officer" = {low = 1.5, high = 9, integer = true}',
        ["low = 1.5: not a whole number"],
    ),
    (
        '[sweep]\ndesign = "grid"\n[parameters]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["a grid needs a list of values, levels = n"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"crime.no_such_rate" = {low = 0.1, high = 0.5}',
        ['parameters."crime.no_such_rate"', "unknown parameter", "presence_elasticity"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"trust.negative_contact_effect" = {low = 0.5, high = 1.5}',
        ['parameters."trust.negative_contact_effect"', "1.5", "allowed: 0 <= value <= 1"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"population.residents" = {low = 500, high = 900}',
        ['parameters."population.residents"', "add integer = true"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameters]\n"policy.name" = {low = 0, high = 1}',
        ['parameters."policy.name"', "policy.name = 0"],
    ),
    (
        '[sweep]\nconfig = "missing.toml"\ndesign = "lhs"\nsamples = 8\n[parameters]\n'
        '"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["sweep.config = 'missing.toml'", "relative to the sweep file"],
    ),
    (
        '[sweep]\ndesign = "lhs"\nsamples = 8\n[parameter]\n"crime.presence_elasticity" = {low = 0.1, high = 0.5}',
        ["parameter: unknown key", "parameters: required"],
    ),
]


@pytest.mark.parametrize("text, expected", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_sweep_files_give_clear_errors(tmp_path, capsys, text, expected):
    path = write(tmp_path, text, name="bad.toml")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("coprod-sim sweep:")
    for piece in expected:
        assert piece in err, (piece, err)
    assert not out.exists()  # nothing is created before the sweep is valid


def test_engine_flags_are_checked(tmp_path, capsys):
    path = write(tmp_path, GRID.format(outputs="summary"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--engine", "dask", "--quiet"]) == 2
    assert "--engine dask needs --scheduler" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "nothing")]) == 2
    assert "design.parquet missing" in capsys.readouterr().err
