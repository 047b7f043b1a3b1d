"""The sandbox image variant with PyTorch: ``perfforge-sandbox-torch:<version>``.

Containers reach no network, so torch's wheels are downloaded on the host (``pip
download``, from PyPI: torch and its NVIDIA runtime wheels are about 3 GB; PyPI has no
CPU-only Linux build) and copied into an image built ``FROM`` the local sandbox image (no
registry needed).  Debian's python3 has no pip, so the wheels are unpacked straight into
``/usr/local/lib/python3.11/dist-packages`` (platform wheels with no scripts: unpacking is
their installation); the image's own numpy stays.  The result is about 7 GB more.

    python -m evaluators.kinds.torch_image [--torch 2.5.1]

``TORCH_VERSION`` is the newest release whose NVIDIA runtime wheels the reachable PyPI
serves in full (newer ones pin ``nvidia-cudnn-cu13`` builds it does not have).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perfforge import __version__
from perfforge.errors import SandboxError

TORCH_VERSION = "2.5.1"
PYTHON_TAG = "3.11"  # the image's python3 (Debian bookworm)
DOWNLOAD_TIMEOUT_S = 3600
BUILD_TIMEOUT_S = 3600
DOCKERFILE = """\
FROM {base}
COPY wheels /tmp/wheels
RUN python3 -c "import glob, zipfile; [zipfile.ZipFile(w).extractall('/usr/local/lib/python3.11/dist-packages') \
for w in sorted(glob.glob('/tmp/wheels/*.whl')) if '/numpy-' not in w]" \\
 && rm -rf /tmp/wheels && python3 -c "import torch; print(torch.__version__)"
LABEL org.perfforge.torch="{torch}"
"""


def torch_tag() -> str:
    return f"perfforge-sandbox-torch:{__version__}"


def torch_image_exists() -> bool:
    try:
        from sandbox import engine, image

        return image.find(engine.connect(), torch_tag()) is not None
    except Exception:  # noqa: BLE001 - no engine: no image
        return False


def _run(argv: list[str], timeout_s: float, what: str) -> None:
    proc = subprocess.Popen(argv, start_new_session=True)
    try:
        code = proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise SandboxError(f"{what} took longer than {timeout_s:.0f} s") from None
    if code != 0:
        raise SandboxError(f"{what} failed (exit {code})")


def build(torch: str = TORCH_VERSION, base: str | None = None) -> str:
    """Download the wheels on the host and build the torch variant; returns its tag."""
    from sandbox import recipe

    base = base or recipe.default_tag()
    with tempfile.TemporaryDirectory(prefix="perfforge-torch-") as ctx:
        wheels = Path(ctx) / "wheels"
        t0 = time.monotonic()
        _run([sys.executable, "-m", "pip", "download", f"torch=={torch}", "--only-binary=:all:", "--python-version",
              PYTHON_TAG, "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64",
              "--platform", "manylinux1_x86_64", "-d", str(wheels)], DOWNLOAD_TIMEOUT_S, "downloading torch's wheels")
        size = sum(p.stat().st_size for p in wheels.iterdir()) / 1e9
        print(f"downloaded {size:.2f} GB of wheels in {time.monotonic() - t0:.0f} s", flush=True)
        (Path(ctx) / "Dockerfile").write_text(DOCKERFILE.format(base=base, torch=torch))
        t0 = time.monotonic()
        _run(["docker", "build", "-t", torch_tag(), ctx], BUILD_TIMEOUT_S, "building the torch image")
        print(f"built {torch_tag()} in {time.monotonic() - t0:.0f} s", flush=True)
    return torch_tag()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sandbox image variant with PyTorch (KernelBench tasks).")
    parser.add_argument("--torch", default=TORCH_VERSION, help=f"torch version (default {TORCH_VERSION})")
    parser.add_argument("--base", default=None, help="base image tag (default: the sandbox image)")
    args = parser.parse_args(argv)
    try:
        print(build(args.torch, args.base))
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
