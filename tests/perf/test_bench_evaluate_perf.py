"""``bench evaluate`` throughput, side by side in one run: the warm docker pool and the local
backend, on a bundled suite, and the share of the wall time spent outside the candidates'
own execution.

Samples are the suite's references with a comment appended (``# sample k``): distinct
programs, so each is checked and counted afresh instead of being read back from the count
cache.  Each backend runs twice: with cold task caches (staging of the inputs and the
references' counts happen in the run) and with warm ones (a second set of samples on the
same tasks).  Within a phase the backends alternate task by task (which one goes first
alternates too), so a noisy neighbour hurts both alike.

Run with ``pytest -m perf tests/perf/test_bench_evaluate_perf.py -s`` (10-20 minutes on the
2-core machine).  The figures are printed; the test asserts that every sample is judged
correct on both backends and that warm task caches make a sample cheaper.
"""

from __future__ import annotations

import os
import time

import pytest

from agent.store import RunStore
from benchmarks import suites
from benchmarks.evaluate import EvalTask, Evaluation
from benchmarks.loaders.base import SampleSet

pytestmark = [pytest.mark.perf, pytest.mark.docker, pytest.mark.timeout(5400)]

SUITE = os.environ.get("PERFFORGE_PERF_SUITE", "examples")
BACKENDS = ("docker", "local")


def variant_samples(tasks: list[EvalTask], k: int) -> SampleSet:
    samples = SampleSet()
    for item in tasks:
        comment = "#" if item.task.spec.language == "python" else "//"
        for ref in item.task.spec.references:
            source = item.task.read(ref.file).decode()
            samples.add(item.task.id, f"{source.rstrip()}\n{comment} sample {k}\n", f"{ref.file} variant {k}")
    return samples


def run_phase(boxes, tasks, k, store, phase):
    """Evaluate every task's samples on each backend, alternating which backend goes first
    task by task, so that a change in the machine's load falls on both alike."""
    runs = {name: store.create_run("evaluate", {"perf": f"{name}-{phase}"}).id for name in boxes}
    wall = dict.fromkeys(boxes, 0.0)
    failed: dict[str, dict] = {name: {} for name in boxes}
    for i, item in enumerate(tasks):
        order = list(boxes) if i % 2 == 0 else list(reversed(boxes))
        for name in order:
            start = time.perf_counter()
            outcome = Evaluation(tasks=[item], samples=variant_samples([item], k), store=store, run_id=runs[name],
                                 format="suite", model=name, sandbox=boxes[name]).run()
            wall[name] += time.perf_counter() - start
            failed[name].update(outcome.failed_tasks)
    results = {}
    for name, run_id in runs.items():
        payloads = [row.payload for _, row in store.results([run_id])]
        timing = {key: sum(p["timing"].get(key, 0.0) for p in payloads) for key in ("wall", "check", "count", "candidate")}
        results[name] = {
            "samples": len(payloads), "correct": sum(p["correct"] for p in payloads), "wall": wall[name],
            "per_min": len(payloads) / wall[name] * 60, "candidate": timing["candidate"],
            "outside": 1 - timing["candidate"] / wall[name], "prepare": wall[name] - timing["wall"],
            "count": timing["count"], "check": timing["check"], "failed": failed[name],
        }
    return results


def test_bench_evaluate_throughput_docker_and_local(tmp_path, monkeypatch):
    from sandbox import ExecSpec, get_sandbox

    monkeypatch.setenv("PERFFORGE_HOME", str(tmp_path / "home"))
    tasks = [EvalTask(t, SUITE) for t in suites.suite_tasks(SUITE)]
    store = RunStore(tmp_path / "runs.sqlite")
    boxes = {name: get_sandbox(name, pool_size=1) for name in BACKENDS}
    results: dict[tuple[str, str], dict] = {}
    load_before = os.getloadavg()
    try:
        for box in boxes.values():  # warm the pools: starting a container is not per-sample work
            assert box.run(ExecSpec(argv=["true"])).ok
        for phase, k in (("cold task caches", 1), ("warm task caches", 2)):
            for name, figures in run_phase(boxes, tasks, k, store, phase).items():
                results[(name, phase)] = figures
    finally:
        for box in boxes.values():
            box.close()
    load_after = os.getloadavg()

    print(f"\nbench evaluate on suite {SUITE!r}: {len(tasks)} tasks, {results[('docker', 'cold task caches')]['samples']} "
          f"samples per run (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; 2 cores)")
    print(f"{'backend':<8} {'phase':<17} {'samples/min':>11} {'wall s':>8} {'per-task prep s':>15} {'check s':>8} "
          f"{'count s':>8} {'candidates s':>12} {'outside candidates':>18}")
    for (name, phase), r in results.items():
        print(f"{name:<8} {phase:<17} {r['per_min']:>11.2f} {r['wall']:>8.1f} {r['prepare']:>15.1f} {r['check']:>8.1f} "
              f"{r['count']:>8.1f} {r['candidate']:>12.3f} {100 * r['outside']:>17.2f}%")
    for (name, phase), r in results.items():
        assert not r["failed"], (name, phase, r["failed"])
        assert r["correct"] == r["samples"] > 0, (name, phase)
    for name in BACKENDS:
        assert results[(name, "warm task caches")]["wall"] < results[(name, "cold task caches")]["wall"], name
