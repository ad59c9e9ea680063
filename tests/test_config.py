import tomllib
from pathlib import Path

import pytest

from coprod_sim.config import Config, ConfigError, load_config, parse_value, set_path, with_overrides

ROOT = Path(__file__).resolve().parents[1]


def test_baseline_toml_is_the_schema_defaults():
    from_file = load_config(ROOT / "configs" / "baseline.toml")
    assert from_file == Config()
    # and it spells out every section and key, not only the changed ones
    raw = tomllib.loads((ROOT / "configs" / "baseline.toml").read_text())
    assert set(raw) == set(Config.model_fields)
    for section in Config.model_fields:
        if isinstance(raw[section], dict):
            assert set(raw[section]) >= {k for k in getattr(Config(), section).model_dump(exclude_none=True)}


def test_every_scenario_preset_loads():
    for path in sorted((ROOT / "configs").rglob("*.toml")):
        if "cities" not in path.relative_to(ROOT / "configs").parts:  # city profiles: tests/test_city_profile.py
            load_config(path)


def test_dotted_overrides_of_any_depth():
    c = load_config(
        overrides=[
            "population.groups.minority.initial_trust_mean=0.2",
            "policy.name=door_to_door",
            "trust.vicarious_fraction=0.4",
        ]
    )
    assert c.population.groups["minority"].initial_trust_mean == 0.2
    assert (
        c.population.groups["majority"].initial_trust_mean == Config().population.groups["majority"].initial_trust_mean
    )
    assert c.policy.name == "door_to_door"  # plain string fallback
    assert c.trust.vicarious_fraction == 0.4


def test_numeric_segments_address_array_entries(tmp_path):
    f = tmp_path / "ev.toml"
    f.write_text('[[events]]\nday = 10\nkind = "misconduct"\nsalience = 0.3\n')
    c = load_config(f, ["events.0.salience=0.5"])
    assert c.events[0].salience == 0.5 and c.events[0].day == 10
    with pytest.raises(ConfigError, match="index 3 out of range"):
        load_config(f, ["events.3.salience=0.5"])


def test_file_is_read_as_changes_and_base_chains(tmp_path):
    (tmp_path / "a.toml").write_text("[population]\nresidents = 2000\n")
    (tmp_path / "b.toml").write_text('base = "a.toml"\n[population]\nneighbourhoods = 4\n')
    c = load_config(tmp_path / "b.toml")
    assert c.population.residents == 2000 and c.population.neighbourhoods == 4
    assert c.population.officers_per_1000 == 2.2  # untouched default


def test_named_tables_are_replaced_whole(tmp_path):
    (tmp_path / "g.toml").write_text("[population.groups.everyone]\nshare = 1\ninitial_trust_mean = 0.4\n")
    c = load_config(tmp_path / "g.toml")
    assert list(c.population.groups) == ["everyone"]


@pytest.mark.parametrize(
    "override, expected",
    [
        ("population.residents=-5", r"population\.residents = -5: .*allowed: 20 <= value <= 20000000"),
        ("population.resdents=5", r"population\.resdents: unknown parameter; allowed here: residents"),
        ("trust.negative_contact_effect=abc", r"trust\.negative_contact_effect = 'abc'.*valid number"),
        ("population.groups.minority.initial_trust_mean=1.5", r"initial_trust_mean = 1\.5.*allowed: 0 <= value <= 1"),
        ("policy.name=nonsense", r"unknown policy 'nonsense'; allowed: reactive, door_to_door"),
        ("efficacy.initial=[0.1, 0.2]", r"one value per neighbourhood \(20\), got 2"),
        ("crimes.rate=1", r"crimes: unknown parameter; allowed here: run, population"),
    ],
)
def test_bad_values_name_the_key_value_and_what_is_allowed(override, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(overrides=[override])


def test_bad_files_get_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[population\nresidents = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")
    (tmp_path / "loop.toml").write_text('base = "loop.toml"\n')
    with pytest.raises(ConfigError, match="loops back"):
        load_config(tmp_path / "loop.toml")


def test_set_value_parsing():
    assert parse_value("3") == 3 and parse_value("0.5") == 0.5 and parse_value("true") is True
    assert parse_value("[1, 2]") == [1, 2] and parse_value("door_to_door") == "door_to_door"
    with pytest.raises(ConfigError, match="is a value, not a table"):
        set_path({"a": 1}, "a.b", 2)


def test_overrides_revalidate_and_config_hash_tracks_parameters():
    c = Config()
    c2 = with_overrides(c, {"run.seed": 7})
    assert c2.hash() == c.hash()  # run settings do not change the model
    c3 = with_overrides(c, {"trust.vicarious_fraction": 0.25})
    assert c3.hash() != c.hash()
    with pytest.raises(ConfigError):
        with_overrides(c, {"trust.vicarious_fraction": 2})


def test_partial_schedule_entries_survive_a_round_trip(tmp_path):
    """Writing and reading a config (config.toml, --seed, compare) keeps a schedule
    entry partial: keys it does not set keep the policy's values."""
    f = tmp_path / "s.toml"
    f.write_text(
        "[policy.door_to_door]\nhours_share = 0.6\nreach_probability = 0.9\n\n"
        "[[policy.schedule]]\nday = 5\n[policy.schedule.door_to_door]\nvisits_per_hour = 3.0\n"
    )
    c = load_config(f)
    written = tmp_path / "resolved.toml"
    written.write_text(with_overrides(c, {"run.days": 10}).to_toml())
    back = load_config(written)
    entry_applied = back.policy.at(back.policy.schedule[0]).door_to_door
    assert entry_applied.visits_per_hour == 3.0
    assert entry_applied.hours_share == 0.6 and entry_applied.reach_probability == 0.9
    assert back.hash() == c.hash()


def test_schedule_entries_are_validated_up_front():
    with pytest.raises(
        ConfigError, match=r"policy\.schedule\.0\.door_to_door\.neighbourhoods: 99 is not a neighbourhood"
    ):
        load_config(overrides={"policy.schedule": [{"day": 3, "door_to_door": {"neighbourhoods": [99]}}]})
    with pytest.raises(ConfigError, match=r"policy\.schedule\.0: policy\.name = 'mix' needs policy\.mix"):
        load_config(overrides={"policy.schedule": [{"day": 3, "name": "mix"}]})


def test_group_names_that_clash_with_metrics_are_refused():
    with pytest.raises(ConfigError, match="group name 'violent' is reserved"):
        load_config(overrides={"population.groups": {"violent": {"share": 1}}})


def test_schedule_errors_name_the_entry_by_its_position_in_the_file():
    entries = [{"day": 100, "name": "reactive"}, {"day": 10, "door_to_door": {"neighbourhoods": [99]}}]
    with pytest.raises(ConfigError, match=r"policy\.schedule\.1\.door_to_door\.neighbourhoods"):
        load_config(overrides={"policy.schedule": entries})


def test_removed_parameters_name_what_replaces_them():
    from coprod_sim.config.errors import REPLACED

    for path in REPLACED:
        with pytest.raises(ConfigError, match="this parameter was removed"):
            load_config(overrides={path: 1.0})
