"""What ``perfforge optimize TARGET`` works on, as a :class:`~benchmarks.task.Task`.

TARGET may be

* a task folder (``task.toml`` and the files it names; see benchmarks/TASK_FORMAT.md);
* a Python file with ``function``: the function's calls are recorded while the tests
  beside it run under pytest in the sandbox, and become the task's tests; stress inputs
  are grown from them; the original function is the oracle
  (:mod:`agent.targets.python_function`);
* a C/C++ file with ``build``, its compile command: a program reading stdin, with its
  inputs as tests and stress inputs and the original as the oracle
  (:mod:`agent.targets.c_program`).

File targets are made into task folders under ``work`` (default
``$PERFFORGE_HOME/targets``), named by a hash of everything they come from, so the same
files give the same folder, made once.  :func:`touches_only` tells whether a candidate
changed only the target function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from agent.targets.touches import touches_only
from benchmarks.task import TASK_FILE, Task
from perfforge.errors import ConfigError

PYTHON_SUFFIXES = (".py",)
C_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++")
WHAT_TARGET_MAY_BE = ("a task folder (with task.toml), a Python file with --function NAME, "
                      "or a C/C++ file with --build COMMAND")

__all__ = ["resolve_target", "touches_only", "WHAT_TARGET_MAY_BE"]


def resolve_target(target: str | Path, *, function: str | None = None, build: str | None = None,
                   work: Path | None = None, tests: list[str | Path] | None = None,
                   inputs: list[str | Path] | None = None, repo: str | Path | None = None,
                   backend: str | None = None, sandbox: Any = None,
                   progress: Callable[[str], None] | None = None) -> Task:
    """The task ``target`` names, made from a source file when it is one (see the module doc).

    ``tests``: test files or folders to record from (Python; default: the repository's
    test files that mention the function).  ``inputs``: stdin files (C/C++; default: the
    ``inputs/`` folder beside the source).  ``repo``: the repository root (default: the
    nearest folder above the file with pyproject.toml, setup.cfg, setup.py or .git)."""
    path = Path(target).expanduser()
    suffix = path.suffix.lower()
    if path.is_dir() or path.name == TASK_FILE:
        if function is not None or build is not None:
            raise ConfigError(f"{path}: --function and --build apply to a source file, not to a task folder")
        return Task.load(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file or task folder", hint=f"TARGET may be {WHAT_TARGET_MAY_BE}")
    if suffix in PYTHON_SUFFIXES:
        if function is None:
            raise ConfigError(f"{path}: a Python file needs --function NAME (the function to make faster)")
        if build is not None or inputs:
            raise ConfigError(f"{path}: --build and --input apply to a C/C++ program, not to a Python file")
        from agent.targets.python_function import python_task

        return python_task(path, function, tests=tests, repo=repo, work=work, sandbox=sandbox, backend=backend,
                           progress=progress).task
    if suffix in C_SUFFIXES:
        if build is None:
            raise ConfigError(f"{path}: a C/C++ file needs --build COMMAND, e.g. --build \"gcc -O2 -o prog {path.name}\"")
        if function is not None or tests:
            raise ConfigError(f"{path}: --function and --tests apply to a Python file, not to a C/C++ program")
        from agent.targets.c_program import c_task

        return c_task(path, build, inputs=inputs, work=work, sandbox=sandbox, backend=backend, progress=progress).task
    raise ConfigError(f"{path}: not something perfforge can optimize", hint=f"TARGET may be {WHAT_TARGET_MAY_BE}")
