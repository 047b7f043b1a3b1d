"""A session's executions cannot pass anything to each other: before every execution the work
dir is reset to exactly what the host placed (plus what it asked to keep), and every other
place a candidate could stash a cache is emptied.  Both backends, the real engine.

The hostile candidate runs as the same uid as everything else in the sandbox, so it can
write, truncate, chmod, replace, hard-link, mmap and set attributes and times on every
file of the session; none of it may reach a later execution, and files it left alone are
proved unchanged without being rewritten (their inode stays).
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from sandbox import ExecSpec, Limits

PROGRAM = b"import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
HARNESS = b"# the harness\n" + b"x = 1\n" * 2000
INPUT = os.urandom(1 << 20)  # a staged input of a typical measurement
CANDIDATE = b"print('candidate')\n"
PLACED = {"base/prog.py": PROGRAM, "_pf/harness.py": HARNESS, "_io/stress.bin": INPUT, "cand/prog.py": CANDIDATE}

# what the checking execution reports for each placed file, and what must be absent
INSPECT = r"""
import hashlib, json, os, stat, sys
names = json.loads(sys.argv[1])
out = {}
for name in names:
    st = os.lstat(name)
    kind = "file" if stat.S_ISREG(st.st_mode) else "other"
    data = open(name, "rb").read() if kind == "file" and st.st_mode & 0o400 else b""
    out[name] = {"kind": kind, "sha": hashlib.sha256(data).hexdigest(), "mode": stat.S_IMODE(st.st_mode),
                 "links": st.st_nlink, "xattrs": os.listxattr(name, follow_symlinks=False),
                 "mtime": st.st_mtime_ns, "ino": st.st_ino}
dirs = {d: stat.S_IMODE(os.lstat(d).st_mode) for d in ("base", "_pf", "_io", "cand")}
extra = sorted(os.path.join(r, f) for r, ds, fs in os.walk(".") for f in fs + [d for d in ds if os.path.islink(os.path.join(r, d))])
print(json.dumps({"files": out, "dirs": dirs, "all": extra, "tmp": sorted(os.listdir("/tmp")),
                  "shm": sorted(os.listdir("/dev/shm"))}))
"""

# one tampering per entry: (label, shell or python code run by the hostile candidate)
TAMPERINGS = [
    ("overwrite the baseline", "sh", "echo 'print(\"fake\")' > base/prog.py"),
    ("append to the harness", "sh", "echo 'import os' >> _pf/harness.py"),
    ("truncate the input", "sh", "truncate -s 1000 _io/stress.bin"),
    ("same size, mtime put back", "py",
     "import os\nst = os.stat('base/prog.py')\nopen('base/prog.py', 'r+b').write(b'#' * st.st_size)\n"
     "os.utime('base/prog.py', ns=(st.st_atime_ns, st.st_mtime_ns))"),
    ("one byte through mmap", "py",
     "import mmap, os\nfd = os.open('_io/stress.bin', os.O_RDWR)\nm = mmap.mmap(fd, 0)\nm[100] ^= 0xFF\nm.close()"),
    ("chmod the program and a folder", "sh", "chmod 000 base/prog.py; chmod 000 _io"),
    ("replace by a symlink", "sh", "rm base/prog.py; ln -s /etc/passwd base/prog.py"),
    ("replace by a folder", "sh", "rm _pf/harness.py; mkdir -p _pf/harness.py/x"),
    ("delete everything", "sh", "rm -rf /work/* /work/.[!.]*"),
    ("swap a folder for a link", "sh", "mv _io /tmp/io; ln -s /tmp/io _io"),
    ("write through a hard link", "sh", "ln _io/stress.bin alias; echo tampered >> alias"),
    ("its own source", "sh", "echo 'print(\"cached answer\")' > cand/prog.py"),
    ("attributes and times", "py",
     "import os\nos.setxattr('_io/stress.bin', 'user.cache', b'42')\nos.setxattr('_io', 'user.cache', b'42')\n"
     "os.utime('base/prog.py', ns=(4242, 4242))\nos.utime('_pf', ns=(4343, 4343))"),
]


def _spec(kind: str, code: str, **fields) -> ExecSpec:
    argv = ["sh", "-c", code] if kind == "sh" else ["python3", "-c", code]
    return ExecSpec(argv=argv, limits=Limits(wall_s=30), **fields)


def _inspect(session) -> dict:
    res = session.run(ExecSpec(argv=["python3", "-c", INSPECT, json.dumps(sorted(PLACED))], limits=Limits(wall_s=30)))
    assert res.ok, res.stderr
    return json.loads(res.stdout)


def _expected(state: dict) -> None:
    for name, data in PLACED.items():
        got = state["files"][name]
        assert got["kind"] == "file" and got["sha"] == hashlib.sha256(data).hexdigest(), name
        assert got["mode"] == 0o644 and got["links"] == 1 and got["xattrs"] == [], (name, got)
    assert set(state["dirs"].values()) == {0o755}, state["dirs"]
    assert state["all"] == sorted(f"./{n}" for n in PLACED), state["all"]
    assert state["tmp"] == [] and state["shm"] == []


def test_tampering_with_placed_files_never_reaches_the_next_execution(sandbox):
    with sandbox.session() as session:
        placed = session.run(ExecSpec(argv=["true"], files=PLACED))
        assert placed.ok
        pristine = _inspect(session)
        _expected(pristine)
        for label, kind, code in TAMPERINGS:
            done = session.run(_spec(kind, code))
            assert done.ok, (label, done.stderr)
            after = _inspect(session)
            _expected(after)
            # times are given back too: an mtime (or atime) carries nothing over
            assert {n: f["mtime"] for n, f in after["files"].items()} == \
                {n: f["mtime"] for n, f in pristine["files"].items()}, label


def test_untouched_files_are_proved_unchanged_not_rewritten(sandbox):
    with sandbox.session() as session:
        session.run(ExecSpec(argv=["true"], files=PLACED))
        first = _inspect(session)
        for _ in range(3):
            assert session.run(ExecSpec(argv=["sh", "-c", "cat _io/stress.bin base/prog.py > /dev/null"])).ok
        again = _inspect(session)
        assert {n: f["ino"] for n, f in again["files"].items()} == {n: f["ino"] for n, f in first["files"].items()}
        session.run(_spec("sh", "echo x >> _io/stress.bin"))
        healed = _inspect(session)
        assert healed["files"]["_io/stress.bin"]["ino"] != first["files"]["_io/stress.bin"]["ino"]
        assert healed["files"]["base/prog.py"]["ino"] == first["files"]["base/prog.py"]["ino"]
        _expected(healed)


# the hostile candidate: stores a value in every place it can reach, and reports what an
# earlier execution stored.  Each channel is a (store, load) pair.
CACHE = r"""
import ctypes, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
MARK = b"cached-42"
FILES = ["/work/.cache", "/work/cand/.cache", "/work/_io/answer.cache", "/tmp/cache", "/dev/shm/cache", "/dev/cache"]
KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(os.uname().machine)

def store_file(p):
    with open(p, "wb") as fh:
        fh.write(MARK)

def load_file(p):
    with open(p, "rb") as fh:
        return fh.read() == MARK

def store_xattr(p):
    os.setxattr(p, "user.cache", MARK)

def load_xattr(p):
    return os.getxattr(p, "user.cache") == MARK

def store_atime():
    st = os.stat("/work/_io/stress.bin")
    os.utime("/work/_io/stress.bin", ns=(424242, st.st_mtime_ns))

def load_atime():
    return os.stat("/work/_io/stress.bin").st_atime_ns == 424242

def store_dir_time():
    os.utime("/work/base", ns=(434343, 434343))

def load_dir_time():
    return os.stat("/work/base").st_mtime_ns == 434343

def store_append():
    with open("/work/_io/stress.bin", "ab") as fh:
        fh.write(MARK)

def load_append():
    with open("/work/_io/stress.bin", "rb") as fh:
        return fh.read().endswith(MARK)

def store_shm():
    ident = libc.shmget(0x5EED, 4096, 0o1000 | 0o600)
    if ident < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    libc.shmat.restype = ctypes.c_void_p
    addr = libc.shmat(ident, None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat")
    ctypes.memmove(addr, MARK, len(MARK))

def load_shm():
    return libc.shmget(0x5EED, 0, 0) >= 0

def store_mq():
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    if rt.mq_open(b"/pfcache", os.O_CREAT | os.O_RDWR, 0o600, None) < 0:
        raise OSError(ctypes.get_errno(), "mq_open")

def load_mq():
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    return rt.mq_open(b"/pfcache", os.O_RDONLY) >= 0

def store_key():
    if KEYCTL is None or libc.syscall(KEYCTL[0], b"user", b"pfcache", MARK, len(MARK), -4) < 0:
        raise OSError(ctypes.get_errno(), "add_key")

def load_key():
    return KEYCTL is not None and libc.syscall(KEYCTL[1], 10, -4, b"user", b"pfcache", 0) > 0

channels = {p: (lambda p=p: store_file(p), lambda p=p: load_file(p)) for p in FILES}
channels.update({
    "xattr on an input": (lambda: store_xattr("/work/_io/stress.bin"), lambda: load_xattr("/work/_io/stress.bin")),
    "xattr on a folder": (lambda: store_xattr("/work/_io"), lambda: load_xattr("/work/_io")),
    "atime of an input": (store_atime, load_atime),
    "mtime of a folder": (store_dir_time, load_dir_time),
    "tail of an input": (store_append, load_append),
    "sysv shm": (store_shm, load_shm),
    "posix mq": (store_mq, load_mq),
    "user keyring": (store_key, load_key),
})
report = {}
for name, (store, load) in channels.items():
    try:
        found = bool(load())
    except OSError:
        found = False
    try:
        store()
        stored = load()
    except OSError:
        stored = False
    report[name] = {"found": found, "stored": stored}
print(json.dumps(report))
"""

# where any sandbox lets the candidate write: each must have worked, or the test proves nothing
ALWAYS_WRITABLE = ["/work/.cache", "/work/cand/.cache", "/work/_io/answer.cache", "/tmp/cache", "/dev/shm/cache",
                   "atime of an input", "mtime of a folder", "tail of an input", "sysv shm"]


def test_a_cache_stored_anywhere_is_gone_in_the_next_execution(sandbox):
    with sandbox.session() as session:
        session.run(ExecSpec(argv=["true"], files=PLACED))
        reports = []
        for _ in range(3):
            res = session.run(ExecSpec(argv=["python3", "-c", CACHE], limits=Limits(wall_s=30)))
            assert res.ok, res.stderr
            reports.append(json.loads(res.stdout))
        for report in reports:
            assert not [name for name, r in report.items() if r["found"]], report
            assert all(report[name]["stored"] for name in ALWAYS_WRITABLE), report
        _expected(_inspect(session))


def test_a_build_output_marked_keep_survives_and_is_restored_when_tampered_with(sandbox):
    source = b"#include <stdio.h>\nint main(void) { puts(\"built\"); return 0; }\n"
    with sandbox.session() as session:
        build = session.run(ExecSpec(argv=["sh", "-c", "mkdir -p bin && gcc -O1 -o bin/p src/p.c && gcc -o stray src/p.c"],
                                     files={"src/p.c": source}, keep=["bin/p"], limits=Limits(wall_s=60)))
        assert build.ok, build.stderr
        assert session.run(ExecSpec(argv=["bin/p"])).stdout == b"built\n"
        # produced but not kept: gone
        assert session.run(ExecSpec(argv=["ls", "-A"])).stdout == b"bin\nsrc\n"
        session.run(ExecSpec(argv=["sh", "-c", "printf '#!/bin/sh\\necho fake\\n' > bin/p"]))
        assert session.run(ExecSpec(argv=["bin/p"])).stdout == b"built\n"
        # a kept folder keeps everything it holds (compiled bytecode, say)
        made = session.run(ExecSpec(argv=["python3", "-m", "compileall", "-q", "pkg"],
                                    files={"pkg/mod.py": b"X = 1\n"}, keep=["pkg/__pycache__"]))
        assert made.ok, made.stderr
        listed = session.run(ExecSpec(argv=["sh", "-c", "ls pkg/__pycache__ | sed 's/cpython-[0-9]*/cpython/'"]))
        assert listed.stdout == b"mod.cpython.pyc\n"


def test_files_held_in_a_session_do_not_eat_the_commands_memory(sandbox):
    big = os.urandom(48 << 20)
    grab = "b = bytearray(110 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('ok')"
    with sandbox.session() as session:
        # the work dir's copy and the runner's pristine copy (96 MB) on top of the command's 110 MiB
        res = session.run(ExecSpec(argv=["python3", "-c", grab], files={"_io/big.bin": big},
                                   limits=Limits(memory_mib=160, wall_s=60)))
        assert res.ok and res.stdout == b"ok\n", (res.describe(), res.stderr[-300:])
        assert session._worker.store_bytes == len(big)
        # the command's own limit still holds
        hog = session.run(ExecSpec(argv=["python3", "-c", grab.replace("110", "400")],
                                   limits=Limits(memory_mib=160, wall_s=60)))
        assert not hog.ok and (hog.oom_killed or hog.exit_code != 0)


@pytest.mark.parametrize("pattern, expected", [("out/*.txt", ["out/a.txt", "out/b.txt"]), ("out/c?", ["out/c1"])])
def test_collect_patterns_bring_every_match(sandbox, pattern, expected):
    res = sandbox.run(ExecSpec(argv=["sh", "-c", "mkdir out; touch out/a.txt out/b.txt out/c1 out/c22"],
                               collect=[pattern]))
    assert sorted(res.files) == expected


# -- the reset itself, on a plain folder (no sandbox needed) ------------------------------------


def _state_with(tmp_path, files: dict[str, bytes]):
    from sandbox.runner import WorkState, open_work_file, write_all

    state = WorkState(str(tmp_path))
    for name, data in files.items():
        fd = open_work_file(str(tmp_path), name, False)
        write_all(fd, data)
        state.add(name, bytearray(data), os.fstat(fd))
        os.close(fd)
    return state


def test_reset_undoes_a_hostile_tree_and_reports_what_it_changed(tmp_path):
    state = _state_with(tmp_path, {"a/b/prog.py": b"print(1)\n", "in.bin": b"\x00" * 5000, "keep/me": b"k"})
    (tmp_path / "a/b/prog.py").write_bytes(b"evil")
    (tmp_path / "a/b/cache").mkdir()
    (tmp_path / "a/b/cache/x").write_bytes(b"1")
    (tmp_path / "in.bin").unlink()
    (tmp_path / "in.bin").symlink_to("/etc/passwd")
    (tmp_path / "keep").chmod(0)
    (tmp_path / "stray").write_bytes(b"s")
    report = state.reset(skip={"new.txt"})
    assert report == {"restored": ["a/b/prog.py", "in.bin"], "removed": ["a/b/cache", "stray"]}
    assert (tmp_path / "a/b/prog.py").read_bytes() == b"print(1)\n"
    assert not (tmp_path / "in.bin").is_symlink() and (tmp_path / "in.bin").read_bytes() == b"\x00" * 5000
    assert (tmp_path / "keep/me").read_bytes() == b"k"
    assert state.reset(skip=set()) == {"restored": [], "removed": []}


def test_keep_adds_files_and_folders_to_the_pristine_set(tmp_path):
    state = _state_with(tmp_path, {"src/p.c": b"int main;"})
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/p").write_bytes(b"\x7fELF")
    (tmp_path / "cache/sub").mkdir(parents=True)
    (tmp_path / "cache/sub/a.pyc").write_bytes(b"pyc")
    (tmp_path / "other").write_bytes(b"not kept")
    assert state.keep(["bin/p", "cache", "missing"], cap=1 << 20) == {"bin/p": 4, "cache/sub/a.pyc": 3}
    (tmp_path / "bin/p").write_bytes(b"fake")
    report = state.reset(skip=set())
    assert report == {"restored": ["bin/p"], "removed": ["other"]}
    assert (tmp_path / "cache/sub/a.pyc").read_bytes() == b"pyc"


def test_the_runner_still_fits_in_one_argument():
    # it travels as `python3 -c SOURCE`: Linux refuses a single argument over 128 KiB
    from sandbox.worker import RUNNER_SOURCE

    assert len(RUNNER_SOURCE.encode()) < 128 * 1024
