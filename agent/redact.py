"""Keep secrets out of logs, exception text and cache keys.

Provider SDKs read API keys from the environment; perfforge never stores them.  What
it prints about a call goes through :func:`scrub` first, and the API base it records
goes through :func:`public_url`.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

# Environment variables whose values are treated as secrets wherever they appear.
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)", re.IGNORECASE)
_MIN_SECRET_LEN = 6  # shorter values ("1", "true") would scrub ordinary words
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),  # OpenAI / Anthropic style keys
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{6,}"),
    re.compile(r"(?i)\b((?:api[_-]?key|access[_-]?token|token|key|secret)=)[^&\s'\"]+"),
)
MASK = "***"


def _secret_values() -> list[str]:
    values = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)  # longest first: a key containing another is masked whole


def scrub(text: str) -> str:
    """``text`` with secret-looking values (and every secret env var's value) replaced by ``***``."""
    for value in _secret_values():
        text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + (" " if not m.group(1).endswith("=") else "") + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text


def public_url(url: str | None) -> str | None:
    """``url`` without user info and query string (where credentials sometimes travel)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def is_loopback(url: str | None) -> bool:
    """True for an API base on this machine (a local server that needs no key)."""
    if not url:
        return False
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")
