"""``perfforge bench run`` end to end: scripted models on 127.0.0.1, the real sandbox and
valgrind, the leaderboard's order and figures derived from what each model answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.store import RunStore
from agent.testing.scripted_server import ScriptedServer, Step, count_tokens
from benchmarks.run.jobs import scoped_key
from benchmarks.run.produce import NO_CODE
from tests.benchmarks.bench_run_support import (CODEGEN, PERF_EDIT, PRICE, Home, answers, invoke, run_args, script,
                                                source)

pytestmark = pytest.mark.docker

MODELS = ("openai/fast", "openai/slow", "openai/wrong")


@pytest.fixture(scope="module")
def home():
    with Home() as path:
        yield path


@pytest.fixture(scope="module")
def finished(home, tmp_path_factory):
    """One run: three models x two tasks x two samples, and what the server saw."""
    store_path = tmp_path_factory.mktemp("bench-run") / "runs.sqlite"
    with ScriptedServer(script(), lifetime_s=900) as server:
        result = invoke(run_args(server.url, store_path, extra=("--quiet",)))
        requests = server.chat_requests
        resumed = invoke(["bench", "run", "--resume", json.loads(result.stdout)["run_id"], "--store", str(store_path),
                          "--json"]) if result.exit_code == 0 else None
        requests_after_resume = server.chat_requests
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout), RunStore(store_path), requests, resumed, requests_after_resume


def board(report, kind):
    return next(b for b in report["boards"] if b["kind"] == kind)


def entry(b, model):
    return next(e for e in b["entries"] if e["model"] == model)


def rows(store, run_id):
    return {row.key: row.payload for _, row in store.results([run_id])}


def test_every_sample_is_asked_once_and_stored_with_its_costs(finished):
    out, store, requests, _, _ = finished
    assert len(requests) == 3 * 2 * 2  # models x tasks x samples: nothing asked twice
    assert sorted({r.model for r in requests}) == ["fast", "slow", "wrong"]
    stored = rows(store, out["run_id"])
    expected = {scoped_key(m, t, i) for m in MODELS for t in (CODEGEN, PERF_EDIT) for i in range(2)}
    assert set(stored) == expected
    for payload in stored.values():
        bench = payload["bench"]
        assert bench["mode"] == "codegen" and bench["calls"] == 1
        assert bench["tokens"] == bench["prompt_tokens"] + bench["completion_tokens"] > 0
        assert bench["cost_usd"] == pytest.approx((bench["prompt_tokens"] * PRICE[0]
                                                   + bench["completion_tokens"] * PRICE[1]) / 1e6)
    no_code = stored[scoped_key("openai/wrong", PERF_EDIT, 0)]
    assert no_code["correct"] is False and no_code["error"] == NO_CODE
    assert out["outcome"]["written"] == 12 and not out["outcome"]["failed_tasks"]
    assert store.get_run(out["run_id"]).status == "done"


def test_codegen_leaderboard_follows_the_scripted_answers(finished):
    out, store, _, _, _ = finished
    b = board(out["report"], "codegen")
    assert [e["model"] for e in b["entries"]] == list(MODELS)  # ranked by DPS_norm
    fast, slow, wrong = (entry(b, m) for m in MODELS)
    refs = rows(store, out["run_id"])[scoped_key("openai/fast", CODEGEN, 0)]["references"]
    naive, sieve = refs["trial division by every smaller number"], refs["sieve of Eratosthenes"]
    assert (fast["pass_at_1"], fast["dps_norm"], fast["dps"]) == (100.0, 100.0, 100.0)
    assert fast["speedup"] == 1.0  # the fastest reference itself: the very same count
    assert slow["pass_at_1"] == 100.0 and slow["dps_norm"] == pytest.approx(100 / 3)
    assert slow["speedup"] == pytest.approx(sieve / naive)
    assert (wrong["pass_at_1"], wrong["dps_norm"], wrong["speedup"]) == (0.0, 0.0, None)
    assert [e["efficient_at_1"] for e in b["entries"]] == [0.0, 0.0, 0.0]  # none beats the best reference


def test_perf_edit_leaderboard_follows_the_scripted_answers(finished):
    out, store, _, _, _ = finished
    b = board(out["report"], "perf-edit")
    assert [e["model"] for e in b["entries"]] == list(MODELS)  # ranked by fast_1, then speedup
    fast, slow, wrong = (entry(b, m) for m in MODELS)
    row = rows(store, out["run_id"])[scoped_key("openai/fast", PERF_EDIT, 0)]
    assert fast["speedup"] == pytest.approx(row["baseline_instructions"] / row["references"]["linear"])
    assert fast["speedup"] > 10
    assert (fast["pct_opt"], fast["fast_p"]["1"], fast["fast_p"]["0"]) == (100.0, 100.0, 100.0)
    assert slow["speedup"] == 1.0 and slow["pct_opt"] == 0.0 and slow["fast_p"]["1"] == 0.0  # the original itself
    assert slow["fast_p"]["0"] == 100.0  # fast_0 is the correctness rate
    assert (wrong["pass_at_1"], wrong["pct_opt"], wrong["fast_p"]["0"], wrong["speedup"]) == (0.0, 0.0, 0.0, None)


def test_costs_per_task_are_the_tokens_the_server_counted(finished):
    out, _, requests, _, _ = finished
    replies = answers()
    for model in ("fast", "slow", "wrong"):
        mine = [r for r in requests if r.model == model]
        prompt = sum(sum(count_tokens(m["content"]) + 4 for m in r.messages) + 3 for r in mine)
        completion = sum(count_tokens(replies[model][CODEGEN if "Count the primes" in r.last_user else PERF_EDIT])
                         for r in mine)
        entries = [entry(b, f"openai/{model}") for b in out["report"]["boards"]]
        assert sum(e["tokens_per_task"] for e in entries) == prompt + completion  # one task per board
        assert sum(e["cost_usd_per_task"] for e in entries) == pytest.approx((prompt * PRICE[0] + completion * PRICE[1]) / 1e6)
        assert all(e["wall_s_per_task"] > 0 and e["energy_j_per_task"] >= 0 for e in entries)


def test_resuming_a_finished_run_asks_nothing_and_reports_the_same(finished):
    out, _, requests, resumed, after = finished
    assert resumed is not None and resumed.exit_code == 0, resumed.stdout if resumed else None
    again = json.loads(resumed.stdout)
    assert len(after) == len(requests)  # no model call repeated
    assert again["outcome"]["resumed"] == 12 and again["outcome"]["written"] == 0
    assert again["report"]["boards"] == out["report"]["boards"]


def test_bench_evaluate_runs_appear_in_the_same_report(finished, tmp_path):
    from benchmarks import suites
    from benchmarks.evaluate import EvalTask, Evaluation, references_as_samples

    out, store, _, _, _ = finished
    items = [EvalTask(suites.resolve_task(t), "examples") for t in (CODEGEN, PERF_EDIT)]
    run = store.create_run("evaluate", {"command": "bench evaluate", "model": "references"})
    Evaluation(tasks=items, samples=references_as_samples(items), store=store, run_id=run.id, format="suite",
               model="references").run()
    result = invoke(["bench", "report", out["run_id"], run.id, "--store", str(store.path), "--json"])
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    codegen = board(report, "codegen")
    assert [e["model"] for e in codegen["entries"]] == ["openai/fast", "references", "openai/slow", "openai/wrong"]
    assert entry(codegen, "references")["dps_norm"] == pytest.approx(200 / 3)  # its three levels: 33, 67, 100
    assert entry(board(report, "perf-edit"), "references")["pass_at_1"] == 100.0
    text = invoke(["bench", "report", out["run_id"], run.id, "--store", str(store.path)])
    assert "references" in text.stdout and "openai/fast" in text.stdout and "DPS_norm" in text.stdout
    csv = tmp_path / "board.csv"
    assert invoke(["bench", "report", out["run_id"], run.id, "--store", str(store.path), "--format", "csv",
                   "--out", str(csv)]).exit_code == 0
    import pandas as pd

    table = pd.read_csv(csv)
    assert len(table) == 8 and {"pass_at_1", "dps_norm", "speedup", "fast_1", "cost_usd_per_task"} <= set(table.columns)
    parquet = tmp_path / "samples.parquet"
    assert invoke(["bench", "report", out["run_id"], "--store", str(store.path), "--format", "parquet", "--level",
                   "samples", "--out", str(parquet)]).exit_code == 0
    samples = pd.read_parquet(parquet)
    assert len(samples) == 12 and {"correct", "instructions", "bench.tokens"} <= set(samples.columns)


def test_optimize_mode_evaluates_the_agents_best_candidate(home, tmp_path):
    store_path = tmp_path / "runs.sqlite"
    faster = source(PERF_EDIT, "reference_set.py")
    steps = {"agent": [Step(reply=f"Use a set.\n\n```python\n{faster}```\n", repeat=True)]}
    with ScriptedServer(steps, lifetime_s=600) as server:
        result = invoke(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/agent", "--api-base", server.url,
                         "--mode", "optimize", "--iterations", "1", "--store", str(store_path), "--json", "--quiet"])
        asked = len(server.chat_requests)
    assert result.exit_code == 0, (result.stdout, result.exception)
    out = json.loads(result.stdout)
    (payload,) = rows(RunStore(store_path), out["run_id"]).values()
    assert payload["correct"] and payload["bench"]["mode"] == "optimize" and payload["bench"]["accepted"]
    assert payload["bench"]["calls"] == asked == 1 and payload["bench"]["tokens"] > 0
    assert payload["speedup"] == pytest.approx(payload["baseline_instructions"] / payload["references"]["linear"])
    agent_run = RunStore(store_path).get_run(payload["bench"]["agent_run"])
    assert agent_run.kind == "optimize" and agent_run.status == "done"
    e = board(out["report"], "perf-edit")["entries"][0]
    assert e["pct_opt"] == 100.0 and e["speedup"] > 10


def test_run_config_is_stored_with_the_run(finished):
    out, store, _, _, _ = finished
    config = store.get_run(out["run_id"]).config
    assert config["models"] == list(MODELS) and config["samples"] == 2 and config["mode"] == "codegen"
    assert [t["id"] for t in config["tasks"]] == [CODEGEN, PERF_EDIT]
    assert config["fingerprint"]["id"] and Path(store.path).is_file()


def test_a_dollar_budget_stops_asking_and_keeps_what_was_paid_for(home, tmp_path):
    store_path = tmp_path / "runs.sqlite"
    cap = 3.0
    with ScriptedServer(script(("fast",)), lifetime_s=600) as server:
        result = invoke(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/fast", "--api-base", server.url,
                         "--price", "openai/fast=1000,1000", "--budget-usd", str(cap), "--max-tokens", "64",
                         "--samples", "8", "--store", str(store_path), "--json", "--quiet"])
        asked = len(server.chat_requests)
    assert result.exit_code == 1, (result.stdout, result.exception)  # stopped by the budget: incomplete
    out = json.loads(result.stdout)
    assert out["outcome"]["budget_stop"] and 0 < asked < 8
    assert out["outcome"]["written"] == asked and out["outcome"]["not_generated"] == 8 - asked
    store = RunStore(store_path)
    spent = store.spent(out["run_id"])
    assert spent.calls == asked and 0 < spent.cost_usd <= cap  # never past the cap, calls in flight included
    assert all(p["correct"] for p in rows(store, out["run_id"]).values())  # what was paid for is evaluated
