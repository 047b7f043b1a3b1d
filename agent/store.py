"""The run store: one SQLite file holding every run, its journal, its candidates and its spending.

Everything is written as it happens, never only at the end:

- ``runs``      one row per run (optimize, bench, ci, evaluate), its config and status;
- ``journal``   completed steps keyed by a deterministic name (``iter-3/reply``,
                ``cand-ab12/verdict``): a resumed run replays them instead of
                repeating a paid call or a measurement;
- ``ledger``    every model call: tokens, dollars, whether it was replayed;
- ``results``   one row per evaluated sample/candidate, the unit reports are built from;
- ``elapsed``   the wall-clock seconds a run has worked so far, over all its sessions
                (a resumed run's time budget goes on from there);
- ``lease``     which process works on a run now (:mod:`agent.lease`): a second
                ``--resume`` of a run that is being worked on is refused.

The file is opened in WAL mode with a busy timeout so that worker processes of one
benchmark run may write to it at the same time.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from perfforge import paths
from perfforge.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

RUN_STATUSES = ("running", "done", "failed", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS journal (
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created REAL NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS ledger (
    run_id TEXT NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    created REAL NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd REAL,
    replayed INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    purpose TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    created REAL NOT NULL,
    suite TEXT NOT NULL,
    task_id TEXT NOT NULL,
    model TEXT NOT NULL,
    sample INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS elapsed (
    run_id TEXT PRIMARY KEY,
    seconds REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lease (
    run_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    holder TEXT NOT NULL,
    taken REAL NOT NULL,
    heartbeat REAL NOT NULL
);
"""


class RunRecord(BaseModel):
    id: str
    kind: str
    created: float
    updated: float
    status: str
    config: dict[str, Any]
    note: str = ""


class LedgerEntry(BaseModel):
    """One model call as paid for (or replayed from the cache / journal)."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    replayed: bool = False
    latency_s: float = 0.0
    purpose: str = ""


class Spend(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = Field(True, description="False when some call's cost was unknown")

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ResultRow(BaseModel):
    """One evaluated sample or candidate; ``payload`` holds the verdict and its figures."""

    key: str
    suite: str = ""
    task_id: str
    model: str = ""
    sample: int = 0
    payload: dict[str, Any]


def default_path() -> Path:
    return paths.home() / "runs.sqlite"


class RunStore:
    """A handle on one run-store file.  Cheap to open; safe to share across processes."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=60000")
            yield db
        finally:
            db.close()

    # -- runs ---------------------------------------------------------------------------

    def create_run(self, kind: str, config: dict[str, Any], run_id: str | None = None) -> RunRecord:
        now = time.time()
        rid = run_id or f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs (id, kind, created, updated, status, config) VALUES (?,?,?,?,?,?)",
                (rid, kind, now, now, "running", json.dumps(config, sort_keys=True, default=str)),
            )
        return self.get_run(rid)

    def get_run(self, run_id: str) -> RunRecord:
        with self._connect() as db:
            row = db.execute(
                "SELECT id, kind, created, updated, status, config, note FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        if row is None:
            known = [r.id for r in self.list_runs(limit=5)]
            hint = f"recent runs: {', '.join(known)}" if known else "this store has no runs yet"
            raise ConfigError(f"unknown run id {run_id!r} in {self.path}", hint=hint)
        return RunRecord(
            id=row[0], kind=row[1], created=row[2], updated=row[3], status=row[4], config=json.loads(row[5]), note=row[6]
        )

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]:
        query = "SELECT id, kind, created, updated, status, config, note FROM runs"
        args: tuple[Any, ...] = ()
        if kind:
            query += " WHERE kind = ?"
            args = (kind,)
        query += " ORDER BY created DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(query, (*args, limit)).fetchall()
        return [
            RunRecord(id=r[0], kind=r[1], created=r[2], updated=r[3], status=r[4], config=json.loads(r[5]), note=r[6])
            for r in rows
        ]

    def set_status(self, run_id: str, status: str, note: str = "") -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        with self._connect() as db:
            db.execute("UPDATE runs SET status = ?, note = ?, updated = ? WHERE id = ?", (status, note, time.time(), run_id))

    # -- journal ------------------------------------------------------------------------

    def record(self, run_id: str, key: str, payload: BaseModel | dict[str, Any]) -> None:
        """Store a completed step.  Recording the same key twice keeps the first (a replay)."""
        text = payload.model_dump_json() if isinstance(payload, BaseModel) else json.dumps(payload, default=str)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE run_id = ?", (run_id,)).fetchone()[0]
            db.execute(
                "INSERT OR IGNORE INTO journal (run_id, key, seq, created, payload) VALUES (?,?,?,?,?)",
                (run_id, key, seq, time.time(), text),
            )
            db.execute("UPDATE runs SET updated = ? WHERE id = ?", (time.time(), run_id))
            db.execute("COMMIT")

    def lookup(self, run_id: str, key: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT payload FROM journal WHERE run_id = ? AND key = ?", (run_id, key)).fetchone()
        return None if row is None else json.loads(row[0])

    def journal(self, run_id: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """The run's steps in the order they completed (optionally those whose key starts with prefix)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, payload FROM journal WHERE run_id = ? AND key LIKE ? ESCAPE '\\' ORDER BY seq",
                (run_id, _like_prefix(prefix)),
            ).fetchall()
        return [(k, json.loads(p)) for k, p in rows]

    def step(self, run_id: str, key: str, produce: Callable[[], M], model: type[M]) -> tuple[M, bool]:
        """Return the journaled result of ``key`` if there is one, else produce, record and return it.

        The second value says whether it was replayed.  This is what makes ``--resume``
        lose nothing and repeat no paid call: every costly step goes through here.
        """
        stored = self.lookup(run_id, key)
        if stored is not None:
            return model.model_validate(stored), True
        value = produce()
        self.record(run_id, key, value)
        return value, False

    # -- wall time ----------------------------------------------------------------------

    def set_elapsed(self, run_id: str, seconds: float) -> None:
        """The run has worked ``seconds`` in all (its sessions together) so far."""
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO elapsed (run_id, seconds, updated) VALUES (?,?,?)",
                       (run_id, float(seconds), time.time()))

    def elapsed(self, run_id: str) -> float:
        """The seconds the run worked in its earlier sessions (0 for a new run)."""
        with self._connect() as db:
            row = db.execute("SELECT seconds FROM elapsed WHERE run_id = ?", (run_id,)).fetchone()
        return float(row[0]) if row else 0.0

    # -- lease (the policy is in agent.lease) --------------------------------------------

    def lease(self, run_id: str) -> AbstractContextManager[None]:
        """Hold the run for this process while the ``with`` block runs (:func:`agent.lease.hold`);
        raises :class:`agent.lease.RunInUse` naming the process that holds it now."""
        from agent.lease import hold

        return hold(self, run_id)

    def take_lease(self, run_id: str, token: str, holder: dict[str, Any],
                   stale: Callable[[dict[str, Any], float], bool]) -> tuple[dict[str, Any], float] | None:
        """Take the run's lease atomically unless a holder that is not ``stale`` has it; return
        that holder (and its heartbeat time) then, else None."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT holder, taken, heartbeat FROM lease WHERE run_id = ?", (run_id,)).fetchone()
                if row is not None:
                    current = {**json.loads(row[0]), "taken": row[1]}
                    if not stale(current, row[2]):
                        db.execute("ROLLBACK")
                        return current, row[2]
                now = time.time()
                db.execute("INSERT OR REPLACE INTO lease (run_id, token, holder, taken, heartbeat) VALUES (?,?,?,?,?)",
                           (run_id, token, json.dumps(holder, sort_keys=True), now, now))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return None

    def beat_lease(self, run_id: str, token: str) -> bool:
        """Refresh the heartbeat of the lease ``token`` took; False when it is no longer ours."""
        with self._connect() as db:
            changed = db.execute("UPDATE lease SET heartbeat = ? WHERE run_id = ? AND token = ?",
                                 (time.time(), run_id, token)).rowcount
        return changed == 1

    def release_lease(self, run_id: str, token: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM lease WHERE run_id = ? AND token = ?", (run_id, token))

    # -- ledger -------------------------------------------------------------------------

    def charge(self, run_id: str, entry: LedgerEntry) -> None:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger WHERE run_id = ?", (run_id,)).fetchone()[0]
            db.execute(
                "INSERT INTO ledger (run_id, seq, created, model, prompt_tokens, completion_tokens, cost_usd,"
                " replayed, latency_s, purpose) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    seq,
                    time.time(),
                    entry.model,
                    entry.prompt_tokens,
                    entry.completion_tokens,
                    entry.cost_usd,
                    int(entry.replayed),
                    entry.latency_s,
                    entry.purpose,
                ),
            )
            db.execute("COMMIT")

    def spent(self, run_id: str, *, include_replayed: bool = False) -> Spend:
        """What the run has paid for (replayed calls cost nothing the second time)."""
        where = "run_id = ?" + ("" if include_replayed else " AND replayed = 0")
        with self._connect() as db:
            row = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(prompt_tokens),0), COALESCE(SUM(completion_tokens),0),"
                f" COALESCE(SUM(cost_usd),0), SUM(cost_usd IS NULL) FROM ledger WHERE {where}",
                (run_id,),
            ).fetchone()
        return Spend(
            calls=row[0], prompt_tokens=row[1], completion_tokens=row[2], cost_usd=row[3], cost_known=not row[4]
        )

    def ledger(self, run_id: str) -> list[LedgerEntry]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT model, prompt_tokens, completion_tokens, cost_usd, replayed, latency_s, purpose"
                " FROM ledger WHERE run_id = ? ORDER BY seq",
                (run_id,),
            ).fetchall()
        return [
            LedgerEntry(
                model=r[0], prompt_tokens=r[1], completion_tokens=r[2], cost_usd=r[3], replayed=bool(r[4]),
                latency_s=r[5], purpose=r[6],
            )
            for r in rows
        ]

    # -- results ------------------------------------------------------------------------

    def add_result(self, run_id: str, row: ResultRow) -> None:
        """Store one evaluated sample; the same key twice keeps the first (resume is idempotent)."""
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO results (run_id, key, created, suite, task_id, model, sample, payload)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (run_id, row.key, time.time(), row.suite, row.task_id, row.model, row.sample,
                 json.dumps(row.payload, default=str)),
            )

    def has_result(self, run_id: str, key: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM results WHERE run_id = ? AND key = ?", (run_id, key)).fetchone() is not None

    def results(self, run_ids: list[str]) -> list[tuple[str, ResultRow]]:
        """Rows of several runs, in the order they were written, each with its run id."""
        for rid in run_ids:
            self.get_run(rid)  # unknown ids are an error, not an empty report
        marks = ",".join("?" for _ in run_ids)
        with self._connect() as db:
            rows = db.execute(
                f"SELECT run_id, key, suite, task_id, model, sample, payload FROM results"
                f" WHERE run_id IN ({marks}) ORDER BY created, rowid",
                run_ids,
            ).fetchall()
        return [
            (r[0], ResultRow(key=r[1], suite=r[2], task_id=r[3], model=r[4], sample=r[5], payload=json.loads(r[6])))
            for r in rows
        ]

    def results_frame(self, run_ids: list[str]):  # -> pandas.DataFrame
        """The results as a flat table (payload fields become columns), for reports and export."""
        import pandas as pd

        records = []
        for rid, row in self.results(run_ids):
            flat = {"run_id": rid, "suite": row.suite, "task_id": row.task_id, "model": row.model, "sample": row.sample}
            flat.update(_flatten(row.payload))
            records.append(flat)
        return pd.DataFrame.from_records(records)


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _flatten(payload: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, (list, tuple)):
            out[name] = json.dumps(value, default=str)
        else:
            out[name] = value
    return out
