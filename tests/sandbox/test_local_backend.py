"""The local backend's own duties: a dedicated uid, cgroups, the host's files kept out, the unshare fallback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perfforge.errors import SandboxUnavailable
from sandbox import cgroups, namespaces
from sandbox.local_backend import choose_method
from sandbox.uids import UID_BASE
from tests.sandbox.conftest import open_sandbox, run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["bwrap", "unshare"])
def local_box(request):
    box = open_sandbox("local", pool_size=1, method=request.param)
    yield box
    box.close()


def test_host_files_outside_the_system_dirs_are_invisible(local_box):
    script = f"ls -d /root /home {REPO} /var /etc/shadow /etc/hostname 2>&1; ls /etc | wc -l"
    result, _ = run(local_box, script)
    out = result.stdout.decode()
    for path in ("/root", "/home", str(REPO), "/var", "/etc/shadow", "/etc/hostname"):
        assert f"cannot access '{path}'" in out, out
    assert int(out.split()[-1]) < 20  # a handful of curated /etc entries, not the host's /etc


def test_network_and_processes_are_private(local_box):
    result, _ = run(local_box, "cat /proc/net/dev | tail -n +3 | cut -d: -f1; ps -e -o pid= | wc -l")
    lines = result.stdout.decode().split()
    assert lines[:-1] == ["lo"]  # no interface but a loopback of its own
    assert int(lines[-1]) <= 4  # the runner, sh, ps, wc


@pytest.mark.skipif(os.geteuid() != 0, reason="dedicated uids and cgroups need root")
def test_root_runs_commands_under_a_dedicated_uid_with_cgroup_limits(local_box):
    result, _ = run(local_box, "id -u; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || true",
                    memory_mib=100)
    uid, *limit = result.stdout.split()
    assert int(uid) >= UID_BASE
    info = local_box.describe()
    assert info["user"] == "a dedicated uid per sandbox" and info["memory_limit"].startswith("cgroup")
    if cgroups.version() == 1:
        assert int(limit[0]) >= 100 << 20


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_cgroups_are_removed_on_close():
    parent = cgroups.ROOT / "memory" / cgroups.PARENT
    before = set(parent.iterdir()) if parent.is_dir() else set()
    box = open_sandbox("local", pool_size=1)
    run(box, "true")
    mine = set(parent.iterdir()) - before
    assert mine
    box.close()
    assert not any(p.exists() for p in mine)


def test_missing_isolation_tools_say_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(namespaces, "HOST_PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable) as info:
        choose_method("auto")
    assert "bwrap" in info.value.message and "apt-get install bubblewrap" in info.value.hint


NOBODY_SCRIPT = """
import json
from sandbox import ExecSpec, Limits, get_sandbox
from sandbox.doctor import check_local
out = {}
for method in ("bwrap", "unshare"):
    box = get_sandbox("local", pool_size=1, method=method)
    ident = box.run(ExecSpec(argv=["sh", "-c", "id -u; touch /etc/x 2>&1 || true"]))
    loop = box.run(ExecSpec(argv=["python3", "-c", "while True: pass"], limits=Limits(wall_s=1)))
    out[method] = [ident.stdout.decode(), loop.timed_out, box.describe()["user"]]
    box.close()
out["doctor"] = check_local().notes
print(json.dumps(out))
"""


def _same_python_as_system() -> bool:
    import subprocess
    import sys

    try:
        done = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=10)
    except OSError:
        return False
    return done.stdout.strip() == str(sys.version_info[:2])


@pytest.mark.skipif(os.geteuid() != 0 or not _same_python_as_system(), reason="needs root to switch to nobody")
def test_without_root_commands_run_as_the_invoking_user(tmp_path):
    import json
    import site
    import subprocess

    path = ":".join([str(REPO), *site.getsitepackages()])
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i", "PATH=/usr/bin:/bin",
            f"HOME={tmp_path}", f"PERFFORGE_HOME={tmp_path}", f"PYTHONPATH={path}", "/usr/bin/python3", "-c", NOBODY_SCRIPT]
    tmp_path.chmod(0o777)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["bwrap"][0].startswith("65534\n") and out["bwrap"][1] is True
    assert out["unshare"][0].startswith("0\n")  # root of its own user namespace = nobody outside
    assert "Read-only file system" in out["unshare"][0] and out["unshare"][1] is True
    assert all(out[m][2] == "the invoking user (uid 65534)" for m in ("bwrap", "unshare"))
    assert any("not root" in note for note in out["doctor"])
