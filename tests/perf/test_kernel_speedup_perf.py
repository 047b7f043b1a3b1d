"""A GEMM candidate that only changes the loop order (i-k-j, vectorized at -O3) against the
naive i-j-k reference, measured side by side in one sandbox session.

The claims: the loop order gives fewer instructions (exact) *and* a significant time
speedup (the 95% interval's lower bound above 1 + threshold, interleaved runs of the whole
process: start-up and the driver's input and output included).

Run with ``pytest -m perf tests/perf/test_kernel_speedup_perf.py -s``: about a minute
on a quiet 2-core machine.  The figures are printed for the record.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.task import Task
from evaluators.measure import measure

pytestmark = [pytest.mark.perf, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "benchmarks" / "suites"
CANDIDATES = ROOT / "tests" / "evaluators" / "kernel_candidates"


def _report(name: str, verdict) -> None:
    t = verdict.time
    ins = verdict.instructions
    print(f"\n{name}: time {t.speedup:.2f}x (95% CI {t.ci95[0]:.2f}-{t.ci95[1]:.2f}, p={t.p_value:.3g}, "
          f"{t.baseline_median_s * 1e3:.1f} ms -> {t.candidate_median_s * 1e3:.1f} ms, {t.runs} runs); "
          + (f"instructions {ins.baseline:,} -> {ins.candidate:,} ({ins.speedup:.2f}x)" if ins else ""))


def test_gemm_loop_order_is_faster_in_instructions_and_time(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFFORGE_HOME", str(tmp_path))
    verdict = measure(Task.load(SUITES / "kernels" / "gemm"), CANDIDATES / "gemm_ikj.c", metrics="instructions,time")
    _report("kernels/gemm, i-k-j candidate vs naive i-j-k", verdict)
    assert verdict.correct
    assert verdict.instructions.speedup > 2.0
    assert verdict.time.significant and verdict.time.ci95[0] > 1.05
