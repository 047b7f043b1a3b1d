"""The machine fingerprint recorded with every measurement, and the refusal to compare
measurements that were not taken under the same conditions (pyperf's habit).

A speedup measured on one machine says little about another: the same task's reference
speedups reproduce across machines for only a minority of tasks, and two Python builds
differ by ~25% on the same script.  So every measurement carries a :class:`Fingerprint`
(and, in a :class:`RunContext`, the backend, image, interpreter and compiler it ran
with), and :func:`comparable` refuses pairs that differ in anything that moves timings
or counts.

``Fingerprint.id`` is a short hash over the fields that matter for comparability
(:data:`IDENTITY_FIELDS`); the rest (docker server version, usable cores, RAPL/NVML
presence) is recorded for the reader but does not change the id.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import json
import os
import platform
import signal
import struct
import subprocess
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from evaluators.energy import detect_sources

IDENTITY_FIELDS: tuple[str, ...] = (
    "cpu_model",
    "logical_cores",
    "arch",
    "memory_gib",
    "kernel",
    "virtualization",
    "python",
    "pmu",
)
"""What makes two measurements comparable; the id hashes exactly these."""

# perf_event_open(2): syscall numbers and the ABI constants used for the probe
_PERF_EVENT_OPEN = {"x86_64": 298, "aarch64": 241, "riscv64": 241, "i686": 336, "ppc64le": 319, "s390x": 331}
PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE = 0, 1
PERF_COUNT_HW_INSTRUCTIONS = 1
PERF_COUNT_SW_TASK_CLOCK = 1
_PERF_ATTR_SIZE_VER0 = 64
_FLAG_DISABLED, _FLAG_EXCLUDE_KERNEL, _FLAG_EXCLUDE_HV = 1 << 0, 1 << 5, 1 << 6
_IOC_ENABLE, _IOC_DISABLE = 0x2400, 0x2401

DOCKER_TIMEOUT_S = 5.0


class Fingerprint(BaseModel):
    """Where a measurement was taken."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="short hash over IDENTITY_FIELDS")
    cpu_model: str
    logical_cores: int
    usable_cores: int = Field(description="cores this process may run on (affinity / cpuset)")
    arch: str
    memory_gib: int = Field(description="total memory, rounded to GiB")
    kernel: str
    os: str
    virtualization: str = Field(description="'none', or the hints found: hypervisor, container")
    python: str = Field(description="host interpreter: implementation, version, build, compiler")
    pmu: bool = Field(description="perf_event_open counts PERF_COUNT_HW_INSTRUCTIONS here")
    pmu_detail: str
    rapl: bool
    nvml: bool
    docker_server: str | None = Field(default=None, description="docker engine version, None when not reachable or not asked")


class RunContext(BaseModel):
    """A fingerprint plus what the measured code ran with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: Fingerprint
    backend: str = ""
    image: str = Field(default="", description="sandbox image id (docker) or host description (local)")
    interpreter: str = Field(default="", description="the interpreter inside the sandbox, e.g. 'CPython 3.11.2'")
    compiler: str = Field(default="", description="the compiler inside the sandbox, e.g. 'gcc 12.2.0'")


# ---------------------------------------------------------------------------------------
# probes


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu_model(cpuinfo: str) -> str:
    for key in ("model name", "Hardware", "cpu model", "uarch"):
        for line in cpuinfo.splitlines():
            if line.split(":")[0].strip() == key and ":" in line:
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib(meminfo: str) -> int:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20)
    return 0


def _os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return platform.system()


def _virtualization(cpuinfo: str) -> str:
    hints = []
    if any(line.startswith("flags") and " hypervisor" in line for line in cpuinfo.splitlines()):
        hints.append("hypervisor")
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        hints.append("container")
    return "+".join(hints) or "none"


def _python() -> str:
    build, date = platform.python_build()
    return f"{platform.python_implementation()} {platform.python_version()} ({build}, {date}; {platform.python_compiler()})"


def count_event(event_type: int, config: int) -> tuple[int | None, str]:
    """Count one perf event over a little work in this process, through the raw
    perf_event_open syscall (user space only).  Returns (count, "") or (None, why)."""
    number = _PERF_EVENT_OPEN.get(platform.machine())
    if number is None:
        return None, f"perf_event_open: syscall number unknown for {platform.machine()}"
    # struct perf_event_attr, first version (64 bytes): type, size, config, sample_period,
    # sample_type, read_format, flag bits, wakeup_events, bp_type, config1
    attr = struct.pack(
        "=IIQQQQQIIQ",
        event_type,
        _PERF_ATTR_SIZE_VER0,
        config,
        0,
        0,
        0,
        _FLAG_DISABLED | _FLAG_EXCLUDE_KERNEL | _FLAG_EXCLUDE_HV,
        0,
        0,
        0,
    )
    buffer = ctypes.create_string_buffer(attr, len(attr))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(
        ctypes.c_long(number), buffer, ctypes.c_long(0), ctypes.c_long(-1), ctypes.c_long(-1), ctypes.c_ulong(0)
    )
    if fd < 0:
        code = ctypes.get_errno()
        return None, f"failed: {errno.errorcode.get(code, str(code))} ({os.strerror(code)})"
    try:
        import fcntl

        fcntl.ioctl(fd, _IOC_ENABLE, 0)
        sum(range(100_000))
        fcntl.ioctl(fd, _IOC_DISABLE, 0)
        (count,) = struct.unpack("=Q", os.read(fd, 8))
    except OSError as exc:
        return None, f"opened but could not be read: {exc}"
    finally:
        os.close(fd)
    return count, ""


def probe_pmu() -> tuple[bool, str]:
    """Whether a hardware instruction counter works for this process, and what happened.
    A non-zero count is required: some VMs accept the open and then count nothing."""
    count, why = count_event(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS)
    event = "perf_event_open(PERF_COUNT_HW_INSTRUCTIONS)"
    if count is None:
        return False, f"{event} {why}"
    if count == 0:
        return False, f"{event} opened but counted 0 instructions (no virtual PMU)"
    return True, f"{event} counts instructions ({count} for a probe loop)"


def docker_server_version(timeout_s: float = DOCKER_TIMEOUT_S) -> str | None:
    """The docker engine's version, or None when the CLI is missing or the engine does not
    answer within ``timeout_s`` (the whole process group is killed then)."""
    try:
        proc = subprocess.Popen(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
        )
    except OSError:
        return None
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    version = out.strip()
    return version if proc.returncode == 0 and version else None


# ---------------------------------------------------------------------------------------
# the fingerprint


def fingerprint_id(fields: dict[str, object]) -> str:
    """12 hex digits of sha256 over the identity fields, canonical JSON."""
    identity = {name: fields[name] for name in IDENTITY_FIELDS}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=2)
def machine_fingerprint(*, docker: bool = True) -> Fingerprint:
    """This machine's fingerprint, probed once per process (``docker=False`` skips the
    engine query, which may take up to :data:`DOCKER_TIMEOUT_S`)."""
    cpuinfo = _read("/proc/cpuinfo")
    pmu, pmu_detail = probe_pmu()
    sources = detect_sources()
    fields: dict[str, object] = {
        "cpu_model": _cpu_model(cpuinfo),
        "logical_cores": os.cpu_count() or 0,
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0),
        "arch": platform.machine(),
        "memory_gib": _memory_gib(_read("/proc/meminfo")),
        "kernel": platform.release(),
        "os": _os_name(),
        "virtualization": _virtualization(cpuinfo),
        "python": _python(),
        "pmu": pmu,
        "pmu_detail": pmu_detail,
        "rapl": bool(sources.rapl),
        "nvml": sources.nvml_devices > 0,
        "docker_server": docker_server_version() if docker else None,
    }
    return Fingerprint.model_validate({**fields, "id": fingerprint_id(fields)})


def comparable(a: Fingerprint | RunContext, b: Fingerprint | RunContext) -> tuple[bool, list[str]]:
    """Whether two measurements may be compared, and every reason they may not.

    Fingerprints must agree on :data:`IDENTITY_FIELDS`.  Run contexts must also agree
    on backend, image, interpreter and compiler; a plain fingerprint compared with a
    context is checked on the machine only.
    """
    fa = a.fingerprint if isinstance(a, RunContext) else a
    fb = b.fingerprint if isinstance(b, RunContext) else b
    reasons = [
        f"{name} differs: {getattr(fa, name)!r} vs {getattr(fb, name)!r}"
        for name in IDENTITY_FIELDS
        if getattr(fa, name) != getattr(fb, name)
    ]
    if isinstance(a, RunContext) and isinstance(b, RunContext):
        reasons += [
            f"{name} differs: {getattr(a, name)!r} vs {getattr(b, name)!r}"
            for name in ("backend", "image", "interpreter", "compiler")
            if getattr(a, name) != getattr(b, name)
        ]
    return not reasons, reasons

