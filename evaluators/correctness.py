"""Correctness: a program run differentially against the oracle on tests + stress inputs.

All inputs run in one process per program, in order, so that state kept between calls
(a cache answering one input with another's result) is caught.  Python functions are
judged on four things per input: the return value (or the type of the raised
exception), the arguments after the call (mutation), and what the call printed.
Processes are judged on their exit status and stdout under the task's rule.  A
candidate's time limit per input is ``max(floor, factor x the oracle's time)``.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from benchmarks import values
from benchmarks.stress import Staged
from benchmarks.task import Task
from evaluators.compare import compare_values
from evaluators.kinds import support
from evaluators.programs import HarnessRun, Program, Workspace, data_path, inputs_payload
from perfforge.errors import SandboxError, TaskError

ALL_INPUTS = "inputs.json"
ORACLE_WALL_S = 900.0


class Failure(BaseModel):
    input: str = Field(description="which input: 'test 3', 'stress scale=4096 #1', or 'build'/'import'")
    reason: str


class Correctness(BaseModel):
    """The correctness part of a verdict."""

    correct: bool
    error: str | None = Field(None, description="why the program could not run at all (compile or import error)")
    failures: list[Failure] = Field(default_factory=list)
    tests: int = 0
    stress: int = 0
    scale: int = 0
    limits_s: list[float] = Field(default_factory=list, description="the time limit used per input")


@dataclass
class Outcome:
    """What one program did on one input."""

    ran: bool
    seconds: float = 0.0
    died: str | None = None  # the process ended during this input
    record: dict[str, Any] = field(default_factory=dict)

    # python functions
    @property
    def raised(self) -> str | None:
        return self.record.get("raised")

    @property
    def stdout_text(self) -> str:
        return self.record.get("stdout", "")


@dataclass
class ProgramOutcomes:
    program: Program
    outcomes: list[Outcome]
    import_error: str | None = None
    import_stdout: str = ""
    run: HarnessRun | None = None

    @property
    def seconds(self) -> list[float]:
        return [o.seconds for o in self.outcomes]


def _death(res: Any, limit: float | None) -> str:
    alarm = signal.SIGALRM
    if res.signal == alarm or res.exit_code == 128 + alarm:
        return f"exceeded its time limit of {limit:.2f} s" if limit else "was stopped by a timer"
    if res.timed_out:
        return f"timed out (the run's wall limit, {res.wall_s:.1f} s)"
    if res.oom_killed:
        return "ran out of memory"
    tail = res.stderr.decode(errors="replace").strip().splitlines()[-1:] if res.stderr else []
    return f"the process ended during the call ({res.describe()})" + (f": {tail[0][:200]}" if tail else "")


def run_program(ws: Workspace, program: Program, staged: Staged, limits: list[float] | None) -> ProgramOutcomes:
    """Run ``program`` on every staged input once (harness ``check`` mode)."""
    items = staged.all_inputs()
    if not program.ok:
        return ProgramOutcomes(program, [Outcome(ran=False) for _ in items], import_error=program.build_error)
    wall = ORACLE_WALL_S if limits is None else sum(limits) + 60
    job = ws.job(program.slot, data_path(ALL_INPUTS), limits=limits)
    run = ws.harness("check", job, wall_s=wall, files=inputs_payload(ALL_INPUTS, items))
    errors = run.events("import-error")
    if errors:
        return ProgramOutcomes(program, [Outcome(ran=False) for _ in items], import_error=errors[-1]["error"], run=run)
    spawn = run.last("spawn-error")
    if spawn:
        raise SandboxError(f"could not start {program.label} in the sandbox: {spawn['error']}")
    done = {r["i"]: r for r in run.events("done")}
    started = [r["i"] for r in run.events("start")]
    outcomes = []
    for i in range(len(items)):
        if i in done:
            outcomes.append(Outcome(ran=True, seconds=done[i]["seconds"], record=done[i]))
        elif started and started[-1] == i:
            outcomes.append(Outcome(ran=False, died=_death(run.result, limits[i] if limits else None)))
        else:
            outcomes.append(Outcome(ran=False))
    imported = run.last("imported") or {}
    return ProgramOutcomes(program, outcomes, import_stdout=imported.get("stdout", ""), run=run)


def time_limits(task: Task, oracle: ProgramOutcomes) -> list[float]:
    lim = task.spec.limits
    return [max(lim.time_floor_s, lim.time_factor * o.seconds) for o in oracle.outcomes]


# --- judging ---------------------------------------------------------------------------------


def _return_value(record: dict[str, Any]) -> tuple[bool, Any, str | None]:
    ret = record.get("return", {})
    if "unencodable" in ret:
        return False, None, f"returned a value that cannot be compared ({ret['unencodable']})"
    return True, values.decode(ret.get("ok")), None


def _args_after(record: dict[str, Any]) -> tuple[Any, str | None]:
    after = record.get("args_after")
    if after is None:
        return None, None
    if "unencodable" in after:
        return None, after["unencodable"]
    return values.decode(after["ok"]), None


def judge_function(task: Task, oracle: Outcome, cand: Outcome, answer: dict[str, Any]) -> str | None:
    """Why ``cand`` differs from what is expected on one input, or None."""
    rule = task.spec.compare
    rec = cand.record
    if "raises" in answer or (oracle.raised and not answer):
        want = answer.get("raises") or oracle.raised
        if cand.raised != want:
            got = f"raised {cand.raised}" if cand.raised else "returned normally"
            return f"{got}, expected {want} to be raised"
    elif cand.raised:
        return f"raised {cand.raised}: {rec.get('message', '')[:200]}"
    else:
        ok, value, why = _return_value(rec)
        if not ok:
            return why
        if "expected" in answer:
            reason = compare_values(value, answer["expected"], rule, loose=answer.get("loose", False), where="return")
        else:
            _, want, _ = _return_value(oracle.record)
            reason = compare_values(value, want, rule, where="return")
        if reason:
            return f"wrong result: {reason}"
    cand_after, why = _args_after(rec)
    if why:
        return why
    oracle_after, _ = _args_after(oracle.record)
    if (cand_after is None) != (oracle_after is None):
        return "modified its arguments" if cand_after is not None else "did not modify its arguments as the oracle does"
    if cand_after is not None:
        reason = compare_values(cand_after, oracle_after, rule, where="arguments after the call")
        if reason:
            return f"left its arguments different from the oracle's: {reason}"
    if cand.stdout_text != oracle.stdout_text:
        return f"printed {cand.stdout_text[:80]!r} where the oracle printed {oracle.stdout_text[:80]!r}"
    return None


def judge_process(task: Task, oracle: Outcome, cand: Outcome, answer: dict[str, Any], limit: float | None) -> str | None:
    rec = cand.record
    if rec.get("timed_out"):
        return f"exceeded its time limit of {limit:.2f} s" if limit else "timed out"
    if rec.get("signal"):
        return f"killed by signal {rec['signal']}"
    if rec.get("exit") != 0:
        err = rec.get("stderr", "").strip().splitlines()[-1:]
        return f"exit status {rec.get('exit')}" + (f": {err[0][:200]}" if err else "")
    if rec.get("stdout_truncated"):
        return "wrote more output than the harness keeps"
    got = values.decode(rec["stdout"])
    want = answer["stdout"] if "stdout" in answer else values.decode(oracle.record["stdout"])
    reason = support(task).compare_stdout(task, got, want)
    return f"wrong output: {reason}" if reason else None


def judge(task: Task, staged: Staged, oracle: ProgramOutcomes, cand: ProgramOutcomes,
          limits: list[float] | None = None) -> Correctness:
    """Compare ``cand`` with the oracle (and with the tests' stated answers)."""
    base = dict(tests=len(staged.tests), stress=len(staged.stress), scale=staged.scale, limits_s=limits or [])
    if cand.import_error:
        what = "does not compile" if task.is_compiled else "does not import"
        return Correctness(correct=False, error=f"{what}: {cand.import_error.strip()}",
                           failures=[Failure(input="build" if task.is_compiled else "import", reason=what)], **base)
    labels = staged.labels()
    answers = [t.answer for t in staged.tests] + [{} for _ in staged.stress]
    failures: list[Failure] = []
    function = task.spec.interface.type == "python-function"
    if function and cand.import_stdout != oracle.import_stdout:
        failures.append(Failure(input="import", reason=f"printed {cand.import_stdout[:80]!r} when imported"))
    for i, (o, c) in enumerate(zip(oracle.outcomes, cand.outcomes)):
        if not c.ran:
            if c.died:
                failures.append(Failure(input=labels[i], reason=c.died))
                remaining = len(labels) - i - 1
                if remaining:
                    failures.append(Failure(input=labels[i + 1] if remaining == 1 else f"{labels[i + 1]} .. {labels[-1]}",
                                            reason="not run: the process had ended"))
            break
        if function:
            reason = judge_function(task, o, c, answers[i])
        else:
            reason = judge_process(task, o, c, answers[i], limits[i] if limits else None)
        if reason:
            failures.append(Failure(input=labels[i], reason=reason))
    return Correctness(correct=not failures, failures=failures, **base)


def check_oracle(task: Task, staged: Staged, oracle: ProgramOutcomes) -> None:
    """The oracle must run every input; asserts it raises on stress inputs are broken contracts."""
    label = oracle.program.label
    if oracle.import_error:
        raise TaskError(f"{task.toml_path}: the oracle ({label}) does not run: {oracle.import_error.strip()[-800:]}")
    labels = staged.labels()
    n_tests = len(staged.tests)
    function = task.spec.interface.type == "python-function"
    for i, o in enumerate(oracle.outcomes):
        if not o.ran:
            raise TaskError(f"{task.toml_path}: the oracle ({label}) failed on {labels[i]}: {o.died or 'not run'}")
        if function and i >= n_tests and o.raised == "AssertionError":
            raise TaskError(
                f"{task.toml_path}: [stress] generator: {labels[i]} violates a contract "
                f"(the oracle's assert failed: {o.record.get('message', '')[:200]})",
                hint="fix generate() so that every input satisfies the oracle's asserts",
            )
        if not function and (o.record.get("exit") != 0 or o.record.get("timed_out")):
            raise TaskError(f"{task.toml_path}: the oracle ({label}) fails on {labels[i]}: "
                            f"{judge_process(task, o, o, {}, None) or 'non-zero exit'}")
        if function and "return" in o.record and "unencodable" in o.record["return"]:
            raise TaskError(f"{task.toml_path}: the oracle ({label}) on {labels[i]}: {o.record['return']['unencodable']}")
