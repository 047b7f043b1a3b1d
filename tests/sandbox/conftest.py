"""Shared fixtures for the sandbox tests: one small pool per backend, a secret in the host's
environment, and checks that nothing a candidate started survives."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from perfforge.errors import SandboxUnavailable
from sandbox import ExecSpec, Limits, get_sandbox
from sandbox.uids import SLOTS_PER_PROCESS, sandbox_uid

SECRET = "sk-perfforge-host-secret-do-not-leak-4711"
REQUIRE_ENV = "PERFFORGE_REQUIRE_DOCKER"  # CI sets it: a missing engine or image fails instead of skipping


def open_sandbox(name: str, **config):
    try:
        return get_sandbox(name, **config)
    except SandboxUnavailable as exc:
        if name == "docker" and os.environ.get(REQUIRE_ENV):
            pytest.fail(f"docker backend required but unavailable: {exc}")
        pytest.skip(f"{name} backend unavailable here: {exc}")


@pytest.fixture(scope="session", autouse=True)
def host_secret():
    """A secret in the host's environment before any sandbox starts; none may ever see it."""
    old = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = SECRET
    yield SECRET
    if old is None:
        os.environ.pop("OPENAI_API_KEY", None)
    else:
        os.environ["OPENAI_API_KEY"] = old


@pytest.fixture(scope="module", params=[pytest.param("docker", marks=pytest.mark.docker), "local"])
def sandbox(request):
    box = open_sandbox(request.param, pool_size=1)
    yield box
    box.close()


def run(box, argv, **limits) -> tuple:
    """Run ``argv`` (a shell line when a str) and return (result, elapsed seconds)."""
    if isinstance(argv, str):
        argv = ["sh", "-c", argv]
    spec = ExecSpec(argv=argv, limits=Limits(**limits))
    start = time.monotonic()
    result = box.run(spec)
    return result, time.monotonic() - start


def _status_uid(pid: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _is_infrastructure(cmdline: list[str]) -> bool:
    # the runners themselves and the bubblewrap monitors around the local ones
    if not cmdline:
        return True
    exe = os.path.basename(cmdline[0])
    return exe == "bwrap" or (exe.startswith("python3") and cmdline[1:4] == ["-I", "-S", "-c"])


def stray_host_processes() -> list[str]:
    """Processes on the host under this test process's sandbox uids that are not runners."""
    uids = {sandbox_uid(i) for i in range(SLOTS_PER_PROCESS)}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or _status_uid(pid) not in uids:
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
        except OSError:
            continue
        if not _is_infrastructure(cmdline):
            found.append(f"{pid}: {' '.join(cmdline)[:120]}")
    return found


def sandbox_process_table(box) -> list[str]:
    """What an ordinary execution sees in the sandbox's process table (besides itself)."""
    result, _ = run(box, ["ps", "-e", "-o", "pid=,args="])
    assert result.exit_code == 0, result.stderr
    rows = [row.strip() for row in result.stdout.decode().splitlines() if row.strip()]
    return [row for row in rows if not row.split(None, 1)[1].startswith("ps -e")]


def assert_clean_and_working(box) -> None:
    """After a hostile case: nothing survives on the host or inside, and the pool still works."""
    deadline = time.monotonic() + 3
    while stray_host_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stray_host_processes() == []
    rows = sandbox_process_table(box)
    assert len(rows) == 1 and rows[0].split()[0] == "1", rows  # only the runner, as PID 1
    result, _ = run(box, "echo ok; ls -A /work /tmp")
    assert result.ok and result.stdout == b"ok\n/tmp:\n\n/work:\n", result
