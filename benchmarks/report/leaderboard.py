"""Leaderboards from the run store: one per suite and task kind, one line per model of a run.

Reads ``bench run`` and ``bench evaluate`` runs alike (both store one result row per
sample: ``SampleResult``; a bench run adds ``bench``, what producing the sample cost).
Scores come from :func:`benchmarks.summary.summarize`, so a report shows exactly the
figures ``bench evaluate`` printed.  Added here:

==================  ===========================================================================
fast_p              KernelBench's fast_p per task over its samples (correct and speedup > p),
                    mean over tasks; speedup = baseline (or fastest reference) instructions over
                    the sample's; with one sample per task this is KernelBench's definition
%Opt                PIE's %Opt at 1.10 (perf-edit tasks; best of a task's samples)
tokens, $           what producing the samples cost, per task: the model calls of a sample
                    (the original call's figures, also when replayed from the journal); $ is
                    blank when some call's price is unknown
wall s              per task: waiting for the model + evaluating (+ an agent run's own work)
energy J (est.)     per task, *estimated*: the local compute seconds (evaluations, agent runs'
                    measurements) priced with :func:`evaluators.energy.estimate_parts` (a busy
                    core's power); the model's own inference energy is not known and not included
==================  ===========================================================================

Ranking inside a leaderboard: codegen by DPS_norm, other kinds by fast_1 (share of samples
correct and faster than the original), then by speedup, then by pass@1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, Field

from perfforge.errors import ConfigError

READABLE_KINDS = ("bench", "evaluate")
FAST_P_SHOWN = 1.0


class RunInfo(BaseModel):
    id: str
    kind: str
    status: str
    created: float
    models: list[str]
    mode: str
    machine: str | None = None
    image: str | None = None


class Entry(BaseModel):
    """One model of one run on one suite and kind."""

    run_id: str
    model: str
    label: str
    suite: str
    kind: str
    rank: int = 0
    tasks: int
    samples: int
    correct: int
    pass_at_1: float | None = None
    efficient_at_1: float | None = None
    dps: float | None = None
    dps_norm: float | None = None
    speedup: float | None = Field(None, description="geometric mean over correct samples (instructions)")
    speedup_samples: int = 0
    pct_opt: float | None = Field(None, description="PIE %Opt at 1.10")
    fast_p: dict[str, float] = Field(default_factory=dict, description="p -> % of the task's samples, mean over tasks")
    tokens_per_task: float | None = None
    cost_usd_per_task: float | None = None
    wall_s_per_task: float = 0.0
    energy_j_per_task: float = 0.0

    @property
    def fast_1(self) -> float | None:
        return self.fast_p.get(f"{FAST_P_SHOWN:g}")


class TaskLine(BaseModel):
    """One task for one model of one run."""

    run_id: str
    model: str
    label: str
    suite: str
    kind: str
    task_id: str
    samples: int
    correct: int
    pass_at_1: float
    speedup: float | None = Field(None, description="geometric mean over the task's correct samples")
    best_speedup: float | None = None
    dps_norm: float | None = None
    efficient_at_1: float | None = None
    tokens: int | None = None
    cost_usd: float | None = None
    wall_s: float = 0.0
    energy_j: float = 0.0
    speedups: list[float] = Field(default_factory=list, description="every correct sample's speedup")


class Board(BaseModel):
    suite: str
    kind: str
    entries: list[Entry]


class Report(BaseModel):
    runs: list[RunInfo]
    boards: list[Board]
    tasks: list[TaskLine]
    energy_method: str = "estimated"
    energy_model: str = ""


# --- reading -------------------------------------------------------------------------------


def read_rows(store: Any, run_ids: list[str]) -> tuple[list[RunInfo], list[tuple[str, dict[str, Any]]]]:
    """The runs (each must be a bench or evaluate run) and their result payloads."""
    if not run_ids:
        raise ConfigError("no run id given", hint="`perfforge bench run` and `bench evaluate` print theirs")
    runs = []
    for rid in dict.fromkeys(run_ids):
        record = store.get_run(rid)  # unknown ids raise, with the recent ones as a hint
        if record.kind not in READABLE_KINDS:
            raise ConfigError(f"run {rid} is a {record.kind} run; reports read bench runs and bench evaluations")
        runs.append(record)
    rows = [(rid, row.payload) for rid, row in store.results([r.id for r in runs])]
    infos = []
    for record in runs:
        mine = [p for rid, p in rows if rid == record.id]
        prov = next((p.get("provenance") for p in mine if p.get("provenance")), {}) or {}
        models = record.config.get("models") or list(dict.fromkeys(p.get("model", "") for p in mine))
        infos.append(RunInfo(id=record.id, kind=record.kind, status=record.status, created=record.created,
                             models=models, mode=record.config.get("mode", "samples"),
                             machine=(record.config.get("fingerprint") or {}).get("id") or prov.get("machine"),
                             image=prov.get("image")))
    return infos, rows


# --- figures -------------------------------------------------------------------------------


def local_seconds(payload: dict[str, Any]) -> float:
    """Seconds of compute on this machine for one sample: its evaluation and, for an agent
    run, the agent's own measurements."""
    return float((payload.get("timing") or {}).get("wall") or 0.0) + float((payload.get("bench") or {}).get("local_s") or 0.0)


def estimated_joules(seconds: float) -> float:
    from evaluators.energy import estimate_parts

    return math.fsum(part.joules for part in estimate_parts(seconds, seconds, 0))


def _costs(rows: list[dict[str, Any]]) -> tuple[int | None, float | None, float, float]:
    """(tokens, dollars, wall seconds, joules) of producing and evaluating ``rows``."""
    benches = [r.get("bench") for r in rows]
    produced = [b for b in benches if b]
    tokens = sum(int(b.get("tokens") or 0) for b in produced) if produced else None
    known = produced and all(b.get("cost_usd") is not None for b in produced)
    cost = math.fsum(b["cost_usd"] for b in produced) if known else None
    local = math.fsum(local_seconds(r) for r in rows)
    wall = local + math.fsum(float((b or {}).get("model_s") or 0.0) for b in benches)
    return tokens, cost, wall, estimated_joules(local)


def _fast_p(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per-task fast_p over the task's samples, mean over tasks that have a reference count."""
    from evaluators.scores import FAST_P_LEVELS, fast_p

    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_task[r["task_id"]].append(r)
    per_level: dict[float, list[float]] = defaultdict(list)
    for group in by_task.values():
        ref = next((r.get("baseline_instructions") for r in group if r.get("baseline_instructions")), None)
        if not ref:
            continue
        correct = [bool(r.get("correct") and r.get("instructions") is not None) for r in group]
        new = [float(max(r["instructions"], 1)) if ok else None for r, ok in zip(group, correct)]
        refs = [float(ref)] * len(group)
        for p in FAST_P_LEVELS:
            per_level[p].append(100.0 * fast_p(correct, refs, new, p))
    return {f"{p:g}": math.fsum(v) / len(v) for p, v in per_level.items()}


def _geomean(values: list[float]) -> float | None:
    from evaluators.scores import geometric_mean

    return geometric_mean(values) if values else None


def _entry(run_id: str, model: str, suite: str, kind: str, rows: list[dict[str, Any]]) -> tuple[Entry, list[TaskLine]]:
    from benchmarks.summary import summarize

    scores = summarize(rows)
    tokens, cost, wall, joules = _costs(rows)
    n = max(scores.tasks, 1)
    entry = Entry(run_id=run_id, model=model, label=model, suite=suite, kind=kind, tasks=scores.tasks,
                  samples=scores.samples, correct=scores.correct, pass_at_1=scores.pass_at_1,
                  efficient_at_1=scores.efficient_at_1, dps=scores.dps, dps_norm=scores.dps_norm,
                  speedup=scores.speedup, speedup_samples=scores.speedup_samples,
                  pct_opt=scores.pie_pct_opt.get("1.1") if kind != "codegen" else None, fast_p=_fast_p(rows),
                  tokens_per_task=None if tokens is None else tokens / n,
                  cost_usd_per_task=None if cost is None else cost / n, wall_s_per_task=wall / n,
                  energy_j_per_task=joules / n)
    lines = []
    for ts in scores.per_task:
        mine = [r for r in rows if r["task_id"] == ts.task_id]
        t_tokens, t_cost, t_wall, t_joules = _costs(mine)
        speedups = [float(r["speedup"]) for r in mine if r.get("correct") and r.get("speedup")]
        lines.append(TaskLine(run_id=run_id, model=model, label=model, suite=suite, kind=kind, task_id=ts.task_id,
                              samples=ts.samples, correct=ts.correct, pass_at_1=ts.pass_at_1,
                              speedup=_geomean(speedups), best_speedup=ts.best_speedup, dps_norm=ts.dps_norm,
                              efficient_at_1=ts.efficient_at_1, tokens=t_tokens, cost_usd=t_cost, wall_s=t_wall,
                              energy_j=t_joules, speedups=speedups))
    return entry, lines


def rank_key(entry: Entry) -> tuple[float, float, float]:
    """Larger is better: the kind's efficiency score, then speedup, then pass@1."""
    primary = entry.dps_norm if entry.kind == "codegen" else entry.fast_1
    return (-1.0 if primary is None else primary, entry.speedup or 0.0, entry.pass_at_1 or 0.0)


def build(store: Any, run_ids: list[str]) -> Report:
    """The report over ``run_ids`` (bench runs and bench evaluations, mixed freely)."""
    from evaluators.energy import MODEL

    runs, rows = read_rows(store, run_ids)
    rows = _with_task_figures(rows)
    groups: dict[tuple[str, str], dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for rid, payload in rows:
        suite = payload.get("suite") or payload.get("task_id", "").split("/", 1)[0]
        groups[(suite, payload.get("task_kind", "?"))][(rid, payload.get("model", ""))].append(payload)
    boards, tasks = [], []
    for (suite, kind), members in sorted(groups.items()):
        entries = []
        for (rid, model), member_rows in members.items():
            entry, lines = _entry(rid, model, suite, kind, member_rows)
            entries.append(entry)
            tasks += lines
        entries.sort(key=rank_key, reverse=True)
        for position, entry in enumerate(entries, 1):
            entry.rank = position
        boards.append(Board(suite=suite, kind=kind, entries=entries))
    _label(boards, tasks)
    return Report(runs=runs, boards=boards, tasks=tasks,
                  energy_model=f"estimated from local compute seconds: {MODEL} (peak RSS not recorded per sample)")


TASK_FIGURES = ("references", "baseline_instructions", "baseline_label")


def _with_task_figures(rows: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """A sample refused before it ran (no code in the reply, a build error) carries no
    reference counts; it takes its task's from another sample (of the same run first), so
    that it scores 0 on efficient@1, %Opt and fast_p instead of leaving the task out."""
    same_run: dict[tuple[str, str], dict[str, Any]] = {}
    any_run: dict[str, dict[str, Any]] = {}
    for rid, p in rows:
        if p.get("references") or p.get("baseline_instructions"):
            figures = {k: p.get(k) for k in TASK_FIGURES}
            same_run.setdefault((rid, p["task_id"]), figures)
            any_run.setdefault(p["task_id"], figures)
    out = []
    for rid, p in rows:
        if not (p.get("references") or p.get("baseline_instructions")):
            figures = same_run.get((rid, p["task_id"])) or any_run.get(p["task_id"])
            if figures:
                p = {**p, **figures}
        out.append((rid, p))
    return out


def _label(boards: list[Board], tasks: list[TaskLine]) -> None:
    """A model's name, with its run id where two runs hold the same model."""
    runs_of: dict[str, set[str]] = defaultdict(set)
    for board in boards:
        for e in board.entries:
            runs_of[e.model].add(e.run_id)

    def label(model: str, run_id: str) -> str:
        return model if len(runs_of[model]) == 1 else f"{model} ({run_id})"

    for board in boards:
        for e in board.entries:
            e.label = label(e.model, e.run_id)
    for t in tasks:
        t.label = label(t.model, t.run_id)


__all__ = ["Board", "Entry", "Report", "RunInfo", "TaskLine", "build", "estimated_joules", "local_seconds", "rank_key",
           "read_rows"]
