"""Turning ``perfforge sandbox exec`` arguments into an ExecSpec, and an ExecResult into text."""

from __future__ import annotations

import posixpath
from pathlib import Path

import typer
from pydantic import ValidationError

from perfforge.errors import ConfigError
from sandbox.models import ExecResult, ExecSpec, Limits


def parse_file_arg(arg: str) -> tuple[Path, str]:
    """``LOCAL[:DEST]``; DEST defaults to the file's name (a relative path inside the work dir)."""
    local, sep, dest = arg.partition(":")
    path = Path(local).expanduser()
    if not path.exists():
        raise ConfigError(f"--file {arg}: {local} does not exist", "pass an existing local file, e.g. --file prog.py")
    if not path.is_file():
        raise ConfigError(f"--file {arg}: {local} is not a regular file", "pass files one by one")
    dest = dest if sep else path.name
    return path, posixpath.normpath(dest) if dest else path.name


def build_spec(command: list[str], *, timeout: float, memory: int, pids: int, files: list[str], env: list[str],
               stdin_file: Path | None) -> ExecSpec:
    if not command:
        raise ConfigError("no command given", "put it after --, e.g. perfforge sandbox exec -- echo hi")
    try:
        limits = Limits(wall_s=timeout, memory_mib=memory, processes=pids)
    except ValidationError as exc:
        raise ConfigError(f"invalid limits: {_first(exc)}") from exc
    blobs: dict[str, bytes] = {}
    executable: list[str] = []
    for arg in files:
        path, dest = parse_file_arg(arg)
        blobs[dest] = path.read_bytes()
        if path.stat().st_mode & 0o111:
            executable.append(dest)
    variables = {}
    for item in env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--env {item!r}: expected KEY=VALUE")
        variables[key] = value
    if stdin_file is not None and not stdin_file.is_file():
        raise ConfigError(f"--stdin {stdin_file}: no such file")
    stdin = stdin_file.read_bytes() if stdin_file is not None else b""
    try:
        return ExecSpec(argv=command, files=blobs, executable=executable, env=variables, stdin=stdin, limits=limits)
    except ValidationError as exc:
        raise ConfigError(f"invalid command: {_first(exc)}") from exc


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg')}" if where else str(err.get("msg"))


def summary(result: ExecResult) -> str:
    parts = [result.describe(), f"wall {result.wall_s:.3f} s", f"cpu {result.cpu_s:.3f} s",
             f"peak RSS {result.peak_rss_kib / 1024:.1f} MiB", f"backend {result.backend}"]
    return " | ".join(parts)


def print_result(result: ExecResult, *, as_json: bool) -> None:
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(summary(result))
    for name, data, truncated in (("stdout", result.stdout, result.stdout_truncated),
                                  ("stderr", result.stderr, result.stderr_truncated)):
        if data or truncated:
            note = " (truncated)" if truncated else ""
            typer.echo(f"--- {name}{note} ---")
            typer.echo(data.decode(errors="replace"), nl=not data.endswith(b"\n"))
