"""``perfforge ci`` as a user runs it, for input it must refuse before any work: one clear line,
exit 2, and never the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.testing.fake_github import FakeGitHub
from tests.agent.ci.repo_fixtures import make_repo

TOKEN = "ghp_CItoken_4f1c2d9e8b7a6f5e4d3c2b1a"
MODULE = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"


def perfforge(args: list[str], cwd: Path, home: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.endswith(("_API_KEY", "_TOKEN")) and k != "GITHUB_REPOSITORY"}
    environment.update(PERFFORGE_HOME=str(home), **env)
    return subprocess.run([sys.executable, "-m", "perfforge.cli", "ci", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {"lib/__init__.py": "", "lib/calc.py": MODULE,
                                         "tests/test_calc.py": "from lib.calc import total\n\n\n"
                                                               "def test_total():\n    assert total([1, 2]) == 3\n"})


def _one_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for word in words:
        assert word in errors[0], errors[0]
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr + done.stdout


def test_not_a_git_repository(tmp_path):
    (tmp_path / "plain").mkdir()
    _one_error(perfforge(["--dry-run", "--repo", str(tmp_path / "plain")], tmp_path, tmp_path / "h"),
               "not a git repository")


def test_a_dirty_work_tree(repo, tmp_path):
    (repo / "lib" / "calc.py").write_text(MODULE + "# wip\n")
    _one_error(perfforge(["--dry-run"], repo, tmp_path / "h"), "uncommitted changes", "lib/calc.py")


def test_a_base_ref_that_does_not_exist(repo, tmp_path):
    _one_error(perfforge(["--dry-run", "--base", "origin/nowhere"], repo, tmp_path / "h"), "origin/nowhere",
               "no such branch")


def test_bad_flag_values(repo, tmp_path):
    _one_error(perfforge(["--dry-run", "--functions", "some"], repo, tmp_path / "h"), "--functions")


def test_no_token_without_dry_run(repo, tmp_path):
    _one_error(perfforge(["--github-repo", "octo/lib"], repo, tmp_path / "h"), "no GitHub token")


def test_a_rejected_token_stops_before_any_work(repo, tmp_path):
    with FakeGitHub(token="the-real-one-123456") as gh:
        done = perfforge(["--github-repo", "octo/lib", "--github-api", gh.url], repo, tmp_path / "h",
                         GITHUB_TOKEN=TOKEN)
        _one_error(done, "rejected the token", "401")
        assert [r.path for r in gh.requests] == ["/repos/octo/lib"]


def test_init_writes_the_workflow(repo, tmp_path):
    done = perfforge(["init", "--model", "openai/gpt-4o-mini", "--model-secret", "OPENAI_API_KEY"], repo,
                     tmp_path / "h")
    assert done.returncode == 0, done.stderr
    text = (repo / ".github" / "workflows" / "perfforge.yml").read_text()
    assert "branches:\n      - \"main\"" in text and "OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}" in text
    _one_error(perfforge(["init"], repo, tmp_path / "h"), "exists already")
    _one_error(perfforge(["init", "--force", "--model-secret", "X_KEY"], repo, tmp_path / "h"), "--model-secret")


@pytest.mark.docker
def test_no_tests_found(tmp_path):
    bare = make_repo(tmp_path / "bare", {"lib/__init__.py": "", "lib/calc.py": MODULE})
    _one_error(perfforge(["--dry-run", "--functions", "hot"], bare, tmp_path / "h"), "no tests found")


@pytest.mark.docker
def test_a_suite_failing_before_any_change(repo, tmp_path):
    from tests.agent.ci.repo_fixtures import commit

    commit(repo, {"tests/test_broken.py": "def test_broken():\n    assert False\n"})
    _one_error(perfforge(["--dry-run", "--functions", "hot"], repo, tmp_path / "h"), "tests fail without any change",
               "tests/test_broken.py::test_broken")


def test_an_output_folder_that_would_swallow_the_repository(repo, tmp_path):
    _one_error(perfforge(["--dry-run", "--out", "."], repo, tmp_path / "h"), "--out", "not the repository")


@pytest.mark.docker
def test_a_provider_failure_stops_the_bot_with_its_own_way_on(repo, tmp_path):
    from agent.testing import ScriptedServer, error
    from tests.agent.ci.repo_fixtures import commit

    commit(repo, {"lib/calc.py": MODULE.replace("s = 0", "s = 0  # the sum")}, branch="feature")
    with ScriptedServer([error(401)]) as server:
        done = perfforge(["--dry-run", "--functions", "changed", "--base", "main", "--model", "openai/x",
                          "--api-base", server.url, "--iterations", "1"], repo, tmp_path / "h")
    _one_error(done, "interrupted", "rejected the credentials")
    assert "run perfforge ci again" in done.stderr
    assert "optimize --resume" not in done.stderr
