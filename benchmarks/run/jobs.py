"""One unit of evaluation work, as executors ship it: the samples of one model on one task.

:func:`run_job` runs in an executor's worker process (a local pool process, or a Ray
worker on any node).  It evaluates the samples with :class:`benchmarks.evaluate.Evaluation`
in the worker's own sandbox, which stays open from job to job.  Each verdict is written
the moment it is known: straight into the run store when the worker shares the machine
with it (``store_path``), and in any case returned with the job's result, which the
driver writes again (the store keeps the first copy of a key, so writing twice is safe).

A run's result rows are keyed ``<model>|<task_id>#<sample>``: one run holds several
models, and the key tells them apart.  The payload is ``SampleResult`` plus ``bench``:
what producing the sample cost (tokens, dollars, seconds waiting for the model, local
compute seconds of an agent run).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from pydantic import BaseModel, Field

KEY_SEPARATOR = "|"


def scoped_key(model: str, task_id: str, sample: int) -> str:
    return f"{model}{KEY_SEPARATOR}{task_id}#{sample}"


class JobSample(BaseModel):
    index: int
    source: str
    origin: str
    invalid: str | None = None
    bench: dict[str, Any] = Field(default_factory=dict, description="what producing it cost; stored with the verdict")


class EvalJob(BaseModel):
    """The samples of one model on one task, and where the verdicts go."""

    job_id: str
    run_id: str
    model: str
    task_ref: str
    task_hash: str
    suite: str
    backend: str | None = None
    store_path: str | None = Field(None, description="the run store, when the worker can write to it directly")
    samples: list[JobSample]


class JobResult(BaseModel):
    job_id: str
    rows: list[dict[str, Any]] = Field(default_factory=list, description="ResultRow dumps, keys scoped")
    failed: str | None = Field(None, description="why the task could not be evaluated (its samples are not stored)")
    wall_s: float = 0.0
    candidate_s: float = 0.0
    worker: str = ""


class _Sink:
    """The run store as one job's ``Evaluation`` sees it: rows keyed by model, payloads with
    the production costs, a copy kept for the driver."""

    def __init__(self, job: EvalJob, store: Any | None) -> None:
        self.job, self.store = job, store
        self.extras = {s.index: s.bench for s in job.samples}
        self.rows: list[dict[str, Any]] = []

    def results(self, run_ids: list[str]) -> list[Any]:
        return []  # the driver sends only samples not stored yet

    def has_result(self, run_id: str, key: str) -> bool:
        return any(r["key"] == f"{self.job.model}{KEY_SEPARATOR}{key}" for r in self.rows)

    def add_result(self, run_id: str, row: Any) -> None:
        payload = {**row.payload, "bench": self.extras.get(row.sample, {})}
        scoped = row.model_copy(update={"key": scoped_key(self.job.model, row.task_id, row.sample), "payload": payload})
        if self.store is not None:
            self.store.add_result(run_id, scoped)
        self.rows.append(scoped.model_dump(mode="json"))


# --- the worker's side -----------------------------------------------------------------------

_SANDBOXES: dict[str, Any] = {}
_LOCK = threading.Lock()
_PROGRESS: Any = None  # a queue the local pool hands its workers: ("advance", n) / ("say", text)


def set_progress_queue(queue: Any) -> None:
    """Worker initializer of the local pool: where progress goes."""
    global _PROGRESS
    _PROGRESS = queue


class _QueueReporter:
    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        if _PROGRESS is not None:
            _PROGRESS.put(("advance", n))

    def say(self, message: str) -> None:
        if _PROGRESS is not None:
            _PROGRESS.put(("say", message))


def _sandbox(backend: str | None) -> Any:
    """This worker's sandbox (one per backend), opened on first use and kept warm; closed
    when the worker process ends."""
    key = backend or ""
    with _LOCK:
        box = _SANDBOXES.get(key)
        if box is None:
            from multiprocessing import util

            from sandbox import get_sandbox

            box = _SANDBOXES[key] = get_sandbox(backend, pool_size=1)
            # pool workers leave through multiprocessing's exit path, which runs these (atexit may not run)
            util.Finalize(box, box.close, exitpriority=10)
        return box


def _drop_sandbox(backend: str | None) -> None:
    with _LOCK:
        box = _SANDBOXES.pop(backend or "", None)
    if box is not None:
        try:
            box.close()
        except Exception:  # already broken: the next job opens a fresh one either way
            pass


def run_job(job: EvalJob) -> JobResult:
    """Evaluate one job's samples in this worker's sandbox (see the module docstring)."""
    from agent.store import RunStore
    from benchmarks.evaluate import EvalTask, Evaluation
    from benchmarks.loaders.base import Sample, SampleSet
    from benchmarks.suites import resolve_task
    from perfforge.errors import PerfforgeError

    worker = f"{os.uname().nodename}:{os.getpid()}"
    started = time.perf_counter()
    try:
        task = resolve_task(job.task_ref)
    except PerfforgeError as exc:
        return JobResult(job_id=job.job_id, failed=f"task not found on {worker}: {exc}", worker=worker)
    if task.content_hash() != job.task_hash:
        return JobResult(job_id=job.job_id, worker=worker,
                         failed=f"task {task.id} on {worker} differs from the driver's (content hash)")
    samples = SampleSet(samples=[Sample(task.id, s.index, s.source, s.origin, s.invalid) for s in job.samples])
    sink = _Sink(job, RunStore(job.store_path) if job.store_path else None)
    evaluation = Evaluation(tasks=[EvalTask(task, job.suite)], samples=samples, store=sink, run_id=job.run_id,
                            format="suite", model=job.model, backend=job.backend, sandbox=_sandbox(job.backend),
                            workers=1, reporter=_QueueReporter())
    outcome = evaluation.run()
    failed = outcome.failed_tasks.get(task.id)
    if failed:
        _drop_sandbox(job.backend)  # it may be what broke: the next job starts from a fresh one
    return JobResult(job_id=job.job_id, rows=sink.rows, failed=failed, wall_s=time.perf_counter() - started,
                     candidate_s=outcome.candidate_s, worker=worker)


__all__ = ["EvalJob", "JobResult", "JobSample", "KEY_SEPARATOR", "run_job", "scoped_key", "set_progress_queue"]
