"""What a proposal claims, as data: the measured figures and the tests that guard the change.

Built from the verdict the harness measured (never re-derived), the repository's suite
run with the change, and the recorded calls; rendered into the pull request body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TimeFigures(BaseModel):
    baseline_median_s: float
    candidate_median_s: float
    speedup: float
    ci95: tuple[float, float]
    p_value: float
    runs: int
    warmups: int
    method: str


class InstructionFigures(BaseModel):
    baseline: int
    candidate: int
    speedup: float | None
    method: str
    inputs: int


class MemoryFigures(BaseModel):
    baseline_kib: int
    candidate_kib: int
    python_baseline_bytes: int | None = None
    python_candidate_bytes: int | None = None
    method: str


class BenchmarkFigures(BaseModel):
    """A pytest-benchmark benchmark of the repository, run before and after (sequentially)."""

    name: str
    before_median_s: float | None
    after_median_s: float | None


class Guards(BaseModel):
    suite_command: str
    suite_passed: int
    suite_failed: int = 0
    suite_skipped: int = 0
    calling_tests: list[str] = Field(default_factory=list, description="tests whose calls were recorded")
    recorded_calls: int = 0
    stress_inputs: int = 0
    differential: str = "return values, exceptions, argument mutation and stdout compared with the original"
    cases_label: str = "recorded call(s)"
    scope: str = Field("", description="what the change is confined to (default: the function, on the syntax tree)")


class Evidence(BaseModel):
    time: TimeFigures
    instructions: InstructionFigures | None = None
    memory: MemoryFigures | None = None
    benchmarks: list[BenchmarkFigures] = Field(default_factory=list)
    guards: Guards
    threshold: float
    fingerprint: dict[str, Any] | None = None
    sandbox: dict[str, Any] = Field(default_factory=dict)
    fallbacks: list[str] = Field(default_factory=list)


def figures_from_verdict(verdict: Any) -> tuple[TimeFigures | None, InstructionFigures | None, MemoryFigures | None]:
    """The verdict's figures (a ``Verdict`` or its JSON form)."""
    v = verdict if isinstance(verdict, dict) else verdict.model_dump(mode="json")
    tm, ins, mem = v.get("time"), v.get("instructions"), v.get("memory")
    time = TimeFigures(baseline_median_s=tm["baseline_median_s"], candidate_median_s=tm["candidate_median_s"],
                       speedup=tm["speedup"], ci95=tuple(tm["ci95"]), p_value=tm["p_value"], runs=tm["runs"],
                       warmups=tm.get("warmups", 0), method=tm["method"]) if tm else None
    instructions = InstructionFigures(baseline=ins["baseline"], candidate=ins["candidate"], speedup=ins["speedup"],
                                      method=ins["method"], inputs=ins.get("inputs", 0)) if ins else None
    memory = MemoryFigures(baseline_kib=mem["baseline"]["peak_rss_kib"], candidate_kib=mem["candidate"]["peak_rss_kib"],
                           python_baseline_bytes=mem["baseline"].get("python_peak_bytes"),
                           python_candidate_bytes=mem["candidate"].get("python_peak_bytes"),
                           method=mem["method"]) if mem else None
    return time, instructions, memory
