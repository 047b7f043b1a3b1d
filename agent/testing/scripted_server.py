"""A scripted OpenAI-compatible chat server on 127.0.0.1: the deterministic model of the tests.

It answers ``POST /v1/chat/completions`` from a script, a list of :class:`Step` s
consumed in order, and lists its models on ``GET /v1/models``.  A step is a reply
text, an HTTP error (429 with ``Retry-After``, 500, 401, ...), a delay before
answering (to trip client timeouts), or a body that is not JSON.  Every request
is recorded, headers included, so a test can assert what the client sent.

    with ScriptedServer(["first reply", error(429, retry_after=0.1), "second"]) as server:
        model = ChatModel(model="openai/scripted", api_base=server.url)

Routing: the script may be a dict from model name (as the server receives it: the
``openai/`` prefix is stripped by the client) to steps; the key ``"*"`` serves any
model.  A step with ``match`` (a regular expression searched in the last user
message) waits in the queue until a request matches it; a step with ``repeat``
is never consumed.  A request no step answers gets a 400 that says so, which the
client treats as a non-retryable bad request, so a test with a short script fails
fast and clearly.

The server binds an ephemeral port, runs in a daemon thread, stops on leaving the
``with`` block and in any case after ``lifetime_s`` seconds.  It can also run on
its own for manual tries: ``python -m agent.testing.scripted_server script.yaml``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterable, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.testing.loopback import LoopbackServer

_DEFAULT_MESSAGES = {
    400: "bad request",
    401: "Incorrect API key provided.",
    403: "You are not allowed to use this model.",
    404: "The model does not exist.",
    429: "Rate limit reached for requests.",
    500: "The server had an error while processing your request.",
    502: "Bad gateway.",
    503: "The engine is currently overloaded.",
}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
}


class Step(BaseModel):
    """One scripted answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reply: str | None = Field(None, description="reply text (an HTTP 200 answer)")
    status: int = Field(200, description="HTTP status; >= 400 makes an OpenAI-style error")
    message: str = Field("", description="error message (a default per status when empty)")
    code: str | None = Field(None, description="error code, e.g. context_length_exceeded")
    retry_after: float | None = Field(None, description="Retry-After header (seconds) on an error")
    delay_s: float = Field(0.0, ge=0, description="wait this long before answering")
    malformed: bool = Field(False, description="answer 200 with a body that is not JSON")
    finish_reason: str = "stop"
    match: str | None = Field(None, description="regex searched in the last user message")
    repeat: bool = Field(False, description="never consumed: answers every request it matches")

    @model_validator(mode="after")
    def _check(self) -> "Step":
        if self.status == 200 and self.reply is None and not self.malformed:
            raise ValueError("a 200 step needs a reply text or malformed=True")
        if self.status != 200 and self.status < 400:
            raise ValueError("status must be 200 or an HTTP error (>= 400)")
        if self.match is not None:
            re.compile(self.match)
        return self


StepLike = Union[Step, str]
Script = Union[Iterable[StepLike], Mapping[str, Iterable[StepLike]]]


def reply(text: str, **fields: Any) -> Step:
    """A normal answer with ``text``."""
    return Step(reply=text, **fields)


def error(status: int, message: str = "", *, retry_after: float | None = None, **fields: Any) -> Step:
    """An OpenAI-style error answer (``{"error": {...}}``) with HTTP ``status``."""
    return Step(status=status, message=message, retry_after=retry_after, **fields)


def delay(seconds: float, then: StepLike = "late reply", **fields: Any) -> Step:
    """Wait ``seconds`` before answering with ``then`` (to trip a client timeout)."""
    base = _as_step(then)
    return base.model_copy(update={"delay_s": seconds, **fields})


def malformed(**fields: Any) -> Step:
    """A 200 answer whose body is not JSON."""
    return Step(malformed=True, **fields)


def _as_step(item: StepLike | Mapping[str, Any]) -> Step:
    if isinstance(item, Step):
        return item
    if isinstance(item, str):
        return Step(reply=item)
    return Step.model_validate(item)


def count_tokens(text: str) -> int:
    """A plausible token count: words and punctuation marks, close to what BPE tokenizers give for code."""
    return len(re.findall(r"\w+|[^\w\s]", text))


class RecordedRequest(BaseModel):
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any = None
    raw: str = ""
    received: float

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    @property
    def last_user(self) -> str:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _content_text(message.get("content"))
        return ""


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


class ScriptedServer:
    """The server; use it as a context manager (``url`` is ``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, script: Script, *, lifetime_s: float = 600.0, port: int = 0) -> None:
        if isinstance(script, Mapping):
            queues = {str(name): [_as_step(s) for s in steps] for name, steps in script.items()}
        else:
            queues = {"*": [_as_step(s) for s in script]}
        self._queues = queues
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._answered = 0
        self._stopping = threading.Event()
        self._lifetime_s = lifetime_s
        self._port = port
        self._server: LoopbackServer | None = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> "ScriptedServer":
        handler = type("_Handler", (_Handler,), {"server_owner": self})
        self._server = LoopbackServer(handler, port=self._port, lifetime_s=self._lifetime_s, name="scripted-server")
        return self

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.httpd is not None

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.stop()

    def __enter__(self) -> "ScriptedServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at ------------------------------------------------------
    @property
    def port(self) -> int:
        if not self.running:
            raise RuntimeError("the scripted server is not running")
        return self._server.port

    @property
    def url(self) -> str:
        """Base URL for ``--api-base`` / ``ChatModel(api_base=...)``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    def remaining(self) -> int:
        """Steps not yet consumed (``repeat`` steps excluded)."""
        with self._lock:
            return sum(1 for queue in self._queues.values() for s in queue if not s.repeat)

    def add(self, *steps: StepLike, model: str = "*") -> None:
        """Append steps to a model's queue while the server runs."""
        with self._lock:
            self._queues.setdefault(model, []).extend(_as_step(s) for s in steps)

    # -- used by the handler -----------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_step(self, model: str, last_user: str) -> Step | None:
        names = [model, model.split("/", 1)[-1], "*"]
        with self._lock:
            for name in dict.fromkeys(names):
                queue = self._queues.get(name, [])
                for index, step in enumerate(queue):
                    if step.match is None or re.search(step.match, last_user):
                        if not step.repeat:
                            del queue[index]
                        self._answered += 1
                        return step
        return None

    def _model_names(self) -> list[str]:
        with self._lock:
            return [name for name in self._queues if name != "*"] or ["scripted"]


class _Handler(BaseHTTPRequestHandler):
    server_owner: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests instead
        return

    def _read_body(self) -> tuple[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            return raw, json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return raw, None

    def _record(self, raw: str, body: Any) -> RecordedRequest:
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
            received=time.time(),
        )
        self.server_owner._record(request)
        return request

    def _send(self, status: int, payload: bytes, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): fine
            pass

    def _send_error(self, status: int, message: str, code: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        body = {"error": {"message": message, "type": _ERROR_TYPES.get(status, "server_error"), "param": None, "code": code}}
        self._send(status, json.dumps(body).encode(), headers)

    def do_GET(self) -> None:
        self._record("", None)
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "scripted"} for name in self.server_owner._model_names()]
            self._send(200, json.dumps({"object": "list", "data": data}).encode())
        else:
            self._send_error(404, f"no route for GET {self.path}")

    def do_POST(self) -> None:
        raw, body = self._read_body()
        request = self._record(raw, body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_error(404, f"no route for POST {self.path}")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_error(400, "request body must be a JSON object with a messages list")
            return
        if body.get("stream"):
            self._send_error(400, "the scripted server does not stream; call without stream=True")
            return
        model = str(body.get("model", ""))
        step = self.server_owner._next_step(model, request.last_user)
        if step is None:
            answered = self.server_owner._answered
            self._send_error(400, f"scripted server: no step left for model {model!r} after {answered} answers")
            return
        if step.delay_s and self.server_owner._stopping.wait(step.delay_s):
            return  # stopping: drop the connection unanswered
        self._answer(step, model, request)

    def _answer(self, step: Step, model: str, request: RecordedRequest) -> None:
        headers = {"Retry-After": f"{step.retry_after:g}"} if step.retry_after is not None else {}
        if step.status != 200:
            message = step.message or _DEFAULT_MESSAGES.get(step.status, f"HTTP {step.status}")
            self._send_error(step.status, message, step.code, headers)
            return
        if step.malformed:
            self._send(200, b'{"id": "chatcmpl-broken", "choices": [{"message": ', headers)
            return
        text = step.reply or ""
        prompt_tokens = sum(count_tokens(_content_text(m.get("content"))) + 4 for m in request.messages) + 3
        completion_tokens = count_tokens(text)
        payload = {
            "id": f"chatcmpl-scripted-{self.server_owner._answered}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "scripted",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": step.finish_reason}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        self._send(200, json.dumps(payload).encode(), headers)


def load_script(path: Path) -> Script:
    """Read a script file (JSON or YAML): a list of steps, or ``{"models": {name: [steps]}}``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if isinstance(data, dict) and "models" in data:
        return {name: [_as_step(s) for s in steps] for name, steps in data["models"].items()}
    if isinstance(data, dict) and "steps" in data:
        data = data["steps"]
    if not isinstance(data, list):
        raise ValueError(f"{path}: a script is a list of steps or a mapping with 'steps' or 'models'")
    return [_as_step(s) for s in data]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a scripted OpenAI-compatible chat model on 127.0.0.1.")
    parser.add_argument("script", type=Path, help="JSON or YAML script: a list of steps, or {models: {name: [steps]}}")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free port)")
    parser.add_argument("--lifetime", type=float, default=3600.0, help="stop after this many seconds (default 3600)")
    args = parser.parse_args(argv)
    server = ScriptedServer(load_script(args.script), lifetime_s=args.lifetime, port=args.port).start()
    print(f"serving on {server.url} (stops after {args.lifetime:g}s; Ctrl-C to stop)", flush=True)
    try:
        while server.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
