"""The scores against worked examples computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from evaluators.scores import (
    FAST_P_LEVELS,
    ReferenceLevels,
    best_at_k,
    beyond,
    cluster_references,
    coffe_speedup,
    dps,
    dps_summary,
    efficient_at_k,
    fast_p,
    fast_p_table,
    geometric_mean,
    gso_opt,
    pass_at_k,
    pie_scores,
)
from perfforge.errors import ConfigError

# ----------------------------------------------------------------------------- pass@k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 2, 1, 2 / 5),  # 1 - C(3,1)/C(5,1) = 1 - 3/5
        (5, 2, 2, 7 / 10),  # 1 - C(3,2)/C(5,2) = 1 - 3/10
        (10, 3, 5, 11 / 12),  # 1 - C(7,5)/C(10,5) = 1 - 21/252
        (4, 1, 4, 1.0),  # k = n: any correct sample is always drawn
        (5, 0, 3, 0.0),  # c = 0
        (5, 5, 3, 1.0),  # c = n
        (1, 1, 1, 1.0),
    ],
)
def test_pass_at_k_worked_examples(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-15)


def test_pass_at_1_is_the_fraction_correct_for_large_n() -> None:
    # exact binomials: no overflow or cancellation for n = 1000
    assert pass_at_k(1000, 137, 1) == pytest.approx(0.137, abs=1e-15)
    assert pass_at_k(1000, 1, 500) == pytest.approx(0.5, abs=1e-15)


@pytest.mark.parametrize(("n", "c", "k"), [(3, 1, 5), (0, 0, 1), (5, 1, 0), (5, 6, 1), (5, -1, 1)])
def test_pass_at_k_refuses_undefined_arguments(n: int, c: int, k: int) -> None:
    with pytest.raises(ConfigError):
        pass_at_k(n, c, k)


def test_pass_at_k_names_the_missing_samples() -> None:
    with pytest.raises(ConfigError, match=r"pass@5 needs at least 5 samples per task, got n=3"):
        pass_at_k(3, 1, 5)


# ----------------------------------------------------------------------------- COFFE

REFS = [1000.0, 800.0, 900.0]  # best reference: 800


def test_efficient_at_k_counts_only_correct_and_strictly_faster_samples() -> None:
    # 700 and 500 are below 800; 800 ties (not strictly below); None failed; 900 slower
    samples = [700.0, 800.0, None, 500.0, 900.0]
    assert efficient_at_k(samples, REFS, 1) == pytest.approx(2 / 5)
    assert efficient_at_k(samples, REFS, 2) == pytest.approx(7 / 10)


def test_efficient_at_k_is_zero_when_nothing_beats_the_best_reference() -> None:
    assert efficient_at_k([800.0, 850.0, None], REFS, 2) == 0.0


def test_efficient_at_k_refuses_empty_inputs() -> None:
    with pytest.raises(ConfigError):
        efficient_at_k([], REFS, 1)
    with pytest.raises(ConfigError):
        efficient_at_k([1.0], [], 1)


def test_coffe_speedup_is_a_ratio_of_sums_not_a_mean_of_ratios() -> None:
    assert coffe_speedup([100.0, 300.0], [50.0, 150.0]) == pytest.approx(2.0)
    # (100 + 300) / (10 + 290) = 4/3; a mean of per-test ratios would give ~5.5
    assert coffe_speedup([100.0, 300.0], [10.0, 290.0]) == pytest.approx(4 / 3)


def test_coffe_speedup_refuses_mismatched_or_empty_tests() -> None:
    with pytest.raises(ConfigError):
        coffe_speedup([100.0, 300.0], [50.0])
    with pytest.raises(ConfigError):
        coffe_speedup([], [])
    with pytest.raises(ConfigError):
        coffe_speedup([100.0], [0.0])


# ----------------------------------------------------------------------------- EvalPerf


def _levels() -> ReferenceLevels:
    # sorted: 1e6, 950k, 600k, 590k, 100k
    # 1e6 -> 950k: gap 0.05   <= 0.10 + sqrt(1e4/1e6)   = 0.2000 -> same cluster
    # 950k -> 600k: gap 0.368 >  0.10 + sqrt(1e4/9.5e5) = 0.2026 -> split
    # 600k -> 590k: gap 0.017 -> same cluster
    # 590k -> 100k: gap 0.831 >  0.10 + sqrt(1e4/5.9e5) = 0.2302 -> split
    return cluster_references([600_000, 1_000_000, 100_000, 950_000, 590_000])


def test_cluster_references_worked_example() -> None:
    levels = _levels()
    assert levels.representatives == [1_000_000, 600_000, 100_000]
    assert levels.sizes == [2, 2, 1]
    assert levels.scores == pytest.approx([40.0, 80.0, 100.0])
    assert levels.count == 3


def test_cluster_gap_threshold_is_strict_and_grows_for_small_counts() -> None:
    # gap exactly 0.2 = 0.10 + sqrt(1e4/1e6): not above the threshold, no split
    assert cluster_references([1_000_000, 800_000]).count == 1
    assert cluster_references([1_000_000, 799_999]).count == 2
    # a 90% gap splits large counts (threshold 0.11) but not tiny ones (threshold 10.1)
    assert cluster_references([1e8, 1e7]).count == 2
    assert cluster_references([100, 10]).count == 1
    # the base matters: with base 0.5 the 0.368 gap above no longer splits
    assert cluster_references([1_000_000, 600_000], base=0.5).count == 1


def test_cluster_references_keeps_ties_together_and_refuses_bad_counts() -> None:
    tied = cluster_references([5e6, 5e6, 5e6])
    assert tied.sizes == [3] and tied.scores == [100.0]
    with pytest.raises(ConfigError):
        cluster_references([])
    with pytest.raises(ConfigError):
        cluster_references([1e6, 0])


@pytest.mark.parametrize(
    ("count", "expected_dps", "expected_norm", "level"),
    [
        (1_200_000, 0.0, 0.0, None),  # slower than every reference
        (1_000_000, 40.0, 100 / 3, 0),  # ties the slowest representative: I(s) <= I(ref)
        (950_000, 40.0, 100 / 3, 0),  # a non-representative member of cluster 0
        (700_000, 40.0, 100 / 3, 0),
        (600_000, 80.0, 200 / 3, 1),
        (50_000, 100.0, 100.0, 2),  # faster than the fastest reference
        (None, 0.0, 0.0, None),  # failing or timed out
    ],
)
def test_dps_worked_examples(count: float | None, expected_dps: float, expected_norm: float, level: int | None) -> None:
    score = dps(count, _levels())
    assert score.dps == pytest.approx(expected_dps)
    assert score.dps_norm == pytest.approx(expected_norm)
    assert score.level == level


def test_dps_task_and_model_means() -> None:
    levels = _levels()
    task_a = dps_summary([dps(c, levels) for c in (None, 700_000, 600_000, 50_000)])
    # DPS (0 + 40 + 80 + 100) / 4 = 55; DPS_norm (0 + 33.3 + 66.7 + 100) / 4 = 50
    assert task_a.dps == pytest.approx(55.0) and task_a.dps_norm == pytest.approx(50.0) and task_a.count == 4
    task_b = dps_summary([dps(50_000, levels)])  # 100, 100 from one sample
    model = dps_summary([task_a, task_b])  # each task weighs the same, not each sample
    assert model.dps == pytest.approx(77.5) and model.dps_norm == pytest.approx(75.0) and model.count == 2
    with pytest.raises(ConfigError):
        dps_summary([])


# ----------------------------------------------------------------------------- PIE


def test_pie_scores_worked_example() -> None:
    result = pie_scores(
        [10.0, 10.0, 4.0, 8.0],
        [
            [5.0, None, 8.0],  # best 5 -> 10/5 = 2.0
            [None, None],  # all wrong: infinitely slow -> max(1, 0) = 1, not correct
            [3.5],  # 4/3.5 = 1.142857
            [9.0, 12.0],  # best 9 -> 8/9 < 1 -> 1, correct
        ],
    )
    assert result.speedup == pytest.approx((2.0 + 1.0 + 4 / 3.5 + 1.0) / 4)
    # 2.0 reaches every level (>= is inclusive at 2.0); 1.1428 reaches only 1.10
    assert result.pct_opt == pytest.approx({1.10: 50.0, 1.25: 25.0, 1.5: 25.0, 2.0: 25.0})
    assert result.pct_correct == pytest.approx(75.0)
    assert result.programs == 4


def test_best_at_k_treats_wrong_candidates_as_infinitely_slow() -> None:
    assert best_at_k([3.0, None, 2.0]) == 2.0
    assert best_at_k([None]) == math.inf
    assert best_at_k([]) == math.inf


def test_pie_scores_refuses_bad_input() -> None:
    with pytest.raises(ConfigError):
        pie_scores([], [])
    with pytest.raises(ConfigError):
        pie_scores([1.0, 2.0], [[1.0]])
    with pytest.raises(ConfigError):
        pie_scores([1.0], [[-1.0]])


# ----------------------------------------------------------------------------- KernelBench

CORRECT = [True, True, False, True, True]
REF_T = [10.0, 10.0, 10.0, 10.0, 9.0]
NEW_T = [5.0, 10.0, 1.0, 20.0, 10.0]  # speedups 2.0, 1.0, (wrong), 0.5, 0.9


def test_fast_p_worked_example() -> None:
    table = fast_p_table(CORRECT, REF_T, NEW_T)
    assert list(table) == list(FAST_P_LEVELS)
    # fast_0 = 4 correct / 5; p is strict: 0.5 excluded at p=0.5, 1.0 at p=1, 2.0 at p=2;
    # the wrong task is excluded however fast it ran
    assert table == pytest.approx({0.0: 0.8, 0.5: 0.6, 0.8: 0.6, 1.0: 0.2, 1.5: 0.2, 2.0: 0.0})


def test_fast_p_accepts_missing_times_for_wrong_tasks_only() -> None:
    assert fast_p([False, True], [1.0, 2.0], [None, 1.0], 1.0) == 0.5
    with pytest.raises(ConfigError):
        fast_p([True], [1.0], [None], 1.0)
    with pytest.raises(ConfigError):
        fast_p([], [], [], 0.0)


# ----------------------------------------------------------------------------- GSO, Mercury, gmean


def test_geometric_mean() -> None:
    assert geometric_mean([2.0, 0.5]) == pytest.approx(1.0)
    assert geometric_mean([1.0, 4.0]) == pytest.approx(2.0)
    assert geometric_mean([1.5, 1.0, 2.0]) == pytest.approx(3 ** (1 / 3))
    for bad in ([], [0.0], [-1.0, 2.0], [math.nan]):
        with pytest.raises(ConfigError):
            geometric_mean(bad)


def test_gso_opt() -> None:
    tests = [1.5, 1.0, 2.0]  # geometric mean 3^(1/3) = 1.4422
    assert gso_opt(True, tests, 1.5)  # 1.4422 >= 0.95 * 1.5 = 1.425
    assert not gso_opt(True, tests, 1.6)  # 1.4422 < 0.95 * 1.6 = 1.52
    assert not gso_opt(False, tests, 1.0)  # incorrect
    assert not gso_opt(True, [1.19], 1.0)  # beats the human but not the 1.2x floor
    assert gso_opt(True, [1.2], 1.0)  # the floor is inclusive


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [(2.0, 1.0), (4.0, 0.5), (3.0, 0.75), (1.0, 1.0), (10.0, 0.0), (6.0, 0.0), (None, 0.0)],
)
def test_beyond_worked_examples(runtime: float | None, expected: float) -> None:
    # R = {2, 4, 6}: (6 - clip(r, 2, 6)) / 4
    assert beyond(runtime, [4.0, 2.0, 6.0]) == pytest.approx(expected)


def test_beyond_degenerate_range() -> None:
    assert beyond(5.0, [5.0, 5.0]) == 1.0
    assert beyond(6.0, [5.0, 5.0]) == 0.0
    with pytest.raises(ConfigError):
        beyond(1.0, [])
