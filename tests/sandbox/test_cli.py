"""``perfforge sandbox exec | doctor | build`` end to end (the real backends and engine)."""

from __future__ import annotations

import json

import pytest

from sandbox.models import ExecResult
from tests.sandbox.test_bad_input import CLOSED_SOCKET, perfforge


@pytest.mark.parametrize("backend", [pytest.param("docker", marks=pytest.mark.docker), "local"])
def test_exec_prints_the_result_and_exits_zero_whatever_the_command_did(backend, tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("import sys\nprint(open('data/in.txt').read().strip(), sys.stdin.read())\nsys.exit(3)\n")
    data = tmp_path / "in.txt"
    data.write_text("from a file")
    feed = tmp_path / "feed"
    feed.write_text("from stdin")
    done = perfforge("sandbox", "exec", "-b", backend, "--json", "--file", str(prog), "--file", f"{data}:data/in.txt",
                     "--stdin", str(feed), "--", "python3", "prog.py")
    assert done.returncode == 0, done.stderr
    result = ExecResult.model_validate_json(done.stdout)
    assert result.exit_code == 3 and result.stdout == b"from a file from stdin\n" and result.backend == backend
    human = perfforge("sandbox", "exec", "-b", backend, "-t", "1", "--", "sh", "-c", "echo hi; sleep 5")
    assert human.returncode == 0
    assert human.stdout.startswith("timed out after") and "--- stdout ---\nhi\n" in human.stdout


def test_doctor_reports_each_backend():
    done = perfforge("sandbox", "doctor", "--json")
    assert done.returncode == 0, done.stderr
    diagnosis = json.loads(done.stdout)
    assert [b["backend"] for b in diagnosis["backends"]] == ["docker", "local"]
    assert "local" in diagnosis["usable"]


def test_doctor_explains_an_unreachable_engine():
    done = perfforge("sandbox", "doctor", env={"DOCKER_HOST": CLOSED_SOCKET})
    lines = done.stdout.splitlines()
    assert lines[0] == "docker: NOT usable"
    assert lines[1].startswith(f"  problem: the Docker engine at {CLOSED_SOCKET} does not answer")
    assert lines[2].startswith("  fix: start Docker")
    assert "default backend: local" in done.stdout


@pytest.mark.docker
def test_build_reuses_an_image_with_the_current_recipe():
    done = perfforge("sandbox", "build", "--json")
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["reused"] is True and outcome["seconds"] < 30
