"""The protocols every extension point implements, stated in one place.

Implementations do not inherit from these; they match them structurally.  Each
extension point has one registry mapping short names to implementations:

=============  =====================================  ==========================
protocol       registry                               names
=============  =====================================  ==========================
Sandbox        ``sandbox.registry.BACKENDS``          docker, local
TaskLoader     ``benchmarks.loaders.LOADERS``         evalperf, coffe, pie, ...
Model          ``agent.models`` (litellm strings)     any litellm model, local
Strategy       ``agent.strategies.STRATEGIES``        refine, best-of-n, evolve
=============  =====================================  ==========================
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sandbox.models import ExecResult, ExecSpec


@runtime_checkable
class Session(Protocol):
    """A run of executions sharing one work dir (e.g. baseline and candidate timed ABAB)."""

    def run(self, spec: "ExecSpec") -> "ExecResult":
        """Run one command.  Files in ``spec.files`` are added to the session's work dir, which
        is reset before every run to the files placed so far plus those runs asked to ``keep``."""
        ...


@runtime_checkable
class Sandbox(Protocol):
    """Isolated execution of untrusted commands with hard limits.

    ``run`` never raises for anything the command did (crash, timeout, OOM, flood):
    that is an :class:`~sandbox.models.ExecResult`.  It raises
    :class:`~perfforge.errors.SandboxError` only when the sandbox itself failed.
    """

    name: str

    def run(self, spec: "ExecSpec") -> "ExecResult": ...

    def session(self) -> AbstractContextManager[Session]: ...

    def describe(self) -> dict[str, Any]:
        """Provenance recorded with every measurement: backend, image id, versions."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class TaskLoader(Protocol):
    """Turns a published benchmark format into perfforge tasks."""

    name: str

    def load(self, path: Path) -> Iterable[Any]:
        """Yield ``benchmarks.task.Task`` objects; malformed records raise TaskError naming file and record."""
        ...


@runtime_checkable
class Model(Protocol):
    """A chat model: messages in, one reply out, with its token usage and cost."""

    name: str

    def complete(self, messages: list[dict[str, str]], **params: Any) -> Any:
        """Return ``agent.models.Reply`` (text, tokens, cost); infrastructure errors raise ModelError."""
        ...


@runtime_checkable
class Strategy(Protocol):
    """How the agent spends its budget: which candidate to refine next, what to ask for."""

    name: str

    def run(self, loop: Any) -> Any:
        """Drive ``agent.loop`` until the budget is spent; return the best accepted candidate."""
        ...
