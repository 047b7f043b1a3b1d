"""The ``local`` backend: the runner in fresh namespaces on this host (bubblewrap, else ``unshare``).

As root, every sandbox runs under its own uid (RLIMIT_NPROC does not bind root) inside
its own memory + pids cgroup.  Otherwise it runs as the invoking user with RLIMIT_AS
standing in for the memory limit; ``describe()`` and ``perfforge sandbox doctor`` say so.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import tempfile
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from perfforge.errors import SandboxError, SandboxUnavailable
from sandbox import cgroups, namespaces
from sandbox.channel import PipeChannel
from sandbox.models import Limits
from sandbox.pool import PooledSandbox
from sandbox.uids import sandbox_uid
from sandbox.worker import RUNNER_SOURCE, Worker, sandbox_memory_bytes, sandbox_pids

STOP_TIMEOUT_S = 5.0


class LocalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["auto", "bwrap", "unshare"] = "auto"
    pool_size: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    workdir_mib: int = Field(2048, ge=16, description="size of the tmpfs at /work")
    tmp_mib: int = Field(512, ge=16, description="size of the tmpfs at /tmp")
    python: str = Field("/usr/bin/python3", description="interpreter that runs the runner inside the sandbox")


def choose_method(wanted: str) -> str:
    """The isolation tool to use, or SandboxUnavailable naming what is missing."""
    order = ["bwrap", "unshare"] if wanted == "auto" else [wanted]
    problems = []
    for method in order:
        missing = namespaces.missing_tools(method)
        if not missing:
            return method
        problems.append(f"{method}: {', '.join(missing)} not found")
    raise SandboxUnavailable(
        "the local sandbox cannot isolate commands here (" + "; ".join(problems) + ")",
        "install bubblewrap (`apt-get install bubblewrap`)",
    )


class LocalWorker(Worker):
    backend = "local"

    def __init__(self, proc: subprocess.Popen, channel: PipeChannel, errlog: Any, cgroup: cgroups.SandboxCgroup | None,
                 *, label: str, image: str) -> None:
        super().__init__(channel, label=label, image=image)
        self.proc = proc
        self.errlog = errlog
        self.cgroup = cgroup
        self._oom_mark = self._oom_count()

    def _oom_count(self) -> int | None:
        if self.cgroup is None:
            return None
        from sandbox.runner import oom_kills

        return oom_kills(self.cgroup.stats_dir)

    def _apply_limits(self, memory_bytes: int, pids: int) -> None:
        if self.cgroup is None:
            return  # the runner applies RLIMIT_AS itself
        try:
            self.cgroup.set_limits(memory_bytes, pids)
        except OSError as exc:
            raise SandboxError(f"cannot set the local sandbox's cgroup limits: {exc}") from exc
        self._oom_mark = self._oom_count()

    def _death_cause(self) -> str | None:
        count = self._oom_count()
        return "oom" if count is not None and self._oom_mark is not None and count > self._oom_mark else None

    def _logs(self) -> str:
        try:
            self.errlog.seek(0)
            text = self.errlog.read()[-800:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return f"runner stderr: {text}" if text else ""

    def _destroy(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
        if self.cgroup is not None:
            self.cgroup.remove()
        try:
            self.errlog.close()
        except OSError:
            pass


class LocalSandbox(PooledSandbox):
    name = "local"

    def __init__(self, **config: Any) -> None:
        self.config = LocalConfig(**config)
        self.method = choose_method(self.config.method)
        if not os.access(self.config.python, os.X_OK):
            raise SandboxUnavailable(f"the local sandbox needs {self.config.python}", "install python3 (`apt-get install python3`)")
        self.as_root = os.geteuid() == 0
        self.use_cgroup, self.cgroup_note = cgroups.usable() if self.as_root else (False, "not root")
        if self.use_cgroup:
            cgroups.sweep_stale()
        self.host = host_label()
        self._description: dict[str, Any] | None = None
        super().__init__(self._start_worker, self.config.pool_size)

    def _start_worker(self, serial: int) -> LocalWorker:
        uid = sandbox_uid(serial) if self.as_root else None
        cgroup = cgroups.SandboxCgroup(f"{os.getpid()}-{serial}") if self.use_cgroup else None
        limits = Limits()
        if cgroup is not None:
            cgroup.set_limits(sandbox_memory_bytes(limits), sandbox_pids(limits))
        layout = namespaces.Layout(
            python=self.config.python,
            runner_source=RUNNER_SOURCE,
            runner_config=namespaces.runner_config(cgroup.stats_dir if cgroup else None, rlimit_as=cgroup is None),
            workdir_mib=self.config.workdir_mib,
            tmp_mib=self.config.tmp_mib,
            memcg=cgroup.stats_dir if cgroup else None,
        )
        if self.method == "bwrap":
            argv = namespaces.bwrap_argv(layout)
            switch_uid = uid
        else:
            argv = namespaces.unshare_argv(layout, uid)
            switch_uid = None  # setpriv switches inside, after the mounts

        def enter() -> None:
            # runs between fork and exec: raw os calls only
            if cgroup is not None:
                cgroup.join_current()
            if switch_uid is not None:
                os.setgroups([])
                os.setresgid(switch_uid, switch_uid, switch_uid)
                os.setresuid(switch_uid, switch_uid, switch_uid)

        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        errlog = tempfile.TemporaryFile(prefix="perfforge-runner-")
        try:
            proc = subprocess.Popen(
                argv, stdin=to_child_r, stdout=from_child_w, stderr=errlog, env={"PATH": namespaces.HOST_PATH},
                cwd="/", close_fds=True, start_new_session=True, preexec_fn=enter,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
                os.close(fd)
            errlog.close()
            if cgroup is not None:
                cgroup.remove()
            raise SandboxError(f"cannot start the local sandbox ({self.method}): {exc}") from exc
        os.close(to_child_r)
        os.close(from_child_w)
        worker = LocalWorker(proc, PipeChannel(to_child_w, from_child_r), errlog, cgroup,
                             label=f"{self.method}:{proc.pid}", image=self.host)
        worker.limits = limits
        worker.hello()
        return worker

    def describe(self) -> dict[str, Any]:
        if self._description is None:
            self._description = {
                "backend": self.name,
                "image": self.host,
                "method": self.method,
                "tool_version": tool_version(self.method),
                "user": "a dedicated uid per sandbox" if self.as_root else f"the invoking user (uid {os.getuid()})",
                "memory_limit": self.cgroup_note if self.use_cgroup else "RLIMIT_AS (no cgroup: " + self.cgroup_note + ")",
                "python": _python_version(self.config.python),
                "kernel": platform.release(),
                "pool_size": self.config.pool_size,
                "isolation": "new pid/net/mount/ipc/uts namespaces, system dirs read-only, tmpfs /work, rlimits",
            }
        return dict(self._description)


def host_label() -> str:
    try:
        info = platform.freedesktop_os_release()
        name = info.get("PRETTY_NAME") or info.get("NAME", "linux")
    except OSError:
        name = "linux"
    return f"local:{name}"


def tool_version(method: str) -> str:
    exe = "bwrap" if method == "bwrap" else "unshare"
    if shutil.which(exe, path=namespaces.HOST_PATH) is None:
        return "missing"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10, env={"PATH": namespaces.HOST_PATH})
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "unknown"


def _python_version(python: str) -> str:
    try:
        out = subprocess.run([python, "-I", "-S", "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, timeout=10, env={})
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"
