"""Shared burn-in (shared_burn_in.py): policies of one replicate burn in once and run on
from copies, with exactly the numbers of separate runs; configurations that burn in
differently never share."""

import pandas as pd
import pytest
from pydantic import BaseModel

from coprod_sim.compare import policy_configs, run_comparison
from coprod_sim.config import load_config, with_overrides
from coprod_sim.model import CoProductionModel
from coprod_sim.runs import simulate
from coprod_sim.shared_burn_in import BURN_IN_POLICY_READS, burn_in_groups
from coprod_sim.streams import replicate_seed
from coprod_sim.sweeps.executors import RunTask, execute
from coprod_sim.sweeps.executors import simulate as sweep_simulate

# Small, with barriers (liaisons' offset is read), Resident views (Mesa agents in the copies),
# officer turnover (agents join and leave after the copy) and per-place outputs.
CITY = {
    "population.residents": 1200,
    "population.neighbourhoods": 4,
    "run.burn_in_days": 40,
    "barriers.neighbourhood": [0.0, 0.0, 0.6, 0.6],
    "policing.annual_turnover_rate": 0.9,
    "output.places": True,
}
POLICIES = ["reactive", "door_to_door", "hot_spots", "community_meetings", "procedural_justice_training", "liaison"]
DAYS = 60


def assert_same_run(a, b) -> None:
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(a.neighbourhoods, b.neighbourhoods, check_exact=True)
    pd.testing.assert_frame_equal(a.places, b.places, check_exact=True)
    assert a.extras == b.extras


@pytest.fixture
def burn_ins(monkeypatch) -> list[int]:
    """Counts the burn-ins run in this process."""
    count = [0]
    burn_in = CoProductionModel.burn_in

    def counted(model):
        count[0] += 1
        burn_in(model)

    monkeypatch.setattr(CoProductionModel, "burn_in", counted)
    return count


def test_compare_with_shared_burn_in_equals_separate_runs(burn_ins):
    configs = policy_configs(load_config(overrides=CITY), POLICIES, "reactive")
    assert burn_in_groups(list(configs.values())) == [list(range(len(POLICIES)))]
    results = run_comparison(configs, seed=3, replicates=2, days=DAYS, workers=1, progress=False)
    assert burn_ins[0] == 2  # one per replicate
    for name, cfg in configs.items():
        for r in range(2):
            assert_same_run(results[name][r], simulate(cfg, 3, r, DAYS))
    hours = [results[name][0].timeseries["hours_door_to_door"].sum() for name in ("reactive", "door_to_door")]
    assert hours[0] == 0 < hours[1]  # each copy ran its own policy


def test_configurations_that_burn_in_differently_do_not_share(burn_ins):
    base = load_config(overrides=CITY)
    configs = {
        "reactive": base,
        "door_to_door": with_overrides(base, {"policy.name": "door_to_door"}),
        "harsher_contacts": with_overrides(base, {"trust.negative_contact_effect": 0.2}),  # --configs of two cities
        "slower_fading": with_overrides(
            base,
            {"policy.name": "procedural_justice_training", "policy.procedural_justice_training.gain_decay_days": 50},
        ),
    }
    assert burn_in_groups(list(configs.values())) == [[0, 1], [2], [3]]
    results = run_comparison(configs, seed=4, replicates=2, days=DAYS, workers=1, progress=False)
    assert burn_ins[0] == 3 * 2
    for name, cfg in configs.items():
        for r in range(2):
            assert_same_run(results[name][r], simulate(cfg, 4, r, DAYS))


def test_fewer_replicates_than_workers_split_the_policies_over_workers():
    configs = policy_configs(load_config(overrides=CITY), POLICIES[:4], "reactive")
    results = run_comparison(configs, seed=6, replicates=1, days=20, workers=2, progress=False)
    for name, cfg in configs.items():
        assert_same_run(results[name][0], simulate(cfg, 6, 0, 20))


def test_sweep_task_with_policies_shares_the_burn_in_with_the_same_numbers(burn_ins):
    task = RunTask(
        "r0", 0, 1, 9, {"trust.negative_contact_effect": 0.15}, load_config(overrides=CITY), DAYS, "daily",
        policies=("reactive", "door_to_door", "hot_spots"),
    )  # fmt: skip
    shared = execute(task)
    assert shared.error is None and burn_ins[0] == 1
    separate = execute(task, run_fn=sweep_simulate)  # a run function: one run per policy, as before
    assert burn_ins[0] == 1 + 3
    pd.testing.assert_frame_equal(shared.table, separate.table, check_exact=True)


class Recorder:
    """Stands in for a config section and records the dotted paths read through it."""

    def __init__(self, section, path: str, read: set[str]):
        self._section, self._path, self._read = section, path, read

    def __getattr__(self, name):
        value = getattr(self._section, name)
        path = f"{self._path}.{name}".lstrip(".")
        if isinstance(value, BaseModel):
            return Recorder(value, path, self._read)
        self._read.add(path)
        return value


def test_burn_in_reads_only_the_declared_policy_keys():
    """The list shared_burn_in keys on must name every [policy] key the burn-in days read."""
    cfg = with_overrides(load_config(overrides=CITY), {"policy.name": "procedural_justice_training"})
    model = CoProductionModel(cfg, rng=replicate_seed(1, 0), burn_in=False)
    read: set[str] = set()
    model.policy_config = Recorder(cfg.policy, "", read)
    config_read: set[str] = set()
    model.config = Recorder(cfg, "", config_read)  # the policy section read through the config counts too
    model.burn_in()
    read |= {p.removeprefix("policy.") for p in config_read if p.startswith("policy.")}
    assert read and read <= set(BURN_IN_POLICY_READS), sorted(read - set(BURN_IN_POLICY_READS))
