"""How the schema declares things: a parameter `P()` and a `Section` of parameters."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def P(default: Any, unit: str, description: str, *, ge=None, le=None, gt=None, lt=None, source: str = ""):
    """A parameter: its default, unit, allowed range and source, declared together."""
    extra = {"unit": unit}
    if source:
        extra["source"] = source
    return Field(default, description=description, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False)
