"""Executors: the registry's errors, the local process pool, and a local Ray instance giving
the same verdicts as the pool on the same jobs."""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest

from agent.store import RunStore
from benchmarks.executors import EXECUTORS, get_executor
from benchmarks.run.jobs import EvalJob, JobSample, run_job, scoped_key
from benchmarks.suites import resolve_task
from perfforge.errors import ConfigError
from tests.benchmarks.bench_run_support import CODEGEN, PERF_EDIT, WRONG_PRIMES, Home, free_port

HAS_RAY = importlib.util.find_spec("ray") is not None
# measured per run and when it was taken; everything else must be equal
VARYING = ("timing", "count_cached")


def test_unknown_executor_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="executors: local, ray"):
        get_executor("slurm")
    assert set(EXECUTORS) == {"local", "ray"}


def test_ray_address_goes_with_the_ray_executor():
    with pytest.raises(ConfigError, match="--ray-address goes with --executor ray"):
        get_executor("local", ray_address="127.0.0.1:6379")


def test_missing_ray_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ConfigError, match="needs Ray, which is not installed") as info:
        get_executor("ray")
    assert "pip install 'perfforge[ray]'" in info.value.hint


@pytest.mark.skipif(not HAS_RAY, reason="ray is not installed (the test extra installs it)")
def test_unreachable_ray_cluster_is_one_clear_error():
    port = free_port()  # nothing listens there now
    with pytest.raises(ConfigError, match=f"cannot reach the Ray cluster at 127.0.0.1:{port}"):
        get_executor("ray", ray_address=f"127.0.0.1:{port}")
    with pytest.raises(ConfigError, match="expected HOST:PORT"):
        get_executor("ray", ray_address="nowhere")


# --- running jobs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home():
    with Home() as path:
        yield path


def jobs(run_id: str, store_path: str | None) -> list[EvalJob]:
    """A codegen task's three references plus a wrong sample, and a perf-edit task's original and reference."""
    primes, dedupe = resolve_task(CODEGEN), resolve_task(PERF_EDIT)
    samples = [JobSample(index=i, source=primes.read(r.file).decode(), origin=r.level, bench={"tokens": i})
               for i, r in enumerate(primes.spec.references)]
    samples.append(JobSample(index=3, source=WRONG_PRIMES, origin="wrong"))
    edits = [JobSample(index=0, source=dedupe.read("baseline.py").decode(), origin="original"),
             JobSample(index=1, source=dedupe.read("reference_set.py").decode(), origin="reference"),
             JobSample(index=2, source="", origin="no code", invalid="the reply holds no fenced code block")]
    return [EvalJob(job_id=f"m|{t.id}", run_id=run_id, model="m", task_ref=t.id, task_hash=t.content_hash(),
                    suite="examples", store_path=store_path, samples=s) for t, s in ((primes, samples), (dedupe, edits))]


def normalized(rows: list[dict]) -> dict[str, dict]:
    out = {}
    for row in rows:
        payload = {k: v for k, v in row["payload"].items() if k not in VARYING}
        payload["provenance"] = {k: v for k, v in payload["provenance"].items() if k != "measured_at"}
        out[row["key"]] = {**row, "payload": payload}
    return out


def run_all(executor, job_list, events: list | None = None) -> list:
    """Every job's result; progress events go to ``events`` (drained until the samples are
    all counted, or for a few seconds: workers send them just before returning)."""
    try:
        results = [f.result(timeout=600) for f in [executor.submit(j) for j in job_list]]
        deadline = time.monotonic() + 10
        while events is not None and time.monotonic() < deadline:
            events += executor.poll()
            if sum(n for kind, n in events if kind == "advance") >= sum(len(r.rows) for r in results):
                break
            time.sleep(0.05)
        return results
    finally:
        executor.close()


@pytest.fixture(scope="module")
def local_results(home, tmp_path_factory):
    store = RunStore(tmp_path_factory.mktemp("exec") / "runs.sqlite")
    run = store.create_run("bench", {"test": True})
    events: list = []
    results = run_all(get_executor("local", workers=2), jobs(run.id, str(store.path)), events)
    return store, run.id, results, events


@pytest.mark.docker
def test_local_pool_workers_write_each_verdict_to_the_store(local_results):
    store, run_id, results, _ = local_results
    assert [r.failed for r in results] == [None, None]
    assert len({r.worker for r in results}) >= 1 and all(r.worker for r in results)
    stored = {row.key: row.payload for _, row in store.results([run_id])}
    expected = {scoped_key("m", CODEGEN, i) for i in range(4)} | {scoped_key("m", PERF_EDIT, i) for i in range(3)}
    assert set(stored) == expected == {row["key"] for r in results for row in r.rows}
    primes = [stored[scoped_key("m", CODEGEN, i)] for i in range(4)]
    assert [p["correct"] for p in primes] == [True, True, True, False]
    assert [round(p["dps_norm"], 2) for p in primes[:3]] == [33.33, 66.67, 100.0]
    assert [p["bench"] for p in primes[:3]] == [{"tokens": 0}, {"tokens": 1}, {"tokens": 2}]  # costs ride along
    edits = [stored[scoped_key("m", PERF_EDIT, i)] for i in range(3)]
    assert edits[0]["speedup"] == 1.0 and edits[1]["speedup"] > 10 and edits[2]["correct"] is False


@pytest.mark.docker
def test_local_pool_streams_progress_per_sample(local_results):
    _, _, results, events = local_results
    advanced = sum(n for kind, n in events if kind == "advance")
    assert advanced == sum(len(r.rows) for r in results) == 7


@pytest.mark.docker
def test_run_job_refuses_a_task_that_changed(home):
    job = jobs("r", None)[0].model_copy(update={"task_hash": "0" * 64})
    result = run_job(job)
    assert result.rows == [] and "differs from the driver's" in result.failed


@pytest.mark.docker
@pytest.mark.skipif(not HAS_RAY, reason="ray is not installed (the test extra installs it)")
def test_ray_gives_the_same_verdicts_as_the_local_pool(local_results):
    _, run_id, local, _ = local_results
    executor = get_executor("ray", workers=2)  # a local Ray instance: 2 CPUs, small object store, shut down after
    try:
        import ray

        assert ray.is_initialized() and ray.cluster_resources().get("CPU") == 2
    finally:
        results = run_all(executor, jobs(run_id, None))
    import ray

    assert not ray.is_initialized()  # stopped with the executor
    assert [r.failed for r in results] == [None, None]
    ray_rows = normalized([row for r in results for row in r.rows])
    local_rows = normalized([row for r in local for row in r.rows])
    assert ray_rows == local_rows and len(ray_rows) == 7
    assert all(r.worker != local[0].worker for r in results)  # other processes did the work
