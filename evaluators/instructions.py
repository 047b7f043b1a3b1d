"""Instruction counts: exact, repeatable, and independent of the machine's noise.

Method ``valgrind-cachegrind``: ``env -i <fixed env> [setarch -R] valgrind
--tool=cachegrind --cache-sim=no --trace-children=yes`` around the run (every process
the program starts is counted and added: work moved into a child still counts), in a fixed work dir with fixed argv
(every program sits in a four-character folder under the same file name) and
``PYTHONHASHSEED=0``.  Docker's default seccomp profile refuses ``setarch -R``; valgrind
lays out the client's memory itself, so counts repeat exactly without it (measured:
identical in repeated runs), and the result records whether ASLR was off.

What is counted, summed over the stress inputs:

* Python function: one harness run importing the module and calling it on every input,
  minus the calibrated empty run (the same harness, argv and decoded inputs, no import
  and no call).  Interpreter start-up (~30-60M instructions) cancels out.  The empty run
  loads no program and every program's folder name has the same length, so it is taken
  once per session and shared (measured: identical for every program of a task).
* Python process: each input's run minus an empty script's run on the same input.
* C/C++ process: the whole process on each input (start-up is part of the program).
* C function: the driver + function minus the driver built with ``-DPERFFORGE_EMPTY``.

Hardware counters (``perf_event``) would be used where the fingerprint reports a usable
PMU *and* the backend lets the sandbox open counters; docker's seccomp blocks
``perf_event_open``, and this machine class has no PMU, so the method is recorded and
the fallback said out loud.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from benchmarks.stress import Staged
from evaluators.programs import HarnessRun, Program, Workspace, data_path, inputs_payload, read_counter
from perfforge.errors import SandboxError

STRESS_INPUTS = "stress.json"
METHOD = "valgrind-cachegrind"
# cachegrind without cache simulation: C ~8x, CPython ~30-60x slower than native
SLOWDOWN = 80.0


class InstructionCount(BaseModel):
    """One program's count."""

    instructions: int = Field(description="gross minus the calibrated empty run")
    gross: int
    empty: int
    per_input: list[int] | None = Field(None, description="process tasks: the gross count per stress input")
    cached: bool = Field(False, description="read from the count cache, not counted in this session")


class InstructionComparison(BaseModel):
    baseline: int
    candidate: int
    speedup: float | None = Field(description="baseline / candidate instructions (> 1: fewer instructions)")
    method: str = METHOD
    baseline_label: str
    references: dict[str, int] = Field(default_factory=dict, description="every reference's count, by level")
    calibration: dict[str, int] = Field(default_factory=dict, description="the empty run subtracted, per program")
    cached: list[str] = Field(default_factory=list, description="programs whose count came from the cache (same "
                              "source, inputs, harness, image and toolchain give the same count)")
    aslr_disabled: bool = False
    inputs: int = 0


def choose_method(fingerprint: dict[str, Any] | None, backend: str) -> tuple[str, str | None]:
    """(method, fallback note).  Counters need a PMU and a sandbox allowed to open them."""
    pmu = bool(fingerprint and _pmu_usable(fingerprint))
    if pmu and backend == "local":
        # the counter path is not wired into the harness yet: say so instead of pretending
        return METHOD, "a PMU is usable but counting with perf_event is not implemented yet: valgrind cachegrind used"
    if pmu:
        return METHOD, f"a PMU is usable but the {backend} sandbox blocks perf_event_open: valgrind cachegrind used"
    return METHOD, "no hardware performance counters (no usable PMU): instructions counted with valgrind cachegrind"


def _pmu_usable(fingerprint: dict[str, Any]) -> bool:
    pmu = fingerprint.get("pmu")
    if isinstance(pmu, dict):
        return bool(pmu.get("usable"))
    return bool(pmu)


def send_stress(ws: Workspace, staged: Staged) -> None:
    ws.put(inputs_payload(STRESS_INPUTS, staged.stress))


def count_program(ws: Workspace, program: Program, staged: Staged, native_s: float) -> InstructionCount:
    """Count ``program`` on the stress inputs (already sent with :func:`send_stress`)."""
    wall = 120.0 + SLOWDOWN * native_s * 2
    if ws.task.spec.interface.type == "python-function":
        # the counted process parses its job file: nothing measured (a timeout's digits)
        # may go into it, or two counts of one program would differ
        job = ws.job(program.slot, data_path(STRESS_INPUTS))
        gross = read_counter(ws, _checked(ws.harness("count", job, wall_s=wall, counted=True), "count", program))
        if ws.calibration is None:
            run = _checked(ws.harness("empty", job, wall_s=wall, counted=True), "empty", program)
            ws.calibration = read_counter(ws, run)
        return InstructionCount(instructions=gross - ws.calibration, gross=gross, empty=ws.calibration)
    job = ws.job(program.slot, data_path(STRESS_INPUTS), timeout=wall, counter=ws.counter_prefix())
    run = _checked(ws.harness("count", job, wall_s=wall), "count", program)
    per_input = [r["instructions"] for r in run.events("counted")]
    gross = run.last("count")["instructions"]
    if ws.calibration is None:
        empty_run = _checked(ws.harness("empty", job, wall_s=wall), "empty", program)
        ws.calibration = (empty_run.last("empty") or {}).get("instructions", 0)
    return InstructionCount(instructions=gross - ws.calibration, gross=gross, empty=ws.calibration,
                            per_input=per_input)


def _checked(run: HarnessRun, mode: str, program: Program) -> HarnessRun:
    problem = run.last("counter-error") or run.last("spawn-error")
    if problem:
        raise SandboxError(f"counting {program.label} failed: {problem.get('error')} {problem.get('stderr', '')[-300:]}")
    if run.last(mode) is None and not (mode == "empty" and run.last("empty")):
        raise SandboxError(f"counting {program.label} ({mode}) did not finish: {run.result.describe()}: "
                           f"{run.result.stderr.decode(errors='replace')[-500:]}")
    return run
