"""The run store: journal replay, ledger sums, results, concurrent writers, unknown ids."""

from __future__ import annotations

import multiprocessing

import pytest
from pydantic import BaseModel

from agent.store import LedgerEntry, ResultRow, RunStore
from perfforge.errors import ConfigError


class Figure(BaseModel):
    value: int


def test_step_produces_once_then_replays(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("optimize", {"target": "x.py"})
    calls = []

    def produce() -> Figure:
        calls.append(1)
        return Figure(value=41 + len(calls))

    first, replayed_first = store.step(run.id, "iter-1/reply", produce, Figure)
    # a second handle on the same file, as after a crash and --resume
    again, replayed_again = RunStore(store.path).step(run.id, "iter-1/reply", produce, Figure)
    assert (first.value, replayed_first) == (42, False)
    assert (again.value, replayed_again) == (42, True)
    assert len(calls) == 1
    assert [k for k, _ in store.journal(run.id)] == ["iter-1/reply"]


def test_journal_prefix_is_literal(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("bench", {})
    store.record(run.id, "a_1/x", {"v": 1})
    store.record(run.id, "ab1/x", {"v": 2})
    assert [k for k, _ in store.journal(run.id, prefix="a_")] == ["a_1/x"]


def test_ledger_counts_paid_calls_and_unknown_costs(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("optimize", {})
    store.charge(run.id, LedgerEntry(model="m", prompt_tokens=100, completion_tokens=20, cost_usd=0.01))
    store.charge(run.id, LedgerEntry(model="m", prompt_tokens=100, completion_tokens=20, cost_usd=0.01, replayed=True))
    store.charge(run.id, LedgerEntry(model="local", prompt_tokens=5, completion_tokens=5, cost_usd=None))
    paid = store.spent(run.id)
    assert (paid.calls, paid.tokens, round(paid.cost_usd, 6), paid.cost_known) == (2, 130, 0.01, False)
    assert store.spent(run.id, include_replayed=True).calls == 3


def test_unknown_run_id_names_recent_runs(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("bench", {})
    with pytest.raises(ConfigError) as err:
        store.get_run("nope")
    assert "nope" in err.value.message and run.id in (err.value.hint or "")


def test_results_are_idempotent_and_flatten(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("bench", {})
    row = ResultRow(key="t1/m/0", suite="s", task_id="t1", model="m", payload={"correct": True, "time": {"speedup": 2.0}})
    store.add_result(run.id, row)
    store.add_result(run.id, row.model_copy(update={"payload": {"correct": False}}))
    frame = store.results_frame([run.id])
    assert len(frame) == 1
    assert bool(frame.loc[0, "correct"]) is True and frame.loc[0, "time.speedup"] == 2.0
    with pytest.raises(ConfigError):
        store.results([run.id, "missing"])


def _writer(path: str, run_id: str, worker: int) -> None:
    store = RunStore(path)
    for i in range(50):
        store.record(run_id, f"w{worker}/{i}", {"i": i})
        store.charge(run_id, LedgerEntry(model=f"w{worker}", prompt_tokens=1))


def test_concurrent_writers_lose_nothing(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("bench", {})
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(store.path), run.id, w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert len(store.journal(run.id)) == 150
    assert store.spent(run.id).calls == 150
    assert sorted({e.model for e in store.ledger(run.id)}) == ["w0", "w1", "w2"]
