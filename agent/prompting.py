"""What the model is shown: the prompt of one step, assembled from ``prompts/optimize/``.

Which template a step uses, and where its code comes from, is data (:data:`KINDS`), so
the loop has no branch per task kind: a kind whose first candidate is written from the
description (``codegen``) or translated (``cuda-to-cpu``, ``isa-translate``) differs
from ``perf-edit`` only by its row here.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from benchmarks.task import CFunction, Process, PythonFunction, Task
from perfforge.errors import TaskError
from prompts import render

from agent.attempts import Attempt
from agent.edits import get_format


class KindPrompts(BaseModel):
    """The templates of one task kind, and how its first candidate is made."""

    first: str
    next: str
    from_source: bool  # the first step starts from the task's program (False: from the description)
    measured_start: bool = False  # the starting program runs on the task's machine: measure and profile it
    first_format: str | None = None  # edit format forced on the first step (a translation is a whole file)
    source_language: str = ""
    source_file: str = "baseline"  # the spec field naming the program shown first ("kernel.cuda": the CUDA text)


KINDS: dict[str, KindPrompts] = {
    "perf-edit": KindPrompts(first="optimize/perf-edit/first", next="optimize/perf-edit/next", from_source=True,
                             measured_start=True),
    "kernel": KindPrompts(first="optimize/perf-edit/first", next="optimize/perf-edit/next", from_source=True,
                          measured_start=True),
    "codegen": KindPrompts(first="optimize/codegen/first", next="optimize/perf-edit/next", from_source=False,
                           first_format="whole-file"),
    "cuda-to-cpu": KindPrompts(first="optimize/translate/first", next="optimize/perf-edit/next", from_source=True,
                               first_format="whole-file", source_language="CUDA", source_file="kernel.cuda"),
    "isa-translate": KindPrompts(first="optimize/translate/first", next="optimize/perf-edit/next",
                                 from_source=True, first_format="whole-file", source_language="x86-64 assembly"),
}

LANGUAGE_NAMES = {"python": "Python", "c": "C", "cpp": "C++", "asm": "assembly"}
ISA_NAMES = {"aarch64": "AArch64 (ARMv8-A, 64-bit)", "riscv64": "RISC-V (RV64GC, 64-bit)"}
FENCES = {"python": "python", "c": "c", "cpp": "cpp", "asm": "asm"}
DIFF_LINES = 14


def _interface(task: Task) -> tuple[str, list[str]]:
    """A sentence saying what the program is, and the rules of correctness."""
    spec, iface = task.spec, task.spec.interface
    name = spec.candidate
    if isinstance(iface, PythonFunction):
        text = f"`{name}` defines the function `{iface.function}`; the harness imports the module and calls it."
        rules = ["the return value, equal in value and type (a list stays a list, an int stays an int)",
                 "the type of any exception raised",
                 "the arguments: modify them only where the original does",
                 "anything printed"]
    elif isinstance(iface, CFunction):
        text = f"`{name}` implements `{iface.signature}`; a driver reads the input, calls it and prints the result."
        rules = ["the result for every input", "no output of its own (the driver prints)"]
    else:
        assert isinstance(iface, Process)
        text = f"`{name}` is a program: it reads its input from standard input and writes its answer to standard output."
        rules = ["the standard output for every input", "the exit status 0"]
    mode = spec.compare.mode
    if mode == "float":
        rules.append(f"numbers may differ only within a relative tolerance of {spec.compare.rel_tol:g}")
    elif mode == "unordered":
        rules.append("the order of items does not matter")
    return text, rules


def task_view(task: Task) -> dict[str, Any]:
    """The task as every template sees it."""
    spec = task.spec
    interface, rules = _interface(task)
    language_name = LANGUAGE_NAMES[spec.language]
    if spec.isa is not None:  # "assembly" alone leaves the model to guess which
        language_name = f"{ISA_NAMES.get(spec.isa.target, spec.isa.target)} assembly (GNU as syntax)"
    return {
        "id": spec.id, "title": spec.title, "kind": spec.kind, "description": spec.description.strip(),
        "language": spec.language, "language_name": language_name, "fence": FENCES[spec.language],
        "filename": spec.candidate, "function": getattr(spec.interface, "function", "") or "",
        "interface": interface, "rules": rules, "source_language": KINDS[spec.kind].source_language,
    }


def short_diff(before: str, after: str, limit: int = DIFF_LINES) -> str:
    """The changed lines of a unified diff, cut to ``limit`` lines."""
    lines = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
             if not line.startswith(("---", "+++"))]
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return "\n".join(lines)


def subject(attempt: Attempt) -> str:
    return "the original program" if attempt.n == 0 else f"attempt {attempt.n}"


def counters_view(attempt: Attempt | None) -> dict[str, Any] | None:
    """The measured figures of the code shown (None when it was never measured)."""
    if attempt is None or not attempt.measured:
        return None
    speedup = "" if attempt.n == 0 or attempt.speedup_instructions is None else \
        f"{attempt.speedup_instructions:.2f}x fewer instructions"
    return {"subject": subject(attempt), "instructions": attempt.instructions, "time_s": attempt.time_s,
            "peak_rss_kib": attempt.peak_rss_kib, "speedup": speedup}


def attempt_view(attempt: Attempt, base: Attempt | None) -> dict[str, Any]:
    """An earlier attempt as the prompt shows it: what it changed and what the harness said."""
    before = (base.code or "") if base else ""
    diff = short_diff(before, attempt.code) if attempt.code else ""
    what = "the original" if attempt.parent == 0 else (
        f"attempt {attempt.parent}" if attempt.parent else "nothing: written from scratch")
    return {"n": attempt.n, "outcome": attempt.reason, "diff": diff, "base": what}


def messages(task: Task, *, first: bool, code: str, profile: dict[str, Any] | None, counters: dict[str, Any] | None,
             attempts: list[dict[str, Any]], edit_format: str) -> tuple[list[dict[str, str]], str]:
    """The chat messages of one step, and the edit format the reply must use."""
    kind = KINDS[task.spec.kind]
    fmt_name = (kind.first_format if first else None) or edit_format
    fmt = get_format(fmt_name)
    view = task_view(task)
    instructions = fmt.instructions(files=[view["filename"]], filename=view["filename"], language=view["fence"])
    user = render(kind.first if first else kind.next, task=view, code=code, profile=profile, counters=counters,
                  attempts=attempts, edit_instructions=instructions)
    return [{"role": "system", "content": render("optimize/system", task=view)},
            {"role": "user", "content": user}], fmt_name


def source_path(task: Task) -> str:
    """The task file the first step starts from: the baseline, or for a transpile the foreign source."""
    value: object = task.spec
    for part in KINDS[task.spec.kind].source_file.split("."):
        value = getattr(value, part)
    if not isinstance(value, str):
        raise TaskError(f"{task.toml_path}: {KINDS[task.spec.kind].source_file} names no file to start from")
    return value
