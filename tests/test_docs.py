"""docs/ODD.md agrees with the code: the generated parameter table is up to date,
every daily metric and every submodel, policy and event kind is documented, and
every default quoted in the prose equals the schema's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coprod_sim.config import EVENT_KINDS, Config, load_config
from coprod_sim.docs import BEGIN, END, render_into
from coprod_sim.model import CoProductionModel
from coprod_sim.policies import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
SUBMODELS = ROOT / "src" / "coprod_sim" / "submodels"


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def headings(odd) -> list[str]:
    return [line for line in odd.splitlines() if re.match(r"#{1,6}\s", line)]


def test_parameter_table_is_up_to_date(odd):
    assert odd.count(BEGIN) == 1 and odd.count(END) == 1, "the parameter-table markers must appear exactly once"
    assert odd == render_into(odd), "docs/ODD.md parameter table is stale: run `python -m coprod_sim.docs`"


def _documented_metric_names() -> list[str]:
    """The daily metric names of a small model, group names replaced by `<group>`."""
    config = load_config(overrides={"population.residents": 500, "population.neighbourhoods": 2, "run.burn_in_days": 0})
    model = CoProductionModel(config, rng=0)
    groups = model.pop.group_names
    assert groups, "the model has no groups"
    out = []
    for name in model.metric_names:
        for prefix in ("mean_trust_", "reporting_rate_", "victims_"):
            suffix = name.removeprefix(prefix)
            if name.startswith(prefix) and suffix in groups:
                name = f"{prefix}<group>"
                break
        if name not in out:
            out.append(name)
    return out


def test_every_daily_metric_is_documented(odd):
    names = _documented_metric_names()
    assert "hours_response" in names and "hours_patrol" in names  # the activity columns are in the list
    missing = [n for n in names if f"`{n}`" not in odd]
    assert not missing, f"daily metrics not documented (backticked) in docs/ODD.md: {missing}"


def test_every_submodel_module_has_a_heading(headings):
    modules = sorted(p.stem for p in SUBMODELS.glob("*.py") if not p.stem.startswith("_"))
    assert modules, "no submodel modules found"
    missing = [m for m in modules if not any(re.search(rf"\b{m}\b", h, re.IGNORECASE) for h in headings)]
    assert not missing, f"submodels without a heading in docs/ODD.md: {missing}"


def test_every_policy_and_event_kind_is_documented(odd):
    missing = [f"`{name}`" for name in [*REGISTRY, *EVENT_KINDS] if f"**`{name}`**" not in odd]
    assert not missing, f"policies or event kinds without a bold entry in docs/ODD.md: {missing}"


# "`crime.presence_elasticity` (default 0.3" or "`e_P = crime.presence_elasticity` (default 0.3"
QUOTED_DEFAULT = re.compile(r"`(?:[A-Za-z_]\w* = )?([a-z_]+(?:\.[a-z0-9_]+)+)`\s*[,(]?\s*default\s+(-?\d+(?:\.\d+)?)")


def _value_at(path: str):
    node = Config()
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def test_defaults_quoted_in_the_text_match_the_schema(odd):
    quoted = QUOTED_DEFAULT.findall(odd)
    assert len(quoted) >= 30, f"expected many quoted defaults, found {len(quoted)}"
    wrong = []
    for path, text in quoted:
        try:
            value = _value_at(path)
        except (AttributeError, KeyError) as e:
            wrong.append(f"{path}: not a parameter ({e})")
            continue
        if float(value) != pytest.approx(float(text), rel=1e-9, abs=1e-12):
            wrong.append(f"{path}: text says {text}, schema says {value}")
    assert not wrong, "docs/ODD.md quotes wrong defaults:\n  " + "\n  ".join(wrong)
