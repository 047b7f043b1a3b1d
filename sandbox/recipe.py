"""What goes into the sandbox image, stated once for both build methods."""

from __future__ import annotations

import hashlib
import json

from perfforge import __version__

# bump when the build steps change in a way the package list does not show
RECIPE_VERSION = 2
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
BASE_IMAGE = "debian:bookworm-slim"

PACKAGES: tuple[str, ...] = (
    # interpreters and native toolchains (gcc carries gcov; libgomp1 is OpenMP's runtime)
    "python3",
    "python3-numpy",
    "gcc",
    "g++",
    "make",
    "libc6-dev",
    "libgomp1",
    # exact instruction counts
    "valgrind",
    # foreign ISAs: emulation plus cross toolchains and their C libraries
    "qemu-user",
    "gcc-aarch64-linux-gnu",
    "g++-aarch64-linux-gnu",
    "libc6-dev-arm64-cross",
    "gcc-riscv64-linux-gnu",
    "g++-riscv64-linux-gnu",
    "libc6-dev-riscv64-cross",
    # a repository's own tests (perfforge optimize FILE --function, perfforge ci)
    "python3-pytest",
    "python3-pytest-benchmark",
    # ps, kill, time for the candidates' scripts
    "procps",
    "time",
)

# the versions describe() reports; the full list is in VERSIONS_FILE inside the image
KEY_PACKAGES: tuple[str, ...] = ("python3", "gcc", "g++", "valgrind", "qemu-user", "gcc-aarch64-linux-gnu",
                                 "gcc-riscv64-linux-gnu", "python3-numpy", "libc6",
                                 "python3-pytest")

VERSIONS_FILE = "/etc/perfforge/packages.txt"
LABEL_RECIPE = "org.perfforge.recipe"
LABEL_VERSIONS = "org.perfforge.versions"
LABEL_METHOD = "org.perfforge.build-method"


def default_tag() -> str:
    return f"perfforge-sandbox:{__version__}"


def recipe_hash() -> str:
    text = json.dumps({"v": RECIPE_VERSION, "suite": SUITE, "packages": sorted(PACKAGES)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
