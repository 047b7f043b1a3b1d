"""A thread-safe pool of warm sandboxes, and the ``Sandbox``/``Session`` API built on it.

Both backends are pools of :class:`~sandbox.worker.Worker`: started lazily up to ``size``,
checked out for one execution (``run``) or several sharing a work dir (``session``),
wiped on return, and replaced when something abnormal happened in them.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from perfforge.errors import SandboxError
from sandbox.models import ExecResult, ExecSpec
from sandbox.uids import next_serial
from sandbox.worker import Worker

CHECKOUT_TIMEOUT_S = 600.0
# a sandbox idle this long is pinged before use: its container may have been killed meanwhile
IDLE_CHECK_S = 5.0


class Pool:
    def __init__(self, start: Callable[[int], Worker], size: int) -> None:
        self._start = start
        self.size = size
        self._idle: list[Worker] = []
        self._count = 0  # live + starting workers
        self._cond = threading.Condition()
        self._closed = False

    @contextmanager
    def checkout(self) -> Iterator[Worker]:
        worker = self._acquire()
        try:
            yield worker
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        while True:
            worker = self._take()
            if time.monotonic() - worker.idle_since < IDLE_CHECK_S or worker.alive():
                return worker
            self._release(worker)  # dead: dropped, and the next round starts a fresh one

    def _take(self) -> Worker:
        deadline = time.monotonic() + CHECKOUT_TIMEOUT_S
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxError("the sandbox pool is closed")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.size:
                    self._count += 1
                    serial = next_serial()
                    break
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise SandboxError(f"no sandbox became free within {CHECKOUT_TIMEOUT_S:.0f} s (pool size {self.size})")
        try:
            return self._start(serial)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: Worker) -> None:
        if not worker.dead and worker.abnormal:
            worker.destroy("recycled: " + "; ".join(worker.abnormal))
        with self._cond:
            if worker.dead or self._closed:
                self._count -= 1
                discard = True
            else:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
                discard = False
            self._cond.notify()
        if discard and not worker.dead:
            worker.destroy("pool closed")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.destroy("pool closed")


class PoolSession:
    """Several executions in one sandbox, sharing its work dir."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def run(self, spec: ExecSpec) -> ExecResult:
        return self._worker.execute(spec, wipe=False)


class PooledSandbox:
    """What both backends share: ``run``, ``session`` and ``close`` on top of a :class:`Pool`."""

    name = ""

    def __init__(self, start: Callable[[int], Worker], size: int) -> None:
        self.pool = Pool(start, size)
        # containers must not outlive the process, even when the caller forgets close()
        atexit.register(_close_ref, weakref.ref(self))

    def run(self, spec: ExecSpec) -> ExecResult:
        with self.pool.checkout() as worker:
            return worker.execute(spec, wipe=True)

    @contextmanager
    def session(self) -> Iterator[PoolSession]:
        with self.pool.checkout() as worker:
            try:
                yield PoolSession(worker)
            finally:
                worker.wipe()

    def describe(self) -> dict[str, Any]:  # pragma: no cover - each backend says more
        return {"backend": self.name}

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> "PooledSandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_ref(ref: "weakref.ref[PooledSandbox]") -> None:
    sandbox = ref()
    if sandbox is not None:
        sandbox.close()
