"""Where perfforge keeps its files.  ``PERFFORGE_HOME`` moves all of them (tests use it)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """Root of perfforge's own state: caches, model weights, the default run store."""
    override = os.environ.get("PERFFORGE_HOME")
    if override:
        root = Path(override).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "perfforge"
    root.mkdir(parents=True, exist_ok=True)
    return root


def sub(name: str) -> Path:
    """A named sub-folder of :func:`home`, created on first use."""
    path = home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
