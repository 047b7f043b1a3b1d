"""Provider errors, classified once: retry with backoff, or abort.

The table :data:`RULES` is read top to bottom; the first rule that matches an
exception decides.  A rule matches on the exception's class names (anywhere in its
MRO, so litellm's and openai's classes both count), on its HTTP status, or on a
pattern in its message (litellm reports some failures, e.g. missing credentials or
a refused connection, only in the text).  Message rules come first where the
status would mislead (litellm reports a missing key as a 500).

=============  ======  ===================================================
kind           action  typical cause
=============  ======  ===================================================
missing_key    abort   no API key in the environment
context        abort   prompt longer than the model's context window
auth           abort   key rejected (401) or not allowed (403)
unknown_model  abort   provider or model name unknown (404, no provider)
rate_limit     retry   429; ``Retry-After`` is honoured
timeout        retry   no answer within the call's timeout
malformed      retry   body that is not JSON, reply without text
connection     retry   refused / reset connection, server gone
server         retry   5xx from the provider
bad_request    abort   400/422: the request itself is wrong
=============  ======  ===================================================

Anything else that comes from the provider stack is ``unexpected`` and aborts: a
retry must never hide a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from perfforge.errors import ModelError

from agent.redact import scrub

Action = Literal["retry", "abort"]


class ModelCallError(ModelError):
    """A model call that failed for good: ``kind`` names the rule (``auth``, ``rate_limit``, ...)."""

    def __init__(self, message: str, hint: str | None, *, kind: str, status: int | None, attempts: int) -> None:
        super().__init__(message, hint)
        self.kind = kind
        self.status = status
        self.attempts = attempts


class EmptyReply(Exception):
    """The provider answered 200 but the reply holds no text (classified as malformed)."""


@dataclass(frozen=True)
class ErrorRule:
    kind: str
    action: Action
    summary: str
    hint: str
    classes: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()
    pattern: str | None = None

    def matches(self, class_names: set[str], status: int | None, message: str) -> bool:
        return (
            bool(class_names.intersection(self.classes))
            or (status is not None and status in self.statuses)
            or (self.pattern is not None and re.search(self.pattern, message, re.IGNORECASE) is not None)
        )


# Hints may use {model}, {api_base} and {key_env}.
RULES: tuple[ErrorRule, ...] = (
    ErrorRule(
        "missing_key", "abort", "no API key is set for {model}",
        "export {key_env} (or pass --api-base for a server that needs no key)",
        pattern=r"missing (credentials|\w+ api key)|api_key client option must be set|no key is set",
    ),
    ErrorRule(
        "context", "abort", "the prompt does not fit the context window of {model}",
        "shorten the prompt (fewer earlier attempts, a smaller file) or use a model with a larger context",
        classes=("ContextWindowExceededError",),
        pattern=r"context[_ ]length|context window|maximum context|prompt is too long",
    ),
    ErrorRule(
        "auth", "abort", "the provider rejected the credentials for {model}",
        "check {key_env}: the key may be wrong, expired or lack access to this model",
        classes=("AuthenticationError", "PermissionDeniedError"), statuses=(401, 403),
    ),
    ErrorRule(
        "unknown_model", "abort", "the model {model} is not known to the provider",
        "use a litellm model string such as openai/gpt-4o or anthropic/claude-3-5-sonnet-20240620, "
        "and check --api-base",
        classes=("NotFoundError",), statuses=(404,),
        pattern=r"llm provider not provided|model .{0,80}(does not exist|not found)",
    ),
    ErrorRule(
        "rate_limit", "retry", "rate limited by the provider of {model}",
        "wait, lower the concurrency, or raise the provider's limits",
        classes=("RateLimitError",), statuses=(429,),
    ),
    ErrorRule(
        "timeout", "retry", "{model} did not answer in time",
        "raise the model timeout, or check that the server at {api_base} is not overloaded",
        classes=("Timeout", "APITimeoutError", "TimeoutException"), statuses=(408,),
    ),
    ErrorRule(
        "malformed", "retry", "{model} sent a reply that could not be read",
        "the server may be misbehaving or truncating replies",
        classes=("EmptyReply", "APIResponseValidationError", "JSONDecodeError"),
        pattern=r"expecting value|json ?decode|unterminated string|invalid control character",
    ),
    ErrorRule(
        "connection", "retry", "could not reach the server for {model}",
        "check that the server at {api_base} is running and reachable",
        classes=("APIConnectionError", "ConnectError", "RemoteProtocolError"),
        pattern=r"connection (error|reset|refused|aborted)|server disconnected|remote end closed",
    ),
    ErrorRule(
        "server", "retry", "the provider of {model} failed (server error)",
        "the provider is having trouble; try again later",
        classes=("InternalServerError", "ServiceUnavailableError", "BadGatewayError"),
        statuses=(500, 502, 503, 504, 529),
    ),
    ErrorRule(
        "bad_request", "abort", "the provider refused the request to {model}",
        "check the model parameters (temperature, max_tokens) and the model quirks table",
        classes=("BadRequestError", "UnprocessableEntityError", "UnsupportedParamsError",
                 "ContentPolicyViolationError"),
        statuses=(400, 422),
    ),
)

UNEXPECTED = ErrorRule(
    "unexpected", "abort", "the call to {model} failed unexpectedly",
    "this looks like a bug or an unsupported provider response; rerun with -v and report it",
)

# Exceptions from these packages (or ours) are provider failures; anything else is a bug and propagates.
_PROVIDER_MODULES = ("litellm", "openai", "httpx", "httpcore", "json", "anthropic", "agent.provider_errors")


@dataclass(frozen=True)
class Classified:
    rule: ErrorRule
    status: int | None
    detail: str  # the provider's message, scrubbed of secrets
    retry_after: float | None

    @property
    def retry(self) -> bool:
        return self.rule.action == "retry"

    @property
    def kind(self) -> str:
        return self.rule.kind


def is_provider_error(exc: BaseException) -> bool:
    """True when ``exc`` comes from the provider stack (or is our EmptyReply), not from a bug of ours."""
    modules = {cls.__module__ for cls in type(exc).__mro__}
    return any(m == p or m.startswith(p + ".") for m in modules for p in _PROVIDER_MODULES)


def classify(exc: BaseException) -> Classified:
    """Which rule ``exc`` falls under, with its status, scrubbed message and Retry-After."""
    class_names = {cls.__name__ for cls in type(exc).__mro__}
    status = _status(exc)
    message = str(exc) or type(exc).__name__
    rule = next((r for r in RULES if r.matches(class_names, status, message)), UNEXPECTED)
    return Classified(rule=rule, status=status, detail=_short(scrub(message)), retry_after=_retry_after(exc))


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    for headers in (getattr(exc, "litellm_response_headers", None), getattr(exc, "headers", None),
                    getattr(response, "headers", None)):
        value = headers.get("retry-after") if hasattr(headers, "get") else None
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None  # an HTTP date: rare from LLM providers; backoff decides instead
    return None


def _short(message: str, limit: int = 400) -> str:
    message = " ".join(message.split())
    # litellm repeats its own prefixes ("litellm.RateLimitError: RateLimitError: OpenAIException - ...").
    message = re.sub(r"^(litellm\.\w+: )?(\w+Error: )?(OpenAIException - )?", "", message)
    return message if len(message) <= limit else message[: limit - 3] + "..."
