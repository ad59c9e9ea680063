"""Loading a config: the schema's defaults, changed by a file (and its `base`), then by overrides.

Any config file is read as *changes* to the defaults: sections merge key by key,
named tables (groups, a policy mix) and arrays of tables replace whole. Overrides
(`--set`, sweeps, the dashboard) address parameters by dotted paths of any depth.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, format_validation_error
from .paths import named_table_entry_type, section_type
from .schema import Config


def load_config(path: str | Path | None = None, overrides: list[str] | dict | None = None) -> Config:
    """Load a config: the schema's defaults, changed by the file (if any), then by
    overrides (``["section.key=value", ...]`` or ``{"section.key": value}``)."""
    data = Config().to_dict()
    if path is not None:
        data = _merge(data, read_toml(path), Config)
    return _validated(data, overrides)


def with_overrides(config: Config, overrides: dict | list[str]) -> Config:
    """A copy of a validated config with dotted-path changes applied (and re-validated)."""
    return _validated(config.to_dict(), overrides)


def _validated(data: dict, overrides) -> Config:
    for key, value in _parse_overrides(overrides):
        _refuse_new_entry(data, key, value)
        set_path(data, key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e)) from None


def read_toml(path: str | Path) -> dict:
    """Read a config file, following `base = "other.toml"` (relative to the file)."""
    return _read_chain(Path(path), (), None)


def _read_chain(path: Path, seen: tuple[Path, ...], referrer: Path | None) -> dict:
    if path.exists() and path.resolve() in seen:
        raise ConfigError(f"config file {path}: 'base' chain loops back to itself")
    data = _parse_file(path, referrer)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str) or not base:
        raise ConfigError(f"config file {path}: base must be the name of another config file, got {base!r}")
    parent = _read_chain(path.parent / base, seen + (path.resolve(),), path)
    return _merge(parent, data, Config)


def _parse_file(path: Path, referrer: Path | None) -> dict:
    """A TOML file's contents, or one line saying why it cannot be read (naming the file that
    refers to it when it is a `base`)."""
    what = "config file" if referrer is None else "base file"
    named = "" if referrer is None else f" (named as base in {referrer})"
    if not path.exists():
        raise ConfigError(f"{what} not found: {path}{named}")
    if path.is_dir():
        raise ConfigError(f"{what} {path}{named} is a directory, not a TOML file")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise ConfigError(f"{what} {path}{named} cannot be read: permission denied") from None
    except OSError as e:
        raise ConfigError(f"{what} {path}{named} cannot be read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"{what} {path}{named} is not a UTF-8 TOML text file (byte {raw[e.start]:#04x} at offset {e.start})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{what} {path}{named} is not valid TOML: {e}") from None


def _merge(defaults: dict, changes: dict, model: type[BaseModel]) -> dict:
    """Apply `changes` onto `defaults`: sections merge key by key; named tables
    (dict fields such as groups or a policy mix) and arrays replace whole."""
    out = dict(defaults)
    for key, value in changes.items():
        field = model.model_fields.get(key)
        sub = section_type(field) if field is not None else None
        if sub is not None and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, sub)
        else:
            out[key] = value  # unknown keys pass through for pydantic to reject by name
    return out


def parse_value(text: str) -> Any:
    """A --set value: parsed as a TOML value, else kept as a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _parse_overrides(overrides) -> list[tuple[str, Any]]:
    if not overrides:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    out = []
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. --set population.residents=5000")
        key, _, text = item.partition("=")
        out.append((key.strip(), parse_value(text.strip())))
    return out


def _refuse_new_entry(data: dict, path: str, value: Any) -> None:
    """An override changes entries of a named table but does not invent them: a misspelt group
    would otherwise become a new group. A table of plain numbers (policy.mix, barriers.group)
    takes a new entry given as a number; its validation then checks the entry's name."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return  # set_path names what is wrong with the path
        entry_type = named_table_entry_type(parts[: i + 1])
        entry = parts[i + 1]
        if entry_type is None or not isinstance(node, dict) or entry in node:
            continue
        numbers = entry_type in (int, float)
        if numbers and i + 2 == len(parts) and isinstance(value, (int, float)) and not isinstance(value, bool):
            return
        table = ".".join(parts[: i + 1])
        needs = "a number" if numbers else "its full definition in a config file"
        raise ConfigError(
            f"{path}: {table} has no entry {entry!r} (it has {', '.join(node) or 'none'}); a new entry needs {needs}"
        )


def set_path(d: dict, path: str, value: Any) -> None:
    """Set a dotted path (numeric segments index arrays) inside nested dicts/lists."""
    parts = path.split(".")
    if not all(parts):
        raise ConfigError(f"bad parameter path {path!r}: empty segment")
    node: Any = d
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit():
                raise ConfigError(f"{where}: {'.'.join(parts[:i])} is an array; use a number 0..{len(node) - 1}")
            idx = int(part)
            if idx >= len(node):
                raise ConfigError(f"{where}: index {idx} out of range; {'.'.join(parts[:i])} has {len(node)} entries")
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if part not in node or node[part] is None:
                    node[part] = {}
                node = node[part]
        else:
            raise ConfigError(f"{where}: {'.'.join(parts[:i])} is a value, not a table")
