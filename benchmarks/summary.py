"""A benchmark's scores from the per-sample results ``bench evaluate`` writes to the run store.

Everything here is computed from result payloads (see ``benchmarks.evaluate.SampleResult``),
so a report built later from the run store gets exactly the figures ``bench evaluate``
printed.  Definitions (``evaluators.scores``, ``shared/anchors.md``):

=================  ==========================================================================
pass@1             per task ``pass@1`` over its n samples (c correct), mean over tasks (%)
efficient@1        COFFE: correct *and* instruction count strictly below the best (lowest)
                   reference's; per task like pass@1, mean over tasks with references (%)
DPS, DPS_norm      EvalPerf: references clustered by instruction count; a sample scores the
                   fastest level it matches; mean over samples, then over ``codegen`` tasks
speedup            geometric mean over correct samples of (baseline, or for codegen the
                   fastest reference) / candidate instructions
COFFE speedup      sum of the best reference's counts / sum of the candidates' counts, over
                   all correct samples of all tasks (COFFE sums before dividing)
PIE                over ``perf-edit`` tasks ("programs"): best@k = lowest count of a task's
                   samples, wrong = infinitely slow; Speedup = mean of max(1, t_slow/t_best);
                   %Opt at 1.10 (1.25, 1.5, 2); %Correct = share whose best@k passes.  Here t is
                   the instruction count (it stands in for PIE's gem5 time)
fast_p             KernelBench, over tasks whose samples were timed (PyTorch module tasks):
                   per task the share of samples correct *and* with time speedup > p, mean
                   over those tasks, at p in 0, 0.5, 0.8, 1, 1.5, 2 (fast_0 = correctness)
=================  ==========================================================================
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable

from pydantic import BaseModel, Field

from evaluators import scores as sc


class TaskScore(BaseModel):
    task_id: str
    kind: str
    samples: int
    correct: int
    pass_at_1: float
    efficient_at_1: float | None = None
    dps: float | None = None
    dps_norm: float | None = None
    best_speedup: float | None = Field(None, description="the best correct sample's instruction speedup")


class Scores(BaseModel):
    """A run's (or one model's) scores; percentages are 0..100, None where not applicable."""

    tasks: int
    samples: int
    correct: int
    pass_at_1: float | None = None
    efficient_at_1: float | None = None
    efficient_tasks: int = 0
    dps: float | None = None
    dps_norm: float | None = None
    dps_tasks: int = 0
    speedup: float | None = Field(None, description="geometric mean over correct samples")
    speedup_samples: int = 0
    coffe_speedup: float | None = None
    pie_speedup: float | None = None
    pie_pct_opt: dict[str, float] = Field(default_factory=dict, description="threshold -> % of programs")
    pie_pct_correct: float | None = None
    pie_programs: int = 0
    fast_p: dict[str, float] = Field(default_factory=dict, description="p -> % of timed tasks (KernelBench)")
    fast_p_tasks: int = 0
    time_measure: str = "instructions (valgrind cachegrind, summed over the stress inputs, empty run subtracted)"
    per_task: list[TaskScore] = Field(default_factory=list)


def _count(payload: dict[str, Any]) -> float | None:
    """A sample's instruction count, or None when it failed (the scores' convention).  A
    correct sample cheaper than the calibrated empty run counts as 1 instruction."""
    value = payload.get("instructions")
    if not payload.get("correct") or value is None:
        return None
    return float(max(value, 1))


def sample_dps(payload: dict[str, Any]) -> sc.DpsScore | None:
    """EvalPerf's DPS of one sample (codegen tasks with measured references), else None."""
    refs = [v for v in (payload.get("references") or {}).values() if v and v > 0]
    if payload.get("task_kind") != "codegen" or not refs:
        return None
    return sc.dps(_count(payload), sc.cluster_references(refs))


def sample_efficient(payload: dict[str, Any]) -> bool | None:
    refs = [v for v in (payload.get("references") or {}).values() if v and v > 0]
    if not refs:
        return None
    count = _count(payload)
    return count is not None and count < min(refs)


def _measured(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A row that carries the task's measured figures (a sample refused before running has none)."""
    return next((r for r in rows if r.get("references") or r.get("baseline_instructions")), rows[0])


def _task_score(task_id: str, rows: list[dict[str, Any]]) -> TaskScore:
    n, c = len(rows), sum(1 for r in rows if r.get("correct"))
    kind = rows[0].get("task_kind", "")
    out = TaskScore(task_id=task_id, kind=kind, samples=n, correct=c, pass_at_1=100.0 * sc.pass_at_k(n, c, 1))
    refs = [v for v in (_measured(rows).get("references") or {}).values() if v and v > 0]
    if refs:
        out.efficient_at_1 = 100.0 * sc.efficient_at_k([_count(r) for r in rows], refs, 1)
    if kind == "codegen" and refs:
        levels = sc.cluster_references(refs)
        summary = sc.dps_summary([sc.dps(_count(r), levels) for r in rows])
        out.dps, out.dps_norm = summary.dps, summary.dps_norm
    speedups = [r["speedup"] for r in rows if r.get("correct") and r.get("speedup")]
    out.best_speedup = max(speedups) if speedups else None
    return out


def summarize(payloads: Iterable[dict[str, Any]]) -> Scores:
    """Scores over result payloads (one per sample; several models mixed are the caller's
    concern: group by ``model`` first)."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for payload in payloads:
        by_task[payload["task_id"]].append(payload)
    rows = [r for group in by_task.values() for r in group]
    out = Scores(tasks=len(by_task), samples=len(rows), correct=sum(1 for r in rows if r.get("correct")))
    if not rows:
        return out
    out.per_task = [_task_score(tid, group) for tid, group in by_task.items()]
    out.pass_at_1 = _mean([t.pass_at_1 for t in out.per_task])
    efficient = [t.efficient_at_1 for t in out.per_task if t.efficient_at_1 is not None]
    out.efficient_at_1, out.efficient_tasks = _mean(efficient), len(efficient)
    dps_tasks = [t for t in out.per_task if t.dps is not None]
    if dps_tasks:
        out.dps = _mean([t.dps for t in dps_tasks])
        out.dps_norm = _mean([t.dps_norm for t in dps_tasks])
        out.dps_tasks = len(dps_tasks)
    speedups = [r["speedup"] for r in rows if r.get("correct") and r.get("speedup")]
    if speedups:
        out.speedup, out.speedup_samples = sc.geometric_mean(speedups), len(speedups)
    _coffe(out, rows)
    _pie(out, by_task)
    _fast_p(out, by_task)
    return out


def _coffe(out: Scores, rows: list[dict[str, Any]]) -> None:
    pairs = []
    for r in rows:
        refs = [v for v in (r.get("references") or {}).values() if v and v > 0]
        count = _count(r)  # failing samples (which may lack the references) do not enter COFFE's speedup
        if r.get("task_kind") == "codegen" and refs and count:
            pairs.append((min(refs), count))
    if pairs:
        out.coffe_speedup = sc.coffe_speedup([p[0] for p in pairs], [p[1] for p in pairs])


def _pie(out: Scores, by_task: dict[str, list[dict[str, Any]]]) -> None:
    slow, candidates = [], []
    for group in by_task.values():
        first = _measured(group)
        if first.get("task_kind") != "perf-edit" or not first.get("baseline_instructions"):
            continue
        slow.append(float(first["baseline_instructions"]))
        candidates.append([_count(r) for r in group])
    if not slow:
        return
    result = sc.pie_scores(slow, candidates)
    out.pie_speedup = result.speedup
    out.pie_pct_opt = {f"{level:g}": pct for level, pct in result.pct_opt.items()}
    out.pie_pct_correct = result.pct_correct
    out.pie_programs = result.programs


def _fast_p(out: Scores, by_task: dict[str, list[dict[str, Any]]]) -> None:
    timed = [g for g in by_task.values() if any(str(r.get("method") or "").startswith("time") for r in g)]
    if not timed:
        return
    per_task = []
    for group in timed:
        speedups = [float(r.get("speedup") or 0.0) for r in group]
        # a correct sample whose time could not be taken counts as not fast at any p
        correct = [bool(r.get("correct")) and s > 0 for r, s in zip(group, speedups)]
        # fast_p compares t_ref / t_new: with t_ref = speedup and t_new = 1 the ratio is the speedup
        per_task.append(sc.fast_p_table(correct, [s if s > 0 else 1.0 for s in speedups], [1.0] * len(group)))
    out.fast_p = {f"{p:g}": 100.0 * math.fsum(t[p] for t in per_task) / len(per_task) for p in per_task[0]}
    out.fast_p_tasks = len(per_task)


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


__all__ = ["Scores", "TaskScore", "summarize", "sample_dps", "sample_efficient"]
