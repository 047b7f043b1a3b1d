"""How the local backend assembles a sandbox: a command line for bubblewrap, or for ``unshare``.

Either way the runner starts as PID 1 of fresh pid, network, mount, ipc and uts
namespaces, sees the host's system directories read-only (never a home, /root or a
project checkout), a private tmpfs at ``/work`` (the same path as in Docker: paths
shift instruction counts), ``/tmp`` and ``/dev/shm``, and a read-only root.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass

from sandbox.models import DEFAULT_PATH, WORKDIR

SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
# only what programs need from /etc: the loader cache, the alternatives (cc, c++), time zone, names
ETC_ENTRIES = (
    "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf",
    "passwd", "group", "os-release", "debian_version", "python3", "python3.11", "gcc",
)
DEVICES = ("null", "zero", "full", "random", "urandom")
SHM_MIB = 64
# where the isolation tools are looked up and run from (sbin too: chroot lives there)
HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MEMCG_INSIDE = "/sys/fs/cgroup/memory"


@dataclass(frozen=True)
class Layout:
    python: str
    runner_source: str
    runner_config: str
    workdir_mib: int
    tmp_mib: int
    memcg: str | None  # host path of the sandbox's memory cgroup, bound read-only inside


def runner_config(layout_memcg: str | None, rlimit_as: bool) -> str:
    import json

    return json.dumps({
        "workdir": WORKDIR,
        "scratch": [WORKDIR, "/tmp", "/dev/shm"],
        "memcg": [MEMCG_INSIDE] if layout_memcg else [],
        "rlimit_as": rlimit_as,
    })


def _system_entries() -> list[tuple[str, str | None]]:
    """(path, symlink target or None for a directory) for each top-level system dir present."""
    found = []
    for name in SYSTEM_DIRS:
        path = "/" + name
        if os.path.islink(path):
            found.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            found.append((path, None))
    return found


def bwrap_argv(layout: Layout) -> list[str]:
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--as-pid-1",
            "--cap-drop", "ALL", "--hostname", "sandbox"]
    for path, target in _system_entries():
        argv += ["--symlink", target, path] if target else ["--ro-bind", path, path]
    for name in ETC_ENTRIES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    for path, mib in ((WORKDIR, layout.workdir_mib), ("/tmp", layout.tmp_mib), ("/dev/shm", SHM_MIB)):
        argv += ["--perms", "1777", "--size", str(mib << 20), "--tmpfs", path]
    if layout.memcg:
        argv += ["--ro-bind", layout.memcg, MEMCG_INSIDE]
    argv += ["--remount-ro", "/", "--chdir", WORKDIR, "--clearenv", "--setenv", "PATH", DEFAULT_PATH]
    return argv + ["--", layout.python, "-I", "-S", "-c", layout.runner_source, layout.runner_config]


def unshare_argv(layout: Layout, uid: int | None) -> list[str]:
    """``unshare`` + a mount script; ``uid`` None means 'not root': map the caller to root of a user ns."""
    q = shlex.quote
    root = "/tmp"  # a tmpfs mounted over /tmp inside the private mount namespace becomes the new root
    lines = ["set -eu", "mount --make-rprivate /", f"mount -t tmpfs -o mode=755 perfforge {root}"]
    for path, target in _system_entries():
        if target:
            lines.append(f"ln -s {q(target)} {root}{path}")
        else:
            lines += [f"mkdir -p {root}{path}", f"mount --rbind {path} {root}{path}",
                      f"mount -o remount,bind,ro {root}{path}"]
    for name in ETC_ENTRIES:
        src = f"/etc/{name}"
        if not os.path.exists(src):
            continue
        make = f"mkdir -p {root}{src}" if os.path.isdir(src) else f"touch {root}{src}"
        lines += [f"mkdir -p {root}/etc", make, f"mount --rbind {src} {root}{src}",
                  f"mount -o remount,bind,ro {root}{src}"]
    lines += [f"mkdir -p {root}/proc", f"mount -t proc proc {root}/proc",
              f"mkdir -p {root}/dev", f"mount -t tmpfs -o mode=755,nosuid tmpfs {root}/dev"]
    for dev in DEVICES:
        lines += [f"touch {root}/dev/{dev}", f"mount --bind /dev/{dev} {root}/dev/{dev}"]
    for path, mib in ((WORKDIR, layout.workdir_mib), ("/tmp", layout.tmp_mib), ("/dev/shm", SHM_MIB)):
        lines += [f"mkdir -p {root}{path}", f"mount -t tmpfs -o size={mib}m,mode=1777,nosuid,nodev tmpfs {root}{path}"]
    if layout.memcg:
        lines += [f"mkdir -p {root}{MEMCG_INSIDE}", f"mount --bind {q(layout.memcg)} {root}{MEMCG_INSIDE}",
                  f"mount -o remount,bind,ro {root}{MEMCG_INSIDE}"]
    lines.append(f"mount -o remount,bind,ro {root}")
    drop = ["setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
    if uid is not None:
        drop += [f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    runner = [layout.python, "-I", "-S", "-c", layout.runner_source, layout.runner_config]
    lines.append(f"cd {root}{WORKDIR}")
    lines.append(f"exec chroot {root} env -i PATH={DEFAULT_PATH} " + " ".join(q(a) for a in drop + ["--"] + runner))
    script = "\n".join(lines)
    userns = [] if uid is not None else ["--user", "--map-root-user"]
    return ["unshare", *userns, "--net", "--pid", "--mount", "--ipc", "--uts", "--fork", "--kill-child",
            "--", "/bin/sh", "-c", script]


def missing_tools(method: str) -> list[str]:
    tools = {"bwrap": ["bwrap"], "unshare": ["unshare", "setpriv", "chroot", "mount"]}[method]
    return [tool for tool in tools if shutil.which(tool, path=HOST_PATH) is None]
