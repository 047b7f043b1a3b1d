"""One process at a time works on a run: a lease in the run store.

    with store.lease(run_id):   # raises RunInUse naming the holder
        ...                     # a heartbeat thread keeps the lease fresh meanwhile

Two processes resuming the same run would both ask the model for the same steps and both
pay.  A process takes the run's lease atomically (one ``BEGIN IMMEDIATE`` transaction)
before it works on the run, and gives it back when it stops, however it stops
(``finally``).  A lease left behind by a process that cannot give it back (``kill -9``, a
crash of the machine) is *stale* and the next process takes it over:

* held on this machine, in this boot: stale when its process is gone (its pid is free,
  or taken by another process: the holder's start time is compared too);
* held on this machine before the last reboot (another boot id): stale;
* held on another machine (a run store on a shared disk): stale when its heartbeat is
  older than :data:`STALE_AFTER_S`.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from perfforge.errors import ConfigError
from sandbox.uids import owner_alive

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


class RunInUse(ConfigError):
    """Another live process holds the run's lease."""

    def __init__(self, run_id: str, holder: dict[str, Any], heartbeat: float) -> None:
        since = datetime.datetime.fromtimestamp(holder.get("taken", heartbeat)).strftime("%Y-%m-%d %H:%M:%S")
        age = max(0.0, time.time() - heartbeat)
        super().__init__(
            f"run {run_id} is being worked on by process {holder.get('pid')} on {holder.get('host')} "
            f"(since {since}, last heartbeat {age:.0f} s ago)",
            hint="wait for it to finish, or stop that process first; a lease whose process has died "
                 "is taken over by the next --resume")
        self.holder = holder


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc); None when it does not
    exist or has exited (a zombie waiting for its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: count fields after its last ")"
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, started: str) -> bool:
    """Process ``pid`` exists and is the one that started at ``started`` (not a reuse of its pid)."""
    if Path("/proc/self/stat").exists():
        return _start_ticks(pid) == started
    return owner_alive(pid)  # no /proc: the pid alone has to do


def me() -> dict[str, Any]:
    """This process, as a lease names its holder."""
    return {"pid": os.getpid(), "started": _start_ticks(os.getpid()) or "", "host": socket.gethostname(),
            "boot_id": _boot_id()}


def is_stale(holder: dict[str, Any], heartbeat: float, *, now: float | None = None,
             stale_after_s: float = STALE_AFTER_S) -> bool:
    """Whether the lease of ``holder`` (last heartbeat at ``heartbeat``) may be taken over."""
    here = me()
    if holder.get("host") == here["host"] and holder.get("boot_id") == here["boot_id"]:
        return not _alive(int(holder["pid"]), str(holder.get("started", "")))
    if holder.get("host") == here["host"] and holder.get("boot_id") and here["boot_id"]:
        return True  # the machine rebooted since: nothing of that boot runs any more
    return (now if now is not None else time.time()) - heartbeat > stale_after_s


@contextlib.contextmanager
def hold(store: Any, run_id: str, *, heartbeat_s: float = HEARTBEAT_S) -> Iterator[None]:
    """Hold ``run_id``'s lease in ``store`` for the ``with`` block (see the module doc)."""
    token = uuid.uuid4().hex
    taken = store.take_lease(run_id, token, me(), lambda holder, beat: is_stale(holder, beat))
    if taken is not None:
        raise RunInUse(run_id, *taken)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_s):
            if not store.beat_lease(run_id, token):
                log.warning("run %s: its lease was taken over by another process", run_id)
                return

    thread = threading.Thread(target=beat, name=f"lease-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=heartbeat_s + 5)
        store.release_lease(run_id, token)
