"""The hostile-candidate suite, on both backends and the real engine.

Each case must return within its timeout + 2 s, be classified correctly, leave no
process behind (host or sandbox), leave the host unchanged, and the next execution in
the same pool must work.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from sandbox import ExecSpec, Limits
from tests.sandbox.conftest import SECRET, assert_clean_and_working, run

SLACK_S = 2.0
REPO = Path(__file__).resolve().parents[2]


def test_infinite_loop(sandbox):
    result, elapsed = run(sandbox, ["python3", "-c", "while True: pass"], wall_s=2)
    assert result.timed_out and not result.oom_killed and result.exit_code is None
    assert elapsed <= 2 + SLACK_S
    assert 1.5 <= result.wall_s <= 2 + SLACK_S
    assert_clean_and_working(sandbox)


def test_fork_bomb_is_capped_and_killed(sandbox):
    # how many processes can it hold at once?  never more than the limit
    count = ("import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
             "            time.sleep(60); os._exit(0)\n        n += 1\nexcept OSError:\n    print(n)")
    result, elapsed = run(sandbox, ["python3", "-c", count], wall_s=10, processes=20)
    assert result.exit_code == 0, result.stderr
    assert 10 <= int(result.stdout) < 20
    assert elapsed <= 10 + SLACK_S
    # the classic shell bomb: runs until the wall limit, then the whole tree goes
    bomb = "import subprocess, time\nsubprocess.Popen(['sh', '-c', 'b() { b | b & }; b'])\ntime.sleep(60)"
    result, elapsed = run(sandbox, ["python3", "-c", bomb], wall_s=3, processes=32)
    assert result.timed_out
    assert elapsed <= 3 + SLACK_S
    assert_clean_and_working(sandbox)


def test_memory_bomb_is_oom_killed(sandbox):
    bomb = "a = []\nwhile True:\n    a.append(b'x' * (1 << 20))"
    result, elapsed = run(sandbox, ["python3", "-c", bomb], wall_s=20, memory_mib=128)
    assert result.oom_killed and not result.timed_out
    assert result.signal == signal.SIGKILL
    assert elapsed <= 20 + SLACK_S
    assert_clean_and_working(sandbox)


def test_process_ignoring_sigterm(sandbox):
    stubborn = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('armed', flush=True)\ntime.sleep(300)"
    result, elapsed = run(sandbox, ["python3", "-c", stubborn], wall_s=3)
    assert result.timed_out and result.stdout == b"armed\n"
    assert elapsed <= 3 + SLACK_S
    assert_clean_and_working(sandbox)


def test_background_child_outliving_its_parent(sandbox):
    with sandbox.session() as session:
        # a daemon that detaches (new session, double fork) and would write a file later
        spawn = "setsid sh -c 'sleep 1; echo late > /work/late; sleep 300' > /dev/null 2>&1 < /dev/null & echo spawned"
        first = session.run(ExecSpec(argv=["sh", "-c", spawn], limits=Limits(wall_s=5)))
        assert first.ok and first.stdout == b"spawned\n"
        assert first.wall_s < 1.0  # returns when the parent exits, not when the child would
        later = session.run(ExecSpec(argv=["sh", "-c", "sleep 1.5; ls /work; ps -e -o pid=,args="]))
        assert later.ok
        assert b"late" not in later.stdout and b"sleep 300" not in later.stdout
    assert_clean_and_working(sandbox)


def test_one_gib_stdout_flood_is_truncated_with_bounded_memory(sandbox):
    spec = ExecSpec(argv=["sh", "-c", "head -c 1073741824 /dev/zero; echo done >&2"],
                    limits=Limits(wall_s=60, output_bytes=1 << 20))
    with sandbox.pool.checkout() as worker:
        result = worker.execute(spec, wipe=True)
        runner_rss_kib = worker.last_reply["runner_rss_kib"]
    assert result.ok and result.stdout_truncated and not result.stderr_truncated
    assert len(result.stdout) == 1 << 20 and result.stderr == b"done\n"
    assert runner_rss_kib < 100 * 1024, f"runner grew to {runner_rss_kib} KiB"
    assert_clean_and_working(sandbox)


def test_writes_to_etc_home_and_checkout_do_not_reach_the_host(sandbox, tmp_path):
    marker = "perfforge-hostile-marker"
    targets = [Path("/etc") / marker, Path.home() / marker, REPO / marker, Path("/usr/bin") / marker]
    etc_before = sorted(os.listdir("/etc"))
    script = "; ".join(f"(echo pwned > {t}) 2>/dev/null && echo wrote {t}" for t in targets)
    script += f"; (echo pwned > $HOME/{marker}) && echo home=$HOME"
    result, _ = run(sandbox, script)
    for target in targets:
        assert not target.exists(), f"{target} appeared on the host"
    out = result.stdout.decode()
    assert f"wrote /etc/{marker}" not in out and f"wrote /usr/bin/{marker}" not in out
    assert "home=/work" in out  # $HOME is the sandbox's own work dir
    assert sorted(os.listdir("/etc")) == etc_before
    assert_clean_and_working(sandbox)


def test_network_is_unreachable(sandbox):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    probe = (
        "import socket, sys\n"
        "for host, port in (('127.0.0.1', int(sys.argv[1])), ('1.1.1.1', 80), ('deb.debian.org', 80)):\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=2).close(); print('connected', host)\n"
        "    except OSError as exc:\n"
        "        print('refused', host, type(exc).__name__)\n"
    )
    try:
        result, elapsed = run(sandbox, ["python3", "-c", probe, str(port)], wall_s=10)
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    out = result.stdout.decode()
    assert result.ok and "connected" not in out and out.count("refused") == 3, out
    assert elapsed <= 10 + SLACK_S
    assert_clean_and_working(sandbox)


def test_host_secret_is_invisible(sandbox):
    assert os.environ["OPENAI_API_KEY"] == SECRET
    script = "env; cat /proc/1/environ; cat /proc/*/environ; grep -rs OPENAI /proc/*/environ; echo end"
    result, _ = run(sandbox, script)
    assert SECRET.encode() not in result.stdout + result.stderr
    assert b"OPENAI_API_KEY" not in result.stdout
    assert result.stdout.endswith(b"end\n")
    assert_clean_and_working(sandbox)


def test_huge_file_in_work_dir(sandbox):
    spec = ExecSpec(argv=["sh", "-c", "exec head -c 2147483648 /dev/zero > big"], collect=["big"],
                    limits=Limits(wall_s=20, file_size_bytes=32 << 20))
    result = sandbox.run(spec)
    assert result.signal == signal.SIGXFSZ and not result.timed_out
    assert len(result.files["big"]) == 32 << 20  # the file stopped at the limit
    # many files up to the limit fill the sandbox's memory, not the host's disk
    fill = "i=0; while head -c 33554432 /dev/zero > f$i; do i=$((i+1)); done; echo stopped at $i"
    result, elapsed = run(sandbox, fill, wall_s=20, memory_mib=96, file_size_bytes=32 << 20)
    assert result.oom_killed or (result.exit_code == 0 and b"stopped at" in result.stdout), result
    assert elapsed <= 20 + SLACK_S
    assert_clean_and_working(sandbox)


def test_host_processes_are_invisible(sandbox):
    result, _ = run(sandbox, "ps -e -o pid=,args=; ls /proc | grep -c '^[0-9]'")
    rows = result.stdout.decode().splitlines()
    assert result.ok
    assert not any("pytest" in row or "dockerd" in row for row in rows), rows
    assert int(rows[-1]) <= 4  # the runner, sh, ps/ls/grep
    assert str(os.getpid()) not in [row.split()[0] for row in rows[:-1]]
    assert_clean_and_working(sandbox)
