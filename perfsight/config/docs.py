"""Documentation generated from the settings declaration, so it cannot drift from the code:
the commented example of ``perfsight config init`` and the README's configuration reference."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from perfsight.config.settings import ENV_DELIMITER, ENV_PREFIX, Settings
from perfsight.thresholds import SEED_PROFILE


def _tables() -> list[tuple[str, FieldInfo, type[BaseModel] | None]]:
    out = []
    for name, info in Settings.model_fields.items():
        annotation = info.annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        out.append((name, info, model))
    return out


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return None if info.default is PydanticUndefined else info.default


def toml_value(value: Any) -> str:
    """A value in TOML syntax (inline forms only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"no TOML form for {value!r}")


def toml_key(name: str) -> str:
    """A key as TOML writes it: bare when it can be, quoted otherwise."""
    return name if name.replace("_", "").replace("-", "").isalnum() else json.dumps(name)


def example_toml() -> str:
    """A perfsight.toml that documents every setting; every line commented, so it loads as the
    defaults until a line is uncommented."""
    lines = [
        "# perfsight.toml — every setting with its default and help text.",
        "# Uncomment a line to change it. Environment variables override the file:",
        f"# {ENV_PREFIX}<TABLE>{ENV_DELIMITER}<KEY>, e.g. {ENV_PREFIX}MONGO{ENV_DELIMITER}URI.",
        "",
    ]
    for table, info, model in _tables():
        lines.append(f"# --- {info.description}")
        if model is None:  # [thresholds]: a free table of metric = [expressions]
            lines.append(f"# [{table}]")
            lines.append("# Absent: the 'seed' profile below applies (the plan's targets).")
            lines.extend(f"# {toml_key(m)} = {toml_value(e)}" for m, e in SEED_PROFILE.items())
            lines.append('# "http_req_duration{endpoint:/api/bookings}" = ["p(95)<300"]')
            lines.append("")
            continue
        lines.append(f"[{table}]")
        for key, field in model.model_fields.items():
            default = _default(field)
            lines.append(f"# {field.description or ''}".rstrip())
            if default is None or (
                isinstance(default, list) and default and isinstance(default[0], BaseModel)
            ):
                lines.append(f"# {key} =")
            else:
                lines.append(f"# {key} = {toml_value(default)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def reference_markdown() -> str:
    """The README's configuration reference: one table per [table]."""
    out = []
    for table, info, model in _tables():
        out.append(f"### `[{table}]` — {info.description}")
        out.append("")
        if model is None:
            out.append(
                'Free table: `metric` or `"metric{scope}"` = list of k6 expressions (or long '
                "forms `{threshold, abortOnFail, delayAbortEval}`). Absent: the profile named by "
                "`[load] profile` (default `seed`)."
            )
            out.append("")
            continue
        out.append("| key | default | environment variable | meaning |")
        out.append("|---|---|---|---|")
        for key, field in model.model_fields.items():
            default = _default(field)
            shown = "—" if default is None else f"`{toml_value(default)}`"
            env = f"`{ENV_PREFIX}{table.upper()}{ENV_DELIMITER}{key.upper()}`"
            help_text = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {shown} | {env} | {help_text} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
