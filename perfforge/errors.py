"""The error hierarchy, written down in one place.

PerfforgeError                 anything perfforge raises on purpose; the CLI prints
│                              ``error: <message>`` (and ``hint: <hint>``) and exits 2
├── ConfigError                bad configuration, bad CLI arguments, invalid limits
├── TaskError                  a malformed task folder / task.toml (names file and field)
├── SandboxError               the execution layer itself failed (not the candidate)
│   └── SandboxUnavailable     no usable backend: engine down, image missing, tool absent
├── ToolchainError             a tool the harness needs is missing (valgrind, qemu, ...)
└── ModelError                 the model provider failed in a way retries did not cure

A candidate that fails (does not compile, crashes, is wrong, times out) is *data*:
it is reported in a verdict, never raised.  Only infrastructure failures raise.
"""

from __future__ import annotations


class PerfforgeError(Exception):
    """Base class: ``message`` says what is wrong, ``hint`` what to do about it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(PerfforgeError):
    pass


class TaskError(PerfforgeError):
    pass


class SandboxError(PerfforgeError):
    pass


class SandboxUnavailable(SandboxError):
    pass


class ToolchainError(PerfforgeError):
    pass


class ModelError(PerfforgeError):
    pass
