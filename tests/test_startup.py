"""Start-up: the `coprod-sim` process imports with the garbage collector paused, and
library callers keep the collector as they had it."""

import gc
import importlib.metadata
import importlib.util
import json
import subprocess
import sys

import pytest

from coprod_sim import startup
from coprod_sim.cli import main
from coprod_sim.parallel import run_tasks


@pytest.fixture
def collector_restored():
    """Leave this test process's collector as it was (freeze counts, enabled)."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_collector_paused_restores_the_collector_and_freezes_what_is_alive(collector_restored):
    gc.unfreeze()
    gc.enable()
    with startup.collector_paused():
        assert not gc.isenabled()
        made_inside = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_inside)
    gc.unfreeze()
    gc.disable()
    with startup.collector_paused():
        pass
    assert not gc.isenabled()  # a caller's disabled collector stays disabled


def test_library_calls_of_the_command_line_leave_the_collector_alone(collector_restored, capsys):
    gc.unfreeze()
    assert main(["validate", "configs/baseline.toml"]) == 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_every_modules_list_names_importable_modules():
    names = {m for modules in startup.COMMAND_MODULES.values() for m in modules} | set(startup.WORKER_MODULES)
    for name in sorted(names):
        assert importlib.util.find_spec(name) is not None, name


def test_the_console_script_is_the_quick_start_and_runs(tmp_path):
    (script,) = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "coprod-sim"]
    assert script.value == "coprod_sim.__main__:main"
    code = (
        "import gc, sys; from coprod_sim.__main__ import main; sys.argv = ['coprod-sim'] + sys.argv[1:]; "
        "status = main(); print('FROZEN', gc.get_freeze_count(), file=sys.stderr); sys.exit(status)"
    )
    args = ["run", "--set", "population.residents=200", "--days", "3", "--quiet", "--out", str(tmp_path / "r")]
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    frozen = int(r.stderr.split("FROZEN")[1].split()[0])
    assert frozen > 100_000  # Mesa, pandas and matplotlib's objects, out of the collector's way
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["seed"] is not None


def _frozen_objects(_task) -> int:
    return gc.get_freeze_count()


def test_pool_workers_import_the_model_quietly():
    counts = run_tasks(_frozen_objects, range(2), workers=2, progress=False)
    assert min(counts) > 100_000  # each worker froze the model's imports
