"""Who owns a sandbox.  Each sandbox gets its own uid (RLIMIT_NPROC counts processes per uid
across the whole host, so two sandboxes sharing one would limit and fork-bomb each other), and
what a pool leaves on the host (containers, cgroups) is named after its process, so that the
next pool can tell leftovers of a dead process from a live one's."""

from __future__ import annotations

import itertools
import os

UID_BASE = 200_000
SLOTS_PER_PROCESS = 64


def sandbox_uid(serial: int) -> int:
    """A uid for the ``serial``-th sandbox started by this process, distinct across live processes."""
    return UID_BASE + (os.getpid() % 100_000) * SLOTS_PER_PROCESS + serial % SLOTS_PER_PROCESS


_serials = itertools.count()


def next_serial() -> int:
    """Process-wide: two pools in one process must not share uids or cgroup names."""
    return next(_serials)


def owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
