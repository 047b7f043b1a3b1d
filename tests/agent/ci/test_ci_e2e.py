"""``perfforge ci`` end to end on a throwaway repository (a package with a slow function, its
tests and a pytest-benchmark benchmark; the function changed on a branch), in the real
sandbox, with the scripted model server and the fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.ci.pipeline import CiOptions, run_ci
from agent.testing import ScriptedServer
from agent.testing.fake_github import FakeGitHub
from tests.agent.ci.repo_fixtures import GIT_ENV, commit, git, make_repo
from tests.agent.loop_fixtures import fresh_home
from tests.evaluators.measure_fixtures import perfforge_home  # noqa: F401 - fixture

pytestmark = pytest.mark.docker

TOKEN = "ghp_E2Efake_5d41402abc4b2a76b9719d911017c592"

STATS = '''"""Small statistics helpers."""


def dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def total(xs):
    return sum(xs)
'''

TESTS = '''from fastlib.stats import dedupe, total


def test_order():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_strings():
    assert dedupe(["b", "a", "b"]) == ["b", "a"]


def test_many():
    assert dedupe(list(range(400)) * 2) == list(range(400))


def test_total():
    assert total([1, 2]) == 3
'''

BENCH = '''from fastlib.stats import dedupe


def test_dedupe_speed(benchmark):
    result = benchmark(dedupe, list(range(300)) * 2)
    assert len(result) == 300
'''

# small stress inputs keep the test quick (valgrind counts every instruction of both versions), yet
# large enough for the set-based version to be clearly faster with process start-up included
PYPROJECT = '''[project]
name = "fastlib"
version = "0.1"

[tool.perfforge]
stress-budget-s = 0.05
'''

LOOP = '''    out = []
    for item in items:
        if item not in out:
            out.append(item)
'''


def _reply(prose: str, search: str, replace: str) -> str:
    return f"{prose}\n\nstats.py\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


GOOD = _reply("A list membership test makes the loop quadratic; a set remembers what was kept.", LOOP,
              LOOP.replace("    out = []\n", "    out = []\n    seen = set()\n")
              .replace("if item not in out:\n", "if item not in seen:\n            seen.add(item)\n"))
# faster, and wrong on the recorded calls: the order of first appearances is lost
WRONG_FASTER = _reply("Sorting a set is faster.", LOOP + "    return out\n", "    return sorted(set(items))\n")
# the same algorithm under other names: no faster
EQUIVALENT = _reply("Clearer names.", LOOP + "    return out\n", LOOP.replace("out", "kept") + "    return kept\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("ci-e2e") / "fastlib-repo", {
        "fastlib/__init__.py": "", "fastlib/stats.py": STATS, "tests/test_stats.py": TESTS,
        "tests/test_bench.py": BENCH, "pyproject.toml": PYPROJECT})
    changed = STATS.replace("def dedupe(items):\n", 'def dedupe(items):\n    """The items without repeats, in '
                                                   'the order they first appear."""\n')
    commit(root, {"fastlib/stats.py": changed}, "dedupe: say what it does", branch="feature")
    return root


@pytest.fixture(scope="module")
def home(perfforge_home, tmp_path_factory) -> Path:  # noqa: F811
    return fresh_home(perfforge_home, tmp_path_factory.mktemp("ci-home"))


def perfforge(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN"))}
    env.update(PERFFORGE_HOME=str(home), GITHUB_TOKEN=TOKEN)
    return subprocess.run([sys.executable, "-m", "perfforge.cli", "ci", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def _model(server: ScriptedServer) -> list[str]:
    return ["--model", "openai/scripted", "--api-base", server.url]


@pytest.fixture(scope="module")
def dry_run(project, home):
    with ScriptedServer([GOOD]) as server:
        done = perfforge(["--dry-run", "--base", "main", *_model(server), "--iterations", "1", "--json"],
                         project, home)
        sent = server.requests
    assert done.returncode == 0, done.stderr
    return done, json.loads(done.stdout), sent


def test_dry_run_proposes_a_patch_that_applies_and_passes_the_tests(dry_run, project, tmp_path):
    _, summary, _ = dry_run
    assert summary["mode"] == "changed" and summary["suite"]["passed"] == 5
    [outcome] = summary["outcomes"]
    assert outcome["target"] == "fastlib/stats.py::dedupe" and outcome["status"] == "proposed", outcome
    assert outcome["ci95"][0] > 1.05 and outcome["branch"].startswith("perfforge/dedupe-")
    patch = Path(outcome["files"]["patch"])
    assert patch.parent == project / ".perfforge" / "ci" and patch.name == "stats-dedupe.patch"
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", "--branch", "feature", str(project), str(fresh))
    git(fresh, "apply", str(patch))
    assert "seen = set()" in (fresh / "fastlib" / "stats.py").read_text()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark-disable"],
                         cwd=fresh, capture_output=True, text=True, timeout=300, env={**GIT_ENV, "PYTHONPATH": "."})
    assert run.returncode == 0 and "5 passed" in run.stdout, run.stdout + run.stderr
    # the repository itself is untouched: still clean, its output folder ignored by git
    assert git(project, "status", "--porcelain") == ""


def test_the_pr_body_has_the_measured_table_and_its_guards(dry_run):
    _, summary, _ = dry_run
    body = Path(summary["outcomes"][0]["files"]["pr_body"]).read_text()
    assert body.startswith("# [perfforge] Speed up `dedupe` by ")
    assert "<!-- perfforge-target: fastlib/stats.py::dedupe -->" in body
    rows = {line.split("|")[1].strip(): line for line in body.splitlines() if line.startswith("| ")}
    time_row = rows["time per run of all stress inputs (median of 20 interleaved runs)"]
    assert "faster**, 95% CI [" in time_row and "p = " in time_row
    assert "fewer (valgrind" in rows["CPU instructions"]
    assert "KiB" in rows["peak memory (RSS)"]
    assert "benchmark `tests/test_bench.py::test_dedupe_speed` (median)" in rows
    assert "> A list membership test makes the loop quadratic" in body
    assert "**5 passed**, 0 failed" in body and "`tests/test_stats.py::test_order`" in body
    assert "fingerprint `" in body and "perfforge ci --dry-run --functions changed" in body


def test_the_token_never_leaves_the_environment(dry_run, project):
    done, _, sent = dry_run
    assert TOKEN not in done.stdout and TOKEN not in done.stderr
    for path in (project / ".perfforge").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert sent and all(TOKEN not in r.raw and TOKEN not in json.dumps(r.headers) for r in sent)


def test_proposing_on_github_creates_branch_commit_and_pull_request(dry_run, project, home, monkeypatch, caplog,
                                                                     capsys):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PERFFORGE_HOME", str(home))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    options = dict(repo=project, base="main", model="openai/scripted", iterations=1, github_repo="octo/fastlib")
    with ScriptedServer([GOOD]) as server, FakeGitHub(token=TOKEN, repo="octo/fastlib") as gh:
        report = run_ci(CiOptions(api_base=server.url, github_api=gh.url, **options))
        [outcome] = report.outcomes
        assert outcome.status == "proposed", outcome.reasons
        assert [(r.method, r.path) for r in gh.requests] == [
            ("GET", "/repos/octo/fastlib"), ("GET", "/repos/octo/fastlib/pulls"),
            ("POST", "/repos/octo/fastlib/git/blobs"), ("POST", "/repos/octo/fastlib/git/trees"),
            ("POST", "/repos/octo/fastlib/git/commits"), ("POST", "/repos/octo/fastlib/git/refs"),
            ("POST", "/repos/octo/fastlib/pulls")]
        head = git(project, "rev-parse", "HEAD").strip()
        assert gh.calls("POST", "/git/trees")[0].body["base_tree"] == git(project, "rev-parse", "HEAD^{tree}").strip()
        assert gh.calls("POST", "/git/commits")[0].body["parents"] == [head]
        branch = dry_run[1]["outcomes"][0]["branch"]  # the same change: the same branch name
        assert gh.calls("POST", "/git/refs")[0].body["ref"] == f"refs/heads/{branch}"
        patched = (project / "fastlib" / "stats.py").read_text().replace(LOOP, GOOD.split("=======\n")[1].split(
            ">>>>>>>")[0])
        assert gh.branch_files(branch) == {"fastlib/stats.py": patched.encode()}
        pull = gh.calls("POST", "/pulls")[0].body
        assert pull["head"] == branch and pull["base"] == "main" and pull["title"].startswith("[perfforge] Speed up")
        dry_body = Path(dry_run[1]["outcomes"][0]["files"]["pr_body"]).read_text()
        for marker in ("<!-- perfforge-target: fastlib/stats.py::dedupe -->", "| CPU instructions |",
                       "### What guards it", "**5 passed**, 0 failed"):
            assert marker in pull["body"] and marker in dry_body
        assert outcome.pull_request == {"number": 1, "url": "https://github.com/octo/fastlib/pull/1"}

        # run again while that pull request is open: nothing new is proposed, and no model is asked
        again = run_ci(CiOptions(api_base=server.url, github_api=gh.url, **options))
        assert [o.status for o in again.outcomes] == ["duplicate"] and "#1" in again.outcomes[0].reasons[0]
        assert len(gh.calls("POST")) == 5 and len(server.chat_requests) == 1
    printed = capsys.readouterr()
    assert TOKEN not in caplog.text and TOKEN not in printed.out + printed.err
    assert all(TOKEN not in r.raw for r in gh.requests)
    assert TOKEN not in report.model_dump_json() and TOKEN not in pull["body"]


def test_wrong_and_merely_equivalent_candidates_are_not_proposed(project, home, tmp_path):
    out = tmp_path / "out"
    with ScriptedServer([WRONG_FASTER, EQUIVALENT]) as server:
        done = perfforge(["--dry-run", "--base", "main", *_model(server), "--iterations", "2", "--out", str(out),
                          "--json"], project, home)
    assert done.returncode == 0, done.stderr
    [outcome] = json.loads(done.stdout)["outcomes"]
    assert outcome["status"] == "rejected" and outcome["files"] == {}
    wrong, same = outcome["attempts"]
    assert wrong["status"] == "wrong" and "WRONG on recorded" in wrong["reason"]
    assert same["status"] == "not-faster"
    assert any("attempt 1: wrong" in r for r in outcome["reasons"])
    assert any("attempt 2: not-faster" in r for r in outcome["reasons"])
    assert not list(out.glob("*.patch")) and not list(out.glob("*-pr.md"))
    assert "0 proposal(s)" not in done.stdout  # --json prints JSON only
