"""Efficiency scores from the literature, as pure functions over measured figures.

Every function here takes numbers that the evaluators already measured (correctness
verdicts, instruction counts, seconds) and returns a score; nothing here runs code.
The definitions follow the published systems exactly (see ``shared/anchors.md``):

=================  =========================================================================
score              definition
=================  =========================================================================
pass@k             ``1 - C(n-c, k) / C(n, k)`` (unbiased; n samples, c correct)
efficient@k        pass@k with c = samples that pass *and* whose summed instruction count is
                   strictly below the best reference's (COFFE)
COFFE speedup      ``sum(reference counts) / sum(candidate counts)`` over one sample's tests
DPS, DPS_norm      EvalPerf: references clustered into efficiency levels; a sample scores the
                   level of the fastest cluster it matches (0 when failing or slower than all)
PIE                wrong = infinitely slow, best@k = fastest of k; Speedup = mean of
                   ``max(1, t_slow / t_best)``; %Opt = share with speedup >= 1.10 (1.25, ...);
                   %Correct = share whose best@k passes
fast_p             KernelBench: ``(1/N) * sum_i [correct_i and t_ref,i / t_new,i > p]``
GSO Opt            correct, geometric-mean speedup >= 1.2 and >= 0.95 x the human speedup
Beyond             Mercury: ``(max R - clip(r, min R, max R)) / (max R - min R)``
=================  =========================================================================

A failing sample is passed as ``None`` where a count or a time is expected: it is data
(it scores 0, or counts as infinitely slow), never an error.  Arguments that make a
score undefined (``k > n``, no references, a non-positive time) raise
:class:`~perfforge.errors.ConfigError` naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from perfforge.errors import ConfigError

FAST_P_LEVELS: tuple[float, ...] = (0.0, 0.5, 0.8, 1.0, 1.5, 2.0)
"""The speedup thresholds at which KernelBench reports fast_p."""

PIE_OPT_LEVELS: tuple[float, ...] = (1.10, 1.25, 1.5, 2.0)
"""The speedups at which PIE's %Opt is reported (1.10 is the headline figure)."""

EVALPERF_BASE_GAP = 0.10
"""EvalPerf's base relative gap between two efficiency levels."""

EVALPERF_GAP_WEIGHT = 10_000.0
"""EvalPerf's small-count allowance: the gap threshold is ``base + sqrt(weight / x)``."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------------------
# argument checks shared by the scores


def _positive(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _nonempty(name: str, values: Sequence[object]) -> None:
    if len(values) == 0:
        raise ConfigError(f"{name} is empty: the score is undefined without data")


def _same_length(**sequences: Sequence[object]) -> None:
    lengths = {name: len(seq) for name, seq in sequences.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ConfigError(f"arguments must have one entry per item, got lengths {described}")


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


# ---------------------------------------------------------------------------------------
# pass@k and COFFE


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k: the chance that at least one of k samples drawn without
    replacement from n (of which c are correct) is correct, ``1 - C(n-c, k) / C(n, k)``.

    Computed with exact integer binomials, so it is exact up to the final rounding.
    ``k > n`` is refused (the estimator needs at least k samples).
    """
    if k < 1:
        raise ConfigError(f"k must be at least 1, got {k}")
    if n < k:
        raise ConfigError(
            f"pass@{k} needs at least {k} samples per task, got n={n}",
            hint="generate more samples or lower k",
        )
    if not 0 <= c <= n:
        raise ConfigError(f"the number of correct samples must be within 0..{n}, got c={c}")
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def efficient_at_k(candidate_counts: Sequence[float | None], reference_counts: Sequence[float], k: int) -> float:
    """COFFE's efficient@k for one task.

    ``candidate_counts[i]`` is sample i's instruction count summed over the stressful
    tests, or ``None`` when the sample fails any correctness test.  A sample counts when
    it passes and its count is *strictly* below the best (lowest) reference count; the
    estimate is :func:`pass_at_k` with that c.
    """
    _nonempty("reference_counts", reference_counts)
    best = min(_positive("reference count", r) for r in reference_counts)
    c = sum(1 for count in candidate_counts if count is not None and count < best)
    return pass_at_k(len(candidate_counts), c, k)


def coffe_speedup(reference_counts: Sequence[float], candidate_counts: Sequence[float]) -> float:
    """COFFE's speedup of one correct sample: the reference's instruction counts summed
    over the stressful tests divided by the sample's summed counts (one entry per test)."""
    _nonempty("reference_counts", reference_counts)
    _same_length(reference_counts=reference_counts, candidate_counts=candidate_counts)
    ref = math.fsum(_positive("reference count", r) for r in reference_counts)
    cand = math.fsum(_positive("candidate count", c) for c in candidate_counts)
    return ref / cand


# ---------------------------------------------------------------------------------------
# EvalPerf: efficiency levels and the differential performance score


class ReferenceLevels(_Frozen):
    """EvalPerf's efficiency levels of one task, slowest level first.

    ``representatives[j]`` is the instruction count of the slowest member of cluster j;
    ``scores[j] = 100 * (references in clusters 0..j) / N``.
    """

    representatives: list[float] = Field(min_length=1)
    sizes: list[int] = Field(min_length=1)
    scores: list[float] = Field(min_length=1)

    @property
    def count(self) -> int:
        """m, the number of clusters."""
        return len(self.representatives)


class DpsScore(_Frozen):
    """One sample's DPS and DPS_norm; ``level`` is j*, None when the sample scored 0."""

    dps: float
    dps_norm: float
    level: int | None


class DpsSummary(_Frozen):
    """The mean DPS and DPS_norm over ``count`` items (samples of a task, or tasks of a model)."""

    dps: float
    dps_norm: float
    count: int


def cluster_references(
    counts: Sequence[float], *, base: float = EVALPERF_BASE_GAP, weight: float = EVALPERF_GAP_WEIGHT
) -> ReferenceLevels:
    """Cluster reference instruction counts into EvalPerf's efficiency levels.

    The counts are sorted slowest first; a new cluster starts after position i when the
    relative gap ``(x_i - x_{i+1}) / x_i`` exceeds ``base + sqrt(weight / x_i)``, so
    small counts (noisier, relatively) need a larger gap.  Equal counts never split.
    """
    _nonempty("reference counts", counts)
    ordered = sorted((_positive("reference count", x) for x in counts), reverse=True)
    clusters: list[list[float]] = [[ordered[0]]]
    for slower, faster in zip(ordered, ordered[1:]):
        if (slower - faster) / slower > base + math.sqrt(weight / slower):
            clusters.append([])
        clusters[-1].append(faster)
    sizes = [len(cluster) for cluster in clusters]
    scores, running = [], 0
    for size in sizes:
        running += size
        scores.append(100.0 * running / len(ordered))
    return ReferenceLevels(representatives=[c[0] for c in clusters], sizes=sizes, scores=scores)


def dps(count: float | None, levels: ReferenceLevels) -> DpsScore:
    """DPS and DPS_norm of one sample with instruction count ``count`` (None = failing or
    timed out).  j* is the fastest level whose representative needs at least as many
    instructions as the sample: ``DPS = scores[j*]``, ``DPS_norm = 100 * (j*+1) / m``;
    a sample slower than every representative scores 0."""
    if count is None:
        return DpsScore(dps=0.0, dps_norm=0.0, level=None)
    _positive("sample count", count)
    for j in range(levels.count - 1, -1, -1):
        if count <= levels.representatives[j]:
            return DpsScore(dps=levels.scores[j], dps_norm=100.0 * (j + 1) / levels.count, level=j)
    return DpsScore(dps=0.0, dps_norm=0.0, level=None)


def dps_summary(items: Sequence[DpsScore | DpsSummary]) -> DpsSummary:
    """Mean DPS and DPS_norm: over a task's samples (task score) or over the task
    summaries of one model (model score; each task weighs the same)."""
    _nonempty("DPS items", items)
    return DpsSummary(
        dps=_mean([item.dps for item in items]),
        dps_norm=_mean([item.dps_norm for item in items]),
        count=len(items),
    )


# ---------------------------------------------------------------------------------------
# PIE


class PieResult(_Frozen):
    """PIE's figures over a set of programs (percentages are 0..100)."""

    speedup: float = Field(description="mean over programs of max(1, t_slow / t_best)")
    pct_opt: dict[float, float] = Field(description="speedup threshold -> % of programs reaching it")
    pct_correct: float = Field(description="% of programs whose best@k passes")
    programs: int


def best_at_k(times: Sequence[float | None]) -> float:
    """The fastest of k candidates' times; a wrong candidate (None) is infinitely slow."""
    return min((_positive("candidate time", t) for t in times if t is not None), default=math.inf)


def pie_scores(
    baseline_times: Sequence[float],
    candidate_times: Sequence[Sequence[float | None]],
    *,
    opt_levels: Sequence[float] = PIE_OPT_LEVELS,
) -> PieResult:
    """PIE's Speedup, %Opt and %Correct.

    ``baseline_times[i]`` is program i's original (slow) time; ``candidate_times[i]``
    holds its k candidates' times, ``None`` for a wrong one.  A program whose candidates
    are all wrong keeps speedup 1 (``max(1, t_slow / inf)``).
    """
    _nonempty("baseline_times", baseline_times)
    _same_length(baseline_times=baseline_times, candidate_times=candidate_times)
    speedups, correct = [], 0
    for slow, times in zip(baseline_times, candidate_times):
        best = best_at_k(times)
        correct += math.isfinite(best)
        speedups.append(max(1.0, _positive("baseline time", slow) / best))
    n = len(speedups)
    return PieResult(
        speedup=_mean(speedups),
        pct_opt={level: 100.0 * sum(s >= level for s in speedups) / n for level in opt_levels},
        pct_correct=100.0 * correct / n,
        programs=n,
    )


# ---------------------------------------------------------------------------------------
# KernelBench, GSO, Mercury, geometric mean


def fast_p(correct: Sequence[bool], ref_times: Sequence[float], new_times: Sequence[float | None], p: float) -> float:
    """KernelBench's fast_p: the fraction of all N tasks that are correct *and* whose
    speedup ``t_ref / t_new`` is strictly above p.  fast_0 is the correctness rate."""
    _nonempty("correct", correct)
    _same_length(correct=correct, ref_times=ref_times, new_times=new_times)
    hits = 0
    for ok, ref, new in zip(correct, ref_times, new_times):
        if ok:
            if new is None:
                raise ConfigError("a correct task needs its measured time (new_times has None)")
            hits += (_positive("reference time", ref) / _positive("candidate time", new)) > p
    return hits / len(correct)


def fast_p_table(
    correct: Sequence[bool],
    ref_times: Sequence[float],
    new_times: Sequence[float | None],
    levels: Sequence[float] = FAST_P_LEVELS,
) -> dict[float, float]:
    """:func:`fast_p` at each of ``levels`` (KernelBench reports 0, 0.5, 0.8, 1, 1.5, 2)."""
    return {p: fast_p(correct, ref_times, new_times, p) for p in levels}


def geometric_mean(values: Sequence[float]) -> float:
    """Geometric mean of positive ratios (speedups): the mean that treats 2x and 0.5x as
    cancelling out."""
    from scipy.stats import gmean

    _nonempty("values", values)
    return float(gmean([_positive("ratio", v) for v in values]))


def gso_opt(
    correct: bool,
    test_speedups: Sequence[float],
    human_speedup: float,
    *,
    min_speedup: float = 1.2,
    human_fraction: float = 0.95,
) -> bool:
    """GSO's Opt for one attempt: correct, the geometric mean of its per-test speedups over
    the original is at least ``min_speedup``, and at least ``human_fraction`` of the
    human commit's speedup.  Opt@k over n attempts is :func:`pass_at_k` with
    c = attempts for which this holds."""
    if not correct:
        return False
    speedup = geometric_mean(test_speedups)
    return speedup >= min_speedup and speedup >= human_fraction * _positive("human speedup", human_speedup)


def beyond(runtime: float | None, known_runtimes: Sequence[float]) -> float:
    """Mercury's Beyond of one solution: ``(max R - clip(r, min R, max R)) / (max R - min R)``
    over the runtimes R of known solutions; 1 = as fast as the fastest, 0 = as slow as the
    slowest or failing (None).  When all known runtimes are equal the range is empty:
    a solution at least that fast scores 1, a slower one 0."""
    _nonempty("known_runtimes", known_runtimes)
    if runtime is None:
        return 0.0
    r = _positive("runtime", runtime)
    lo = min(_positive("known runtime", x) for x in known_runtimes)
    hi = max(known_runtimes)
    if hi == lo:
        return 1.0 if r <= lo else 0.0
    return (hi - min(max(r, lo), hi)) / (hi - lo)
