"""The machine fingerprint on this machine, its id, and the refusal to compare."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from evaluators.energy import detect_sources
from evaluators.fingerprint import (
    IDENTITY_FIELDS,
    PERF_COUNT_SW_TASK_CLOCK,
    PERF_TYPE_SOFTWARE,
    RunContext,
    comparable,
    count_event,
    docker_server_version,
    fingerprint_id,
    machine_fingerprint,
    probe_pmu,
)


def test_fingerprint_describes_this_machine() -> None:
    fp = machine_fingerprint(docker=False)
    assert re.fullmatch(r"[0-9a-f]{12}", fp.id)
    assert fp.logical_cores == os.cpu_count()
    assert 1 <= fp.usable_cores <= fp.logical_cores
    assert fp.arch == platform.machine() and fp.kernel == platform.release()
    meminfo_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    assert fp.memory_gib == round(meminfo_kib / 2**20) > 0
    assert fp.python.startswith(f"{platform.python_implementation()} {platform.python_version()} (")
    assert fp.cpu_model and fp.cpu_model != "unknown"
    assert fp.rapl == bool(detect_sources().rapl)
    assert fp.docker_server is None  # not asked


def test_id_hashes_exactly_the_identity_fields() -> None:
    fp = machine_fingerprint(docker=False)
    fields = fp.model_dump()
    assert fp.id == fingerprint_id(fields)
    machine_fingerprint.cache_clear()
    assert machine_fingerprint(docker=False).id == fp.id  # stable across probes
    for name in IDENTITY_FIELDS:
        changed = {**fields, name: "something else"}
        assert fingerprint_id(changed) != fp.id, name
    for name in ("docker_server", "usable_cores", "rapl", "nvml", "os", "pmu_detail"):
        assert fingerprint_id({**fields, name: "something else"}) == fp.id, name


def test_perf_event_open_plumbing_counts_a_software_event() -> None:
    # the task clock exists without a PMU: it proves the attr layout, ioctls and read
    count, why = count_event(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK)
    if count is None and ("EACCES" in why or "EPERM" in why):
        pytest.skip(f"perf events are not permitted here: {why}")
    assert why == "" and count is not None and count > 0


def test_pmu_probe_agrees_with_the_kernel_event_sources() -> None:
    usable, detail = probe_pmu()
    sources = Path("/sys/bus/event_source/devices")
    has_cpu_pmu = any(sources.glob("cpu*")) or any(sources.glob("armv*"))
    if not has_cpu_pmu:
        # this machine class: no hardware counters registered with perf at all
        assert not usable
        assert detail.startswith("perf_event_open(PERF_COUNT_HW_INSTRUCTIONS) failed: ")
    elif usable:
        assert "counts instructions" in detail
    assert machine_fingerprint(docker=False).pmu == usable


def test_comparable_refuses_other_machines_interpreters_and_images() -> None:
    fp = machine_fingerprint(docker=False)
    assert comparable(fp, fp) == (True, [])

    other_python = fp.model_copy(update={"python": "CPython 3.12.1 (main; GCC 13)"})
    ok, reasons = comparable(fp, other_python)
    assert not ok and reasons == [f"python differs: {fp.python!r} vs 'CPython 3.12.1 (main; GCC 13)'"]

    two_changes = fp.model_copy(update={"cpu_model": "AMD EPYC 9654", "logical_cores": fp.logical_cores + 2})
    assert len(comparable(fp, two_changes)[1]) == 2

    docker_only = fp.model_copy(update={"docker_server": "99.0"})
    assert comparable(fp, docker_only) == (True, [])

    a = RunContext(fingerprint=fp, backend="docker", image="sha256:aaa", interpreter="CPython 3.11.2")
    b = a.model_copy(update={"image": "sha256:bbb"})
    assert comparable(a, a) == (True, [])
    assert comparable(a, b) == (False, ["image differs: 'sha256:aaa' vs 'sha256:bbb'"])
    assert comparable(a, fp) == (True, [])  # a bare fingerprint: the machine only


@pytest.mark.docker
def test_docker_server_version_matches_the_engine() -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI")
    expected = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    assert docker_server_version() == (expected or None)


def test_docker_query_is_bounded_and_kills_what_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "pid"
    fake = tmp_path / "docker"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    started = time.perf_counter()
    assert docker_server_version(timeout_s=0.5) is None
    assert time.perf_counter() - started < 5
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_docker_query_without_a_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert docker_server_version() is None
