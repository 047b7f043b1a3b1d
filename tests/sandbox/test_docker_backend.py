"""The docker backend's own duties: lock-down flags, labels, clean-up, recovery from a lost runner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from perfforge.errors import SandboxError
from sandbox import ExecSpec, Limits, pool
from sandbox.docker_backend import LABEL_HOST, LABEL_POOL, LABEL_SANDBOX
from tests.sandbox.conftest import open_sandbox, run

pytestmark = pytest.mark.docker


@pytest.fixture()
def docker_box():
    box = open_sandbox("docker", pool_size=1)
    yield box
    box.close()


def pool_containers(client, owner: int) -> list[dict]:
    return client.api.containers(all=True, filters={"label": f"{LABEL_POOL}={owner}"})


def box_containers(box) -> list[dict]:
    """The containers of this one sandbox (other sandboxes of this process may be open)."""
    return box.client.api.containers(all=True, filters={"label": f"{LABEL_SANDBOX}={box.instance}"})


def test_containers_are_locked_down_labelled_and_removed(docker_box):
    run(docker_box, "true", memory_mib=200, processes=10)
    client = docker_box.client
    [info] = box_containers(docker_box)
    attrs = client.api.inspect_container(info["Id"])
    host = attrs["HostConfig"]
    assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == host["MemorySwap"] > 200 << 20  # limits follow the spec, no swap
    assert host["PidsLimit"] == 14 and host["NanoCpus"] > 0
    assert set(host["Tmpfs"]) == {"/work", "/tmp"}
    uid = int(attrs["Config"]["User"].split(":")[0])
    assert uid >= 200_000
    assert attrs["Config"]["Labels"][LABEL_HOST] == socket.gethostname()
    docker_box.close()
    assert box_containers(docker_box) == []


def test_stale_containers_of_dead_processes_are_swept(docker_box):
    client = docker_box.client
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = client.api.create_container(docker_box.config.image, ["true"],
                                        labels={LABEL_POOL: str(dead.pid), LABEL_HOST: socket.gethostname()})
    other = open_sandbox("docker", pool_size=1)
    try:
        assert pool_containers(client, dead.pid) == []
    finally:
        other.close()
        if pool_containers(client, dead.pid):
            client.api.remove_container(stale["Id"], force=True)


def test_a_crashed_host_process_leaves_no_running_container(docker_box):
    script = textwrap.dedent("""
        import os, sys
        from sandbox import get_sandbox, ExecSpec
        box = get_sandbox("docker", pool_size=1)
        box.run(ExecSpec(argv=["true"]))
        print(os.getpid(), flush=True)
        os._exit(1)  # no close(), no atexit
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout.strip().isdigit(), done.stderr
    owner = int(done.stdout)
    client = docker_box.client
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        states = [c["State"] for c in pool_containers(client, owner)]
        if all(state != "running" for state in states):
            break
        time.sleep(0.2)
    assert all(state != "running" for state in states), states  # its channel closed: the runner exited
    open_sandbox("docker", pool_size=1).close()  # a new pool sweeps what is left
    left = pool_containers(client, owner)
    assert left == [], [(c["Id"][:12], c["State"], c["Status"]) for c in left]


def test_container_killed_while_idle_is_replaced(docker_box, monkeypatch):
    monkeypatch.setattr(pool, "IDLE_CHECK_S", 0.0)
    run(docker_box, "true")
    [info] = box_containers(docker_box)
    docker_box.client.api.kill(info["Id"])
    result, _ = run(docker_box, "echo fresh")
    assert result.stdout == b"fresh\n"


def test_runner_killed_mid_execution_is_a_sandbox_error_then_recovers(docker_box):
    run(docker_box, "true")
    [info] = box_containers(docker_box)
    spec = ExecSpec(argv=["sleep", "30"], limits=Limits(wall_s=20))
    import threading

    killer = threading.Timer(0.5, docker_box.client.api.kill, (info["Id"],))
    killer.start()
    with pytest.raises(SandboxError, match="runner died"):
        docker_box.run(spec)
    killer.join()
    result, _ = run(docker_box, "echo recovered")
    assert result.stdout == b"recovered\n"


def test_runner_that_stops_answering_is_discarded(docker_box):
    run(docker_box, "true")
    [info] = box_containers(docker_box)
    docker_box.client.api.pause(info["Id"])
    start = time.monotonic()
    with docker_box.pool.checkout() as worker:
        worker.answer_grace_s = 1.0
        with pytest.raises(SandboxError, match="did not answer"):
            worker.execute(ExecSpec(argv=["true"], limits=Limits(wall_s=1)), wipe=True)
    assert time.monotonic() - start < 10
    assert box_containers(docker_box) == []
    result, _ = run(docker_box, "echo recovered")
    assert result.stdout == b"recovered\n"


def test_describe_names_the_image_and_its_versions(docker_box):
    info = docker_box.describe()
    assert info["image"] == docker_box.config.image and info["image_id"].startswith("sha256:")
    assert info["image_outdated"] is False
    assert {"python3", "gcc", "valgrind", "qemu-user"} <= set(info["versions"])
    result, _ = run(docker_box, "grep -c = /etc/perfforge/packages.txt")
    assert int(result.stdout) > 100


def test_attach_channel_for_engines_on_other_machines():
    box = open_sandbox("docker", pool_size=1, channel="attach")
    try:
        assert box.describe()["channel"] == "attach"
        blob = bytes(range(256)) * 8192  # 2 MiB through the engine's attach stream, both ways
        spec = ExecSpec(argv=["sh", "-c", "cat in.bin; cat >&2"], files={"in.bin": blob}, stdin=b"back",
                        limits=Limits(output_bytes=4 << 20))
        result = box.run(spec)
        assert result.ok and result.stdout == blob and result.stderr == b"back"
        result, elapsed = run(box, "sleep 10", wall_s=1)
        assert result.timed_out and elapsed < 3
        assert run(box, "echo next")[0].stdout == b"next\n"
    finally:
        box.close()


def test_socket_channel_is_closed_to_the_candidate(docker_box):
    assert docker_box.describe()["channel"] == "socket"
    probe = ("import socket\ns = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect('/run/perfforge/runner.sock'); print('connected')\n"
             "except OSError as exc:\n    print('refused', type(exc).__name__)\n")
    result, _ = run(docker_box, ["python3", "-c", probe])
    assert result.stdout.startswith(b"refused")
    result, _ = run(docker_box, "touch /run/perfforge/x 2>&1; ls -A /run/perfforge | wc -l")
    assert b"cannot touch" in result.stdout and result.stdout.endswith(b"0\n")  # gone, and read-only


def test_a_runner_that_cannot_start_fails_fast(docker_box, monkeypatch):
    from sandbox import docker_backend

    monkeypatch.setattr(docker_backend, "RUNNER_SOURCE", "import sys; sys.exit('runner broke on purpose')")
    box = open_sandbox("docker", pool_size=1)
    start = time.monotonic()
    try:
        with pytest.raises(SandboxError, match="exited before its runner connected.*runner broke on purpose"):
            box.run(ExecSpec(argv=["true"]))
        assert time.monotonic() - start < 10
    finally:
        box.close()
    assert box_containers(box) == []
