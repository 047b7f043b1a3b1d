"""The verdict: is a candidate correct, and how much more efficient is it?

``measure(task, candidate)`` runs, in one sandbox session: build (C/C++), staging of
test and stress inputs (cached), the oracle, the candidate's correctness check, and then
(only for a correct candidate) the metrics asked for: instruction counts, interleaved
timing, memory, energy.  ``validate(task)`` checks a task itself.

A candidate that fails (does not build, does not import, is wrong, crashes, times out)
is a :class:`Verdict` with ``correct=False``; only problems of the task, the sandbox or
the toolchain raise.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import BaseModel, Field

from benchmarks.stress import Staged, stage
from benchmarks.task import Task
from evaluators import instructions as instr
from evaluators.correctness import (
    Correctness,
    Failure,
    ProgramOutcomes,
    check_oracle,
    judge,
    run_program,
    time_limits,
)
from evaluators.kinds import support
from evaluators.memory import MemoryResult, measure_memory
from evaluators.programs import Program, Workspace, data_path, harness_files, task_programs
from evaluators.timing import TimeResult, time_pair
from perfforge import __version__, paths
from perfforge.errors import ConfigError, PerfforgeError, TaskError

METRICS: tuple[str, ...] = ("instructions", "time", "memory", "energy")
Progress = Callable[[str], None]


class Provenance(BaseModel):
    """How and where a verdict was measured."""

    perfforge: str = __version__
    measured_at: str
    task_id: str
    task_hash: str
    stress_key: str
    sandbox: dict[str, Any]
    python: str
    compiler: str | None
    valgrind: str | None
    aslr_disabled: bool
    fingerprint: dict[str, Any] | None


class Verdict(BaseModel):
    """The outcome of one measurement (``perfforge measure --json`` prints this)."""

    task: str
    candidate: str
    kind: str
    language: str
    interface: str
    correct: bool
    error: str | None = Field(None, description="the candidate could not run at all: compile or import error")
    failures: list[Failure] = Field(default_factory=list)
    correctness: Correctness
    instructions: instr.InstructionComparison | None = None
    time: TimeResult | None = None
    memory: MemoryResult | None = None
    energy: dict[str, Any] | None = None
    fallbacks: list[str] = Field(default_factory=list, description="what was used instead of the preferred method, and why")
    metric_errors: dict[str, str] = Field(
        default_factory=dict, description="metrics that could not be taken (infrastructure), with the error; "
        "the metrics measured before and after are kept")
    notes: list[str] = Field(default_factory=list)
    provenance: Provenance


class ValidationReport(BaseModel):
    """``perfforge task validate``: whether a task is sound, and what was measured."""

    task: str
    ok: bool
    problems: list[str] = Field(default_factory=list)
    programs: dict[str, dict[str, Any]] = Field(default_factory=dict, description="per program: instructions, seconds")
    scale: int | None = None
    stress_inputs: int = 0
    tests: int = 0
    ramp: list[dict[str, Any]] = Field(default_factory=list)
    provenance: Provenance | None = None


# --- helpers ---------------------------------------------------------------------------------


def parse_metrics(text: str | None) -> tuple[str, ...]:
    if not text:
        return METRICS
    if text.strip() == "none":
        return ()
    chosen = tuple(dict.fromkeys(m.strip() for m in text.split(",") if m.strip()))
    unknown = [m for m in chosen if m not in METRICS]
    if unknown:
        raise ConfigError(f"unknown metric {unknown[0]!r}; valid: {', '.join(METRICS)} (or none)")
    return chosen


@contextlib.contextmanager
def open_sandbox(backend: str | None = None, given: Any = None) -> Iterator[Any]:
    """``given`` as is (the caller keeps it open), else a new sandbox of ``backend`` closed on exit."""
    if given is not None:
        yield given
        return
    from sandbox import get_sandbox

    box = get_sandbox(backend)
    try:
        yield box
    finally:
        box.close()


@contextlib.contextmanager
def open_workspace(task: Task, programs: list[Program], *, backend: str | None = None, sandbox: Any = None,
                   progress: Progress | None = None, need_valgrind: bool = True) -> Iterator[Workspace]:
    """A sandbox session with the task's files and ``programs`` placed and built."""
    make = support(task).workspace or Workspace  # a kind may build and run its programs its own way
    with open_sandbox(backend, sandbox) as box, box.session() as session:
        ws = make(task, session, programs, description=box.describe(), progress=progress)
        ws.probe(need_valgrind=need_valgrind)
        ws.build()
        yield ws


def _fingerprint() -> tuple[dict[str, Any] | None, Any]:
    from evaluators.fingerprint import machine_fingerprint

    fp = machine_fingerprint(docker=False)
    return fp.model_dump(), fp


def _provenance(task: Task, ws: Workspace, staged: Staged | None, fingerprint: dict[str, Any] | None) -> Provenance:
    tools = ws.probe(need_valgrind=False)
    return Provenance(
        measured_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        task_id=task.id,
        task_hash=task.content_hash(),
        stress_key=staged.key if staged else "",
        sandbox=ws.session_description,
        python=tools.python,
        compiler=tools.compiler if task.is_compiled else None,
        valgrind=tools.valgrind,
        aslr_disabled=tools.aslr_off,
        fingerprint=fingerprint,
    )


def _stress_seconds(outcomes: ProgramOutcomes, staged: Staged) -> float:
    return sum(outcomes.seconds[len(staged.tests):])


def _count_key(ws: Workspace, program: Program, staged: Staged) -> str:
    tools = ws.probe(need_valgrind=True)
    digest = hashlib.sha256()
    # the slot is left out: every slot's path has the same length, and the same source
    # counts the same in any of them (tests/evaluators/test_measure.py checks it)
    parts = [staged.key, tools.python, tools.valgrind or "", tools.compiler or "", str(tools.aslr_off),
             ws.task.spec.build.model_dump_json(), ws.task.spec.interface.model_dump_json()]
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(program.source)
    for name, data in sorted(harness_files().items()):
        digest.update(name.encode() + data)
    return digest.hexdigest()[:32]


def count_cached(ws: Workspace, program: Program, staged: Staged, native_s: float) -> instr.InstructionCount:
    """``program``'s count (``cached=True`` when read from the cache).  The same source on
    the same inputs, harness, image and toolchain counts the same every time
    (tests/evaluators/test_instructions.py), so a count is kept under a key hashing them."""
    path = paths.sub("counts") / f"{_count_key(ws, program, staged)}.json"
    if path.is_file():
        try:
            return instr.InstructionCount.model_validate_json(path.read_text()).model_copy(update={"cached": True})
        except ValueError:
            path.unlink(missing_ok=True)
    ws.progress(f"counting instructions: {program.label}")
    count = support(ws.task).counter.count(ws, program, staged, native_s)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(count.model_dump_json())
    tmp.replace(path)
    return count


def _energy(ws: Workspace, base: Program, cand: Program, native_s: float) -> dict[str, Any]:
    from evaluators.energy import detect_sources, measure_energy

    sources = detect_sources()
    out: dict[str, Any] = {}
    for side, program in (("baseline", base), ("candidate", cand)):
        job = ws.job(program.slot, data_path(instr.STRESS_INPUTS), timeout=60 + 20 * native_s)
        _, result = measure_energy(lambda: ws.harness("clock", job, wall_s=60 + 20 * native_s).result, sources=sources)
        out[side] = result.model_dump(mode="json")
    methods = {out[s]["method"] for s in ("baseline", "candidate")}
    out["method"] = "measured" if methods == {"measured"} else "estimated"
    b, c = out["baseline"]["joules"], out["candidate"]["joules"]
    out["ratio"] = b / c if c else None
    out["reason"] = out["candidate"].get("reason")
    out["note"] = "one run of all stress inputs per side, sandbox start-up included"
    return out


# --- measure ---------------------------------------------------------------------------------


def measure(
    task: Task | str | Path,
    candidate: str | Path | bytes,
    *,
    metrics: tuple[str, ...] | str | None = None,
    backend: str | None = None,
    sandbox: Any = None,
    progress: Progress | None = None,
) -> Verdict:
    """Judge ``candidate`` (a file path, or its source as bytes) on ``task``."""
    task = task if isinstance(task, Task) else Task.load(task)
    task.require_evaluable()
    own = support(task).runner(task)
    if own is not None:  # a task whose programs run in a runner of their own (PyTorch modules)
        return own.measure(task, candidate, metrics=metrics, backend=backend, sandbox=sandbox, progress=progress)
    chosen = metrics if isinstance(metrics, tuple) else parse_metrics(metrics)
    kind = support(task)
    skipped = [m for m in chosen if kind.metrics is not None and m not in kind.metrics]
    chosen = tuple(m for m in chosen if m not in skipped)
    if isinstance(candidate, bytes):
        source, name = candidate, "<source>"
    else:
        path = Path(candidate)
        if not path.is_file():
            raise ConfigError(f"{path}: candidate file not found")
        source, name = path.read_bytes(), str(path)
    say = progress or (lambda _msg: None)
    fp_dict, fp = _fingerprint()
    programs = task_programs(task, source)
    with open_workspace(task, programs, backend=backend, sandbox=sandbox, progress=say,
                        need_valgrind="instructions" in chosen) as ws:
        staged = stage(task, ws)
        oracle_prog, cand_prog = programs[0], programs[-1]
        say(f"correctness: the oracle ({oracle_prog.label}) on {len(staged.tests)} tests + {len(staged.stress)} stress inputs")
        oracle = run_program(ws, oracle_prog, staged, None)
        check_oracle(task, staged, oracle)
        limits = time_limits(task, oracle)
        say("correctness: the candidate")
        cand = run_program(ws, cand_prog, staged, limits)
        verdict = judge(task, staged, oracle, cand, limits)
        out = Verdict(
            task=task.id, candidate=name, kind=task.spec.kind, language=task.spec.language,
            interface=task.spec.interface.type, correct=verdict.correct, error=verdict.error,
            failures=verdict.failures, correctness=verdict,
            provenance=_provenance(task, ws, staged, fp_dict),
        )
        if skipped:
            out.notes.append(f"{', '.join(skipped)} not taken: {kind.metrics_note}")
        if not verdict.correct:
            out.notes.append("metrics skipped: the candidate is not correct")
            return out
        # perf-edit: against the baseline; codegen (or a baseline not counted alike): the fastest reference
        base_prog = programs[0] if task.spec.baseline and kind.counter.comparable(ws, programs[0]) else programs[-2]
        native_s = max(_stress_seconds(oracle, staged), _stress_seconds(cand, staged), 0.01)
        instr.send_stress(ws, staged)
        for metric in chosen:
            try:
                _take(metric, out, ws, programs, base_prog, cand_prog, staged, native_s, fp_dict)
            except PerfforgeError as exc:  # keep what was measured; the CLI reports it and exits 2
                out.metric_errors[metric] = exc.message
        return out


def _take(metric: str, out: Verdict, ws: Workspace, programs: list[Program], base_prog: Program,
          cand_prog: Program, staged: Staged, native_s: float, fp_dict: dict[str, Any] | None) -> None:
    """Take one metric into ``out``."""
    if metric == "instructions":
        counter = support(ws.task).counter
        method, note = counter.method(ws, fp_dict)
        if note:
            out.fallbacks.append(note)
        programs = [p for p in programs if counter.comparable(ws, p)]
        counts = {p.slot: count_cached(ws, p, staged, native_s) for p in programs}
        b, c = counts[base_prog.slot].instructions, counts[cand_prog.slot].instructions
        out.instructions = instr.InstructionComparison(
            baseline=b, candidate=c, speedup=(b / c) if c > 0 else None, method=method,
            baseline_label=base_prog.label,
            references={p.label.split(":", 1)[1]: counts[p.slot].instructions for p in programs if p.role == "reference"},
            calibration={p.label: counts[p.slot].empty for p in programs},
            aslr_disabled=ws.toolchain.aslr_off, inputs=len(staged.stress),
            cached=[p.label for p in programs if counts[p.slot].cached],
        )
    elif metric == "time":
        out.time = time_pair(ws, base_prog, cand_prog, native_s)
    elif metric == "memory":
        out.memory = measure_memory(ws, base_prog, cand_prog, native_s,
                                    known_rss=out.time.peak_rss_kib if out.time else None)
    elif metric == "energy":
        ws.progress("energy")
        out.energy = _energy(ws, base_prog, cand_prog, native_s)
        if out.energy["method"] == "estimated":
            out.fallbacks.append(f"no energy counters ({out.energy['reason']}): energy estimated from CPU time and memory")


# --- validate --------------------------------------------------------------------------------


def validate(
    task: Task | str | Path,
    *,
    backend: str | None = None,
    sandbox: Any = None,
    progress: Progress | None = None,
    count: bool = True,
) -> ValidationReport:
    """Check a task: it builds, its inputs satisfy their contracts, its baseline and
    references agree with the oracle and the stated answers, and its references are
    ordered by instruction count as labelled, separated by ``[measure] separation``."""
    task = task if isinstance(task, Task) else Task.load(task)
    task.require_evaluable()
    own = support(task).runner(task)
    if own is not None:
        return own.validate(task, backend=backend, sandbox=sandbox, progress=progress, count=count)
    say = progress or (lambda _msg: None)
    report = ValidationReport(task=task.id, ok=False)
    fp_dict, _ = _fingerprint()
    programs = task_programs(task)
    with open_workspace(task, programs, backend=backend, sandbox=sandbox, progress=say, need_valgrind=count) as ws:
        broken = [p for p in programs if not p.ok]
        for p in broken:
            report.problems.append(f"{p.label} does not build: {p.build_error}")
        if programs[0] in broken:
            return _finish(report, task, ws, None, fp_dict)
        try:
            staged = stage(task, ws)
            say(f"running the oracle ({programs[0].label})")
            oracle = run_program(ws, programs[0], staged, None)
            check_oracle(task, staged, oracle)
        except TaskError as exc:
            report.problems.append(exc.message)
            return _finish(report, task, ws, None, fp_dict)
        report.scale, report.stress_inputs, report.tests, report.ramp = (
            staged.scale, len(staged.stress), len(staged.tests), staged.ramp)
        for f in judge(task, staged, oracle, oracle).failures:
            report.problems.append(f"{programs[0].label} on {f.input}: {f.reason}")
        seconds = {programs[0].slot: _stress_seconds(oracle, staged)}
        limits = time_limits(task, oracle)
        for p in programs[1:]:
            if not p.ok:
                continue
            say(f"checking {p.label}")
            outcome = run_program(ws, p, staged, limits)
            seconds[p.slot] = _stress_seconds(outcome, staged)
            result = judge(task, staged, oracle, outcome, limits)
            if result.error:
                report.problems.append(f"{p.label}: {result.error}")
            report.problems += [f"{p.label} on {f.input}: {f.reason}" for f in result.failures if not result.error]
        for p in programs:
            report.programs[p.label] = {"stress_seconds": seconds.get(p.slot)}
        kind = support(task)
        if kind.check is not None:
            report.problems += kind.check(ws, staged, oracle)
        if count and not report.problems:
            instr.send_stress(ws, staged)
            native = max(seconds.values()) if seconds else 1.0
            counts = {p.slot: count_cached(ws, p, staged, native) for p in programs
                      if p.ok and kind.counter.comparable(ws, p)}
            for p in programs:
                if p.slot in counts:
                    report.programs[p.label]["instructions"] = counts[p.slot].instructions
            report.problems += ordering_problems(task, programs, counts)
        return _finish(report, task, ws, staged, fp_dict)


def ordering_problems(task: Task, programs: list[Program], counts: dict[str, instr.InstructionCount]) -> list[str]:
    """Baseline (if any) then references, slowest first: each below the previous by the margin."""
    margin = task.spec.measure.separation
    ordered = [p for p in programs if p.role in ("baseline", "reference") and p.slot in counts]
    problems = []
    for prev, nxt in zip(ordered, ordered[1:]):
        a, b = counts[prev.slot].instructions, counts[nxt.slot].instructions
        gap = (a - b) / a if a > 0 else 0.0
        if gap < margin:
            problems.append(
                f"{nxt.label} ({b:,} instructions) is not below {prev.label} ({a:,}) by the required margin "
                f"{margin:.0%} (gap {gap:.1%}): list references slowest first, or make the stress inputs larger"
            )
    return problems


def _finish(report: ValidationReport, task: Task, ws: Workspace, staged: Staged | None,
            fp: dict[str, Any] | None) -> ValidationReport:
    report.ok = not report.problems
    report.provenance = _provenance(task, ws, staged, fp)
    return report


def verdict_json(verdict: Verdict) -> str:
    return json.dumps(verdict.model_dump(mode="json"), indent=2)


__all__ = ["METRICS", "Verdict", "ValidationReport", "Provenance", "measure", "validate", "parse_metrics", "PerfforgeError"]
