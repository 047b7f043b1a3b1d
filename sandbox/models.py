"""The sandbox's boundary types: what to run (:class:`ExecSpec`) and what happened (:class:`ExecResult`)."""

from __future__ import annotations

import base64
import posixpath
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

WORKDIR = "/work"
"""The candidate's working directory, the same path on every backend (paths shift instruction counts)."""

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def _b64_in(value: object, info: ValidationInfo) -> object:
    # JSON carries bytes as base64; Python callers pass bytes (a str is encoded as UTF-8)
    if isinstance(value, str):
        return base64.b64decode(value, validate=True) if info.mode == "json" else value.encode()
    return value


# bytes that travel through JSON as base64
Blob = Annotated[bytes, BeforeValidator(_b64_in), PlainSerializer(lambda b: base64.b64encode(b).decode(), when_used="json")]


class Limits(BaseModel):
    """Hard limits for one execution.  Invalid values are rejected when the spec is built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wall_s: float = Field(10.0, gt=0, le=24 * 3600, description="wall-clock seconds before the whole tree is killed")
    cpu_s: float | None = Field(None, gt=0, le=24 * 3600, description="CPU seconds (RLIMIT_CPU); default: wall_s")
    memory_mib: int = Field(1024, ge=16, le=1024 * 1024, description="memory for the whole execution, no swap")
    processes: int = Field(64, ge=1, le=100_000, description="processes/threads the execution may have at once")
    output_bytes: int = Field(1 << 20, ge=0, le=1 << 30, description="bytes kept of stdout and of stderr each")
    file_size_bytes: int = Field(64 << 20, ge=0, le=16 << 30, description="largest file the execution may write")

    @property
    def cpu_limit_s(self) -> float:
        return self.cpu_s if self.cpu_s is not None else self.wall_s


class ExecSpec(BaseModel):
    """One command to run in the sandbox.

    ``files`` are placed in :data:`WORKDIR` (relative paths) before the command starts.
    ``env`` is the *whole* environment: nothing is inherited from the host.  A backend
    adds only ``PATH``, ``HOME`` (= the work dir) and ``LANG`` when they are absent.
    ``collect`` names work-dir files to bring back (missing ones are simply absent; a
    name whose last part is a pattern, ``out/*.log``, brings every match).

    In a session, the work dir is reset before every execution to exactly the files the
    host placed in the session so far plus those earlier executions were asked to
    ``keep``: whatever else a command left or changed (a cache, an edited program or
    input, files in ``/tmp``) is gone before the next one starts.
    """

    model_config = ConfigDict(extra="forbid")

    argv: list[str] = Field(min_length=1)
    files: dict[str, Blob] = Field(default_factory=dict)
    executable: list[str] = Field(default_factory=list, description="paths among `files` to mark executable")
    stdin: Blob = b""
    env: dict[str, str] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    collect: list[str] = Field(default_factory=list)
    keep: list[str] = Field(
        default_factory=list,
        description="work-dir files or folders this execution produces that later executions of the same "
        "session must see (a build's output); ignored outside a session",
    )

    @field_validator("files", "collect", "executable", "keep")
    @classmethod
    def _relative_paths(cls, value):  # type: ignore[no-untyped-def]
        names = value.keys() if isinstance(value, dict) else value
        for name in names:
            norm = posixpath.normpath(name)
            if not name or name.startswith("/") or norm.startswith("..") or norm == ".":
                raise ValueError(f"sandbox paths must be relative to the work dir: {name!r}")
        return value

    @model_validator(mode="after")
    def _executables_exist(self) -> "ExecSpec":
        missing = [p for p in self.executable if p not in self.files]
        if missing:
            raise ValueError(f"executable paths not among files: {missing}")
        return self

    def full_env(self) -> dict[str, str]:
        env = {"PATH": DEFAULT_PATH, "HOME": WORKDIR, "LANG": "C.UTF-8"}
        env.update(self.env)
        return env


class ExecResult(BaseModel):
    """What happened.  A candidate that crashed or timed out is a normal result, not an error."""

    model_config = ConfigDict(extra="forbid")

    exit_code: int | None = Field(description="exit status, None when killed by a signal")
    signal: int | None = None
    timed_out: bool = False
    oom_killed: bool = False
    stdout: Blob = b""
    stderr: Blob = b""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_kib: int = 0
    files: dict[str, Blob] = Field(default_factory=dict)
    backend: str = ""
    image: str = Field("", description="image id (docker) or a description of the host (local)")

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.oom_killed

    def describe(self) -> str:
        """A short human phrase for the outcome: 'exit 0', 'timed out after 2.0 s', ..."""
        if self.timed_out:
            return f"timed out after {self.wall_s:.1f} s"
        if self.oom_killed:
            return "killed: out of memory"
        if self.signal is not None:
            return f"killed by signal {self.signal}"
        return f"exit {self.exit_code}"
