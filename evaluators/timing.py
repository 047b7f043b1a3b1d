"""Wall time: baseline and candidate interleaved in one sandbox session.

A run is one harness execution over all stress inputs.  Its duration is taken by the
harness's clock (``time.perf_counter``) in a process the program does not run in.  A
Python function runs in a child process that signals over a pipe when its inputs are
loaded, just before it imports the program; the clock stops when the child exits, right
after the last call (import and calls are timed, interpreter teardown is not; a program
patching the clock patches only its own process).  A process is timed from spawn to exit,
input by input, and the times are summed.

Why not the sandbox's wall time minus a calibrated empty run: the sandbox's part of a run
(``docker exec``, interpreter start-up, reading the inputs) is the same for both sides
but adds tens of milliseconds of jitter per run, which would widen the interval without
adding information; subtracting a calibration removes its mean, not its variance.  The
statistics (interleaving, medians, bootstrap interval, Mann-Whitney U, significance) are :mod:`evaluators.stats`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from evaluators.instructions import STRESS_INPUTS
from evaluators.programs import Program, Workspace, data_path
from evaluators.stats import TimeComparison, measure_interleaved
from perfforge.errors import SandboxError

METHOD = "parent-process perf_counter: inputs loaded -> child exit (processes: spawn to exit), interleaved ABAB"


class TimeResult(BaseModel):
    speedup: float
    ci95: tuple[float, float]
    p_value: float
    significant: bool = Field(description="faster: the ci95 lower bound clears 1 + threshold (and p < 0.05)")
    slower: bool
    verdict: str
    threshold: float
    baseline_median_s: float
    candidate_median_s: float
    runs: int
    warmups: int
    method: str = METHOD
    baseline_label: str
    comparison: TimeComparison = Field(description="the full statistics, raw times included")
    peak_rss_kib: dict[str, int] = Field(default_factory=dict, description="largest peak RSS seen per side")


class _Side:
    def __init__(self, ws: Workspace, program: Program, wall_s: float) -> None:
        self.ws, self.program, self.wall_s = ws, program, wall_s
        self.job = ws.job(program.slot, data_path(STRESS_INPUTS), timeout=wall_s)
        self.peak_rss_kib = 0

    def __call__(self) -> float:
        run = self.ws.harness("clock", self.job, wall_s=self.wall_s)
        rec = run.last("clock")
        if rec is None:
            raise SandboxError(f"a timing run of {self.program.label} did not finish: {run.result.describe()}")
        self.peak_rss_kib = max(self.peak_rss_kib, int(rec.get("maxrss_kib") or 0))
        return float(rec["seconds"])


def time_pair(ws: Workspace, baseline: Program, candidate: Program, native_s: float) -> TimeResult:
    """Interleave ``baseline`` and ``candidate`` (stress inputs already in the work dir)."""
    m = ws.task.spec.measure
    wall = 60.0 + 20 * native_s
    a, b = _Side(ws, baseline, wall), _Side(ws, candidate, wall)
    ws.progress(f"timing: {m.warmups} warm-up and {m.repeats} measured rounds, {baseline.label} vs candidate")
    cmp = measure_interleaved(a, b, warmups=m.warmups, repeats=m.repeats, threshold=m.threshold)
    return TimeResult(
        speedup=cmp.speedup, ci95=cmp.ci95, p_value=cmp.p_value, significant=cmp.significant, slower=cmp.slower,
        verdict=cmp.verdict, threshold=cmp.threshold, baseline_median_s=cmp.baseline_median_s,
        candidate_median_s=cmp.candidate_median_s, runs=cmp.runs, warmups=cmp.warmups,
        baseline_label=baseline.label, comparison=cmp,
        peak_rss_kib={"baseline": a.peak_rss_kib, "candidate": b.peak_rss_kib},
    )
