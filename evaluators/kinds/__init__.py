"""Task kinds and how the evaluators treat each: the registry ``KINDS`` (kind name -> support).

Every kind the evaluators judge has one :class:`KindSupport` here.  The shared machinery
(``evaluators.programs``, ``correctness``, ``measure``) asks it at a few fixed points
instead of branching on kind names; a kind changes only what differs for it:

``env(task)``
    variables added to the fixed environment of every run of the task (check, count,
    clock): the kernel kinds pin OpenMP's thread count and wait policy here.
``compare_stdout(task, got, want)``
    how a program's standard output is judged against the oracle's (``None``: it
    matches, else a short reason).  Default: the task's ``[compare]`` rule.
``runner(task)``
    an object with ``measure`` and ``validate`` (the signatures of
    :func:`evaluators.measure.measure` / ``validate``) taking over the whole judgement of
    a task whose programs do not run through the harness (a PyTorch module task is
    checked and timed by its own runner); ``None`` (the default): the shared path.
``workspace``
    the :class:`~evaluators.programs.Workspace` class that builds the kind's programs and
    says how each runs (``isa-translate``: two ISAs, the translations under qemu).
``metrics`` / ``metrics_note``
    the metrics the kind can take (``None``: all); the others are skipped with the note.
``counter``
    how instructions are counted (:class:`Counter`; default: valgrind on native programs)
    and which programs' counts compare with the candidate's.
``check``
    more validation: ``check(workspace, staged, oracle_outcomes)`` returns problems
    (``isa-translate``: the coverage gate).

A kind not listed is refused by :func:`support` with the list of those that are.
``benchmarks.task.EVALUATED_KINDS`` states the same set for the task format; a test keeps
the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from perfforge.errors import TaskError

if TYPE_CHECKING:
    from benchmarks.task import Task


def _no_env(task: "Task") -> dict[str, str]:
    return {}


def _no_runner(task: "Task") -> Any:
    return None


def _task_rule(task: "Task", got: bytes, want: bytes) -> str | None:
    from evaluators.compare import compare_stdout

    return compare_stdout(got, want, task.spec.compare)


class Counter(Protocol):
    """How a kind's programs are counted."""

    def method(self, ws: Any, fingerprint: dict[str, Any] | None) -> tuple[str, str | None]:
        """(method, fallback note or None)."""

    def comparable(self, ws: Any, program: Any) -> bool:
        """Whether ``program``'s count compares with the candidate's (and is taken at all)."""

    def count(self, ws: Any, program: Any, staged: Any, native_s: float) -> Any:
        """``program``'s :class:`~evaluators.instructions.InstructionCount` on the stress inputs."""


class ValgrindCounter:
    """The shared counter: valgrind cachegrind (hardware counters where usable) around every program."""

    def method(self, ws: Any, fingerprint: dict[str, Any] | None) -> tuple[str, str | None]:
        from evaluators import instructions

        return instructions.choose_method(fingerprint, ws.session_description.get("backend", ""))

    def comparable(self, ws: Any, program: Any) -> bool:
        return True

    def count(self, ws: Any, program: Any, staged: Any, native_s: float) -> Any:
        from evaluators import instructions

        return instructions.count_program(ws, program, staged, native_s)


@dataclass(frozen=True)
class KindSupport:
    """What the evaluators do differently for one kind (defaults: what perf-edit does)."""

    name: str
    summary: str
    env: Callable[["Task"], dict[str, str]] = _no_env
    compare_stdout: Callable[["Task", bytes, bytes], str | None] = _task_rule
    runner: Callable[["Task"], Any] = _no_runner
    workspace: Callable[..., Any] | None = None
    metrics: tuple[str, ...] | None = None
    metrics_note: str = ""
    counter: Counter = ValgrindCounter()
    check: Callable[..., list[str]] | None = None


def _kernel_kinds() -> dict[str, KindSupport]:
    from evaluators.kinds import kernel

    return {k.name: k for k in kernel.SUPPORTS}


def _isa_kind() -> dict[str, KindSupport]:
    from evaluators.kinds import isa_count

    return {isa_count.SUPPORT.name: isa_count.SUPPORT}


KINDS: dict[str, KindSupport] = {
    "perf-edit": KindSupport("perf-edit", "make the baseline program faster"),
    "codegen": KindSupport("codegen", "write an efficient solution from the description"),
    **_kernel_kinds(),
    **_isa_kind(),
}


def support(task: "Task") -> KindSupport:
    """The support of ``task``'s kind; a kind the evaluators cannot judge is a TaskError."""
    found = KINDS.get(task.spec.kind)
    if found is None:
        raise TaskError(f"{task.toml_path}: kind: {task.spec.kind!r} tasks are not supported yet by the evaluators",
                        hint=f"supported now: {', '.join(KINDS)}")
    return found


__all__ = ["KINDS", "Counter", "KindSupport", "ValgrindCounter", "support"]
