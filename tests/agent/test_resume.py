"""``kill -9`` in the middle of a measurement, then ``--resume``: nothing measured is lost and no
model call is repeated (checked on the scripted server's request log)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from agent.store import RunStore
from agent.testing import ScriptedServer
from tests.agent.loop_fixtures import DEDUPE, GOOD, WRONG_FASTER, fresh_home, perfforge_home  # noqa: F401
from tests.agent.test_optimize_cli import PERFFORGE

pytestmark = pytest.mark.docker

# a third, different correct candidate, as a whole file: dict keys keep the order of first appearance
DICT_KEYS = """A dict keeps insertion order.

```python
def dedupe(items):
    return list(dict.fromkeys(items))
```
"""


def wait_for(predicate, timeout_s: float, what: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.stderr.read()}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_during_a_measurement_then_resume(perfforge_home, tmp_path):
    home = fresh_home(perfforge_home, tmp_path)
    env = {**{k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}, "PERFFORGE_HOME": str(home)}
    store_path = home / "runs.sqlite"
    out = tmp_path / "out"
    with ScriptedServer([WRONG_FASTER, GOOD, DICT_KEYS]) as server:
        args = [str(DEDUPE), "--model", "openai/scripted", "--api-base", server.url, "--iterations", "3",
                "--metrics", "time", "--out", str(out)]
        first = subprocess.Popen([*PERFFORGE, *args], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            wait_for(lambda: store_path.exists() and RunStore(store_path).list_runs(), 120, "the run starts", first)
            run_id = RunStore(store_path).list_runs()[0].id

            def keys() -> list[str]:
                return [k for k, _ in RunStore(store_path).journal(run_id)]

            # the second reply is journaled: its candidate is being checked and timed now
            wait_for(lambda: any(k.startswith("it-002/ask") for k in keys()), 300, "the second reply", first)
            time.sleep(0.5)
            verdicts_before = [k for k in keys() if k.endswith("/verdict")]
            worked_before = RunStore(store_path).elapsed(run_id)  # kept at every step, for the wall-time budget
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        first_stderr = first.stderr.read()
        assert len(verdicts_before) == 2, (verdicts_before, first_stderr)  # the original's and attempt 1's
        assert len(server.chat_requests) == 2
        assert RunStore(store_path).get_run(run_id).status == "running"  # it never got to say anything

        resumed = subprocess.run([*PERFFORGE, "--resume", run_id, "--json"], env=env, cwd=tmp_path,
                                 capture_output=True, text=True, timeout=600)
        requests = server.chat_requests
    assert resumed.returncode == 0, resumed.stderr
    # no model call repeated: three attempts, three requests in all, each a different prompt
    assert len(requests) == 3
    assert len({json.dumps(r.messages) for r in requests}) == 3
    # nothing measured lost: the resumed run measured only the killed candidate and the new one
    assert resumed.stderr.count("correctness: the candidate") == 2
    assert "profiling the original program" not in resumed.stderr  # its profile was journaled
    summary = json.loads(resumed.stdout)
    assert [a["status"] for a in summary["attempts"]][0] == "wrong"
    assert all(a["correct"] for a in summary["attempts"][1:])
    assert summary["status"] == "done" and summary["run_id"] == run_id
    run = RunStore(store_path)
    ledger = run.ledger(run_id)
    assert len(ledger) == 3 and not any(e.replayed for e in ledger)  # each call paid once, none again
    assert run.get_run(run_id).status == "done"
    assert (out / "report.md").is_file()
    assert 0 < worked_before < run.elapsed(run_id)  # the second session's seconds were added to the first's
