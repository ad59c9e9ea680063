"""City profiles: validation (one clear line per bad value) and the sample scale."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from coprod_sim.cities.profile import Profile, city_config, load_profile
from coprod_sim.config import ConfigError
from coprod_sim.model import CoProductionModel

TINY = Path(__file__).parent / "data" / "tiny_city.toml"


def _data() -> dict:
    return tomllib.loads(TINY.read_text())


def _error(tmp_path, data) -> str:
    path = tmp_path / "profile.toml"
    path.write_text(tomli_w.dumps(data))
    with pytest.raises(ConfigError) as e:
        load_profile(path)
    return str(e.value)


def test_tiny_profile_is_valid():
    assert isinstance(load_profile(TINY), Profile)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d.update(neighbourhoods=[]), "neighbourhoods"),
        (lambda d: d.pop("neighbourhoods"), "neighbourhoods: missing"),
        (lambda d: d["neighbourhoods"][0]["groups"].update(majority=0.5), "shares sum to 0.700"),
        (lambda d: d["neighbourhoods"][1]["recorded_crime"].update(violent=-3), "recorded_crime.violent = -3"),
        (lambda d: d["groups"]["minority"].update(confidence=1.2), "groups.minority.confidence = 1.2"),
        (lambda d: d["neighbourhoods"][0]["recorded_crime"].update(property=9000), "more than 1 per resident"),
        (lambda d: d["neighbourhoods"][0].update(groups={"majority": 1.0}), "exactly the groups majority, minority"),
        (lambda d: d["calls"].update(per_year=-1), "calls.per_year = -1"),
        (lambda d: d["neighbourhoods"][0].update(adjacent=["Nowhere"]), "'Nowhere' is not another"),
        (lambda d: d["city"].update(colour="blue"), "city.colour: unknown field"),
        (lambda d: d.update(neighbourhoods=[]), "neighbourhoods: none given"),
        (lambda d: d["neighbourhoods"][0].pop("residents"), "neighbourhoods.0.residents: missing"),
        (lambda d: d["neighbourhoods"][0]["groups"].update(majority=1.2), "neighbourhoods.0 (North): groups.majority"),
        (lambda d: d["neighbourhoods"][1].update(residents=-3), "neighbourhoods.1.residents = -3"),
        (lambda d: d["police"].update(officers=-3), "police.officers = -3"),
        (lambda d: d["neighbourhoods"][0].update(confidence=1.2), "neighbourhoods.0.confidence = 1.2"),
        (lambda d: d.update(reporting={"violent": 1.4}), "reporting.violent = 1.4"),
        (lambda d: d["neighbourhoods"][0]["recorded_crime"].update(violent=7000), "North): recorded_crime: 7120"),
        (lambda d: d["neighbourhoods"][0]["recorded_crime"].update(burglary=7), "burglary: unknown crime type"),
        (lambda d: d["police"].update(officers=20_000), "police.officers = 20000: 2e+03 per 1,000"),
        (lambda d: d["calls"].update(per_year=1e9), "calls.per_year = 1e+09"),
        (lambda d: d["neighbourhoods"][1].update(name="North"), "names given more than once: North"),
    ],
)
def test_bad_profiles_get_one_clear_line(tmp_path, change, expected):
    data = _data()
    change(data)
    message = _error(tmp_path, data)
    assert expected in message
    problems = message.splitlines()[1:]
    assert len(problems) == 1, message


def test_two_problems_two_lines(tmp_path):
    data = _data()
    data["calls"]["per_year"] = -1
    data["groups"]["majority"]["confidence"] = 2.0
    assert len(_error(tmp_path, data).splitlines()) == 3


def test_sample_scale_keeps_rates_per_resident():
    profile = load_profile(TINY)
    config = city_config(profile)
    n = profile.sample.residents
    assert profile.residents == 10_000
    assert profile.scale == pytest.approx(n / 10_000)
    assert config.population.residents == n
    # officers per 1,000 residents are kept: 22 officers for 10,000 residents
    assert config.population.officers_per_1000 == pytest.approx(2.2)
    assert config.policing.on_duty_fraction == pytest.approx(0.2)
    assert config.population.neighbourhood_names == ["North", "South"]
    model = CoProductionModel(config, rng=0)
    # neighbourhood sizes and group mixes follow the profile (6,000 : 4,000; 80/20 and 50/50)
    assert model.pop.nb_size.tolist() == [0.6 * n, 0.4 * n]
    assert model.pop.block_size.tolist() == [[0.48 * n, 0.12 * n], [0.2 * n, 0.2 * n]]
    # city group shares are residents-weighted
    shares = profile.group_shares()
    assert shares["minority"] == pytest.approx((6000 * 0.2 + 4000 * 0.5) / 10_000)


def test_default_population_unchanged_without_profile_fields():
    from coprod_sim.config import load_config

    model = CoProductionModel(load_config(None, {"population.residents": 1000}), rng=0)
    assert np.ptp(model.pop.nb_size) <= 1


def test_neighbourhood_lists_are_checked():
    from coprod_sim.config import load_config

    with pytest.raises(ConfigError, match="neighbourhood_residents: needs one entry per neighbourhood"):
        load_config(None, {"population.neighbourhoods": 3, "population.neighbourhood_residents": [1.0, 2.0]})


def test_example_city_profile_is_valid():
    for path in (Path(__file__).parents[1] / "configs" / "cities").glob("*/profile.toml"):
        city_config(load_profile(path))


def test_a_budget_too_small_for_generation_0_is_refused_before_anything_is_written(tmp_path):
    pytest.importorskip("pyabc")
    from coprod_sim.cities.calibrate import calibrate

    out = tmp_path / "city"
    too_small = "--budget 15: too small for 10 particles; generation 0 alone needs at least 20"
    with pytest.raises(ValueError, match=too_small):
        calibrate(TINY, out, budget=15, progress=False)
    with pytest.raises(ValueError, match="--budget 50: too small for 30 particles"):
        calibrate(TINY, out, budget=50, population=30, progress=False)
    assert not out.exists()
