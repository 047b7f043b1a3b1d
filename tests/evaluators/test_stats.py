"""Timing statistics on canned times, and the interleaving driver on scripted runs."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
import pytest

from evaluators.stats import EarlyStop, compare_times, interleave, measure_interleaved
from perfforge.errors import ConfigError

# ----------------------------------------------------------------------------- compare_times


def test_clearly_faster_candidate_is_significant() -> None:
    a = [1.00, 1.10, 1.20, 1.30, 1.25]  # median 1.20
    b = [0.50, 0.55, 0.60, 0.51, 0.52]  # median 0.52 (no ties: the exact test applies)
    result = compare_times(a, b)
    assert result.baseline_median_s == 1.20 and result.candidate_median_s == 0.52
    assert result.speedup == pytest.approx(1.20 / 0.52)
    # every A beats every B: exact two-sided Mann-Whitney p = 2 / C(10, 5) = 2/252
    assert result.p_value == pytest.approx(2 / 252)
    lo, hi = result.ci95
    assert 1.05 < lo <= result.speedup <= hi
    assert result.significant and not result.slower and result.verdict == "faster"
    assert result.runs == 5 and result.resampling == "paired"
    assert result.baseline_times_s == a and result.candidate_times_s == b


def test_clearly_slower_candidate_is_flagged_slower() -> None:
    result = compare_times([0.50, 0.55, 0.60, 0.50, 0.52], [1.00, 1.10, 1.20, 1.30, 1.25])
    assert result.slower and not result.significant and result.verdict == "slower"
    assert result.ci95[1] < 1 / 1.05


def test_same_distribution_is_inconclusive() -> None:
    rng = np.random.default_rng(7)
    a = (0.01 * rng.lognormal(0, 0.03, 20)).tolist()
    b = (0.01 * rng.lognormal(0, 0.03, 20)).tolist()
    result = compare_times(a, b)
    assert result.verdict == "inconclusive" and not result.significant and not result.slower
    assert result.ci95[0] < 1.05 and result.ci95[1] > 1 / 1.05


def test_threshold_is_a_noise_floor() -> None:
    # a real, noiseless 3% speedup: statistically clear, but below the 5% floor
    a, b = [1.03] * 10, [1.00] * 10
    assert compare_times(a, b).ci95 == pytest.approx((1.03, 1.03))
    assert not compare_times(a, b).significant
    assert compare_times(a, b, threshold=0.02).significant
    assert compare_times(a, b, threshold=0.0).significant


def test_threshold_floor_applies_to_slowdowns_too() -> None:
    a, b = [1.00] * 10, [1.03] * 10
    assert not compare_times(a, b).slower
    assert compare_times(a, b, threshold=0.0).slower


def test_one_disturbed_run_does_not_move_the_interval() -> None:
    # a neighbour stalled one baseline run 50x: medians ignore it, means would not
    a = [1.00, 1.01, 1.02, 1.03, 50.0, 1.04, 1.05, 1.01, 1.02]
    b = [1.01, 1.00, 1.03, 1.02, 1.04, 1.05, 1.02, 1.01, 1.03]
    result = compare_times(a, b)
    assert result.speedup == pytest.approx(1.02 / 1.02)
    assert 0.95 < result.ci95[0] and result.ci95[1] < 1.05
    assert result.verdict == "inconclusive"


def test_three_runs_cannot_be_significant() -> None:
    # the smallest two-sided Mann-Whitney p with 3 runs a side is 2/C(6,3) = 0.1
    result = compare_times([3.0, 3.1, 3.2], [1.0, 1.1, 1.2])
    assert result.p_value == pytest.approx(0.1)
    assert not result.significant


def test_interval_is_reproducible_for_a_seed() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(0, 0.1, 15).tolist(), rng.lognormal(0, 0.1, 15).tolist()
    first, again = compare_times(a, b, seed=11), compare_times(a, b, seed=11)
    assert first.ci95 == again.ci95 and first.seed == 11
    assert first.ci95[0] < first.speedup < first.ci95[1]


def test_paired_resampling_uses_the_rounds_shared_drift() -> None:
    # the machine slows down round after round; within a round B is always 20% faster
    drift = np.linspace(1.0, 3.0, 16)
    a, b = (drift * 1.2).tolist(), (drift * (1 + 0.01 * np.sin(np.arange(16)))).tolist()
    paired = compare_times(a, b)
    independent = compare_times(a, b, paired=False)
    assert paired.resampling == "paired" and independent.resampling == "independent"
    assert paired.ci95[1] - paired.ci95[0] < 0.2 * (independent.ci95[1] - independent.ci95[0])
    assert paired.ci95[0] > 1.1
    assert independent.ci95[0] < 1.0


def test_unequal_lengths_resample_independently() -> None:
    result = compare_times([1.0, 1.1, 1.2, 1.3], [0.5, 0.6, 0.55])
    assert result.resampling == "independent" and result.runs == 3
    with pytest.raises(ConfigError, match="paired comparison"):
        compare_times([1.0, 1.1, 1.2, 1.3], [0.5, 0.6, 0.55], paired=True)


@pytest.mark.parametrize(
    ("a", "b"),
    [([1.0], [1.0, 2.0]), ([], []), ([1.0, 0.0], [1.0, 1.0]), ([1.0, math.nan], [1.0, 1.0]), ([1.0, -2.0], [1.0, 1.0])],
)
def test_compare_times_refuses_unusable_times(a: list[float], b: list[float]) -> None:
    with pytest.raises(ConfigError):
        compare_times(a, b)


def test_negative_threshold_is_refused() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        compare_times([1.0, 1.0], [1.0, 1.0], threshold=-0.1)


# ----------------------------------------------------------------------------- interleave


class Script:
    """Scripted runs: records the order of calls and returns preset durations."""

    def __init__(self, a: Iterator[float], b: Iterator[float], sleep_s: float = 0.0) -> None:
        self.calls: list[str] = []
        self._a, self._b, self._sleep = a, b, sleep_s

    def run_a(self) -> float:
        return self._call("A", self._a)

    def run_b(self) -> float:
        return self._call("B", self._b)

    def _call(self, label: str, source: Iterator[float]) -> float:
        self.calls.append(label)
        if self._sleep:
            time.sleep(self._sleep)
        return next(source)


def _counting(start: float) -> Iterator[float]:
    value = start
    while True:
        yield value
        value += 1.0


def test_abab_order_and_warmups_are_discarded() -> None:
    script = Script(_counting(100.0), _counting(200.0))
    times_a, times_b = interleave(script.run_a, script.run_b, warmups=1, repeats=3, order="ABAB")
    assert "".join(script.calls) == "ABABABAB"
    assert times_a == [101.0, 102.0, 103.0] and times_b == [201.0, 202.0, 203.0]


def test_abba_order_alternates_who_goes_first() -> None:
    script = Script(_counting(100.0), _counting(200.0))
    times_a, times_b = interleave(script.run_a, script.run_b, warmups=2, repeats=2, order="ABBA")
    assert "".join(script.calls) == "ABBAABBA"
    assert times_a == [102.0, 103.0] and times_b == [202.0, 203.0]


def test_budget_bounds_the_whole_call() -> None:
    script = Script(_counting(1.0), _counting(1.0), sleep_s=0.02)  # a round takes ~0.04 s
    started = time.perf_counter()
    times_a, times_b = interleave(script.run_a, script.run_b, warmups=1, repeats=100, max_total_s=0.3)
    elapsed = time.perf_counter() - started
    assert 1 <= len(times_a) == len(times_b) < 100
    assert elapsed < 0.3 + 0.1  # stopped before a round that would overrun, plus scheduling slack


def test_budget_too_small_for_two_rounds_is_a_clear_error() -> None:
    script = Script(_counting(1.0), _counting(1.0), sleep_s=0.05)
    with pytest.raises(ConfigError, match="at least 2 timed runs"):
        measure_interleaved(script.run_a, script.run_b, warmups=1, repeats=10, max_total_s=0.05)


def test_early_stop_on_a_decisive_speedup() -> None:
    rng = np.random.default_rng(0)
    a = iter((1.0 * rng.lognormal(0, 0.02, 1000)).tolist())
    b = iter((0.5 * rng.lognormal(0, 0.02, 1000)).tolist())
    script = Script(a, b)
    result = measure_interleaved(
        script.run_a, script.run_b, warmups=1, repeats=50, early_stop=EarlyStop(min_repeats=10, every=5)
    )
    assert result.runs == 10 and result.warmups == 1 and result.order == "ABAB"
    assert result.stop_reason == "decisive after 10 rounds: faster"
    assert result.significant and result.speedup == pytest.approx(2.0, rel=0.05)


def test_early_stop_when_no_difference_is_possible() -> None:
    rng = np.random.default_rng(1)
    a = iter((1.0 * rng.lognormal(0, 0.005, 1000)).tolist())
    b = iter((1.0 * rng.lognormal(0, 0.005, 1000)).tolist())
    script = Script(a, b)
    result = measure_interleaved(script.run_a, script.run_b, repeats=50, early_stop=EarlyStop())
    assert result.stop_reason == "decisive after 10 rounds: no difference above 5%"
    assert result.verdict == "inconclusive"


def test_noisy_comparison_runs_all_rounds() -> None:
    rng = np.random.default_rng(2)
    a = iter(rng.lognormal(0, 0.5, 1000).tolist())
    b = iter(rng.lognormal(0, 0.5, 1000).tolist())
    script = Script(a, b)
    result = measure_interleaved(script.run_a, script.run_b, repeats=20, early_stop=EarlyStop())
    assert result.runs == 20 and result.stop_reason == "all 20 rounds run"


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_a_run_must_return_positive_seconds(bad: float) -> None:
    script = Script(iter([bad] * 10), _counting(1.0))
    with pytest.raises(ValueError, match="positive seconds"):
        interleave(script.run_a, script.run_b, warmups=0, repeats=3)


def test_a_failing_run_propagates() -> None:
    def broken() -> float:
        raise RuntimeError("sandbox down")

    with pytest.raises(RuntimeError, match="sandbox down"):
        interleave(broken, broken, repeats=3)


@pytest.mark.parametrize(
    "kwargs", [{"repeats": 1}, {"warmups": -1}, {"order": "AABB"}, {"max_total_s": 0.0}]
)
def test_interleave_refuses_bad_settings(kwargs: dict[str, object]) -> None:
    script = Script(_counting(1.0), _counting(1.0))
    with pytest.raises(ConfigError):
        interleave(script.run_a, script.run_b, **kwargs)  # type: ignore[arg-type]
