"""What every settings table shares: unknown keys are errors, and a field can be marked secret."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict


class Table(BaseModel):
    """One ``[table]`` of perfsight.toml. A typo in a key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def setting(default: Any = None, help: str = "", *, secret: bool = False, **kwargs: Any) -> Any:
    """Declare a setting once: its default and help text serve the CLI, the dashboard and the docs.

    ``secret`` values are shown as ``***`` by ``config show`` and everywhere else they are printed.
    """
    extra: JsonDict | None = {"secret": True} if secret else None
    if default in (list, dict) or (callable(default) and not isinstance(default, type)):
        return Field(default_factory=default, description=help, json_schema_extra=extra, **kwargs)
    return Field(default=default, description=help, json_schema_extra=extra, **kwargs)
