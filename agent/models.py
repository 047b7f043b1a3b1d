"""Model access: any litellm model string, any OpenAI-compatible API base, one ``Reply`` out.

    model = ChatModel(model="openai/gpt-4o")                       # key from OPENAI_API_KEY
    model = ChatModel(model="openai/scripted", api_base=server.url)  # any OpenAI-compatible server
    reply = model.complete([{"role": "user", "content": "..."}], temperature=0.2, max_tokens=2048)

``complete`` retries what the error table (:mod:`agent.provider_errors`) calls
transient, with exponential backoff and full jitter (``Retry-After`` honoured), and
raises :class:`~perfforge.errors.ModelError` for everything else or when retries run
out.  It never returns a failure disguised as a reply.  Each attempt is bounded by
``timeout_s`` (connect and every read of the HTTP exchange; LLM servers send a
non-streamed reply in one piece once it is generated, so this bounds the attempt).

Replies are cached (:mod:`agent.cache`) unless ``cache=False``: a replay comes back
with ``cached=True``, its original cost kept in ``cost_usd`` and ``spent_usd == 0``.
API keys stay in the environment, read by the provider SDK; what is logged or raised
is scrubbed (:mod:`agent.redact`).  litellm is imported on the first call only.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from perfforge.errors import ConfigError, ModelError

from agent.cache import ReplyCache, cache_key
from agent.provider_errors import Classified, EmptyReply, ModelCallError, classify, is_provider_error
from agent.quirks import Quirks, load_quirks
from agent.redact import is_loopback, public_url, scrub

log = logging.getLogger(__name__)

# Parameters that belong to the model's configuration, never to one call (they may hold secrets).
_CONFIG_ONLY = frozenset({"api_key", "api_base", "base_url", "model", "messages", "timeout", "max_retries", "num_retries"})
# Sent to a loopback server when no key is configured: local servers need none, the SDK insists on one.
_LOCAL_PLACEHOLDER_KEY = "perfforge-local"


class Reply(BaseModel):
    """One model answer and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(None, description="price of the original call; None when the model's price is unknown")
    model: str
    latency_s: float = 0.0
    cached: bool = Field(False, description="replayed from the response cache (no call was made)")
    attempts: int = Field(1, description="HTTP attempts the original call needed")
    finish_reason: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spent_usd(self) -> float | None:
        """What this reply cost now: 0 for a replay, else ``cost_usd``."""
        return 0.0 if self.cached else self.cost_usd

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelConfig(BaseModel):
    """How to reach a model.  Generation parameters in ``params`` are defaults for every call."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(..., min_length=1, description="litellm model string, e.g. openai/gpt-4o, ollama/qwen2.5-coder")
    api_base: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    api_key_env: str | None = Field(None, description="environment variable holding the key (default: the provider's own)")
    timeout_s: float = Field(120.0, gt=0, description="bound on each attempt")
    max_retries: int = Field(4, ge=0, description="retries of transient failures after the first attempt")
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(30.0, ge=0)
    params: dict[str, Any] = Field(default_factory=dict, description="default generation parameters")
    cache: bool = True
    cache_path: Path | None = None
    quirks_path: Path | None = None
    input_usd_per_mtok: float | None = Field(None, ge=0, description="price override (USD per million prompt tokens)")
    output_usd_per_mtok: float | None = Field(None, ge=0, description="price override (USD per million completion tokens)")


class ChatModel:
    """The :class:`perfforge.protocols.Model` for every provider litellm reaches.  Thread-safe."""

    def __init__(self, config: ModelConfig | None = None, **fields: Any) -> None:
        self.config = config.model_copy(update=fields) if config else ModelConfig(**fields)
        bad = _CONFIG_ONLY.intersection(self.config.params)
        if bad:
            raise ConfigError(f"model parameters may not set {', '.join(sorted(bad))}", "use the model configuration fields")
        self.quirks: Quirks = load_quirks(self.config.quirks_path)
        self._cache: ReplyCache | None = ReplyCache(self.config.cache_path) if self.config.cache else None

    @property
    def name(self) -> str:
        return self.config.model

    def __repr__(self) -> str:
        return f"ChatModel(model={self.name!r}, api_base={public_url(self.config.api_base)!r})"

    # -- the protocol ------------------------------------------------------------
    def complete(self, messages: list[dict[str, str]], **params: Any) -> Reply:
        """Ask the model; ``sample`` (int) only tells repeated samples apart in the cache."""
        sample = int(params.pop("sample", 0))
        bad = _CONFIG_ONLY.intersection(params)
        if bad:
            raise ConfigError(f"complete() got configuration parameters {', '.join(sorted(bad))}", "set them on ModelConfig")
        _check_messages(messages)
        params = {**self.config.params, **params}
        key = cache_key(model=self.name, api_base=self.config.api_base, messages=messages, params=params, sample=sample)
        if self._cache is not None:
            stored = self._cache.get(key)
            if stored is not None:
                log.debug("model %s: replayed from the cache (%s)", self.name, key[:12])
                return Reply.model_validate({**stored, "cached": True})
        reply = self._call_with_retries(messages, params)
        if self._cache is not None:
            self._cache.put(key, self.name, reply.model_dump(exclude={"cached", "spent_usd"}))
        return reply

    def check(self) -> None:
        """Fail early, without a network call, on an unknown provider or a missing API key."""
        litellm = _litellm()
        try:
            litellm.get_llm_provider(self.name, api_base=self.config.api_base)
        except Exception as exc:  # litellm raises its BadRequestError for an unknown provider prefix
            raise self._error(classify(exc), attempts=0) from None
        if self.config.api_base and is_loopback(self.config.api_base):
            return
        missing = self._missing_keys()
        if missing:
            raise ModelError(
                f"no API key is set for {self.name}",
                f"export {' or '.join(missing)} (or pass --api-base for a server that needs no key)",
            )

    # -- internals ---------------------------------------------------------------
    def _missing_keys(self) -> list[str]:
        if self.config.api_key_env:
            return [] if os.environ.get(self.config.api_key_env) else [self.config.api_key_env]
        try:
            found = _litellm().validate_environment(model=self.name)
        except Exception:  # litellm cannot tell for this provider: let the call decide
            return []
        return [k for k in found.get("missing_keys", []) if k.endswith("_KEY")]

    def _key_env(self) -> str:
        return self.config.api_key_env or (self._missing_keys() or ["the provider's API key variable"])[0]

    def _call_with_retries(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> Reply:
        sent_messages, sent_params = self.quirks.apply(self.name, messages, params)
        _litellm()  # the first import takes seconds: keep it out of the measured latency
        attempts = self.config.max_retries + 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self._send(sent_messages, sent_params)
                return self._reply(response, time.monotonic() - started, attempt)
            except Exception as exc:
                if not is_provider_error(exc):
                    raise
                failure = classify(exc)
            if not failure.retry or attempt == attempts:
                raise self._error(failure, attempt) from None
            pause = self._backoff(attempt, failure.retry_after)
            log.warning(
                "model %s: %s (%s); retry %d/%d in %.1fs",
                self.name, failure.kind, failure.detail, attempt, attempts - 1, pause,
            )
            time.sleep(pause)
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _send(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> Any:
        litellm = _litellm()
        extra: dict[str, Any] = {}
        if self.config.api_base:
            extra["api_base"] = self.config.api_base
        if self.config.api_key_env and os.environ.get(self.config.api_key_env):
            extra["api_key"] = os.environ[self.config.api_key_env]
        elif is_loopback(self.config.api_base) and self._missing_keys():
            extra["api_key"] = _LOCAL_PLACEHOLDER_KEY
        return litellm.completion(
            model=self.name,
            messages=messages,
            timeout=self.config.timeout_s,
            max_retries=0,  # retries are ours: one table, one backoff, one log line each
            num_retries=0,
            drop_params=True,
            **extra,
            **params,
        )

    def _reply(self, response: Any, latency_s: float, attempts: int) -> Reply:
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        text = getattr(message, "content", None)
        if not isinstance(text, str) or not text.strip():
            raise EmptyReply("the reply holds no text")
        usage = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        # Without a usage report the price cannot be known; 0 tokens would pretend it was free.
        cost = self._cost(prompt_tokens, completion_tokens) if prompt_tokens or completion_tokens else None
        return Reply(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost,
            model=self.name,
            latency_s=round(latency_s, 6),
            attempts=attempts,
            finish_reason=getattr(choices[0], "finish_reason", None),
        )

    def _cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        cfg = self.config
        if cfg.input_usd_per_mtok is not None and cfg.output_usd_per_mtok is not None:
            return (prompt_tokens * cfg.input_usd_per_mtok + completion_tokens * cfg.output_usd_per_mtok) / 1e6
        litellm = _litellm()
        try:
            prompt_cost, completion_cost = litellm.cost_per_token(
                model=self.name, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
        except Exception:  # litellm has no price for this model: the cost is unknown, not zero
            return None
        return float(prompt_cost) + float(completion_cost)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        cfg = self.config
        if retry_after is not None:
            return min(retry_after, cfg.backoff_max_s)
        # Full jitter: concurrent workers hitting the same limit spread out instead of retrying in step.
        return random.uniform(0, min(cfg.backoff_max_s, cfg.backoff_base_s * 2 ** (attempt - 1)))

    def _error(self, failure: Classified, attempts: int) -> ModelCallError:
        rule = failure.rule
        values = {"model": self.name, "api_base": public_url(self.config.api_base) or "the provider", "key_env": self._key_env()}
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        status = f" (HTTP {failure.status})" if failure.status else ""
        message = scrub(f"{rule.summary.format(**values)}{tried}{status}: {failure.detail}")
        log.warning("model %s: %s, giving up: %s", self.name, rule.kind, message)
        hint = scrub(rule.hint.format(**values))
        return ModelCallError(message, hint, kind=rule.kind, status=failure.status, attempts=attempts)


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise ConfigError("messages must be a non-empty list of {role, content} dicts")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str) or message.get("role") not in (
            "system", "user", "assistant"
        ):
            raise ConfigError(f"message {index} must be a dict with role system|user|assistant and a string content")


_LITELLM: Any = None
_LITELLM_LOCK = threading.Lock()


def _litellm() -> Any:
    """Import litellm once, quietly, with its bundled price table (no fetch from the network)."""
    global _LITELLM
    with _LITELLM_LOCK:
        if _LITELLM is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            litellm.suppress_debug_info = True
            litellm.telemetry = False
            # litellm logs every call at INFO on its own handler; perfforge logs what matters itself.
            logging.getLogger("LiteLLM").setLevel(logging.WARNING)
            _LITELLM = litellm
    return _LITELLM
