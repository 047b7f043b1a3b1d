"""What a ``perfforge bench run`` is: its configuration (stored with the run, so that
``--resume`` rebuilds the same run) and the tasks its ``--suite`` names resolve to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.budget import Price, parse_prices
from perfforge.errors import ConfigError

Mode = Literal["codegen", "optimize"]
RUN_KIND = "bench"
# options that decide what a run produces: a resumed run must not change them
RESULT_OPTIONS = ("suites", "models", "mode", "samples", "temperature", "max_tokens", "iterations", "strategy",
                  "prices", "api_base")


class TaskEntry(BaseModel):
    """One task of the run, pinned by content so that a resumed run evaluates the same task."""

    model_config = ConfigDict(extra="forbid")

    id: str
    suite: str
    ref: str = Field(description="how to find it again: a bundled task id, or the task folder")
    hash: str
    kind: str
    language: str



class BenchRunConfig(BaseModel):
    """Everything that decides a run's results (stored in the run store with the run)."""

    model_config = ConfigDict(extra="forbid")

    suites: list[str] = Field(description="as given: suite names, bundled task ids or task folders")
    models: list[str] = Field(min_length=1, description="litellm model strings")
    api_base: str | None = None
    mode: Mode = "codegen"
    samples: int = Field(1, ge=1, le=1000, description="samples (codegen) or agent runs (optimize) per task and model")
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(2048, ge=16)
    iterations: int = Field(3, ge=1, description="optimize mode: model exchanges per agent run")
    strategy: str = Field("refine", description="optimize mode: the agent's search strategy")
    prices: dict[str, Price] = Field(default_factory=dict, description="per-model price overrides")
    budget_usd: float | None = Field(None, ge=0, description="dollars for the whole run")
    model_timeout_s: float | None = Field(None, gt=0)
    backend: str | None = Field(None, description="sandbox backend of the evaluations")
    tasks: list[TaskEntry] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="tasks of the named suites that were left out")
    fingerprint: dict[str, Any] = Field(default_factory=dict, description="the machine the run was started on")

    def task(self, task_id: str) -> TaskEntry:
        return next(t for t in self.tasks if t.id == task_id)


def resolve_tasks(items: list[str]) -> tuple[list[TaskEntry], list[str]]:
    """The tasks ``--suite`` names (comma-separated suites, bundled task ids or task folders),
    each once, in the order given; and the malformed tasks of those suites that were left out."""
    from benchmarks import suites

    names = [part.strip() for item in items for part in item.split(",") if part.strip()]
    if not names:
        raise ConfigError("no suite given", hint="e.g. --suite codegen; `perfforge bench list` lists the suites")
    found: dict[str, TaskEntry] = {}
    problems: list[str] = []
    for name in names:
        if "/" not in name and not Path(name).is_dir():
            info = suites.suite_info(name)  # an unknown suite raises with the valid names
            problems += list(info.problems)
            tasks = [(t, name, t.id) for t in suites.suite_tasks(name, strict=False)]
        else:
            task = suites.resolve_task(name)
            bundled = task.id.split("/", 1)[0] in suites.suite_names() and suites.suites_root() in task.root.parents
            tasks = [(task, task.id.split("/", 1)[0] if bundled else "custom",
                      task.id if bundled else str(task.root.resolve()))]
        for task, suite, ref in tasks:
            task.require_evaluable()
            found.setdefault(task.id, TaskEntry(id=task.id, suite=suite, ref=ref, hash=task.content_hash(),
                                                kind=task.spec.kind, language=task.spec.language))
    return list(found.values()), problems


def load_task(entry: TaskEntry) -> Any:
    """The task of ``entry``, checked to be the very one the run started with."""
    from benchmarks.suites import resolve_task

    task = resolve_task(entry.ref)
    if task.content_hash() != entry.hash:
        raise ConfigError(f"task {entry.id} changed since the run started ({entry.ref})",
                          hint="start a new run instead of resuming this one")
    return task



def slug(text: str) -> str:
    """A name safe in a file path and a run id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


def check_resume(stored: BenchRunConfig, given: dict[str, Any]) -> None:
    """Options given with ``--resume`` must not change what the run produces."""
    for key in RESULT_OPTIONS:
        value = given.get(key)
        if value in (None, [], {}):
            continue
        if value != getattr(stored, key):
            shown = getattr(stored, key)
            raise ConfigError(f"--resume: the run was started with {key} {shown!r}, not {value!r}",
                              hint="resume with the run's own options (or none of them); --workers and --executor may change")


__all__ = ["BenchRunConfig", "Mode", "Price", "RUN_KIND", "TaskEntry", "check_resume", "load_task", "parse_prices",
           "resolve_tasks", "slug"]
