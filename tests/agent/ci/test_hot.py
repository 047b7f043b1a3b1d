"""``--functions hot`` and ``auto``: the repository's suite profiled in the real sandbox."""

from __future__ import annotations

import pytest

from agent.ci.config import CiConfig
from agent.ci.gitrepo import Repo
from agent.ci.hot import hot_functions
from agent.ci.pipeline import discover
from agent.repo_tests import repo_files
from perfforge.errors import ConfigError
from tests.agent.ci.repo_fixtures import commit, make_repo
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker

LIB = '''def pairs(n):
    return [(i, j) for i in range(n) for j in range(n) if (i * j) % 7 == 3]


def dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def cheap(x):
    return x + 1
'''

TESTS = '''import pytest

from lib.work import cheap, dedupe, pairs


@pytest.fixture
def data():
    return sorted(list(range(2500)) * 2, reverse=True)


def helper_in_test_file(n):
    return sum(i * i for i in range(n))


def test_dedupe(data):
    assert len(dedupe(data)) == 2500
    assert helper_in_test_file(200000) > 0


def test_pairs():
    assert len(pairs(150)) > 0


def test_cheap():
    assert cheap(1) == 2
'''


@pytest.fixture()
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {"lib/__init__.py": "", "lib/work.py": LIB, "tests/test_work.py": TESTS,
                                         "conftest.py": "def pytest_configure(config):\n    pass\n"})


def test_the_hottest_functions_of_the_code_not_of_the_tests(repo, box):
    r = Repo(repo)
    found = hot_functions(r, repo_files(r.root), CiConfig(), box)
    names = [c.function for c in found.candidates]
    assert names[0] == "dedupe" and "pairs" in names
    assert "cheap" not in names  # no measurable time
    assert all(c.path == "lib/work.py" and c.found_by == "hot" and c.seconds > 0 for c in found.candidates)
    ignored = hot_functions(r, repo_files(r.root), CiConfig(ignore=["lib/work.py"]), box)
    assert ignored.candidates == [] and ignored.notes


def test_auto_profiles_when_the_diff_touches_no_function(repo, box):
    commit(repo, {"lib/work.py": LIB + "\nLIMIT = 3\n"}, branch="feature")
    r = Repo(repo)
    found = discover(r, repo_files(r.root), CiConfig(functions="auto"), "main", box, None, lambda _m: None)
    assert found.mode == "hot" and found.candidates[0].function == "dedupe"
    assert any("touches no function" in n for n in found.notes)
    changed_only = discover(r, repo_files(r.root), CiConfig(functions="changed"), "main", box, None, lambda _m: None)
    assert changed_only.mode == "changed" and changed_only.candidates == []


def test_no_tests_found_is_an_error(tmp_path, box):
    r = Repo(make_repo(tmp_path / "bare", {"lib/__init__.py": "", "lib/work.py": LIB}))
    with pytest.raises(ConfigError, match="no tests found"):
        hot_functions(r, repo_files(r.root), CiConfig(), box)
