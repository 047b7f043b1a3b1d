"""Model quirks as data (``model_quirks.yaml``), applied to a request just before it is sent."""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from perfforge.errors import ConfigError

DEFAULT_PATH = Path(__file__).with_name("model_quirks.yaml")


class Quirk(BaseModel):
    """One row of the table; unset fields leave the request alone."""

    model_config = ConfigDict(extra="forbid")

    match: str
    system_role: bool | None = None
    temperature: bool | None = None
    max_tokens: int | None = Field(None, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)
    note: str = ""

    def fits(self, model: str) -> bool:
        name = model.lower()
        pattern = self.match.lower()
        return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name.rsplit("/", 1)[-1], pattern)


class Quirks(BaseModel):
    entries: list[Quirk] = Field(default_factory=list)

    def for_model(self, model: str) -> Quirk:
        """The merged quirk of every entry that fits ``model`` (later entries win)."""
        merged: dict[str, Any] = {"match": model, "params": {}}
        for entry in self.entries:
            if entry.fits(model):
                merged.update(entry.model_dump(exclude_unset=True, exclude={"match", "params", "note"}))
                merged["params"].update(entry.params)
        return Quirk.model_validate(merged)

    def apply(self, model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The request as ``model`` accepts it: messages and parameters adjusted, inputs untouched."""
        quirk = self.for_model(model)
        params = {**params, **quirk.params}
        if quirk.temperature is False:
            params.pop("temperature", None)
        if quirk.max_tokens is not None:
            params["max_tokens"] = min(params.get("max_tokens") or quirk.max_tokens, quirk.max_tokens)
        if quirk.system_role is False:
            messages = fold_system(messages)
        return messages, params


def fold_system(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move system text to the front of the first user message (for models without a system role)."""
    system = "\n\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    rest = [dict(m) for m in messages if m.get("role") != "system"]
    if not system:
        return rest
    for message in rest:
        if message.get("role") == "user":
            message["content"] = f"{system}\n\n{message.get('content', '')}"
            return rest
    return [{"role": "user", "content": system}, *rest]


def load_quirks(path: Path | None = None) -> Quirks:
    """The quirks table at ``path`` (default: the one shipped with perfforge)."""
    return _load(Path(path) if path else DEFAULT_PATH)


@lru_cache(maxsize=8)
def _load(path: Path) -> Quirks:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return Quirks(entries=data)
    except OSError as exc:
        raise ConfigError(f"cannot read the model quirks table {path}: {exc.strerror}") from None
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid model quirks table {path}: {exc}", "each entry needs `match`; see the header of model_quirks.yaml") from None
