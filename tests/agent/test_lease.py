"""One process at a time works on a run: a second ``--resume`` is refused while the first
works, and a lease left by a process that died is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from agent import lease
from agent.lease import RunInUse, is_stale, me
from agent.store import RunStore
from tests.agent.test_optimize_cli import PERFFORGE

HOLDER = """
import sys
from agent.store import RunStore
with RunStore(sys.argv[1]).lease(sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()   # until the test closes our stdin (or kills us)
print("released", flush=True)
"""


def hold_in_child(store_path, run_id: str) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(store_path), run_id], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout.readline().strip() == "held"
    return child


def stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=30)


def test_a_run_held_by_a_live_process_is_refused_naming_it(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    child = hold_in_child(store.path, "r1")
    try:
        with pytest.raises(RunInUse) as refused:
            with store.lease("r1"):
                pytest.fail("took a lease another live process holds")
        assert f"process {child.pid}" in refused.value.message
        with store.lease("r2"):  # another run is free
            pass
    finally:
        stop(child)


def test_a_lease_given_back_can_be_taken_again(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    child = hold_in_child(store.path, "r1")
    child.stdin.close()
    assert child.stdout.readline().strip() == "released"
    assert child.wait(timeout=30) == 0
    with store.lease("r1"):
        with pytest.raises(RunInUse):  # and while we hold it, even this process cannot take it twice
            with store.lease("r1"):
                pass


def test_the_lease_of_a_killed_process_is_taken_over(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    child = hold_in_child(store.path, "r1")
    os.killpg(child.pid, signal.SIGKILL)  # no chance to give it back
    child.wait(timeout=30)
    with store.lease("r1"):
        pass


def test_the_heartbeat_keeps_a_long_lease_fresh(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs.sqlite")
    beats = []
    real = store.beat_lease

    def counting(run_id: str, token: str) -> bool:
        beats.append(run_id)
        return real(run_id, token)

    monkeypatch.setattr(store, "beat_lease", counting)
    with lease.hold(store, "r1", heartbeat_s=0.05):
        time.sleep(0.4)
    assert len(beats) >= 3


def test_staleness_of_holders_on_this_and_other_machines():
    here = me()
    now = time.time()
    assert not is_stale(here, now)  # this very process
    dead = {**here, "pid": 2**22 + 7, "started": "1"}
    assert is_stale(dead, now)  # no such process
    reused = {**here, "started": str(int(here["started"]) + 1)}
    assert is_stale(reused, now)  # our pid, but not the process that took the lease
    rebooted = {**here, "boot_id": "another-boot"}
    assert is_stale(rebooted, now)
    elsewhere = {**here, "host": "another-machine"}
    assert not is_stale(elsewhere, now - 10, now=now)
    assert is_stale(elsewhere, now - lease.STALE_AFTER_S - 1, now=now)


def test_a_second_resume_from_the_cli_is_one_clear_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    store = RunStore(home / "runs.sqlite")
    store.create_run("bench", {"command": "bench run"}, run_id="busy-run")
    store.set_status("busy-run", "interrupted")
    child = hold_in_child(store.path, "busy-run")
    try:
        env = {**os.environ, "PERFFORGE_HOME": str(home)}
        bench_run = [*PERFFORGE[:-1], "bench", "run"]  # PERFFORGE ends with "optimize"
        done = subprocess.run([*bench_run, "--resume", "busy-run"], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    finally:
        stop(child)
    assert done.returncode == 2, done.stderr
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith("error: run busy-run is being worked on by process"), done.stderr
    assert str(child.pid) in first
    assert "Traceback" not in done.stderr
    assert store.get_run("busy-run").status == "interrupted"  # the refused process changed nothing
