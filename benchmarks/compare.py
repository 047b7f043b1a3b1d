"""``perfforge bench compare RUN_A RUN_B``: per-task differences between two runs, with significance.

The per-sample figure is the instruction speedup (baseline, or for codegen the fastest
reference, over the sample's count), a failing sample counting as 0: the worst rank.

* **Per task, efficiency**: two-sided Mann-Whitney U test (:func:`scipy.stats.mannwhitneyu`)
  of A's samples against B's.  Rank-based: no normality assumption (speedups are
  ratios with long tails), failures enter as the lowest rank instead of being dropped,
  and ties (identical programs count identically) are corrected for.  With few samples
  the test has little power (3 against 3 cannot reach p < 0.05): the p-value says so
  rather than a verdict claiming more.
* **Per task, correctness**: Fisher's exact test on correct / wrong counts
  (:func:`scipy.stats.fisher_exact`), exact at any sample size.
* **Many tasks**: the per-task p-values are adjusted for multiple comparisons
  (Benjamini-Hochberg, :func:`scipy.stats.false_discovery_control`); a difference is
  called only when its adjusted value is below 0.05.
* **Overall**: Wilcoxon signed-rank test (:func:`scipy.stats.wilcoxon`) of the paired
  per-task log ratios of the geometric-mean speedups, over tasks where both runs have a
  correct sample.

Instruction counts depend on the machine, the sandbox image, the interpreter and the
compiler: runs whose fingerprints differ (:func:`evaluators.fingerprint.comparable`)
are not compared unless forced, and then the result carries the reasons.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, Field

from perfforge.errors import ConfigError

ALPHA = 0.05


class Side(BaseModel):
    samples: int
    correct: int
    speedup: float | None = Field(None, description="geometric mean over correct samples")
    median: float = Field(description="median per-sample figure (speedup, 0 when wrong)")


class TaskDiff(BaseModel):
    task_id: str
    suite: str
    kind: str
    a: Side
    b: Side
    ratio: float | None = Field(None, description="B's geometric-mean speedup over A's (> 1: B is faster)")
    p_value: float | None = Field(None, description="Mann-Whitney U, two-sided, per-sample efficiency")
    q_value: float | None = Field(None, description="p_value adjusted over the tasks (Benjamini-Hochberg)")
    p_correct: float | None = Field(None, description="Fisher's exact test on correct/wrong counts")
    verdict: str


class Comparison(BaseModel):
    run_a: str
    run_b: str
    model_a: str
    model_b: str
    comparable: bool
    reasons: list[str] = Field(default_factory=list, description="why the runs' measurements may differ")
    tests: str = ("per task: Mann-Whitney U (two-sided) on per-sample speedup (wrong = 0), Benjamini-Hochberg "
                  "adjusted; Fisher's exact test on correctness; overall: Wilcoxon signed-rank on per-task log ratios")
    tasks: list[TaskDiff] = Field(default_factory=list)
    only_a: list[str] = Field(default_factory=list)
    only_b: list[str] = Field(default_factory=list)
    overall_ratio: float | None = Field(None, description="geometric mean of the per-task ratios")
    overall_p: float | None = None
    overall_tasks: int = 0


# --- which rows, and may they be compared -------------------------------------------------------


def _pick_model(run: Any, rows: list[dict[str, Any]], wanted: str | None, flag: str) -> str:
    models = list(dict.fromkeys(r.get("model", "") for r in rows))
    if wanted is not None:
        if wanted not in models:
            raise ConfigError(f"run {run.id} has no model {wanted!r}; it holds {', '.join(models) or 'no results'}")
        return wanted
    if len(models) != 1:
        raise ConfigError(f"run {run.id} holds {len(models)} models ({', '.join(models) or 'none'})",
                          hint=f"pick one with {flag}")
    return models[0]


def _context(run: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    prov: dict[str, Any] = {}
    for r in rows:
        for key, value in (r.get("provenance") or {}).items():
            if value and key not in prov:
                prov[key] = value
    return {"fingerprint": run.config.get("fingerprint") or None, **prov}


def check_comparable(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Every reason two runs' instruction counts may not be compared (empty: comparable)."""
    from evaluators.fingerprint import Fingerprint, RunContext, comparable

    if a.get("fingerprint") and b.get("fingerprint"):
        def ctx(c: dict[str, Any]) -> RunContext:
            return RunContext(fingerprint=Fingerprint.model_validate(c["fingerprint"]), backend=c.get("sandbox") or "",
                              image=c.get("image") or "", interpreter=c.get("python") or "",
                              compiler=c.get("compiler") or "")

        return comparable(ctx(a), ctx(b))[1]
    reasons = []
    for key, name in (("machine", "machine fingerprint"), ("sandbox", "backend"), ("image", "image"),
                      ("python", "interpreter"), ("compiler", "compiler")):
        if a.get(key) != b.get(key):
            reasons.append(f"{name} differs: {a.get(key)!r} vs {b.get(key)!r}")
    return reasons


# --- the tests -----------------------------------------------------------------------------------


def _figures(rows: list[dict[str, Any]]) -> list[float]:
    return [float(r["speedup"]) if r.get("correct") and r.get("speedup") else 0.0 for r in rows]


def _side(rows: list[dict[str, Any]]) -> Side:
    from evaluators.scores import geometric_mean

    figures = _figures(rows)
    good = [f for f in figures if f > 0]
    return Side(samples=len(rows), correct=sum(1 for r in rows if r.get("correct")),
                speedup=geometric_mean(good) if good else None, median=statistics.median(figures))


def _task(task_id: str, rows_a: list[dict[str, Any]], rows_b: list[dict[str, Any]]) -> TaskDiff:
    from scipy.stats import fisher_exact, mannwhitneyu

    a, b = _side(rows_a), _side(rows_b)
    fa, fb = _figures(rows_a), _figures(rows_b)
    if len(set(fa) | set(fb)) == 1:
        p = 1.0  # every sample scores the same on both sides: no difference (the test is undefined)
    else:
        p = float(mannwhitneyu(fa, fb, alternative="two-sided").pvalue)
    p_correct = float(fisher_exact([[a.correct, a.samples - a.correct], [b.correct, b.samples - b.correct]]).pvalue)
    ratio = b.speedup / a.speedup if a.speedup and b.speedup else None
    first = rows_a[0]
    return TaskDiff(task_id=task_id, suite=first.get("suite", ""), kind=first.get("task_kind", ""), a=a, b=b,
                    ratio=ratio, p_value=p, p_correct=p_correct, verdict="")


def _verdicts(tasks: list[TaskDiff]) -> None:
    from scipy.stats import false_discovery_control

    ps = [t.p_value if t.p_value is not None else 1.0 for t in tasks]
    qs = false_discovery_control(ps) if ps else []
    for t, q in zip(tasks, qs):
        t.q_value = float(q)
        if t.q_value < ALPHA:
            t.verdict = "B more efficient" if t.b.median > t.a.median else "A more efficient"
        elif min(t.a.samples, t.b.samples) < 4:
            t.verdict = "no significant difference (too few samples for the test to decide)"
        else:
            t.verdict = "no significant difference"


def compare(store: Any, run_a: str, run_b: str, *, model_a: str | None = None, model_b: str | None = None,
            force: bool = False) -> Comparison:
    """Compare ``run_b`` with ``run_a`` task by task; raise when their measurements are not
    comparable (different machine, image, interpreter, compiler) unless ``force``."""
    from benchmarks.report.leaderboard import read_rows

    if run_a == run_b and model_a == model_b:
        raise ConfigError("compare two different runs (or two models of one run with --model-a/--model-b)")
    runs, rows = read_rows(store, [run_a, run_b])
    record_a = store.get_run(run_a)
    record_b = store.get_run(run_b)
    rows_a = [p for rid, p in rows if rid == run_a]
    rows_b = [p for rid, p in rows if rid == run_b]
    model_a = _pick_model(record_a, rows_a, model_a, "--model-a")
    model_b = _pick_model(record_b, rows_b, model_b, "--model-b")
    rows_a = [r for r in rows_a if r.get("model") == model_a]
    rows_b = [r for r in rows_b if r.get("model") == model_b]
    reasons = check_comparable(_context(record_a, rows_a), _context(record_b, rows_b))
    if reasons and not force:
        raise ConfigError(f"runs {run_a} and {run_b} were measured in different conditions: {'; '.join(reasons)}",
                          hint="instruction counts are comparable only on the same machine, image and toolchain; "
                               "--force compares anyway (the result lists the reasons)")
    by_a: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_b: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows_a:
        by_a[r["task_id"]].append(r)
    for r in rows_b:
        by_b[r["task_id"]].append(r)
    shared = [t for t in by_a if t in by_b]
    if not shared:
        raise ConfigError(f"runs {run_a} and {run_b} have no task in common")
    tasks = [_task(t, by_a[t], by_b[t]) for t in shared]
    _verdicts(tasks)
    out = Comparison(run_a=run_a, run_b=run_b, model_a=model_a, model_b=model_b, comparable=not reasons,
                     reasons=reasons, tasks=tasks, only_a=[t for t in by_a if t not in by_b],
                     only_b=[t for t in by_b if t not in by_a])
    logs = [math.log(t.ratio) for t in tasks if t.ratio]
    if logs:
        out.overall_ratio, out.overall_tasks = math.exp(math.fsum(logs) / len(logs)), len(logs)
        if any(v != 0 for v in logs):
            from scipy.stats import wilcoxon

            out.overall_p = float(wilcoxon(logs).pvalue)
        else:
            out.overall_p = 1.0
    return out


def render(result: Comparison) -> str:
    """The comparison for a person: one line per task, then the overall figure."""
    lines = [f"A = {result.run_a} ({result.model_a})", f"B = {result.run_b} ({result.model_b})"]
    for reason in result.reasons:
        lines.append(f"warning: not comparable: {reason}")
    width = max((len(t.task_id) for t in result.tasks), default=4)
    lines.append(f"{'task':<{width}}  {'A ok':>6} {'B ok':>6} {'A speedup':>10} {'B speedup':>10} {'B/A':>7} "
                 f"{'p (MWU)':>8} {'q (BH)':>7} {'p (ok)':>7}  verdict")

    def sx(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}x"

    for t in result.tasks:
        lines.append(f"{t.task_id:<{width}}  {t.a.correct:>3}/{t.a.samples:<2} {t.b.correct:>3}/{t.b.samples:<2} "
                     f"{sx(t.a.speedup):>10} {sx(t.b.speedup):>10} {sx(t.ratio):>7} "
                     f"{t.p_value if t.p_value is not None else float('nan'):>8.3g} {t.q_value or 0:>7.3g} "
                     f"{t.p_correct if t.p_correct is not None else float('nan'):>7.3g}  {t.verdict}")
    if result.only_a or result.only_b:
        lines.append(f"tasks in one run only: A {len(result.only_a)}, B {len(result.only_b)}")
    if result.overall_ratio is not None:
        p = "-" if result.overall_p is None else f"{result.overall_p:.3g}"
        lines.append(f"overall: B/A speedup {result.overall_ratio:.3f}x (geometric mean over {result.overall_tasks} "
                     f"tasks), Wilcoxon signed-rank p = {p}")
    lines.append(f"tests: {result.tests}")
    return "\n".join(lines)


__all__ = ["Comparison", "Side", "TaskDiff", "check_comparable", "compare", "render"]
