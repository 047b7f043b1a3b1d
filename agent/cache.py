"""The response cache: a rerun replays the model's earlier replies instead of paying again.

One SQLite file (default ``<perfforge home>/cache/replies.sqlite``) maps a request key
to the stored reply (JSON).  The key hashes what decides the reply: the model string,
the API base without credentials, the messages and the generation parameters
(temperature, max_tokens, seed, ...), plus the sample index, so that n samples of one
prompt are n entries.  API keys never enter the key or the stored reply.

The file is opened in WAL mode with a busy timeout, and each operation uses its own
short connection, so several processes (benchmark workers) share it safely; the
first reply stored for a key wins.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from perfforge import paths
from perfforge.errors import ConfigError

from agent.redact import public_url

# Bump when the key recipe or the stored reply format changes: old entries are then ignored.
CACHE_VERSION = 1
# Parameters that steer the transport, not the reply: left out of the key.
_NOT_IN_KEY = frozenset({"timeout", "stream", "request_timeout"})
_BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    reply TEXT NOT NULL
)
"""


def default_path() -> Path:
    return paths.sub("cache") / "replies.sqlite"


def cache_key(*, model: str, api_base: str | None, messages: list[dict[str, Any]], params: dict[str, Any], sample: int = 0) -> str:
    """Hex digest identifying a request; equal requests (same sample index) share a key."""
    material = {
        "v": CACHE_VERSION,
        "model": model,
        "api_base": public_url(api_base),
        "messages": messages,
        "params": {k: v for k, v in params.items() if k not in _NOT_IN_KEY},
        "sample": sample,
    }
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ReplyCache:
    """Stored replies by key.  ``get`` and ``put`` may be called from many threads and processes."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the response cache {self.path}: {exc}",
                "pass another cache path, or disable the cache",
            ) from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
        return conn

    def get(self, key: str) -> dict[str, Any] | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, model: str, reply: dict[str, Any]) -> None:
        """Store ``reply`` unless the key already holds one (the first reply stays the replayed one)."""
        blob = json.dumps(reply, sort_keys=True, ensure_ascii=False)
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "INSERT OR IGNORE INTO replies (key, model, created, reply) VALUES (?, ?, ?, ?)",
                (key, model, time.time(), blob),
            )

    def __len__(self) -> int:
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def clear(self) -> int:
        """Forget every stored reply; returns how many there were."""
        with closing(self._connect()) as conn, conn:
            return conn.execute("DELETE FROM replies").rowcount
