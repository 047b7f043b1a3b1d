"""Per-sandbox memory and pids cgroups for the local backend (root only; v1 or v2).

A process joins in the short window between fork and exec (``join_current``, which uses
raw ``os`` calls only, as it runs in a forked child).  ``stats_dir`` is what the runner
reads its OOM counter from (bound read-only into the sandbox).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sandbox.uids import owner_alive

ROOT = Path("/sys/fs/cgroup")
PARENT = "perfforge"


def version() -> int | None:
    """2 for a unified hierarchy, 1 for v1 with memory + pids controllers, None otherwise."""
    if (ROOT / "cgroup.controllers").exists():
        return 2
    if (ROOT / "memory").is_dir() and (ROOT / "pids").is_dir():
        return 1
    return None


def usable() -> tuple[bool, str]:
    """Whether this process can create cgroups, and why not."""
    ver = version()
    if ver is None:
        return False, "no cgroup memory/pids controllers are mounted"
    if os.geteuid() != 0:
        return False, "creating cgroups needs root"
    probe = (ROOT / "memory" / PARENT) if ver == 1 else (ROOT / PARENT)
    try:
        probe.mkdir(exist_ok=True)
        if ver == 2:
            (probe / "cgroup.subtree_control").write_text("+memory +pids")
    except OSError as exc:
        return False, f"cannot create {probe}: {exc.strerror}"
    return True, f"cgroup v{ver}"


class SandboxCgroup:
    def __init__(self, name: str) -> None:
        self.ver = version()
        if self.ver == 1:
            self.dirs = [ROOT / "memory" / PARENT / name, ROOT / "pids" / PARENT / name]
        else:
            self.dirs = [ROOT / PARENT / name]
        for path in self.dirs:
            path.mkdir(parents=True, exist_ok=True)
        self._procs = [str(path / "cgroup.procs") for path in self.dirs]

    @property
    def stats_dir(self) -> str:
        return str(self.dirs[0])

    def set_limits(self, memory_bytes: int, pids: int) -> None:
        mem = self.dirs[0]
        if self.ver == 1:
            # memsw must stay >= the memory limit: lower memory first, raise memsw first
            files = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
            current = int((mem / "memory.limit_in_bytes").read_text())
            if memory_bytes > current:
                files.reverse()
            for name in files:
                if (mem / name).exists():
                    (mem / name).write_text(str(memory_bytes))
            (self.dirs[1] / "pids.max").write_text(str(pids))
        else:
            (mem / "memory.max").write_text(str(memory_bytes))
            if (mem / "memory.swap.max").exists():
                (mem / "memory.swap.max").write_text("0")
            (mem / "pids.max").write_text(str(pids))

    def join_current(self) -> None:
        """Move the calling process in (called between fork and exec: no locks, no imports)."""
        pid = str(os.getpid()).encode()
        for path in self._procs:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def remove(self, wait_s: float = 3.0) -> None:
        """Remove the cgroup once its last process is gone (a killed namespace takes a moment to empty)."""
        deadline = time.monotonic() + wait_s
        for path in self.dirs:
            while path.exists():
                try:
                    path.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)


def sweep_stale() -> None:
    """Remove empty sandbox cgroups left by processes that are gone (named ``<pid>-<serial>``)."""
    ver = version()
    parents = [ROOT / "memory" / PARENT, ROOT / "pids" / PARENT] if ver == 1 else [ROOT / PARENT]
    for parent in parents:
        if not parent.is_dir():
            continue
        for child in parent.iterdir():
            owner = child.name.split("-", 1)[0]
            if child.is_dir() and owner.isdigit() and not owner_alive(int(owner)):
                try:
                    child.rmdir()
                except OSError:
                    pass
