"""The documented example of writing a new policy works as the docs say."""

import importlib.util
from pathlib import Path

import pytest

from coprod_sim.config import ConfigError, load_config
from coprod_sim.model import CoProductionModel
from coprod_sim.policies import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def example():
    """Load the example (registers bike_patrol) and unregister it afterwards, so
    other tests in this process see only the built-in policies."""
    module = load_example()
    yield module
    REGISTRY.pop("bike_patrol", None)


def load_example():
    spec = importlib.util.spec_from_file_location("custom_policy_example", ROOT / "experiments" / "custom_policy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_custom_policy_registers_and_runs(example):
    cfg = load_config(
        overrides={
            "population.residents": 1000,
            "population.neighbourhoods": 4,
            "run.burn_in_days": 5,
            "policy.name": "bike_patrol",
        }
    )
    m = CoProductionModel(cfg, rng=0)
    m.run(20)
    ts = m.timeseries()
    assert (ts["hours_bike_patrol"] > 0).all()
    assert (ts["hours_bike_patrol"] + ts["hours_patrol"] + ts["hours_response"] <= m.officer_hours.sum() + 1e-6).all()
    mix = load_config(overrides={"policy.name": "mix", "policy.mix": {"reactive": 1, "bike_patrol": 1}})
    assert mix.policy.mix["bike_patrol"] == 1


def test_unknown_policy_still_rejected():
    try:
        load_config(overrides={"policy.name": "unicycle_patrol"})
    except ConfigError as e:
        assert "unknown policy 'unicycle_patrol'" in str(e)
    else:
        raise AssertionError("unknown policy accepted")
