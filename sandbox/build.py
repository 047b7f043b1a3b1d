"""``perfforge sandbox build``: create the sandbox image, from debootstrap or from ``sandbox/Dockerfile``.

Without a registry (nothing can be pulled) the root filesystem comes from Debian's
mirror through ``debootstrap`` and is imported with the engine's import call.  With a
registry the Dockerfile path is used.  Either way the image is labelled with the recipe's
hash (an unchanged recipe is not rebuilt) and the versions of its key packages; the
full package list is in ``/etc/perfforge/packages.txt`` inside the image.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from perfforge import paths
from perfforge.errors import ConfigError, SandboxError, ToolchainError
from sandbox import engine, image, recipe

DEBOOTSTRAP_TIMEOUT_S = 60 * 60
IMPORT_TIMEOUT_S = 30 * 60
PULL_TIMEOUT_S = 30.0
DOCKERFILE = Path(__file__).parent / "Dockerfile"
METHODS = ("auto", "debootstrap", "dockerfile")

Progress = Callable[[str], None]


@dataclass
class BuildOutcome:
    tag: str
    image_id: str
    method: str
    reused: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_image(tag: str | None = None, *, force: bool = False, method: str = "auto",
                progress: Progress = lambda line: None) -> BuildOutcome:
    if method not in METHODS:
        raise ConfigError(f"unknown build method {method!r}; valid: {', '.join(METHODS)}")
    tag = tag or recipe.default_tag()
    start = time.monotonic()
    client = engine.connect()
    existing = image.find(client, tag)
    if existing is not None and image.is_current(existing) and not force:
        return BuildOutcome(tag, existing["Id"], "reused", True, time.monotonic() - start)
    if method == "auto":
        method = "dockerfile" if _base_available(client, progress) else "debootstrap"
    progress(f"building {tag} with {method} (recipe {recipe.recipe_hash()})")
    if method == "debootstrap":
        image_id = _build_debootstrap(client, tag, progress)
    else:
        image_id = _build_dockerfile(client, tag, progress)
    if existing is not None and existing["Id"] != image_id:
        _remove_quietly(client, existing["Id"])  # the outdated image is untagged now; reclaim its space
    return BuildOutcome(tag, image_id, method, False, time.monotonic() - start)


def _remove_quietly(client: Any, image_id: str) -> None:
    try:
        client.api.remove_image(image_id)
    except Exception:  # noqa: BLE001 - still used by a container, or already gone: keep it
        pass


# -- labels -----------------------------------------------------------------------
def _labels(versions: dict[str, str], method: str) -> dict[str, str]:
    key = {name: versions[name] for name in recipe.KEY_PACKAGES if name in versions}
    return {recipe.LABEL_RECIPE: recipe.recipe_hash(), recipe.LABEL_VERSIONS: json.dumps(key, sort_keys=True),
            recipe.LABEL_METHOD: method}


def installed_packages(dpkg_status: str) -> dict[str, str]:
    """``{package: version}`` for installed packages, from a dpkg ``status`` file's text."""
    found: dict[str, str] = {}
    for stanza in dpkg_status.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace() and ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            found[fields["Package"]] = fields.get("Version", "")
    return found


# -- debootstrap ------------------------------------------------------------------
def _build_debootstrap(client: Any, tag: str, progress: Progress) -> str:
    if shutil.which("debootstrap") is None:
        raise ToolchainError("debootstrap is not installed", "apt-get install debootstrap (or build with --method dockerfile)")
    if os.geteuid() != 0:
        raise ToolchainError("building the image with debootstrap needs root", "run `sudo perfforge sandbox build`")
    cache = paths.sub("debootstrap-cache")
    workspace = Path(tempfile.mkdtemp(prefix="rootfs-", dir=paths.sub("build")))
    root = workspace / "root"
    try:
        argv = ["debootstrap", "--variant=minbase", f"--include={','.join(recipe.PACKAGES)}",
                f"--cache-dir={cache}", recipe.SUITE, str(root), recipe.MIRROR]
        _stream(argv, DEBOOTSTRAP_TIMEOUT_S, progress, "debootstrap")
        versions = installed_packages((root / "var/lib/dpkg/status").read_text())
        _finish_rootfs(root, versions)
        progress(f"root filesystem ready ({len(versions)} packages); importing it into Docker")
        return _import(client, root, tag, _labels(versions, "debootstrap"), progress)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _finish_rootfs(root: Path, versions: dict[str, str]) -> None:
    for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for entry in (root / sub).glob("*"):
            if entry.is_file():
                entry.unlink()
    # Docker copies a mount point's mode into the tmpfs mounted over it: keep /work world-writable
    (root / "work").mkdir(exist_ok=True)
    (root / "work").chmod(0o1777)
    listing = root / recipe.VERSIONS_FILE.lstrip("/")
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text("".join(f"{name}={ver}\n" for name, ver in sorted(versions.items())))


def _stream(argv: list[str], timeout_s: float, progress: Progress, what: str) -> None:
    """Run a build tool, reporting each output line; kill its whole tree on timeout."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"})
    timer = threading.Timer(timeout_s, _killpg, (proc.pid,))
    timer.start()
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            if line:
                tail = (tail + [line])[-15:]
                progress(line)
        code = proc.wait()
    finally:
        timer.cancel()
        _killpg(proc.pid)
    if code != 0:
        raise SandboxError(f"{what} failed (exit {code}): " + " | ".join(tail[-5:]))


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except (ProcessLookupError, PermissionError):
        pass


def _import(client: Any, root: Path, tag: str, labels: dict[str, str], progress: Progress) -> str:
    tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(root), "-c", "."], stdout=subprocess.PIPE,
                           start_new_session=True)
    timer = threading.Timer(IMPORT_TIMEOUT_S, _killpg, (tar.pid,))
    timer.start()
    sent = [0]

    def chunks() -> Iterator[bytes]:
        assert tar.stdout is not None
        while chunk := tar.stdout.read(1 << 20):
            sent[0] += len(chunk)
            if sent[0] % (128 << 20) < len(chunk):
                progress(f"imported {sent[0] >> 20} MiB")
            yield chunk

    repo, _, version = tag.rpartition(":")
    changes = [f"LABEL {key}={json.dumps(value)}" for key, value in labels.items()]
    changes.append('ENV PATH="/usr/local/bin:/usr/bin:/bin"')
    import docker

    slow = docker.from_env(timeout=IMPORT_TIMEOUT_S)
    try:
        engine.call("importing the root filesystem", slow.api.import_image, src=chunks(), repository=repo or tag,
                    tag=version or None, changes=changes, stream_src=True)
    finally:
        timer.cancel()
        _killpg(tar.pid)
        tar.wait()
        slow.close()
    if tar.returncode not in (0, -9) or sent[0] == 0:
        raise SandboxError(f"packing the root filesystem failed (tar exit {tar.returncode})")
    return image.require(client, tag)["Id"]


# -- Dockerfile ---------------------------------------------------------------------
def _base_available(client: Any, progress: Progress) -> bool:
    if image.find(client, recipe.BASE_IMAGE) is not None:
        return True
    progress(f"trying to pull {recipe.BASE_IMAGE} (at most {PULL_TIMEOUT_S:.0f} s)")
    import docker

    quick = docker.from_env(timeout=PULL_TIMEOUT_S)
    try:
        repo, _, version = recipe.BASE_IMAGE.partition(":")
        quick.api.pull(repo, tag=version)
    except Exception:  # noqa: BLE001 - no registry: fall back to debootstrap
        progress("no registry reachable: using debootstrap")
        return False
    finally:
        quick.close()
    return image.find(client, recipe.BASE_IMAGE) is not None


def _build_dockerfile(client: Any, tag: str, progress: Progress) -> str:
    import docker

    slow = docker.from_env(timeout=IMPORT_TIMEOUT_S)
    try:
        base_id = _docker_build(slow, DOCKERFILE.read_bytes(), {"BASE": recipe.BASE_IMAGE,
                                "PACKAGES": " ".join(recipe.PACKAGES)}, None, progress)
        listing = engine.call("reading the package list", slow.containers.run, base_id,
                              ["cat", recipe.VERSIONS_FILE], remove=True, network_disabled=True)
        versions = dict(line.split("=", 1) for line in listing.decode().splitlines() if "=" in line)
        return _docker_build(slow, f"FROM {base_id}\n".encode(), {}, (tag, _labels(versions, "dockerfile")), progress)
    finally:
        slow.close()


def _docker_build(client: Any, dockerfile: bytes, args: dict[str, str], tagged: tuple[str, dict] | None,
                  progress: Progress) -> str:
    kwargs: dict[str, Any] = {"fileobj": io.BytesIO(dockerfile), "buildargs": args, "rm": True, "decode": True}
    if tagged:
        kwargs["tag"], kwargs["labels"] = tagged

    def run() -> str | None:
        found = None
        for event in client.api.build(**kwargs):
            if "stream" in event and event["stream"].strip():
                progress(event["stream"].strip())
            if "error" in event:
                raise RuntimeError(event["error"].strip())
            if "aux" in event and "ID" in event["aux"]:
                found = event["aux"]["ID"]
        return found

    image_id = engine.call("building the image", run)
    if image_id is None:
        raise SandboxError("docker build finished without an image id")
    return image_id
