"""The sandbox image as the engine sees it: is it there, is it current, what is in it."""

from __future__ import annotations

import json
from typing import Any

from perfforge.errors import SandboxUnavailable
from sandbox import engine
from sandbox.recipe import LABEL_RECIPE, LABEL_VERSIONS, recipe_hash

BUILD_HINT = "run `perfforge sandbox build`"


def find(client: Any, tag: str) -> dict[str, Any] | None:
    """The image's attributes, or None when the engine does not have it."""
    import docker

    try:
        return engine.call("inspecting the sandbox image", _inspect, client, tag)
    except engine.SandboxError as exc:
        if isinstance(exc.__cause__, docker.errors.ImageNotFound):
            return None
        raise


def _inspect(client: Any, tag: str) -> dict[str, Any]:
    return client.api.inspect_image(tag)


def require(client: Any, tag: str) -> dict[str, Any]:
    attrs = find(client, tag)
    if attrs is None:
        raise SandboxUnavailable(f"the sandbox image {tag} is missing", BUILD_HINT)
    return attrs


def labels_of(attrs: dict[str, Any]) -> dict[str, str]:
    return (attrs.get("Config") or {}).get("Labels") or {}


def is_current(attrs: dict[str, Any]) -> bool:
    return labels_of(attrs).get(LABEL_RECIPE) == recipe_hash()


def versions_from_labels(labels: dict[str, str]) -> dict[str, str]:
    try:
        return json.loads(labels.get(LABEL_VERSIONS, "{}"))
    except ValueError:
        return {}
