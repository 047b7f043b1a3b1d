"""Isolated execution of untrusted candidates: ``get_sandbox(name).run(ExecSpec) -> ExecResult``.

Backends (``sandbox.registry.BACKENDS``): ``docker`` (a warm pool of locked-down
containers, the default where an engine answers) and ``local`` (bubblewrap or unshare
on this host).  ``Sandbox.session()`` runs several executions in one work dir.

The names below are loaded on first use, so that importing ``sandbox.cli`` (which
``perfforge --help`` does) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.models import WORKDIR, ExecResult, ExecSpec, Limits
    from sandbox.registry import BACKENDS, get_sandbox

_EXPORTS = {
    "WORKDIR": "sandbox.models",
    "ExecResult": "sandbox.models",
    "ExecSpec": "sandbox.models",
    "Limits": "sandbox.models",
    "BACKENDS": "sandbox.registry",
    "get_sandbox": "sandbox.registry",
}

__all__ = ["BACKENDS", "WORKDIR", "ExecResult", "ExecSpec", "Limits", "get_sandbox"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
