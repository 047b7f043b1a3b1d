"""Recording the calls a repository's tests make to the target function, in the sandbox.

The repository sits at the sandbox's work dir; pytest runs the chosen test files with the
recording plugin (``sandboxed/pf_record.py``), which writes each distinct call's
arguments, encoded before the call, as JSON lines.  The host decodes them with the values
codec (never unpickling anything) and keeps them as the task's correctness tests.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.repo_tests import PF_DIR, PytestReport, parse_report, pytest_exec, require_pytest
from agent.targets.python_source import PythonTarget
from benchmarks import values
from perfforge.errors import ConfigError, SandboxError

RECORD_JOB = f"{PF_DIR}/record.json"
RECORD_OUT = f"{PF_DIR}/record.jsonl"
MAX_CALLS = 5000  # distinct calls the plugin keeps
MAX_CALL_BYTES = 8 << 20
MAX_TOTAL_BYTES = 48 << 20
MAX_CASES = 300  # correctness tests the task keeps (every one runs for every candidate)
LARGEST_KEPT = 60  # of which the largest calls, always kept when there are more


class RecordedCall(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    test: str | None = Field(description="the pytest node id that made the call (None: at import)")
    args: list[Any]
    kwargs: dict[str, Any]
    size: int = Field(description="length of its encoded form")


class Recording(BaseModel):
    """What the recording run saw."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    calls: list[RecordedCall]
    total_calls: int = Field(description="calls made, repeats included")
    distinct: int = Field(description="distinct calls recorded")
    skipped: dict[str, int] = Field(default_factory=dict, description="calls not recorded, by reason")
    tests: PytestReport
    test_paths: list[str]
    calling_tests: list[str] = Field(default_factory=list, description="node ids of the tests that called it")

    def describe(self) -> str:
        text = f"{self.total_calls} calls, {self.distinct} distinct"
        if len(self.calls) < self.distinct:
            text += f", {len(self.calls)} kept as tests"
        if self.skipped:
            text += "; not recorded: " + ", ".join(f"{n} ({why})" for why, n in sorted(self.skipped.items()))
        return text


def record_calls(session: Any, target: PythonTarget, test_paths: list[str], *, timeout_s: float = 600) -> Recording:
    """Run ``test_paths`` under the recording plugin; the repository's files are already placed."""
    job = {"module_name": target.module, "function": target.function, "file": target.relpath, "out": RECORD_OUT,
           "max_calls": MAX_CALLS, "max_call_bytes": MAX_CALL_BYTES, "max_total_bytes": MAX_TOTAL_BYTES}
    result = pytest_exec(session, ["-q", *test_paths], files={RECORD_JOB: json.dumps(job).encode()},
                         python_path=[target.import_root, "."], env={"PF_RECORD": RECORD_JOB},
                         plugins=("pf_record",), collect=[RECORD_OUT], timeout_s=timeout_s, benchmarks="disable")
    require_pytest(result)
    report = parse_report(result, "pytest " + " ".join(test_paths))
    calls, summary = _read(result.files.get(RECORD_OUT, b""))
    if summary is None and not calls and not result.timed_out and report.exit_code not in (0, 1):
        raise ConfigError(f"the tests of {target.qualified} did not run: pytest {report.describe()}: "
                          f"{_last_line(report.output_tail)}")
    summary = summary or {}
    recording = Recording(calls=select(calls), total_calls=int(summary.get("calls", len(calls))), distinct=len(calls),
                          skipped={str(k): int(v) for k, v in dict(summary.get("skipped", {})).items()},
                          tests=report, test_paths=test_paths,
                          calling_tests=[str(t) for t in summary.get("callers", [])]
                          or list(dict.fromkeys(c.test for c in calls if c.test)))
    if not calls:
        raise ConfigError(_no_calls(target, recording), hint="give the tests that call it with --tests PATH"
                          if not recording.skipped else "make the tests call it with plain data (lists, dicts, "
                          "numbers, strings, numpy arrays)")
    return recording


def _read(raw: bytes) -> tuple[list[RecordedCall], dict[str, Any] | None]:
    calls, summary = [], None
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            break  # cut short by the time limit: what came before stands
        if not isinstance(record, dict):
            continue
        if record.get("event") == "summary":
            summary = record
        elif record.get("event") == "call":
            try:
                call = values.decode(record.get("input"))
            except values.DecodeError as exc:
                raise SandboxError(f"the recording plugin wrote a call that does not decode: {exc}") from None
            if not isinstance(call, dict) or not isinstance(call.get("args"), list):
                raise SandboxError("the recording plugin wrote a call without an argument list")
            size = len(json.dumps(record["input"]))
            test = record.get("test")
            calls.append(RecordedCall(test=str(test) if test else None, args=call["args"],
                                      kwargs=call.get("kwargs") or {}, size=size))
    return calls, summary


def select(calls: list[RecordedCall], limit: int = MAX_CASES) -> list[RecordedCall]:
    """At most ``limit`` calls, in recording order: the largest always, then an even spread."""
    if len(calls) <= limit:
        return calls
    by_size = sorted(range(len(calls)), key=lambda i: calls[i].size, reverse=True)
    keep = set(by_size[:LARGEST_KEPT])
    rest = [i for i in range(len(calls)) if i not in keep]
    room = limit - len(keep)
    keep |= {rest[int(k * len(rest) / room)] for k in range(room)}
    return [calls[i] for i in sorted(keep)]


def _no_calls(target: PythonTarget, recording: Recording) -> str:
    where = ", ".join(recording.test_paths)
    ran = f"pytest {where}: {recording.tests.describe()}"
    if recording.tests.collect_errors:
        first = recording.tests.collect_errors[0]
        ran += f"; {first} does not collect: {_last_line(recording.tests.messages.get(first, ''))}"
    if recording.skipped:
        reasons = ", ".join(f"{why} ({n} calls)" for why, n in sorted(recording.skipped.items()))
        return f"no call of {target.qualified} could be recorded: {reasons} ({ran})"
    return f"the tests never called {target.qualified} ({ran})"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and not set(line.strip()) <= set("=-_")]
    return lines[-1] if lines else ""
