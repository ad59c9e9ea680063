"""Output folders that never lose data (issue 18), case by case: --force removes
only this tool's files; run-folder names stay inside --out; one writer at a time;
no orphan workers; --force never mixes old and new; --resume checks what it
finds; inputs that cannot mean what they say are refused; every environmental
failure is one line. Signal and concurrency cases run the command line in
subprocesses on small runs."""

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.output_folder import LOCK, MANIFEST, FolderLock, atomic_path, read_manifest, verify
from coprod_sim.sweeps import store

SMALL = [
    "--set",
    "population.residents=300",
    "--set",
    "population.neighbourhoods=3",
    "--set",
    "run.burn_in_days=5",
    "--days",
    "10",
    "--quiet",
]
TINY = "[population]\nresidents = 300\nneighbourhoods = 3\n[run]\nburn_in_days = 5\ndays = 10\n"
ROOT = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux")


def sweep_file(folder: Path, values: int = 4, days: int = 10, name: str = "sweep.toml", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.toml").write_text(TINY)
    levels = ", ".join(str(0.005 * (i + 1)) for i in range(values))
    path = folder / name
    head = f'[sweep]\nconfig = "tiny.toml"\ndesign = "grid"\nreplicates = 1\nseed = 3\ndays = {days}\n{extra}'
    path.write_text(f'{head}[parameters]\n"trust.social_rate_per_day" = [{levels}]\n')
    return path


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def run_files(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "runs").glob("*.parquet"))


# --------------------------------------------------------------------------- 1. --force removes only the tool's files
def test_sweep_force_refuses_a_folder_of_user_files(tmp_path, capsys):
    """The sweep file and its config in the folder itself, no sweep there: --force deletes nothing."""
    path = sweep_file(tmp_path)
    (tmp_path / "config.toml").write_text("# the user's own\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["sweep", str(path), "--out", str(tmp_path), "--force", "--quiet"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "config.toml" in line and "sweep.toml" in line and "not from a sweep" in line
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_force_keeps_files_it_did_not_write(tmp_path, capsys):
    path = sweep_file(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["analyze", str(out), "--no-figures"]) == 0
    (out / "analysis" / "notes.md").write_text("my notes")
    assert main(["sweep", str(path), "--out", str(out), "--force", "--workers", "1", "--quiet"]) == 0
    assert (out / "analysis" / "notes.md").read_text() == "my notes"
    assert not (out / "analysis" / "results.parquet").exists()  # the tool's own analysis went with the old sweep
    assert verify(out) == [] and read_manifest(out)["kind"] == "sweep"
    # a sweep --force over a run folder replaces the whole run: no timeseries left without its config
    run_out = tmp_path / "run"
    assert main(["run", *SMALL, "--out", str(run_out)]) == 0
    assert main(["sweep", str(path), "--out", str(run_out), "--force", "--workers", "1", "--quiet"]) == 0
    assert not (run_out / "timeseries.parquet").exists() and not (run_out / "figures").exists()
    assert verify(run_out) == []
    capsys.readouterr()


def test_force_refuses_root_and_home(capsys):
    for folder in ("/", str(Path.home())):
        assert main(["run", *SMALL, "--out", folder, "--force"]) == 2
        assert "will not replace files" in one_line(capsys.readouterr().err)
    assert not Path("/", LOCK).exists()


def test_force_on_a_folder_from_before_manifests(tmp_path, capsys):
    """Old folders are recognised by metadata.json; only the tool's own names go."""
    out = tmp_path / "old"
    assert main(["run", *SMALL, "--csv", "--out", str(out)]) == 0
    (out / MANIFEST).unlink()
    (out / "mine.txt").write_text("keep")
    assert main(["run", *SMALL, "--seed", "2", "--out", str(out), "--force"]) == 0
    assert (out / "mine.txt").read_text() == "keep" and not (out / "timeseries.csv").exists()
    assert json.loads((out / "metadata.json").read_text())["seed"] == 2 and verify(out) == []
    capsys.readouterr()


# --------------------------------------------------------------------------- 2. run-folder names stay inside --out
@pytest.mark.parametrize("stem", ["..", "figures", "comparison.parquet", "report.html", ".hidden"])
def test_compare_configs_names_cannot_leave_or_collide(tmp_path, capsys, stem):
    base = tmp_path / "a.toml"
    base.write_text(TINY)
    other = tmp_path / f"{stem}.toml"
    other.write_text('base = "a.toml"\n[policy]\nname = "door_to_door"\n')
    out = tmp_path / "sub" / "cmp"
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["compare", "--configs", f"{base},{other}", "--quiet", "--out", str(out)]) == 2
    assert "cannot name a run folder" in one_line(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, here or in --out


# --------------------------------------------------------------------------- 3. one writer at a time
def test_a_second_writer_is_refused_naming_the_first(tmp_path, capsys):
    path = sweep_file(tmp_path / "in")
    sweep_out = tmp_path / "sweep"
    assert main(["sweep", str(path), "--out", str(sweep_out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    for out, args in (
        (tmp_path / "run", ["run", *SMALL]),
        (tmp_path / "cmp", ["compare", *SMALL]),
        (sweep_out, ["sweep", str(path), "--resume", "--workers", "1", "--quiet"]),
        (sweep_out, ["sweep", str(path), "--force", "--workers", "1", "--quiet"]),
    ):
        out.mkdir(exist_ok=True)
        with FolderLock(out, "coprod-sim run --seed 1"):
            assert main([*args, "--out", str(out)]) == 2
            assert f"in use by another coprod-sim command (PID {os.getpid()}: coprod-sim run --seed 1)" in one_line(
                capsys.readouterr().err
            )
    with FolderLock(sweep_out, "coprod-sim sweep"):
        assert main(["analyze", str(sweep_out)]) == 2
        assert "in use" in one_line(capsys.readouterr().err)
    assert verify(sweep_out) == [] and not (tmp_path / "run" / LOCK).exists()


@pytest.mark.skipif(not LINUX, reason="process checks read /proc")
def test_two_sweeps_at_once_do_not_mix(tmp_path, capsys):
    path = sweep_file(tmp_path / "in", values=12, days=200)
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "coprod_sim.cli", "sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 120
        while not (out / LOCK).exists() or not (out / store.DESIGN).exists():
            assert time.time() < deadline and first.poll() is None, "the first sweep did not start"
            time.sleep(0.05)
        other = main(
            [
                "sweep",
                str(sweep_file(tmp_path / "other", values=12, days=200)),
                "--out",
                str(out),
                "--force",
                "--seed",
                "9",
                "--workers",
                "1",
                "--quiet",
            ]
        )
        other_err = capsys.readouterr().err
        resume = main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1", "--quiet"])
        resume_err = capsys.readouterr().err
    finally:
        stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    for status, err in ((other, other_err), (resume, resume_err)):
        assert status == 2 and f"PID {first.pid}" in one_line(err)
    assert len(run_files(out)) == 12 and verify(out) == []
    stamps = {pq_meta(p)[store.FINGERPRINT_KEY] for p in (out / "runs").glob("*.parquet")}
    assert len(stamps) == 1 and {pq_meta(p)[store.SEED_KEY] for p in (out / "runs").glob("*.parquet")} == {b"3"}


def pq_meta(path: Path) -> dict:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).metadata


# --------------------------------------------------------------------------- 4. no orphan workers
def descendants(pid: int) -> set[int]:
    parents = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with suppress(OSError, IndexError, ValueError):  # a process that just ended
                parents[int(p.name)] = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


ORPHAN_CASES = [
    ("sweep", signal.SIGTERM),
    ("sweep", signal.SIGKILL),
    pytest.param("compare", signal.SIGHUP, marks=pytest.mark.slow),
    pytest.param("run", signal.SIGINT, marks=pytest.mark.slow),
    pytest.param("sweep", signal.SIGHUP, marks=pytest.mark.slow),
    pytest.param("compare", signal.SIGKILL, marks=pytest.mark.slow),
]


@pytest.mark.skipif(not LINUX, reason="process checks read /proc")
@pytest.mark.parametrize(("command", "sig"), ORPHAN_CASES)
def test_workers_die_with_their_parent(tmp_path, command, sig):
    out = tmp_path / "out"
    long = [
        "--set",
        "population.residents=300",
        "--set",
        "population.neighbourhoods=3",
        "--set",
        "run.burn_in_days=5",
        "--days",
        "2000",
        "--quiet",
        "--workers",
        "2",
    ]
    args = {
        "sweep": ["sweep", str(sweep_file(tmp_path / "in", values=40, days=400)), "--workers", "2", "--quiet"],
        "compare": ["compare", *long, "--replicates", "2"],
        "run": ["run", *long, "--replicates", "4"],
    }[command]
    proc = subprocess.Popen(
        [sys.executable, "-m", "coprod_sim.cli", *args, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 120
        while True:  # wait until both workers are running tasks (a sweep: a first run file is written)
            kids = descendants(proc.pid)
            started = len(kids) >= 3 and (command != "sweep" or run_files(out))
            if started:
                break
            assert time.time() < deadline and proc.poll() is None, f"no workers: {proc.communicate()}"
            time.sleep(0.1)
        time.sleep(1.0)
        kids = descendants(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.time() + 15
        while any(alive(k) for k in kids) and time.time() < deadline:
            time.sleep(0.1)
        assert not [k for k in kids if alive(k)], "workers or the resource tracker outlived the command"
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr
    if sig != signal.SIGKILL:
        assert proc.returncode == 128 + sig
    assert not (out / MANIFEST).exists()  # an interrupted command leaves nothing that looks complete
    if command != "sweep":
        assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".coprod-sim.")]


# --------------------------------------------------------------------------- 5. --force never mixes old and new
def test_force_run_replaces_the_whole_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", *SMALL, "--seed", "1", "--csv", "--out", str(out)]) == 0
    assert (out / "figures" / "timeseries.png").exists() and (out / "timeseries.csv").exists()
    assert main(["run", *SMALL, "--seed", "2", "--set", "output.figures=false", "--out", str(out), "--force"]) == 0
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [
        "config.toml",
        MANIFEST,
        "metadata.json",
        "neighbourhoods.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    assert (pd.read_parquet(out / "timeseries.parquet")["seed"] == 2).all() and read_manifest(out)["seed"] == 2
    assert verify(out) == []
    capsys.readouterr()


def test_force_compare_drops_the_old_policy_folders(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", *SMALL, "--workers", "1", "--policies", "reactive,door_to_door", "--out", str(out)]) == 0
    (out / "door_to_door" / "notes.md").write_text("mine")
    assert (
        main(["compare", *SMALL, "--workers", "1", "--policies", "reactive,hot_spots", "--out", str(out), "--force"])
        == 0
    )
    assert sorted(p.name for p in (out / "door_to_door").iterdir()) == [
        "notes.md"
    ]  # the tool's files went, the user's stayed
    assert set(pd.read_parquet(out / "comparison.parquet")["policy"]) == {"hot_spots"} and verify(out) == []
    assert read_manifest(out)["config_hashes"].keys() == {"reactive", "hot_spots"}
    capsys.readouterr()


def test_a_failed_force_leaves_the_old_folder_as_it_was(tmp_path, capsys, monkeypatch):
    import coprod_sim.figures

    out = tmp_path / "run"
    assert main(["run", *SMALL, "--seed", "1", "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(coprod_sim.figures, "plot_run", disk_full)
    capsys.readouterr()
    assert main(["run", *SMALL, "--seed", "2", "--out", str(out), "--force"]) == 1
    line = one_line(capsys.readouterr().err)
    assert "no space left on device" in line and "left as it was" in line
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [] and verify(out) == []
    # a new folder: nothing is left behind, not even the folders made for it
    assert main(["run", *SMALL, "--out", str(tmp_path / "new" / "deep")]) == 1
    assert "no space left on device" in one_line(capsys.readouterr().err) and not (tmp_path / "new").exists()


# --------------------------------------------------------------------------- 6. --resume checks what it finds
def test_resume_reruns_damaged_and_foreign_run_files(tmp_path, capsys):
    path = sweep_file(tmp_path / "in", values=4)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    good = {p.name: pd.read_parquet(p) for p in (out / "runs").glob("*.parquet")}
    names = sorted(good)
    data = (out / "runs" / names[0]).read_bytes()
    (out / "runs" / names[0]).write_bytes(data[: len(data) // 2])  # cut short
    (out / "runs" / names[1]).write_bytes(b"")  # empty
    other = tmp_path / "other"  # the same run id from a sweep with another seed
    assert (
        main(
            [
                "sweep",
                str(sweep_file(tmp_path / "in2", values=4)),
                "--seed",
                "8",
                "--out",
                str(other),
                "--workers",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    shutil.copyfile(other / "runs" / names[2], out / "runs" / names[2])
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--resume", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "3 run file(s) were damaged or from another sweep" in printed and "3 run now, 1 already finished" in printed
    for name, frame in good.items():
        pd.testing.assert_frame_equal(pd.read_parquet(out / "runs" / name), frame)
    assert verify(out) == [] and main(["analyze", str(out), "--no-figures"]) == 0


def test_damaged_metadata_is_named(tmp_path, capsys):
    path = sweep_file(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    text = (out / "metadata.json").read_text()
    (out / "metadata.json").write_text(text[:10])
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 2
    assert f"{out / 'metadata.json'} is damaged" in one_line(capsys.readouterr().err)
    (out / MANIFEST).write_text("{")
    assert main(["run", *SMALL, "--out", str(out), "--force"]) == 2
    assert f"{out / MANIFEST} is damaged" in one_line(capsys.readouterr().err)


def test_atomic_writes_fsync_before_the_rename_and_keep_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "metadata.json"
    target.write_text("old")
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b)))
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    events.clear()
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and events == ["fsync", "rename", "fsync"]  # file, rename, folder


# --------------------------------------------------------------------------- 7. inputs that cannot mean what they say
@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ('"run.seed" = [1, 2]', "the sweep sets this itself"),
        ('"run.days" = [10, 20]', "the sweep sets this itself"),
        ('"run.replicates" = [1, 2]', "the sweep sets this itself"),
        ('"output.csv" = [true, false]', "output settings only change what is recorded"),
    ],
)
def test_sweep_refuses_parameters_it_overrides(tmp_path, capsys, parameter, expected):
    path = tmp_path / "s.toml"
    path.write_text(f'[sweep]\ndesign = "grid"\n[parameters]\n{parameter}\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    assert expected in capsys.readouterr().err and not (tmp_path / "o").exists()


RANGE = '"trust.social_rate_per_day" = {low = 0.0, high = 0.1}'
HUGE_GRID = "\n".join(
    f'"{n}" = {{low = 0.01, high = 0.1, levels = 1000}}'
    for n in (
        "trust.social_rate_per_day",
        "trust.negative_contact_effect",
        "trust.positive_contact_effect",
        "reporting.trust_coef",
    )
)


@pytest.mark.parametrize(
    ("sweep", "parameters", "flags", "expected"),
    [
        (
            'design = "grid"',
            HUGE_GRID,
            ["--yes"],
            "the design has 1,000,000,000,000 runs (1,000,000,000,000 points x 1 replicate(s)); at most 10,000,000",
        ),
        ('design = "lhs"\nsamples = 10000000\nreplicates = 100000', RANGE, ["--yes"], "at most 10,000,000"),
        ('design = "lhs"\nsamples = 200000', RANGE, [], "more than 100,000 needs --yes"),
        ('design = "sobol"\nsamples = 1', RANGE, [], "sobol needs a base N of at least 2"),
    ],
)
def test_sweep_refuses_designs_too_large_or_too_small(tmp_path, capsys, sweep, parameters, flags, expected):
    path = tmp_path / "s.toml"
    path.write_text(f"[sweep]\n{sweep}\n[parameters]\n{parameters}\n")
    t0 = time.perf_counter()
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), *flags]) == 2
    assert expected in capsys.readouterr().err and not (tmp_path / "o").exists()
    assert time.perf_counter() - t0 < 30  # refused before anything is built


# --------------------------------------------------------------------------- 8. one line for environmental failures
def test_dangling_symlink_and_file_as_out(tmp_path, capsys):
    link = tmp_path / "gone"
    link.symlink_to(tmp_path / "nowhere")
    assert main(["run", *SMALL, "--out", str(link)]) == 2
    assert "does not exist" in one_line(capsys.readouterr().err) and not (tmp_path / "nowhere").exists()
    (tmp_path / "file").write_text("x")
    assert main(["run", *SMALL, "--out", str(tmp_path / "file")]) == 2
    assert "is a file" in one_line(capsys.readouterr().err)


def test_symlinked_runs_folder_is_never_followed(tmp_path, capsys):
    path = sweep_file(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(out / "runs", elsewhere)
    (out / "runs").symlink_to(elsewhere)
    before = sorted(p.name for p in elsewhere.iterdir())
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--force", "--quiet"]) == 2
    assert "runs (a symbolic link)" in one_line(capsys.readouterr().err)
    assert sorted(p.name for p in elsewhere.iterdir()) == before and (out / "design.parquet").exists()


def test_a_directory_as_config_or_base_is_one_line(tmp_path, capsys):
    (tmp_path / "somedir").mkdir()
    (tmp_path / "b.toml").write_text('base = "somedir"\n')
    for config in (tmp_path / "somedir", tmp_path / "b.toml"):
        assert main(["run", str(config), *SMALL, "--out", str(tmp_path / "o")]) != 0
        assert "somedir" in one_line(capsys.readouterr().err) and not (tmp_path / "o").exists()


def test_disk_full_during_a_sweep_stops_with_one_line(tmp_path, capsys, monkeypatch):
    path = sweep_file(tmp_path / "in", values=6)
    out = tmp_path / "out"
    real = store.pq.write_table
    run_writes = []

    def fills_up(table, where, *args, **kw):
        if "/runs/" in str(where):
            run_writes.append(where)
            if len(run_writes) > 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, *args, **kw)

    monkeypatch.setattr(store.pq, "write_table", fills_up)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    line = one_line(capsys.readouterr().err)
    assert "no space left on device" in line and "2 finished run(s) are kept" in line and "--resume" in line
    assert len(run_files(out)) == 2 and not list((out / "runs").glob("*.tmp")) and not (out / MANIFEST).exists()
    monkeypatch.undo()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--resume", "--quiet"]) == 0
    assert len(run_files(out)) == 6 and verify(out) == []


def test_failure_log_on_a_full_disk_keeps_whole_lines(tmp_path, monkeypatch):
    out = tmp_path
    store.append_failure(out, "p0000_r00", {"a": 1}, "RuntimeError: first")
    real_write = os.write

    def half_then_full(fd, data):
        if len(data) > 10:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError):
        store.append_failure(out, "p0001_r00", {"a": 2}, "RuntimeError: second")
    monkeypatch.undo()
    lines = (out / store.FAILURES).read_text().splitlines()
    assert [json.loads(line)["run_id"] for line in lines] == ["p0000_r00"]


def unshare_available() -> bool:
    if not LINUX or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


def in_small_filesystem(
    tmp_path: Path, size: str, command: str, read_only: bool = False
) -> subprocess.CompletedProcess:
    """Run a shell command with tmp_path/fs mounted as a tmpfs of `size` (its own mount namespace)."""
    fs = tmp_path / "fs"
    fs.mkdir(exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    script = f"mount -t tmpfs -o {options} tmpfs {fs} && {command}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )


@pytest.mark.slow
@pytest.mark.skipif(not unshare_available(), reason="needs unshare (a private tmpfs)")
def test_read_only_parent_and_full_disk_for_real(tmp_path):
    py = f"{sys.executable} -m coprod_sim.cli"
    small = " ".join(SMALL)
    r = in_small_filesystem(tmp_path, "1m", f"{py} run {small} --out {tmp_path}/fs/out", read_only=True)
    assert r.returncode == 1 and "Read-only file system" in one_line(r.stderr)
    # a first run fits, a second one beside it does not: the --force fails and the first is kept whole
    out = tmp_path / "fs" / "out"
    check = (
        "from coprod_sim.output_folder import read_manifest as m, verify as v;"
        f" print('problems', v('{out}'), 'seed', m('{out}')['seed'])"
    )
    first = f"{py} run {small} --seed 1 --out {out} >/dev/null"
    second = f"{py} run {small} --seed 2 --days 400 --replicates 3 --out {out} --force"
    script = f'{first} && {second}; echo rc=$?; ls -a {out}; {sys.executable} -c "{check}"'
    r = in_small_filesystem(tmp_path, "600k", script)
    assert "rc=1" in r.stdout and "no space left on device" in one_line(r.stderr), (r.stdout, r.stderr)
    assert not [n for n in r.stdout.split() if n.startswith(".coprod-sim.")]
    assert "problems [] seed 1" in r.stdout


def test_piping_into_a_closed_reader_is_one_line(tmp_path):
    path = sweep_file(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    for args in (
        ["analyze", str(out), "--no-figures"],
        ["compare", *SMALL, "--workers", "1", "--out", str(tmp_path / "cmp")],
    ):
        proc = subprocess.Popen(
            [sys.executable, "-m", "coprod_sim.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        proc.stdout.close()  # like `| head` that has read all it wanted
        stderr = proc.stderr.read()
        proc.wait(timeout=300)
        assert proc.returncode == 1 and "standard output was closed" in one_line(stderr)
    assert verify(tmp_path / "cmp") == []  # the folder was complete before the printing


# --------------------------------------------------------------------------- dashboard
def test_dashboard_port_checks(monkeypatch, capsys):
    from coprod_sim.dashboard import server

    calls = []
    monkeypatch.setattr(server.os, "execve", lambda path, argv, env: calls.append(argv))
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port 70000: allowed 0-65535" in one_line(capsys.readouterr().err)
    assert main(["dashboard", "--port", "0"]) == 0
    port = int(calls[-1][calls[-1].index("--port") + 1])
    assert port > 0 and f"http://127.0.0.1:{port}/" in capsys.readouterr().out
    assert main(["dashboard", "--host", "192.0.2.1"]) == 2  # TEST-NET-1: no machine has it
    assert "not an address of this machine" in capsys.readouterr().err


def test_dashboard_port_is_free_right_after_a_stop():
    """A server that just stopped leaves its port in TIME_WAIT; a restart must not be refused."""
    from coprod_sim.dashboard import server

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = listener.accept()
    assert not server.port_free("127.0.0.1", port)
    conn.close()  # the server closes first: its side of the connection waits in TIME_WAIT
    listener.close()
    client.close()
    assert server.port_free("127.0.0.1", port)


# --------------------------------------------------------------------------- the rest of the command line (issue 11.8)
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare", "--policies", ""], "--policies ''"),
        (["compare", "--policies", "reactive,,door_to_door"], "no empty entries"),
        (["compare", "--policies", "door_to_door,door_to_door"], "door_to_door given more than once"),
        (["compare", "--policies", "door_to_dor"], "unknown policy 'door_to_dor'"),
        (["compare", "--policies", "reactive"], "at least one policy besides the baseline"),
        (["compare", "--baseline", "nobody"], "--baseline 'nobody'"),
        (["compare", "--configs", "a.toml"], "at least two files"),
        (["compare", "--configs", "a.toml,"], "no empty entries"),
        (["compare", "--configs", "x/a.toml,a.toml"], "a, a"),
        (["compare", "--configs", "a.toml,b.toml", "--policies", "reactive,door_to_door"], "drop --policies"),
        (["run", "--replicates", "0"], "run.replicates = 0"),
        (["run", "--days", "0"], "run.days = 0"),
        (["run", "--seed", "-1"], "run.seed = -1"),
        (["run", "--workers", "0"], "--workers 0"),
        (["run", "--set", "population.residents"], "expected KEY=VALUE"),
        (["sweep", "s.toml", "--workers", "0"], "--workers 0"),
    ],
)
def test_bad_command_lines_are_one_line_and_write_nothing(tmp_path, capsys, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    if args[0] == "sweep":
        sweep_file(tmp_path, name="s.toml")
    out = tmp_path / "o"
    status = main([args[0], *([] if args[0] == "sweep" else SMALL), *args[1:], "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and expected in err and "Traceback" not in err, err
    assert not out.exists()


def test_empty_out_is_refused(capsys):
    assert main(["run", *SMALL, "--out", ""]) == 2
    assert "--out is empty" in one_line(capsys.readouterr().err)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signal handlers: main thread")
def test_a_signal_during_the_final_renames_waits_for_them():
    from coprod_sim.parallel import signals_held

    done = []
    # Python's own Ctrl-C handler, whatever an earlier test in this worker left installed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the handler would run here
            done.append("renamed")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert done == ["renamed"]
