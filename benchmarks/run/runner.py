"""``perfforge bench run``, the library side: produce samples, evaluate them, store everything.

The work is one unit per (task, model): its samples are produced in a generation thread
(model calls, or an agent run), then handed to the executor as one job, so the
evaluation of one unit overlaps the generation of the next.  The driver waits on both,
writes each finished job's verdicts (the local pool's workers have already written them)
and keeps the progress bar moving.

Resume: a unit whose samples are all in the run store is skipped without asking anyone;
the others ask again through the journal, which replays every answer already paid for.
An infrastructure failure (the model provider after its retries, a broken worker pool,
a lost Ray cluster) stops the run as ``interrupted`` with everything so far kept; a
task that cannot be evaluated is reported by name and the others go on.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from benchmarks.evaluate import QuietReporter
from benchmarks.run.config import BenchRunConfig, TaskEntry, load_task
from benchmarks.run.jobs import EvalJob, JobResult, scoped_key
from perfforge.errors import PerfforgeError

POLL_S = 0.25


class RunStopped(PerfforgeError):
    """The run stopped on an infrastructure failure; what was done is kept."""

    def __init__(self, run_id: str, cause: BaseException) -> None:
        text = cause.message if isinstance(cause, PerfforgeError) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"run {run_id} interrupted: {text}",
                         hint=f"every verdict so far is kept; continue with: perfforge bench run --resume {run_id}")
        self.cause = cause


@dataclass
class RunOutcome:
    run_id: str
    written: int = 0
    resumed: int = 0
    units: int = 0
    failed_tasks: dict[str, str] = field(default_factory=dict)
    not_generated: int = 0
    budget_stop: str | None = None
    wall_s: float = 0.0
    candidate_s: float = 0.0
    eval_s: float = 0.0
    workers: dict[str, int] = field(default_factory=dict)


@dataclass
class BenchRun:
    config: BenchRunConfig
    store: Any
    run_id: str
    executor: Any
    reporter: Any = field(default_factory=QuietReporter)
    gen_threads: int = 0  # 0: as many as the executor has workers (at least 2, so generation runs ahead)

    def __post_init__(self) -> None:
        from agent.budget import Budget, BudgetLimits

        self.budget = Budget(BudgetLimits(usd=self.config.budget_usd), scope="benchmark")
        self._stop = threading.Event()
        self._budget_stop: str | None = None

    # -- the plan -------------------------------------------------------------------------

    def _units(self, stored: set[str]) -> tuple[list[tuple[TaskEntry, str, list[int]]], int]:
        """(task, model, sample indices still to do) in task order; and how many are stored."""
        units, resumed = [], 0
        for entry in self.config.tasks:
            for model in self.config.models:
                todo = [i for i in range(self.config.samples) if scoped_key(model, entry.id, i) not in stored]
                resumed += self.config.samples - len(todo)
                if todo:
                    units.append((entry, model, todo))
        return units, resumed

    # -- running --------------------------------------------------------------------------

    def run(self) -> RunOutcome:
        from benchmarks.run.produce import Producer

        outcome = RunOutcome(self.run_id)
        stored = {row.key for _, row in self.store.results([self.run_id])}
        units, outcome.resumed = self._units(stored)
        outcome.units = len(units)
        self.reporter.start(sum(len(todo) for _, _, todo in units))
        producer = Producer(self.config, self.store, self.run_id, self.budget, say=self.reporter.say)
        started = time.perf_counter()
        if units:
            producer.open_models()
        threads = self.gen_threads or max(2, self.executor.workers)
        gen_pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bench-gen")
        generating: dict[Future, tuple[TaskEntry, str, list[int]]] = {
            gen_pool.submit(self._produce, producer, *unit): unit for unit in units}
        evaluating: dict[Future, tuple[TaskEntry, int]] = {}
        try:
            while generating or evaluating:
                done, _ = wait([*generating, *evaluating], timeout=POLL_S, return_when=FIRST_COMPLETED)
                self._progress()
                for future in done:
                    if future in generating:
                        entry, model, todo = generating.pop(future)
                        job = future.result()  # infrastructure failures raise here
                        if job is None:
                            outcome.not_generated += len(todo)
                            self.reporter.advance(len(todo))
                            continue
                        outcome.not_generated += len(todo) - len(job.samples)
                        self.reporter.advance(len(todo) - len(job.samples))
                        evaluating[self.executor.submit(job)] = (entry, len(job.samples))
                    else:
                        entry, size = evaluating.pop(future)
                        self._absorb(future.result(), entry, size, outcome)
            self._progress()
        except BaseException as exc:
            self._stop.set()
            for future in [*generating, *evaluating]:
                future.cancel()
            gen_pool.shutdown(wait=True, cancel_futures=True)
            if isinstance(exc, (KeyboardInterrupt, PerfforgeError)) and not _is_infrastructure(exc):
                raise
            raise RunStopped(self.run_id, exc) from exc
        finally:
            outcome.wall_s = time.perf_counter() - started
        gen_pool.shutdown(wait=True)
        outcome.budget_stop = self._budget_stop
        return outcome

    def _produce(self, producer: Any, entry: TaskEntry, model: str, todo: list[int]) -> EvalJob | None:
        """A unit's job, or None when nothing was produced (stopped, or the budget ran out)."""
        from agent.budget import BudgetExceeded

        task = load_task(entry)
        samples = []
        for i in todo:  # one sample at a time: a budget stop keeps those already produced
            if self._stop.is_set() or self._budget_stop:
                break
            try:
                samples += producer.produce(entry, task, model, [i])
            except BudgetExceeded as stop:
                self._budget_stop = str(stop)
                self.reporter.say(f"budget reached: {stop}")
        if not samples:
            return None
        return EvalJob(job_id=f"{model}|{entry.id}", run_id=self.run_id, model=model, task_ref=entry.ref,
                       task_hash=entry.hash, suite=entry.suite, backend=self.config.backend,
                       store_path=str(self.store.path) if self.executor.name == "local" else None, samples=samples)

    def _absorb(self, result: JobResult, entry: TaskEntry, samples: int, outcome: RunOutcome) -> None:
        from agent.store import ResultRow

        for row in result.rows:
            self.store.add_result(self.run_id, ResultRow.model_validate(row))  # kept once: workers may have written it
        if not self.executor.streams_progress:
            self.reporter.advance(samples)
        outcome.written += len(result.rows)
        outcome.eval_s += result.wall_s
        outcome.candidate_s += result.candidate_s
        if result.worker:
            outcome.workers[result.worker] = outcome.workers.get(result.worker, 0) + 1
        if result.failed:
            outcome.failed_tasks[entry.id] = result.failed
            self.reporter.say(f"{entry.id}: not evaluated: {result.failed}")

    def _progress(self) -> None:
        for kind, value in self.executor.poll():
            if kind == "advance":
                self.reporter.advance(value)
            elif kind == "say":
                self.reporter.say(str(value))


def _is_infrastructure(exc: BaseException) -> bool:
    from agent.loop import RunInterrupted
    from perfforge.errors import ModelError, SandboxError, ToolchainError

    return isinstance(exc, (ModelError, SandboxError, ToolchainError, RunInterrupted))


__all__ = ["BenchRun", "RunOutcome", "RunStopped"]
