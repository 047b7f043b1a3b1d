"""The cost of resetting a session's work dir before each execution, both backends.

A typical measurement's session holds a few small files (harness, programs, task files) and
a few MB of staged inputs; every later execution places a small job file and runs.  The
runner times its own reset (prove every pristine file unchanged by content, remove the
rest, empty /tmp and /dev/shm, clear IPC objects and keys) and reports it with each reply;
this prints the medians, the per-execution round trip of such a session next to a one-shot
``true``, and the reset of a session holding 48 MB.  Target: the typical reset <= 10 ms
median.  Run with ``pytest -m perf tests/perf/test_session_reset_perf.py -s``.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest

from sandbox import ExecSpec, get_sandbox

pytestmark = [pytest.mark.perf, pytest.mark.docker]

ROUNDS = 40
TYPICAL_TARGET_MS = 10.0
TYPICAL = {
    "_pf/run.py": os.urandom(2_000), "_pf/harness.py": os.urandom(30_000), "_pf/values.py": os.urandom(9_000),
    "base/solution.py": os.urandom(1_500), "r001/solution.py": os.urandom(1_500), "cand/solution.py": os.urandom(1_500),
    "task/task.toml": os.urandom(1_000), "task/generate.py": os.urandom(500),
    "_io/stress.json": os.urandom(3 << 20), "_io/out.jsonl": b"",
}


def _ms(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _job(i: int) -> ExecSpec:
    return ExecSpec(argv=["true"], files={"_io/job.json": b'{"round": %d}' % i})


def _measure(backend: str) -> dict[str, list[float]]:
    box = get_sandbox(backend, pool_size=2)
    out: dict[str, list[float]] = {"one-shot true": [], "session exec": [], "reset wall": [], "reset cpu": [],
                                   "reset 48 MB": []}
    try:
        box.run(ExecSpec(argv=["true"]))
        with box.session() as session, box.session() as big:
            session.run(ExecSpec(argv=["true"], files=TYPICAL))
            big.run(ExecSpec(argv=["true"], files={**TYPICAL, "_io/stress.json": os.urandom(48 << 20)}))
            for i in range(ROUNDS):
                out["one-shot true"].append(_ms(lambda: box.run(ExecSpec(argv=["true"]))))
                out["session exec"].append(_ms(lambda: session.run(_job(i))))
                reset = session._worker.last_reply["reset"]
                assert reset["restored"] == [] and reset["removed"] == []
                out["reset wall"].append(reset["seconds"] * 1000)
                out["reset cpu"].append(reset["cpu_s"] * 1000)
                if i % 4 == 0:
                    big.run(_job(i))
                    out["reset 48 MB"].append(big._worker.last_reply["reset"]["seconds"] * 1000)
    finally:
        box.close()
    return out


def test_session_reset_overhead():
    results = {backend: _measure(backend) for backend in ("docker", "local")}
    print(f"\nsession reset, {len(TYPICAL)} pristine files ({sum(map(len, TYPICAL.values())) / 1e6:.1f} MB), "
          f"median of n (min, max)")
    for backend, rows in results.items():
        for name, values in rows.items():
            print(f"  {backend:<7} {name:<15} {statistics.median(values):8.2f} ms   "
                  f"(n={len(values)}, min {min(values):.2f}, max {max(values):.2f})")
    for backend, rows in results.items():
        typical = statistics.median(rows["reset wall"])
        assert typical <= TYPICAL_TARGET_MS, f"{backend}: typical reset median {typical:.1f} ms > {TYPICAL_TARGET_MS} ms"
