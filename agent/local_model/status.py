"""One snapshot of the local model's state, for ``perfforge model status`` and for callers."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from agent.local_model.backends import BACKENDS
from agent.local_model.pull import is_verified
from agent.local_model.server import ServerRecord, running_servers
from agent.local_model.spec import DEFAULT_MODEL, ChunkedGguf


class BackendStatus(BaseModel):
    name: str
    installed: bool
    version: str | None


class ModelStatus(BaseModel):
    model_id: str
    path: Path
    pulled: bool
    verified: bool
    size: int | None
    backends: list[BackendStatus]
    servers: list[ServerRecord]

    @property
    def ready(self) -> bool:
        return self.verified and any(backend.installed for backend in self.backends)


def model_status(gguf: ChunkedGguf = DEFAULT_MODEL) -> ModelStatus:
    path = gguf.path()
    pulled = path.is_file()
    return ModelStatus(
        model_id=gguf.model_id,
        path=path,
        pulled=pulled,
        verified=pulled and is_verified(path, gguf.sha256),
        size=path.stat().st_size if pulled else None,
        backends=[BackendStatus(name=b.name, installed=b.installed(), version=b.version()) for b in BACKENDS.values()],
        servers=running_servers(),
    )
