"""What a dotted parameter path points at in the schema: a section, a field, a named table.

Error messages, the baseline.toml writer and the ODD's parameter table all read
allowed keys and ranges from here, so they agree with the schema.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel

from .schema import Config


def section_type(field) -> type[BaseModel] | None:
    """The section class a field holds, or None if it holds a value."""
    ann = field.annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def walk(loc: list[str]) -> tuple[type[BaseModel] | None, Any]:
    """The schema class and field a config path points at (None where unknown)."""
    model: Any = Config
    field = None
    skip_name = False
    for part in loc:
        if skip_name or part.isdigit():
            skip_name = False
            continue
        if model is None or part not in model.model_fields:
            return None, None
        field = model.model_fields[part]
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif get_origin(ann) is dict:
            value_type = get_args(ann)[1]
            model = value_type if isinstance(value_type, type) and issubclass(value_type, BaseModel) else None
            skip_name = True  # the next segment is an entry's name, not a field
        else:
            model = None
    return model, field


def allowed_keys(loc: list[str]) -> list[str]:
    """The parameters a section at `loc` has (empty where `loc` is not a section)."""
    model, _ = walk(loc)
    return list(model.model_fields) if model is not None else []


def field_at(loc: list[str]):
    return walk(loc)[1]


def named_table_entry_type(loc: list[str]) -> Any:
    """The type of the entries if `loc` is a named table (population.groups, policy.mix, ...), else None."""
    if not loc or loc[-1].isdigit():
        return None
    model, _ = walk(loc[:-1])
    field = model.model_fields.get(loc[-1]) if model is not None else None
    if field is None or get_origin(field.annotation) is not dict:
        return None
    return get_args(field.annotation)[1]


def range_text(loc: list[str]) -> str:
    """The allowed range of the parameter at `loc` with its unit ('0 <= value <= 1, in share'), or ''."""
    field = field_at(loc)
    if field is None:
        return ""
    bounds = {type(m).__name__: m for m in field.metadata}
    low = f"{bounds['Ge'].ge} <= " if "Ge" in bounds else (f"{bounds['Gt'].gt} < " if "Gt" in bounds else "")
    high = f" <= {bounds['Le'].le}" if "Le" in bounds else (f" < {bounds['Lt'].lt}" if "Lt" in bounds else "")
    text = f"{low}value{high}" if (low or high) else ""
    unit = (field.json_schema_extra or {}).get("unit") if isinstance(field.json_schema_extra, dict) else None
    if unit and unit != "-" and text:
        text += f", in {unit}"
    return text
