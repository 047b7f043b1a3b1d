"""Fixtures shared by the evaluator tests that run the real sandbox (imported by name)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.task import Task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "benchmarks" / "suites" / "examples"
PLANTED = Path(__file__).resolve().parent / "planted"


def example(name: str) -> Task:
    return Task.load(EXAMPLES / name)


@pytest.fixture(scope="session")
def perfforge_home(tmp_path_factory):
    """One PERFFORGE_HOME for the session, so staged inputs and counts are reused.  A fixed
    path under the session's base temp dir: every module importing this fixture shares it."""
    home = tmp_path_factory.getbasetemp() / "perfforge-evaluators-home"
    home.mkdir(exist_ok=True)
    old = os.environ.get("PERFFORGE_HOME")
    os.environ["PERFFORGE_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("PERFFORGE_HOME", None)
    else:
        os.environ["PERFFORGE_HOME"] = old


@pytest.fixture(scope="session")
def box(perfforge_home):
    """The default sandbox backend (docker where the engine answers), opened once."""
    from sandbox import get_sandbox

    sandbox = get_sandbox()
    yield sandbox
    sandbox.close()
