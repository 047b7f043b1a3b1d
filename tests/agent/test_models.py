"""ChatModel through the real client path (litellm -> HTTP) against the scripted server."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from agent.models import ChatModel, ModelConfig, Reply
from agent.provider_errors import ModelCallError
from agent.testing import ScriptedServer, delay, error, malformed, reply
from perfforge.errors import ConfigError, ModelError

SECRET = "sk-test-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"
MESSAGES = [{"role": "system", "content": "You make code faster."}, {"role": "user", "content": "Speed up f."}]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFFORGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def make(server: ScriptedServer, model: str = "openai/scripted", **fields) -> ChatModel:
    fields.setdefault("backoff_base_s", 0.01)
    fields.setdefault("timeout_s", 5.0)
    return ChatModel(model=model, api_base=server.url, **fields)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_normal_reply_with_tokens_and_unknown_cost():
    with ScriptedServer(["def f(x):\n    return x * 2\n"]) as server:
        answer = make(server, cache=False).complete(MESSAGES, temperature=0.2, max_tokens=256, seed=7)
        sent = server.chat_requests[0].body
    assert isinstance(answer, Reply)
    assert answer.text == "def f(x):\n    return x * 2\n"
    # The server's usage report, passed through: 20 = (5 + 4) + (4 + 4) + 3, 10 = `def f ( x ) : return x * 2`.
    assert answer.prompt_tokens == 20 and answer.completion_tokens == 10
    assert answer.cost_usd is None and answer.spent_usd is None  # no price known for "scripted": not a made-up 0
    assert answer.model == "openai/scripted" and answer.attempts == 1 and not answer.cached
    assert 0 < answer.latency_s < 5 and answer.finish_reason == "stop"
    assert sent["model"] == "scripted" and sent["messages"] == MESSAGES
    assert (sent["temperature"], sent["max_tokens"], sent["seed"]) == (0.2, 256, 7)


def test_cost_from_litellm_prices_and_from_an_override():
    import litellm

    price = litellm.model_cost["gpt-4o"]
    with ScriptedServer(["fast code", "fast code"]) as server:
        priced = make(server, model="openai/gpt-4o", cache=False).complete(MESSAGES)
        custom = make(server, cache=False, input_usd_per_mtok=1.0, output_usd_per_mtok=4.0).complete(MESSAGES)
    expected = priced.prompt_tokens * price["input_cost_per_token"] + priced.completion_tokens * price["output_cost_per_token"]
    assert priced.cost_usd == pytest.approx(expected) and priced.cost_usd > 0
    assert custom.cost_usd == pytest.approx((custom.prompt_tokens * 1.0 + custom.completion_tokens * 4.0) / 1e6)


def test_rate_limit_is_retried_after_retry_after_and_counted_once(caplog):
    caplog.set_level(logging.WARNING, logger="agent.models")
    with ScriptedServer([error(429, retry_after=0.4), "after the limit"]) as server:
        started = time.monotonic()
        answer = make(server, cache=False).complete(MESSAGES)
        waited = time.monotonic() - started
        assert len(server.chat_requests) == 2
    assert answer.text == "after the limit" and answer.attempts == 2
    assert waited >= 0.4  # Retry-After honoured, not the 0.01 s backoff
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 1 and "rate_limit" in retries[0] and "retry 1/4" in retries[0]


def test_auth_failure_aborts_at_once_with_a_clear_error():
    with ScriptedServer([error(401), "never sent"]) as server:
        with pytest.raises(ModelCallError) as raised:
            make(server, cache=False).complete(MESSAGES)
        assert len(server.chat_requests) == 1
    exc = raised.value
    assert isinstance(exc, ModelError) and exc.kind == "auth" and exc.status == 401 and exc.attempts == 1
    assert "rejected the credentials" in exc.message and "OPENAI_API_KEY" in (exc.hint or "")


def test_context_length_aborts_without_retry():
    too_long = error(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
                     code="context_length_exceeded")
    with ScriptedServer([too_long, "never"]) as server:
        with pytest.raises(ModelCallError) as raised:
            make(server, cache=False).complete(MESSAGES)
        assert len(server.chat_requests) == 1
    assert raised.value.kind == "context" and "context window" in raised.value.message


def test_a_delay_beyond_the_timeout_is_retried_then_raised():
    with ScriptedServer([delay(3), delay(3), "unreached"]) as server:
        started = time.monotonic()
        with pytest.raises(ModelCallError) as raised:
            make(server, cache=False, timeout_s=0.3, max_retries=1).complete(MESSAGES)
        elapsed = time.monotonic() - started
        assert len(server.chat_requests) == 2
    assert raised.value.kind == "timeout" and raised.value.attempts == 2
    assert "after 2 attempts" in raised.value.message
    assert elapsed < 2.5  # two bounded attempts, not two full 3 s delays


def test_a_timeout_then_success():
    with ScriptedServer([delay(3), "in time"]) as server:
        answer = make(server, cache=False, timeout_s=0.3).complete(MESSAGES)
    assert answer.text == "in time" and answer.attempts == 2


@pytest.mark.parametrize("broken", [malformed(), reply(""), reply("   \n")], ids=["not-json", "empty", "blank"])
def test_malformed_or_empty_replies_are_retried(broken, caplog):
    caplog.set_level(logging.WARNING, logger="agent.models")
    with ScriptedServer([broken, "readable"]) as server:
        answer = make(server, cache=False).complete(MESSAGES)
    assert answer.text == "readable" and answer.attempts == 2
    assert any("malformed" in r.getMessage() for r in caplog.records)


def test_server_errors_are_retried_until_retries_run_out():
    with ScriptedServer([error(500), error(503), error(502)]) as server:
        with pytest.raises(ModelCallError) as raised:
            make(server, cache=False, max_retries=2).complete(MESSAGES)
        assert len(server.chat_requests) == 3
    assert raised.value.kind == "server" and raised.value.status == 502


def test_an_unreachable_api_base_names_it():
    model = ChatModel(model="openai/scripted", api_base=f"http://127.0.0.1:{free_port()}/v1", cache=False,
                      max_retries=1, backoff_base_s=0.01, timeout_s=2)
    with pytest.raises(ModelCallError) as raised:
        model.complete(MESSAGES)
    assert raised.value.kind == "connection" and "127.0.0.1" in (raised.value.hint or "")


def test_the_cache_replays_identical_calls_and_only_those(tmp_path):
    with ScriptedServer(["first", "second", "third", "fourth"]) as server:
        model = make(server, model="openai/gpt-4o", cache_path=tmp_path / "replies.sqlite")
        original = model.complete(MESSAGES, temperature=0.0, max_tokens=100)
        replay = model.complete(MESSAGES, temperature=0.0, max_tokens=100)
        assert len(server.chat_requests) == 1
        assert replay.text == original.text == "first" and replay.cached and not original.cached
        assert replay.cost_usd == original.cost_usd > 0 and replay.spent_usd == 0.0
        assert model.complete(MESSAGES, temperature=0.0, max_tokens=100, sample=1).text == "second"
        assert model.complete(MESSAGES, temperature=0.7, max_tokens=100).text == "third"
        # Another process (a rerun) with the same cache file replays too.
        rerun = make(server, model="openai/gpt-4o", cache_path=tmp_path / "replies.sqlite")
        assert rerun.complete(MESSAGES, temperature=0.0, max_tokens=100).cached
        assert len(server.chat_requests) == 3
        uncached = make(server, model="openai/gpt-4o", cache=False)
        assert uncached.complete(MESSAGES, temperature=0.0, max_tokens=100).text == "fourth"


def test_the_cache_lives_under_perfforge_home_by_default(tmp_path):
    with ScriptedServer(["x"]) as server:
        make(server).complete(MESSAGES)
    assert (tmp_path / "home" / "cache" / "replies.sqlite").exists()


def test_the_api_key_never_reaches_logs_cache_errors_or_request_bodies(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="LiteLLM")  # restored after the test: later tests stay quiet
    cache_file = tmp_path / "replies.sqlite"
    # The provider echoes the key in its error text, as real providers sometimes do.
    script = [error(429, f"Rate limit for key {SECRET}"), "ok", error(401, f"Incorrect API key provided: {SECRET}")]
    with ScriptedServer(script) as server:
        model = make(server, cache_path=cache_file)
        assert model.complete(MESSAGES).text == "ok"
        with pytest.raises(ModelCallError) as raised:
            model.complete([{"role": "user", "content": "another prompt"}])
        requests = server.chat_requests
    assert SECRET not in str(raised.value) and SECRET not in (raised.value.hint or "")
    assert SECRET not in caplog.text
    assert "retry" in caplog.text and "giving up" in caplog.text  # the retry and the abort were logged
    for path in cache_file.parent.glob("replies.sqlite*"):  # the database and its WAL
        assert SECRET.encode() not in path.read_bytes()
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in requests)  # the one place it belongs
    for r in requests:
        others = {k: v for k, v in r.headers.items() if k != "authorization"}
        assert SECRET not in r.raw and SECRET not in str(others)
    assert SECRET not in repr(model) and SECRET not in model.config.model_dump_json()


def test_a_loopback_server_needs_no_key():
    with ScriptedServer(["local answer"]) as server:
        assert make(server, cache=False).complete(MESSAGES).text == "local answer"
        assert server.chat_requests[0].headers["authorization"] == "Bearer perfforge-local"


def test_a_key_from_a_named_variable(monkeypatch):
    monkeypatch.setenv("MY_PROXY_TOKEN", "proxy-token-123456")
    with ScriptedServer(["ok"]) as server:
        make(server, cache=False, api_key_env="MY_PROXY_TOKEN").complete(MESSAGES)
        assert server.chat_requests[0].headers["authorization"] == "Bearer proxy-token-123456"


def test_routing_two_models_on_one_server():
    with ScriptedServer({"alpha": ["from alpha"], "beta": ["from beta"]}) as server:
        assert make(server, model="openai/beta", cache=False).complete(MESSAGES).text == "from beta"
        assert make(server, model="openai/alpha", cache=False).complete(MESSAGES).text == "from alpha"


def test_quirks_from_a_table_reach_the_wire(tmp_path):
    table = tmp_path / "quirks.yaml"
    table.write_text('- match: "nosys*"\n  system_role: false\n  temperature: false\n  max_tokens: 64\n')
    with ScriptedServer({"nosys-1": ["ok"], "plain": ["ok"]}) as server:
        make(server, model="openai/nosys-1", cache=False, quirks_path=table).complete(MESSAGES, temperature=0.5, max_tokens=4096)
        make(server, model="openai/plain", cache=False, quirks_path=table).complete(MESSAGES, temperature=0.5)
        quirky, plain = (r.body for r in server.chat_requests)
    assert [m["role"] for m in quirky["messages"]] == ["user"]
    assert quirky["messages"][0]["content"] == "You make code faster.\n\nSpeed up f."
    assert "temperature" not in quirky and quirky["max_tokens"] == 64
    assert [m["role"] for m in plain["messages"]] == ["system", "user"] and plain["temperature"] == 0.5


def test_check_fails_early_without_network(monkeypatch):
    with pytest.raises(ModelError) as raised:
        ChatModel(model="nosuchprovider/model-x", cache=False).check()
    assert "not known" in raised.value.message
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ModelError) as raised:
        ChatModel(model="anthropic/claude-3-5-sonnet-20240620", cache=False).check()
    assert "ANTHROPIC_API_KEY" in (raised.value.hint or "")
    ChatModel(model="openai/scripted", api_base="http://127.0.0.1:9/v1", cache=False).check()  # loopback: no key needed


def test_bad_arguments_are_configuration_errors():
    with pytest.raises(ConfigError):
        ChatModel(model="openai/x", api_base="http://127.0.0.1:9/v1", cache=False).complete([])
    with pytest.raises(ConfigError):
        ChatModel(model="openai/x", cache=False).complete(MESSAGES, api_key="sk-nope")
    with pytest.raises(ConfigError):
        ChatModel(ModelConfig(model="openai/x", cache=False, params={"api_base": "http://evil"}))
