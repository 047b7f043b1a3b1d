"""The bundled suites: task folders shipped as package data under ``benchmarks/suites/``.

A suite is a folder of task folders (``benchmarks/suites/<suite>/<task>/task.toml``); a
task's id is ``<suite>/<task>`` (``python-perf/dedupe``).  Everything is found relative
to this package, never to the current directory, so ``perfforge bench ...`` works from
inside a user's repository that has its own ``benchmarks/`` folder.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from benchmarks.task import TASK_FILE, Task
from perfforge.errors import ConfigError, TaskError


def suites_root() -> Path:
    """The folder holding the bundled suites (inside the installed package)."""
    root = resources.files("benchmarks").joinpath("suites")
    return Path(str(root))


@dataclass(frozen=True)
class SuiteInfo:
    """One bundled suite and what it holds."""

    name: str
    path: Path
    task_ids: tuple[str, ...]
    kinds: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.task_ids)


def suite_names() -> list[str]:
    root = suites_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _task_dirs(p))


def _task_dirs(suite_dir: Path) -> list[Path]:
    return sorted(p for p in suite_dir.iterdir() if (p / TASK_FILE).is_file())


def _unknown_suite(name: str) -> ConfigError:
    names = suite_names()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}?" if close else None
    return ConfigError(f"unknown suite {name!r}; bundled suites: {', '.join(names) or 'none'}", hint=hint)


@lru_cache(maxsize=None)
def _load_suite(name: str, path: Path) -> tuple[tuple[Task, ...], tuple[str, ...]]:
    tasks, problems = [], []
    for folder in _task_dirs(path):
        try:
            task = Task.load(folder)
        except TaskError as exc:
            problems.append(exc.message)
            continue
        expected = f"{name}/{folder.name}"
        if task.id != expected:
            problems.append(f"{task.toml_path}: id: a bundled task's id must be {expected!r}, got {task.id!r}")
            continue
        tasks.append(task)
    return tuple(tasks), tuple(problems)


def _suite_path(name: str) -> Path:
    path = suites_root() / name
    if "/" in name or not path.is_dir() or not _task_dirs(path):
        raise _unknown_suite(name)
    return path


def suite_tasks(name: str, *, strict: bool = True) -> list[Task]:
    """Every task of suite ``name``, in folder order.  A malformed task raises TaskError
    (``strict``) or is left out (see :func:`suite_info` for what was left out)."""
    tasks, problems = _load_suite(name, _suite_path(name))
    if strict and problems:
        raise TaskError(problems[0], hint=f"{len(problems)} malformed task(s) in suite {name!r}" if len(problems) > 1 else None)
    return list(tasks)


def suite_info(name: str) -> SuiteInfo:
    tasks, problems = _load_suite(name, _suite_path(name))
    return SuiteInfo(
        name=name,
        path=suites_root() / name,
        task_ids=tuple(t.id for t in tasks),
        kinds=dict(sorted(Counter(t.spec.kind for t in tasks).items())),
        languages=dict(sorted(Counter(t.spec.language for t in tasks).items())),
        problems=problems,
    )


def all_suites() -> list[SuiteInfo]:
    return [suite_info(name) for name in suite_names()]


def resolve_task(ref: str | Path) -> Task:
    """A task by bundled id (``python-perf/dedupe``) or by the path of a task folder."""
    text = str(ref)
    suite, _, rest = text.partition("/")
    if rest and "/" not in rest and suite in suite_names():
        folder = suites_root() / suite / rest
        if (folder / TASK_FILE).is_file():
            return Task.load(folder)  # a malformed bundled task: its own error, naming the field
        names = [t.id.split("/", 1)[1] for t in suite_tasks(suite, strict=False)]
        close = difflib.get_close_matches(rest, names, n=3)
        hint = f"did you mean {', '.join(f'{suite}/{n}' for n in close)}?" if close else f"`perfforge bench list {suite}` lists them"
        raise ConfigError(f"suite {suite!r} has no task {rest!r}", hint=hint)
    path = Path(text).expanduser()
    if (path / TASK_FILE).is_file() or (path.name == TASK_FILE and path.is_file()):
        return Task.load(path)
    if not rest and suite in suite_names():
        raise ConfigError(f"{text!r} is a suite, not a task", hint=f"`perfforge bench list {suite}` lists its tasks")
    raise ConfigError(
        f"no task {text!r}: neither a bundled task id (suite/task) nor a task folder",
        hint=f"bundled suites: {', '.join(suite_names()) or 'none'}; `perfforge bench list SUITE` lists task ids",
    )


__all__ = ["SuiteInfo", "all_suites", "resolve_task", "suite_info", "suite_names", "suite_tasks", "suites_root"]
