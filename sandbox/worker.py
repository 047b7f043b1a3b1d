"""The host side of the runner protocol: one started sandbox (a container or a namespace)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from perfforge.errors import SandboxError
from sandbox.channel import ChannelClosed, ChannelTimeout
from sandbox.models import ExecResult, ExecSpec, Limits

# beyond the command's own wall limit: the runner's kill-and-reap grace plus slack for a busy host
ANSWER_GRACE_S = 10.0
# files and output travel as raw bytes after a JSON header; assume at least this throughput
TRANSFER_BYTES_PER_S = 20e6
START_TIMEOUT_S = 60.0
# the sandbox's memory cgroup also holds the runner (~12 MiB) and the output it keeps
RUNNER_HEADROOM_MIB = 32
FILES_FREE_BYTES = 16 << 20
FILES_STEP_BYTES = 64 << 20
RUNNER_SOURCE = (Path(__file__).parent / "runner.py").read_text()


def sandbox_memory_bytes(limits: Limits) -> int:
    """The whole sandbox's memory limit: the command's, plus the runner and the two captured streams."""
    return ((limits.memory_mib + RUNNER_HEADROOM_MIB) << 20) + 2 * limits.output_bytes


def files_allowance(resident_bytes: int) -> int:
    """Memory added to the sandbox's limit for the files it holds besides the command's own:
    the work dir (tmpfs) and, in a session, the runner's pristine copies of it are charged to
    the sandbox's memory cgroup.  Nothing for a few MB (the runner's headroom covers them),
    else whole steps, so that the limit (an engine call to change) rarely moves."""
    if resident_bytes <= FILES_FREE_BYTES:
        return 0
    return -(-resident_bytes // FILES_STEP_BYTES) * FILES_STEP_BYTES


def sandbox_pids(limits: Limits) -> int:
    """The pids cgroup's cap: the command's processes plus the runner (and bwrap's monitor)."""
    return limits.processes + 4


def encode_request(spec: ExecSpec, *, wipe: bool) -> tuple[bytes, list[bytes]]:
    """The runner's exec request: a JSON header line and the blobs (work files, stdin) that follow it."""
    header = spec.model_dump(mode="json", exclude={"files", "stdin", "executable"})
    header.update(op="exec", env=spec.full_env(), wipe=wipe)
    header["limits"]["cpu_s"] = spec.limits.cpu_limit_s
    executable = set(spec.executable)
    blobs = [({"kind": "file", "name": name, "exec": name in executable}, data) for name, data in spec.files.items()]
    blobs.append(({"kind": "stdin"}, spec.stdin))
    header["blobs"] = [dict(meta, size=len(data)) for meta, data in blobs]
    return json.dumps(header).encode() + b"\n", [data for _, data in blobs]


def decode_result(header: dict[str, Any], blobs: list[tuple[dict[str, Any], bytes]], *, backend: str,
                  image: str) -> ExecResult:
    raw = dict(header["result"], stdout=b"", stderr=b"", files={})
    for meta, data in blobs:
        if meta["kind"] == "file":
            raw["files"][meta["name"]] = data
        else:
            raw[meta["kind"]] = data
    return ExecResult(**raw, backend=backend, image=image)


class Worker:
    """A started sandbox whose runner answers on ``channel``.

    ``dead``: it can take no more requests.  ``abnormal``: reasons to recycle it once it is
    returned to the pool (an OOM kill, leftovers, a nearly full scratch dir); a session
    keeps using it until the session ends, so that its work dir survives.  ``store_bytes``:
    the size of the session's pristine set, which the runner holds in memory.
    """

    backend = ""

    def __init__(self, channel: Any, *, label: str, image: str) -> None:
        self.channel = channel
        self.label = label
        self.image = image
        self.dead: str | None = None
        self.abnormal: list[str] = []
        self.last_reply: dict[str, Any] = {}
        self.limits: Limits | None = None
        self.applied: tuple[int, int] | None = None  # (memory bytes, pids) the sandbox runs under
        self.store_bytes = 0
        self.idle_since = time.monotonic()
        self.answer_grace_s = ANSWER_GRACE_S

    # -- backend hooks ---------------------------------------------------
    def _apply_limits(self, memory_bytes: int, pids: int) -> None:
        """Set the sandbox-wide limits (memory, pids); called when they differ from the current ones."""

    def _death_cause(self) -> str | None:
        """After the runner vanished: 'oom' when the sandbox was killed for memory, else None."""
        return None

    def _logs(self) -> str:
        return ""

    def _destroy(self) -> None:
        """Kill the sandbox and everything in it; must not raise."""

    # -- protocol ----------------------------------------------------------
    def hello(self, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        try:
            reply = json.loads(self.channel.recv_line(time.monotonic() + timeout_s))
            if reply.get("blobs"):
                raise ValueError("a greeting carries no blobs")
        except (ChannelClosed, ChannelTimeout, ValueError) as exc:
            logs = self._logs()
            self.destroy(f"did not start: {exc}")
            raise SandboxError(f"the {self.backend} sandbox runner did not start ({exc}). {logs}".strip()) from exc
        if "hello" not in reply:
            self.destroy("bad greeting")
            raise SandboxError(f"the {self.backend} sandbox runner sent an unexpected greeting: {reply!r}")
        return reply

    def _request(self, header: bytes, deadline: float, blobs: list[bytes] = ()) -> tuple[dict[str, Any], list]:
        if self.dead:
            raise SandboxError(f"the {self.backend} sandbox {self.label} is gone ({self.dead})")
        try:
            self.channel.send(header, deadline)
            for data in blobs:
                if data:
                    self.channel.send(data, deadline)
            reply = json.loads(self.channel.recv_line(deadline))
            received = [(meta, self.channel.recv_exact(int(meta["size"]))) for meta in reply.get("blobs", [])]
        except (ChannelClosed, ChannelTimeout, ValueError):
            raise  # the caller looks at the corpse first, then destroys it
        except BaseException:
            # interrupted (Ctrl-C, a signal): a reply may still be on its way, so this channel is
            # out of step for good
            self.destroy("interrupted in the middle of a request")
            raise
        self.last_reply = reply
        if not reply.get("ok"):
            self.destroy(f"runner error: {reply.get('error')}")
            raise SandboxError(f"the {self.backend} sandbox runner failed: {reply.get('error')}")
        self.abnormal += reply.get("abnormal", [])
        return reply, received

    def execute(self, spec: ExecSpec, *, wipe: bool) -> ExecResult:
        if self.dead:
            raise SandboxError(f"the {self.backend} sandbox {self.label} is gone ({self.dead})")
        if self.applied is None and self.limits is not None:
            self.applied = (sandbox_memory_bytes(self.limits), sandbox_pids(self.limits))
        incoming = sum(len(data) for data in spec.files.values())
        resident = incoming if wipe else 2 * (self.store_bytes + incoming)
        wanted = (sandbox_memory_bytes(spec.limits) + files_allowance(resident), sandbox_pids(spec.limits))
        if self.applied != wanted:
            self._apply_limits(*wanted)
            self.applied = wanted
        self.limits = spec.limits
        header, blobs = encode_request(spec, wipe=wipe)
        size = len(header) + sum(len(b) for b in blobs)
        start = time.monotonic()
        deadline = start + spec.limits.wall_s + self.answer_grace_s + size / TRANSFER_BYTES_PER_S
        try:
            reply, received = self._request(header, deadline, blobs)
        except ChannelTimeout as exc:
            self.destroy("runner did not answer in time")
            raise SandboxError(
                f"the {self.backend} sandbox runner did not answer within {deadline - start:.0f} s; "
                "the sandbox was discarded"
            ) from exc
        except (ChannelClosed, ValueError) as exc:
            cause = self._death_cause()
            logs = self._logs()
            self.destroy(f"runner vanished: {exc}")
            if cause == "oom":
                # the command exhausted the sandbox's memory so badly that the runner went too
                return ExecResult(exit_code=None, signal=9, oom_killed=True, wall_s=time.monotonic() - start,
                                  backend=self.backend, image=self.image)
            raise SandboxError(f"the {self.backend} sandbox runner died ({exc}). {logs}".strip()) from exc
        self.store_bytes = int(reply.get("store_bytes", 0))
        return decode_result(reply, received, backend=self.backend, image=self.image)

    def wipe(self) -> None:
        """Empty the work dir and kill leftovers (end of a session); a failure discards the sandbox."""
        if self.dead:
            return
        self.store_bytes = 0
        try:
            self._request(b'{"op": "wipe"}\n', time.monotonic() + ANSWER_GRACE_S + 20)
        except (ChannelClosed, ChannelTimeout, ValueError, SandboxError) as exc:
            self.destroy(f"wipe failed: {exc}")

    def alive(self, timeout_s: float = ANSWER_GRACE_S) -> bool:
        """Ping the runner; a sandbox that does not answer is destroyed."""
        try:
            self._request(b'{"op": "ping"}\n', time.monotonic() + timeout_s)
        except (ChannelClosed, ChannelTimeout, ValueError, SandboxError) as exc:
            self.destroy(f"ping failed: {exc}")
            return False
        return True

    def destroy(self, reason: str) -> None:
        if not self.dead:
            self.dead = reason
        self.channel.close()
        self._destroy()
