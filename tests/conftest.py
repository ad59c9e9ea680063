import pytest

from coprod_sim.config import load_config

SMALL = {
    "population.residents": 1500,
    "population.neighbourhoods": 5,
    "run.burn_in_days": 20,
    "run.days": 60,
}


@pytest.fixture
def small_config():
    """A small city that runs in well under a second."""
    return load_config(overrides=SMALL)
