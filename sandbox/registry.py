"""The sandbox backends by name, and the choice of a default."""

from __future__ import annotations

import os
from typing import Any, Callable

from perfforge.errors import ConfigError
from perfforge.protocols import Sandbox


def _docker(**config: Any) -> Sandbox:
    from sandbox.docker_backend import DockerSandbox

    return DockerSandbox(**config)


def _local(**config: Any) -> Sandbox:
    from sandbox.local_backend import LocalSandbox

    return LocalSandbox(**config)


BACKENDS: dict[str, Callable[..., Sandbox]] = {"docker": _docker, "local": _local}
ENV_BACKEND = "PERFFORGE_SANDBOX"


def default_backend() -> str:
    """``PERFFORGE_SANDBOX`` when set, else docker where an engine answers, else local."""
    from sandbox.engine import engine_answers

    chosen = os.environ.get(ENV_BACKEND, "").strip()
    if chosen:
        return check_name(chosen)
    return "docker" if engine_answers() else "local"


def check_name(name: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"unknown sandbox backend {name!r}; valid: {', '.join(sorted(BACKENDS))}")
    return name


def get_sandbox(name: str | None = None, **config: Any) -> Sandbox:
    """Open a sandbox backend (``docker``, ``local``; None = the default).

    ``config`` goes to the backend's pydantic config (``DockerConfig``/``LocalConfig``);
    an unknown or invalid key is a ConfigError.
    """
    from pydantic import ValidationError

    backend = BACKENDS[check_name(name)] if name else BACKENDS[default_backend()]
    try:
        return backend(**config)
    except ValidationError as exc:
        raise ConfigError(f"invalid sandbox configuration: {_first_error(exc)}") from exc


def _first_error(exc: Any) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "config"
    return f"{where}: {err.get('msg')}"
