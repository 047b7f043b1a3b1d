"""The ``docker`` backend: a warm pool of locked-down containers, each running the runner as PID 1.

An execution costs one JSON line each way over the container's attach socket (no
``docker exec``), so a warm ``true`` takes a few milliseconds.  Containers carry labels
naming the owning process; those left behind by a dead process are removed when a new
pool starts.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from perfforge import __version__
from perfforge.errors import SandboxError
from sandbox import engine, image, recipe
from sandbox.channel import ChannelTimeout, Rendezvous, SocketChannel, StreamSocketChannel
from sandbox.models import DEFAULT_PATH, WORKDIR, Limits
from sandbox.pool import PooledSandbox
from sandbox.uids import owner_alive, sandbox_uid
from sandbox.worker import RUNNER_SOURCE, START_TIMEOUT_S, Worker, sandbox_memory_bytes, sandbox_pids

RUNNER_CONFIG = {"workdir": WORKDIR, "scratch": [WORKDIR, "/tmp", "/dev/shm"],
                 "memcg": ["/sys/fs/cgroup/memory", "/sys/fs/cgroup"]}
LABEL_POOL = "org.perfforge.pool"
LABEL_HOST = "org.perfforge.host"
LABEL_SANDBOX = "org.perfforge.sandbox"  # one DockerSandbox's containers (a process may hold several)
REMOVE_TIMEOUT_S = 20.0


class DockerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: str = Field(default_factory=recipe.default_tag, description="image tag to run")
    pool_size: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    cpus: float = Field(default_factory=lambda: float(os.cpu_count() or 1), gt=0, description="CPU quota per container")
    workdir_mib: int = Field(2048, ge=16, description="size of the tmpfs at /work")
    tmp_mib: int = Field(512, ge=16, description="size of the tmpfs at /tmp")
    api_timeout_s: float = Field(engine.API_TIMEOUT_S, gt=0)
    channel: Literal["auto", "socket", "attach"] = Field(
        "auto",
        description="how the host talks to the runners: 'socket' dials a unix socket bound into the container "
        "(fast, needs an engine on this machine), 'attach' goes through the engine's attach stream; "
        "auto = socket for a local engine",
    )

    def resolved_channel(self) -> str:
        if self.channel != "auto":
            return self.channel
        return "socket" if engine.engine_address().startswith("unix://") else "attach"


class DockerWorker(Worker):
    backend = "docker"

    def __init__(self, client: Any, container_id: str, channel: Any, *, image_id: str) -> None:
        super().__init__(channel, label=container_id[:12], image=image_id)
        self.client = client
        self.container_id = container_id

    def _apply_limits(self, memory_bytes: int, pids: int) -> None:
        body = {"Memory": memory_bytes, "MemorySwap": memory_bytes, "PidsLimit": pids}
        api = self.client.api
        url = api._url("/containers/{0}/update", self.container_id)
        engine.call("setting container limits", lambda: api._raise_for_status(api._post_json(url, data=body)))

    def _death_cause(self) -> str | None:
        try:
            state = self.client.api.inspect_container(self.container_id)["State"]
        except Exception:  # noqa: BLE001 - only a hint for the verdict
            return None
        return "oom" if state.get("OOMKilled") else None

    def _logs(self) -> str:
        return container_logs(self.client, self.container_id)

    def _destroy(self) -> None:
        remove_container(self.client, self.container_id)


def container_logs(client: Any, container_id: str) -> str:
    try:
        text = client.api.logs(container_id, stdout=False, stderr=True, tail=10).decode(errors="replace").strip()
    except Exception:  # noqa: BLE001 - only a hint for an error message
        return ""
    return f"runner stderr: {text[-800:]}" if text else ""


def remove_container(client: Any, container_id: str) -> None:
    import docker

    try:
        client.api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        pass
    except Exception:  # noqa: BLE001 - leftovers are removed by the next pool's sweep
        pass


def sweep_stale(client: Any) -> int:
    """Remove pool containers of this host whose owning process is gone; returns how many."""
    host = socket.gethostname()
    removed = 0
    for info in engine.call("listing containers", client.api.containers, all=True, filters={"label": LABEL_POOL}):
        labels = info.get("Labels") or {}
        if labels.get(LABEL_HOST) != host:
            continue
        try:
            owner = int(labels.get(LABEL_POOL, "0"))
        except ValueError:
            owner = 0
        if owner > 0 and owner_alive(owner):
            continue
        remove_container(client, info["Id"])
        removed += 1
    return removed


class DockerSandbox(PooledSandbox):
    name = "docker"

    def __init__(self, **config: Any) -> None:
        self.config = DockerConfig(**config)
        self.client = engine.connect(self.config.api_timeout_s)
        self.image_attrs = image.require(self.client, self.config.image)
        self.image_id = self.image_attrs["Id"]
        self._description: dict[str, Any] | None = None
        self.channel = self.config.resolved_channel()
        self.instance = uuid.uuid4().hex[:16]
        sweep_stale(self.client)
        super().__init__(self._start_worker, self.config.pool_size)

    def _start_worker(self, serial: int) -> DockerWorker:
        uid = sandbox_uid(serial)
        rendezvous = Rendezvous(uid) if self.channel == "socket" else None
        try:
            cid = self._create_container(uid, rendezvous)
            try:
                channel = self._connect(cid, rendezvous)
            except SandboxError:
                remove_container(self.client, cid)
                raise
        finally:
            if rendezvous is not None:
                rendezvous.close()  # connected or failed: nobody else may dial in
        worker = DockerWorker(self.client, cid, channel, image_id=self.image_id)
        worker.limits = Limits()
        worker.hello()
        return worker

    def _create_container(self, uid: int, rendezvous: Rendezvous | None) -> str:
        cfg = self.config
        limits = Limits()
        memory = sandbox_memory_bytes(limits)
        api = self.client.api
        runner_config = dict(RUNNER_CONFIG, connect=rendezvous.inside_path if rendezvous else None)
        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={
                WORKDIR: f"size={cfg.workdir_mib}m,mode=1777,exec",
                "/tmp": f"size={cfg.tmp_mib}m,mode=1777,exec",
            },
            binds={rendezvous.dir: {"bind": Rendezvous.INSIDE, "mode": "ro"}} if rendezvous else None,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=sandbox_pids(limits),
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(cfg.cpus * 1e9),
            # under contention a container's cgroup competes like ONE process; weigh it like the
            # `cpus` processes it may run, as the local backend's processes are weighed
            cpu_shares=int(1024 * cfg.cpus),
            ipc_mode="private",
        )
        config = api.create_container_config(
            cfg.image,
            ["python3", "-I", "-S", "-c", RUNNER_SOURCE, json.dumps(runner_config)],
            user=f"{uid}:{uid}",
            stdin_open=rendezvous is None,
            environment={"PATH": DEFAULT_PATH},
            hostname="sandbox",
            network_disabled=True,
            labels={LABEL_POOL: str(os.getpid()), LABEL_SANDBOX: self.instance, LABEL_HOST: socket.gethostname(),
                    "org.perfforge.version": __version__},
            host_config=host_config,
        )
        # attach mode: if this process dies, the runner reads EOF on stdin and the container stops
        # (socket mode gets the same from the socket)
        config["StdinOnce"] = rendezvous is None
        return engine.call("creating a sandbox container", api.create_container_from_config, config)["Id"]

    def _connect(self, cid: str, rendezvous: Rendezvous | None) -> Any:
        api = self.client.api
        if rendezvous is None:
            sock = engine.call("attaching to a sandbox container", api.attach_socket, cid,
                               params={"stdin": 1, "stdout": 1, "stream": 1})
            engine.call("starting a sandbox container", api.start, cid)
            return SocketChannel(getattr(sock, "_sock", sock))
        engine.call("starting a sandbox container", api.start, cid)

        def state() -> dict[str, Any]:
            return engine.call("inspecting a sandbox container", api.inspect_container, cid)["State"]

        def still_running() -> None:
            if not state().get("Running"):
                raise SandboxError(f"the sandbox container exited before its runner connected. {container_logs(self.client, cid)}")

        try:
            return StreamSocketChannel(rendezvous.accept(START_TIMEOUT_S, lambda: state().get("Pid"), still_running))
        except ChannelTimeout as exc:
            raise SandboxError(
                f"the sandbox runner did not connect back within {START_TIMEOUT_S:.0f} s",
                "if the Docker engine runs on another machine or in a VM, use the 'attach' channel "
                "(get_sandbox('docker', channel='attach'))",
            ) from exc

    def describe(self) -> dict[str, Any]:
        if self._description is None:
            self._description = self._describe()
        return dict(self._description)

    def _describe(self) -> dict[str, Any]:
        labels = image.labels_of(self.image_attrs)
        return {
            "backend": self.name,
            "image": self.config.image,
            "image_id": self.image_id,
            "image_recipe": labels.get(recipe.LABEL_RECIPE),
            "image_outdated": not image.is_current(self.image_attrs),
            "versions": image.versions_from_labels(labels),
            "engine": engine.call("asking the engine version", self.client.version).get("Version"),
            "kernel": os.uname().release,
            "cpus": self.config.cpus,
            "pool_size": self.config.pool_size,
            "channel": self.channel,
            "isolation": "network none, read-only root, tmpfs /work, cap-drop ALL, no-new-privileges, "
            "pids + memory (no swap) + CPU limits, own non-root uid",
        }

    def close(self) -> None:
        super().close()
        self.client.close()
