"""run_pytest: a repository's own suite in the sandbox, read from what pytest's hooks wrote."""

from __future__ import annotations

import pytest

from agent.repo_tests import repo_files, run_pytest
from perfforge.errors import ConfigError
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker

CALC = "def add(a, b):\n    return a - b\n"
TESTS = '''import os
import time

import pytest

from calc import add


def test_add_zero():
    assert add(1, 0) == 1


def test_add():
    assert add(2, 2) == 4


@pytest.mark.skip(reason="later")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known")
def test_known_bug():
    assert add(1, 1) == 3


def test_no_secrets_shipped():
    assert not os.path.exists(".env")


@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")


def test_setup_error(broken):
    pass


def test_bench(benchmark):
    assert benchmark(add, 3, 0) == 3


@pytest.mark.slow
def test_forever():
    time.sleep(120)
'''


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "src" / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\nmarkers = ["slow"]\n')
    (root / "src" / "calc" / "__init__.py").write_text(CALC)
    (root / "tests" / "test_calc.py").write_text(TESTS)
    (root / ".env").write_text("API_KEY=secret\n")
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    return root


def test_a_failing_suite_is_reported_test_by_test(repo, box):
    report = run_pytest(repo, args=["-m", "not slow"], sandbox=box, timeout_s=300)
    assert (report.passed, report.failed, report.errors, report.skipped, report.xfailed) == (3, 1, 1, 1, 1)
    assert report.failing == ["tests/test_calc.py::test_add", "tests/test_calc.py::test_setup_error"]
    assert "assert 0 == 4" in report.messages["tests/test_calc.py::test_add"]
    assert "fixture broke" in report.messages["tests/test_calc.py::test_setup_error"]
    assert report.exit_code == 1 and not report.ok and report.collected == 7
    (bench,) = report.benchmarks
    assert report.benchmarks_ran and bench.fullname == "tests/test_calc.py::test_bench"
    assert bench.rounds >= 1 and 0 < bench.min <= bench.median <= bench.max


def test_overrides_apply_a_candidate(repo, box):
    fixed = CALC.replace("a - b", "a + b").encode()
    report = run_pytest(repo, overrides={"src/calc/__init__.py": fixed}, sandbox=box, timeout_s=300,
                        args=["-m", "not slow", "-k", "not setup_error and not bench", "-p", "no:benchmark"])
    assert (report.passed, report.failed, report.errors, report.skipped) == (3, 0, 0, 1) and report.ok
    assert not report.benchmarks_ran and report.describe() == "3 passed, 1 skipped, 1 xfailed"
    with pytest.raises(ConfigError, match="must be a path inside the repository"):
        run_pytest(repo, overrides={"../elsewhere.py": b""}, sandbox=box)


def test_a_suite_that_runs_too_long_keeps_what_finished(repo, box):
    report = run_pytest(repo, args=["-k", "add_zero or forever"], sandbox=box, timeout_s=10)
    assert report.timed_out and not report.ok and report.exit_code is None
    assert report.passed == 1 and "timed out" in report.describe()


def test_hidden_files_and_environments_are_not_shipped(repo):
    files = repo_files(repo)
    assert sorted(files) == ["pyproject.toml", "src/calc/__init__.py", "tests/test_calc.py"]
