"""The repository's own oracle, through the targets layer (:mod:`agent.targets`,
:mod:`agent.repo_tests`); the one place ``perfforge ci`` meets it.

- :func:`run_suite`: the repository's pytest suite in the sandbox, files overridden;
- :func:`prepare`: a function as a task whose correctness tests are the calls its tests make
  (recorded in the sandbox) and whose stress inputs are grown from them, the original
  function being the oracle.  The task is copied into the run's work folder with the CI's
  threshold and timing rounds, so the agent accepts by the same bar the gates apply;
- :func:`touches_only`: the reason an edit reaches beyond the target, or None.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any, Callable

import tomli_w
from pydantic import BaseModel, Field

from agent.ci.config import CiConfig
from agent.ci.discover import Candidate
from perfforge.errors import ConfigError

SUITE_TIMEOUT_S = 900.0
_NODE_ID = re.compile(r"\((?P<node>[^()]+::[^()]+)\)$")


class SuiteResult(BaseModel):
    """One run of the repository's suite (the parts of ``PytestReport`` the gates read)."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    ok: bool = False
    failing: list[str] = Field(default_factory=list)
    benchmarks: dict[str, float] = Field(default_factory=dict, description="pytest-benchmark: name -> median s")
    summary: str = ""
    output_tail: str = ""

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    @property
    def passed_all(self) -> bool:
        return self.ok

    def counts(self) -> dict[str, int]:
        return {"passed": self.passed, "failed": self.failed, "errors": self.errors, "skipped": self.skipped}

    def describe_failures(self) -> str:
        if not self.failing:
            return self.summary
        more = f" and {len(self.failing) - 5} more" if len(self.failing) > 5 else ""
        return f"{self.summary}: {', '.join(self.failing[:5])}{more}"


class Target(BaseModel):
    """A function prepared for the agent: its task, and what its oracle is made of."""

    task_dir: Path
    task_hash: str
    calling_tests: list[str] = Field(default_factory=list)
    recorded_calls: int = 0
    stress_inputs: int = 0

    def module_source(self, candidate: str) -> str:
        """The repository file's new content for the task's best candidate (the task's candidate
        file is the whole module)."""
        return candidate


def run_suite(repo_root: Path, config: CiConfig, sandbox: Any,
              overrides: dict[str, bytes] | None = None, progress: Callable[[str], None] | None = None) -> SuiteResult:
    from agent.repo_tests import run_pytest

    report = run_pytest(repo_root, overrides=overrides or {}, args=config.pytest_args(), sandbox=sandbox,
                        timeout_s=SUITE_TIMEOUT_S, progress=progress)
    return SuiteResult(passed=report.passed + report.xpassed, failed=report.failed, errors=report.errors,
                       skipped=report.skipped + report.xfailed, ok=report.ok, failing=report.failing,
                       benchmarks={b.fullname: b.median for b in report.benchmarks}, summary=report.describe(),
                       output_tail=report.output_tail)


def _calling_tests(task_dir: Path) -> list[str]:
    """The pytest node ids whose calls became the task's tests (named in its recorded cases)."""
    from benchmarks import values

    path = task_dir / "_perfforge" / "recorded.json"
    if not path.is_file():
        return []
    names = [str(case.get("name", "")) for case in values.loads(path.read_text(encoding="utf-8"))
             if isinstance(case, dict)]
    found = [m.group("node") for name in names if (m := _NODE_ID.search(name))]
    return list(dict.fromkeys(found))


def _with_measure(source: Path, dest: Path, config: CiConfig) -> None:
    """A copy of the task measured the CI's way: its threshold, its number of timing rounds."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    spec = tomllib.loads((dest / "task.toml").read_text(encoding="utf-8"))
    spec.setdefault("measure", {}).update(threshold=config.threshold, repeats=config.repeats)
    (dest / "task.toml").write_text(tomli_w.dumps(spec))


def prepare(repo_root: Path, candidate: Candidate, config: CiConfig, sandbox: Any, work: Path,
            say: Callable[[str], None]) -> Target:
    """The task for ``candidate``; ConfigError/TaskError when it cannot have an oracle (no test
    calls it, its calls cannot be recorded, it is a method, a program does not compile...)."""
    from benchmarks.task import Task

    if candidate.language == "python":
        from agent.targets.grow import GrowParams
        from agent.targets.python_function import python_task

        params = GrowParams(budget_s=config.stress_budget_s) if config.stress_budget_s else None
        made = python_task(repo_root / candidate.path, candidate.function, repo=repo_root, sandbox=sandbox,
                           params=params, progress=say)
        cases, stress = int(made.info.get("cases", 0)), len(made.info.get("stress", []))
    else:
        from agent.targets.c_program import STRESS_INPUTS, c_task

        program = config.program(candidate.path)
        if program is None:
            raise ConfigError(f"{candidate.path} is not a program declared in [[tool.perfforge.build]]")
        made = c_task(repo_root / candidate.path, program.command, inputs=_input_files(repo_root, program.inputs),
                      sandbox=sandbox, progress=say)
        cases = len(made.info.get("inputs", []))
        stress = min(cases, STRESS_INPUTS)
    task_dir = work / "task"
    _with_measure(Path(made.task.root), task_dir, config)
    task = Task.load(task_dir)
    return Target(task_dir=task_dir, task_hash=task.content_hash(), calling_tests=_calling_tests(task_dir),
                  recorded_calls=cases, stress_inputs=stress)


def _input_files(repo_root: Path, given: list[str]) -> list[str | Path] | None:
    """The declared inputs as files (a folder stands for the files in it); None: the default."""
    files: list[str | Path] = []
    for item in given:
        path = repo_root / item
        if not path.exists():
            raise ConfigError(f"[[tool.perfforge.build]] inputs: {item} does not exist")
        files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() \
            else [path]
    return files or None


def touches_only(original: str, candidate: str, function: str | None) -> str | None:
    """None when the edit changes ``function`` only (None: the whole file is the target)."""
    if function is None:
        return None
    from agent.targets import touches_only as check

    ok, reasons = check(original, candidate, function)
    return None if ok else "; ".join(reasons[:3])
