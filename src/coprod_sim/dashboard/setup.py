"""A dashboard set-up as a config file and as a link (no Solara here).

A set-up is a `Config`: the scenario and sidebar values the model was built from, with
the class's mid-run actions written in as what they are, scenario entries on the day
they were made (`[[events]]` for an incident or a budget cut, `[[policy.schedule]]` for
a door-to-door campaign starting or stopping; see `actions`), and the seed in `[run]`.
So `coprod-sim run saved.toml` reproduces the dashboard's series, and opening the file
in the dashboard replays the actions on their days.

A link carries the set-up in its query string: `?setup=TOKEN`, the TOML of the
set-up's changes to the schema's defaults, compressed and URL-safe; `&b=TOKEN` adds an
A/B comparison's second set-up, `&lesson=NAME` a guided lesson (`lessons`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
import tomllib
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pandas as pd
import tomli_w

from ..config import Config, ConfigError, ScheduleEntry, load_config, section_type, set_path, with_overrides
from .session import DASHBOARD_DEFAULTS

SETUP, B_SETUP, LESSON = "setup", "b", "lesson"
MAX_TOKEN_CHARS = 8000  # far above any set-up the dashboard makes; a longer query is not a set-up of ours


def saved_config(model) -> Config:
    """The set-up of a dashboard model: its config, its mid-run actions as scenario
    entries on their days (before the scenario's own entries of that day, as they were
    applied), its seed, and the days run so far (the config's days before the first)."""
    cfg = model.config
    logged = list(getattr(model, "action_entries", []))
    events = [e.model_dump(mode="json") for e in logged if not isinstance(e, ScheduleEntry)]
    schedule = [e.model_dump(mode="json", exclude_unset=True) for e in logged if isinstance(e, ScheduleEntry)]
    return with_overrides(
        cfg,
        {
            "events": sorted(events + [e.model_dump(mode="json") for e in cfg.events], key=lambda e: e["day"]),
            "policy.schedule": sorted(
                schedule + [e.model_dump(mode="json", exclude_unset=True) for e in cfg.policy.schedule],
                key=lambda e: e["day"],
            ),
            "run.seed": int(model.seed),
            "run.days": int(model.day) if model.day > 0 else cfg.run.days,
        },
    )


def setup_toml(model) -> str:
    """The saved file's text: a header on how to use it, then the whole resolved config."""
    cfg = saved_config(model)
    head = (
        f"# A coprod_sim dashboard set-up, saved on day {model.day} (seed {cfg.run.seed}).\n"
        "# Mid-run actions are written in as [[events]] and [[policy.schedule]] entries on their days.\n"
        "# `coprod-sim run THIS.toml` reproduces the dashboard's series; `coprod-sim dashboard --config THIS.toml`\n"
        "# or the dashboard's Load button opens it again.\n\n"
    )
    return head + cfg.to_toml()


def changes(config: Config, defaults: Config | None = None) -> dict:
    """What `config` changes from `defaults` (the schema's), as a config file would say it:
    sections by key, and a changed table of named entries or list whole (a file's table
    replaces the default one whole)."""
    return _diff(type(config), config.to_dict(), (defaults or Config()).to_dict())


def _diff(model: type, new: dict, old: dict) -> dict:
    out = {}
    for key, value in new.items():
        field = model.model_fields.get(key)
        sub = section_type(field) if field is not None else None
        if sub is not None and isinstance(value, dict):
            inner = _diff(sub, value, old.get(key, {}))
            if inner:
                out[key] = inner
        elif old.get(key) != value:
            out[key] = value
    return out


def encode(config: Config) -> str:
    """A set-up as a URL-safe token: its changes to the defaults, as TOML, compressed. The
    dashboard's own defaults (city size, burn-in) are always written: a file that leaves
    them out gets the dashboard's, not the schema's."""
    data = changes(config)
    for dotted in DASHBOARD_DEFAULTS:
        value = config
        for part in dotted.split("."):
            value = getattr(value, part)
        set_path(data, dotted, value)
    text = tomli_w.dumps(data).encode()
    return base64.urlsafe_b64encode(zlib.compress(text, 9)).decode().rstrip("=")


def decode(token: str) -> str:
    """A token's TOML text (ConfigError: not a set-up token)."""
    if len(token) > MAX_TOKEN_CHARS:
        raise ConfigError(f"the link's set-up is {len(token)} characters long; a set-up has at most {MAX_TOKEN_CHARS}")
    try:
        return zlib.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))).decode()
    except (ValueError, zlib.error, UnicodeDecodeError):
        raise ConfigError("the link's set-up is damaged (copy the whole link)") from None


def store_config(config: Config) -> Path:
    return store(config.to_toml())


def store(text: str) -> Path:
    """Write a set-up's TOML to the dashboard's folder of opened set-ups and return its
    path (named by its content: opening the same set-up twice gives the same file), after
    checking that it is a valid config (ConfigError names what is wrong)."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not a TOML config file: {e}") from None
    folder = Path(tempfile.gettempdir()) / "coprod_sim_dashboard_setups"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"setup-{hashlib.sha256(text.encode()).hexdigest()[:12]}.toml"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)
    load_config(path)  # raises ConfigError with the config's own message
    return path


def query(config: Config, b_config: Config | None = None, lesson: str | None = None) -> str:
    """The query string of a link that opens this set-up (and A/B comparison, lesson)."""
    params = {SETUP: encode(config)}
    if b_config is not None:
        params[B_SETUP] = encode(b_config)
    if lesson:
        params[LESSON] = lesson
    return "?" + urlencode(params)


def parse_query(search: str) -> dict[str, str]:
    """The set-up parameters of a query string (without or with its leading '?')."""
    found = parse_qs(search.lstrip("?"))
    return {k: v[0] for k, v in found.items() if k in (SETUP, B_SETUP, LESSON) and v}


def daily_csv(ts: pd.DataFrame) -> bytes:
    return ts.to_csv(index=False).encode()


def daily_parquet(ts: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    ts.to_parquet(buf, index=False)
    return buf.getvalue()
