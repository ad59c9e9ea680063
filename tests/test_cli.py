import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from coprod_sim.cli import main

SMALL = [
    "--set",
    "population.residents=800",
    "--set",
    "population.neighbourhoods=4",
    "--set",
    "run.burn_in_days=10",
    "--days",
    "40",
    "--quiet",
]


def test_run_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "configs/baseline.toml",
                *SMALL,
                "--seed",
                "11",
                "--replicates",
                "2",
                "--workers",
                "1",
                "--out",
                str(out),
                "--csv",
            ]
        )
        == 0
    )
    for name in (
        "config.toml",
        "timeseries.parquet",
        "timeseries.csv",
        "neighbourhoods.parquet",
        "summary.json",
        "metadata.json",
        "figures/timeseries.png",
    ):
        assert (out / name).exists(), name
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(ts["replicate"]) == {0, 1} and (ts["seed"] == 11).all()
    assert ts.groupby("replicate")["day"].agg(["min", "max"]).values.tolist() == [[0, 39], [0, 39]]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 11 and meta["replicates"] == [0, 1] and len(meta["config_hash"]) == 16
    summary = json.loads((out / "summary.json").read_text())
    assert summary["periods"]["all"]["crimes"]["per_replicate"] == ts.groupby("replicate")["crimes"].sum().tolist()
    # the resolved config reproduces the run
    from coprod_sim.config import load_config

    assert load_config(out / "config.toml").run.seed == 11


def test_run_equals_replicate_zero_of_compare(tmp_path):
    run_out, cmp_out = tmp_path / "run", tmp_path / "cmp"
    assert main(["run", *SMALL, "--seed", "4", "--out", str(run_out)]) == 0
    assert (
        main(
            [
                "compare",
                *SMALL,
                "--seed",
                "4",
                "--replicates",
                "2",
                "--workers",
                "1",
                "--policies",
                "reactive,door_to_door",
                "--out",
                str(cmp_out),
            ]
        )
        == 0
    )
    a = pd.read_parquet(run_out / "timeseries.parquet")
    b = pd.read_parquet(cmp_out / "reactive" / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b[b["replicate"] == 0].reset_index(drop=True))
    table = pd.read_parquet(cmp_out / "comparison.parquet")
    assert list(table.columns) == [
        "policy",
        "metric",
        "period",
        "group",
        "neighbourhood",
        "baseline_mean",
        "policy_mean",
        "diff",
        "diff_low",
        "diff_high",
        "rel_diff",
        "share_better",
    ]
    assert table["share_better"].isna().all()  # null without --posterior
    assert set(table["policy"]) == {"door_to_door"}
    assert {"all", "year_1"} <= set(table["period"])
    assert (cmp_out / "figures" / "differences.png").exists()


def test_refuses_non_empty_folder_without_force(tmp_path, capsys):
    out = tmp_path / "x"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    assert main(["run", *SMALL, "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "precious"
    assert main(["run", *SMALL, "--out", str(out), "--force"]) == 0


def test_bad_config_is_one_clear_line(tmp_path, capsys):
    assert main(["run", "--set", "population.residents=abc", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "population.residents = 'abc'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing created before the config is valid


def test_validate_prints_resolved_toml(capsys):
    assert main(["validate", "configs/baseline.toml", "--set", "trust.vicarious_fraction=0.45"]) == 0
    assert "vicarious_fraction = 0.45" in capsys.readouterr().out


def test_console_script_help():
    r = subprocess.run([sys.executable, "-m", "coprod_sim.cli", "run", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--replicates" in r.stdout and "--set" in r.stdout


def test_short_run_without_some_crime_type_does_not_crash(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "--set",
                "population.residents=300",
                "--set",
                "population.neighbourhoods=2",
                "--set",
                "run.burn_in_days=0",
                "--days",
                "1",
                "--quiet",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    assert "reported" in capsys.readouterr().out


def test_compare_configs_uses_the_baseline_files_run_section(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(
        "[run]\ndays = 12\nburn_in_days = 5\nreplicates = 2\n[population]\nresidents = 600\nneighbourhoods = 3\n"
    )
    b.write_text('base = "a.toml"\n[policy]\nname = "door_to_door"\n')
    out = tmp_path / "cmp"
    assert main(["compare", "--configs", f"{a},{b}", "--csv", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    ts = pd.read_parquet(out / "b" / "timeseries.parquet")
    assert ts["day"].max() == 11 and set(ts["replicate"]) == {0, 1}
    assert (out / "comparison.csv").exists()
    assert main(["compare", "--configs", f"{a},{tmp_path / 'x' / 'a.toml'}", "--out", str(tmp_path / "c2")]) == 2


def test_compare_console_has_units_groups_gap_and_years():
    import pandas as pd

    from coprod_sim.cli import console_summary
    from coprod_sim.compare import COLUMNS

    rows = []
    for period in ("all", "year_1", "year_2"):
        rows += [
            ("d2d", "crimes", period, None, None, 200.0, 190.0, -10.0, -14.0, -6.0, -0.05),
            ("d2d", "mean_trust", period, None, None, 0.5, 0.51, 0.01, 0.008, 0.012, 0.02),
            ("d2d", "mean_trust", period, "minority", None, 0.4, 0.42, 0.02, 0.01, 0.03, 0.05),
            ("d2d", "trust_gap", period, None, None, 0.1, 0.09, -0.01, -0.02, 0.0, -0.1),
            ("d2d", "reporting_rate", period, None, None, 0.35, 0.36, 0.01, 0.0, 0.02, 0.03),
        ]
    text = console_summary(pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "share_better"]))
    # the report's rounding (report/numbers.py): plain numbers, a change and its interval alike
    assert "crime (all incidents): all -5.0% (-7.0% to -3.0%); year_1 -5.0%" in text and "year_2" in text
    assert "mean trust in police (minority): all +0.020 trust (+0.010 to +0.030)" in text
    assert "the trust gap between groups: all -0.010 trust (-0.020 to 0.000)" in text and "+1.0 pp" in text
    assert "e-0" not in text


def test_compare_help_prints_a_plain_percent_sign(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    assert "95% intervals" in text and "%%" not in text


def test_the_tool_says_how_to_cite_it():
    root = Path(__file__).resolve().parents[1]
    cff = (root / "CITATION.cff").read_text()
    for key in ("cff-version:", "title:", "version:", "authors:", "license:"):
        assert key in cff, key
    assert "CITATION.cff" in (root / "README.md").read_text()
