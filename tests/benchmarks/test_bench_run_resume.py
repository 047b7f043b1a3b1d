"""A ``bench run`` killed mid-run (SIGKILL to its whole process group: driver and pool
workers) and resumed reports what an uninterrupted run reports, and repeats no model call
that was journaled before the crash."""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from agent.store import RunStore
from agent.testing.scripted_server import ScriptedServer
from tests.benchmarks.bench_run_support import Home, kill_tree, perfforge, run_args, script, shared_home

pytestmark = pytest.mark.docker

SAMPLES = 3 * 2 * 2
GEN_THREADS = 2  # one worker: the run asks with two threads, so at most two calls are in flight at a crash
# measured seconds (and the energy estimated from them) differ between any two runs
MEASURED = ("run_id", "wall_s", "energy_j", "wall_s_per_task", "energy_j_per_task")


@pytest.fixture(scope="module")
def home():
    with Home() as path:
        yield path


def start(args: list[str]) -> subprocess.Popen:
    import os
    import sys

    script_path = Path(sys.executable).with_name("perfforge")
    return subprocess.Popen([str(script_path), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PERFFORGE_HOME": str(shared_home())}, start_new_session=True)


def wait_for(predicate, timeout_s: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before it was killed: {proc.communicate()}")
        time.sleep(0.1)
    raise AssertionError("the run made no progress in time")


def report_table(store_path: Path, run_id: str, level: str) -> pd.DataFrame:
    result = perfforge(["bench", "report", run_id, "--store", str(store_path), "--format", "csv", "--level", level])
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    return table.drop(columns=[c for c in MEASURED if c in table.columns]).sort_values(
        ["suite", "kind", "model"] + (["task_id"] if level == "tasks" else [])).reset_index(drop=True)


@pytest.fixture(scope="module")
def crashed_and_resumed(home, tmp_path_factory):
    store_path = tmp_path_factory.mktemp("crash") / "runs.sqlite"
    store = RunStore(store_path)
    # the wrong model answers slowly: the run is still going when the first verdicts are stored
    with ScriptedServer(script(delays={"wrong": 3.0}), lifetime_s=900) as server:
        proc = start(run_args(server.url, store_path, extra=("--quiet",)))
        try:
            wait_for(lambda: any(r.kind == "bench" for r in store.list_runs()), 120, proc)
            run_id = next(r.id for r in store.list_runs() if r.kind == "bench")
            wait_for(lambda: len(store.results([run_id])) >= 3, 400, proc)
        finally:
            kill_tree(proc)  # the crash: driver and workers at once, no cleanup
        time.sleep(1.0)
        stored_before = len(store.results([run_id]))
        journaled_before = len(store.journal(run_id, "gen/"))
        asked_before = len(server.chat_requests)
        status_before = store.get_run(run_id).status
        resumed = perfforge(["bench", "run", "--resume", run_id, "--store", str(store_path), "--json", "--quiet"],
                            timeout=600)
        asked_on_resume = len(server.chat_requests) - asked_before
    with ScriptedServer(script(), lifetime_s=900) as fresh:
        straight = perfforge(run_args(fresh.url, store_path, extra=("--quiet",)), timeout=600)
    return dict(store=store, store_path=store_path, run_id=run_id, stored_before=stored_before,
                journaled_before=journaled_before, asked_before=asked_before, status_before=status_before,
                resumed=resumed, asked_on_resume=asked_on_resume, straight=straight)


def test_the_run_was_killed_mid_way(crashed_and_resumed):
    c = crashed_and_resumed
    assert 3 <= c["stored_before"] < SAMPLES
    assert c["status_before"] == "running"  # killed: it never had the chance to say otherwise


def test_resume_finishes_the_run_without_repeating_journaled_calls(crashed_and_resumed):
    c = crashed_and_resumed
    assert c["resumed"].returncode == 0, c["resumed"].stderr
    out = json.loads(c["resumed"].stdout)
    assert out["run_id"] == c["run_id"] and out["outcome"]["resumed"] == c["stored_before"]
    assert out["outcome"]["written"] == SAMPLES - c["stored_before"]
    assert len(c["store"].results([c["run_id"]])) == SAMPLES
    assert c["store"].get_run(c["run_id"]).status == "done"
    # every reply journaled before the crash is replayed; at most the calls in flight at the crash are asked again
    assert c["asked_on_resume"] <= SAMPLES - c["journaled_before"]
    assert c["asked_before"] + c["asked_on_resume"] <= SAMPLES + GEN_THREADS


def test_resumed_run_reports_what_an_uninterrupted_run_reports(crashed_and_resumed):
    c = crashed_and_resumed
    assert c["straight"].returncode == 0, c["straight"].stderr
    other = json.loads(c["straight"].stdout)["run_id"]
    for level in ("leaderboard", "tasks"):
        resumed, straight = report_table(c["store_path"], c["run_id"], level), report_table(c["store_path"], other, level)
        assert len(resumed) == 6  # two boards (or tasks) x three models
        pd.testing.assert_frame_equal(resumed, straight)
