"""The error table: every provider failure lands in one rule, retry or abort."""

from __future__ import annotations

import json

import httpx
import pytest

from agent.models import _litellm
from agent.provider_errors import RULES, EmptyReply, classify, is_provider_error
from agent.redact import public_url, scrub

litellm = _litellm()


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("POST", "http://127.0.0.1/v1/chat/completions"))


CASES = [
    (litellm.AuthenticationError("Missing Anthropic API Key - no key is set", "anthropic", "claude"), "missing_key", "abort"),
    (litellm.InternalServerError("OpenAIException - Missing credentials. Please pass an `api_key`", "openai", "x"), "missing_key", "abort"),
    (litellm.ContextWindowExceededError("prompt too big", "x", "openai"), "context", "abort"),
    (litellm.BadRequestError("This model's maximum context length is 8192 tokens", "x", "openai"), "context", "abort"),
    (litellm.AuthenticationError("Incorrect API key provided", "openai", "x"), "auth", "abort"),
    (litellm.PermissionDeniedError("no access", "openai", "x", response=_response(403)), "auth", "abort"),
    (litellm.NotFoundError("The model `gpt-99` does not exist", "gpt-99", "openai"), "unknown_model", "abort"),
    (litellm.BadRequestError("LLM Provider NOT provided. You passed model=foo/bar", "foo/bar", ""), "unknown_model", "abort"),
    (litellm.RateLimitError("slow down", "openai", "x"), "rate_limit", "retry"),
    (litellm.Timeout("Request timed out", "x", "openai"), "timeout", "retry"),
    (litellm.InternalServerError("error - Expecting value: line 1 column 51 (char 50)", "openai", "x"), "malformed", "retry"),
    (EmptyReply("the reply holds no text"), "malformed", "retry"),
    (json.JSONDecodeError("Expecting value", "{", 1), "malformed", "retry"),
    (litellm.InternalServerError("OpenAIException - Connection error.", "openai", "x"), "connection", "retry"),
    (litellm.APIConnectionError("Connection reset by peer", "ollama", "x"), "connection", "retry"),
    (litellm.InternalServerError("The server had an error", "openai", "x"), "server", "retry"),
    (litellm.ServiceUnavailableError("overloaded", "openai", "x"), "server", "retry"),
    (litellm.BadRequestError("temperature must be <= 2", "x", "openai"), "bad_request", "abort"),
    (litellm.UnprocessableEntityError("bad field", "x", "openai", response=_response(422)), "bad_request", "abort"),
]


@pytest.mark.parametrize(("exc", "kind", "action"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_classification(exc, kind, action):
    assert is_provider_error(exc)
    classified = classify(exc)
    assert (classified.kind, classified.rule.action) == (kind, action)


def test_every_rule_is_exercised_by_a_case():
    assert {r.kind for r in RULES} == {kind for _, kind, _ in CASES}


def test_unknown_failures_abort_and_bugs_are_not_provider_errors():
    assert classify(litellm.APIError(418, "teapot", "openai", "x")).kind == "unexpected"
    assert classify(litellm.APIError(418, "teapot", "openai", "x")).rule.action == "abort"
    assert not is_provider_error(TypeError("unsupported operand"))
    assert not is_provider_error(KeyError("choices"))


def test_retry_after_is_read_from_the_response_headers():
    exc = litellm.RateLimitError("slow down", "openai", "x", response=_response(429, {"retry-after": "2.5"}))
    assert classify(exc).retry_after == 2.5
    assert classify(litellm.RateLimitError("slow down", "openai", "x")).retry_after is None


def test_details_are_scrubbed_and_shortened(monkeypatch):
    monkeypatch.setenv("SOME_PROVIDER_API_KEY", "verysecretvalue-42")
    exc = litellm.AuthenticationError("bad key verysecretvalue-42 and sk-abcdefghijklmnop " + "x" * 1000, "openai", "x")
    detail = classify(exc).detail
    assert "verysecretvalue-42" not in detail and "sk-abcdefghijklmnop" not in detail and len(detail) <= 400


def test_scrub_and_public_url(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_abcdef123456")
    monkeypatch.setenv("DEBUG", "1")  # short, non-secret values are left alone
    assert scrub("token hf_abcdef123456 used, DEBUG=1") == "token *** used, DEBUG=1"
    assert scrub("Authorization: Bearer abc.def-ghi_jkl") == "Authorization: Bearer ***"
    assert scrub("GET /v1?api_key=zzz999&x=1") == "GET /v1?api_key=***&x=1"
    assert public_url("https://u:p@host.example:8443/v1/?key=abc") == "https://host.example:8443/v1"
    assert public_url(None) is None
