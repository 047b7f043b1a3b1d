"""``perfforge optimize`` as a user runs it: outputs, --json, and one clear line for bad input."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agent.store import RunStore
from agent.testing import ScriptedServer
from tests.agent.loop_fixtures import DEDUPE, GOOD, WRONG_FASTER, fresh_home, perfforge_home  # noqa: F401

pytestmark = pytest.mark.docker
PERFFORGE = [sys.executable, "-m", "perfforge.cli", "optimize"]


def perfforge(args: list[str], home: Path, cwd: Path, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    environment.update(PERFFORGE_HOME=str(home), **env)
    return subprocess.run([*PERFFORGE, *args], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def home(perfforge_home, tmp_path):
    return fresh_home(perfforge_home, tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_optimize_writes_the_best_candidate_its_diff_and_a_report(home, tmp_path):
    out = tmp_path / "out"
    with ScriptedServer([WRONG_FASTER, GOOD]) as server:
        done = perfforge([str(DEDUPE), "--model", "openai/scripted", "--api-base", server.url, "--iterations", "2",
                          "--metrics", "instructions", "--out", str(out), "--json"], home, tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    wrong, good = summary["attempts"]
    assert (wrong["correct"], wrong["accepted"], wrong["speedup"]) == (False, False, {"instructions": None, "time": None})
    assert good["correct"] and good["accepted"] and good["speedup"]["instructions"] > 10
    assert summary["best"]["n"] == 2 and summary["status"] == "done"
    assert summary["spent"]["calls"] == 2 and summary["spent"]["cost_known"] is False  # no price for "scripted"
    # progress went to stderr while it ran
    assert "attempt 2: accepted" in done.stderr and "measuring the original program" in done.stderr
    best = (out / "solution.py").read_text()
    assert "seen = set()" in best
    diff = (out / "solution.diff").read_text()
    assert diff.startswith("--- a/baseline.py\n+++ b/baseline.py\n") and "+    seen = set()" in diff
    if shutil.which("patch"):
        work = tmp_path / "apply"
        work.mkdir()
        shutil.copy(DEDUPE / "baseline.py", work / "baseline.py")
        subprocess.run(["patch", "-p1", "-i", str(out / "solution.diff")], cwd=work, check=True, capture_output=True)
        assert (work / "baseline.py").read_text() == best
    report = (out / "report.md").read_text()
    assert "| CPU instructions |" in report and "| 2 | openai/scripted | original | accepted |" in report
    assert json.loads((out / "summary.json").read_text()) == summary
    assert RunStore(home / "runs.sqlite").get_run(summary["run_id"]).status == "done"


def error_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def assert_one_clear_line(done: subprocess.CompletedProcess, *phrases: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = error_lines(done)
    assert lines and lines[0].startswith("error: ") and len(lines) <= 2, lines  # the error, and maybe a hint
    assert all(not line.startswith("Traceback") for line in lines)
    for phrase in phrases:
        assert phrase in done.stderr, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("args, phrases", [
    (["--model", "nosuchprovider/some-model"], ["nosuchprovider/some-model"]),
    (["--model", "openai/gpt-4o"], ["no API key is set for openai/gpt-4o", "OPENAI_API_KEY"]),
    (["--model", "openai/x", "--api-base", "http://127.0.0.1:{port}/v1"], ["cannot reach --api-base"]),
    (["--model", "openai/x", "--strategy", "greedy"], ["unknown strategy 'greedy'", "refine, best-of-n, evolve"]),
    (["--model", "openai/x", "--metrics", "memory"], ["must include instructions or time"]),
    (["--model", "openai/x", "--function", "dedupe"], ["apply to a source file"]),
    (["--model", "openai/scripted", "--api-base", "{server}", "--budget-usd", "1"],
     ["a dollar budget needs the model's price", "--budget-tokens"]),
    (["--model", "openai/scripted", "--price", "openai/scripted=cheap"], ["expected MODEL=IN,OUT"]),
    (["--model", "openai/scripted", "--price", "openai/other=1,2"], ["'openai/other' is not one of the run's models"]),
])
def test_bad_input_gets_one_clear_line(home, tmp_path, args, phrases):
    with ScriptedServer([GOOD]) as server:
        args = [a.replace("{port}", str(free_port())).replace("{server}", server.url) for a in args]
        done = perfforge(["-q", str(DEDUPE), *args], home, tmp_path, timeout=120)
        assert server.chat_requests == []
    assert_one_clear_line(done, *phrases)
    assert not (home / "runs.sqlite").exists() or RunStore(home / "runs.sqlite").list_runs() == []


def test_a_price_given_for_a_model_lets_a_dollar_budget_run_and_be_counted(home, tmp_path):
    with ScriptedServer([GOOD]) as server:
        done = perfforge(["-q", str(DEDUPE), "--model", "openai/scripted", "--api-base", server.url,
                          "--price", "openai/scripted=10,40", "--budget-usd", "5", "--iterations", "1",
                          "--metrics", "instructions", "--out", str(tmp_path / "out"), "--json"], home, tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    (entry,) = RunStore(home / "runs.sqlite").ledger(summary["run_id"])
    expected = (entry.prompt_tokens * 10 + entry.completion_tokens * 40) / 1e6
    assert entry.prompt_tokens > 0 and entry.cost_usd == pytest.approx(expected)
    assert summary["spent"]["cost_known"] is True
    assert summary["spent"]["cost_usd"] == pytest.approx(expected)


def test_targets_that_are_not_supported_or_do_not_exist(home, tmp_path):
    source = tmp_path / "lib.py"
    source.write_text("def f(x):\n    return x\n")
    assert_one_clear_line(perfforge([str(source), "--function", "f"], home, tmp_path, timeout=60),
                          "no test file in", "mentions f")
    assert_one_clear_line(perfforge([str(source), "--function", "g"], home, tmp_path, timeout=60),
                          "no module-level function 'g'")
    (tmp_path / "notes.txt").write_text("x\n")
    assert_one_clear_line(perfforge([str(tmp_path / "notes.txt")], home, tmp_path, timeout=60),
                          "not something perfforge can optimize")
    assert_one_clear_line(perfforge([str(tmp_path / "nowhere")], home, tmp_path, timeout=60), "no such file")


def test_a_target_that_does_not_run_is_refused_before_any_model_call(home, tmp_path):
    task = tmp_path / "broken"
    shutil.copytree(DEDUPE, task)
    (task / "baseline.py").write_text("def dedupe(items):\n    return 1 / 0\n")
    with ScriptedServer([GOOD]) as server:
        done = perfforge(["-q", str(task), "--model", "openai/scripted", "--api-base", server.url,
                          "--metrics", "time"], home, tmp_path)
        assert server.chat_requests == []
    assert_one_clear_line(done, "the original program fails its own task", "ZeroDivisionError")
    (run,) = RunStore(home / "runs.sqlite").list_runs()
    assert run.status == "failed"


def test_a_provider_failure_stops_with_the_resume_command(home, tmp_path):
    from agent.testing import error

    with ScriptedServer([error(401)]) as server:
        done = perfforge(["-q", str(DEDUPE), "--model", "openai/scripted", "--api-base", server.url,
                          "--metrics", "time", "--out", str(tmp_path / "out")], home, tmp_path)
    assert done.returncode == 2
    lines = error_lines(done)
    (run,) = RunStore(home / "runs.sqlite").list_runs()
    assert lines[-2].startswith(f"error: run {run.id} interrupted: the provider rejected the credentials")
    assert lines[-1] == f"hint: nothing measured is lost; continue with: perfforge optimize --resume {run.id}"
    assert run.status == "interrupted"
    assert "Continue with `perfforge optimize --resume" in (tmp_path / "out" / "report.md").read_text()
