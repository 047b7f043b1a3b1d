"""Reaching the Docker engine: a client with timeouts, and errors that say what to do."""

from __future__ import annotations

import os
from typing import Any

from perfforge.errors import SandboxError, SandboxUnavailable

API_TIMEOUT_S = 30.0
PING_TIMEOUT_S = 5.0


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connect(timeout_s: float = API_TIMEOUT_S) -> Any:
    """A ``docker.DockerClient`` that answered a ping; SandboxUnavailable when there is none."""
    import docker

    try:
        client = docker.from_env(timeout=timeout_s)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - the SDK raises many kinds for "no engine"
        raise SandboxUnavailable(
            f"the Docker engine at {engine_address()} does not answer ({_short(exc)})",
            "start Docker (e.g. `systemctl start docker`), fix DOCKER_HOST, or use `--backend local`",
        ) from exc
    return client


def engine_answers(timeout_s: float = PING_TIMEOUT_S) -> bool:
    try:
        connect(timeout_s).close()
    except SandboxUnavailable:
        return False
    return True


def call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one SDK call; any engine failure (including a hung daemon's timeout) is a SandboxError."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise SandboxError(f"Docker engine call failed while {what}: {_short(exc)}") from exc


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
