"""Where a benchmark run's evaluations execute: the executor registry.

=========  ==============================================================================
``local``  a process pool on this machine (the default).  Each worker process opens its
           own sandbox on its first job and keeps it warm; it writes every verdict into
           the run store as soon as it is known and reports progress per sample.
``ray``    Ray tasks, on a local Ray instance started for the run or on the cluster at
           ``--ray-address``.  Each Ray worker opens its own sandbox backend on its node
           (perfforge and the sandbox image must be installed there); verdicts come back
           with each task's result and the driver writes them.
=========  ==============================================================================

Both run :func:`benchmarks.run.jobs.run_job`; ``submit`` returns a
:class:`concurrent.futures.Future`.  Scale-out goes through these two and nothing else:
no scheduler of our own.
"""

from __future__ import annotations

import queue as queue_mod
import socket
from concurrent.futures import Future
from typing import Any, Protocol
from urllib.parse import urlparse

from perfforge.errors import ConfigError

RAY_CONNECT_TIMEOUT_S = 5.0
RAY_OBJECT_STORE_BYTES = 96 * 1024 * 1024  # a local instance holds only job results: keep it small


class Executor(Protocol):
    name: str
    workers: int
    streams_progress: bool  # True: progress arrives per sample through poll(); else per finished job

    def submit(self, job: Any) -> "Future[Any]": ...

    def poll(self) -> list[tuple[str, Any]]: ...

    def close(self, cancel: bool = False) -> None: ...


class LocalExecutor:
    """A process pool (spawned workers: no state inherited from the driver's threads)."""

    name = "local"
    streams_progress = True

    def __init__(self, workers: int = 1, **_: Any) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from benchmarks.run.jobs import set_progress_queue

        context = multiprocessing.get_context("spawn")
        self.workers = workers
        self._queue = context.Queue()
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=set_progress_queue,
                                         initargs=(self._queue,))

    def submit(self, job: Any) -> "Future[Any]":
        from benchmarks.run.jobs import run_job

        return self._pool.submit(run_job, job)

    def poll(self) -> list[tuple[str, Any]]:
        events = []
        while True:
            try:
                events.append(self._queue.get_nowait())
            except (queue_mod.Empty, OSError, ValueError):
                return events

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        self._queue.close()


def _check_address(address: str) -> None:
    """Fail in seconds, not after Ray's own long retries, when nothing listens at ``address``."""
    if address == "auto":
        return
    parsed = urlparse(address if "://" in address else f"ray://{address}")
    if not parsed.hostname or not parsed.port:
        raise ConfigError(f"--ray-address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=RAY_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}",
                          hint="start it (ray start --head), fix --ray-address, or use --executor local") from None


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray, which is not installed",
                          hint="pip install 'perfforge[ray]', or use --executor local") from None
    return ray


class RayExecutor:
    """Ray tasks; a local instance (``num_cpus = workers``) unless ``address`` names a cluster."""

    name = "ray"
    streams_progress = False

    def __init__(self, workers: int = 1, address: str | None = None, **_: Any) -> None:
        ray = import_ray()
        if address:
            _check_address(address)
        self.workers = workers
        self._ray = ray
        self._started = not ray.is_initialized()
        options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False, "configure_logging": False}
        if address:
            options["address"] = address
        else:
            options.update(num_cpus=workers, object_store_memory=RAY_OBJECT_STORE_BYTES)
        if self._started:
            try:
                ray.init(**options)
            except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError... on a bad cluster
                raise ConfigError(f"Ray did not start{' at ' + address if address else ''}: {exc}",
                                  hint="check the cluster (ray status), or use --executor local") from None
        from benchmarks.run.jobs import run_job

        self._remote = ray.remote(num_cpus=1, max_retries=0)(run_job)

    def submit(self, job: Any) -> "Future[Any]":
        return self._remote.remote(job).future()

    def poll(self) -> list[tuple[str, Any]]:
        return []

    def close(self, cancel: bool = False) -> None:
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()


EXECUTORS: dict[str, type] = {"local": LocalExecutor, "ray": RayExecutor}


def get_executor(name: str, *, workers: int = 1, ray_address: str | None = None) -> Executor:
    """The executor ``name`` with ``workers`` evaluations at a time; an unknown name lists the valid ones."""
    if name not in EXECUTORS:
        raise ConfigError(f"unknown executor {name!r}; executors: {', '.join(EXECUTORS)}")
    if ray_address and name != "ray":
        raise ConfigError("--ray-address goes with --executor ray")
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    return EXECUTORS[name](workers=workers, address=ray_address)


__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "RayExecutor", "get_executor", "import_ray"]
