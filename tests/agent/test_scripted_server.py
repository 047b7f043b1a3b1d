"""The scripted OpenAI-compatible server, spoken to with plain HTTP (no model client)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from agent.testing import ScriptedServer, delay, error, malformed, reply
from agent.testing.scripted_server import Step, count_tokens, load_script


def post(url: str, body: dict | str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    data = body if isinstance(body, str) else json.dumps(body)
    request = urllib.request.Request(url + "/chat/completions", data=data.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def chat(model: str = "scripted", text: str = "hi") -> dict:
    return {"model": model, "messages": [{"role": "system", "content": "be fast"}, {"role": "user", "content": text}]}


def test_replies_in_order_with_openai_shape_and_usage():
    with ScriptedServer(["def f(): return 1", reply("second", finish_reason="length")]) as server:
        status, _, body = post(server.url, chat())
        assert status == 200
        data = json.loads(body)
        assert data["object"] == "chat.completion" and data["model"] == "scripted"
        assert data["choices"][0]["message"] == {"role": "assistant", "content": "def f(): return 1"}
        usage = data["usage"]
        assert usage["completion_tokens"] == count_tokens("def f(): return 1") == 7  # def f ( ) : return 1
        assert usage["prompt_tokens"] == (2 + 4) + (1 + 4) + 3  # words + per-message overhead + priming
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        second = json.loads(post(server.url, chat())[2])
        assert second["choices"][0]["finish_reason"] == "length"
        assert server.remaining() == 0


def test_errors_carry_status_body_and_retry_after():
    with ScriptedServer([error(429, retry_after=1.5), error(500), error(401), error(400, "too long", code="context_length_exceeded")]) as server:
        status, headers, body = post(server.url, chat())
        assert status == 429 and headers["Retry-After"] == "1.5"
        assert json.loads(body)["error"]["type"] == "rate_limit_error"
        assert post(server.url, chat())[0] == 500
        status, _, body = post(server.url, chat())
        assert status == 401 and "Incorrect API key" in json.loads(body)["error"]["message"]
        status, _, body = post(server.url, chat())
        assert status == 400 and json.loads(body)["error"]["code"] == "context_length_exceeded"


def test_malformed_body_is_not_json():
    with ScriptedServer([malformed()]) as server:
        status, _, body = post(server.url, chat())
        assert status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)


def test_delay_trips_a_client_timeout_and_stop_does_not_wait_for_it():
    server = ScriptedServer([delay(30, "too late")]).start()
    try:
        started = time.monotonic()
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            post(server.url, chat(), timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5  # the sleeping handler is woken, not waited for


def test_routing_by_model_and_by_last_user_message():
    script = {
        "alpha": ["alpha says 1", "alpha says 2"],
        "beta": [reply("beta fixes it", match=r"did not apply"), reply("beta default", repeat=True)],
    }
    with ScriptedServer(script) as server:
        text = lambda model, msg="hi": json.loads(post(server.url, chat(model, msg))[2])["choices"][0]["message"]["content"]  # noqa: E731
        assert text("beta") == "beta default"  # the match step waits for its message
        assert text("alpha") == "alpha says 1"
        assert text("beta", "Your edit did not apply: ...") == "beta fixes it"
        assert text("beta", "Your edit did not apply: ...") == "beta default"  # consumed; repeat answers
        assert text("openai/alpha") == "alpha says 2"  # a provider prefix still routes
        status, _, body = post(server.url, chat("alpha"))
        assert status == 400 and "no step left for model 'alpha'" in json.loads(body)["error"]["message"]
        assert server.remaining() == 0
        models = json.loads(urllib.request.urlopen(server.url + "/models", timeout=5).read())
        assert [m["id"] for m in models["data"]] == ["alpha", "beta"]


def test_records_requests_with_headers_and_rejects_streaming():
    with ScriptedServer(["ok", "unused"]) as server:
        post(server.url, {**chat(), "temperature": 0.2}, headers={"Authorization": "Bearer sk-abc"})
        status, _, body = post(server.url, {**chat(), "stream": True})
        assert status == 400 and "does not stream" in json.loads(body)["error"]["message"]
        first = server.chat_requests[0]
        assert first.headers["authorization"] == "Bearer sk-abc"
        assert first.body["temperature"] == 0.2 and first.model == "scripted" and first.last_user == "hi"
        assert len(server.requests) == 2 and server.remaining() == 1


def test_add_steps_while_running_and_bad_steps_are_refused():
    with ScriptedServer([]) as server:
        server.add("late addition")
        assert json.loads(post(server.url, chat())[2])["choices"][0]["message"]["content"] == "late addition"
    with pytest.raises(ValueError):
        Step(status=302)
    with pytest.raises(ValueError):
        Step()  # neither reply nor malformed


def test_lifetime_stops_a_forgotten_server():
    server = ScriptedServer(["never used"], lifetime_s=0.3).start()
    url = server.url
    time.sleep(1.0)
    with pytest.raises(urllib.error.URLError):
        post(url, chat(), timeout=1)


def test_script_files_and_the_command_line(tmp_path):
    script = tmp_path / "script.yaml"
    script.write_text("models:\n  scripted:\n    - reply: from yaml\n    - {status: 429, retry_after: 2}\n")
    loaded = load_script(script)
    assert loaded == {"scripted": [Step(reply="from yaml"), Step(status=429, retry_after=2)]}
    (tmp_path / "s.json").write_text(json.dumps(["from json"]))
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.testing.scripted_server", str(tmp_path / "s.json"), "--lifetime", "20"],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        line = process.stdout.readline()  # "serving on http://127.0.0.1:PORT/v1 ..."
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert json.loads(post(url, chat())[2])["choices"][0]["message"]["content"] == "from json"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
