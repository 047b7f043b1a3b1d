"""The SQLite response cache: keys, first-writer-wins, several processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3

from agent.cache import ReplyCache, cache_key

MESSAGES = [{"role": "user", "content": "Speed up f."}]


def key(**changes) -> str:
    fields = {"model": "openai/gpt-4o", "api_base": None, "messages": MESSAGES, "params": {"temperature": 0.0}, "sample": 0}
    fields.update(changes)
    return cache_key(**fields)


def test_key_depends_on_what_decides_the_reply_and_nothing_else():
    base = key()
    assert key() == base
    assert key(params={"temperature": 0.0, "timeout": 30}) == base  # transport only
    assert key(model="openai/gpt-4o-mini") != base
    assert key(messages=[{"role": "user", "content": "Speed up g."}]) != base
    assert key(params={"temperature": 0.5}) != base
    assert key(params={"temperature": 0.0, "max_tokens": 10}) != base
    assert key(params={"temperature": 0.0, "seed": 1}) != base
    assert key(sample=1) != base
    assert key(api_base="http://127.0.0.1:8080/v1") != base


def test_credentials_in_the_api_base_do_not_enter_the_key():
    plain = key(api_base="https://proxy.example/v1")
    assert key(api_base="https://user:secret-pass@proxy.example/v1/?api_key=sk-123456789") == plain


def test_first_reply_stored_wins_and_clear(tmp_path):
    cache = ReplyCache(tmp_path / "c.sqlite")
    cache.put("k", "m", {"text": "first"})
    cache.put("k", "m", {"text": "second"})
    assert cache.get("k") == {"text": "first"} and cache.get("other") is None and len(cache) == 1
    assert cache.clear() == 1 and len(cache) == 0


def test_wal_mode(tmp_path):
    ReplyCache(tmp_path / "c.sqlite")
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(path: str, worker: int, count: int) -> None:
    cache = ReplyCache(path)
    for i in range(count):
        cache.put(f"shared-{i}", "m", {"text": f"worker {worker}"})  # every worker races on these keys
        cache.put(f"own-{worker}-{i}", "m", {"text": str(i)})
        assert cache.get(f"own-{worker}-{i}") == {"text": str(i)}


def test_several_processes_share_one_cache(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    ReplyCache(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 40)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    cache = ReplyCache(path)
    assert len(cache) == 40 + 4 * 40
    assert all(cache.get(f"shared-{i}")["text"].startswith("worker ") for i in range(40))
