"""A candidate compared with itself must almost never be called faster.

100 comparisons, each timing the *same* small Python workload as baseline and candidate
through the sandbox (interleaved, warm-up, medians, bootstrap CI, Mann-Whitney), with
the harness's default threshold.  The claim checked: "significant" in at most 5 of 100.
The same raw times are also re-analysed with threshold 0 (the statistics alone) and
replayed through the early-stop driver, and those rates are printed for the record.

Run with ``pytest -m perf tests/perf/test_timing_selfcompare.py -s``: 2,600 sandboxed runs,
about 3 minutes on a quiet 2-core machine, twice that when other work competes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from evaluators.fingerprint import machine_fingerprint
from evaluators.stats import EarlyStop, TimeComparison, compare_times, measure_interleaved
from perfforge.errors import SandboxUnavailable
from sandbox import ExecSpec, Limits, get_sandbox

COMPARISONS = 100
WARMUPS = 1
REPEATS = 12
MAX_FALSE_POSITIVES = 5
# a few ms of interpreted work on this machine, on top of the interpreter's start-up
WORKLOAD = "total = 0\nfor i in range(100_000):\n    total += i * i\nprint(total)\n"

pytestmark = pytest.mark.perf


def _open_sandbox() -> tuple[Any, str]:
    """The default backend; the local one when the default cannot run here (said aloud)."""
    try:
        sandbox = get_sandbox()
        sandbox.run(ExecSpec(argv=["true"]))
        return sandbox, ""
    except SandboxUnavailable as exc:
        return get_sandbox("local"), f"default backend unavailable ({exc.message}); used local"


def _replay(times: list[float]) -> Iterator[float]:
    return iter(times)


def _experiment(sandbox: Any) -> list[TimeComparison]:
    spec = ExecSpec(argv=["python3", "-c", WORKLOAD], limits=Limits(wall_s=30))

    def run_once() -> float:
        result = sandbox.run(spec)
        assert result.ok, f"workload failed in the sandbox: {result.describe()}: {result.stderr[-500:]!r}"
        return float(result.wall_s)

    return [measure_interleaved(run_once, run_once, warmups=WARMUPS, repeats=REPEATS) for _ in range(COMPARISONS)]


def test_self_comparison_is_rarely_significant(benchmark: Any, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox, note = _open_sandbox()
    try:
        started = time.perf_counter()
        results: list[TimeComparison] = benchmark.pedantic(_experiment, args=(sandbox,), rounds=1, iterations=1)
        elapsed = time.perf_counter() - started
        backend = sandbox.describe()
    finally:
        sandbox.close()

    faster = sum(r.significant for r in results)
    slower = sum(r.slower for r in results)
    # the statistics alone, no noise floor: a nominal 2.5% each way
    raw = [compare_times(r.baseline_times_s, r.candidate_times_s, threshold=0.0) for r in results]
    raw_faster = sum(r.significant for r in raw)
    p_below = sum(r.p_value < 0.05 for r in results)
    # the same series through the early-stop driver (looks after 6 and 9 rounds)
    replays = [
        measure_interleaved(
            _replay(r.baseline_times_s).__next__,
            _replay(r.candidate_times_s).__next__,
            warmups=0,
            repeats=REPEATS,
            early_stop=EarlyStop(min_repeats=6, every=3),
        )
        for r in results
    ]
    early_faster = sum(r.significant for r in replays)
    early_stopped = sum(r.runs < REPEATS for r in replays)
    medians = sorted(r.baseline_median_s for r in results)
    widths = sorted(r.ci95[1] - r.ci95[0] for r in results)

    summary = {
        "backend": backend.get("backend"),
        "backend_note": note,
        "fingerprint": machine_fingerprint(docker=False).id,
        "comparisons": COMPARISONS,
        "rounds": f"{WARMUPS} warm-up + {REPEATS} measured, ABAB",
        "significant_faster": faster,
        "false_positive_rate": faster / COMPARISONS,
        "significant_slower": slower,
        "threshold0_faster": raw_faster,
        "mann_whitney_p_below_0.05": p_below,
        "early_stop_faster": early_faster,
        "early_stop_stopped_before_end": early_stopped,
        "median_run_s": medians[len(medians) // 2],
        "median_ci95_width": widths[len(widths) // 2],
        "elapsed_s": round(elapsed, 1),
    }
    benchmark.extra_info.update(summary)
    with capsys.disabled():
        print("\nself-compare:", " | ".join(f"{k}={v}" for k, v in summary.items()))

    assert len(results) == COMPARISONS and all(r.runs == REPEATS for r in results)
    assert faster <= MAX_FALSE_POSITIVES, f"{faster}/{COMPARISONS} self-comparisons called significant"
    assert slower <= MAX_FALSE_POSITIVES, f"{slower}/{COMPARISONS} self-comparisons called slower"
    assert early_faster <= MAX_FALSE_POSITIVES


def test_a_real_difference_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    """The other side of the coin: the same statistics do call a workload doing a third
    of the work faster, every time (10 comparisons)."""
    sandbox, note = _open_sandbox()
    heavy = ExecSpec(argv=["python3", "-c", WORKLOAD.replace("100_000", "600_000")], limits=Limits(wall_s=30))
    light = ExecSpec(argv=["python3", "-c", WORKLOAD.replace("100_000", "200_000")], limits=Limits(wall_s=30))

    def timed(spec: ExecSpec) -> Any:
        def run_once() -> float:
            result = sandbox.run(spec)
            assert result.ok, result.describe()
            return float(result.wall_s)

        return run_once

    try:
        results = [
            measure_interleaved(timed(heavy), timed(light), warmups=WARMUPS, repeats=REPEATS) for _ in range(10)
        ]
    finally:
        sandbox.close()
    found = sum(r.significant for r in results)
    speedups = sorted(round(r.speedup, 2) for r in results)
    with capsys.disabled():
        print(f"\nreal difference: significant in {found}/10; speedups {speedups}; {note}")
    assert found == 10
