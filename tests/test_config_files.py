"""Config files and overrides that cannot mean what they say: one clear line, nothing written."""

import ast
import os
from pathlib import Path

import pytest

from coprod_sim.cli import main
from coprod_sim.config import Config, ConfigError, load_config, with_overrides

CONFIG_PACKAGE = Path(__file__).resolve().parents[1] / "src" / "coprod_sim" / "config"


def cli_fails_with_one_line(capsys, argv: list[str], expected: str) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and expected in lines[0], err
    return lines[0]


# --------------------------------------------------------------------------- files
def test_a_directory_as_the_config_file(tmp_path, capsys):
    with pytest.raises(ConfigError, match=r"config file .* is a directory, not a TOML file"):
        load_config(tmp_path)
    cli_fails_with_one_line(capsys, ["validate", str(tmp_path)], "is a directory")


def test_a_directory_config_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    cli_fails_with_one_line(capsys, ["run", str(tmp_path), "--out", str(out)], "is a directory")
    assert not out.exists()


def test_a_binary_file_is_not_a_utf8_toml_text_file(tmp_path, capsys):
    f = tmp_path / "photo.toml"
    f.write_bytes(b"\xec\x89\x00\x01PNG\xff")
    with pytest.raises(ConfigError, match=r"photo\.toml is not a UTF-8 TOML text file \(byte 0xec at offset 0\)"):
        load_config(f)
    cli_fails_with_one_line(capsys, ["validate", str(f)], "not a UTF-8 TOML text file")


def test_latin1_text_is_not_utf8(tmp_path):
    f = tmp_path / "latin1.toml"
    f.write_bytes("[population]\n# Montréal\nresidents = 5000\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.toml is not a UTF-8 TOML text file"):
        load_config(f)


def test_a_directory_as_base_names_the_file_that_refers_to_it(tmp_path, capsys):
    (tmp_path / "somedir").mkdir()
    f = tmp_path / "city.toml"
    f.write_text('base = "somedir"\n')
    with pytest.raises(ConfigError, match=r"base file .*somedir \(named as base in .*city\.toml\) is a directory"):
        load_config(f)
    cli_fails_with_one_line(capsys, ["validate", str(f)], "is a directory")


def test_a_missing_base_names_the_file_that_refers_to_it(tmp_path, capsys):
    f = tmp_path / "city.toml"
    f.write_text('base = "gone.toml"\n')
    with pytest.raises(ConfigError, match=r"base file not found: .*gone\.toml \(named as base in .*city\.toml\)"):
        load_config(f)
    cli_fails_with_one_line(capsys, ["validate", str(f)], "base file not found")


def test_a_base_that_is_not_a_file_name(tmp_path):
    f = tmp_path / "city.toml"
    f.write_text("base = 3\n")
    with pytest.raises(ConfigError, match=r"city\.toml: base must be the name of another config file, got 3"):
        load_config(f)


def test_an_unreadable_file(tmp_path, monkeypatch, capsys):
    f = tmp_path / "secret.toml"
    f.write_text("[population]\nresidents = 5000\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigError, match=r"secret\.toml cannot be read: permission denied"):
        load_config(f)
    cli_fails_with_one_line(capsys, ["validate", str(f)], "permission denied")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind (not root)")
def test_an_unreadable_file_for_real(tmp_path):
    f = tmp_path / "secret.toml"
    f.write_text("[population]\nresidents = 5000\n")
    f.chmod(0)
    try:
        with pytest.raises(ConfigError, match="cannot be read: permission denied"):
            load_config(f)
    finally:
        f.chmod(0o644)


# --------------------------------------------------------------------------- overrides into named tables
def test_a_misspelt_group_is_refused_not_created(capsys):
    expected = (
        "population.groups.majorty.share: population.groups has no entry 'majorty' (it has majority, minority); "
        "a new entry needs its full definition in a config file"
    )
    with pytest.raises(ConfigError) as e:
        load_config(overrides=["population.groups.majorty.share=0.1"])
    assert str(e.value) == expected
    with pytest.raises(ConfigError, match="has no entry 'majorty'"):
        with_overrides(Config(), {"population.groups.majorty.share": 0.1})
    line = cli_fails_with_one_line(capsys, ["validate", "--set", "population.groups.majorty.share=0.1"], "majorty")
    assert line.endswith(expected)


def test_a_new_group_given_whole_by_override_is_refused():
    with pytest.raises(ConfigError, match="a new entry needs its full definition in a config file"):
        load_config(overrides={"population.groups.newcomers": {"share": 0.1, "initial_trust_mean": 0.4}})


def test_existing_entries_and_whole_tables_can_be_overridden():
    c = load_config(overrides=["population.groups.majority.share=0.6"])
    assert c.population.groups["majority"].share == 0.6
    c = load_config(overrides={"population.groups": {"everyone": {"share": 1.0}}})
    assert list(c.population.groups) == ["everyone"]


def test_overrides_see_the_groups_a_file_defines(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text("[population.groups.everyone]\nshare = 1\ninitial_trust_mean = 0.4\n")
    changed = load_config(f, ["population.groups.everyone.initial_trust_mean=0.5"])
    assert changed.population.groups["everyone"].initial_trust_mean == 0.5
    with pytest.raises(ConfigError, match=r"population\.groups has no entry 'minority' \(it has everyone\)"):
        load_config(f, ["population.groups.minority.share=0.5"])


def test_tables_of_numbers_take_new_entries_given_as_numbers():
    c = load_config(overrides=["policy.name=mix", "policy.mix.reactive=1", "policy.mix.hot_spots=0.5"])
    assert c.policy.mix == {"reactive": 1, "hot_spots": 0.5}
    assert load_config(overrides=["barriers.group.minority=0.3"]).barriers.group == {"minority": 0.3}
    # a misspelt key is then caught by the table's own validation
    with pytest.raises(ConfigError, match="unknown policy 'hots_spots' in mix"):
        load_config(overrides=["policy.mix.hots_spots=0.5"])
    with pytest.raises(ConfigError, match="unknown group 'minorty'"):
        load_config(overrides=["barriers.group.minorty=0.3"])
    needs_number = r"policy\.mix has no entry 'hot_spots' \(it has none\); a new entry needs a number"
    with pytest.raises(ConfigError, match=needs_number):
        load_config(overrides=["policy.mix.hot_spots=lots"])


def test_file_contents_still_define_new_entries(tmp_path):
    f = tmp_path / "mix.toml"
    f.write_text('[policy]\nname = "mix"\n[policy.mix]\nfoot_patrol = 1\nliaison = 1\n')
    assert load_config(f).policy.mix == {"foot_patrol": 1, "liaison": 1}


# --------------------------------------------------------------------------- the package's place
def test_the_config_package_imports_nothing_else_from_coprod_sim():
    for path in sorted(CONFIG_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name}: imports from outside the config package"
                assert node.level == 1 or not (node.module or "").startswith("coprod_sim"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("coprod_sim") for a in node.names), path.name


def test_a_policy_registered_from_code_becomes_a_valid_name():
    from coprod_sim.policies import REGISTRY, Policy, register

    with pytest.raises(ConfigError, match="unknown policy 'tandem_patrol'"):
        load_config(overrides={"policy.name": "tandem_patrol"})

    class TandemPatrol(Policy):
        name = "tandem_patrol"
        activity = "tandem_patrol"

        def act(self, hours_by_beat):
            return hours_by_beat

    try:
        register(TandemPatrol)
        assert load_config(overrides={"policy.name": "tandem_patrol"}).policy.name == "tandem_patrol"
        mix = load_config(overrides={"policy.name": "mix", "policy.mix.tandem_patrol": 1})
        assert mix.policy.mix == {"tandem_patrol": 1}
    finally:
        REGISTRY.pop("tandem_patrol", None)
