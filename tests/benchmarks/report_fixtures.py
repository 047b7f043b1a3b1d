"""Result rows as ``bench run`` and ``bench evaluate`` store them, written by hand: the
report and compare tests check figures computed from known counts."""

from __future__ import annotations

from typing import Any

from agent.store import ResultRow, RunStore
from benchmarks.run.jobs import scoped_key

REFS = {"slow": 4_000_000, "middle": 2_000_000, "fast": 1_000_000}  # three separated EvalPerf levels
BASELINE = 10_000_000
FINGERPRINT = {"id": "abc123def456", "cpu_model": "Test CPU", "logical_cores": 2, "usable_cores": 2, "arch": "x86_64",
               "memory_gib": 24, "kernel": "6.1", "os": "Debian 12", "virtualization": "none", "python": "CPython 3.11",
               "pmu": False, "pmu_detail": "not supported", "rapl": False, "nvml": False, "docker_server": None}
PROVENANCE = {"sandbox": "docker", "image": "sha256:img", "python": "CPython 3.11.2", "compiler": None,
              "machine": "abc123def456", "valgrind": "valgrind-3.19.0"}


def payload(task_id: str, kind: str, model: str, sample: int, count: int | None, *, tokens: int | None = 100,
            cost: float | None = 0.001, wall: float = 2.0, model_s: float = 1.0, provenance: dict | None = None,
            error: str | None = None) -> dict[str, Any]:
    """One sample's stored verdict: ``count`` None is a wrong sample."""
    codegen = kind == "codegen"
    refs = dict(REFS) if codegen else {"linear": REFS["fast"]}
    base = REFS["fast"] if codegen else BASELINE
    out = {"schema": 1, "kind": "evaluate", "format": "suite", "suite": task_id.split("/")[0], "task_id": task_id,
           "task_kind": kind, "language": "python", "model": model, "sample": sample, "origin": "test",
           "source_sha256": f"{model}{sample}", "correct": count is not None, "error": error,
           "instructions": count, "baseline_label": "reference:fast" if codegen else "baseline",
           "baseline_instructions": base, "references": refs, "speedup": base / count if count else None,
           "timing": {"wall": wall, "candidate": wall / 10}, "provenance": provenance or dict(PROVENANCE)}
    if error is not None:  # refused before it ran: no measured figures
        out.update(references={}, baseline_instructions=None, baseline_label=None)
    if tokens is not None:
        out["bench"] = {"mode": "codegen", "tokens": tokens, "prompt_tokens": tokens // 2,
                        "completion_tokens": tokens - tokens // 2, "cost_usd": cost, "calls": 1, "model_s": model_s,
                        "local_s": 0.0}
    return out


def add_bench_run(store: RunStore, rows: list[dict[str, Any]], *, fingerprint: dict | None = None) -> str:
    models = list(dict.fromkeys(r["model"] for r in rows))
    run = store.create_run("bench", {"command": "bench run", "models": models, "mode": "codegen",
                                     "fingerprint": fingerprint or dict(FINGERPRINT)})
    for r in rows:
        store.add_result(run.id, ResultRow(key=scoped_key(r["model"], r["task_id"], r["sample"]), suite=r["suite"],
                                           task_id=r["task_id"], model=r["model"], sample=r["sample"], payload=r))
    store.set_status(run.id, "done")
    return run.id


def add_evaluate_run(store: RunStore, rows: list[dict[str, Any]]) -> str:
    run = store.create_run("evaluate", {"command": "bench evaluate", "model": rows[0]["model"]})
    for r in rows:
        store.add_result(run.id, ResultRow(key=f"{r['task_id']}#{r['sample']}", suite=r["suite"], task_id=r["task_id"],
                                           model=r["model"], sample=r["sample"], payload=r))
    return run.id


def two_model_run(store: RunStore) -> str:
    """Model ``good``: codegen samples at the fast and middle levels, perf-edit 10x and 5x.
    Model ``poor``: codegen one slow sample and one wrong; perf-edit one at 1x and one refused."""
    rows = [
        payload("s/gen", "codegen", "good", 0, REFS["fast"]),
        payload("s/gen", "codegen", "good", 1, REFS["middle"]),
        payload("s/edit", "perf-edit", "good", 0, BASELINE // 10),
        payload("s/edit", "perf-edit", "good", 1, BASELINE // 5),
        payload("s/gen", "codegen", "poor", 0, REFS["slow"], tokens=300, cost=0.003),
        payload("s/gen", "codegen", "poor", 1, None, tokens=300, cost=0.003),
        payload("s/edit", "perf-edit", "poor", 0, BASELINE, tokens=300, cost=0.003),
        payload("s/edit", "perf-edit", "poor", 1, None, tokens=300, cost=0.003, error="no code"),
    ]
    return add_bench_run(store, rows)
