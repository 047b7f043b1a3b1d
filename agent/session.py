"""One ``perfforge optimize`` run, put together: configuration, models, sandbox, loop, report.

:class:`RunConfig` is everything a run needs, stored with the run in the run store so
that ``--resume RUN_ID`` rebuilds the very same run.  :func:`optimize` is the library
entry point (the CLI is a thin layer over it); a benchmark passes a shared ``total``
budget to several calls.
"""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from agent.budget import Budget, BudgetLimits, Price
from agent.loop import Loop, LoopConfig
from agent.report import RunSummary, write_outputs
from agent.store import RunStore
from perfforge.errors import ConfigError

LOCAL_TIMEOUT_S = 900.0  # a 1.5B model on two cores writes ~15 tokens/s: a long reply takes minutes
REACH_TIMEOUT_S = 5.0


class RunConfig(BaseModel):
    """A run's whole configuration (stored with the run; ``--resume`` reads it back)."""

    model_config = ConfigDict(extra="forbid")

    task_dir: str
    task_hash: str
    models: list[str] = Field(default_factory=list, description="litellm model strings; empty: the local default")
    api_base: str | None = None
    prices: dict[str, Price] = Field(default_factory=dict, description="per-model price overrides (--price)")
    model_timeout_s: float | None = Field(None, gt=0)
    strategy: str = "refine"
    strategy_options: dict[str, Any] = Field(default_factory=dict)
    limits: BudgetLimits = Field(default_factory=lambda: BudgetLimits(iterations=10))
    loop: LoopConfig = Field(default_factory=LoopConfig)
    backend: str | None = None
    out: str = Field("", description="output folder; empty: ./perfforge-out/<run id>")


class SandboxEvaluator:
    """The loop's evaluator: the evaluators' ``measure`` and the profiler, in one open sandbox."""

    def __init__(self, task: Any, sandbox: Any, metrics: tuple[str, ...], progress: Callable[[str], None]) -> None:
        self.task, self.sandbox, self.metrics, self.progress = task, sandbox, metrics, progress

    def measure(self, source: bytes, metrics: tuple[str, ...] | None = None) -> Any:
        from evaluators.measure import measure

        chosen = self.metrics if metrics is None else metrics
        return measure(self.task, source, metrics=chosen, sandbox=self.sandbox, progress=self.progress)

    def profile(self, source: bytes, subject: str) -> Any:
        from agent.profile import profile_program

        return profile_program(self.task, source, sandbox=self.sandbox, subject=subject, progress=self.progress)


def check_reachable(api_base: str) -> None:
    """Fail fast, before anything is measured, when nothing listens at ``api_base``."""
    from agent.redact import public_url

    url = urlparse(api_base)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"--api-base {public_url(api_base)!r} is not an http(s) URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=REACH_TIMEOUT_S).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach --api-base {public_url(api_base)}: {exc.strerror or exc}",
                          hint="start the model server, or fix the URL") from None


@contextlib.contextmanager
def open_models(config: RunConfig) -> Iterator[list[Any]]:
    """The run's chat models; the local default model's server is started here and stopped after."""
    from agent.models import ChatModel

    if not config.models:
        with _local_server() as server:
            # a local model costs nothing per token: its price is a true 0, so dollar caps hold
            yield [ChatModel(model=server.litellm_model, api_base=server.base_url,
                             timeout_s=config.model_timeout_s or LOCAL_TIMEOUT_S,
                             input_usd_per_mtok=0.0, output_usd_per_mtok=0.0)]
        return
    extra = {"timeout_s": config.model_timeout_s} if config.model_timeout_s else {}
    models = [ChatModel(model=name, api_base=config.api_base, **extra,
                        **(config.prices[name].model_dump() if name in config.prices else {}))
              for name in config.models]
    for model in models:
        model.check()
    if config.api_base:
        check_reachable(config.api_base)
    yield models


def _local_server() -> Any:
    """A server for the embedded model: one that ``perfforge model serve`` keeps running, else our own.

    Servers other runs started are not borrowed: they stop when their run ends."""
    from agent.local_model import DEFAULT_MODEL, LocalServer, ensure_local_server, running_servers

    for record in running_servers():
        if record.owner == "serve" and record.model_id == DEFAULT_MODEL.model_id:
            return LocalServer(record.base_url, record.model_id, backend=record.backend)
    return ensure_local_server(reuse=False)


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def resume_config(store: RunStore, run_id: str) -> RunConfig:
    """The configuration a stored run was started with."""
    record = store.get_run(run_id)
    if record.kind != "optimize":
        raise ConfigError(f"run {run_id} is a {record.kind} run, not an optimize run")
    if record.status == "done":
        raise ConfigError(f"run {run_id} is already done", hint=f"its report: {record.config.get('out')}")
    return RunConfig.model_validate(record.config)


def optimize(config: RunConfig, *, store: RunStore | None = None, run_id: str | None = None,
             resume: bool = False, total: Budget | None = None, progress: Callable[[str], None] | None = None,
             sandbox: Any = None) -> RunSummary:
    """Run one optimization (``resume``: continue the stored run ``run_id``); return its summary.

    Raises :class:`~agent.loop.RunInterrupted` when an infrastructure failure stops it
    (the summary and report are written first)."""
    store = store or RunStore()
    if not resume:
        run_id = run_id or new_run_id()
    assert run_id is not None, "resume needs the run id"
    with store.lease(run_id):  # a second --resume of this run is refused while this one works
        return _optimize(config, store, run_id, resume, total, progress or (lambda _msg: None), sandbox)


def _optimize(config: RunConfig, store: RunStore, run_id: str, resume: bool, total: Budget | None,
              say: Callable[[str], None], sandbox: Any) -> RunSummary:
    from agent.strategies import get_strategy
    from benchmarks.task import Task
    from evaluators.measure import open_sandbox

    task = Task.load(config.task_dir)
    if task.content_hash() != config.task_hash:
        raise ConfigError(f"the task in {config.task_dir} changed since the run started",
                          hint="start a new run instead of resuming this one")
    strategy = get_strategy(config.strategy, **config.strategy_options)
    with open_models(config) as models, open_sandbox(config.backend, sandbox) as sandbox:
        if not resume and not config.out:
            config = config.model_copy(update={"out": str(Path.cwd() / "perfforge-out" / run_id)})
        out = Path(config.out)
        evaluator = SandboxEvaluator(task, sandbox, config.loop.metrics, say)
        # a resumed run's wall-time budget goes on from the seconds its earlier sessions worked
        budget = Budget(config.limits, parent=total, elapsed_s=store.elapsed(run_id) if resume else 0.0)

        def on_step(lp: Loop) -> None:
            store.set_elapsed(run_id, budget.elapsed_s)
            write_outputs(lp, out, config.strategy)

        loop = Loop(task, models, store=store, run_id=run_id, budget=budget, evaluator=evaluator, config=config.loop,
                    progress=say, on_step=on_step)
        # the run is recorded only once everything it needs is in place: bad input leaves no trace
        if resume:
            store.set_status(run_id, "running", "resumed")
        else:
            store.create_run("optimize", config.model_dump(mode="json"), run_id=run_id)
        say(f"run {run_id}: {task.id} with {', '.join(m.name for m in models)} ({config.strategy})")
        loop.run(strategy)
        return write_outputs(loop, out, config.strategy)
