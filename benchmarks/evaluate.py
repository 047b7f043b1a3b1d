"""Evaluate pre-generated samples (no model involved) and write each verdict to the run store.

Per task, one sandbox session does the shared work once: build, staging of the test and
stress inputs (cached), the oracle's run (it defines the answers and the time limits)
and the references' instruction counts.  Then each sample of the task is placed in the
same session under the candidate's slot, built, checked against the oracle and, when
correct, counted.  Counts are kept by content (``evaluators.measure.count_cached``), so
a reference counted once is read back in later evaluations, and so is a sample identical
to a program counted before.

Every count of an evaluation is taken in that one slot, the references' too, with one
timeout per task (see :func:`count_budget`): a program's paths and argv reach the
interpreter (a path string is hashed, a dict grows differently), so the same program
counted in two slots can differ by a few hundred instructions, and a sample identical to
a reference must count exactly as that reference does (DPS matches "at most the
reference's count"; efficient@1 needs "strictly fewer").

The verdict is written to the run store as soon as it is known (``kind="evaluate"``, one
row per sample, key ``<task_id>#<sample>``), so an interrupted evaluation loses nothing
and a resumed one skips what is stored.  A failing sample is data (``correct: false``);
a task that cannot be evaluated (its oracle fails, the sandbox breaks) is reported by
name and the other tasks go on.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, Field

from benchmarks.loaders.base import Sample, SampleSet
from benchmarks.summary import sample_dps, sample_efficient
from benchmarks.task import Task
from perfforge import __version__
from perfforge.errors import ConfigError, PerfforgeError

RESULT_SCHEMA = 1
FAILURES_KEPT = 5
CANDIDATE_SLOT = "cand"  # the slot `perfforge measure` runs its candidate in
COUNT_BUDGET_S = 32.0
TIME_METHOD = "time (interleaved runs, median reference / median candidate)"


class SampleResult(BaseModel):
    """The run-store payload of one evaluated sample (``ResultRow.payload``)."""

    schema_: int = Field(RESULT_SCHEMA, alias="schema")
    kind: str = "evaluate"
    format: str = Field(description="'suite' for bundled suites, else the loader: evalperf, coffe, pie")
    suite: str
    task_id: str
    external_id: str | None = Field(None, description="the published id (EvalPerf task_id, COFFE prompt, PIE problem)")
    task_kind: str
    language: str
    model: str
    sample: int
    origin: str = Field(description="where the sample came from: file and line")
    source_sha256: str
    correct: bool
    error: str | None = Field(None, description="why the sample could not run at all (build/import error, marked invalid)")
    failures: list[dict[str, str]] = Field(default_factory=list, description=f"the first {FAILURES_KEPT}: input, reason")
    failures_total: int = 0
    tests: int = 0
    stress: int = 0
    scale: int = 0
    instructions: int | None = Field(None, description="the sample's count over the stress inputs (correct samples)")
    method: str | None = None
    count_cached: bool = Field(False, description="read from the count cache: an identical program was counted before")
    baseline_label: str | None = Field(None, description="what the speedup compares with: baseline, or the fastest reference")
    baseline_instructions: int | None = None
    references: dict[str, int] = Field(default_factory=dict, description="each reference's count, by level")
    speedup: float | None = Field(None, description="baseline_instructions / instructions")
    dps: float | None = None
    dps_norm: float | None = None
    dps_level: int | None = None
    efficient: bool | None = Field(None, description="correct and strictly fewer instructions than the best reference")
    timing: dict[str, float] = Field(default_factory=dict, description="seconds: wall, build, check, count, candidate")
    provenance: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class EvalTask:
    """A task to evaluate, with the suite it belongs to and its published id."""

    task: Task
    suite: str
    external_id: str | None = None


class Reporter(Protocol):
    """Where progress goes (the CLI draws a rich progress bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def say(self, message: str) -> None: ...


class QuietReporter:
    """A Reporter that shows nothing (tests, --quiet, library use)."""

    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def say(self, message: str) -> None:
        pass


@dataclass
class Outcome:
    """What an evaluation did: the run, what was written, skipped, and what failed."""

    run_id: str
    written: int = 0
    resumed: int = 0
    failed_tasks: dict[str, str] = field(default_factory=dict)
    wall_s: float = 0.0
    candidate_s: float = 0.0
    interrupted: bool = False


def result_key(task_id: str, index: int) -> str:
    return f"{task_id}#{index}"


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def references_as_samples(tasks: list[EvalTask]) -> SampleSet:
    """Every task's references, slowest first, as its samples (``--samples references``)."""
    out = SampleSet()
    for item in tasks:
        for ref in item.task.spec.references:
            out.add(item.task.id, item.task.read(ref.file).decode("utf-8", "replace"), f"reference {ref.level}")
    return out


# --- one task ----------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """The per-task work shared by all samples."""

    staged: Any
    oracle: Any
    limits: list[float]
    count_s: float
    base_label: str
    base_count: int | None
    references: dict[str, int]
    method: str
    provenance: dict[str, Any]


def count_budget(stress_limit_s: float) -> float:
    """The native seconds a count's timeout is scaled from, the same in every evaluation.

    The timeout is written into the counted run's job file, which the harness parses, so
    its digits are part of the count: a value taken from a measured time would make two
    counts of one program differ by a few hundred instructions (and the references' counts
    are cached from earlier sessions).  A constant covers every candidate that passed its
    time limits unless those add up to more than it; then a power of two keeps it stable.
    """
    if stress_limit_s <= COUNT_BUDGET_S:
        return COUNT_BUDGET_S
    return float(2 ** math.ceil(math.log2(stress_limit_s)))


def place(ws: Any, program: Any) -> Any:
    """Put ``program`` in its slot of the session (replacing what was there) and build it."""
    ws.programs[program.slot] = program
    ws.put({f"{program.slot}/{ws.task.spec.candidate}": program.source})
    ws.build()
    return program


def _prepare(ws: Any, programs: list[Any], fingerprint: dict[str, Any] | None) -> _Prepared:
    from benchmarks.stress import stage
    from evaluators import instructions as instr
    from evaluators.correctness import check_oracle, run_program, time_limits
    from evaluators.kinds import support
    from evaluators.measure import count_cached
    from evaluators.programs import Program

    task = ws.task
    staged = stage(task, ws)
    ws.progress(f"{task.id}: the oracle ({programs[0].label})")
    oracle = run_program(ws, programs[0], staged, None)
    check_oracle(task, staged, oracle)
    limits = time_limits(task, oracle)
    count_s = count_budget(sum(limits[len(staged.tests):]))
    instr.send_stress(ws, staged)
    counter = support(task).counter
    counts = {}
    for p in programs:
        if not counter.comparable(ws, p):  # an isa-translate task's x86-64 baseline: not counted on the target
            continue
        twin = place(ws, Program(p.role, p.label, p.source, CANDIDATE_SLOT))
        if twin.ok:
            counts[p.slot] = count_cached(ws, twin, staged, count_s).instructions
    refs = {p.label.split(":", 1)[1]: counts[p.slot] for p in programs if p.role == "reference" and p.slot in counts}
    base = programs[0] if task.spec.baseline and counter.comparable(ws, programs[0]) else programs[-1]
    method, _ = counter.method(ws, fingerprint)
    tools = ws.probe(need_valgrind=True)
    provenance = {
        "perfforge": __version__,
        "task_hash": task.content_hash(),
        "stress_key": staged.key,
        "sandbox": ws.session_description.get("backend"),
        "image": ws.session_description.get("image_id") or ws.session_description.get("image"),
        "python": tools.python,
        "compiler": tools.compiler if task.is_compiled else None,
        "valgrind": tools.valgrind,
        "machine": (fingerprint or {}).get("id"),
    }
    return _Prepared(staged, oracle, limits, count_s, base.label, counts.get(base.slot), refs, method, provenance)


def _judge(ws: Any, prep: _Prepared, sample: Sample, base: dict[str, Any]) -> SampleResult:
    from evaluators.correctness import judge, run_program
    from evaluators.measure import count_cached
    from evaluators.programs import Program

    task = ws.task
    t0 = time.perf_counter()
    source = sample.source.encode("utf-8", "surrogatepass")
    program = place(ws, Program("candidate", "candidate", source, CANDIDATE_SLOT))
    t_built = time.perf_counter()
    outcome = run_program(ws, program, prep.staged, prep.limits)
    verdict = judge(task, prep.staged, prep.oracle, outcome, prep.limits)
    t_checked = time.perf_counter()
    count, cached = None, False
    if verdict.correct:
        # counts are kept by content: a sample identical to a program counted before (a
        # reference, a repeated reply) is read back, not counted again
        counted = count_cached(ws, program, prep.staged, prep.count_s)
        count, cached = counted.instructions, counted.cached
    t_done = time.perf_counter()
    result = SampleResult(
        **base, correct=verdict.correct, error=verdict.error,
        failures=[f.model_dump() for f in verdict.failures[:FAILURES_KEPT]], failures_total=len(verdict.failures),
        tests=verdict.tests, stress=verdict.stress, scale=verdict.scale,
        instructions=count, method=prep.method if count is not None else None, count_cached=cached,
        baseline_label=prep.base_label, baseline_instructions=prep.base_count, references=prep.references,
        speedup=(prep.base_count / count) if count and count > 0 and prep.base_count else None,
        timing={"wall": t_done - t0, "build": t_built - t0, "check": t_checked - t_built, "count": t_done - t_checked,
                "candidate": sum(outcome.seconds)},
        provenance={**prep.provenance, "measured_at": _now()},
    )
    return _with_scores(result)


def _with_scores(result: SampleResult) -> SampleResult:
    payload = result.model_dump(by_alias=True)
    scored = sample_dps(payload)
    if scored is not None:
        result.dps, result.dps_norm, result.dps_level = scored.dps, scored.dps_norm, scored.level
    result.efficient = sample_efficient(payload)
    return result


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


# --- the evaluation ------------------------------------------------------------------------------


@dataclass
class Evaluation:
    """One ``bench evaluate``: tasks, samples, where results go, how to run."""

    tasks: list[EvalTask]
    samples: SampleSet
    store: Any  # agent.store.RunStore
    run_id: str
    format: str
    model: str
    backend: str | None = None
    sandbox: Any = None
    workers: int = 1
    reporter: Reporter = field(default_factory=QuietReporter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> Outcome:
        """Evaluate every sample not yet in the store; returns what happened."""
        from evaluators.fingerprint import machine_fingerprint

        outcome = Outcome(self.run_id)
        stored = {row.key: row.payload.get("source_sha256") for _, row in self.store.results([self.run_id])}
        by_task = self.samples.by_task()
        work = []
        for item in self.tasks:
            todo = []
            for sample in by_task.get(item.task.id, []):
                key = result_key(item.task.id, sample.index)
                if key in stored:
                    if stored[key] != source_hash(sample.source):
                        raise ConfigError(f"{key}: the stored result is of a different sample ({sample.origin})",
                                          hint="resume with the same samples file the run began with")
                    outcome.resumed += 1
                else:
                    todo.append(sample)
            if todo:
                work.append((item, todo))
        self.reporter.start(sum(len(todo) for _, todo in work))
        fingerprint = machine_fingerprint(docker=False).model_dump(mode="json")
        t0 = time.perf_counter()
        owned = None
        if self.sandbox is None and work:
            from sandbox import get_sandbox

            # one pool for the whole evaluation: its sandboxes stay warm from task to task
            owned = self.sandbox = get_sandbox(self.backend, pool_size=max(1, self.workers))
        try:
            if self.workers <= 1 or len(work) <= 1:
                for item, todo in work:
                    self._task(item, todo, fingerprint, outcome)
            else:
                self._parallel(work, fingerprint, outcome)
        except KeyboardInterrupt:
            outcome.interrupted = True
            self._stop.set()
            raise
        finally:
            outcome.wall_s = time.perf_counter() - t0
            if owned is not None:
                owned.close()
                self.sandbox = None
        return outcome

    def _parallel(self, work: list[tuple[EvalTask, list[Sample]]], fingerprint: Any, outcome: Outcome) -> None:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="bench-eval") as pool:
            futures = [pool.submit(self._task, item, todo, fingerprint, outcome) for item, todo in work]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                self._stop.set()  # the running tasks stop after their current sample
                for future in futures:
                    future.cancel()
                raise

    def _task(self, item: EvalTask, todo: list[Sample], fingerprint: Any, outcome: Outcome) -> None:
        from evaluators.measure import open_workspace
        from evaluators.programs import task_programs

        task = item.task
        runnable = []
        for sample in todo:
            if sample.invalid:
                self._write(self._invalid(item, sample), outcome)
            else:
                runnable.append(sample)
        if not runnable or self._stop.is_set():
            return
        programs = task_programs(task)
        try:
            task.require_evaluable()
            if self._own_runner(item, runnable, outcome):
                return
            with open_workspace(task, programs, backend=self.backend, sandbox=self.sandbox,
                                progress=self.reporter.say) as ws:
                prep = _prepare(ws, programs, fingerprint)
                for sample in runnable:
                    if self._stop.is_set():
                        return
                    self.reporter.say(f"{task.id} sample {sample.index}")
                    self._write(_judge(ws, prep, sample, self._base(item, sample)), outcome)
        except PerfforgeError as exc:
            with self._lock:
                outcome.failed_tasks[task.id] = str(exc)
            self.reporter.say(f"{task.id}: not evaluated: {exc}")
            done = sum(1 for s in runnable if self.store.has_result(self.run_id, result_key(task.id, s.index)))
            self.reporter.advance(len(runnable) - done)

    def _own_runner(self, item: EvalTask, runnable: list[Sample], outcome: Outcome) -> bool:
        """Samples of a task judged by its kind's own runner (PyTorch modules: correctness
        trials and time against the reference, no instruction counts); False: not such a task."""
        from evaluators.kinds import support

        runner = support(item.task).runner(item.task)
        if runner is None:
            return False
        for sample in runnable:
            if self._stop.is_set():
                break
            self.reporter.say(f"{item.task.id} sample {sample.index}")
            t0 = time.perf_counter()
            # the runner opens its own sandbox: its programs need an image the pool's may lack (torch)
            verdict = runner.measure(item.task, sample.source.encode("utf-8", "surrogatepass"), metrics="time",
                                     backend=self.backend)
            timed = verdict.time
            result = SampleResult(
                **self._base(item, sample), correct=verdict.correct, error=verdict.error,
                failures=[f.model_dump() for f in verdict.failures[:FAILURES_KEPT]],
                failures_total=len(verdict.failures), tests=verdict.correctness.tests,
                method=TIME_METHOD if timed else None, baseline_label=timed.baseline_label if timed else None,
                speedup=timed.speedup if timed else None, timing={"wall": time.perf_counter() - t0},
                provenance={**verdict.provenance.model_dump(mode="json"), "time": timed.model_dump(mode="json")
                            if timed else None})
            self._write(_with_scores(result), outcome)
        return True

    def _base(self, item: EvalTask, sample: Sample) -> dict[str, Any]:
        spec = item.task.spec
        return dict(format=self.format, suite=item.suite, task_id=item.task.id, external_id=item.external_id,
                    task_kind=spec.kind, language=spec.language, model=self.model, sample=sample.index,
                    origin=sample.origin, source_sha256=source_hash(sample.source))

    def _invalid(self, item: EvalTask, sample: Sample) -> SampleResult:
        result = SampleResult(**self._base(item, sample), correct=False, error=sample.invalid,
                              failures=[{"input": "sample", "reason": sample.invalid or ""}], failures_total=1)
        return _with_scores(result)

    def _write(self, result: SampleResult, outcome: Outcome) -> None:
        from agent.store import ResultRow

        row = ResultRow(key=result_key(result.task_id, result.sample), suite=result.suite, task_id=result.task_id,
                        model=result.model, sample=result.sample, payload=result.model_dump(mode="json", by_alias=True))
        self.store.add_result(self.run_id, row)
        with self._lock:
            outcome.written += 1
            outcome.candidate_s += result.timing.get("candidate", 0.0)
        self.reporter.advance(1)


__all__ = ["EvalTask", "Evaluation", "Outcome", "QuietReporter", "Reporter", "SampleResult", "count_budget",
           "references_as_samples", "result_key", "source_hash"]
