"""Memory: peak resident set size of a run, and for Python functions the Python-level
peak (``tracemalloc``), taken in a separate run so that tracing never slows the timed or
counted runs.

Peak RSS is ``ru_maxrss`` of the process the program ran in (a Python function: the
child the harness times, interpreter and decoded inputs included, the same for both
sides; a process: the largest among its runs); the harness itself is left out.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from evaluators.instructions import STRESS_INPUTS
from evaluators.programs import Program, Workspace, data_path
from perfforge.errors import SandboxError

METHOD_RSS = "ru_maxrss of the program's process over one run of all stress inputs"
METHOD_PY = "tracemalloc peak over import + calls, separate run"


class MemoryUse(BaseModel):
    peak_rss_kib: int
    python_peak_bytes: int | None = None


class MemoryResult(BaseModel):
    baseline: MemoryUse
    candidate: MemoryUse
    ratio_rss: float | None = Field(None, description="baseline / candidate peak RSS")
    ratio_python: float | None = Field(None, description="baseline / candidate tracemalloc peak")
    method: str = METHOD_RSS
    python_method: str | None = None
    baseline_label: str


def _use(ws: Workspace, program: Program, native_s: float) -> MemoryUse:
    wall = 60.0 + 40 * native_s
    job = ws.job(program.slot, data_path(STRESS_INPUTS), timeout=wall)
    function = ws.task.spec.interface.type == "python-function"
    run = ws.harness("clock", job, wall_s=wall)
    rec = run.last("clock")
    if rec is None:
        raise SandboxError(f"the memory run of {program.label} did not finish: {run.result.describe()}")
    rss = rec.get("maxrss_kib", 0)
    peak = None
    if function:
        traced = ws.harness("trace", job, wall_s=wall * 3).last("trace")
        if traced is None:
            raise SandboxError(f"the tracemalloc run of {program.label} did not finish")
        peak = traced["python_peak_bytes"]
    return MemoryUse(peak_rss_kib=int(rss), python_peak_bytes=peak)


def _ratio(a: int | None, b: int | None) -> float | None:
    return a / b if a and b else None


def measure_memory(ws: Workspace, baseline: Program, candidate: Program, native_s: float,
                   known_rss: dict[str, int] | None = None) -> MemoryResult:
    ws.progress("memory: peak RSS" + (" and tracemalloc peak" if ws.task.spec.interface.type == "python-function" else ""))
    base, cand = _use(ws, baseline, native_s), _use(ws, candidate, native_s)
    if known_rss:  # the timing runs saw more runs: keep the largest peak observed
        base.peak_rss_kib = max(base.peak_rss_kib, known_rss.get("baseline", 0))
        cand.peak_rss_kib = max(cand.peak_rss_kib, known_rss.get("candidate", 0))
    function = base.python_peak_bytes is not None
    return MemoryResult(
        baseline=base, candidate=cand, ratio_rss=_ratio(base.peak_rss_kib, cand.peak_rss_kib),
        ratio_python=_ratio(base.python_peak_bytes, cand.python_peak_bytes),
        python_method=METHOD_PY if function else None, baseline_label=baseline.label,
    )
