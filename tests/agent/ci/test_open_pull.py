"""Opening a proposal on GitHub (the fake on 127.0.0.1) from a real clone: the objects it
creates, and each API error as a clear, token-free reason."""

from __future__ import annotations

import pytest

from agent.ci.discover import Candidate
from agent.ci.gitrepo import Repo
from agent.ci.pipeline import CiOptions, GitHubSide, _open, require_some_opened
from agent.ci.propose import make_proposal
from agent.ci.report import CiReport, Outcome
from agent.testing.fake_github import FakeGitHub
from perfforge.errors import ConfigError
from tests.agent.ci.repo_fixtures import git, make_repo

TOKEN = "ghp_OPENtest_0123456789abcdef0123"
BEFORE = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
AFTER = "def total(xs):\n    return sum(xs)\n"


@pytest.fixture()
def setup(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"lib/calc.py": BEFORE, "run.sh": "#!/bin/sh\n"})
    (root / "run.sh").chmod(0o755)
    git(root, "commit", "-q", "-am", "executable")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    candidate = Candidate(path="lib/calc.py", function="total", lineno=1, end_lineno=5, found_by="changed")
    proposal = make_proposal(candidate, BEFORE, AFTER, 3.0)
    proposal.body = "<!-- perfforge-target: lib/calc.py::total -->\nmeasured"
    return Repo(root), proposal


def _side(gh: FakeGitHub, repo: Repo) -> GitHubSide:
    return GitHubSide(CiOptions(repo=repo.root, github_api=gh.url, github_repo="octo/lib"), repo)


def test_a_proposal_becomes_blob_tree_commit_branch_and_pull_request(setup):
    repo, proposal = setup
    with FakeGitHub(token=TOKEN) as gh:
        side = _side(gh, repo)
        outcome = Outcome(target=proposal.target, found_by="changed", status="accepted")
        _open(side, repo, proposal, outcome, lambda _m: None)
        assert outcome.status == "proposed" and outcome.pull_request["number"] == 1
        tree = gh.calls("POST", "/git/trees$")[0].body
        assert tree["base_tree"] == repo.tree_of("HEAD")
        assert [(e["path"], e["mode"], e["type"]) for e in tree["tree"]] == [("lib/calc.py", "100644", "blob")]
        commit = gh.calls("POST", "/git/commits$")[0].body
        assert commit["parents"] == [repo.head] and commit["message"] == proposal.commit_message
        assert gh.refs[proposal.branch] in gh.commits
        assert gh.branch_files(proposal.branch) == {"lib/calc.py": AFTER.encode()}
        pull = gh.calls("POST", "/pulls$")[0].body
        assert (pull["head"], pull["base"], pull["title"], pull["body"]) == (
            proposal.branch, "main", proposal.title, proposal.body)
        assert side.pulls[-1]["number"] == 1  # counted as open for the rest of the run
        for request in gh.requests:
            assert TOKEN not in request.raw and TOKEN not in request.path


@pytest.mark.parametrize("fail, branches, words", [
    ({"POST /git/blobs$": 403}, None, ["403", "contents: write"]),
    ({}, "existing", ["already exists", "422"]),
])
def test_api_errors_are_reasons_and_an_error_when_nothing_opened(setup, fail, branches, words):
    repo, proposal = setup
    refs = {"main": "0" * 40, proposal.branch: "1" * 40} if branches else None
    with FakeGitHub(token=TOKEN, fail=fail, branches=refs) as gh:
        outcome = Outcome(target=proposal.target, found_by="changed", status="accepted")
        _open(_side(gh, repo), repo, proposal, outcome, lambda _m: None)
        assert not gh.calls("POST", "/pulls$")
    assert outcome.status == "failed-to-open"
    assert all(w in outcome.reasons[-1] for w in words) and TOKEN not in outcome.reasons[-1]
    report = CiReport(repo=str(repo.root), head=repo.head, base=None, mode="changed", dry_run=False, threshold=0.05,
                      out="x", outcomes=[outcome])
    with pytest.raises(ConfigError, match="no pull request could be opened") as info:
        require_some_opened(report)
    assert words[0] in info.value.message
    report.outcomes.append(Outcome(target="b.py::g", found_by="changed", status="proposed"))
    require_some_opened(report)  # one opened: the run reports the other, exit 1 from the CLI


def test_the_file_mode_is_kept(setup):
    repo, proposal = setup
    proposal = proposal.model_copy(update={"path": "run.sh", "code": "#!/bin/sh\necho hi\n"})
    with FakeGitHub(token=TOKEN) as gh:
        _open(_side(gh, repo), repo, proposal, Outcome(target="run.sh::x", found_by="hot", status="accepted"),
              lambda _m: None)
        assert gh.calls("POST", "/git/trees$")[0].body["tree"][0]["mode"] == "100755"
