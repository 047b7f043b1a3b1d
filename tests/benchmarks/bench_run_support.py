"""What the ``bench run`` tests share: one perfforge home per test process (so a program's
instruction count, taken once, is read from the count cache by every later test), the
scripted models, and the CLI.

The scripted models answer by task (a step matches the task's title in the prompt and
repeats), so the order in which tasks are asked does not matter:

- ``fast``  answers each task with its fastest reference;
- ``slow``  with its slowest program (the codegen task's naive reference, the perf-edit
  task's original);
- ``wrong`` with a wrong ``count_primes`` and, for the perf-edit task, prose without code.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from agent.testing.scripted_server import Step
from benchmarks.suites import resolve_task

CODEGEN = "examples/py-count-primes"
PERF_EDIT = "examples/py-dedupe"
TASKS = f"{CODEGEN},{PERF_EDIT}"
PRICE = (1.0, 2.0)  # USD per million prompt / completion tokens, for every scripted model
WRONG_PRIMES = "def count_primes(n):\n    return 1\n"

_HOME: Path | None = None


def shared_home() -> Path:
    """This test process's perfforge home (removed at exit)."""
    global _HOME
    if _HOME is None:
        _HOME = Path(tempfile.mkdtemp(prefix="perfforge-bench-home-"))
        atexit.register(shutil.rmtree, _HOME, True)
    return _HOME


def source(task_id: str, name: str) -> str:
    return resolve_task(task_id).read(name).decode()


def fenced(code: str) -> str:
    return f"Here is the program.\n\n```python\n{code}```\n"


def answers() -> dict[str, dict[str, str]]:
    """model -> task id -> reply text."""
    return {
        "fast": {CODEGEN: fenced(source(CODEGEN, "ref_sieve.py")), PERF_EDIT: fenced(source(PERF_EDIT, "reference_set.py"))},
        "slow": {CODEGEN: fenced(source(CODEGEN, "ref_naive.py")), PERF_EDIT: fenced(source(PERF_EDIT, "baseline.py"))},
        "wrong": {CODEGEN: fenced(WRONG_PRIMES), PERF_EDIT: "I would keep a set of the items seen so far."},
    }


def script(models: tuple[str, ...] = ("fast", "slow", "wrong"), delays: dict[str, float] | None = None) -> dict[str, list[Step]]:
    """The scripted server's script: each model answers each task by its title, every time."""
    titles = {task_id: resolve_task(task_id).spec.title for task_id in (CODEGEN, PERF_EDIT)}
    table = answers()
    return {model: [Step(reply=table[model][task_id], match=re.escape(titles[task_id]), repeat=True,
                         delay_s=(delays or {}).get(model, 0.0)) for task_id in titles] for model in models}


def run_args(server_url: str, store: Path, *, models: tuple[str, ...] = ("fast", "slow", "wrong"), samples: int = 2,
             extra: tuple[str, ...] = ()) -> list[str]:
    args = ["bench", "run", "--suite", TASKS, "--api-base", server_url, "--samples", str(samples),
            "--store", str(store), "--json"]
    for model in models:
        args += ["--model", f"openai/{model}", "--price", f"openai/{model}={PRICE[0]},{PRICE[1]}"]
    return args + list(extra)


def invoke(args: list[str]) -> Any:
    """``perfforge ARGS`` in this process (a PerfforgeError stays in ``result.exception``)."""
    from typer.testing import CliRunner

    from perfforge.cli import app

    return CliRunner().invoke(app, args, catch_exceptions=True)


def perfforge(args: list[str], *, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The console script in a subprocess: what a user sees (one ``error:`` line, exit code).
    On timeout its whole process group is killed."""
    script = Path(sys.executable).with_name("perfforge")
    full_env = {**os.environ, "PERFFORGE_HOME": str(shared_home()), **(env or {})}
    proc = subprocess.Popen([str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:  # the timeout, or the test itself stopped (pytest-timeout, Ctrl-C)
        kill_tree(proc)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the process group ``proc`` leads (it was started in a new session), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=30)


def free_port() -> int:
    """A loopback port nothing listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Home:
    """Set PERFFORGE_HOME to the shared home for a test module; restore it after."""

    def __enter__(self) -> Path:
        self.old = os.environ.get("PERFFORGE_HOME")
        os.environ["PERFFORGE_HOME"] = str(shared_home())
        return shared_home()

    def __exit__(self, *exc: object) -> None:
        if self.old is None:
            os.environ.pop("PERFFORGE_HOME", None)
        else:
            os.environ["PERFFORGE_HOME"] = self.old
