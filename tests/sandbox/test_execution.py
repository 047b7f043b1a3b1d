"""What an ordinary execution does, on both backends: files, stdin, env, sessions, results."""

from __future__ import annotations

import hashlib
import threading

from sandbox import WORKDIR, ExecSpec, Limits
from tests.sandbox.conftest import run


def test_files_stdin_env_and_collected_files(sandbox):
    script = b"#!/bin/sh\ncat data/in.txt; tr a-z A-Z; echo \"$GREETING $HOME $(pwd)\"; echo made > out/result.txt\n"
    spec = ExecSpec(
        argv=["./tool.sh"],
        files={"tool.sh": script, "data/in.txt": b"from a file\n", "out/.keep": b""},
        executable=["tool.sh"],
        stdin=b"from stdin\n",
        env={"GREETING": "hello"},
        collect=["out/result.txt", "missing.txt"],
    )
    result = sandbox.run(spec)
    assert result.ok, result.stderr
    assert result.stdout == f"from a file\nFROM STDIN\nhello {WORKDIR} {WORKDIR}\n".encode()
    assert result.files == {"out/result.txt": b"made\n"}
    assert result.backend == sandbox.name and result.image


def test_large_inputs_and_outputs_stream_through(sandbox):
    blob = bytes(range(256)) * (160 * 1024)  # 40 MiB
    digest = hashlib.sha256(blob).hexdigest()
    spec = ExecSpec(
        argv=["sh", "-c", "sha256sum big.bin; sha256sum; cp big.bin copy.bin"],
        files={"big.bin": blob}, stdin=blob, collect=["copy.bin"],
        limits=Limits(wall_s=60, memory_mib=256),
    )
    result = sandbox.run(spec)
    assert result.ok, result.stderr
    assert result.stdout.decode().split()[::2] == [digest, digest]
    assert result.files["copy.bin"] == blob


def test_missing_command_is_a_result_not_an_error(sandbox):
    result, _ = run(sandbox, ["no-such-program", "x"])
    assert result.exit_code == 127 and b"no-such-program" in result.stderr


def test_signals_cpu_time_and_exit_codes(sandbox):
    result, _ = run(sandbox, "kill -SEGV $$")
    assert result.signal == 11 and result.exit_code is None and not result.timed_out
    result, _ = run(sandbox, "exit 7")
    assert result.exit_code == 7 and not result.ok
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    result, _ = run(sandbox, ["python3", "-c", burn])
    assert result.ok and 0.25 <= result.cpu_s <= 1.0 and result.wall_s >= 0.25
    assert result.peak_rss_kib > 1000


def test_cpu_limit_counts_as_timeout(sandbox):
    result, _ = run(sandbox, ["python3", "-c", "while True: pass"], wall_s=30, cpu_s=1)
    # ended by RLIMIT_CPU (SIGXCPU), long before the wall limit even on a loaded machine
    assert result.timed_out and result.signal in (9, 24) and result.wall_s < 20


def test_collect_refuses_fifos_and_device_links(sandbox):
    spec = ExecSpec(argv=["sh", "-c", "mkfifo pipe; ln -s /dev/zero zero; echo fine > ok"],
                    collect=["pipe", "zero", "ok"])
    result = sandbox.run(spec)
    assert result.ok and result.files == {"ok": b"fine\n"}


def test_session_shares_the_work_dir_then_wipes_it(sandbox):
    with sandbox.session() as session:
        # what one execution changes is undone before the next, unless it was asked to keep it
        first = session.run(ExecSpec(argv=["sh", "-c", "cat seed; echo second >> seed; echo made > out"],
                                     files={"seed": b"first\n"}))
        second = session.run(ExecSpec(argv=["sh", "-c", "cat seed; ls"]))
        assert first.stdout == b"first\n" and second.stdout == b"first\nseed\n"
        session.run(ExecSpec(argv=["sh", "-c", "echo made > out"], keep=["out"]))
        assert session.run(ExecSpec(argv=["cat", "seed", "out"])).stdout == b"first\nmade\n"
        # limits may change between executions of one session
        third = session.run(ExecSpec(argv=["cat", "seed"], limits=Limits(memory_mib=64, processes=8)))
        assert third.ok
    result, _ = run(sandbox, "ls -A /work /tmp")
    assert result.stdout == b"/tmp:\n\n/work:\n"


def test_one_shot_runs_leave_nothing_behind(sandbox):
    deep = "d=/work/deep; i=0; while [ $i -lt 300 ]; do d=$d/x; i=$((i+1)); done; mkdir -p $d"
    run(sandbox, f"echo x > /work/a; echo y > /tmp/b; mkdir -p /work/d/e; chmod 000 /work/d; {deep}; touch /dev/shm/s")
    result, _ = run(sandbox, "ls -A /work /tmp /dev/shm")
    assert result.stdout == b"/dev/shm:\n\n/tmp:\n\n/work:\n"


def test_runner_cannot_be_killed_or_read_by_the_candidate(sandbox):
    script = "kill -9 1; kill -INT 1; kill -TERM 1; ls /proc/1/fd 2>&1 | head -1; cat /proc/1/environ 2>&1 | head -1"
    result, _ = run(sandbox, script)
    assert b"Permission denied" in result.stdout
    again, _ = run(sandbox, "echo alive")
    assert again.stdout == b"alive\n"


def test_concurrent_runs_share_the_pool(sandbox):
    outputs: list[bytes] = []

    def worker(i: int) -> None:
        outputs.append(sandbox.run(ExecSpec(argv=["sh", "-c", f"echo {i}"])).stdout)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outputs) == sorted(f"{i}\n".encode() for i in range(6))


def test_describe_reports_provenance(sandbox):
    info = sandbox.describe()
    assert info["backend"] == sandbox.name
    assert info["image"] and info["kernel"]
