"""Bad input gets one clear error (what is wrong, what to do), never a hang or a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from pydantic import ValidationError

from perfforge.errors import ConfigError, SandboxUnavailable
from sandbox import ExecSpec, Limits, get_sandbox
from sandbox.registry import default_backend

CLOSED_SOCKET = "unix:///nonexistent/perfforge-test/docker.sock"


@pytest.mark.parametrize("field, value", [
    ("wall_s", 0), ("wall_s", -1), ("cpu_s", 0), ("memory_mib", 1), ("processes", 0),
    ("output_bytes", -1), ("file_size_bytes", -5), ("wall_s", 10 ** 9),
])
def test_invalid_limits_are_rejected(field, value):
    with pytest.raises(ValidationError):
        Limits(**{field: value})


@pytest.mark.parametrize("spec", [
    {"argv": []},
    {"argv": ["true"], "files": {"/etc/passwd": b"x"}},
    {"argv": ["true"], "files": {"../escape": b"x"}},
    {"argv": ["true"], "files": {"a/../../b": b"x"}},
    {"argv": ["true"], "collect": ["/etc/shadow"]},
    {"argv": ["true"], "executable": ["not-a-file"]},
    {"argv": ["true"], "limits": {"memory_mib": 0}},
])
def test_invalid_specs_are_rejected(spec):
    with pytest.raises(ValidationError):
        ExecSpec(**spec)


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown sandbox backend 'nope'; valid: docker, local"):
        get_sandbox("nope")


def test_unknown_config_key_is_a_config_error():
    with pytest.raises(ConfigError, match="invalid sandbox configuration: bogus"):
        get_sandbox("local", bogus=1)
    with pytest.raises(ConfigError, match="pool_size"):
        get_sandbox("local", pool_size=0)


def test_docker_not_running(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", CLOSED_SOCKET)
    start = time.monotonic()
    with pytest.raises(SandboxUnavailable) as info:
        get_sandbox("docker")
    assert CLOSED_SOCKET in info.value.message and "--backend local" in info.value.hint
    assert time.monotonic() - start < 10
    # without an engine the default falls back to the local backend
    monkeypatch.delenv("PERFFORGE_SANDBOX", raising=False)
    assert default_backend() == "local"


def test_hung_docker_daemon_is_an_error_not_a_hang(monkeypatch, tmp_path):
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_ignore() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # read nothing, answer nothing
            except OSError:
                pass

    thread = threading.Thread(target=accept_and_ignore, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    start = time.monotonic()
    try:
        with pytest.raises(SandboxUnavailable, match="does not answer"):
            get_sandbox("docker", api_timeout_s=1)
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()
    assert time.monotonic() - start < 10


@pytest.mark.docker
def test_missing_image_says_how_to_build_it():
    try:
        box = get_sandbox("docker", image="perfforge-sandbox:no-such-tag")
    except SandboxUnavailable as exc:
        assert "perfforge-sandbox:no-such-tag is missing" in exc.message
        assert "perfforge sandbox build" in exc.hint
        return
    box.close()
    pytest.fail("a missing image was accepted")


def test_sandbox_env_var_selects_or_rejects_a_backend(monkeypatch):
    monkeypatch.setenv("PERFFORGE_SANDBOX", "local")
    assert default_backend() == "local"
    monkeypatch.setenv("PERFFORGE_SANDBOX", "vm")
    with pytest.raises(ConfigError, match="valid: docker, local"):
        default_backend()


def perfforge(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "perfforge.cli", *args], capture_output=True, text=True,
                          timeout=120, env=full_env)


@pytest.mark.parametrize("args, message", [
    (["sandbox", "exec", "--backend", "nope", "--", "true"], "error: unknown sandbox backend 'nope'; valid: docker, local"),
    (["sandbox", "exec", "-b", "local", "--memory", "1", "--", "true"], "error: invalid limits: memory_mib"),
    (["sandbox", "exec", "-b", "local", "--timeout", "0", "--", "true"], "error: invalid limits: wall_s"),
    (["sandbox", "exec", "-b", "local", "--file", "/nonexistent/prog.py", "--", "true"],
     "error: --file /nonexistent/prog.py: /nonexistent/prog.py does not exist"),
    (["sandbox", "exec", "-b", "local", "--env", "NOEQUALS", "--", "true"], "error: --env 'NOEQUALS': expected KEY=VALUE"),
    (["sandbox", "build", "--method", "magic"], "error: unknown build method 'magic'; valid: auto, debootstrap, dockerfile"),
])
def test_cli_bad_input_is_one_clear_line(args, message):
    done = perfforge(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith(message), done.stderr
    assert "Traceback" not in done.stderr


def test_cli_docker_not_running():
    done = perfforge("sandbox", "exec", "-b", "docker", "--", "true", env={"DOCKER_HOST": CLOSED_SOCKET})
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"error: the Docker engine at {CLOSED_SOCKET} does not answer")
    assert lines[1].startswith("hint: start Docker")
