"""The in-sandbox runner: PID 1 of every sandbox (a pool container, a bubblewrap namespace).

It is sent as *source* (``python3 -I -S -c SOURCE CONFIG``), so it uses the standard
library only and changing it never needs an image rebuild.

It talks to the host over a unix socket it dials at start (``connect`` in CONFIG; the
host listens on it, bound read-only into the sandbox) or else over its stdin/stdout.
Messages, both ways: one JSON header line, followed by
the raw bytes of each blob the header lists in ``blobs`` (``{"kind", "size", ...}``), in
order.  Work files and stdin travel as blobs, so a 50 MB stress input is streamed to its
file in chunks instead of being held (and base64-decoded) in memory.

Being PID 1 of its own pid namespace is what makes it trustworthy: processes inside the
namespace cannot kill it (not even with SIGKILL), ``kill(-1, SIGKILL)`` from it reaches
every other process in the namespace and nothing outside, and orphans are reparented
to it so it can reap them.  It also makes itself non-dumpable so that a candidate
running under the same uid cannot open ``/proc/1/fd/*`` (to forge replies) or read its
memory.

A session's work dir is *reset before every execution* to exactly its pristine set: the
files the host placed in the session, plus those an execution was asked to ``keep`` (a
build's output).  Content, permissions and times are restored, extended attributes
dropped, everything else removed; ``/tmp``, ``/dev/shm`` (and ``/dev/mqueue``) are
emptied, System V IPC objects and keyrings cleared, a writable ``/dev`` put back as it
was at start.  So nothing one execution leaves (a cache, an edited baseline, a
tampered input or harness) reaches the next.  The pristine copies live in the runner's
own memory (it is non-dumpable: no process of the sandbox can read or write it); an
unchanged file is proved unchanged by comparing its content with that copy, so only
tampered files are rewritten.

Requests (``op``):

- ``exec``: reset, place files, run argv with limits, collect files, add ``keep`` files to
  the pristine set; ``wipe`` empties everything afterwards (a one-shot execution, which
  keeps no pristine copies).
- ``wipe``: empty the scratch dirs and forget the pristine set (end of a session).
- ``ping``: answer (health check).

Each reply carries ``abnormal``: reasons the host should recycle this sandbox
(processes it could not kill, scratch space nearly full, an OOM kill), and ``reset``:
what the reset before the execution found and cost.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import stat
import sys
import time

PROTOCOL = 3
READ_CHUNK = 1 << 20
SCRATCH_FULL_FRACTION = 0.9
REAP_GRACE_S = 2.0
MAX_MATCHES = 1000  # files one collect pattern may bring back
# scratch folders emptied before every execution besides the configured ones, when writable
EXTRA_SCRATCH = ("/dev/mqueue",)
# writable folders that are not scratch (bubblewrap's /dev belongs to the sandbox uid)
STATIC_DIRS = ("/dev", "/")


_LIBC = None


def set_dumpable(flag: bool) -> None:
    import ctypes

    pr_set_dumpable = 4
    if libc().prctl(pr_set_dumpable, int(flag), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl(PR_SET_DUMPABLE, {int(flag)}) failed")


def open_dir(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


def find_memcg(candidates: list[str]) -> str | None:
    for path in candidates:
        if any(os.path.exists(os.path.join(path, f)) for f in ("memory.oom_control", "memory.events")):
            return path
    return None


def oom_kills(memcg: str | None) -> int | None:
    """The memory cgroup's ``oom_kill`` counter, v1 or v2 (None when no cgroup is visible)."""
    if not memcg:
        return None
    for name in ("memory.oom_control", "memory.events"):
        try:
            with open(os.path.join(memcg, name)) as fh:
                for line in fh:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return None


class Capped:
    """Keeps the first ``cap`` bytes of a stream and counts (but drops) the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[bytes] = []
        self.kept = 0
        self.truncated = False

    def feed(self, data: bytes) -> None:
        room = self.cap - self.kept
        if len(data) > room:
            self.truncated = True
            data = data[: max(room, 0)]
        if data:
            self.parts.append(data)
            self.kept += len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def open_work_file(workdir: str, rel: str, executable: bool) -> int:
    path = os.path.join(workdir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # a previous execution of the session may have left a symlink or a fifo here
    if os.path.lexists(path) and not os.path.isdir(path):
        os.unlink(path)
    mode = 0o755 if executable else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    os.fchmod(fd, mode)
    return fd


def read_blob(stream, size: int) -> bytearray:  # type: ignore[no-untyped-def]
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = stream.readinto(view[got:got + min(size - got, READ_CHUNK)])
        if not n:
            raise EOFError("the host closed the channel in the middle of a request")
        got += n
    return buf


def write_all(fd: int, data) -> None:  # type: ignore[no-untyped-def]
    view = memoryview(data)
    done = 0
    while done < len(view):
        done += os.write(fd, view[done:done + READ_CHUNK])


def receive_blobs(stream, blobs: list[dict], workdir: str, store: "WorkState | None" = None) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    """Stream each blob to its file (or to the stdin memfd); always consumes every byte so the
    channel stays in step, even after a write failed.  Returns (stdin fd, first error).

    With ``store`` (a session), each file is also added to the session's pristine set: it is
    read whole into memory, then written."""
    stdin_fd = os.memfd_create("stdin", 0)
    error = None
    for blob in blobs:
        if store is not None and blob["kind"] == "file":
            data = read_blob(stream, int(blob["size"]))
            if error is None:
                try:
                    fd = open_work_file(workdir, blob["name"], bool(blob.get("exec")))
                    try:
                        write_all(fd, data)
                        store.add(blob["name"], data, os.fstat(fd))
                    finally:
                        os.close(fd)
                except OSError as exc:
                    error = f"cannot write {blob['name']}: {exc.strerror}"
            continue
        target = None
        if error is None:
            try:
                if blob["kind"] == "stdin":
                    target = stdin_fd
                else:
                    target = open_work_file(workdir, blob["name"], bool(blob.get("exec")))
            except OSError as exc:
                error = f"cannot create {blob.get('name')}: {exc.strerror}"
        left = int(blob["size"])
        while left:
            chunk = stream.read(min(left, READ_CHUNK))
            if not chunk:
                raise EOFError("the host closed the channel in the middle of a request")
            left -= len(chunk)
            if target is not None and error is None:
                try:
                    os.write(target, chunk)
                except OSError as exc:
                    error = f"cannot write {blob.get('name', 'stdin')}: {exc.strerror}"
        if target is not None and target != stdin_fd:
            os.close(target)
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    return stdin_fd, error


def expand_patterns(workdir: str, names: list[str]) -> list[str]:
    """``names`` with each pattern (``*``, ``?``, ``[`` in its last part) replaced by the
    matching entries of its folder, sorted."""
    import fnmatch

    out: list[str] = []
    for rel in names:
        folder, last = os.path.split(rel)
        if not any(c in last for c in "*?["):
            out.append(rel)
            continue
        try:
            entries = sorted(os.listdir(os.path.join(workdir, folder) if folder else workdir))
        except OSError:
            continue
        out += [os.path.join(folder, e) for e in entries if fnmatch.fnmatchcase(e, last)][:MAX_MATCHES]
    return out


def collect_files(workdir: str, names: list[str], cap: int) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Open the regular files among ``names`` that are at most ``cap`` bytes: (name, fd, size).

    Only regular files (a fifo or a link to /dev/zero must not hang us); every process of
    the execution is dead by now, so the sizes cannot change before they are streamed.
    A name whose last part is a pattern (``_io/cg.out.*``) brings every match.
    """
    found: list[tuple[str, int, int]] = []
    skipped: list[str] = []
    for rel in expand_patterns(workdir, names):
        try:
            fd = os.open(os.path.join(workdir, rel), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            continue
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_size <= cap:
            found.append((rel, fd, info.st_size))
        else:
            os.close(fd)
            skipped.append(rel)
    return found, skipped


def remove_tree(top: str) -> None:
    """Remove a directory tree a candidate may have made hostile (mode 000 dirs, great depth)."""
    stack = [(top, False)]
    while stack:
        path, listed = stack.pop()
        if listed:
            try:
                os.rmdir(path)
            except OSError:
                pass
            continue
        if os.path.islink(path) or not os.path.isdir(path):
            try:
                os.unlink(path)
            except OSError:
                pass
            continue
        try:
            os.chmod(path, 0o700)  # it is ours: open it up again
            names = os.listdir(path)
        except OSError:
            names = []
        stack.append((path, True))
        stack.extend((os.path.join(path, name), False) for name in names)


def wipe(dirs: list[str]) -> list[str]:
    """Empty every scratch dir; returns what could not be removed."""
    left: list[str] = []
    for top in dirs:
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for name in names:
            path = os.path.join(top, name)
            remove_tree(path)
            if os.path.lexists(path):
                left.append(path)
    return left


# -- a session's pristine set, and the reset before every execution -------------------

DIR_MODE = 0o755
_COMPARE_BUF = bytearray(READ_CHUNK)


class ResetError(Exception):
    """The sandbox could not be brought back to its pristine state: it must not run anything."""


class Pristine:
    """One file of a session's pristine set: its bytes, mode and times, and the inode holding them."""

    __slots__ = ("data", "mode", "atime_ns", "mtime_ns", "ino")

    def __init__(self, data: bytearray, st: os.stat_result) -> None:
        self.data = data
        self.mode = stat.S_IMODE(st.st_mode) & 0o777
        self.atime_ns, self.mtime_ns, self.ino = st.st_atime_ns, st.st_mtime_ns, st.st_ino


def strip_xattrs(target) -> bool:  # type: ignore[no-untyped-def]
    """Drop every extended attribute of a path (never followed) or an fd; False when one stays.
    (tmpfs keeps ``user.*`` attributes: a same-uid cache that survives content checks.)"""
    follow = {} if isinstance(target, int) else {"follow_symlinks": False}
    try:
        names = os.listxattr(target, **follow)
    except OSError:
        return True  # not supported here: none can be set either
    for name in names:
        try:
            os.removexattr(target, name, **follow)
        except OSError:
            return False
    return True


def same_content(fd: int, data: bytearray) -> bool:
    """Whether the file open at ``fd`` holds exactly ``data`` (chunks compared with memcmp)."""
    view = memoryview(data)
    size = len(data)
    done = 0
    while done < size:
        n = min(READ_CHUNK, size - done)
        buf = _COMPARE_BUF if n == READ_CHUNK else bytearray(n)
        if os.readv(fd, [buf]) != n or buf != view[done:done + n]:
            return False
        done += n
    return os.read(fd, 1) == b""


def read_whole(fd: int, size: int) -> bytearray:
    buf = bytearray(size)
    view = memoryview(buf)
    done = 0
    while done < size:
        n = os.readv(fd, [view[done:]])
        if not n:
            return buf[:done]
        done += n
    return buf


class WorkState:
    """The pristine set of a session's work dir (files the host placed or asked to keep), held
    in the runner's memory, and the reset that brings the work dir back to it.

    ``root`` is the work dir as the runner reaches it: ``.`` once it has moved into it (a
    relative path never crosses the container's root file system, whose lookups can cost
    milliseconds under fuse-overlayfs)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.files: dict[str, Pristine] = {}
        self.kept_dirs: set[str] = set()
        self.epoch_ns = time.time_ns()  # the times every pristine folder is given back
        self._dirs: set[str] | None = None

    def path(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    @property
    def size(self) -> int:
        return sum(len(p.data) for p in self.files.values())

    def clear(self) -> None:
        self.files.clear()
        self.kept_dirs.clear()
        self._dirs = None

    def add(self, rel: str, data: bytearray, st: os.stat_result) -> None:
        self.files[os.path.normpath(rel)] = Pristine(data, st)
        self._dirs = None

    def dirs(self) -> set[str]:
        """Every folder the pristine set needs: the ancestors of its files and the kept folders."""
        if self._dirs is None:
            found: set[str] = set()
            for rel in [*(os.path.dirname(f) for f in self.files), *self.kept_dirs]:
                while rel and rel not in found:
                    found.add(rel)
                    rel = os.path.dirname(rel)
            self._dirs = found
        return self._dirs

    # -- the reset --------------------------------------------------------------------
    def reset(self, skip: set[str]) -> dict:
        """Bring the work dir back to the pristine set, leaving alone the names in ``skip``
        (the request is about to write them).  Returns what had to change."""
        wanted = self.dirs()
        restored: list[str] = []
        removed: list[str] = []
        seen: set[str] = set()
        stack = [""]
        while stack:
            folder = stack.pop()
            try:
                names = os.listdir(self.path(folder))
            except OSError as exc:
                raise ResetError(f"cannot list {folder or 'the work dir'}: {exc.strerror}") from exc
            for name in names:
                rel = os.path.join(folder, name) if folder else name
                path = self.path(rel)
                st = os.lstat(path)
                if rel in self.files and rel not in skip:
                    seen.add(rel)
                    if not self._intact(path, self.files[rel], st):
                        self._restore(rel)
                        restored.append(rel)
                elif rel in wanted and stat.S_ISDIR(st.st_mode) and self._fix_dir(path, st):
                    stack.append(rel)
                elif rel in skip and not stat.S_ISDIR(st.st_mode):
                    continue  # replaced by the request's own file
                else:
                    self._remove(path, rel)
                    removed.append(rel)
        for rel in sorted(wanted):  # parents before children
            path = self.path(rel)
            if not os.path.isdir(path):
                os.mkdir(path, DIR_MODE)
        for rel in self.files:
            if rel not in seen and rel not in skip:
                self._restore(rel)
                restored.append(rel)
        return {"restored": sorted(restored), "removed": sorted(removed)}

    def settle(self) -> None:
        """Give every pristine folder fixed times (after the request's files went in: adding
        an entry moves a folder's mtime), so no time carries a message between executions."""
        for rel in self.dirs():
            os.utime(self.path(rel), ns=(self.epoch_ns, self.epoch_ns), follow_symlinks=False)

    @staticmethod
    def _intact(path: str, want: Pristine, st: os.stat_result) -> bool:
        if (not stat.S_ISREG(st.st_mode) or st.st_ino != want.ino or st.st_nlink != 1
                or stat.S_IMODE(st.st_mode) != want.mode or st.st_size != len(want.data)):
            return False
        if not strip_xattrs(path):
            return False
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return False
        try:
            if not same_content(fd, want.data):
                return False
            # reading moved the atime, a tamperer may have set both: they carry nothing over
            os.utime(fd, ns=(want.atime_ns, want.mtime_ns))
        finally:
            os.close(fd)
        return True

    def _fix_dir(self, path: str, st: os.stat_result) -> bool:
        """A pristine folder: mode back to normal, attributes dropped (False: it had to go)."""
        if stat.S_IMODE(st.st_mode) != DIR_MODE:
            os.chmod(path, DIR_MODE)
        if strip_xattrs(path):
            return True
        self._remove(path, path)
        return False

    @staticmethod
    def _remove(path: str, rel: str) -> None:
        remove_tree(path)
        if os.path.lexists(path):
            raise ResetError(f"cannot remove {rel}")

    def _restore(self, rel: str) -> None:
        """Write the pristine copy as a new inode (no extra links, no attributes)."""
        want = self.files[rel]
        path = self.path(rel)
        parent = os.path.dirname(rel)
        if parent:
            os.makedirs(self.path(parent), DIR_MODE, exist_ok=True)
        if os.path.lexists(path):
            self._remove(path, rel)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, want.mode)
        except OSError as exc:
            raise ResetError(f"cannot restore {rel}: {exc.strerror}") from exc
        try:
            os.fchmod(fd, want.mode)
            write_all(fd, want.data)
            os.utime(fd, ns=(want.atime_ns, want.mtime_ns))
            want.ino = os.fstat(fd).st_ino
        except OSError as exc:
            raise ResetError(f"cannot restore {rel}: {exc.strerror}") from exc
        finally:
            os.close(fd)

    # -- keep -------------------------------------------------------------------------
    def keep(self, names: list[str], cap: int) -> dict[str, int]:
        """Add what an execution produced at ``names`` (files, or folders: all they hold) to
        the pristine set; returns the files added and their sizes."""
        kept: dict[str, int] = {}
        for name in names:
            rel = os.path.normpath(name)
            path = self.path(rel)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                self._keep_file(rel, cap, kept)
            elif stat.S_ISDIR(st.st_mode):
                self.kept_dirs.add(rel)
                for top, dirnames, filenames in os.walk(path):  # symlinks are not followed
                    here = os.path.relpath(top, self.root)
                    self.kept_dirs.update(os.path.join(here, d) for d in dirnames
                                          if not os.path.islink(os.path.join(top, d)))
                    for f in filenames:
                        self._keep_file(os.path.join(here, f), cap, kept)
        self._dirs = None
        return kept

    def _keep_file(self, rel: str, cap: int, kept: dict[str, int]) -> None:
        try:
            fd = os.open(self.path(rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_size <= cap:
                data = read_whole(fd, st.st_size)
                self.files[rel] = Pristine(data, st)
                kept[rel] = len(data)
        finally:
            os.close(fd)


class StaticDir:
    """A writable folder that is not scratch (bubblewrap's ``/dev``): put back as it was at start."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        self.entries: dict[str, tuple[str | None, int, int]] = {}  # name -> (link target, mode, uid)
        for name in os.listdir(self.fd):
            st = os.lstat(name, dir_fd=self.fd)
            target = os.readlink(name, dir_fd=self.fd) if stat.S_ISLNK(st.st_mode) else None
            self.entries[name] = (target, stat.S_IMODE(st.st_mode), st.st_uid)

    def reset(self) -> list[str]:
        changed = []
        for name in os.listdir(self.fd):
            if name not in self.entries:
                remove_tree(os.path.join(self.path, name))
                if os.path.lexists(os.path.join(self.path, name)):
                    raise ResetError(f"cannot remove {self.path}/{name}")
                changed.append(name)
        me = os.getuid()
        for name, (target, mode, uid) in self.entries.items():
            try:
                st = os.lstat(name, dir_fd=self.fd)
                now = os.readlink(name, dir_fd=self.fd) if stat.S_ISLNK(st.st_mode) else None
            except OSError:
                st, now = None, None
            if target is not None and now != target:
                if st is not None:
                    remove_tree(os.path.join(self.path, name))
                os.symlink(target, name, dir_fd=self.fd)
                changed.append(name)
            elif target is None and st is not None and uid == me and stat.S_IMODE(st.st_mode) != mode:
                os.chmod(os.path.join(self.path, name), mode)
                changed.append(name)
        return changed


class Top:
    """The root of a scratch or static folder, held open: its mode, attributes and times are
    put back when this uid owns it (bubblewrap's tmpfs roots are the sandbox uid's)."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self.fd = fd
        st = os.fstat(fd)
        self.mode = stat.S_IMODE(st.st_mode)
        self.owned = st.st_uid == os.getuid()

    def repair(self) -> None:
        if self.owned:
            if stat.S_IMODE(os.fstat(self.fd).st_mode) != self.mode:
                os.fchmod(self.fd, self.mode)
            strip_xattrs(self.fd)

    def settle(self, epoch_ns: int) -> None:
        if self.owned:
            os.utime(self.fd, ns=(epoch_ns, epoch_ns))


# System V IPC objects and keys outlive the processes that made them (the sandbox's ipc
# namespace and user keyrings live as long as the sandbox): both are cleared before each run
IPC_RMID = 0
KEYCTL_GET_PERSISTENT = 22
KEYCTL_CLEAR = 7
KEY_SPECS = (-3, -4, -5)  # session, user, user-session keyrings
KEYCTL_NR = {"x86_64": 250, "aarch64": 219, "riscv64": 219, "ppc64le": 280, "s390x": 280}


def libc():  # type: ignore[no-untyped-def]
    global _LIBC
    import ctypes

    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def clear_sysv_ipc(proc_fd: int | None) -> int:
    """Remove every System V shared memory segment, semaphore set and message queue this uid
    can see (the sandbox's own ipc namespace); returns how many."""
    if proc_fd is None:
        return 0
    lib = libc()
    removed = 0
    for kind in ("shm", "sem", "msg"):
        try:
            fd = os.open(kind, os.O_RDONLY, dir_fd=proc_fd)
        except OSError:
            continue
        try:
            text = b""
            while chunk := os.read(fd, 65536):
                text += chunk
        finally:
            os.close(fd)
        for line in text.decode(errors="replace").splitlines()[1:]:
            fields = line.split()
            if len(fields) < 2 or not fields[1].isdigit():
                continue
            ident = int(fields[1])
            if kind == "shm":
                done = lib.shmctl(ident, IPC_RMID, None)
            elif kind == "sem":
                done = lib.semctl(ident, 0, IPC_RMID)
            else:
                done = lib.msgctl(ident, IPC_RMID, None)
            removed += done == 0
    return removed


def clear_keyrings() -> None:
    """Empty the keyrings the next execution would share (where the kernel lets us use keys)."""
    nr = KEYCTL_NR.get(os.uname().machine)
    if nr is None:
        return
    lib = libc()
    for spec in KEY_SPECS:
        lib.syscall(nr, KEYCTL_CLEAR, spec)
    persistent = lib.syscall(nr, KEYCTL_GET_PERSISTENT, -1, -2)  # linked into our process keyring
    if persistent > 0:
        lib.syscall(nr, KEYCTL_CLEAR, persistent)


def other_pids() -> list[int]:
    me = os.getpid()
    return [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) != me]


def kill_everything_else() -> list[int]:
    """SIGKILL every other process of the namespace and reap them; returns survivors."""
    deadline = time.monotonic() + REAP_GRACE_S
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap_all()
        left = other_pids()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.005)


def reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Runner:
    def __init__(self, config: dict) -> None:
        self.workdir: str = config.get("workdir", "/work")
        self.scratch: list[str] = config.get("scratch", [self.workdir, "/tmp"])
        self.memcg = find_memcg(config.get("memcg", []))
        self.rlimit_as: bool = bool(config.get("rlimit_as", False))
        os.umask(0o022)  # the same modes on every backend, whatever started us
        try:
            os.chdir(self.workdir)
            here = "."
        except OSError:
            here = self.workdir
        self.state = WorkState(here)
        # every other folder is held open: listing an fd costs no path lookup
        self.tops: list[Top] = []
        for path in [*self.scratch, *EXTRA_SCRATCH]:
            fd = open_dir(path if path != self.workdir else here)
            if fd is not None and (path in self.scratch or os.access(path, os.W_OK)):
                self.tops.append(Top(path, fd))
            elif fd is not None:
                os.close(fd)
        self.static = [StaticDir(path) for path in STATIC_DIRS
                       if path not in self.scratch and os.path.isdir(path) and os.access(path, os.W_OK)]
        self.static_tops = [Top(d.path, d.fd) for d in self.static]
        self.proc_fd = open_dir("/proc")
        self.sysvipc_fd = open_dir("/proc/sysvipc")

    # -- the reset -------------------------------------------------------
    def reset(self, skip: set[str]) -> dict:
        """Before an execution: the work dir back to its pristine set, every other scratch
        folder empty, a writable /dev as at start, no IPC objects or keys left over."""
        for top in [*self.tops, *self.static_tops]:
            top.repair()
        report = self.state.reset(skip)
        for top in self.tops:
            if top.path == self.workdir or not os.listdir(top.fd):
                continue
            report["removed"] += [os.path.join(top.path, n) for n in os.listdir(top.fd)]
            wipe([top.path])
            if os.listdir(top.fd):
                raise ResetError(f"cannot empty {top.path}")
        for static in self.static:
            report["removed"] += [os.path.join(static.path, n) for n in static.reset()]
        report["ipc_removed"] = clear_sysv_ipc(self.sysvipc_fd)
        clear_keyrings()
        return report

    def settle(self, session: bool) -> None:
        """After the request's files are in: fixed times and modes on every folder we own."""
        if session:
            self.state.settle()
        for top in [*self.tops, *self.static_tops]:
            top.settle(self.state.epoch_ns)

    # -- one execution -------------------------------------------------
    def execute(self, req: dict, stdin_fd: int, reset: dict | None = None) -> tuple[dict, list]:
        import subprocess

        limits = req["limits"]
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        cpu_limit = max(1, int(-(-limits["cpu_s"] // 1)))
        nproc = int(limits["processes"]) + 1  # the runner itself shares the uid
        fsize = int(limits["file_size_bytes"])
        memory = int(limits["memory_mib"]) << 20
        use_as = self.rlimit_as
        proc_fd = self.proc_fd

        def child_setup() -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 1))
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if use_as:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            # no POSIX message queue may be made: it would outlive the execution
            resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
            # a non-dumpable process's /proc files belong to root; the exec resets this anyway
            set_dumpable(True)
            fd = os.open("self/oom_score_adj", os.O_WRONLY, dir_fd=proc_fd) if proc_fd is not None else \
                os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            os.write(fd, b"1000")
            os.close(fd)

        oom_before = oom_kills(self.memcg)
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        try:
            proc = subprocess.Popen(
                req["argv"],
                stdin=stdin_fd,
                stdout=out_w,
                stderr=err_w,
                cwd=None if self.state.root == "." else self.workdir,  # ours: no lookup
                env=req["env"],
                close_fds=True,
                start_new_session=True,
                restore_signals=True,
                preexec_fn=child_setup,
            )
        except OSError as exc:
            for fd in (out_r, out_w, err_r, err_w):
                os.close(fd)
            message = f"perfforge sandbox: cannot execute {req['argv'][0]!r}: {exc.strerror}\n".encode()
            return self._finish(req, {"exit_code": 127}, b"", message, oom_before, reset=reset)
        os.close(out_w)
        os.close(err_w)
        pid = proc.pid
        streams = {out_r: Capped(int(limits["output_bytes"])), err_r: Capped(int(limits["output_bytes"]))}
        status, usage, timed_out = self._wait(pid, streams, start + float(limits["wall_s"]))
        wall = time.monotonic() - start
        proc.returncode = 0  # reaped here; keeps Popen from waiting on a recycled pid
        survivors = kill_everything_else()
        self._drain(streams)
        for fd in streams:
            os.close(fd)
        usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= cpu_limit):
            timed_out = True
        out, err = streams[out_r], streams[err_r]
        result = {
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": sig,
            "timed_out": timed_out,
            "stdout_truncated": out.truncated,
            "stderr_truncated": err.truncated,
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_kib": usage.ru_maxrss if usage is not None else 0,
        }
        abnormal = [f"processes survived SIGKILL: {survivors}"] if survivors else []
        return self._finish(req, result, out.value(), err.value(), oom_before, abnormal, reset)

    def _wait(self, pid: int, streams: dict[int, Capped], deadline: float):  # type: ignore[no-untyped-def]
        """Read output until the command exits or the deadline passes (then kill everything)."""
        pidfd = os.pidfd_open(pid)
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        for fd in streams:
            poller.register(fd, select.POLLIN)
        open_fds = set(streams)
        timed_out = False
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    kill_everything_else_keep(pid)
                    break
                events = poller.poll(min(left, 1.0) * 1000)
                exited = False
                for fd, _ in events:
                    if fd == pidfd:
                        exited = True
                    elif fd in open_fds:
                        data = os.read(fd, READ_CHUNK)
                        if data:
                            streams[fd].feed(data)
                        else:
                            poller.unregister(fd)
                            open_fds.discard(fd)
                if exited:
                    break
            _, status, usage = os.wait4(pid, 0)
        finally:
            os.close(pidfd)
        return status, usage, timed_out

    @staticmethod
    def _drain(streams: dict[int, Capped]) -> None:
        # every writer is dead now: what is left in the pipes ends in EOF
        for fd, sink in streams.items():
            os.set_blocking(fd, False)
            while True:
                try:
                    data = os.read(fd, READ_CHUNK)
                except BlockingIOError:
                    break
                if not data:
                    break
                sink.feed(data)

    def _finish(self, req: dict, result: dict, stdout: bytes, stderr: bytes, oom_before: int | None,
                abnormal: list[str] | None = None, reset: dict | None = None) -> tuple[dict, list]:
        abnormal = list(abnormal or [])
        oom_after = oom_kills(self.memcg)
        result["oom_killed"] = oom_before is not None and oom_after is not None and oom_after > oom_before
        if result["oom_killed"]:
            abnormal.append("an OOM kill happened")
            result["timed_out"] = False
        limits = req["limits"]
        cap = int(limits["file_size_bytes"])
        files, skipped = collect_files(self.state.root, req.get("collect", []), cap)
        kept: dict[str, int] = {}
        if req.get("wipe"):
            abnormal += self.wipe_scratch()
        elif req.get("keep"):
            kept = self.state.keep(req["keep"], cap)
        abnormal += self.scratch_pressure()
        blobs = [({"kind": "stdout"}, stdout), ({"kind": "stderr"}, stderr)]
        blobs += [({"kind": "file", "name": name, "size": size}, fd) for name, fd, size in files]
        header = {"ok": True, "result": result, "abnormal": abnormal, "skipped": skipped, "kept": kept,
                  "reset": reset or {}, "store_bytes": self.state.size, **self.stats()}
        return header, blobs

    # -- housekeeping ----------------------------------------------------
    def wipe_scratch(self) -> list[str]:
        self.state.clear()
        left = wipe([self.state.root if p == self.workdir else p for p in self.scratch])
        return [f"could not remove {left[:5]}"] if left else []

    def scratch_pressure(self) -> list[str]:
        notes = []
        for top in self.tops:
            try:
                fs = os.fstatvfs(top.fd)
            except OSError:
                continue
            top = top.path
            if fs.f_blocks and (fs.f_blocks - fs.f_bavail) > SCRATCH_FULL_FRACTION * fs.f_blocks:
                notes.append(f"{top} is nearly full")
            if fs.f_files and (fs.f_files - fs.f_favail) > SCRATCH_FULL_FRACTION * fs.f_files:
                notes.append(f"{top} is nearly out of inodes")
        return notes

    @staticmethod
    def stats() -> dict:
        return {"runner_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}

    def handle_exec(self, req: dict, stream) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
        blobs = req.get("blobs", [])
        session = not req.get("wipe")
        started, cpu_started = time.monotonic(), time.process_time()
        try:
            report = self.reset({os.path.normpath(b["name"]) for b in blobs if b["kind"] == "file"})
        except (ResetError, OSError) as exc:
            for blob in blobs:  # the channel stays in step; the host discards this sandbox
                read_blob(stream, int(blob["size"]))
            return {"ok": False, "error": f"the sandbox could not be reset before the execution: {exc}"}, []
        stdin_fd, error = receive_blobs(stream, blobs, self.state.root, self.state if session else None)
        try:
            if error:
                return {"ok": False, "error": error}, []
            self.settle(session)
            report["seconds"] = time.monotonic() - started
            report["cpu_s"] = time.process_time() - cpu_started
            return self.execute(req, stdin_fd, report)
        finally:
            os.close(stdin_fd)

    def handle(self, req: dict, stream) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
        op = req.get("op")
        if op == "exec":
            return self.handle_exec(req, stream)
        if op == "wipe":
            survivors = kill_everything_else()
            abnormal = self.wipe_scratch() + self.scratch_pressure()
            try:
                self.reset(set())
            except (ResetError, OSError) as exc:
                abnormal.append(f"reset failed: {exc}")
            if survivors:
                abnormal.append(f"processes survived SIGKILL: {survivors}")
            return {"ok": True, "abnormal": abnormal, **self.stats()}, []
        if op == "ping":
            return {"ok": True, "abnormal": [], "pid": os.getpid(), "uid": os.getuid(), **self.stats()}, []
        return {"ok": False, "error": f"unknown op {op!r}"}, []


def send(out, header: dict, blobs: list) -> None:  # type: ignore[no-untyped-def]
    """Write a message; a blob is bytes, or an open fd (with its ``size`` in the meta) to stream and close."""
    header["blobs"] = [dict(meta, size=meta["size"] if isinstance(data, int) else len(data)) for meta, data in blobs]
    out.write(json.dumps(header).encode() + b"\n")
    for meta, data in blobs:
        if not isinstance(data, int):
            out.write(data)
            continue
        left = meta["size"]
        try:
            while left > 0:
                chunk = os.read(data, min(left, READ_CHUNK)) or b"\0" * min(left, READ_CHUNK)
                out.write(chunk)
                left -= len(chunk)
        finally:
            os.close(data)
    out.flush()


def kill_everything_else_keep(pid: int) -> None:
    """On timeout: kill the command's group, then everything else, but leave ``pid`` unreaped
    so that its status and rusage can still be collected with wait4."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def open_channel(path: str | None):  # type: ignore[no-untyped-def]
    """The host's end: a unix socket it listens on (bound read-only into the sandbox), or stdio."""
    if not path:
        return sys.stdin.buffer, sys.stdout.buffer
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock.makefile("rb"), sock.makefile("wb")


def main(argv: list[str]) -> int:
    config = json.loads(argv[0]) if argv else {}
    if os.getpid() != 1:
        # kill(-1) is only confined to the sandbox when we are its init
        sys.stderr.write("perfforge runner: refusing to run: not PID 1 of a pid namespace\n")
        return 3
    # no handler for SIGINT (Python installs one): the kernel then drops any signal that a
    # process inside the namespace sends to its init, and children inherit the default
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    set_dumpable(False)
    runner = Runner(config)
    runner.wipe_scratch()
    stream, out = open_channel(config.get("connect"))
    send(out, {"hello": PROTOCOL, "pid": os.getpid(), "uid": os.getuid(), "python": sys.version.split()[0]}, [])
    while True:
        line = stream.readline()
        if not line:
            break
        try:
            header, blobs = runner.handle(json.loads(line), stream)
        except EOFError:
            break
        except Exception as exc:  # noqa: BLE001 - reported to the host, which recycles us
            header, blobs = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}, []
        send(out, header, blobs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
