"""Bad input to ``bench run``: one clear error line, exit 2, and no run left behind."""

from __future__ import annotations

import importlib.util

import pytest

from agent.store import RunStore
from agent.testing.scripted_server import ScriptedServer
from benchmarks import suites
from perfforge.errors import ConfigError, ModelError
from tests.benchmarks.bench_run_support import PERF_EDIT, Home, free_port, invoke, perfforge, script


@pytest.fixture(scope="module")
def home():
    with Home() as path:
        yield path


@pytest.fixture(scope="module")
def server():
    with ScriptedServer(script(("fast",)), lifetime_s=300) as running:
        yield running


@pytest.fixture
def store(tmp_path):
    return tmp_path / "runs.sqlite"


def error_of(args):
    result = invoke(args)
    assert isinstance(result.exception, (ConfigError, ModelError)), (result.stdout, result.exception)
    return result.exception.message


def no_run_left(store):
    assert not store.exists() or RunStore(store).list_runs() == []


def test_unknown_suite_is_one_error_line_and_exit_2(home, store):
    result = perfforge(["bench", "run", "--suite", "pythn-perf", "--model", "openai/x", "--store", str(store)])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: unknown suite 'pythn-perf'; bundled suites: {', '.join(suites.suite_names())}"
    assert lines[1] == "hint: did you mean 'python-perf'?" and len(lines) == 2
    no_run_left(store)


def test_unknown_task_of_a_suite(home, store):
    assert "suite 'examples' has no task 'py-dedup'" in error_of(
        ["bench", "run", "--suite", "examples/py-dedup", "--model", "openai/x", "--store", str(store)])
    no_run_left(store)


def test_a_model_the_server_does_not_serve(home, server, store):
    message = error_of(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/fast", "--model", "openai/nobody",
                        "--api-base", server.url, "--store", str(store)])
    assert message.startswith("unknown model 'openai/nobody': the server at http://127.0.0.1:") and "fast" in message
    assert server.chat_requests == []  # nothing was asked
    no_run_left(store)


def test_an_unknown_provider(home, store):
    message = error_of(["bench", "run", "--suite", PERF_EDIT, "--model", "nosuchprovider/model", "--store", str(store)])
    assert "nosuchprovider" in message
    no_run_left(store)


def test_an_unreachable_server(home, store):
    port = free_port()
    result = perfforge(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/x", "--api-base",
                        f"http://127.0.0.1:{port}/v1", "--store", str(store)])
    assert result.returncode == 2 and result.stderr.startswith(f"error: cannot reach --api-base http://127.0.0.1:{port}/v1")
    no_run_left(store)


def test_unknown_run_id_to_resume_or_report(home, store):
    result = perfforge(["bench", "run", "--resume", "20990101-000000-abcdef", "--store", str(store)])
    assert result.returncode == 2 and result.stderr.startswith("error: unknown run id '20990101-000000-abcdef'")
    assert "unknown run id" in error_of(["bench", "report", "nope", "--store", str(store)])


def test_resume_refuses_other_kinds_and_changed_options(home, store):
    runs = RunStore(store)
    evaluation = runs.create_run("evaluate", {"model": "m"})
    assert "not a bench run" in error_of(["bench", "run", "--resume", evaluation.id, "--store", str(store)])
    bench = runs.create_run("bench", {"suites": [PERF_EDIT], "models": ["openai/x"], "samples": 2, "tasks": []})
    message = error_of(["bench", "run", "--resume", bench.id, "--samples", "3", "--store", str(store)])
    assert message == "--resume: the run was started with samples 2, not 3"


@pytest.mark.parametrize("args, expected", [
    (["--executor", "slurm"], "unknown executor 'slurm'; executors: local, ray"),
    (["--ray-address", "127.0.0.1:6379"], "--ray-address goes with --executor ray"),
    (["--mode", "golf"], "unknown --mode 'golf'; modes: codegen, optimize"),
    (["--price", "openai/fast=cheap"], "--price 'openai/fast=cheap': expected MODEL=IN,OUT"),
    (["--price", "openai/other=1,2"], "--price 'openai/other=1,2': 'openai/other' is not one of the run's models"),
    (["--model", "openai/fast"], "a model is given twice"),
    (["--backend", "vm"], "unknown sandbox backend"),
])
def test_bad_options(home, server, store, args, expected):
    message = error_of(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/fast", "--api-base", server.url,
                        "--store", str(store), *args])
    assert expected in message
    no_run_left(store)


def test_missing_suite_or_model(home, store):
    assert "--suite is required" in error_of(["bench", "run", "--model", "openai/x", "--store", str(store)])
    assert "--model is required" in error_of(["bench", "run", "--suite", PERF_EDIT, "--store", str(store)])


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (the test extra installs it)")
def test_unreachable_ray_cluster(home, server, store):
    port = free_port()
    result = perfforge(["bench", "run", "--suite", PERF_EDIT, "--model", "openai/fast", "--api-base", server.url,
                        "--executor", "ray", "--ray-address", f"127.0.0.1:{port}", "--store", str(store)])
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot reach the Ray cluster at 127.0.0.1:{port}")
    assert server.chat_requests == []
    no_run_left(store)


def test_help_teaches(home):
    result = perfforge(["bench", "run", "--help"])
    assert result.returncode == 0
    for words in ("--suite", "--resume", "--executor", "codegen", "optimize", "Examples"):
        assert words in result.stdout
